"""Fixtures shared by every app's tests."""

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded images and renditions go to a per-test folder, never into var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def section(db):
    from masthead.articles.factories import make_section

    return make_section()
