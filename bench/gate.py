"""Gate benchmark: the article page for a signed-in member vs an anonymous reader, requests/s side by side.

One run serves the demo publication with gunicorn (production settings, a fresh SQLite database in a temporary
folder) and measures, with wrk, the demo article nearest 1,500 words in two states: public, and members-only
(where the anonymous reader gets the preview and the gate). Each state is measured for both readers, in
alternation, so that both see the same machine. Only 127.0.0.1 is contacted. Results go to
bench/results/gate.md. The server-side pieces (gunicorn, wrk, parsing) are bench.serving's.
"""

import argparse
import re
import shlex
import signal
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.serving import (
    PROJECT_DIR,
    WARM_UP_SECONDS,
    WORKERS,
    WRK_STATUS_SCRIPT,
    BenchError,
    closest_demo_article,
    free_port,
    machine_description,
    manage,
    parse_wrk,
    prepare_site,
    run_wrk,
    served_word_count,
    site_environment,
    start_gunicorn,
    stop_gunicorn,
    wait_until_serving,
    workers_cpu_seconds,
    wrk_command,
)

RESULTS_FILE = Path(__file__).resolve().parent / "results" / "gate.md"
# Targets (issue 11): a signed-in member's cached page serves at least 60% of the anonymous reader's requests/s,
# and the gate alone (the same member, members-only against public) costs under 5%.
MEMBER_SHARE_TARGET = 0.60
GATE_ALONE_TARGET = 0.05

# Run in `manage.py shell`: set the article's access level, create a member and a signed-in session for them.
SETUP_SCRIPT = """
from masthead.accounts.factories import signed_in_session_key
from masthead.accounts.models import User
from masthead.articles.models import ArticlePage
from masthead.membership.models import Member

article = ArticlePage.objects.get(slug={slug!r})
article.access_level = {level!r}
article.save_revision().publish()
user, _ = User.objects.get_or_create(username="bench-member", defaults={{"email": "bench@example.org"}})
Member.objects.get_or_create(user=user)
print(signed_in_session_key(user))
"""


# Run in `manage.py shell`: CPU time per request in one process (Django's test client, no server, no wrk). CPU
# time rather than wall time, so that other work on a busy machine does not blur the comparison.
CPU_SCRIPT = """
import time
from django.test import Client
clients = {{"anonymous": Client(HTTP_HOST="127.0.0.1"), "member": Client(HTTP_HOST="127.0.0.1")}}
clients["member"].cookies["sessionid"] = {session_key!r}
for client in clients.values():
    for _ in range(5):
        assert client.get({url_path!r}).status_code == 200
spent = {{"anonymous": 0.0, "member": 0.0}}
for _ in range({requests}):
    for reader, client in clients.items():
        start = time.process_time()
        client.get({url_path!r})
        spent[reader] += time.process_time() - start
for reader, seconds in spent.items():
    print(reader, seconds / {requests} * 1000)
"""


def cpu_per_request(env, url_path: str, session_key: str, requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request for each reader, measured in-process in alternation."""
    output = manage(
        {**env, "ALLOWED_HOSTS": "127.0.0.1"},
        "shell",
        "-c",
        CPU_SCRIPT.format(session_key=session_key, url_path=url_path, requests=requests),
        what="the in-process measurement",
    )
    lines = [line.split() for line in output.splitlines() if line.startswith(("anonymous ", "member "))]
    return {reader: float(value) for reader, value in lines}


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.gate", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds of measured load per series (default 10)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="open connections (default 16)")
    # Four rounds: the difference measured is a few percent, about what one 10 s series varies here.
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per state (default 4)")
    parser.add_argument("--quick", action="store_true", help="3 s series, one round: a smoke run")
    parser.add_argument(
        "--redis",
        metavar="URL",
        default="",
        help="serve with REDIS_URL set to this (emptied first): caches in Redis and sessions cached_db, as a "
        "site with Redis runs; results go to bench/results/gate-redis.md",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds = 3, 1
    if args.duration < 1 or args.rounds < 1 or args.concurrency < 2:
        parser.error("--duration and --rounds must be at least 1, --concurrency at least 2")
    return args


def set_access_level(env, slug: str, level: str) -> str:
    """Make the article `level` and return a fresh session key of a signed-in free member."""
    output = manage(
        env, "shell", "-c", SETUP_SCRIPT.format(slug=slug, level=level), what=f"setting up the {level} article"
    )
    return output.strip().splitlines()[-1]


def fetch_as_member(url: str, session_key: str) -> tuple[str, str]:
    """The page as the member first sees it, and the cookies a browser would send from then on: the session and
    the CSRF cookie that the page's forms set (without it every request would make a new CSRF secret)."""
    import urllib.request
    from http.cookies import SimpleCookie

    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session_key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        html = response.read().decode()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    sent = {"sessionid": session_key}
    if "csrftoken" in cookies:
        sent["csrftoken"] = cookies["csrftoken"].value
    return html, "; ".join(f"{name}={value}" for name, value in sent.items())


def measure(url, seconds, concurrency, script, master_pid, cookie=None):
    """wrk's result, with the server's CPU time per request (the workers' CPU over the series / its requests)."""
    command = wrk_command(url, seconds, concurrency, script)
    if cookie:
        command[-1:-1] = ["-H", f"Cookie: {cookie}"]
    cpu_before = workers_cpu_seconds(master_pid)
    output, _ = run_wrk(command, seconds, master_pid)
    cpu_spent = workers_cpu_seconds(master_pid) - cpu_before
    result = parse_wrk(output)
    if result.non_2xx or result.socket_errors:
        raise BenchError(
            f"{result.non_2xx} non-2xx responses, {result.socket_errors} socket errors:\n{output}"
        )
    completed = int(re.search(r"^\s*(\d+) requests in", output, re.MULTILINE).group(1))
    result.server_cpu_ms = cpu_spent / completed * 1000 if completed else float("nan")
    return result


def benchmark(args, var_dir: Path, command: str) -> str:
    machine = machine_description()
    url_path, _ = closest_demo_article()
    slug = url_path.strip("/").split("/")[-1]
    port = free_port()
    url = f"http://127.0.0.1:{port}{url_path}"
    env = site_environment(var_dir, port)
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()
        env["REDIS_URL"] = args.redis
    prepare_site(env)
    script = var_dir / "count_non_2xx.lua"
    script.write_text(WRK_STATUS_SCRIPT)
    rows = []
    for level in ("public", "members"):
        session_key = set_access_level(env, slug, level)
        cpu = cpu_per_request(env, url_path, session_key, requests=200 if not args.quick else 30)
        print(f"{level} article, CPU per request in-process: {cpu['anonymous']:.2f} ms anonymous, "
              f"{cpu['member']:.2f} ms member", flush=True)
        server = start_gunicorn(env, port, var_dir / f"gunicorn-{level}.log")
        try:
            anonymous_html = wait_until_serving(server, url)
            member_html, cookie = fetch_as_member(url, session_key)
            words = {"anonymous": served_word_count(anonymous_html), "member": served_word_count(member_html)}
            gated = "Subscribe now to keep reading" in anonymous_html
            if level == "members" and not gated:
                raise BenchError("the anonymous reader was not gated on the members-only article")
            if "Subscribe now to keep reading" in member_html:
                raise BenchError("the signed-in member was gated")
            print(
                f"{level} article: {words['anonymous']} words served to anonymous, "
                f"{words['member']} to the member"
            )
            for reader in ("anonymous", "member"):  # warm both up before measuring either
                measure(
                    url,
                    WARM_UP_SECONDS,
                    args.concurrency,
                    script,
                    server.pid,
                    cookie if reader == "member" else None,
                )
            results = {"anonymous": [], "member": []}
            for round_number in range(args.rounds):
                for reader in ("anonymous", "member") if round_number % 2 == 0 else ("member", "anonymous"):
                    result = measure(
                        url,
                        args.duration,
                        args.concurrency,
                        script,
                        server.pid,
                        cookie if reader == "member" else None,
                    )
                    results[reader].append(result)
                    print(
                        f"  round {round_number + 1}, {reader}: {result.requests_per_second:.1f} requests/s, "
                        f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                        f"server CPU {result.server_cpu_ms:.2f} ms/request",
                        flush=True,
                    )
        except BenchError:
            print(f"gunicorn's log:\n{(var_dir / f'gunicorn-{level}.log').read_text()}", file=sys.stderr)
            raise
        finally:
            stop_gunicorn(server)
        for reader in ("anonymous", "member"):
            series = results[reader]
            rows.append(
                {
                    "level": level,
                    "reader": reader,
                    "words": words[reader],
                    "rps": sum(r.requests_per_second for r in series) / len(series),
                    "p50": sum(r.p50_ms for r in series) / len(series),
                    "p99": max(r.p99_ms for r in series),
                    "server_cpu_ms": sum(r.server_cpu_ms for r in series) / len(series),
                    "cpu_ms": cpu[reader],
                }
            )
    return report(rows, machine=machine, url_path=url_path, command=command, args=args)


def report(rows, *, machine, url_path, command, args) -> str:
    lines = [
        "# Gate benchmark: signed-in member vs anonymous reader",
        "",
        (
            f"GET `{url_path}` (the demo article nearest 1,500 words), gunicorn with {WORKERS} workers, "
            "production settings, a fresh SQLite database"
            + (f", REDIS_URL={args.redis} (caches in Redis, sessions `cached_db`); " if args.redis else "; ")
            + f"wrk `-c{args.concurrency}`, {args.rounds} alternating series of {args.duration} s per reader "
            f"after a {WARM_UP_SECONDS} s warm-up each. The member is a free member with a "
            f"{'cached_db' if args.redis else 'database'} session "
            "who sends back the cookies a browser keeps (the session and the CSRF cookie set by the page's "
            "forms); the article page cache (MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS) is at its default."
        ),
        "",
        *(f"- {name}: {value}" for name, value in machine.items()),
        f"- Command: `{command}`",
        "",
        (
            "Columns: requests/s and latency as wrk saw them; **server CPU** is the gunicorn workers' user + "
            "system CPU time over the measured series divided by the requests served (the whole cost of a "
            "request in the server, under load); **Django CPU** is the same page fetched in one process through "
            "Django's test client with nothing else running (no HTTP server, no wrk)."
        ),
        "",
        (
            "| article | reader | body words served | requests/s | p50 ms | p99 ms (worst series) "
            "| server CPU ms/request | Django CPU ms/request |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['level']} | {row['reader']} | {row['words']:,} | {row['rps']:.1f} "
            f"| {row['p50']:.1f} | {row['p99']:.1f} | {row['server_cpu_ms']:.2f} | {row['cpu_ms']:.2f} |"
        )
    lines.append("")
    for level in ("public", "members"):
        anonymous = next(row for row in rows if row["level"] == level and row["reader"] == "anonymous")
        member = next(row for row in rows if row["level"] == level and row["reader"] == "member")
        cost = 1 - member["rps"] / anonymous["rps"]
        server_cost = member["server_cpu_ms"] / anonymous["server_cpu_ms"] - 1
        django_extra = member["cpu_ms"] - anonymous["cpu_ms"]
        lines.append(
            f"- {level} article: the member's page serves {member['rps']:.1f} requests/s against "
            f"{anonymous['rps']:.1f} for the anonymous reader ({cost:.1%} fewer); server CPU per request "
            f"{member['server_cpu_ms']:.2f} ms against {anonymous['server_cpu_ms']:.2f} ms ({server_cost:+.1%}). "
            f"The member gets {1 - cost:.1%} of the anonymous reader's requests/s: target "
            f"{MEMBER_SHARE_TARGET:.0%} or more **{'met' if 1 - cost >= MEMBER_SHARE_TARGET else 'NOT met'}**. "
            f"Django alone spends {django_extra:.2f} ms more on the member ({member['cpu_ms']:.2f} against "
            f"{anonymous['cpu_ms']:.2f} ms)."
        )
    full_text = next(row for row in rows if row["level"] == "public" and row["reader"] == "anonymous")
    let_in = next(row for row in rows if row["level"] == "members" and row["reader"] == "member")
    lines.append(
        f"- The same text through the gate and without one: the member let into the members-only article "
        f"({let_in['words']:,} words) against the anonymous reader of the public article ({full_text['words']:,} "
        f"words): {let_in['rps']:.1f} against {full_text['rps']:.1f} requests/s "
        f"({1 - let_in['rps'] / full_text['rps']:.1%} fewer), server CPU {let_in['server_cpu_ms']:.2f} against "
        f"{full_text['server_cpu_ms']:.2f} ms ({let_in['server_cpu_ms'] / full_text['server_cpu_ms'] - 1:+.1%}). "
        "(On the members-only article itself the anonymous reader gets only the preview, a much smaller page.)"
    )
    public_member = next(row for row in rows if row["level"] == "public" and row["reader"] == "member")
    gate_alone = 1 - let_in["rps"] / public_member["rps"]
    lines.append(
        f"- The gate alone, for the same signed-in member and the same text: the members-only article against the "
        f"public one, {let_in['rps']:.1f} against {public_member['rps']:.1f} requests/s "
        f"({gate_alone:.1%} fewer; target under {GATE_ALONE_TARGET:.0%} "
        f"**{'met' if gate_alone < GATE_ALONE_TARGET else 'NOT met'}**), server CPU {let_in['server_cpu_ms']:.2f} "
        f"against {public_member['server_cpu_ms']:.2f} ms "
        f"({let_in['server_cpu_ms'] / public_member['server_cpu_ms'] - 1:+.1%})."
    )
    lines += [
        "",
        (
            "Load average above about 1 on this 2-core machine makes the wrk figures vary from series to series "
            "(compare the rounds printed during the run). What a member's cached page costs beyond an anonymous "
            "reader's, in Django alone: Django's own sign-in (the session row and the account, two queries), "
            "their tiers from this process's memory under the membership stamp, their own votes in the thread, "
            "and the CSRF token that the discussion's forms carry for members (django.middleware.csrf.get_token); "
            "the anonymous reader on this article gets no forms (the demo lets members only comment)."
        ),
    ]
    lines += ["", f"Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.", ""]
    return "\n".join(lines)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        with tempfile.TemporaryDirectory(prefix="masthead-bench-gate-") as var_dir:
            text = benchmark(args, Path(var_dir), shlex.join(["python", "-m", "bench.gate", *argv]))
    except BenchError as error:
        print(f"bench.gate: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench.gate: interrupted; gunicorn stopped, nothing recorded", file=sys.stderr)
        return 130
    print(text)
    results_file = RESULTS_FILE.with_name("gate-redis.md") if args.redis else RESULTS_FILE
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(text)
    print(f"Written to {results_file.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
