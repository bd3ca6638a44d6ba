"""Test factories for the discussion: comments are made through the same action the site uses."""

from datetime import datetime

from masthead.accounts.factories import UserFactory
from masthead.discussion.actions.comments import do_post_comment
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.models import Comment, CommentStatus, DiscussionSettings, WhoMayComment

_numbers = iter(range(1, 10**9))


def make_comment(
    *,
    article=None,
    parent: Comment | None = None,
    author=None,
    guest_name: str = "",
    guest_email: str = "",
    body: str | None = None,
    status: str = CommentStatus.APPROVED,
    created_at: datetime | None = None,
) -> Comment:
    """A comment on `article` (or a reply to `parent`), by `author` (a new member when neither author nor guest)."""
    if article is None:
        article = parent.thread.page
    if author is None and not guest_name:
        author = UserFactory()
    return do_post_comment(
        thread=parent.thread if parent else thread_for(article),
        parent=parent,
        author=author,
        guest_name=guest_name,
        guest_email=guest_email,
        body=body or f"Comment number {next(_numbers)}: the figures deserve a second look.",
        status=status,
        hold_reasons=[],
        ip_hash="",
        created_at=created_at,
        announce=False,
    )


def set_policy(**fields) -> DiscussionSettings:
    policy = DiscussionSettings.current()
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def allow_guests(*, hold: bool = False) -> DiscussionSettings:
    return set_policy(who_may_comment=WhoMayComment.EVERYONE, hold_guest_comments=hold)
