"""Template tags for the discussion: the section under an article, and comment times."""

from datetime import datetime

from django import template
from django.utils import formats
from django.utils.html import format_html

from masthead.core.time import relative_time
from masthead.discussion.display import chosen_sort

register = template.Library()


@register.inclusion_tag("discussion/section.html", takes_context=True)
def discussion_section(context, article):
    from masthead.discussion.presentation import section_context

    request = context["request"]
    return section_context(request, article, sort=chosen_sort(request))


@register.simple_tag
def comment_time(value: datetime):
    """The comment's age in words, with the exact time in `datetime` and on hover."""
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        formats.date_format(value, "DATETIME_FORMAT"),
        relative_time(value),
    )


@register.filter
def editable_by(comment, user) -> bool:
    return comment.is_editable_by(user)


@register.filter
def discussion_comment_count(article) -> int:
    """Visible comments on an article: the listing's annotation when present, else its thread's count."""
    if hasattr(article, "comment_count"):
        return article.comment_count or 0
    from masthead.discussion.models import Thread

    thread = getattr(article, "_discussion_thread", None)
    if thread is None:
        thread = Thread.objects.filter(page=article.pk).first() or Thread(page_id=article.pk)
        article._discussion_thread = thread
    return thread.comment_count
