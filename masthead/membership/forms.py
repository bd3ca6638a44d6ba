"""Forms of the member pages: asking for a link, the profile, the new address."""

from urllib.parse import urlsplit

from django import forms
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from masthead.membership.models import BillingInterval


class RequestLinkForm(forms.Form):
    email = forms.EmailField(max_length=254, error_messages={"required": _("Enter your e-mail address.")})
    display_name = forms.CharField(max_length=100, required=False)
    next = forms.CharField(max_length=300, required=False)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_next(self):
        return safe_next_path(self.cleaned_data["next"])


def safe_next_path(value: str) -> str:
    """`value` if it is a path on this site, else "": a link must never carry a reader off to another site.

    Django's check knows what browsers do with a URL (they read `/\\evil.example` and `/<tab>/evil.example` as
    `//evil.example`); with no hosts allowed, anything naming a host or a scheme is refused.
    """
    value = (value or "").strip()
    if not (value.startswith("/") and url_has_allowed_host_and_scheme(value, allowed_hosts=None)):
        return ""
    # The header's "Sign in" on the sign-in page itself (or a link's page) would send a new member back into the
    # sign-in flow: they go to their account page instead.
    if urlsplit(value).path in (reverse("membership:sign_in"), reverse("membership:use_pending_link")):
        return ""
    return value


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=100, required=False, label=_("Your name"))


class ChangeEmailForm(forms.Form):
    email = forms.EmailField(max_length=254, label=_("New e-mail address"))

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class CheckoutForm(forms.Form):
    tier = forms.SlugField(error_messages={"required": _("Choose a tier.")})
    interval = forms.ChoiceField(
        choices=BillingInterval.choices,
        error_messages={"invalid_choice": _("Choose monthly or yearly billing.")},
    )
