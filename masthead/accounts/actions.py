"""Writes to accounts that other parts of masthead (and management commands) share."""

import secrets

from django.db import transaction

from masthead.accounts.models import User


def do_ensure_first_admin(*, username: str = "admin", email: str = "") -> tuple[User, str] | None:
    """Create a superuser with a generated password when the site has none.

    Returns the user and the password (the only time it is known), or None when a superuser already exists.
    """
    with transaction.atomic():
        if User.objects.filter(is_superuser=True).exists():
            return None
        password = secrets.token_urlsafe(18)
        user = User.objects.create_superuser(username=username, email=email, password=password)
    return user, password


def do_reset_admin_password(*, username: str) -> tuple[User, str] | None:
    """Give the named superuser a new generated password; None when there is no such superuser.

    Changing the password ends the account's other sessions (Django checks a hash of it on each request).
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username, is_superuser=True).first()
        if user is None:
            return None
        password = secrets.token_urlsafe(18)
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, password
