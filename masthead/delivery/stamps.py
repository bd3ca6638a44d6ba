"""The cache stamps: read once per request, replaced when what cached pages are made of changes.

`content` changes with any page, snippet, image, site or settings change; `membership` with any subscription,
complimentary access, tier, group, permission or account change (receivers.py). Everything the page layer
keeps is keyed by them, so a change made in one process is seen by every other at the next request.
"""

import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from django.db import connection

from masthead.core.request_state import state_of
from masthead.delivery.models import CacheStamps, new_stamp
from masthead.discussion.models import Thread

STAMPS_ID = 1


@dataclass(frozen=True)
class Stamps:
    content: str
    membership: str


@dataclass(frozen=True)
class ThreadState:
    """What a cached article page depends on of its discussion thread: which thread, in which version."""

    thread_id: int | None
    created_at: object  # as the database gives it: a datetime, or SQLite's text
    version: int
    is_closed: bool

    @property
    def stamp(self) -> str:
        """Names one state of the thread: its id, when it was made (ids can be reused) and its version."""
        if self.thread_id is None:
            return "none"
        return f"{self.thread_id}:{self.created_at}:{self.version}"


NO_THREAD = ThreadState(thread_id=None, created_at=None, version=0, is_closed=False)


def replace(*, content: bool = False, membership: bool = False) -> None:
    """Give the named stamps new random values, so that everything kept under the old ones is unused."""
    values = {}
    if content:
        values["content"] = new_stamp()
    if membership:
        values["membership"] = new_stamp()
    if values and not CacheStamps.objects.filter(pk=STAMPS_ID).update(**values):
        CacheStamps.objects.update_or_create(pk=STAMPS_ID, defaults=values)


def read_stamps(article_id: int | None = None) -> tuple[Stamps | None, ThreadState]:
    """The stamps as the database has them now, and the article's thread state, in one query. The stamps are
    None when their row is missing (a database flushed by a test), and then nothing may be kept.

    Plain SQL through Django's cursor, because every cached page view runs it: the ORM spent more time
    compiling these two small queries than the database spent answering them (bench/results/article_page.md
    with the ORM: 4.5 ms of server CPU per cached page against about 1 ms). The same statement on every
    database (tested on SQLite and PostgreSQL); the thread's creation time is used as the database gives it,
    only to name the thread's state.
    """
    with connection.cursor() as cursor:
        cursor.execute(_stamps_sql(), [article_id or 0, STAMPS_ID])
        row = cursor.fetchone()
    if row is None:
        return None, NO_THREAD
    stamps = Stamps(content=row[0], membership=row[1])
    if row[2] is None:
        return stamps, NO_THREAD
    return stamps, ThreadState(thread_id=row[2], created_at=row[3], version=row[4], is_closed=bool(row[5]))


@lru_cache(maxsize=4)
def _stamps_sql() -> str:
    quote = connection.ops.quote_name
    stamps, threads = quote(CacheStamps._meta.db_table), quote(Thread._meta.db_table)
    return (
        "SELECT s.content, s.membership, t.id, t.created_at, t.version, t.is_closed "  # noqa: S608 (our names)
        f"FROM {stamps} s LEFT JOIN {threads} t ON t.page_id = %s WHERE s.id = %s"
    )


def stamps_for_request(request, article_id: int | None = None) -> Stamps | None:
    """The stamps as this request first read them; with `article_id`, that article's thread state is read with
    them (in the same query) and kept in the request's state too."""
    state = state_of(request)
    if state.stamps is None or (article_id is not None and state.thread_of != article_id):
        state.stamps, state.thread = read_stamps(article_id)
        state.thread_of = article_id
    return state.stamps


def thread_state_for_request(request, article_id: int) -> ThreadState:
    stamps_for_request(request, article_id)
    return state_of(request).thread


class StampedMemo:
    """Values worked out under one stamp, kept in this process until the stamp changes.

    As fresh as anything cached under the stamp, since every request reads the stamps from the database, but
    without the cache's pickling (or, with Redis, its round trip). For small values that many requests ask for:
    a reader's tiers, whether a user reaches the admin, an article's route. Callers must not change what they
    get.
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

    def _values_under(self, stamp: str) -> dict:
        if stamp != self._stamp:  # a race between threads here only costs a recomputation
            self._values, self._stamp = {}, stamp
        return self._values
