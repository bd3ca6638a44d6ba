"""The admin's WordPress import: upload an export, then watch the import's progress (a task does it)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from masthead.wordpress.actions import CATEGORIES_AS
from masthead.wordpress.tasks import import_uploaded_export
from masthead.wordpress.uploads import Upload


class UploadForm(forms.Form):
    export = forms.FileField(label="WordPress export (WXR file)",
                             help_text="The .xml file WordPress makes under Tools → Export → All content.")
    categories_as = forms.ChoiceField(choices=[(c, c.capitalize()) for c in CATEGORIES_AS], initial="sections",
                                      label="Categories become")
    dry_run = forms.BooleanField(required=False, label="Dry run: do everything, then undo it")


def _superuser(request) -> None:
    # An import makes authors, pages and redirects across the whole site: for administrators only.
    if not request.user.is_superuser:
        raise PermissionDenied


def upload(request):
    _superuser(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        saved = Upload.save(form.cleaned_data["export"], file_name=form.cleaned_data["export"].name)
        import_uploaded_export.enqueue(saved.token, form.cleaned_data["categories_as"], form.cleaned_data["dry_run"])
        return redirect("wordpress_admin:status", token=saved.token)
    return render(request, "wordpress/admin/upload.html", {"form": form})


def status(request, token: str):
    _superuser(request)
    try:
        progress = Upload(token).read()
    except ValueError:
        progress = None
    if progress is None:
        raise Http404
    phases = [{"name": name, "done": done, "total": total, "percent": int(100 * done / total) if total else 100}
              for name, (done, total) in progress.get("phases", {}).items()]
    return render(request, "wordpress/admin/status.html", {
        "progress": progress, "phases": phases, "working": progress.get("state") in ("queued", "running")})
