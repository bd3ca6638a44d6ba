"""Test factories for accounts."""

import factory

from masthead.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"editor{n}")
    is_staff = True
    is_superuser = True


def signed_in_session_key(user) -> str:
    """The key of a new database session signed in as `user` through Django's own login (the configured backend,
    the session hash): for a browser test's or a benchmark's session cookie."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.session.session_key
