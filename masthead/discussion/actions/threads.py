"""An article's thread: found (or started) for the other actions, and closed or reopened by an editor."""

from django.db import transaction

from masthead.discussion.models import ModerationAction, ModerationEvent, Thread


def thread_for(page, *, create: bool = True) -> Thread:
    """The article's thread; with create=False an unsaved one when nobody has commented yet (no write on a
    read).

    Kept in Django's cache of the page's related objects (`page.discussion_thread`), so that the gate, the rules
    and the templates of one request ask the database once, and not at all when the page was loaded with
    `select_related("discussion_thread")`.
    """
    try:
        thread = page.discussion_thread
    except Thread.DoesNotExist:
        thread = None
    if thread is None or (create and thread.pk is None):
        if create:
            thread, _ = Thread.objects.get_or_create(page=page)
        else:
            thread = Thread(page=page)
        page.discussion_thread = thread  # both ways: the thread's page is this one (is_open reads its date)
    return thread


def do_set_thread_closed(*, thread: Thread, closed: bool, editor) -> Thread:
    with transaction.atomic():
        thread.is_closed = closed
        thread.save(update_fields=["is_closed"])
        ModerationEvent.objects.create(
            actor=editor,
            action=ModerationAction.CLOSE if closed else ModerationAction.OPEN,
            detail=f"Thread of page {thread.page_id}",
        )
        Thread.objects.filter(pk=thread.pk).record_change()
    return thread
