"""The feed's admin form: a feed given a new address forgets the old address's validators and schedule."""

from wagtail.admin.forms import WagtailAdminModelForm


class SourceFeedForm(WagtailAdminModelForm):
    def save(self, commit=True):
        if "url" in self.changed_data:
            # An ETag or date from the old address means nothing to the new one (and could earn a wrong 304);
            # the new address is checked at the next minute.
            self.instance.etag = self.instance.last_modified = ""
            self.instance.next_check_at = None
        return super().save(commit=commit)
