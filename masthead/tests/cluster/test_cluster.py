"""Tests against `make cluster` (deploy/cluster.sh): Varnish in front of two app nodes and two RQ workers, on
PostgreSQL and Redis. Run by `make test-cluster`, which starts the cluster first; skipped anywhere else.

Not here, on purpose: restarting PostgreSQL or Redis (this machine's servers are shared with other work; see
deploy/README.md), a worker killed mid-task, and the 10-minute soak.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

ROOT = Path(__file__).resolve().parents[3]
CLUSTER_DIR = ROOT / "var" / "cluster"
PORT = int(os.environ.get("CLUSTER_PORT", "8180"))
EDGE = f"http://127.0.0.1:{PORT}"

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not os.environ.get("MASTHEAD_CLUSTER"), reason="needs `make test-cluster`"),
    pytest.mark.skipif(not shutil.which("varnishd"), reason="Varnish is not installed (make varnish)"),
]


def cluster_env() -> dict:
    output = subprocess.run(
        ["bash", str(ROOT / "deploy" / "cluster.sh"), "env"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MASTHEAD_", "DJANGO_"))}
    for line in output.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    return env


def in_the_cluster(code: str) -> str:
    """Run Python in a process of the cluster (as an editor's action on a node would), return what it printed."""
    python = Path(os.environ.get("BIN", Path(sys.executable).parent)) / "python"
    result = subprocess.run(
        [str(python), "manage.py", "shell", "-c", code],
        capture_output=True, text=True, env=cluster_env(), cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def get(path: str, headers: dict | None = None, timeout: float = 10):
    request = Request(EDGE + path, headers={"Accept-Encoding": "identity", **(headers or {})})
    with urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
        return response.status, dict(response.headers), response.read().decode()


def seen_within(path: str, text: str, seconds: float) -> float | None:
    """Seconds until `text` shows at `path` through Varnish, or None when it did not within `seconds`."""
    start = time.monotonic()
    while True:
        if text in get(path)[2]:
            return time.monotonic() - start
        if time.monotonic() - start > seconds:
            return None
        time.sleep(0.05)


@pytest.fixture(scope="module")
def article():
    """The newest live article: its id, address and section's address (it is on the home page and in the feed)."""
    out = in_the_cluster(
        "from masthead.articles.models import ArticlePage\n"
        "a = ArticlePage.objects.live().public().order_by('-first_published_at').first()\n"
        "print(a.pk, a.url, a.get_parent().url)"
    )
    pk, url, section_url = out.split()[-3:]
    return {"pk": int(pk), "url": url, "section": section_url}


def test_anonymous_pages_are_served_from_varnish_and_a_session_passes(article):
    for path in (article["url"], "/", article["section"], "/feeds/rss/"):
        get(path)
        status, headers, _ = get(path)
        assert status == 200 and headers["X-Cache"] == "HIT", path
    for _ in range(2):
        _, headers, _ = get(article["url"], headers={"Cookie": "sessionid=not-a-real-session"})
        assert headers["X-Cache"] == "MISS"
        assert "no-store" in headers["Cache-Control"]


def test_a_change_on_one_node_is_seen_through_varnish_within_a_second(article):
    paths = [article["url"], "/", article["section"], "/feeds/rss/"]
    for path in paths:
        get(path)
        assert get(path)[1]["X-Cache"] == "HIT", path
    title = f"Harbour figures revised {uuid.uuid4().hex[:8]}"
    in_the_cluster(
        "from masthead.articles.models import ArticlePage\n"
        f"a = ArticlePage.objects.get(pk={article['pk']})\n"
        f"a.title = {title!r}\n"
        "a.save_revision().publish()"
    )
    delays = {path: seen_within(path, title, 1.0) for path in paths}
    assert all(delay is not None for delay in delays.values()), delays

    body = f"The tide tables were wrong {uuid.uuid4().hex[:8]}"
    get(article["url"])
    in_the_cluster(
        "from masthead.articles.models import ArticlePage\n"
        "from masthead.discussion.factories import make_comment\n"
        f"make_comment(article=ArticlePage.objects.get(pk={article['pk']}), body={body!r})"
    )
    assert seen_within(article["url"], body, 1.0) is not None


def test_an_app_node_killed_under_read_load_costs_no_more_than_the_requests_in_flight(article):
    results: list[tuple[float, int]] = []
    stop = threading.Event()
    counter = iter(range(10**9))

    def read():
        while not stop.is_set():
            n = next(counter)
            # Every other request misses (a new query string), so the nodes keep working.
            path = article["url"] if n % 2 else f"/?load={n}"
            try:
                status = get(path, timeout=15)[0]
            except HTTPError as error:
                status = error.code
            except (URLError, OSError):
                status = 0
            results.append((time.monotonic(), status))

    threads = [threading.Thread(target=read, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    pid = int((CLUSTER_DIR / "web1.pid").read_text())
    os.killpg(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join(timeout=20)

    after = [status for at, status in results if at > killed_at]
    errors = [status for _, status in results if status != 200]
    assert len(after) > 20, "the load went on after the kill"
    assert len(errors) <= len(threads), f"{len(errors)} errors: {errors[:10]}"

    subprocess.run(
        ["bash", str(ROOT / "deploy" / "cluster.sh"), "restart-node", "1"],
        check=True, cwd=ROOT, env={**os.environ, "BIN": os.environ.get("BIN", str(Path(sys.executable).parent))},
        timeout=120, capture_output=True,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        listing = subprocess.run(
            ["varnishadm", "-n", str(CLUSTER_DIR / "varnish"), "backend.list"], capture_output=True, text=True
        ).stdout
        if re.search(r"app1\s+\S+\s+\S+\s+healthy", listing):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"node 1 did not rejoin: {listing}")


def test_a_task_enqueued_on_a_node_is_run_by_an_rq_worker():
    out = in_the_cluster(
        "import time\n"
        "from masthead.articles.tasks import publish_due_pages\n"
        "result = publish_due_pages.enqueue()\n"
        "deadline = time.monotonic() + 30\n"
        "while not result.is_finished and time.monotonic() < deadline:\n"
        "    time.sleep(0.2); result.refresh()\n"
        "print(result.status, result.worker_ids)"
    )
    status, _, worker_ids = out.splitlines()[-1].partition(" ")
    assert status == "SUCCESSFUL", out  # the shell process runs no worker: one of the cluster's did
    assert worker_ids != "[]", out


def test_a_guest_comments_from_a_shared_page_with_the_token_it_fetches(article):
    in_the_cluster("from masthead.discussion.factories import allow_guests\nallow_guests()")
    get(article["url"])
    status, headers, html = get(article["url"])
    assert headers["X-Cache"] == "HIT"
    assert 'name="csrfmiddlewaretoken" value=""' in html  # the shared page carries no reader's token
    assert f'action="/discussion/{article["pk"]}/post/"' in html

    # What edge.js does: fetch the reader's token (it sets their CSRF cookie), then post the form.
    request = Request(EDGE + "/edge/csrf-token")
    with urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        token = json.loads(response.read())["token"]
        assert "no-store" in response.headers["Cache-Control"]
        cookie = response.headers["Set-Cookie"].split(";")[0]
    body = f"Measured at the quay this morning {uuid.uuid4().hex[:8]}"
    form = urlencode({"csrfmiddlewaretoken": token, "name": "Quay reader", "email": "quay@example.org", "body": body})
    post = Request(
        EDGE + f"/discussion/{article['pk']}/post/", data=form.encode(), method="POST",
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urlopen(post, timeout=15) as response:  # noqa: S310 - loopback; follows the redirect to the article
        assert response.status == 200
    assert seen_within(article["url"], body, 1.0) is not None
