"""The membership app's configuration."""

from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "masthead.membership"
    label = "membership"
    verbose_name = "Members and subscriptions"
