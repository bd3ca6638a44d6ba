"""Importing subscribers (import_actions.py): the management command and the admin's upload, preview, import."""

import re
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from masthead.accounts.factories import StaffFactory, UserFactory
from masthead.membership.factories import MemberFactory
from masthead.membership.models import Member
from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory
from masthead.newsletters.models import (
    ConsentSource,
    NewsletterSubscription,
    SubscriberImport,
    SubscriptionState,
)

pytestmark = pytest.mark.django_db

EXPORTS = Path(__file__).parent / "exports"


@pytest.fixture
def newsletter():
    return NewsletterFactory(name="Harbour Letter", slug="harbour")


def run(name: str, *args) -> str:
    out = StringIO()
    call_command("import_subscribers", str(EXPORTS / name), "--newsletter", "harbour", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(
        NewsletterSubscription.objects.values_list(
            "member__user__email", "state", "subscribed_at", "state_changed_at", "consent_source"
        )
    )


def state_of(email: str) -> str:
    return NewsletterSubscription.objects.get(member__user__email=email).state


def test_ghost_import_then_again_changes_nothing(newsletter):
    out = run("ghost.csv")
    assert (
        "Imported Ghost export into Harbour Letter: 1 created, 0 updated, 0 unchanged, 1 suppressed, 3 invalid." in out
    )
    assert "line 4: not-an-address: invalid: 'not-an-address' is not an e-mail address." in out
    reader = NewsletterSubscription.objects.get(member__user__email="reader@example.com")
    assert reader.state == SubscriptionState.SUBSCRIBED and reader.consent_source == ConsentSource.IMPORT
    assert reader.subscribed_at == datetime(2023, 9, 1, 7, tzinfo=UTC)
    assert reader.member.user.display_name == "Rae Lind" and not reader.member.user.has_usable_password()
    assert state_of("optout@example.com") == SubscriptionState.UNSUBSCRIBED
    before, members = snapshot(), Member.objects.count()

    again = run("ghost.csv")
    assert "0 created, 0 updated, 2 unchanged, 0 suppressed, 3 invalid." in again
    assert snapshot() == before and Member.objects.count() == members


def test_dry_run_reports_the_same_counts_and_writes_nothing(newsletter):
    out = run("mailchimp_unsubscribed.csv", "--dry-run")
    assert out.strip().endswith(
        "Dry run, nothing written: would import Mailchimp export into Harbour Letter: "
        "0 created, 0 updated, 0 unchanged, 2 suppressed, 0 invalid."
    )
    assert not NewsletterSubscription.objects.exists() and not Member.objects.exists()


def test_mailchimp_files_unsubscribed_complained_and_cleaned_are_never_subscribed(newsletter):
    run("mailchimp_subscribed.csv")
    run("mailchimp_unsubscribed.csv")
    run("mailchimp_cleaned.csv")
    assert state_of("wren@example.org") == SubscriptionState.SUBSCRIBED
    assert state_of("left@example.org") == SubscriptionState.UNSUBSCRIBED
    assert state_of("angry@example.org") == SubscriptionState.COMPLAINED
    gone = NewsletterSubscription.objects.get(member__user__email="gone@example.org")
    assert gone.state == SubscriptionState.BOUNCED and gone.state_changed_at == datetime(
        2022, 2, 2, 2, 2, 2, tzinfo=UTC
    )
    assert set(NewsletterSubscription.objects.subscribed().values_list("member__user__email", flat=True)) == {
        "wren@example.org",
        "pilot@example.org",
    }


def test_an_import_never_overrides_what_happened_here(newsletter):
    # Left here, then listed as subscribed in the old platform's export: stays unsubscribed.
    NewsletterSubscriptionFactory(
        newsletter=newsletter,
        member=MemberFactory(user__email="harbour@example.net"),
        state=SubscriptionState.UNSUBSCRIBED,
    )
    # Subscribed here with the form, listed as unsubscribed in an older export: stays subscribed.
    NewsletterSubscriptionFactory(newsletter=newsletter, member=MemberFactory(user__email="quiet@example.net"))
    # Subscribed here by an earlier import, e-mail now disabled at Substack: follows the export.
    NewsletterSubscriptionFactory(
        newsletter=newsletter,
        member=MemberFactory(user__email="muted@example.net"),
        consent_source=ConsentSource.IMPORT,
    )
    out = run("substack.csv", "-v", "2")
    assert "0 created, 1 updated, 2 unchanged, 0 suppressed, 0 invalid." in out
    assert "line 2: harbour@example.net: unchanged: Unsubscribed here: an import does not subscribe it again." in out
    assert "line 3: quiet@example.net: unchanged: Subscribed here by the reader's own choice: kept subscribed." in out
    assert state_of("harbour@example.net") == SubscriptionState.UNSUBSCRIBED
    assert state_of("quiet@example.net") == SubscriptionState.SUBSCRIBED
    assert state_of("muted@example.net") == SubscriptionState.UNSUBSCRIBED


def test_a_bounce_in_the_export_suppresses_an_address_subscribed_here(newsletter):
    NewsletterSubscriptionFactory(newsletter=newsletter, member=MemberFactory(user__email="blocked@example.com"))
    out = run("jetpack.csv")
    assert "1 created, 1 updated, 0 unchanged, 1 suppressed, 1 invalid." in out
    assert "never confirmed" in out
    assert state_of("blocked@example.com") == SubscriptionState.BOUNCED


def test_staff_and_closed_accounts_are_reported_not_imported(newsletter, tmp_path):
    StaffFactory(email="desk@example.com")
    UserFactory(email="closed@example.com", is_active=False)
    export = tmp_path / "list.csv"
    export.write_text("email\ndesk@example.com\nclosed@example.com\nfine@example.com\n")
    out = StringIO()
    call_command("import_subscribers", str(export), "--newsletter", "harbour", stdout=out)
    assert out.getvalue().count("belongs to a staff account or a closed one") == 2
    assert list(NewsletterSubscription.objects.values_list("member__user__email", flat=True)) == ["fine@example.com"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name\nAda\n", "The file has no e-mail column (its columns: name)"),
        ("email\nré@example.com\n".encode("latin-1"), "The file is not UTF-8 text"),
    ],
)
def test_a_broken_file_is_refused_and_nothing_is_written(newsletter, tmp_path, content, message):
    export = tmp_path / "broken.csv"
    export.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_subscribers", str(export), "--newsletter", "harbour")
    assert not Member.objects.exists()


def test_unknown_newsletter_is_refused(newsletter):
    with pytest.raises(CommandError, match="There is no newsletter called 'nope'"):
        call_command("import_subscribers", str(EXPORTS / "ghost.csv"), "--newsletter", "nope")


# The admin ---------------------------------------------------------------------------------------------------


@pytest.fixture
def editor_client(client):
    editor = UserFactory(is_staff=False)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


def upload(client, newsletter, name, content=None, format="auto"):
    data = content if content is not None else (EXPORTS / name).read_bytes()
    return client.post(
        reverse("newsletters_admin:import"),
        {"newsletter": newsletter.pk, "format": format, "file": SimpleUploadedFile(name, data, "text/csv")},
    )


def test_editor_previews_then_imports(editor_client, newsletter):
    assert editor_client.get(reverse("newsletters_admin:import")).status_code == 200
    preview = upload(editor_client, newsletter, "substack.csv")
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "read as a Substack export" in html and "Nothing has been written yet" in html
    assert "<td>1</td><td>0</td><td>0</td><td>2</td><td>0</td>" in html
    assert not NewsletterSubscription.objects.exists() and not Member.objects.exists()

    staged = SubscriberImport.objects.get()
    done = editor_client.post(reverse("newsletters_admin:confirm_import", args=[staged.pk]))
    assert done.status_code == 200 and "was imported into" in done.content.decode()
    assert state_of("harbour@example.net") == SubscriptionState.SUBSCRIBED
    staged.refresh_from_db()
    assert staged.imported_at is not None and staged.content == "" and staged.counts["created"] == 1

    twice = editor_client.post(reverse("newsletters_admin:confirm_import", args=[staged.pk]))
    assert twice.status_code == 409 and "was imported already" in twice.content.decode()
    assert NewsletterSubscription.objects.count() == 3


def test_admin_refuses_a_broken_file_with_a_message(editor_client, newsletter):
    response = upload(editor_client, newsletter, "photo.csv", content=b"\x89PNG\r\n\x1a\n\x00\x00")
    assert response.status_code == 400
    assert "This is not a CSV file" in response.content.decode()
    assert not SubscriberImport.objects.exists() and not Member.objects.exists()


def test_members_without_the_permission_cannot_import(client, newsletter):
    client.force_login(UserFactory(is_staff=False))
    assert client.get(reverse("newsletters_admin:import")).status_code in (302, 403)
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    # Wagtail answers a refused admin view by sending the user back to the dashboard with a message.
    assert client.get(reverse("newsletters_admin:import"))["Location"] == "/admin/"
    assert upload(client, newsletter, "ghost.csv")["Location"] == "/admin/"
    assert not Member.objects.exists() and not SubscriberImport.objects.exists()
