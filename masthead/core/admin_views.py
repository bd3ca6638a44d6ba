"""Admin views every app's snippets share."""

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from wagtail.snippets.views.snippets import DeleteView


class KeptWhenReferencedDeleteView(DeleteView):
    """Wagtail's snippet delete, refusing with a message (not an error page) a row that protected rows still
    name. Subclasses say why it is kept and what to do instead in `kept_message`, formatted with the object."""

    kept_message = "“{object}” is still in use, so it cannot be deleted."

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, self.kept_message.format(object=self.object))
            return HttpResponseRedirect(self.get_success_url())
