"""Fixtures for the inline-feedback tests: an article with a few paragraphs, members, an empty cache."""

import pytest

from masthead.accounts.factories import UserFactory
from masthead.articles.factories import make_article, paragraph

FIRST = "The reservoir fell to a third of its capacity in August, the lowest level since records began."
SECOND = "Engineers blamed the leaking aqueduct, which loses a fifth of the water it carries."
THIRD = "The council promised repairs by spring, but the contract has not yet been signed."


def body_of(*paragraphs) -> list[dict]:
    """A heading and paragraphs. Block ids stay with their paragraph, as Wagtail's editor keeps them: a known
    paragraph keeps its id, a new one gets a new id, and (id, text) gives an edited paragraph its old id."""
    known = {FIRST: "para-1", SECOND: "para-2", THIRD: "para-3"}
    blocks = [{"type": "section_heading", "value": "Where the water goes", "id": "heading-1"}]
    for number, item in enumerate(paragraphs, start=1):
        block_id, text = item if isinstance(item, tuple) else (known.get(item, f"new-{number}"), item)
        blocks.append({**paragraph(text), "id": block_id})
    return blocks


@pytest.fixture
def article(section):
    return make_article(section=section, title="The dry reservoir", body=body_of(FIRST, SECOND, THIRD))


@pytest.fixture
def member(db):
    return UserFactory(display_name="Ada Member")


@pytest.fixture(autouse=True)
def _empty_cache():
    # Thread and body caches are keyed by ids that repeat from one test to the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def republish(django_capture_on_commit_callbacks):
    """Publish new paragraphs under the same heading, as an editor would; the re-anchoring task runs on commit."""
    from masthead.articles.models import ArticlePage

    def publish(article, *paragraphs, heading="Where the water goes"):
        article = ArticlePage.objects.get(pk=article.pk)
        body = body_of(*paragraphs)
        body[0]["value"] = heading
        article.body = body
        with django_capture_on_commit_callbacks(execute=True):
            article.save_revision().publish()
        return ArticlePage.objects.get(pk=article.pk)

    return publish
