"""The cache stamps: read once per request, replaced when what cached pages are made of changes.

`content` changes with any page, snippet, image, site or settings change; `membership` with any subscription,
complimentary access, group or permission change. The receivers are connected in CoreConfig.ready().
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

STAMPS_ID = 1


@dataclass(frozen=True)
class Stamps:
    content: str
    membership: str


def replace(*, content: bool = False, membership: bool = False) -> None:
    """Give the named stamps new random values, so that everything cached under the old ones is unused."""
    from masthead.core.models import CacheStamps, new_stamp

    values = {}
    if content:
        values["content"] = new_stamp()
    if membership:
        values["membership"] = new_stamp()
    if values and not CacheStamps.objects.filter(pk=STAMPS_ID).update(**values):
        CacheStamps.objects.update_or_create(pk=STAMPS_ID, defaults=values)


def read_stamps_and_thread(page_id: int | None):
    """The stamps and the article's thread row (id, created_at, version, is_closed, comment_count) in one query.

    Raw SQL because this runs on every cached page view: the ORM would spend more time compiling than the
    database spends answering. None when the stamps row is missing (a database flushed by a test).
    """
    from masthead.core.models import CacheStamps
    from masthead.discussion.models import Thread

    stamps_table = connection.ops.quote_name(CacheStamps._meta.db_table)
    thread_table = connection.ops.quote_name(Thread._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.content, s.membership, t.id, t.created_at, t.version, t.is_closed, t.comment_count "  # noqa: S608
            f"FROM {stamps_table} s LEFT JOIN {thread_table} t ON t.page_id = %s WHERE s.id = %s",
            [page_id or 0, STAMPS_ID],
        )
        row = cursor.fetchone()
    if row is None:
        return None, None
    return Stamps(content=row[0], membership=row[1]), row[2:]


def stamps_for_request(request) -> Stamps | None:
    """The stamps as this request first read them (the article page cache reads them with the thread)."""
    stamps = getattr(request, "_masthead_stamps", None) if request is not None else None
    if stamps is None:
        stamps, _ = read_stamps_and_thread(None)
        if request is not None:
            request._masthead_stamps = stamps
    return stamps


# Receivers


def _content_changed(sender, **kwargs):
    replace(content=True)


def _settings_changed(sender, created=False, **kwargs):
    if not created:
        replace(content=True)


def _membership_changed(sender, **kwargs):
    replace(membership=True)


def _content_and_membership_changed(sender, **kwargs):
    replace(content=True, membership=True)


CONTENT_MODELS = [
    "wagtailcore.Page",
    "wagtailcore.Site",
    "wagtailcore.PageViewRestriction",
    "articles.Author",
    "articles.Topic",
    "articles.SourceOutlet",
    "discussion.DiscussionSettings",
]
# Site settings rows are made with their defaults the first time a page reads them: that changes nothing a
# reader sees (and would otherwise throw away the first page cached), so only later saves count.
SITE_SETTINGS_MODELS = ["articles.PublicationSettings", "membership.GateSettings"]
# The editors' questions beside an article (inline feedback), when that app is installed.
OPTIONAL_CONTENT_MODELS = ["annotations.FeedbackPoint"]
MEMBERSHIP_MODELS = ["membership.Subscription", "membership.ComplimentaryAccess"]


def _exists(label: str) -> bool:
    from django.apps import apps

    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def connect_receivers() -> None:
    from django.apps import apps
    from django.contrib.auth.models import Group
    from wagtail.images import get_image_model
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished

    from masthead.accounts.models import User

    def content_sender(model):
        # Signals are sent with the concrete class: a receiver for Page must hear ArticlePage too.
        def receiver(sender, instance=None, **kwargs):
            if isinstance(instance, model):
                replace(content=True)

        return receiver

    for label in CONTENT_MODELS + [label for label in OPTIONAL_CONTENT_MODELS if _exists(label)]:
        model = apps.get_model(label)
        if model is Page:
            receiver = content_sender(Page)
            post_save.connect(receiver, weak=False, dispatch_uid="masthead.stamps.page.save")
            post_delete.connect(receiver, weak=False, dispatch_uid="masthead.stamps.page.delete")
            continue
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.save")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.delete")
    for label in SITE_SETTINGS_MODELS:
        model = apps.get_model(label)
        post_save.connect(_settings_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.save")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.delete")
    image_model = get_image_model()
    post_save.connect(_content_changed, sender=image_model, dispatch_uid="masthead.stamps.image.save")
    post_delete.connect(_content_changed, sender=image_model, dispatch_uid="masthead.stamps.image.delete")
    page_published.connect(_content_changed, dispatch_uid="masthead.stamps.published")
    page_unpublished.connect(_content_changed, dispatch_uid="masthead.stamps.unpublished")
    # Tiers name who may read an article: both what pages show and what members get depend on them.
    tier = apps.get_model("membership.Tier")
    post_save.connect(_content_and_membership_changed, sender=tier, dispatch_uid="masthead.stamps.tier.save")
    post_delete.connect(_content_and_membership_changed, sender=tier, dispatch_uid="masthead.stamps.tier.delete")
    for label in MEMBERSHIP_MODELS:
        model = apps.get_model(label)
        post_save.connect(_membership_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.save")
        post_delete.connect(_membership_changed, sender=model, dispatch_uid=f"masthead.stamps.{label}.delete")
    # Who may use the Wagtail admin (and so must never get a cached page) follows groups and permissions.
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_membership_changed, sender=through, dispatch_uid=f"masthead.stamps.{through.__name__}")
    post_delete.connect(_membership_changed, sender=Group, dispatch_uid="masthead.stamps.group.delete")
