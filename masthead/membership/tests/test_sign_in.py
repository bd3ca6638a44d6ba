"""Sign-up and sign-in by e-mail link: double opt-in, single use, 15 minutes, bound to the address."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.utils import timezone

from masthead.accounts.models import User
from masthead.membership.factories import MemberFactory
from masthead.membership.models import Member, SignInLink, hash_token

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://127\.0\.0\.1:8000(/members/link/([\w-]+)/)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def request_link(django_capture_on_commit_callbacks):
    """Ask for a link as the form does; the mail goes out when the action's transaction commits."""

    def post(client, email, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/members/sign-in/", {"email": email, **extra})

    return post


def link_from(message) -> tuple[str, str]:
    path, token = LINK.search(message.get_content()).groups()
    return path, token


def test_sign_up_is_double_opt_in(request_link, client, smtp_inbox):
    response = request_link(client, "Nadia@Example.org", display_name="Nadia", next="/analysis/some-piece/")
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert not Member.objects.exists() and not User.objects.filter(email__iexact="nadia@example.org").exists()
    (message,) = smtp_inbox.to("nadia@example.org")
    assert message["Subject"].startswith("Confirm your membership")
    path, token = link_from(message)
    # Only the hash is stored: the token itself is nowhere in the database.
    link = SignInLink.objects.get()
    assert link.token_hash == hash_token(token) and token not in link.token_hash
    assert link.expires_at - link.created_at == timedelta(minutes=15)

    opened = client.get(path)
    # The token leaves the address at once (access logs, history, Referer): kept in the session instead.
    assert opened.status_code == 302 and opened["Location"] == "/members/link/"
    assert opened["Referrer-Policy"] == "no-referrer"
    confirm_page = client.get(opened["Location"])
    assert confirm_page.status_code == 200 and not Member.objects.exists()  # opening does not use it up
    assert token not in confirm_page.content.decode()
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/analysis/some-piece/"
    member = Member.objects.select_related("user").get()
    assert member.user.email == "nadia@example.org" and member.user.display_name == "Nadia"
    assert not member.user.has_usable_password() and not member.user.is_staff
    assert client.session[SESSION_KEY] == str(member.user.pk)


def test_the_answer_is_the_same_for_members_and_strangers(request_link, client, smtp_inbox):
    MemberFactory(user__email="known@example.org")
    known = request_link(client, "known@example.org")
    unknown = request_link(client, "stranger@example.org")
    strip = lambda response: (
        response.content.decode().replace("known@example.org", "X").replace("stranger@example.org", "X")
    )
    assert known.status_code == unknown.status_code == 200
    assert strip(known) == strip(unknown)
    assert smtp_inbox.to("known@example.org")[0]["Subject"].startswith("Your sign-in link")
    assert smtp_inbox.to("stranger@example.org")[0]["Subject"].startswith("Confirm your membership")


def test_member_signs_in_with_a_link(request_link, client, smtp_inbox):
    member = MemberFactory(user__email="reader@example.org")
    request_link(client, "READER@example.org ")
    path, _ = link_from(smtp_inbox.to("reader@example.org")[0])
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/members/account/"
    assert client.session[SESSION_KEY] == str(member.user.pk)
    assert Member.objects.count() == 1


def test_a_link_works_once(request_link, client, smtp_inbox):
    MemberFactory(user__email="once@example.org")
    request_link(client, "once@example.org")
    path, _ = link_from(smtp_inbox.messages[0])
    assert client.post(path).status_code == 302
    client.logout()
    again = client.post(path)
    assert again.status_code == 400
    html = again.content.decode()
    assert "This link was already used" in html and "Send me a new link" in html
    assert SESSION_KEY not in client.session
    assert client.get(path, follow=True).status_code == 400


def test_an_expired_link_says_so_and_offers_a_new_one(request_link, client, smtp_inbox):
    MemberFactory(user__email="late@example.org")
    request_link(client, "late@example.org")
    path, _ = link_from(smtp_inbox.messages[0])
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(path)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert 'action="/members/sign-in/"' in response.content.decode()
    assert SESSION_KEY not in client.session
    assert SignInLink.objects.get().used_at is None


def test_a_tampered_link_is_refused(request_link, client, smtp_inbox):
    MemberFactory(user__email="tamper@example.org")
    request_link(client, "tamper@example.org")
    path, token = link_from(smtp_inbox.messages[0])
    tampered = path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    response = client.post(tampered)
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_link_is_bound_to_the_address_it_was_sent_to(request_link, client, smtp_inbox):
    member = MemberFactory(user__email="old@example.org")
    request_link(client, "old@example.org")
    path, _ = link_from(smtp_inbox.messages[0])
    member.user.email = "new@example.org"  # the member moved before opening the old link
    member.user.save()
    response = client.post(path)
    assert response.status_code == 400 and SESSION_KEY not in client.session


def test_bad_input_is_a_400_and_sends_nothing(client, smtp_inbox):
    for data in ({"email": ""}, {"email": "not-an-address"}, {"email": "a@" + "b" * 260 + ".org"}):
        response = client.post("/members/sign-in/", data)
        assert response.status_code == 400
    assert len(smtp_inbox) == 0 and not SignInLink.objects.exists()


def test_next_is_kept_on_this_site_only(request_link, client, smtp_inbox):
    request_link(client, "safe@example.org", next="https://evil.example.com/")
    request_link(client, "safe2@example.org", next="//evil.example.com/")
    assert set(SignInLink.objects.values_list("next_path", flat=True)) == {""}


def test_links_per_address_are_rate_limited_for_members_and_strangers_alike(
    request_link, client, smtp_inbox, settings
):
    settings.MASTHEAD_LINK_REQUESTS_PER_ADDRESS = 2
    MemberFactory(user__email="member@example.org")
    for address in ("member@example.org", "nobody@example.org"):
        assert request_link(client, address).status_code == 200
        assert request_link(client, address).status_code == 200
        third = request_link(client, address)
        assert third.status_code == 429 and "Too many" in third.content.decode()
    assert len(smtp_inbox) == 4


def test_links_per_ip_are_rate_limited(request_link, client, smtp_inbox, settings):
    settings.MASTHEAD_LINK_REQUESTS_PER_IP = 3
    statuses = [request_link(client, f"person{n}@example.org").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    other_ip = client.post("/members/sign-in/", {"email": "x@example.org"}, REMOTE_ADDR="10.1.2.3")
    assert other_ip.status_code == 200


def test_links_per_ip_count_each_reader_behind_a_trusted_proxy(request_link, smtp_inbox, settings):
    from django.test import Client

    settings.MASTHEAD_LINK_REQUESTS_PER_IP = 2
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1", "::1"]

    def ask(number, forwarded_for, proxy="127.0.0.1"):
        client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded_for)
        return request_link(client, f"reader{number}@example.org").status_code

    assert [ask(n, "203.0.113.1") for n in range(3)] == [200, 200, 429]
    # A second reader behind the same nginx has a count of its own, over IPv6 too.
    assert [ask(n, "2001:db8::2") for n in range(3, 6)] == [200, 200, 429]
    assert ask(20, "2001:DB8:0::2", proxy="::1") == 429  # the same reader, however it is written
    # Writing the header yourself changes nothing: nginx appends the address it saw.
    assert ask(6, "198.51.100.7, 203.0.113.1") == 429
    # An untrusted sender of the header is counted as itself.
    assert [ask(n, "203.0.113.50", proxy="198.51.100.200") for n in range(7, 10)] == [200, 200, 429]


def test_sign_out_ends_the_session(client, smtp_inbox):
    member = MemberFactory()
    client.force_login(member.user)
    assert client.get("/members/account/").status_code == 200
    assert client.get("/members/sign-out/").status_code == 405
    client.post("/members/sign-out/")
    assert client.get("/members/account/").status_code == 302


def test_a_session_key_changes_at_sign_in(request_link, client, smtp_inbox):
    MemberFactory(user__email="fixation@example.org")
    client.get("/members/sign-in/")
    client.session.save()
    before = client.session.session_key
    request_link(client, "fixation@example.org")
    client.post(link_from(smtp_inbox.messages[0])[0])
    assert client.session.session_key != before


def test_staff_still_sign_in_to_wagtail_with_a_password(client):
    from masthead.accounts.factories import StaffFactory

    staff = StaffFactory(username="editor-x")
    response = client.post(
        "/admin/login/", {"username": "editor-x", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff.pk)


def test_a_staff_address_never_gets_a_sign_in_link(request_link, client, smtp_inbox):
    from masthead.accounts.factories import StaffFactory

    StaffFactory(email="editor@example.org")
    stranger = request_link(client, "someone-else@example.org")
    staff = request_link(client, "editor@example.org")
    assert staff.status_code == 200
    assert staff.content.decode().replace("editor@example.org", "X") == stranger.content.decode().replace(
        "someone-else@example.org", "X"
    )
    (notice,) = smtp_inbox.to("editor@example.org")
    assert "/members/link/" not in notice.get_content() and "/admin/login/" in notice.get_content()
    assert not SignInLink.objects.filter(email="editor@example.org").exists()


def test_a_sign_up_link_for_an_address_that_became_staff_is_refused(request_link, client, smtp_inbox):
    from masthead.accounts.factories import StaffFactory

    request_link(client, "promoted@example.org")
    path, _ = link_from(smtp_inbox.messages[0])
    StaffFactory(email="promoted@example.org")
    response = client.post(path)
    assert response.status_code == 400 and SESSION_KEY not in client.session
