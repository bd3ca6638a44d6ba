"""The one-field Subscribe form."""

from django import forms


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label="E-mail address",
        error_messages={"required": "Enter your e-mail address.", "invalid": "Enter a whole e-mail address."},
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
