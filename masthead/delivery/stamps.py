"""The cache stamps: read once per request, replaced when what cached pages are made of changes.

`content` changes with any page, snippet, image, site or settings change; `membership` with any subscription,
complimentary access, tier, group, permission or account change (receivers.py). Everything the page layer
keeps is keyed by them, so a change made in one process is seen by every other at the next request.
"""

import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

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
    created_at: datetime | None
    version: int
    is_closed: bool

    @property
    def stamp(self) -> str:
        """Names one state of the thread: its id, when it was made (ids can be reused) and its version."""
        if self.thread_id is None:
            return "none"
        return f"{self.thread_id}:{int(self.created_at.timestamp())}:{self.version}"


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


def read_stamps() -> Stamps | None:
    """The stamps as the database has them now; None when the row is missing (a database flushed by a test),
    and then nothing may be kept."""
    row = CacheStamps.objects.filter(pk=STAMPS_ID).values_list("content", "membership").first()
    return Stamps(*row) if row else None


def stamps_for_request(request) -> Stamps | None:
    """The stamps as this request first read them."""
    state = state_of(request)
    if state.stamps is None:
        state.stamps = read_stamps()
    return state.stamps


def read_thread_state(article_id: int) -> ThreadState:
    row = (
        Thread.objects.filter(page_id=article_id)
        .values_list("pk", "created_at", "version", "is_closed")
        .first()
    )
    return ThreadState(*row) if row else NO_THREAD


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
