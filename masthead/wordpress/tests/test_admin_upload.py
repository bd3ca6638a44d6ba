"""Editors upload an export in the admin; a task imports it and the status page shows its progress and report."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from masthead.accounts.factories import UserFactory
from masthead.articles.models import ArticlePage
from masthead.wordpress.tests.conftest import DATA, FIXTURES
from masthead.wordpress.uploads import Upload, root


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def admin(db, client):
    user = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def upload(client, path, **fields):
    data = {"export": SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/xml"),
            "categories_as": "sections", **fields}
    return client.post("/admin/wordpress-import/", data)


def test_upload_imports_and_the_status_page_shows_the_report(home, client, admin, var_dir):
    assert "Import" in client.get("/admin/wordpress-import/").content.decode()
    response = upload(client, DATA / "wpdiscuz-site.xml")
    assert response.status_code == 302
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert ArticlePage.objects.count() == 3  # tests run tasks in-line
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="done"' in page and "3 articles" in page and "Posts and comments: 4 of 4" in page
    assert 'http-equiv="refresh"' not in page
    # The export (with its e-mail addresses) is gone once imported; the progress and report stay, outside media.
    assert not Upload(token).export_path.exists()
    assert json.loads(Upload(token).progress_path.read_text())["report"]["created"]["articles"] == 3
    assert Upload(token).folder.is_relative_to(root()) and root().is_relative_to(var_dir)


def test_a_malformed_upload_is_refused_on_the_status_page(home, client, admin, var_dir):
    response = upload(client, FIXTURES / "malformed.xml")
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="failed"' in page and "line 90, column 3" in page
    assert ArticlePage.objects.count() == 0


def test_dry_run_from_the_admin_writes_nothing(home, client, admin, var_dir):
    response = upload(client, DATA / "wpdiscuz-site.xml", dry_run="on")
    assert "Dry run: nothing was written" in client.get(response["Location"]).content.decode()
    assert ArticlePage.objects.count() == 0


def test_only_administrators_may_import(home, client, var_dir):
    editor = UserFactory(username="eda")  # an editor of the newsroom, not an administrator
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get("/admin/wordpress-import/").status_code in (302, 403)
    assert upload(client, DATA / "wpdiscuz-site.xml").status_code in (302, 403)
    assert ArticlePage.objects.count() == 0
    assert client.get("/admin/wordpress-import/" + "0" * 32 + "/").status_code in (302, 403)


def test_unknown_or_malformed_tokens_are_not_found(client, admin, var_dir):
    assert client.get("/admin/wordpress-import/" + "a" * 32 + "/").status_code == 404
    assert client.get("/admin/wordpress-import/..%2f..%2fetc/").status_code == 404
