"""Browser-flow fixtures: Debian's Chromium under Playwright, and the demo publication on a live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPOSITORY_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser downloads are not available here; Debian's Chromium is. A missing browser must
    # fail the run loudly: a skipped browser suite looks like a passing one.
    if not CHROMIUM.is_file():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}, which is missing. "
            "Install it with `make chromium` (apt-get install chromium).",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where a run keeps what a person may want to look at afterwards (screenshots)."""
    folder = Path(os.environ.get("MASTHEAD_ARTIFACTS_DIR") or REPOSITORY_ROOT / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo_site(live_server, transactional_db) -> str:
    """The demo publication, committed so that the live server's thread sees it; returns the site's address.

    Request it before `page`, so the browser closes before the tables are emptied.
    """
    from masthead.articles.factories import restore_wagtail_roots
    from masthead.demo.loader import load_demo

    restore_wagtail_roots()
    load_demo()
    return live_server.url
