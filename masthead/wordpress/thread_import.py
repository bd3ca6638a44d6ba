"""Comments of the imported posts: threaded by `comment_parent`, with their status, votes and wpDiscuz inline
feedback. Part of the importer (`importer.Importer`), kept apart for its size."""

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils import timezone

from masthead.articles.models import ArticlePage
from masthead.discussion.actions.imports import ImportedComment, do_add_imported_comments, do_settle_imported_thread
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.models import Comment as DiscussionComment, CommentStatus
from masthead.wordpress import feedback, wxr
from masthead.wordpress.comment_text import comment_markdown
from masthead.wordpress.models import ImportedKind
from masthead.wordpress.wp_values import parents_first, parse_wp_date, truthy, wpdiscuz_votes

COMMENT_STATUS = {"1": CommentStatus.APPROVED, "approve": CommentStatus.APPROVED, "0": CommentStatus.PENDING,
                  "hold": CommentStatus.PENDING, "spam": CommentStatus.SPAM, "trash": CommentStatus.REJECTED,
                  "post-trashed": CommentStatus.REJECTED}
NOT_A_READER_COMMENT = {"pingback", "trackback"}


class CommentsMixin:
    def comments(self, page: ArticlePage, item: wxr.Item) -> None:
        close = item.comment_status == "closed" or any(
            truthy(comment.meta.get("wpdiscuz_closed", "")) for comment in item.comments)
        new = [comment for comment in parents_first(item.comments)
               if (ImportedKind.COMMENT, comment.wp_id) not in self.known]
        if not new and not close:
            return
        thread = thread_for(page)
        if not new and thread.is_closed:
            return
        self.find_members(comment.email for comment in new)
        wanted, kept = [], []  # what to store, and the WordPress comment of each
        position: dict[str, int] = {}  # a WordPress comment id -> its place in `wanted`
        for comment in new:
            if comment.type in NOT_A_READER_COMMENT:
                self.report.skipped[comment.type] += 1
                continue
            parent, parent_index = None, None
            if comment.parent not in ("", "0"):
                parent_index = position.get(comment.parent)
                if parent_index is None:
                    parent_id = self.known.get((ImportedKind.COMMENT, comment.parent))
                    parent = DiscussionComment.objects.filter(pk=parent_id).first() if parent_id else None
                    if parent is None:
                        self.report.warnings.append(
                            f"comment {comment.wp_id}: its parent {comment.parent} was not imported; shown at top level.")
            up, down = wpdiscuz_votes(comment.meta)
            email = comment.email.strip()
            position[comment.wp_id] = len(wanted)
            wanted.append(ImportedComment(
                parent=parent, parent_index=parent_index, author=self.member(email),
                guest_name=comment.author.strip(), guest_email=email if "@" in email else "",
                guest_url=comment.url if comment.url.startswith(("http://", "https://")) else "",
                body=comment_markdown(comment.content) or "(empty comment)",
                status=COMMENT_STATUS.get(comment.approved.strip(), CommentStatus.PENDING),
                created_at=parse_wp_date(comment.date_gmt, comment.date) or page.first_published_at or timezone.now(),
                upvotes=up, downvotes=down,
            ))
            kept.append(comment)
        for comment, created in zip(kept, do_add_imported_comments(thread=thread, comments=wanted), strict=True):
            self.remember(ImportedKind.COMMENT, comment.wp_id, created.pk)
            form_id = str(comment.meta.get(feedback.META) or "").strip()
            if form_id:
                self.inline_comment(created, item, form_id)
        added = len(wanted)
        self.comments_added += added
        was_closed = thread.is_closed
        do_settle_imported_thread(thread=thread, added=added, close=close)
        if close and not was_closed:
            self.report.created["threads closed"] += 1

    def inline_comment(self, comment, item: wxr.Item, form_id: str) -> None:
        point_id = self.known.get((ImportedKind.FEEDBACK, f"{item.wp_id}:{form_id}"))
        if point_id is not None and feedback.anchor_comment(comment, point_id):
            self.report.created["inline comments"] += 1
            return
        self.report.created[feedback.LEFT_IN_THREAD] += 1
        self.report.warnings.append(f"post {item.wp_id}: comment on inline feedback {form_id!r} kept in the thread: "
                                    "the export does not say which passage it was about.")

    def find_members(self, emails) -> None:
        """Look up, in one query, the members among these e-mail addresses not looked up yet."""
        wanted = {email.strip().lower() for email in emails if "@" in email} - set(self.members)
        if not wanted:
            return
        found = {}
        users = get_user_model().objects.annotate(email_lower=Lower("email")).filter(email_lower__in=wanted)
        for user in users.order_by("pk"):
            found.setdefault(user.email_lower, user)
        for email in wanted:
            self.members[email] = found.get(email)

    def member(self, email: str):
        if "@" not in email:
            return None
        if email.lower() not in self.members:
            self.members[email.lower()] = get_user_model().objects.filter(email__iexact=email).first()
        return self.members[email.lower()]
