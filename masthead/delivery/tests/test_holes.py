"""Each reader's own parts of shared HTML: their CSRF token, and the controls of their own comments."""

import re

import pytest
from django.middleware.csrf import CsrfViewMiddleware
from django.test import RequestFactory

from masthead.accounts.factories import UserFactory
from masthead.core.holes import CSRF_HOLE, split_at_holes
from masthead.delivery.holes import fill_csrf, holds_a_real_token, personalise
from masthead.discussion.viewer import ShownComment, ShownComments

pytestmark = pytest.mark.django_db


def _form(token) -> str:
    return f'<form><input type="hidden" name="csrfmiddlewaretoken" value="{token}"></form>'


def test_a_filled_hole_holds_a_token_djangos_own_check_accepts():
    factory = RequestFactory()
    page = factory.get("/")
    html = fill_csrf(split_at_holes(_form(CSRF_HOLE)), page)
    token = re.search(r'value="([^"]+)"', html).group(1)
    assert token != str(CSRF_HOLE)
    secret = page.META["CSRF_COOKIE"]  # what Django's middleware would set as the cookie

    post = factory.post("/", {"csrfmiddlewaretoken": token})
    post.COOKIES["csrftoken"] = secret
    middleware = CsrfViewMiddleware(lambda request: None)
    assert middleware.process_view(post, lambda request: None, (), {}) is None  # accepted

    forged = factory.post("/", {"csrfmiddlewaretoken": token[:-1] + ("a" if token[-1] != "a" else "b")})
    forged.COOKIES["csrftoken"] = secret
    assert middleware.process_view(forged, lambda request: None, (), {}).status_code == 403


def test_html_with_a_real_token_is_told_apart_from_html_with_holes():
    assert not holds_a_real_token(_form(CSRF_HOLE) + _form(CSRF_HOLE))
    assert holds_a_real_token(_form(CSRF_HOLE) + _form("a" * 64))
    assert not holds_a_real_token("<p>No forms at all.</p>")


def test_a_members_own_comment_gets_its_controls_and_anothers_does_not():
    from django.utils import timezone

    user = UserFactory()
    request = RequestFactory().get("/")
    request.user = user
    now = timezone.now()
    shown = ShownComments(
        thread_id=None, thread_stamp="", is_open=True, may_comment=True,
        comments={
            1: ShownComment(author_id=user.pk, status="approved", is_deleted=False, created_at=now,
                            upvotes=0, downvotes=0, score=0),
            2: ShownComment(author_id=user.pk + 1, status="approved", is_deleted=False, created_at=now,
                            upvotes=0, downvotes=0, score=0),
        },
    )
    shared = "<!--actions:1-->shared controls<!--/actions:1--> <!--actions:2-->shared controls<!--/actions:2-->"
    html = personalise(split_at_holes(shared), request, shown)
    own, other = html.split(" <!--actions:2-->", 1)
    other = "<!--actions:2-->" + other
    assert "shared controls" not in own and "Edit" in own
    assert other == "<!--actions:2-->shared controls<!--/actions:2-->"
