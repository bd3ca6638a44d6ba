"""What the discussion templates need to know about the reader and the thread, gathered in one place."""

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from masthead.discussion.actions import thread_for
from masthead.discussion.display import build_thread_page
from masthead.discussion.models import CommentSort, DiscussionSettings, WhoMayComment

# Cached thread HTML is keyed by the thread's version, so a write shows at once; the timeout only keeps the
# relative times ("5 minutes ago") from going stale.
CACHE_SECONDS = 60


def cache_stamp(thread) -> str:
    """Names one state of a thread: its id, when it was made (ids can be reused) and its version."""
    return f"{thread.pk}:{int(thread.created_at.timestamp())}:{thread.version}"


def viewer_context(request, thread) -> dict:
    policy = DiscussionSettings.current(request)
    user = request.user
    member = user.is_authenticated
    is_open = thread.is_open(policy)
    return {
        "thread": thread,
        "policy": policy,
        "is_open": is_open,
        "viewer": user,
        "viewer_id": user.pk if member else None,
        "viewer_is_member": member,
        "may_comment": is_open and (member or policy.who_may_comment == WhoMayComment.EVERYONE),
        "guest_form": not member and policy.who_may_comment == WhoMayComment.EVERYONE,
        "csrf_token": get_token(request),
    }


def comments_block(request, article, context: dict, *, sort: str, number: int) -> tuple[str, bool]:
    """The rendered conversations of one page, and whether there were any.

    Signed-out readers all see the same HTML (no forms with tokens in it), so theirs is cached per version.
    """
    thread = context["thread"]
    cacheable = thread.pk is not None and not context["viewer_is_member"]
    key = f"discussion:block:{cache_stamp(thread)}:{sort}:{number}:{int(context['may_comment'])}"
    if cacheable:
        cached = cache.get(key)
        if cached is not None:
            return mark_safe(cached[0]), cached[1]
    page = build_thread_page(thread, sort=sort, number=number, viewer=request.user)
    html = render_to_string("discussion/comments_block.html", {**context, "article": article, "page": page})
    if cacheable:
        cache.set(key, (html, bool(page.roots)), CACHE_SECONDS)
    return mark_safe(html), bool(page.roots)


def section_context(request, article, *, sort: str, number: int = 1) -> dict:
    thread = thread_for(article, create=False)
    thread.page = article
    context = viewer_context(request, thread)
    html, has_comments = comments_block(request, article, context, sort=sort, number=number)
    notice = request.session.pop("discussion_notice", "") if request.session.get("discussion_notice") else ""
    return {
        **context,
        "article": article,
        "sort": sort,
        "number": number,
        "comments_html": html,
        "has_comments": has_comments,
        "sorts": CommentSort.choices,
        "notice": notice,
    }
