"""An editor's work in the Wagtail admin: write, preview, publish, and the admin's refusals."""

from datetime import date

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from masthead.accounts.factories import StaffFactory
from masthead.articles.factories import AuthorFactory, SourceOutletFactory, TopicFactory
from masthead.articles.models import ArticlePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(StaffFactory())
    return client


def article_form(
    *, author, outlet=None, original_url="", topics=(), action="action-publish", author_row_id=None, **overrides
):
    author_row = {"author": author.pk, "id": author_row_id or ""}
    data = {
        "title": "Ports and their debts",
        "slug": "ports-and-their-debts",
        "standfirst": "Concessions hide liabilities.",
        "article_authors": inline_formset([author_row], min=1, initial=1 if author_row_id else 0),
        "body": streamfield(
            [
                ("section_heading", "The bargain"),
                ("paragraph", rich_text("<p>The authority borrowed to build the quay.</p>")),
                ("pull_quote", "The debt is off the books. The risk is not."),
            ]
        ),
        "language": "en",
        "first_published_at": "2019-11-14 08:00",
        "source_outlet": outlet.pk if outlet else "",
        "original_url": original_url,
        "original_published_at": "2019-11-11" if outlet else "",
        "republication_note": "Republished with permission." if outlet else "",
        "access_level": "public",
        "preview_paragraphs": "3",
    }
    data.update(overrides)
    form = nested_form_data(data)
    form["topics"] = [topic.pk for topic in topics]
    form[action] = "1"
    return form


def test_editor_publishes_a_republished_article(editor_client, section):
    author = AuthorFactory()
    outlet = SourceOutletFactory(name="Harbour Institute")
    topic = TopicFactory()
    response = editor_client.post(
        reverse("wagtailadmin_pages:add", args=("articles", "articlepage", section.pk)),
        article_form(
            author=author, outlet=outlet, original_url="https://harbour.example.org/ports", topics=[topic]
        ),
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    article = ArticlePage.objects.get(slug="ports-and-their-debts")
    assert article.live
    assert article.byline == [author]
    assert list(article.topics.all()) == [topic]
    assert article.first_published_at.year == 2019
    assert article.original_published_at == date(2019, 11, 11)
    assert [block.block_type for block in article.body] == ["section_heading", "paragraph", "pull_quote"]
    html = editor_client.get(article.url).content.decode()
    assert "View on Harbour Institute website" in html


@pytest.mark.parametrize("bad_url", ["javascript:alert(document.cookie)", "ftp://harbour.example.org/p.pdf"])
def test_admin_refuses_an_original_url_that_is_not_http(editor_client, section, bad_url):
    response = editor_client.post(
        reverse("wagtailadmin_pages:add", args=("articles", "articlepage", section.pk)),
        article_form(author=AuthorFactory(), outlet=SourceOutletFactory(), original_url=bad_url),
    )
    assert response.status_code == 200
    assert "Enter a web address that starts with http:// or https://." in response.content.decode()
    assert not ArticlePage.objects.filter(slug="ports-and-their-debts").exists()


def test_admin_refuses_a_source_outlet_without_original_url(editor_client, section):
    response = editor_client.post(
        reverse("wagtailadmin_pages:add", args=("articles", "articlepage", section.pk)),
        article_form(author=AuthorFactory(), outlet=SourceOutletFactory(), original_url=""),
    )
    assert response.status_code == 200
    assert "A republished piece needs the address of the original." in response.content.decode()
    assert not ArticlePage.objects.exists()


def test_editor_saves_a_draft_then_previews_it(editor_client, section):
    response = editor_client.post(
        reverse("wagtailadmin_pages:add", args=("articles", "articlepage", section.pk)),
        article_form(author=AuthorFactory(), action="action-save-draft"),
    )
    assert response.status_code == 302
    article = ArticlePage.objects.get(slug="ports-and-their-debts")
    assert not article.live
    assert editor_client.get(f"/{section.slug}/{article.slug}/").status_code == 404

    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(article.pk,))
    form = article_form(author=AuthorFactory(), action="action-save-draft", title="Ports, revised")
    assert editor_client.post(preview_url, form).json()["is_valid"] is True
    preview = editor_client.get(preview_url).content.decode()
    assert "Ports, revised" in preview
    assert "The debt is off the books. The risk is not." in preview


def test_editor_revises_a_published_article(editor_client, section):
    editor_client.post(
        reverse("wagtailadmin_pages:add", args=("articles", "articlepage", section.pk)),
        article_form(author=AuthorFactory()),
    )
    article = ArticlePage.objects.get(slug="ports-and-their-debts")
    response = editor_client.post(
        reverse("wagtailadmin_pages:edit", args=(article.pk,)),
        article_form(
            author=article.byline[0],
            author_row_id=article.article_authors.get().pk,
            standfirst="A sharper standfirst.",
        ),
    )
    assert response.status_code == 302
    assert "A sharper standfirst." in editor_client.get(article.url).content.decode()
    assert article.revisions.count() == 2


def test_admin_refuses_the_same_author_twice(editor_client, section):
    author = AuthorFactory()
    form = article_form(author=author)
    form.update(
        nested_form_data(
            {"article_authors": inline_formset([{"author": author.pk}, {"author": author.pk}], min=1)}
        )
    )
    response = editor_client.post(
        reverse("wagtailadmin_pages:add", args=("articles", "articlepage", section.pk)), form
    )
    assert response.status_code == 200
    assert "Please correct the duplicate" in response.content.decode()
    assert not ArticlePage.objects.exists()


def test_snippets_are_editable_in_the_admin(editor_client):
    for model in ["author", "sourceoutlet", "topic"]:
        assert editor_client.get(reverse(f"wagtailsnippets_articles_{model}:list")).status_code == 200
    response = editor_client.post(
        reverse("wagtailsnippets_articles_sourceoutlet:add"),
        {"name": "Bad Outlet", "slug": "bad-outlet", "homepage": "javascript:alert(1)"},
    )
    assert "Enter a web address that starts with http:// or https://." in response.content.decode()
