"""Staff manage accounts in the Wagtail admin; the admin refuses what the database would."""

import pytest
from django.urls import reverse

from masthead.accounts.factories import StaffFactory, UserFactory
from masthead.accounts.models import User

pytestmark = pytest.mark.django_db


def test_admin_refuses_a_second_account_with_the_same_email(client):
    client.force_login(StaffFactory())
    UserFactory(email="Reader@Example.org")
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "second",
            "email": "reader@example.org",
            "first_name": "Second",
            "last_name": "Reader",
            "password1": "a long enough passphrase 91",
            "password2": "a long enough passphrase 91",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["An account with this e-mail address already exists."]
    assert not User.objects.filter(username="second").exists()
