"""The one-field Subscribe form."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label="E-mail address",
        error_messages={"required": _("Enter your e-mail address."), "invalid": _("Enter a whole e-mail address.")},
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
