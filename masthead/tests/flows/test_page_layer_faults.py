"""Faults of the page layer found by a review: every change made by Wagtail's admin, or behind Django's signals,
is seen by the next request, and an editor's unsaved preview never reaches a reader."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from masthead.accounts.factories import StaffFactory, UserFactory
from masthead.accounts.models import User
from masthead.articles.factories import AuthorFactory, make_article, paragraph
from masthead.articles.models import AccessLevel, ArticlePage
from masthead.membership.factories import ComplimentaryAccessFactory, MemberFactory, SubscriptionFactory
from masthead.membership.models import ComplimentaryAccess, Tier

pytestmark = pytest.mark.django_db

GATED = "Only paying members read this sentence about the harbour dues."


@pytest.fixture(autouse=True)
def _caches_on(settings):
    settings.MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS = 60
    settings.MASTHEAD_ARTICLE_CACHE_SECONDS = 300
    cache.clear()


@pytest.fixture
def paid_piece(section):
    article = make_article(
        section=section,
        title="Harbour dues",
        body=[paragraph("Free opening."), paragraph("Second."), paragraph(GATED), paragraph("Last.")],
        publish=False,
    )
    article.access_level = AccessLevel.PAID
    article.preview_paragraphs = 2
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reads_whole(client, article) -> bool:
    response = client.get(article.url)
    assert response.status_code == 200
    return GATED in response.content.decode()


def test_a_paying_member_marked_inactive_in_the_admin_stops_reading_at_once(paid_piece):
    admin = signed_in(StaffFactory())  # first: making an account would itself refresh what is kept
    member_user = SubscriptionFactory().member.user
    reader = signed_in(member_user)
    assert reads_whole(reader, paid_piece) and reads_whole(reader, paid_piece)  # rendered, then from the cache

    url = reverse("wagtail_bulk_action", args=("accounts", "user", "set_active_state"))
    response = admin.post(f"{url}?id={member_user.pk}", {"mark_as_active": "False"})
    assert response.status_code == 302
    assert not User.objects.get(pk=member_user.pk).is_active

    assert not reads_whole(reader, paid_piece)
    html = reader.get(paid_piece.url).content.decode()
    assert "Your account" not in html  # signed out, as Django's own check does for an inactive user


def test_a_paying_member_deleted_with_a_queryset_is_signed_out(paid_piece):
    member_user = SubscriptionFactory().member.user
    reader = signed_in(member_user)
    assert reads_whole(reader, paid_piece) and reads_whole(reader, paid_piece)
    User.objects.filter(pk=member_user.pk).delete()
    assert not reads_whole(reader, paid_piece)
    assert "Your account" not in reader.get(paid_piece.url).content.decode()


def test_a_password_changed_with_a_queryset_signs_the_member_out(paid_piece):
    member_user = SubscriptionFactory().member.user
    reader = signed_in(member_user)
    assert reads_whole(reader, paid_piece) and reads_whole(reader, paid_piece)
    changed = UserFactory.build(password="another long passphrase entirely").password
    User.objects.filter(pk=member_user.pk).update(password=changed)
    assert not reads_whole(reader, paid_piece)
    assert "Your account" not in reader.get(paid_piece.url).content.decode()


def test_complimentary_access_removed_in_the_admin_takes_the_tier_away_at_once(paid_piece):
    admin = signed_in(StaffFactory())
    member = MemberFactory()
    access = ComplimentaryAccessFactory(member=member)
    reader = signed_in(member.user)
    assert reads_whole(reader, paid_piece) and reads_whole(reader, paid_piece)

    response = admin.post(reverse("wagtailsnippets_membership_complimentaryaccess:delete", args=(access.pk,)))
    assert response.status_code == 302
    assert not ComplimentaryAccess.objects.filter(pk=access.pk).exists()
    assert not reads_whole(reader, paid_piece)


def test_a_tier_with_subscribers_is_refused_deletion_in_the_admin_without_an_error(paid_piece):
    admin = signed_in(StaffFactory())
    subscription = SubscriptionFactory()
    reader = signed_in(subscription.member.user)
    assert reads_whole(reader, paid_piece)
    response = admin.post(reverse("wagtailsnippets_membership_tier:delete", args=(subscription.tier.pk,)))
    assert response.status_code in (200, 302)
    assert Tier.objects.filter(pk=subscription.tier.pk).exists()
    assert reads_whole(reader, paid_piece)


def _editor_in_editors_group() -> User:
    editor = UserFactory(username="desk-editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    assert not editor.is_staff and editor.has_perm("wagtailadmin.access_admin")
    return editor


def _edit_form(article, *, sentence: str) -> dict:
    author = article.byline[0] if article.byline else AuthorFactory()
    rows = [{"author": author.pk, "id": credit.pk} for credit in article.article_authors.all()]
    data = {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "article_authors": inline_formset(rows, min=1, initial=len(rows)),
        "body": streamfield([("paragraph", rich_text(f"<p>{sentence}</p>")), ("paragraph", rich_text("<p>x</p>"))]),
        "language": article.language,
        "first_published_at": article.first_published_at.strftime("%Y-%m-%d %H:%M"),
        "source_outlet": "",
        "original_url": "",
        "original_published_at": "",
        "republication_note": "",
        "access_level": "public",
        "preview_paragraphs": "3",
    }
    form = nested_form_data(data)
    form["topics"] = []
    return form


@pytest.mark.parametrize("sort", ["", "?sort=newest"])
def test_an_editors_unsaved_preview_never_reaches_a_member(section, sort):
    article = make_article(section=section, title="Quay works", body=[paragraph("The published sentence.")])
    article = ArticlePage.objects.get(pk=article.pk)
    free_member = signed_in(MemberFactory().user)
    assert "The published sentence." in free_member.get(article.url + sort).content.decode()
    cache.clear()  # the body cache empty, so that the preview would be the first to fill it

    editor = signed_in(_editor_in_editors_group())
    assert editor.get(reverse("wagtailadmin_pages:edit", args=(article.pk,))).status_code == 200
    unsaved = "An unsaved sentence the editor is still weighing."
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(article.pk,))
    assert editor.post(preview_url, _edit_form(article, sentence=unsaved)).json()["is_valid"] is True
    assert unsaved in editor.get(preview_url).content.decode()

    for client in (free_member, Client(), signed_in(SubscriptionFactory().member.user)):
        html = client.get(article.url + sort).content.decode()
        assert unsaved not in html
        assert "The published sentence." in html


def test_an_editor_in_the_editors_group_is_never_served_a_cached_page_nor_fills_one(section):
    article = make_article(section=section, title="Quay works", body=[paragraph("The published sentence.")])
    editor = signed_in(_editor_in_editors_group())
    html = editor.get(article.url).content.decode()
    assert "The published sentence." in html
    reader = Client()
    reader_html = reader.get(article.url).content.decode()
    # The page an editor gets carries their admin bar; a reader's never does.
    assert "/admin/pages/" in html and "/admin/pages/" not in reader_html
    assert "/admin/pages/" in editor.get(article.url).content.decode()
