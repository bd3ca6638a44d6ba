"""Article-page benchmark: anonymous GETs of a ~1,500-word demo article served by gunicorn, measured with wrk.

The site runs with production settings (DEBUG off, collected static files, 2 gunicorn workers) against a fresh
SQLite database in a temporary folder, so the developer's var/ is never touched. Only 127.0.0.1 is contacted.
Results are printed and written to bench/results/article_page.md.
"""

import argparse
import shlex
import signal
import sys
import tempfile
from pathlib import Path

from bench.serving import (
    PROJECT_DIR,
    WARM_UP_SECONDS,
    WORKERS,
    WRK_STATUS_SCRIPT,
    WRK_THREADS,
    BenchError,
    WrkResult,
    closest_demo_article,
    free_port,
    machine_description,
    parse_wrk,
    prepare_site,
    run_wrk,
    served_word_count,
    site_environment,
    start_gunicorn,
    stop_gunicorn,
    wait_until_serving,
    wrk_command,
)

RESULTS_FILE = Path(__file__).resolve().parent / "results" / "article_page.md"
TARGET_REQUESTS_PER_SECOND = 400
QUICK_SECONDS = 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.article_page", description=__doc__.splitlines()[0])
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--duration", type=int, default=15, help="seconds of measured load (default 15)")
    length.add_argument("--quick", action="store_true", help=f"a {QUICK_SECONDS} s smoke run")
    parser.add_argument("--concurrency", type=int, default=16, help="open connections (default 16)")
    parser.add_argument("--url-path", help="page to measure (default: the demo article nearest 1,500 words)")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = QUICK_SECONDS
    if args.duration < 1 or args.concurrency < WRK_THREADS:
        parser.error(f"--duration must be at least 1 and --concurrency at least {WRK_THREADS}")
    if args.url_path is not None and not args.url_path.startswith("/"):
        parser.error("--url-path must start with /")
    return args


def report(
    result: WrkResult,
    peak_rss: float,
    *,
    machine: dict[str, str],
    url_path: str,
    words: int,
    command: str,
    load_command: str,
) -> str:
    met = result.requests_per_second >= TARGET_REQUESTS_PER_SECOND
    lines = [
        "# Article page benchmark",
        "",
        f"Anonymous GET of `{url_path}` ({words:,} words in the served article body), gunicorn with "
        f"{WORKERS} workers, production settings, a fresh SQLite database, {WARM_UP_SECONDS} s of warm-up.",
        "",
        *(f"- {name}: {value}" for name, value in machine.items()),
        f"- Command: `{command}`",
        f"- Load: `{load_command}`",
        "",
        "| requests/s | p50 ms | p99 ms | non-2xx | timeouts (> 2 s) | peak worker RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {result.requests_per_second:.1f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} | {result.non_2xx} "
        f"| {result.timeouts} | {peak_rss:.1f} |",
        "",
        *(
            ["wrk leaves timed-out requests out of its latency figures, so p99 is an underestimate.", ""]
            if result.timeouts
            else []
        ),
        f"Target: at least {TARGET_REQUESTS_PER_SECOND} requests/s uncached on this 2-core machine: "
        f"**{'met' if met else 'not met'}** ({result.requests_per_second:.1f} requests/s).",
        "",
        "Raw wrk output:",
        "",
        "```",
        result.output.rstrip(),
        "```",
        "",
    ]
    return "\n".join(lines)


def benchmark(args: argparse.Namespace, var_dir: Path, command: str) -> None:
    machine = machine_description()
    url_path, demo_words = (args.url_path, None) if args.url_path else closest_demo_article()
    port = free_port()
    url = f"http://127.0.0.1:{port}{url_path}"
    env = site_environment(var_dir, port)
    prepare_site(env)
    script = var_dir / "count_non_2xx.lua"
    script.write_text(WRK_STATUS_SCRIPT)
    log_path = var_dir / "gunicorn.log"
    server = start_gunicorn(env, port, log_path)
    try:
        words = served_word_count(wait_until_serving(server, url))
        in_demo_file = f", {demo_words:,} in the demo file" if demo_words else ""
        print(f"Serving {url} (GET 200, {words:,} words served{in_demo_file})", flush=True)
        print(f"Warming up for {WARM_UP_SECONDS} s", flush=True)
        warm_up = wrk_command(url, WARM_UP_SECONDS, args.concurrency, script)
        run_wrk(warm_up, WARM_UP_SECONDS, server.pid)
        print(f"Measuring for {args.duration} s at concurrency {args.concurrency}", flush=True)
        measure = wrk_command(url, args.duration, args.concurrency, script)
        output, peak_rss = run_wrk(measure, args.duration, server.pid)
    except BenchError:
        print(f"gunicorn's log:\n{log_path.read_text()}", file=sys.stderr)
        raise
    finally:
        stop_gunicorn(server)

    result = parse_wrk(output)
    print(output)
    # A slow response is a result worth recording; a refused or broken connection is not.
    connection_errors = result.socket_errors - result.timeouts
    if result.non_2xx or connection_errors:
        raise BenchError(
            f"{result.non_2xx} non-2xx responses, {connection_errors} connection errors; not recorded"
        )
    print(f"requests/s: {result.requests_per_second:.1f}")
    print(f"p50: {result.p50_ms:.1f} ms, p99: {result.p99_ms:.1f} ms")
    print(f"non-2xx responses: {result.non_2xx}, timeouts (> 2 s): {result.timeouts}")
    print(f"peak worker RSS: {peak_rss:.1f} MiB")
    met = result.requests_per_second >= TARGET_REQUESTS_PER_SECOND
    print(f"target {TARGET_REQUESTS_PER_SECOND} requests/s: {'met' if met else 'NOT met'}")
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(
        report(
            result,
            peak_rss,
            machine=machine,
            url_path=url_path,
            words=words,
            command=command,
            load_command=shlex.join(wrk_command(url, args.duration, args.concurrency, Path(script.name))),
        )
    )
    print(f"Written to {RESULTS_FILE.relative_to(PROJECT_DIR)}")


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    # Turn a polite kill into an exception, so that gunicorn is stopped on the way out.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        with tempfile.TemporaryDirectory(prefix="masthead-bench-") as var_dir:
            benchmark(args, Path(var_dir), shlex.join(["python", "-m", "bench.article_page", *argv]))
    except BenchError as error:
        print(f"bench.article_page: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench.article_page: interrupted; gunicorn stopped, nothing recorded", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
