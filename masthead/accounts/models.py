"""The user model: staff who edit and, later, members who read. Custom from day one so it can grow."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class User(AbstractUser):
    display_name = models.CharField(
        max_length=100, blank=True, help_text="Shown beside the reader's comments; the user name when blank."
    )

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # A member's e-mail address is their identity (sign-in links go to it), so it belongs to one account.
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="unique_user_email",
                violation_error_message="An account with this e-mail address already exists.",
            ),
        ]
