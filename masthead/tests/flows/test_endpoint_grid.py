"""Every discussion and inline-feedback endpoint x every kind of hidden or gated article x every kind of reader.

A comment (and an inline comment on a passage after the preview cut) sits under an article that is a draft, was
unpublished, is view-restricted (login, shared password, a group on its section), or is a paid article read by
someone without a tier. Each endpoint of the `discussion` and `annotations` apps (HTML pages and form posts,
their `X-Discussion: fetch` variants, and both django-ninja APIs) is called as an anonymous reader, a free
member and the comment's own author. None may answer with the comments' text or the gated words, and none may
write a row: the answer is 403 or 404 (for a gated article, also a redirect to the article page, whose gate
explains what it needs).

The URL patterns are read from the resolver and the OpenAPI schemas, so a new endpoint fails
`test_every_endpoint_is_in_the_grid` until it has calls here (or a stated reason to be left out).
"""

import json
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from wagtail.models import PageViewRestriction

from masthead.annotations.api import api as annotations_api
from masthead.annotations.factories import make_inline_comment
from masthead.articles.factories import make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.discussion.api import api as discussion_api
from masthead.discussion.factories import allow_guests, make_comment
from masthead.membership.factories import MemberFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

SECRET = "The commenter saw the ledger on the fourth floor"
INLINE_SECRET = "This inline remark names the second auditor"
OPEN_WORDS = "The harbour board met on Tuesday evening."
GATED_WORDS = "The ledger showed nine hundred missing crates of copper wire."
PASSWORD = "harbour-lights"  # noqa: S105 - a test article's shared password

KINDS = ["draft", "unpublished", "login-restricted", "password-restricted", "group-restricted", "gated"]
READERS = ["anonymous", "free member", "author"]

# Endpoints with no article behind them for a reader to reach: the API's schema and docs, and the token links
# of e-mails (unsubscribing and confirming a guest's address), which act for whoever holds the mailed token and
# never show a comment.
NOT_IN_GRID = {
    "discussion:discussion_api:openapi-json": "the API's schema",
    "discussion:discussion_api:openapi-view": "the API's docs page",
    "discussion:discussion_api:api-root": "django-ninja's root, no operation",
    "annotations:annotations_api:openapi-json": "the API's schema",
    "annotations:annotations_api:openapi-view": "the API's docs page",
    "annotations:annotations_api:api-root": "django-ninja's root, no operation",
    "discussion:unsubscribe": "mailed token; removes a follow, shows no comment",
    "discussion:confirm_guest": "mailed token; confirms an address, shows no comment",
}
APIS = {"discussion:discussion_api": discussion_api, "annotations:annotations_api": annotations_api}


@dataclass
class Call:
    method: str
    url: str
    data: dict = field(default_factory=dict)
    style: str = "page"  # page (a plain browser request), fetch (the script's X-Discussion), json (the APIs)

    def send(self, client: Client):
        if self.style == "json":
            body = json.dumps(self.data) if self.data or self.method in ("POST", "PATCH") else ""
            return getattr(client, self.method.lower())(self.url, body, content_type="application/json")
        headers = {"X-Discussion": "fetch"} if self.style == "fetch" else {}
        return getattr(client, self.method.lower())(self.url, self.data, headers=headers)

    def __str__(self):
        return f"{self.method} {self.url} ({self.style})"


@dataclass
class World:
    kind: str
    article: ArticlePage
    comment_id: int
    anchor_id: int
    users: dict


def both(method: str, url: str, data: dict | None = None) -> list[Call]:
    """A plain request and the enhancement script's fetch of the same address."""
    return [Call(method, url, data or {}), Call(method, url, data or {}, "fetch")]


def _selection() -> dict:
    return {"block_id": "para-gated", "start": 0, "end": 10, "exact": GATED_WORDS[:10], "body": "My inline view."}


GUEST = {"name": "Curious Guest", "email": "guest@example.org"}

# The calls each endpoint gets, by its URL name; the APIs' names are their operations' function names.
GRID = {
    "discussion:thread": lambda w: [
        Call("GET", f"/discussion/{w.article.pk}/"),
        Call("GET", f"/discussion/{w.article.pk}/?fragment=items", style="fetch"),
        Call("GET", f"/discussion/{w.article.pk}/?fragment=section", style="fetch"),
    ],
    "discussion:sort": lambda w: both("GET", f"/discussion/{w.article.pk}/sort/newest/"),
    "discussion:post": lambda w: [
        *both("POST", f"/discussion/{w.article.pk}/post/", {"body": "A new remark.", **GUEST}),
        *both("POST", f"/discussion/{w.article.pk}/post/", {"body": "A reply.", "parent_id": w.comment_id, **GUEST}),
    ],
    "discussion:subscribe": lambda w: both("POST", f"/discussion/{w.article.pk}/subscribe/"),
    "discussion:permalink": lambda w: both("GET", f"/discussion/comment/{w.comment_id}/"),
    "discussion:vote": lambda w: both("POST", f"/discussion/comment/{w.comment_id}/vote/", {"value": "1"}),
    "discussion:reply": lambda w: [
        *both("GET", f"/discussion/comment/{w.comment_id}/reply/"),
        *both("GET", f"/discussion/comment/{w.comment_id}/reply/?quote=1"),
    ],
    "discussion:edit": lambda w: [
        *both("GET", f"/discussion/comment/{w.comment_id}/edit/"),
        *both("POST", f"/discussion/comment/{w.comment_id}/edit/", {"body": "Edited after all."}),
    ],
    "discussion:delete": lambda w: both("POST", f"/discussion/comment/{w.comment_id}/delete/"),
    "discussion:report": lambda w: [
        *both("GET", f"/discussion/comment/{w.comment_id}/report/"),
        *both("POST", f"/discussion/comment/{w.comment_id}/report/", {"reason": "spam"}),
    ],
    "discussion:discussion_api:get_thread": lambda w: [
        Call("GET", f"/discussion/api/threads/{w.article.pk}", style="json"),
    ],
    "discussion:discussion_api:post_comment": lambda w: [
        Call("POST", f"/discussion/api/threads/{w.article.pk}/comments", {"body": "A new remark.", **GUEST}, "json"),
        Call("POST", f"/discussion/api/threads/{w.article.pk}/comments",
             {"body": "A reply.", "parent_id": w.comment_id, **GUEST}, "json"),
    ],
    "discussion:discussion_api:vote": lambda w: [
        Call("POST", f"/discussion/api/comments/{w.comment_id}/vote", {"value": 1}, "json"),
    ],
    "discussion:discussion_api:edit": lambda w: [
        Call("PATCH", f"/discussion/api/comments/{w.comment_id}", {"body": "Edited after all."}, "json"),
    ],
    "discussion:discussion_api:delete": lambda w: [
        Call("DELETE", f"/discussion/api/comments/{w.comment_id}", style="json"),
    ],
    "discussion:discussion_api:report": lambda w: [
        Call("POST", f"/discussion/api/comments/{w.comment_id}/reports", {"reason": "spam"}, "json"),
    ],
    "discussion:discussion_api:export": lambda w: [
        Call("GET", f"/discussion/api/export?article_id={w.article.pk}", style="json"),
        Call("GET", "/discussion/api/export", style="json"),
    ],
    "discussion:discussion_api:import_comments": lambda w: [
        Call("POST", "/discussion/api/import", {"format": "masthead-comments", "version": 1, "threads": []}, "json"),
    ],
    "annotations:article": lambda w: [Call("GET", f"/articles/{w.article.pk}/")],
    "annotations:export": lambda w: [Call("GET", f"/articles/{w.article.pk}/annotations.jsonld")],
    "annotations:thread": lambda w: both("GET", f"/articles/{w.article.pk}/inline-feedback/"),
    "annotations:post": lambda w: both(
        "POST", f"/articles/{w.article.pk}/inline-feedback/post/", {**_selection(), **GUEST}
    ),
    "annotations:passage": lambda w: both("GET", f"/articles/{w.article.pk}/inline-feedback/passage/{w.anchor_id}/"),
    "annotations:annotations_api:post_inline_comment": lambda w: [
        Call("POST", f"/annotations/api/articles/{w.article.pk}/inline-comments", {**_selection(), **GUEST}, "json"),
    ],
    "annotations:annotations_api:passages": lambda w: [
        Call("GET", f"/annotations/api/articles/{w.article.pk}/passages", style="json"),
    ],
}


def _patterns(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield f"{namespace}:{pattern.name}", prefix + str(pattern.pattern)


def app_endpoints() -> dict[str, str]:
    """URL name -> route of every pattern the discussion and annotations apps serve."""
    return {
        name: route
        for name, route in _patterns(get_resolver().url_patterns)
        if name.split(":")[0] in ("discussion", "annotations")
    }


def test_every_endpoint_is_in_the_grid():
    endpoints = set(app_endpoints())
    assert endpoints - set(GRID) - set(NOT_IN_GRID) == set(), "endpoints with no row in the grid"
    assert set(GRID) - endpoints == set(), "grid rows for endpoints that no longer exist"
    assert set(NOT_IN_GRID) - endpoints == set()


def test_every_api_operation_is_called_with_its_method():
    world = World(kind="draft", article=ArticlePage(pk=1), comment_id=1, anchor_id=1, users={})
    called = {(call.method.lower(), call.url.split("?")[0]) for row in GRID.values() for call in row(world)}
    for api in APIS.values():
        for path, operations in api.get_openapi_schema()["paths"].items():
            concrete = path.replace("{article_id}", "1").replace("{comment_id}", "1")
            for method in operations:
                assert (method, concrete) in called, f"{method.upper()} {path} has no call in the grid"


def _body() -> list[dict]:
    return [
        paragraph(OPEN_WORDS) | {"id": "para-open"},
        {"type": "preview_cut", "value": None, "id": "cut"},
        paragraph(GATED_WORDS) | {"id": "para-gated"},
        paragraph("The board will meet again next month.") | {"id": "para-close"},
    ]


def hidden_article(kind: str, section) -> ArticlePage:
    """An article of the kind, holding the author's comment and an inline comment on the gated paragraph."""
    article = make_article(section=section, title="Harbour ledger", body=_body(), publish=False)
    if kind != "draft":
        article.access_level = AccessLevel.PAID if kind == "gated" else AccessLevel.PUBLIC
        article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def hide(kind: str, article: ArticlePage) -> None:
    if kind == "unpublished":
        article.unpublish()
    elif kind == "login-restricted":
        PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.LOGIN)
    elif kind == "password-restricted":
        PageViewRestriction.objects.create(
            page=article, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
        )
    elif kind == "group-restricted":  # on the section: an ancestor's restriction covers the article
        restriction = PageViewRestriction.objects.create(
            page=article.get_parent(), restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(Group.objects.create(name="Harbour insiders"))


@pytest.fixture
def world(request, section) -> World:
    kind = request.param
    allow_guests()  # so that a refusal comes from the article, not from the comment policy
    users = {"free member": MemberFactory().user, "author": MemberFactory().user}
    article = hidden_article(kind, section)
    comment = make_comment(article=article, author=users["author"], body=SECRET)
    anchor = make_inline_comment(article=article, words=GATED_WORDS, author=users["author"], body=INLINE_SECRET)
    hide(kind, article)
    cache.clear()
    return World(kind=kind, article=ArticlePage.objects.get(pk=article.pk), comment_id=comment.pk,
                 anchor_id=anchor.pk, users=users)


def snapshot() -> dict:
    """Every row of the discussion's and inline feedback's tables."""
    rows = {}
    for label in ("discussion", "annotations"):
        for model in apps.get_app_config(label).get_models():
            rows[model.__name__] = list(model.objects.order_by("pk").values())
    return rows


def client_for(reader: str, world: World) -> Client:
    client = Client()
    if reader != "anonymous":
        client.force_login(world.users[reader])
    return client


def fault(call: Call, response, world: World) -> str:
    """What is wrong with the answer, or "" when it refuses as it should."""
    text = response.content.decode(errors="replace")
    leaked = [words for words in (SECRET, INLINE_SECRET, GATED_WORDS) if words in text]
    if leaked:
        return f"answered {response.status_code} with {leaked}"
    if response.status_code in (403, 404):
        return ""
    location = response.headers.get("Location", "")
    to_the_gate = location.split("#")[0].split("?")[0] == world.article.url
    if world.kind == "gated" and response.status_code in (302, 303) and to_the_gate:
        return ""  # the article page itself, whose gate says what it needs
    return f"answered {response.status_code} {location}".strip()


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("world", KINDS, indirect=True)
def test_no_endpoint_reads_or_writes_a_hidden_or_gated_discussion(world, reader):
    faults = []
    for name, calls in GRID.items():
        for call in calls(world):
            client = client_for(reader, world)
            before = snapshot()
            with transaction.atomic():
                response = call.send(client)
                problem = fault(call, response, world)
                if snapshot() != before:
                    problem = f"{problem}; wrote rows".lstrip("; ")
                transaction.set_rollback(True)  # one row's write must not hide the next row's
            cache.clear()
            if problem:
                faults.append(f"{name}: {call}: {problem}")
    assert not faults, f"{world.kind} x {reader}:\n" + "\n".join(faults)



@pytest.mark.parametrize("world", ["gated"], indirect=True)
def test_a_paying_member_gets_what_the_grid_refuses_the_others(world):
    """The control: the same calls do answer with the text to a reader who may read the article, so the grid
    refuses because of the article, not because its calls are wrong."""
    world.users["subscriber"] = SubscriptionFactory().member.user
    client = client_for("subscriber", world)
    readers_calls = [
        *GRID["discussion:thread"](world), *GRID["discussion:reply"](world)[2:],  # with the quote
        *GRID["discussion:discussion_api:get_thread"](world), *GRID["annotations:passage"](world),
        *GRID["annotations:export"](world),
    ]
    for call in readers_calls:
        response = call.send(client)
        assert response.status_code == 200, call
        assert SECRET in response.content.decode() or INLINE_SECRET in response.content.decode(), call
    assert client.get(f"/annotations/api/articles/{world.article.pk}/passages").json()[0]["id"] == world.anchor_id
    voted = GRID["discussion:discussion_api:vote"](world)[0].send(client)
    assert voted.status_code == 200 and voted.json()["upvotes"] == 1
