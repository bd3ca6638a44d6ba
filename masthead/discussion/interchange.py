"""Export and import of comments as JSON, in the open format described in docs below (`masthead-comments`, v1).

Format (UTF-8 JSON object):

    {"format": "masthead-comments", "version": 1, "exported_at": "<ISO 8601>",
     "threads": [{"article": {"id": 12, "url_path": "/analysis/slug/", "title": "..."},
                  "is_closed": false,
                  "comments": [{"id": 1, "parent_id": null, "author_name": "...", "author_email": "...",
                                "member": true, "author_deleted": false, "body": "<Markdown>",
                                "status": "approved", "created_at": "<ISO 8601>", "edited_at": null,
                                "is_deleted": false,
                                "is_pinned": false, "votes": [{"voter_email": "...", "value": 1}]}]}]}

Comments are listed parents first. `id` and `parent_id` only link comments within one file; an import gives them
new ids. Articles are matched by `url_path`, members by e-mail address; a comment whose author is no member here
becomes a guest comment; one whose author deleted their account (`author_deleted`, named "deleted member", no
e-mail) stays so. IP hashes are never exported. Importing the same file twice adds nothing the second time.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from masthead.accounts.models import User
from masthead.articles.models import ArticlePage
from masthead.discussion.actions.votes import recount_votes
from masthead.discussion.errors import DiscussionError
from masthead.discussion.markup import render_comment
from masthead.discussion.models import Comment, CommentStatus, ModerationAction, ModerationEvent, Thread, Vote

FORMAT = "masthead-comments"
VERSION = 1


def export_threads(threads) -> dict:
    threads = list(threads.select_related("page"))
    comments = (
        Comment.objects.filter(thread__in=threads).select_related("author").order_by("thread_id", "depth", "pk")
    )
    votes: dict[int, list] = {}
    # Guests' votes are known only by a cookie's hash, which means nothing elsewhere: they stay in the tallies.
    member_votes = Vote.objects.filter(comment__thread__in=threads, voter__isnull=False)
    for comment_id, email, value in member_votes.values_list(
        "comment_id", "voter__email", "value"
    ):
        votes.setdefault(comment_id, []).append({"voter_email": email, "value": value})
    by_thread: dict[int, list] = {thread.pk: [] for thread in threads}
    for comment in comments:
        by_thread[comment.thread_id].append(
            {
                "id": comment.pk,
                "parent_id": comment.parent_id,
                "author_name": comment.author_name,
                "author_email": comment.author_email,
                "member": comment.author_id is not None,
                "author_deleted": comment.author_deleted,
                "body": comment.body,
                "status": comment.status,
                "created_at": comment.created_at.isoformat(),
                "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
                "is_deleted": comment.is_deleted,
                "is_pinned": comment.is_pinned,
                "votes": votes.get(comment.pk, []),
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "threads": [
            {
                "article": {"id": thread.page_id, "url_path": thread.page.url_path, "title": thread.page.title},
                "is_closed": thread.is_closed,
                "comments": by_thread[thread.pk],
            }
            for thread in threads
        ],
    }


def _when(value, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise DiscussionError(f"{field} is not an ISO 8601 date and time: {value!r}") from None
    if timezone.is_naive(moment):
        raise DiscussionError(f"{field} has no time zone: {value!r}")
    return moment


def import_threads(data, *, editor=None) -> int:
    """Add the file's comments to the matching articles; all or nothing. Returns how many comments were added."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise DiscussionError(f"This is not a {FORMAT} version {VERSION} file.")
    threads = data.get("threads")
    if not isinstance(threads, list):
        raise DiscussionError("The file has no list of threads.")
    added = 0
    with transaction.atomic():
        members = {}
        for thread_data in threads:
            try:
                url_path = thread_data["article"]["url_path"]
                comments = list(thread_data["comments"])
            except (KeyError, TypeError):
                raise DiscussionError("Each thread needs an article with a url_path and a list of comments.") from None
            page = ArticlePage.objects.filter(url_path=url_path).first()
            if page is None:
                raise DiscussionError(f"No article here has the path {url_path!r}.")
            thread, _ = Thread.objects.get_or_create(page=page)
            if thread_data.get("is_closed") and not thread.is_closed:
                thread.is_closed = True
                thread.save(update_fields=["is_closed"])
            new_ids: dict = {}
            for item in comments:
                try:
                    added += _import_comment(thread, item, new_ids, members)
                except (KeyError, TypeError):
                    raise DiscussionError(f"Comment {item.get('id')!r} lacks a required field.") from None
            visible = thread.comments.filter(status=CommentStatus.APPROVED, is_deleted=False).count()
            # A new version, as every write readers can see makes: cached pages of the thread are stale at once.
            Thread.objects.filter(pk=thread.pk).update(comment_count=visible, version=F("version") + 1)
        if added:
            ModerationEvent.objects.create(actor=editor, action=ModerationAction.IMPORT, detail=f"{added} comments")
    return added


def _member(email: str, members: dict):
    if email not in members:
        members[email] = User.objects.filter(email__iexact=email).first() if email else None
    return members[email]


def _import_comment(thread, item, new_ids, members) -> int:
    parent = None
    if item["parent_id"] is not None:
        parent = new_ids.get(item["parent_id"])
        if parent is None:
            raise DiscussionError(f"Comment {item['id']!r} replies to {item['parent_id']!r}, which comes later or is missing.")
    if item["status"] not in CommentStatus.values:
        raise DiscussionError(f"Comment {item['id']!r} has an unknown status {item['status']!r}.")
    created_at = _when(item["created_at"], "created_at")
    author_deleted = bool(item.get("author_deleted"))
    is_member = item.get("member") and not author_deleted
    author = _member(item.get("author_email", ""), members) if is_member else None
    existing = Comment.objects.filter(thread=thread, created_at=created_at, body=item["body"]).first()
    if existing is not None:
        new_ids[item["id"]] = existing
        return 0
    comment = Comment(
        thread=thread,
        parent=parent,
        root_id=parent.root_id if parent else None,
        depth=parent.depth + 1 if parent else 1,
        author=author,
        guest_name="" if author or author_deleted else (item.get("author_name") or "Guest")[:80],
        guest_email="" if author or author_deleted else item.get("author_email", "")[:254],
        author_deleted=author_deleted,
        body=item["body"],
        body_html=render_comment(item["body"]),
        status=item["status"],
        created_at=created_at,
        edited_at=_when(item.get("edited_at"), "edited_at"),
        is_deleted=bool(item.get("is_deleted")),
        is_pinned=bool(item.get("is_pinned")),
    )
    comment.save()
    if parent is None:
        comment.root = comment
        comment.save(update_fields=["root"])
    new_ids[item["id"]] = comment
    for vote in item.get("votes", []):
        voter = _member(vote.get("voter_email", ""), members)
        if voter is not None and vote.get("value") in (1, -1) and voter.pk != comment.author_id:
            Vote.objects.get_or_create(comment=comment, voter=voter, defaults={"value": vote["value"]})
    if item.get("votes"):
        recount_votes(comment)
    return 1
