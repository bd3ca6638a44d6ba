"""The leak test: a sentence planted after the preview cut appears exactly where its reader may read it.

Every channel (article page, social and JSON-LD tags, RSS and Atom feeds, the JSON API, search results and
snippets, the sitemap, the cached article body, the e-mail rendering) is walked as every kind of reader
(anonymous, free member, member of tier A, member of tier B, staff) for an article of every access level.
"""

import json
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client

from masthead.accounts.factories import StaffFactory
from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.membership.access import reader_for_user
from masthead.membership.actions import member_of
from masthead.membership.channels import render_article_email
from masthead.membership.factories import (
    ComplimentaryAccessFactory,
    MemberFactory,
    SubscriptionFactory,
    TierFactory,
)
from masthead.newsletters.compose import ArticleComposer
from masthead.newsletters.factories import NewsletterFactory, NewsletterSubscriptionFactory

pytestmark = pytest.mark.django_db

READERS = ["anonymous", "free member", "tier A member", "tier B member", "staff"]
LEVELS = ["public", "members", "paid", "tier A only"]

# Who may read past the preview cut, with the gate a paywall (the default).
MAY_READ = {
    "public": set(READERS),
    "members": {"free member", "tier A member", "tier B member", "staff"},
    "paid": {"tier A member", "tier B member", "staff"},
    "tier A only": {"tier A member", "staff"},
}


def planted(level: str) -> str:
    words = {"public": "amber", "members": "cobalt", "paid": "vermilion", "tier A only": "viridian"}[level]
    return f"The {words} lighthouse keeper counted seventeen herons before the ferry left."


class HeadParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_head, self.in_json_ld = False, False
        self.head_text, self.json_ld = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        if self.in_head:
            self.head_text.append(" ".join(value or "" for _, value in attrs))
        self.in_json_ld = tag == "script" and dict(attrs).get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False

    def handle_data(self, data):
        if self.in_head:
            self.head_text.append(data)
        if self.in_json_ld:
            self.json_ld.append(json.loads(data))
            self.in_json_ld = False


@pytest.fixture
def world(section, settings):
    settings.MASTHEAD_ARTICLE_CACHE_SECONDS = 300
    cache.clear()
    tier_a, tier_b = (
        TierFactory(name="Supporter", slug="supporter"),
        TierFactory(name="Patron", slug="patron"),
    )
    levels = {
        "public": (AccessLevel.PUBLIC, []),
        "members": (AccessLevel.MEMBERS, []),
        "paid": (AccessLevel.PAID, []),
        "tier A only": (AccessLevel.TIERS, [tier_a]),
    }
    articles = {}
    for level, (access_level, tiers) in levels.items():
        article = make_article(
            section=section,
            title=f"Harbour notes, {level}",
            standfirst=f"What the harbour saw this week ({level}).",
            body=[
                paragraph(f"The opening of the {level} piece is free to all."),
                paragraph("A second paragraph sets the scene."),
                {"type": "preview_cut", "value": None},
                paragraph(planted(level)),
                paragraph("And the closing paragraph."),
            ],
            publish=False,
        )
        article.access_level = access_level
        article.allowed_tiers = tiers
        article.save_revision().publish()
        articles[level] = ArticlePage.objects.get(pk=article.pk)  # as published
    users = {
        "free member": MemberFactory().user,
        "tier A member": SubscriptionFactory(tier=tier_a).member.user,
        # Tier B comes from complimentary access, so that path is walked as well.
        "tier B member": ComplimentaryAccessFactory(tier=tier_b).member.user,
        "staff": StaffFactory(),
    }
    clients = {"anonymous": Client()}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return articles, users, clients


def visible(text: str, level: str) -> bool:
    # Search snippets mark the matching words (<mark>): the sentence still counts as shown.
    return planted(level) in re.sub(r"</?mark>", "", text).replace("&#x27;", "'")


def test_article_page(world):
    articles, _, clients = world
    for level, article in articles.items():
        for reader in READERS:
            response = clients[reader].get(article.url)
            assert response.status_code == 200
            html = response.content.decode()
            assert f"The opening of the {level} piece is free to all." in html, (level, reader)
            assert visible(html, level) == (reader in MAY_READ[level]), (level, reader)
            gate_shown = '<aside class="gate members-only"' in html
            assert gate_shown == (reader not in MAY_READ[level]), (level, reader)
            assert (
                "And the closing paragraph." in html
                if reader in MAY_READ[level]
                else "closing paragraph" not in html
            )


def test_social_tags_and_json_ld(world):
    articles, _, clients = world
    for level, article in articles.items():
        for reader in READERS:
            head = HeadParser()
            head.feed(clients[reader].get(article.url).content.decode())
            assert not visible(" ".join(head.head_text), level), (level, reader)
            (data,) = head.json_ld
            assert data["isAccessibleForFree"] == (level == "public")
            if level == "public":
                assert "hasPart" not in data
            else:
                assert data["hasPart"] == {
                    "@type": "WebPageElement",
                    "isAccessibleForFree": False,
                    "cssSelector": ".members-only",
                }


def test_feeds(world):
    articles, _, clients = world
    for url in ["/feeds/rss/", "/feeds/atom/"]:
        for reader in READERS:
            text = clients[reader].get(url).content.decode()
            for level, article in articles.items():
                assert article.title in text
                assert not visible(text, level), (url, level, reader)
    rss = clients["anonymous"].get("/feeds/rss/").content.decode()
    assert rss.count("<category>For members</category>") == 3


def test_api_list_and_detail(world):
    articles, _, clients = world
    for reader in READERS:
        listing = clients[reader].get("/api/articles/")
        assert listing.status_code == 200
        for level in LEVELS:
            assert not visible(listing.content.decode(), level)
        by_id = {item["id"]: item for item in listing.json()}
        for level, article in articles.items():
            expected = "all" if reader in MAY_READ[level] else "preview"
            assert by_id[article.pk]["visibility"] == expected, (level, reader)
            detail = clients[reader].get(f"/api/articles/{article.pk}/")
            assert detail.status_code == 200
            body = detail.json()["body_html"]
            assert f"The opening of the {level} piece" in body
            assert visible(body, level) == (reader in MAY_READ[level]), (level, reader)
            assert visible(detail.content.decode(), level) == (reader in MAY_READ[level])
            assert detail.json()["is_gated"] == (reader not in MAY_READ[level])


def test_search_results_and_snippets(world):
    articles, _, clients = world
    for level, article in articles.items():
        # The planted words themselves: a gated article must not even be found by them.
        query = re.search(r"The (\w+) lighthouse", planted(level)).group(1) + " herons"
        for reader in READERS:
            response = clients[reader].get("/search/", {"q": query})
            assert response.status_code == 200
            html = response.content.decode()
            found = article.title in html
            assert found == (reader in MAY_READ[level]), (level, reader)
            assert visible(html, level) == (reader in MAY_READ[level]), (level, reader)
        # Words from the free opening find the article for everyone, with a snippet from the preview only.
        for reader in READERS:
            html = (
                clients[reader].get("/search/", {"q": f"opening {level.split()[0]} piece"}).content.decode()
            )
            assert article.title in html, (level, reader)
            assert not visible(html, level) or reader in MAY_READ[level]


def test_sitemap(world):
    articles, _, clients = world
    for reader in READERS:
        text = clients[reader].get("/sitemap.xml").content.decode()
        for level, article in articles.items():
            assert article.url in text
            assert not visible(text, level)


def test_cached_body_is_never_served_to_another_kind_of_reader(world):
    articles, _, clients = world
    # Every reader twice, in two orders, so that each kind of reader's page is cached before another's read.
    for order in (READERS, list(reversed(READERS)), READERS):
        for level, article in articles.items():
            for reader in order:
                html = clients[reader].get(article.url).content.decode()
                assert visible(html, level) == (reader in MAY_READ[level]), (level, reader, order)
    # The cache was really used: the body fragments of non-staff readers are stored, one per access class.
    keys = [key for key in cache._cache if "masthead:article-body:" in key]  # locmem: inspect what is stored
    classes = {key.rsplit(":", 1)[1] for key in keys}
    assert {"anonymous", "member"} <= classes
    assert len([c for c in classes if c.startswith("tiers-")]) == 2


def test_email_rendering(world):
    articles, users, _ = world
    readers = {"anonymous": reader_for_user(None)} | {
        name: reader_for_user(user) for name, user in users.items()
    }
    for level, article in articles.items():
        for reader_name, reader in readers.items():
            email = render_article_email(article, reader)
            for text in (email.text, email.html):
                assert f"The opening of the {level} piece" in text
                assert visible(text, level) == (reader_name in MAY_READ[level]), (level, reader_name)
            assert ("Subscribe now to keep reading" in email.text) == (reader_name not in MAY_READ[level])


def test_newsletter_email(world):
    """The newsletter's own message (composed per access class, then personalised) holds what the gate allows."""
    articles, users, _ = world
    newsletter = NewsletterFactory()
    subscriptions = {
        name: NewsletterSubscriptionFactory(newsletter=newsletter, member=member_of(user))
        for name, user in users.items()
    }
    for level, article in articles.items():
        composer = ArticleComposer(newsletter=newsletter, article=article, subject=article.title)
        for reader_name, user in users.items():
            message = composer.message_for(
                reader=reader_for_user(user), email=user.email, subscription=subscriptions[reader_name]
            )
            for text in (message.body, message.alternatives[0][0]):
                assert f"The opening of the {level} piece" in text
                assert visible(text, level) == (reader_name in MAY_READ[level]), (level, reader_name)


# The discussion: a comment can quote gated text, so it goes exactly where the article's full text may.


def quoting(level: str) -> str:
    return f"Quoting the piece: {planted(level)}"


@pytest.fixture
def discussed(world):
    from masthead.discussion.factories import make_comment

    articles, users, clients = world
    comments = {}
    for level, article in articles.items():
        comments[level] = make_comment(article=article, body=quoting(level))
        make_comment(parent=comments[level], body=f"A reply on the {level} piece.")
    return articles, users, clients, comments


def test_discussion_in_every_channel(discussed):
    articles, _, clients, comments = discussed
    for order in (READERS, list(reversed(READERS))):  # each kind of reader's cached page before another's read
        for level, article in articles.items():
            comment = comments[level]
            for reader in order:
                client, may = clients[reader], reader in MAY_READ[level]
                channels = {
                    "article page": client.get(article.url),
                    "thread page": client.get(f"/discussion/{article.pk}/"),
                    "section fragment": client.get(
                        f"/discussion/{article.pk}/?fragment=section", HTTP_X_DISCUSSION="fetch"
                    ),
                    "items fragment": client.get(
                        f"/discussion/{article.pk}/?fragment=items", HTTP_X_DISCUSSION="fetch"
                    ),
                    "permalink": client.get(f"/discussion/comment/{comment.pk}/", follow=True),
                    "reply form": client.get(f"/discussion/comment/{comment.pk}/reply/?quote=1"),
                    "JSON API": client.get(f"/discussion/api/threads/{article.pk}"),
                }
                for channel, response in channels.items():
                    text = response.content.decode()
                    assert visible(text, level) == may, (channel, level, reader)
                    if channel != "reply form":  # the form shows the comment replied to, not its replies
                        assert (f"A reply on the {level} piece." in text) == may, (channel, level, reader)
                page = channels["article page"].content.decode()
                assert "2 comments. Subscribe to read and join the discussion." in page or may, (level, reader)
                if not may:
                    assert 'href="/members/sign-in/' in page or reader != "anonymous"
                    assert channels["JSON API"].status_code == 403
                    assert "Subscribe" in channels["JSON API"].json()["detail"]


def test_readers_who_may_not_read_the_article_cannot_post_or_vote(discussed, settings):
    from masthead.discussion.models import Comment, DiscussionSettings, WhoMayComment

    settings.MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE = 1000
    DiscussionSettings.objects.create(who_may_comment=WhoMayComment.EVERYONE, hold_guest_comments=False)
    articles, _, clients, comments = discussed
    for level, article in articles.items():
        for reader in READERS:
            client, may = clients[reader], reader in MAY_READ[level]
            before = Comment.objects.count()
            posted = client.post(
                f"/discussion/api/threads/{article.pk}/comments",
                {"body": f"Posted by {reader}.", "name": "Guest", "email": "guest@example.org"},
                content_type="application/json",
            )
            replied = client.post(
                f"/discussion/{article.pk}/post/",
                {"body": f"Replied by {reader}.", "parent_id": comments[level].pk, "name": "G",
                 "email": "g@example.org"},
            )
            voted = client.post(
                f"/discussion/api/comments/{comments[level].pk}/vote", {"value": 1}, content_type="application/json"
            )
            if may:
                assert posted.status_code == 201, (level, reader, posted.content)
                continue
            for response in (posted, replied, voted):
                assert response.status_code == 403, (level, reader, response.status_code)
                assert not visible(response.content.decode(), level)
            assert "Subscribe" in posted.json()["detail"]
            assert Comment.objects.count() == before
