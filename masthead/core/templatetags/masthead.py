"""Template helpers shared by every app's templates."""

from datetime import datetime

from django import template
from django.utils import formats, translation
from django.utils.html import format_html

from masthead.core.time import relative_time

register = template.Library()


@register.simple_tag
def published_time(value: datetime | None, language: str = ""):
    """A <time> element: the absolute date, localised, with the relative age beside it."""
    if value is None:
        return ""
    with translation.override(language or translation.get_language()):
        absolute = formats.date_format(value, "DATE_FORMAT")
        relative = relative_time(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time> <span class="relative-time">({})</span>',
        value.isoformat(),
        formats.date_format(value, "DATETIME_FORMAT"),
        absolute,
        relative,
    )


@register.filter
def text_direction(language: str) -> str:
    """'rtl' for right-to-left languages, 'ltr' otherwise."""
    return "rtl" if translation.get_language_info(language or "en")["bidi"] else "ltr"
