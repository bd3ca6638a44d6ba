"""Daily and weekly digests: sent at the newsletter's local time (and day), once per period however often the
scheduler runs, holding the articles published since the last digest, each through the gate."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from freezegun import freeze_time

from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel
from masthead.membership.factories import SubscriptionFactory, TierFactory
from masthead.newsletters.digests import do_queue_digest, latest_slot, queue_due_digests
from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import Cadence, Newsletter, Send, SendKind, SendStatus, Weekday
from masthead.scheduling.scheduler import enqueue_due

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
# A Friday morning in Oslo (06:00 UTC in December), the newsletter's set time.
FRIDAY_0700 = datetime(2026, 12, 4, 7, 0, tzinfo=OSLO)
AFTER_THE_CUT = "The ferry timetable hid a second route."


@pytest.fixture(autouse=True)
def _oslo(settings):
    settings.TIME_ZONE = "Europe/Oslo"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def digest_letter(cadence=Cadence.DAILY, **kwargs) -> Newsletter:
    letter = NewsletterFactory(
        name="The Morning Tide", slug="morning-tide", cadence=cadence, send_time=time(7, 0), **kwargs
    )
    Newsletter.objects.filter(pk=letter.pk).update(created_at=FRIDAY_0700 - timedelta(days=30))
    letter.refresh_from_db()
    return letter


def publish_at(section, moment, title, *, access_level=AccessLevel.PUBLIC):
    article = make_article(
        section=section,
        title=title,
        published_at=moment,
        body=[paragraph(f"{title} opens here."), {"type": "preview_cut", "value": None}, paragraph(AFTER_THE_CUT)],
        publish=False,
    )
    article.access_level = access_level
    article.save_revision().publish()
    return article


def subscribe(letter, email):
    return NewsletterSubscriptionFactory(newsletter=letter, member__user__email=email)


def test_the_latest_slot_follows_the_local_time_and_the_weekday():
    daily = Newsletter(cadence=Cadence.DAILY, send_time=time(7, 0))
    assert latest_slot(daily, FRIDAY_0700 + timedelta(minutes=1)) == FRIDAY_0700
    assert latest_slot(daily, FRIDAY_0700 - timedelta(minutes=1)) == FRIDAY_0700 - timedelta(days=1)
    weekly = Newsletter(cadence=Cadence.WEEKLY, send_time=time(7, 0), send_weekday=Weekday.FRIDAY)
    assert latest_slot(weekly, FRIDAY_0700 + timedelta(days=3)) == FRIDAY_0700
    assert latest_slot(weekly, FRIDAY_0700 - timedelta(minutes=1)) == FRIDAY_0700 - timedelta(days=7)
    assert latest_slot(Newsletter(cadence=Cadence.EACH_ARTICLE), FRIDAY_0700) is None


def test_a_daily_digest_holds_the_days_articles_and_goes_once(section, django_capture_on_commit_callbacks):
    letter = digest_letter()
    subscribe(letter, "ana@example.org")
    subscribe(letter, "ben@example.org")
    publish_at(section, FRIDAY_0700 - timedelta(days=2), "Too old for this one")
    publish_at(section, FRIDAY_0700 - timedelta(hours=20), "The river rose")
    publish_at(section, FRIDAY_0700 - timedelta(hours=1), "The bridge held")
    publish_at(section, FRIDAY_0700 + timedelta(minutes=1), "After the digest")

    with django_capture_on_commit_callbacks(execute=True):
        send = do_queue_digest(newsletter=letter, now=FRIDAY_0700 + timedelta(minutes=2))
        # A second scheduler, a retry: nothing more.
        assert do_queue_digest(newsletter=letter, now=FRIDAY_0700 + timedelta(minutes=3)) is None

    assert send.kind == SendKind.DIGEST and send.period_key == "2026-12-04"
    assert Send.objects.get().status == SendStatus.DONE
    assert sorted(message.to[0] for message in mail.outbox) == ["ana@example.org", "ben@example.org"]
    message = mail.outbox[0]
    assert message.subject.startswith("The Morning Tide, ")
    assert "The river rose" in message.body and "The bridge held" in message.body
    assert "Too old for this one" not in message.body and "After the digest" not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "The river rose" in html and "Unsubscribe</a>" in html


def test_the_next_digest_starts_where_the_last_ended(section, django_capture_on_commit_callbacks):
    letter = digest_letter()
    subscribe(letter, "ana@example.org")
    publish_at(section, FRIDAY_0700 - timedelta(hours=1), "Friday's piece")
    publish_at(section, FRIDAY_0700 + timedelta(hours=3), "Saturday's piece")
    with django_capture_on_commit_callbacks(execute=True):
        do_queue_digest(newsletter=letter, now=FRIDAY_0700 + timedelta(minutes=1))
        do_queue_digest(newsletter=letter, now=FRIDAY_0700 + timedelta(days=1, minutes=1))
    friday, saturday = mail.outbox
    assert "Friday's piece" in friday.body and "Saturday's piece" not in friday.body
    assert "Saturday's piece" in saturday.body and "Friday's piece" not in saturday.body


def test_no_article_no_digest(section):
    letter = digest_letter()
    subscribe(letter, "ana@example.org")
    publish_at(section, FRIDAY_0700 - timedelta(days=3), "Long ago")
    assert do_queue_digest(newsletter=letter, now=FRIDAY_0700 + timedelta(minutes=1)) is None
    assert not Send.objects.exists() and mail.outbox == []


def test_a_weekly_digest_waits_for_its_day(section):
    letter = digest_letter(cadence=Cadence.WEEKLY, send_weekday=Weekday.FRIDAY)
    subscribe(letter, "ana@example.org")
    publish_at(section, FRIDAY_0700 - timedelta(days=3), "Tuesday's piece")
    # Thursday at 07:01: the last Friday slot is a week back, past the late limit, so nothing goes.
    assert do_queue_digest(newsletter=letter, now=FRIDAY_0700 - timedelta(days=1) + timedelta(minutes=1)) is None
    send = do_queue_digest(newsletter=letter, now=FRIDAY_0700 + timedelta(minutes=1))
    assert send is not None and list(send.digest_articles.values_list("title", flat=True)) == ["Tuesday's piece"]


def test_a_slot_long_past_is_not_sent_late(section):
    letter = digest_letter()
    subscribe(letter, "ana@example.org")
    publish_at(section, FRIDAY_0700 - timedelta(hours=1), "Friday's piece")
    assert do_queue_digest(newsletter=letter, now=FRIDAY_0700 + timedelta(hours=13)) is None


def test_the_gate_holds_for_each_article_of_a_digest(section, django_capture_on_commit_callbacks):
    letter = digest_letter()
    subscribe(letter, "free@example.org")
    paying = subscribe(letter, "paying@example.org")
    SubscriptionFactory(member=paying.member, tier=TierFactory(slug="supporter"))
    publish_at(section, FRIDAY_0700 - timedelta(hours=2), "For everyone")
    publish_at(section, FRIDAY_0700 - timedelta(hours=1), "For payers", access_level=AccessLevel.PAID)
    with django_capture_on_commit_callbacks(execute=True):
        do_queue_digest(newsletter=letter, now=FRIDAY_0700 + timedelta(minutes=1))
    by_address = {message.to[0]: message for message in mail.outbox}
    free, payer = by_address["free@example.org"], by_address["paying@example.org"]
    for text in (free.body, free.alternatives[0][0]):
        assert "For payers opens here." in text
        assert text.count(AFTER_THE_CUT) == 1  # the public piece's whole text; the paid one stops at the cut
        assert "Subscribe now to keep reading" in text
    for text in (payer.body, payer.alternatives[0][0]):
        assert text.count(AFTER_THE_CUT) == 2 and "Subscribe now to keep reading" not in text


def test_the_scheduler_runs_the_digests_once_per_period(section, django_capture_on_commit_callbacks):
    letter = digest_letter()
    subscribe(letter, "ana@example.org")
    publish_at(section, FRIDAY_0700 - timedelta(hours=1), "The bridge held")
    with freeze_time(FRIDAY_0700 + timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        assert "masthead.newsletters.digests.queue_due_digests" in enqueue_due()
        queue_due_digests.enqueue()  # enqueued twice anyway (a second scheduler, a retry)
    with freeze_time(FRIDAY_0700 + timedelta(minutes=2)), django_capture_on_commit_callbacks(execute=True):
        enqueue_due()
    assert Send.objects.filter(newsletter=letter).count() == 1
    assert [message.to[0] for message in mail.outbox] == ["ana@example.org"]


def test_each_article_newsletters_and_inactive_ones_get_no_digest(section):
    NewsletterFactory(cadence=Cadence.EACH_ARTICLE)
    inactive = digest_letter(is_active=False)
    subscribe(inactive, "ana@example.org")
    publish_at(section, FRIDAY_0700 - timedelta(hours=1), "The bridge held")
    with freeze_time(FRIDAY_0700 + timedelta(minutes=1)):
        assert queue_due_digests.enqueue().return_value == 0
    assert not Send.objects.filter(kind=SendKind.DIGEST).exists()
