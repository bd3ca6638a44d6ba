"""Background work for search: a posted or edited comment's terms, indexed off the request that wrote it."""

from django_tasks import task

from masthead.discussion.models import Comment
from masthead.search.actions import do_index_comment_text


@task()
def index_comment(comment_id: int) -> bool:
    """Index the comment as it is now; False when it is gone (deleted before the worker came to it)."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        return False
    do_index_comment_text(comment=comment)
    return True
