"""Background work for source feeds: the periodic check of every feed that is due."""

from django_tasks import task

from masthead.sources.actions import do_check_due_feeds


@task()
def check_due_feeds() -> str:
    """Enqueued every minute by the scheduler (MASTHEAD_PERIODIC_TASKS); each feed says how often it is due."""
    outcomes = do_check_due_feeds()
    return "\n".join(f"{outcome.feed}: {outcome.summary()}" for outcome in outcomes) or "No feed was due."
