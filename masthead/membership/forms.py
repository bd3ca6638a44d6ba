"""Forms of the member pages: asking for a link, the profile, the new address."""

from django import forms
from django.conf import settings

from masthead.membership.models import BillingInterval


class RequestLinkForm(forms.Form):
    email = forms.EmailField(max_length=254, error_messages={"required": "Enter your e-mail address."})
    display_name = forms.CharField(max_length=100, required=False)
    next = forms.CharField(max_length=300, required=False)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_next(self):
        # Only a path on this site: a link must never carry a reader off to somebody else's address.
        value = self.cleaned_data["next"].strip()
        return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else ""


def newsletter_choices():
    return list(settings.MASTHEAD_NEWSLETTERS)


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=100, required=False, label="Your name")
    newsletters = forms.MultipleChoiceField(
        choices=newsletter_choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class ChangeEmailForm(forms.Form):
    email = forms.EmailField(max_length=254, label="New e-mail address")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class CheckoutForm(forms.Form):
    tier = forms.SlugField(error_messages={"required": "Choose a tier."})
    interval = forms.ChoiceField(
        choices=BillingInterval.choices,
        error_messages={"invalid_choice": "Choose monthly or yearly billing."},
    )
