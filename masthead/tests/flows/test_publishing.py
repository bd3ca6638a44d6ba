"""An editor in the Wagtail admin, in a real browser: publishing once leaves one live revision and no draft."""

import time

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, expect

from masthead.articles.models import ArticlePage

pytestmark = pytest.mark.browser


def moderators_group() -> Group:
    """Wagtail's Moderators group as its migrations make it: a transactional test before this one may have
    emptied the tables, so it is put back when missing (admin access; add, change and publish from the root)."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission, Page

    group, created = Group.objects.get_or_create(name="Moderators")
    if created:
        group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
        root = Page.get_first_root_node()
        for codename in ("add_page", "change_page", "publish_page"):
            GroupPagePermission.objects.create(
                group=group, page=root,
                permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
            )
    return group


@pytest.fixture
def editor_site(live_server, transactional_db):
    """An article and an editor who may publish (Wagtail's Moderators group, not a superuser), committed."""
    from masthead.accounts.factories import UserFactory, signed_in_session_key
    from masthead.articles.factories import make_article, make_section, restore_wagtail_roots

    restore_wagtail_roots()
    article = make_article(section=make_section(), title="Tide tables for the estuary")
    editor = UserFactory(username="edna", is_staff=False)
    editor.groups.add(moderators_group())
    return {"base": live_server.url, "article": article, "session": signed_in_session_key(editor)}


def test_publishing_once_leaves_one_live_revision_and_no_draft(editor_site, browser: Browser, artifacts_dir):
    # Issue 12: "Publishing once shows LIVE + DRAFT". Wagtail 8's editor autosaves (a JSON POST to the edit
    # view) half a second after its last check found changes, and that check keeps running after the form is
    # submitted: an editor who types and publishes at once sends an autosave while the publish is still being
    # handled, and when the server reads "latest revision" before the publish commits, the autosave becomes a
    # draft revision on top of the live one.
    article = editor_site["article"]
    revisions_before = set(article.revisions.values_list("pk", flat=True))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": editor_site["session"], "url": editor_site["base"]}]
    )
    page = context.new_page()
    edit_url = f"{editor_site['base']}/admin/pages/{article.pk}/edit/"
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)

    def slow_publish(route):
        # A publish here takes a second or more (signals, search rows, cache stamps); hold it 1.5 s so the race
        # shows on every run, not only on a loaded machine.
        if route.request.method == "POST" and route.request.headers.get("accept") != "application/json":
            time.sleep(1.5)
        route.continue_()

    page.route(edit_url, slow_publish)
    page.goto(edit_url)
    # Wagtail's unsaved-changes watcher takes its first snapshot of the form two seconds after loading.
    page.wait_for_timeout(2500)

    page.locator("#id_title").fill("Tide tables for the estuary, revised")
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("published")
    page.wait_for_timeout(2000)  # longer than the autosave's interval and debounce, so a late autosave shows
    page.screenshot(path=artifacts_dir / "admin-after-publish.png", full_page=True)

    edit_posts = [request for request in posts if request.url == edit_url]
    publish_at = next(index for index, request in enumerate(edit_posts) if request.headers.get("accept") != "application/json")
    autosaves_after_publish = [
        request for request in edit_posts[publish_at + 1 :] if request.headers.get("accept") == "application/json"
    ]
    assert autosaves_after_publish == []
    listing = page.locator("table.listing").filter(has_text="Tide tables for the estuary, revised")
    expect(listing).to_contain_text("live")
    expect(listing).not_to_contain_text("draft", ignore_case=True)
    context.close()

    article = ArticlePage.objects.get(pk=article.pk)
    new_revisions = article.revisions.exclude(pk__in=revisions_before)
    assert new_revisions.count() == 1
    assert article.live_revision_id == article.latest_revision_id == new_revisions.get().pk
    assert not article.has_unpublished_changes
