"""Discussion benchmark: masthead's thread (HTML page and JSON) and comment posting against Isso, in one run.

Both servers run on this machine under gunicorn with 2 workers. masthead uses PostgreSQL (database
`masthead_discussion`, dropped and recreated), production settings and the demo publication; each of two demo
articles is seeded with a thread of 1,000 and 10,000 comments (20% replies, 400 distinct commenters). Isso is
installed, seeded and loaded by the scripts in ../shared/peers/isso/ (its results are kept under
bench/results/isso/). Measured with wrk at concurrency 16 for 15 s: what a reader's page loads by default
(masthead: the article page with the first page of the thread, and the thread's first page as JSON; Isso: what
its embed script fetches, `nested_limit=5`) and POSTs of new comments. Results go to bench/results/discussion.md.

Every POST comes from 127.0.0.1 with the rate limit relaxed (never reached), so each post's rate-limit check counts
the address's comments of the last minute, all of them: the second size's POST run starts while some of the first
run's comments are still in that window and pays for them (run with --sizes 10000 1000 to see the order, not the
thread's size, make the difference).
"""

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.serving import (
    WRK_STATUS_SCRIPT,
    BenchError,
    free_port,
    machine_description,
    parse_wrk,
    prepare_site,
    run_wrk,
    site_environment,
    start_gunicorn,
    stop_gunicorn,
    wait_until_serving,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
RESULTS_FILE = RESULTS_DIR / "discussion.md"
ISSO_DIR = PROJECT_DIR.parent / "shared" / "peers" / "isso"
DATABASE = "masthead_discussion"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
SIZES = (1_000, 10_000)
REPLY_SHARE = 0.2
COMMENTERS = 400
WARM_UP_SECONDS = 2
TARGET_P99_MS = 100
TARGET_READ_RATIO = 20
TARGET_POST_RATIO = 3

WORDS = (
    "water pipes budget council reservoir tariff leak supply audit figure argument evidence policy cost price "
    "engineer town river drought meter report source claim point data trend year month plan fund repair"
).split()

# POST a new guest comment as JSON: random text, a fifth of them replies to a random comment of the thread.
POST_SCRIPT = WRK_STATUS_SCRIPT.replace(
    "function setup(thread) table.insert(threads, thread) end",
    """function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end""",
).replace(
    "function init(args) non2xx = 0 end",
    """function init(args)
  non2xx = 0
  -- Each wrk thread has its own Lua state: seed each differently, or they all post the same texts.
  math.randomseed(os.time() * 100 + tid)
end
local words = {__WORDS__}
local ids = {__IDS__}
function request()
  local parts = {}
  for i = 1, math.random(8, 60) do parts[i] = words[math.random(#words)] end
  local who = math.random(__COMMENTERS__)
  local body = '{"body":"' .. table.concat(parts, " ") .. ' ' .. math.random(1, 1000000000) .. '",'
    .. '"name":"Reader ' .. who .. '","email":"reader' .. who .. '@example.org"'
  if math.random() < __REPLY_SHARE__ then body = body .. ',"parent_id":' .. ids[math.random(#ids)] end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body .. "}")
end""",
)


def seed(article_slug: str, count: int) -> dict:
    """Run inside Django: give the demo article a thread of `count` comments; return its id and address."""
    import django

    django.setup()
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from masthead.accounts.models import User
    from masthead.articles.models import ArticlePage
    from masthead.discussion.markup import render_comment
    from masthead.discussion.models import Comment, CommentStatus, DiscussionSettings, Thread, WhoMayComment

    policy = DiscussionSettings.load()
    policy.who_may_comment = WhoMayComment.EVERYONE
    policy.hold_guest_comments = False
    policy.max_links = 10
    policy.save()
    rng = random.Random(count)
    User.objects.bulk_create(
        User(
            username=f"bench-{count}-{n}",
            email=f"bench-{count}-{n}@example.org",
            display_name=f"Commenter {n}",
        )
        for n in range(COMMENTERS)
    )
    users = list(User.objects.filter(username__startswith=f"bench-{count}-"))
    article = ArticlePage.objects.get(slug=article_slug)
    thread, _ = Thread.objects.get_or_create(page=article)
    start = timezone.now() - timedelta(days=30)
    comments: list[Comment] = []
    for number in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
        if rng.random() < 0.1:
            body = f"*{body}*"
        parent = rng.choice(comments) if comments and rng.random() < REPLY_SHARE else None
        comment = Comment(
            thread=thread,
            parent=parent,
            depth=parent.depth + 1 if parent else 1,
            author=users[number % COMMENTERS],
            body=body,
            body_html=render_comment(body),
            status=CommentStatus.APPROVED,
            created_at=start + timedelta(seconds=number * 60),
        )
        comment.save()  # one by one: a reply needs its parent's id, and its root
        comment.root_id = parent.root_id if parent else comment.pk
        Comment.objects.filter(pk=comment.pk).update(root_id=comment.root_id)
        comments.append(comment)
    Thread.objects.filter(pk=thread.pk).update(comment_count=count, version=F("version") + 1)
    return {"article_id": article.pk, "url_path": article.url, "comment_ids": [c.pk for c in comments[:2000]]}


def run_in_site(env: dict, code: str) -> str:
    finished = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=1800
    )
    if finished.returncode:
        raise BenchError(f"{code[:60]}… failed:\n{finished.stdout}{finished.stderr}")
    return finished.stdout


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def comment_count(env: dict, article_id: int) -> int:
    code = (
        "import django; django.setup(); from masthead.discussion.models import Comment; "
        f"print(Comment.objects.filter(thread__page_id={article_id}).count())"
    )
    return int(run_in_site(env, code).strip())


def demo_article_slugs(env: dict) -> list[str]:
    code = (
        "import django; django.setup(); from masthead.articles.models import ArticlePage; "
        "print(' '.join(ArticlePage.objects.live().filter(source_outlet__isnull=True, language='en')"
        ".order_by('pk').values_list('slug', flat=True)[:2]))"
    )
    return run_in_site(env, code).split()


def wrk(url: str, seconds: int, concurrency: int, script: Path, master_pid: int):
    command = [
        "wrk",
        "--latency",
        "-t2",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
    ]
    output, peak_rss = run_wrk(command, seconds, master_pid)
    result = parse_wrk(output)
    return result, peak_rss


def measure_masthead(args, var_dir: Path) -> dict:
    port = free_port()
    env = site_environment(var_dir, port)
    env.update(
        DATABASE_URL=f"{POSTGRES}/{DATABASE}",
        DATABASE_CONN_MAX_AGE="600",
        # Relaxed for the load, as Isso's are: every request comes from 127.0.0.1 and the same few names.
        MASTHEAD_DISCUSSION_RATE_LIMIT_PER_MINUTE="100000000",
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "masthead.settings"),
    )
    recreate_database()
    prepare_site(env)
    slugs = demo_article_slugs(env)
    if len(slugs) < len(args.sizes):
        raise BenchError("the demo publication has too few English articles to seed")
    threads = {}
    for size, slug in zip(args.sizes, slugs):
        print(f"Seeding {size:,} comments on {slug}", flush=True)
        seeded = run_in_site(
            env, f"import json; from bench.discussion import seed; print(json.dumps(seed({slug!r}, {size})))"
        )
        threads[size] = json.loads(seeded.strip().splitlines()[-1])
    status_script = var_dir / "status.lua"
    status_script.write_text(WRK_STATUS_SCRIPT)
    server = start_gunicorn(env, port, var_dir / "gunicorn.log")
    results = {}
    try:
        base = f"http://127.0.0.1:{port}"
        for size in args.sizes:
            thread = threads[size]
            page_url = base + thread["url_path"]
            json_url = f"{base}/discussion/api/threads/{thread['article_id']}"
            html = wait_until_serving(server, page_url)
            if "Load more comments" not in html:
                raise BenchError(f"{page_url} shows no thread with a next page")
            for name, url in (("page_html", page_url), ("thread_json", json_url)):
                run_wrk(
                    ["wrk", "-t2", "-c2", f"-d{WARM_UP_SECONDS}s", "-s", str(status_script), url],
                    WARM_UP_SECONDS,
                    server.pid,
                )
                print(
                    f"masthead {name} N={size:,}: {args.duration} s at concurrency {args.concurrency}",
                    flush=True,
                )
                results[(name, size)] = wrk(url, args.duration, args.concurrency, status_script, server.pid)
            post_script = var_dir / f"post-{size}.lua"
            post_script.write_text(
                POST_SCRIPT.replace("__WORDS__", ", ".join(f'"{word}"' for word in WORDS))
                .replace("__IDS__", ", ".join(str(pk) for pk in thread["comment_ids"]))
                .replace("__COMMENTERS__", str(COMMENTERS))
                .replace("__REPLY_SHARE__", str(REPLY_SHARE))
            )
            before = comment_count(env, thread["article_id"])
            post_url = f"{base}/discussion/api/threads/{thread['article_id']}/comments"
            print(
                f"masthead post N={size:,}: {args.duration} s at concurrency {args.concurrency}", flush=True
            )
            result, rss = wrk(post_url, args.duration, args.concurrency, post_script, server.pid)
            added = comment_count(env, thread["article_id"]) - before
            results[("post", size)] = (result, rss)
            results[("post_check", size)] = {
                "added": added,
                "non_2xx": result.non_2xx,
                "completed": _completed(result),
            }
    except BenchError:
        print((var_dir / "gunicorn.log").read_text()[-5000:], file=sys.stderr)
        raise
    finally:
        stop_gunicorn(server)
    return results


def _completed(result) -> int:
    import re

    match = re.search(r"(\d+) requests in", result.output)
    return int(match.group(1)) if match else 0


def measure_isso(args, run_dir: Path) -> dict:
    """Run the shared Isso scripts (install, seed, load); return {(workload, n): record} from their results."""
    setup = ISSO_DIR / "setup.sh"
    subprocess.run(["bash", str(setup), "install"], check=True, timeout=1800, capture_output=True)
    env = dict(
        os.environ,
        RES=str(run_dir.parent),
        TAG=run_dir.name,
        ONLY="get_embed post_new",
        NS=" ".join(str(size) for size in args.sizes),
        DUR=str(args.duration),
        CONC=str(args.concurrency),
    )
    print("Isso: ../shared/peers/isso/bench.sh (get_embed, post_new)", flush=True)
    finished = subprocess.run(
        ["bash", str(ISSO_DIR / "bench.sh")], env=env, timeout=7200, text=True, capture_output=True
    )
    (run_dir / "bench-output.txt").parent.mkdir(parents=True, exist_ok=True)
    (run_dir / "bench-output.txt").write_text(finished.stdout + finished.stderr)
    if finished.returncode:
        raise BenchError(f"Isso's bench.sh failed; see {run_dir / 'bench-output.txt'}")
    records = {}
    for line in (run_dir / "results.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record.get("kind") == "wrk":
            key = (record["name"], record["n"])
            records[key] = record
    return records


def isso_figure(isso: dict, name: str, size: int) -> dict | None:
    # A workload too slow for the short window was repeated over a long one; that one has the usable figures.
    return isso.get((f"{name}_long", size)) or isso.get((name, size))


def report(args, masthead: dict, isso: dict, machine: dict, command: str) -> str:
    lines = [
        "# Discussion benchmark: masthead against Isso",
        "",
        f"wrk, concurrency {args.concurrency}, {args.duration} s per workload, both servers under gunicorn with 2 "
        "workers on this machine in the same run. masthead: PostgreSQL, production settings, signed-out reader "
        "(the cached thread HTML/JSON path), guests posting through the JSON API. Isso 0.14.0: SQLite, rate "
        "limits relaxed, as set up by ../shared/peers/isso/. Threads of 1,000 and 10,000 comments, 20% replies, "
        "400 distinct commenters.",
        "",
        *(f"- {name}: {value}" for name, value in machine.items()),
        f"- Command: `{command}`",
        "",
        "| workload | N | requests/s | p50 ms | p99 ms | non-2xx | peak worker RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for size in args.sizes:
        for name, label in (
            ("page_html", "masthead: article page with first page of thread (HTML)"),
            ("thread_json", "masthead: first page of thread (JSON API)"),
            ("post", "masthead: POST new comment (JSON API)"),
        ):
            result, rss = masthead[(name, size)]
            lines.append(
                f"| {label} | {size:,} | {result.requests_per_second:.1f} | {result.p50_ms:.1f} | "
                f"{result.p99_ms:.1f} | {result.non_2xx} | {rss:.0f} |"
            )
        for name, label in (
            ("get_embed", "Isso: GET thread as embed.js does (nested_limit=5)"),
            ("post_new", "Isso: POST /new"),
        ):
            record = isso_figure(isso, name, size)
            if record:
                errors = record["err_status"] + record["err_timeout"]
                rss = (record.get("max_proc_rss_kb") or 0) / 1024
                window = " (long window)" if (f"{name}_long", size) in isso else ""
                lines.append(
                    f"| {label}{window} | {size:,} | {record['rps']:.2f} | {record['p50_ms']:.1f} | "
                    f"{record['p99_ms']:.1f} | {errors} | {rss:.0f} |"
                )
        check = masthead[("post_check", size)]
        lines.append("")
        embed, post = isso_figure(isso, "get_embed", size), isso_figure(isso, "post_new", size)
        html_rps = masthead[("page_html", size)][0].requests_per_second
        json_rps = masthead[("thread_json", size)][0].requests_per_second
        post_rps = masthead[("post", size)][0].requests_per_second
        p99 = max(masthead[("page_html", size)][0].p99_ms, masthead[("thread_json", size)][0].p99_ms)
        # Rows may exceed the responses wrk counted: requests still in flight when it stopped are completed
        # by the server. Only the opposite (an accepted comment with no row) is a loss.
        lost = max(0, check["completed"] - check["non_2xx"] - check["added"])
        verdicts.append(
            f"- N={size:,}: first page p99 {p99:.1f} ms (target < {TARGET_P99_MS} ms at 10,000: "
            f"{'met' if p99 < TARGET_P99_MS else 'not met'})."
        )
        if embed and embed["rps"]:
            verdicts.append(
                f"  Reads: HTML {html_rps / embed['rps']:,.0f}x and JSON {json_rps / embed['rps']:,.0f}x "
                f"Isso's embed fetch (target {TARGET_READ_RATIO}x: "
                f"{'met' if min(html_rps, json_rps) / embed['rps'] >= TARGET_READ_RATIO else 'not met'})."
            )
        if post and post["rps"]:
            verdicts.append(
                f"  Posts: {post_rps / post['rps']:.1f}x Isso's (target {TARGET_POST_RATIO}x: "
                f"{'met' if post_rps / post['rps'] >= TARGET_POST_RATIO else 'not met'})."
            )
        verdicts.append(
            f"  Nothing lost: {check['completed']:,} POSTs completed, {check['non_2xx']} refused, "
            f"{check['added']:,} rows added ({'none lost' if lost == 0 else f'{lost} LOST'}; rows beyond the "
            "completed count are requests in flight when wrk stopped)."
        )
    return "\n".join(
        [
            *lines,
            "",
            "Against the targets:",
            "",
            *verdicts,
            "",
            "Isso's raw results: bench/results/isso/.",
            "",
        ]
    )


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.discussion", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--skip-isso", action="store_true", help="measure masthead only (no ratios)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    command = shlex.join(["python", "-m", "bench.discussion", *argv])
    machine = machine_description()
    try:
        with tempfile.TemporaryDirectory(prefix="masthead-bench-discussion-") as var_dir:
            masthead = measure_masthead(args, Path(var_dir))
        isso = {}
        if not args.skip_isso:
            run_dir = RESULTS_DIR / "isso" / time.strftime("run-%Y%m%dT%H%M%SZ", time.gmtime())
            isso = measure_isso(args, run_dir)
    except BenchError as error:
        print(f"bench.discussion: {error}", file=sys.stderr)
        return 1
    text = report(args, masthead, isso, machine, command)
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(text)
    print(f"Written to {RESULTS_FILE.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
