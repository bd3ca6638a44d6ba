"""Template helpers shared by every app's templates."""

from datetime import date, datetime

from django import template
from django.utils import translation
from django.utils.html import format_html

from masthead.core import time

register = template.Library()


@register.simple_tag
def published_time(value: datetime | None, language: str = ""):
    """A <time> element: the absolute date in the active language (or `language`), the relative age beside it."""
    if value is None:
        return ""
    with translation.override(language or translation.get_language()):
        return format_html(
            '<time datetime="{}" title="{}">{}</time> <span class="relative-time">({})</span>',
            value.isoformat(),
            time.local_datetime(value),
            time.local_date(value),
            time.relative_time(value),
        )


@register.filter
def local_date(value: date | datetime | None) -> str:
    """A date in the active language: the one date format of every template (masthead.core.time)."""
    return time.local_date(value)


@register.filter
def local_datetime(value: datetime | None) -> str:
    return time.local_datetime(value)


@register.filter
def text_direction(language: str) -> str:
    """'rtl' for right-to-left languages, 'ltr' otherwise."""
    return "rtl" if translation.get_language_info(language or "en")["bidi"] else "ltr"
