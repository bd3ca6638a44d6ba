"""Template tags for the discussion: the section under an article, and comment times."""

from datetime import datetime

from django import template
from django.utils import translation
from django.utils.html import format_html

from masthead.articles.models import ArticlePage
from masthead.core.time import local_datetime, relative_time
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.models import Thread
from masthead.discussion.thread_pages import chosen_sort
from masthead.discussion.viewer import section_context

register = template.Library()


@register.inclusion_tag("discussion/section.html", takes_context=True)
def discussion_section(context, article):
    request = context["request"]
    return section_context(request, article, sort=chosen_sort(request))


def _discussion_language(context) -> str:
    """The language of the article the comments are under ("" when the context names no article)."""
    for name in ("article", "page"):
        language = getattr(context.get(name), "language", "")
        if language:
            return language
    thread = context.get("thread")
    if thread is None or not thread.page_id:
        return ""
    if not hasattr(thread, "_page_language"):
        # A lone comment's fragment: its thread came without the page, so ask for the one column, once.
        page = thread.page if Thread._meta.get_field("page").is_cached(thread) else None
        thread._page_language = getattr(page, "language", "") if page is not None else (
            ArticlePage.objects.filter(pk=thread.page_id).values_list("language", flat=True).first() or ""
        )
    return thread._page_language


@register.simple_tag(takes_context=True)
def comment_time(context, value: datetime):
    """The comment's age in words in the article's language, with the exact time in `datetime` and on hover."""
    with translation.override(_discussion_language(context) or translation.get_language()):
        exact = local_datetime(value)
        relative = relative_time(value)
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact, relative)


@register.filter
def editable_by(comment, user) -> bool:
    return comment.is_editable_by(user)


@register.filter
def discussion_comment_count(article) -> int:
    """Visible comments on an article: the listing's annotation when present, else its thread's count."""
    if hasattr(article, "comment_count"):
        return article.comment_count or 0
    return thread_for(article, create=False).comment_count
