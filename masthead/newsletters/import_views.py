"""The admin's subscriber import: upload a CSV export, see what importing it would do (a dry run), then import."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_POST

from masthead.newsletters.actions import NewsletterError
from masthead.newsletters.import_actions import (
    check_import_staged,
    check_import_subscribers,
    do_import_staged,
    do_stage_import,
)
from masthead.newsletters.models import Newsletter
from masthead.newsletters.subscriber_csv import FORMAT_NAMES

IMPORT_PERMISSION = "newsletters.add_subscriberimport"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    newsletter = forms.ModelChoiceField(queryset=Newsletter.objects.all(), empty_label=None)
    format = forms.ChoiceField(choices=[("auto", "Recognise it by its columns"), *FORMAT_NAMES.items()], initial="auto")
    file = forms.FileField(help_text="The CSV the other platform exported, as UTF-8 (at most 20 MB).")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB: split it and import the parts.")
        return upload


def _require_importer(request) -> None:
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied


def import_subscribers(request):
    """GET: the upload form. POST: refuse a broken file with a message, or preview the import of a good one."""
    _require_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            newsletter, parsed = check_import_subscribers(
                newsletter_slug=form.cleaned_data["newsletter"].slug, data=data, format=form.cleaned_data["format"]
            )
        except NewsletterError as error:
            form.add_error("file", error.message)
        else:
            staged, report = do_stage_import(
                newsletter=newsletter, parsed=parsed, data=data, file_name=upload.name, user=request.user
            )
            return render(request, "newsletters/admin/import_preview.html", {"staged": staged, "report": report})
    return render(request, "newsletters/admin/import_form.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def confirm_import(request, import_id: int):
    _require_importer(request)
    try:
        staged, parsed = check_import_staged(import_id=import_id)
    except NewsletterError as error:
        return render(request, "newsletters/admin/import_problem.html", {"message": error.message}, status=error.status)
    report = do_import_staged(staged=staged, parsed=parsed)
    return render(request, "newsletters/admin/import_done.html", {"staged": staged, "report": report})
