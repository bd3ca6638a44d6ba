"""The cache stamps: read once per request, replaced when what cached pages are made of changes.

`content` changes with any page, snippet, image, site or settings change; `membership` with any subscription,
complimentary access, group, permission or account change. The receivers are connected in CoreConfig.ready().
"""

import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

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


def read_stamps_and_thread(page_id: int | None, session=None):
    """The stamps and the article's thread row (id, created_at, version, is_closed, comment_count) in one query.

    Given the request's session, the same query reads the session's row when it is kept in the database and
    not loaded yet, and primes the session with it (masthead.accounts.signed_in): a signed-in reader's cached
    page then costs one query, as a signed-out reader's does.

    Raw SQL because this runs on every cached page view: the ORM would spend more time compiling than the
    database spends answering. None when the stamps row is missing (a database flushed by a test).
    """
    from masthead.accounts.signed_in import prime_absent_session, prime_session, session_table

    sessions = session_table(session) if session is not None else None
    with connection.cursor() as cursor:
        if sessions:
            params = [page_id or 0, session.session_key, STAMPS_ID]
            cursor.execute(_stamps_sql(connection.vendor, sessions), params)
        else:
            cursor.execute(_stamps_sql(connection.vendor, None), [page_id or 0, STAMPS_ID])
        row = cursor.fetchone()
    if row is None:
        return None, None
    if sessions:
        if row[7] is not None:
            prime_session(session, row[7])
        else:
            prime_absent_session(session)
    return Stamps(content=row[0], membership=row[1]), row[2:7]


@lru_cache(maxsize=8)
def _stamps_sql(vendor: str, sessions: str | None) -> str:
    """The stamps query's text, made once per database and sessions table (the vendor keys the quoting)."""
    from masthead.core.models import CacheStamps
    from masthead.discussion.models import Thread

    quote = connection.ops.quote_name
    columns = "s.content, s.membership, t.id, t.created_at, t.version, t.is_closed, t.comment_count"
    joins = f"LEFT JOIN {quote(Thread._meta.db_table)} t ON t.page_id = %s"
    if sessions:
        # Django's own condition for a live session (db.SessionStore._get_session_from_db), against the
        # database's clock: no datetime parameter to convert on every request. PostgreSQL compares times;
        # SQLite compares the UTC text Django keeps with its own clock's, of the same form (to the second).
        columns += ", d.session_data"
        joins += f" LEFT JOIN {quote(sessions)} d ON d.session_key = %s AND d.expire_date > CURRENT_TIMESTAMP"
    return f"SELECT {columns} FROM {quote(CacheStamps._meta.db_table)} s {joins} WHERE s.id = %s"  # noqa: S608


class StampedMemo:
    """Values worked out under one stamp, kept in this process until the stamp changes.

    As fresh as anything cached under the stamp, since every request reads the stamps from the database, but
    without the cache's pickling (or, with Redis, its round trip). For small values read on every request of
    a signed-in reader: their account, tiers, whether they use the admin. Callers must not change what they get;
    values that can be changed (model instances) are copied by the caller.
    """

    _all: ClassVar["weakref.WeakSet[StampedMemo]"] = weakref.WeakSet()

    def __init__(self, max_entries: int = 20_000):
        self.max_entries = max_entries
        self._stamp: str | None = None
        self._values: dict = {}
        StampedMemo._all.add(self)

    @classmethod
    def forget_all(cls) -> None:
        """Empty every memo: for tests, whose databases roll back to stamps used before."""
        for memo in list(cls._all):
            memo._values, memo._stamp = {}, None

    def get(self, stamp: str, key, compute):
        values = self._values_under(stamp)
        try:
            return values[key]
        except KeyError:
            value = compute()
            if len(values) < self.max_entries:
                values[key] = value
            return value

    def peek(self, stamp: str, key):
        """The value kept for key under stamp, or None: for callers that decide afterwards what to keep."""
        return self._values_under(stamp).get(key)

    def put(self, stamp: str, key, value) -> None:
        values = self._values_under(stamp)
        if len(values) < self.max_entries:
            values[key] = value

    def _values_under(self, stamp: str) -> dict:
        if stamp != self._stamp:  # a race between threads here only costs a recomputation
            self._values, self._stamp = {}, stamp
        return self._values


def stamps_for_request(request) -> Stamps | None:
    """The stamps as this request first read them (the article page cache reads them with the thread)."""
    stamps = getattr(request, "_masthead_stamps", None) if request is not None else None
    if stamps is None:
        stamps, _ = read_stamps_and_thread(None, getattr(request, "session", None))
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


def _account_saved(sender, update_fields=None, **kwargs):
    # Signing in only records the time (django.contrib.auth's update_last_login), which no page shows.
    if update_fields is None or set(update_fields) - {"last_login"}:
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
    # Signed-in readers' accounts are cached under the membership stamp (masthead.accounts.signed_in).
    post_save.connect(_account_saved, sender=User, dispatch_uid="masthead.stamps.user.save")
    post_delete.connect(_membership_changed, sender=User, dispatch_uid="masthead.stamps.user.delete")
