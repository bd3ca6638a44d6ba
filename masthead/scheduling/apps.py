"""The scheduling app: enqueues periodic tasks (publishing scheduled pages) on whatever task backend is set."""

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "masthead.scheduling"
    label = "scheduling"
    verbose_name = "Periodic tasks"
