"""The WordPress export fixtures (shared/fixtures/wxr beside the checkout) and the tests' own small exports."""

from pathlib import Path

import pytest
from django.conf import settings

FIXTURES = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "wxr"
DATA = Path(__file__).parent / "data"
WELL_FORMED = sorted(path for path in FIXTURES.glob("*.xml") if path.name != "malformed.xml")


@pytest.fixture
def home(db):
    from masthead.articles.factories import site_home

    return site_home()
