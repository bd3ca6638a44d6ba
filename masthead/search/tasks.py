"""Background work for search: a posted or edited comment's terms, indexed off the request that wrote it."""

from django_tasks import task

from masthead.discussion.models import Comment
from masthead.search.actions import do_index_comment_text, do_index_missing_comments


@task()
def index_comment(comment_id: int) -> bool:
    """Index the comment as it is now; False when it is gone (deleted before the worker came to it)."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        return False
    do_index_comment_text(comment=comment)
    return True


@task()
def index_missing_comments() -> int:
    """Index every comment that has no index row yet (comments stored in bulk, which send no save signal:
    an import); how many."""
    return do_index_missing_comments()
