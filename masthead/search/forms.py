"""The search box and its filters, read from the query string: bad values get a message, never a 500."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from masthead.articles.models import Author, SectionPage, Topic

MAX_QUERY_LENGTH = 200


class Kind:
    ARTICLES = "articles"
    COMMENTS = "comments"


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        error_messages={"max_length": _("Search for at most %(limit_value)d characters.")},
    )
    section = forms.ModelChoiceField(queryset=SectionPage.objects.live(), required=False, label=_("Section"))
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), to_field_name="slug", required=False, label=_("Topic")
    )
    author = forms.ModelChoiceField(
        queryset=Author.objects.all(), to_field_name="slug", required=False, label=_("Author")
    )
    language = forms.ChoiceField(
        choices=[("", _("Any language"))] + list(settings.LANGUAGES), required=False, label=_("Language")
    )
    published_from = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    published_to = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        choices=[(Kind.ARTICLES, _("Articles")), (Kind.COMMENTS, _("Comments"))], required=False
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("published_from"), cleaned.get("published_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The “from” date comes after the “to” date."))
        return cleaned

    def filters(self) -> dict:
        """The filters set, as results.search_* take them."""
        return {
            name: self.cleaned_data[name]
            for name in ("section", "topic", "author", "language", "published_from", "published_to")
            if self.cleaned_data.get(name)
        }

    @property
    def has_filters(self) -> bool:
        return bool(self.filters())
