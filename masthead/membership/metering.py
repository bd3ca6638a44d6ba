"""The metered gate's count: which articles an anonymous browser has read in the last 30 days.

The browser holds only a signed, random meter id; the articles read are counted on the server, in the cache
every server process shares (Redis when REDIS_URL is set, a database table otherwise), so a reader gets N free
articles whichever process answers. Clearing cookies or switching browsers starts a new meter: the meter
is an invitation to sign up, not a lock, and the admin says so.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils import timezone

COOKIE_NAME = "masthead_meter"
COOKIE_SALT = "masthead.membership.meter"
WINDOW = timedelta(days=30)


class Meter:
    def __init__(self, meter_id: str, reads: dict[str, float], *, is_new: bool):
        self.meter_id = meter_id
        self.reads = reads  # article id (as a string, for JSON) -> time read (POSIX seconds)
        self.is_new = is_new
        self.changed = False

    @classmethod
    def from_request(cls, request) -> "Meter":
        try:
            meter_id = request.get_signed_cookie(COOKIE_NAME, salt=COOKIE_SALT, max_age=WINDOW)
        except (KeyError, signing.BadSignature):
            return cls(secrets.token_urlsafe(16), {}, is_new=True)
        oldest = (timezone.now() - WINDOW).timestamp()
        kept = caches["shared"].get(cls.cache_key(meter_id)) or {}
        reads = {key: when for key, when in kept.items() if when >= oldest}
        return cls(meter_id, reads, is_new=False)

    @staticmethod
    def cache_key(meter_id: str) -> str:
        return f"masthead:meter:{meter_id}"

    def allows(self, article_id: int, free_articles: int) -> bool:
        return str(article_id) in self.reads or len(self.reads) < free_articles

    def free_left(self, free_articles: int) -> int:
        return max(0, free_articles - len(self.reads))

    def record(self, article_id: int) -> None:
        if str(article_id) not in self.reads:
            self.reads[str(article_id)] = timezone.now().timestamp()
            self.changed = True

    def save(self, response) -> None:
        if self.changed:
            caches["shared"].set(self.cache_key(self.meter_id), self.reads, timeout=int(WINDOW.total_seconds()))
        if self.changed or self.is_new:
            response.set_signed_cookie(
                COOKIE_NAME,
                self.meter_id,
                salt=COOKIE_SALT,
                max_age=int(WINDOW.total_seconds()),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
