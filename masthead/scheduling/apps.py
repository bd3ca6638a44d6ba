"""The scheduling app: enqueues periodic tasks (publishing scheduled pages) on any task backend."""

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "masthead.scheduling"
    label = "scheduling"
    verbose_name = "Periodic tasks"
