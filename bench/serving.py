"""The page benchmarks' shared parts: the demo site served by gunicorn on 127.0.0.1, loaded and read by wrk.

The site runs with production settings (DEBUG off, collected static files, 2 gunicorn workers) against a fresh
SQLite database in a folder the caller gives (a temporary one), so the developer's var/ is never touched.
"""

import contextlib
import html
import importlib.metadata
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
ARTICLES_DIR = PROJECT_DIR / "masthead" / "demo" / "content" / "articles"

TARGET_WORDS = 1_500
WORKERS = 2
WRK_THREADS = 2
WARM_UP_SECONDS = 2
RSS_POLL_SECONDS = 0.1
SETUP_TIMEOUT_SECONDS = 300
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15

# wrk's own "Non-2xx or 3xx" line lets redirects through; this counts every status outside 200-299.
WRK_STATUS_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("non2xx") end
  io.write(string.format("non-2xx responses: %d\\n", total))
end
"""


class BenchError(Exception):
    """The benchmark could not run, or ran and saw something that makes its figures meaningless."""


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int  # timeouts included
    timeouts: int
    output: str


def markup_word_count(body: str) -> int:
    """Words in a demo body, not counting link targets or the mark-up symbols (##, !!, >, |)."""
    body = re.sub(r"\]\([^)]*\)", "]", body)
    return sum(1 for token in body.split() if re.search(r"\w", token))


def closest_demo_article(target_words: int = TARGET_WORDS) -> tuple[str, int]:
    """The URL path and body word count of the demo article whose length is closest to target_words."""
    articles = []
    for path in sorted(ARTICLES_DIR.glob("*.toml")):
        with path.open("rb") as file:
            article = tomllib.load(file)
        articles.append((f"/{article['section']}/{article['slug']}/", markup_word_count(article["body"])))
    if not articles:
        raise BenchError(f"no demo articles in {ARTICLES_DIR}")
    return min(articles, key=lambda article: abs(article[1] - target_words))


class _ArticleBodyText(HTMLParser):
    """Collects the text inside <div class="article-body"> (nested divs included)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div" and (self.depth or ("class", "article-body") in attrs):
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def served_word_count(page_html: str) -> int:
    """Words a reader sees in the served article body (captions and the pull quote included)."""
    parser = _ArticleBodyText()
    parser.feed(page_html)
    return len(html.unescape(" ".join(parser.text)).split())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_environment(var_dir: Path, port: int) -> dict[str, str]:
    """The environment for manage.py and gunicorn: production settings, everything stored under var_dir."""
    env = dict(os.environ)
    # A developer's own database, cache, media folder or test switch must not leak into the run.
    for name in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "ALLOWED_HOSTS", "MASTHEAD_TESTING"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="masthead.settings",
        DEBUG="0",
        MASTHEAD_VAR_DIR=str(var_dir),
        MASTHEAD_BASE_URL=f"http://127.0.0.1:{port}",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(60),
    )
    return env


def manage(env: dict[str, str], *args: str, what: str) -> str:
    """Run a manage.py command against the benchmark's site: its output, or BenchError naming `what`."""
    finished = subprocess.run(
        [sys.executable, "manage.py", *args],
        check=False,
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_SECONDS,
    )
    if finished.returncode:
        raise BenchError(f"{what} failed:\n{finished.stdout}{finished.stderr}")
    return finished.stdout


def prepare_site(env: dict[str, str]) -> None:
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["load_demo"]):
        print(f"manage.py {' '.join(command)}", flush=True)
        manage(env, *command, "--verbosity", "0", what=f"manage.py {command[0]}")


def start_gunicorn(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    # A session of its own, so that stopping it reaches the master and every worker at once.
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "masthead.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={WORKERS}",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_gunicorn(server: subprocess.Popen) -> None:
    """Stop the master and its workers: politely first, then, if they linger, for certain."""
    for stop_signal in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, stop_signal)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=STOP_TIMEOUT_SECONDS)
            return


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def wait_until_serving(server: subprocess.Popen, url: str) -> str:
    """The page's HTML once gunicorn answers 200 for it; a BenchError if it exits or answers otherwise."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with status {server.returncode} before serving")
        try:
            status, body = fetch(url)
        # A read timeout: the first render of a cold worker on a busy machine can take longer than fetch waits.
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
            continue
        if status != 200:
            raise BenchError(f"GET {url} answered {status}, not 200")
        return body
    raise BenchError(f"gunicorn did not serve {url} within {START_TIMEOUT_SECONDS} s")


def worker_pids(master_pid: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    return pids


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def workers_cpu_seconds(master_pid: int) -> float:
    """User and system CPU time spent so far by the gunicorn workers under the master."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in worker_pids(master_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the whole line)
    return total / ticks


def wrk_command(url: str, seconds: int, concurrency: int, script: Path) -> list[str]:
    threads, connections, duration = f"-t{WRK_THREADS}", f"-c{concurrency}", f"-d{seconds}s"
    return ["wrk", "--latency", threads, connections, duration, "-s", str(script), url]


def run_wrk(command: list[str], seconds: int, master_pid: int) -> tuple[str, float]:
    """Run wrk to completion; return its output and the peak RSS of the largest gunicorn worker, in MiB."""
    peak_rss = 0.0
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + seconds + 30
        while wrk.poll() is None:
            if time.monotonic() > deadline:
                raise BenchError(f"wrk did not finish within {seconds + 30} s")
            peak_rss = max([peak_rss, *(rss_mib(pid) for pid in worker_pids(master_pid))])
            time.sleep(RSS_POLL_SECONDS)
        output = wrk.stdout.read()
    finally:
        if wrk.poll() is None:
            wrk.kill()
        wrk.wait()
        wrk.stdout.close()
    if wrk.returncode:
        raise BenchError(f"wrk exited with status {wrk.returncode}:\n{output}")
    if not peak_rss:
        raise BenchError(f"found no gunicorn workers under process {master_pid}")
    return output, peak_rss


def milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1_000, "m": 60_000}[unit]


def parse_wrk(output: str) -> WrkResult:
    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise BenchError(f"no {pattern!r} in wrk's output:\n{output}")
        return match

    # wrk prints this line only when there were errors; a timeout is a request slower than 2 s.
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    connect, read, write, timeouts = map(int, errors.groups()) if errors else (0, 0, 0, 0)
    return WrkResult(
        requests_per_second=float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        p50_ms=milliseconds(find(r"^\s+50%\s+(\S+)").group(1)),
        p99_ms=milliseconds(find(r"^\s+99%\s+(\S+)").group(1)),
        non_2xx=int(find(r"^non-2xx responses: (\d+)").group(1)),
        socket_errors=connect + read + write + timeouts,
        timeouts=timeouts,
        output=output,
    )


def machine_description() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    memory = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    try:
        # --dirty, so that figures measured on uncommitted code say so.
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=7", "--exclude=*"],
            check=False,
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        commit = ""
    return {
        "CPUs (nproc)": str(len(os.sched_getaffinity(0))),
        "CPU model": model.group(1).strip() if model else "unknown",
        "Memory": f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB" if memory else "unknown",
        # The figures are only comparable between runs on an otherwise idle machine.
        "Load average before the run (1, 5, 15 min)": ", ".join(f"{load:.2f}" for load in os.getloadavg()),
        "Date (UTC)": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "Git commit": commit or "unknown",
        "Python": platform.python_version(),
        "Django": importlib.metadata.version("django"),
        "Wagtail": importlib.metadata.version("wagtail"),
    }
