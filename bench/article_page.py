"""Article-page benchmark: anonymous GETs of a ~1,500-word demo article, with the page caches on and off.

One run serves the demo publication (production settings, a fresh SQLite database in a temporary folder) from
two gunicorns side by side: one as shipped, with the article page and body caches at their defaults, and one
with both set to 0, so that every request renders the page. wrk measures them in alternating rounds, so that
both see the same machine. Only 127.0.0.1 is contacted. Results are printed and written to
bench/results/article_page.md; the server-side pieces are bench.serving's.
"""

import argparse
import os
import re
import shlex
import signal
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
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

RESULTS_FILE = Path(__file__).resolve().parent / "results" / "article_page.md"
QUICK_SECONDS = 3
CACHE_SETTINGS = ("MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS", "MASTHEAD_ARTICLE_CACHE_SECONDS")


@dataclass
class Configuration:
    name: str
    description: str
    cache_environment: dict[str, str]  # empty: the settings' own defaults
    settings_seen: str = ""  # the cache settings as Django read them from this configuration's environment
    rounds: list[WrkResult] = field(default_factory=list)
    server_cpu_ms: list[float] = field(default_factory=list)  # per round
    peak_rss: list[float] = field(default_factory=list)  # MiB, per round

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(result, attribute) for result in self.rounds)


def configurations() -> list[Configuration]:
    return [
        Configuration("cached", "as shipped: the article page and body caches at their defaults", {}),
        Configuration(
            "uncached",
            "a cold render: both caches off (`0`) in gunicorn's environment; every other cache as shipped",
            dict.fromkeys(CACHE_SETTINGS, "0"),
        ),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.article_page", description=__doc__.splitlines()[0])
    length = parser.add_mutually_exclusive_group()
    length.add_argument(
        "--duration", type=int, default=10, help="seconds of measured load per series (default 10)"
    )
    length.add_argument("--quick", action="store_true", help=f"{QUICK_SECONDS} s series: a smoke run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds per configuration (default 3)"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="open connections (default 16)")
    parser.add_argument("--url-path", help="page to measure (default: the demo article nearest 1,500 words)")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = QUICK_SECONDS
    if args.duration < 1 or args.rounds < 1 or args.concurrency < WRK_THREADS:
        parser.error(f"--duration and --rounds must be at least 1, --concurrency at least {WRK_THREADS}")
    if args.url_path is not None and not args.url_path.startswith("/"):
        parser.error("--url-path must start with /")
    return args


def environment_for(site_env: dict[str, str], configuration: Configuration) -> dict[str, str]:
    """The site's environment with this configuration's cache settings; the developer's own never leak in."""
    env = {name: value for name, value in site_env.items() if name not in CACHE_SETTINGS}
    return {**env, **configuration.cache_environment}


def cache_settings_seen(env: dict[str, str]) -> str:
    """The cache settings as Django reads them from env: proof that the configuration reached the settings."""
    code = "from django.conf import settings; " + "; ".join(
        f"print('{name} =', settings.{name})" for name in CACHE_SETTINGS
    )
    output = manage(env, "shell", "-c", code, what="reading the cache settings")
    return ", ".join(line.strip() for line in output.splitlines() if line.startswith(CACHE_SETTINGS))


def measure(url: str, seconds: int, concurrency: int, script: Path, master_pid: int):
    """wrk's result for one series, the peak worker RSS (MiB) and the workers' CPU per request served (ms)."""
    cpu_before = workers_cpu_seconds(master_pid)
    output, peak_rss = run_wrk(wrk_command(url, seconds, concurrency, script), seconds, master_pid)
    cpu_spent = workers_cpu_seconds(master_pid) - cpu_before
    result = parse_wrk(output)
    completed = int(re.search(r"^\s*(\d+) requests in", output, re.MULTILINE).group(1))
    return result, peak_rss, (cpu_spent / completed * 1000 if completed else float("nan"))


def benchmark(args: argparse.Namespace, var_dir: Path, command: str) -> tuple[str, list[Configuration]]:
    machine = machine_description()
    url_path, demo_words = (args.url_path, None) if args.url_path else closest_demo_article()
    ports = [free_port()]
    while len(ports) < 2:  # the first probe's port is free again once probed, so it may come back
        port = free_port()
        if port not in ports:
            ports.append(port)
    # Both servers get the first port's base URL, so that they serve byte-for-byte the same page.
    site_env = site_environment(var_dir, ports[0])
    prepare_site(site_env)
    script = var_dir / "count_non_2xx.lua"
    script.write_text(WRK_STATUS_SCRIPT)
    configs = configurations()
    urls, servers, logs = {}, {}, {}
    try:
        for config, port in zip(configs, ports, strict=True):
            env = environment_for(site_env, config)
            config.settings_seen = cache_settings_seen(env)
            urls[config.name] = f"http://127.0.0.1:{port}{url_path}"
            logs[config.name] = var_dir / f"gunicorn-{config.name}.log"
            servers[config.name] = start_gunicorn(env, port, logs[config.name])
        words = {}
        for config in configs:
            words[config.name] = served_word_count(
                wait_until_serving(servers[config.name], urls[config.name])
            )
            print(f"{config.name}: serving {urls[config.name]} ({config.settings_seen})", flush=True)
        if len(set(words.values())) != 1:
            raise BenchError(f"the two servers served different article bodies (words: {words})")
        in_demo_file = f", {demo_words:,} in the demo file" if demo_words else ""
        print(f"GET 200, {words['cached']:,} words served{in_demo_file}", flush=True)
        for config in configs:  # warm both up before measuring either
            print(f"Warming up {config.name} for {WARM_UP_SECONDS} s", flush=True)
            measure(urls[config.name], WARM_UP_SECONDS, args.concurrency, script, servers[config.name].pid)
        print(
            f"{args.rounds} round(s) of {args.duration} s per configuration at concurrency {args.concurrency}"
        )
        for round_number in range(args.rounds):
            # Alternate who goes first, so that neither always follows the other's load.
            for config in configs if round_number % 2 == 0 else configs[::-1]:
                result, peak_rss, cpu_ms = measure(
                    urls[config.name], args.duration, args.concurrency, script, servers[config.name].pid
                )
                config.rounds.append(result)
                config.peak_rss.append(peak_rss)
                config.server_cpu_ms.append(cpu_ms)
                print(
                    f"  round {round_number + 1}, {config.name}: "
                    f"{result.requests_per_second:.1f} requests/s, "
                    f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, non-2xx {result.non_2xx}, "
                    f"timeouts {result.timeouts}, "
                    f"server CPU {cpu_ms:.2f} ms/request, peak worker RSS {peak_rss:.1f} MiB",
                    flush=True,
                )
    except BenchError:
        for name, log in logs.items():
            if log.exists():
                print(f"gunicorn's log ({name}):\n{log.read_text()}", file=sys.stderr)
        raise
    finally:
        for server in servers.values():
            stop_gunicorn(server)
    # Beside the load before the run: a run that the machine's other work disturbed shows in either.
    before = "Load average before the run (1, 5, 15 min)"
    load_after = ", ".join(f"{load:.2f}" for load in os.getloadavg())
    machine = {
        **{name: value for name, value in machine.items() if name != before},
        before: machine[before],
        "Load average after the run (1, 5, 15 min)": load_after,
    }
    load_command = shlex.join(wrk_command(urls["cached"], args.duration, args.concurrency, Path(script.name)))
    text = report(
        configs,
        machine=machine,
        url_path=url_path,
        words=words["cached"],
        command=command,
        load_command=load_command,
        args=args,
    )
    return text, configs


def busy_warning(machine: dict[str, str]) -> str:
    """A warning for the report when other work kept the machine busy before the run; else ''."""
    load_before = float(machine["Load average before the run (1, 5, 15 min)"].split(",")[0])
    cpus = int(machine["CPUs (nproc)"])
    if load_before <= cpus / 2:
        return ""
    return (
        f"**The machine was busy** (load average {load_before:.2f} on {cpus} CPUs before the run): these "
        "figures say little about what the site serves on an idle one."
    )


def report(
    configs: list[Configuration],
    *,
    machine: dict[str, str],
    url_path: str,
    words: int,
    command: str,
    load_command: str,
    args: argparse.Namespace,
) -> str:
    cached, uncached = configs
    ratio = cached.median("requests_per_second") / uncached.median("requests_per_second")
    cpu_ratio = statistics.median(uncached.server_cpu_ms) / statistics.median(cached.server_cpu_ms)
    rounds = "1 round" if args.rounds == 1 else f"{args.rounds} rounds"
    lines = [
        "# Article page benchmark: cached and uncached",
        "",
        (
            f"Anonymous GET of `{url_path}` ({words:,} words in the served article body) from two gunicorns "
            f"side by side, {WORKERS} workers each, production settings, one fresh SQLite database, the "
            f"local-memory cache. After a {WARM_UP_SECONDS} s warm-up of each, {rounds} of {args.duration} s "
            "per configuration (alternating, the order flipped each round); figures are the median of the "
            "rounds."
        ),
        "",
        *(f"- **{config.name}**: {config.description} ({config.settings_seen})" for config in configs),
        "",
        *(f"- {name}: {value}" for name, value in machine.items()),
        f"- Command: `{command}`",
        f"- Load, per series (the second server on its own port): `{load_command}`",
        "",
        (
            "| configuration | requests/s | p50 ms | p99 ms | non-2xx | timeouts (> 2 s) "
            "| server CPU ms/request | peak worker RSS MiB |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for config in configs:
        lines.append(
            f"| {config.name} | {config.median('requests_per_second'):.1f} | {config.median('p50_ms'):.1f} "
            f"| {config.median('p99_ms'):.1f} | {sum(r.non_2xx for r in config.rounds)} "
            f"| {sum(r.timeouts for r in config.rounds)} | {statistics.median(config.server_cpu_ms):.2f} "
            f"| {max(config.peak_rss):.1f} |"
        )
    lines += [
        "",
        (
            f"Measured: the cached page served **{ratio:.1f} times** the requests/s of the uncached one "
            f"({cached.median('requests_per_second'):.1f} against "
            f"{uncached.median('requests_per_second'):.1f}); "
            f"an uncached request cost the server {cpu_ratio:.1f} times the CPU of a cached one."
        ),
        *(["", busy_warning(machine)] if busy_warning(machine) else []),
        "",
        (
            "Columns: requests/s, p50 and p99 are wrk's, the median over the rounds; non-2xx and timeouts "
            "are summed over the rounds; **server CPU** is the gunicorn workers' user + system CPU time "
            "over a series divided by the requests it served (less swayed by other load on the machine "
            "than requests/s); peak worker RSS is the largest worker's, the highest over the rounds. wrk "
            "leaves timed-out requests out of its latency figures. A load average near or above the CPU "
            "count makes the figures vary from round to round."
        ),
        "",
        (
            "| round | configuration | requests/s | p50 ms | p99 ms | non-2xx | timeouts (> 2 s) "
            "| server CPU ms/request | peak worker RSS MiB |"
        ),
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for index in range(args.rounds):
        for config in configs if index % 2 == 0 else configs[::-1]:
            result = config.rounds[index]
            lines.append(
                f"| {index + 1} | {config.name} | {result.requests_per_second:.1f} | {result.p50_ms:.1f} "
                f"| {result.p99_ms:.1f} | {result.non_2xx} | {result.timeouts} "
                f"| {config.server_cpu_ms[index]:.2f} "
                f"| {config.peak_rss[index]:.1f} |"
            )
    lines += ["", "Raw wrk output of each series:", ""]
    for index in range(args.rounds):
        for config in configs if index % 2 == 0 else configs[::-1]:
            lines += [
                f"Round {index + 1}, {config.name}:",
                "",
                "```",
                config.rounds[index].output.rstrip(),
                "```",
                "",
            ]
    return "\n".join(lines)


def print_summary(configs: list[Configuration]) -> None:
    for config in configs:
        print(
            f"{config.name}: {config.median('requests_per_second'):.1f} requests/s (median), "
            f"p50 {config.median('p50_ms'):.1f} ms, p99 {config.median('p99_ms'):.1f} ms, "
            f"non-2xx {sum(r.non_2xx for r in config.rounds)}, "
            f"timeouts (> 2 s) {sum(r.timeouts for r in config.rounds)}, "
            f"server CPU {statistics.median(config.server_cpu_ms):.2f} ms/request, "
            f"peak worker RSS {max(config.peak_rss):.1f} MiB"
        )
    cached, uncached = configs
    ratio = cached.median("requests_per_second") / uncached.median("requests_per_second")
    print(f"cached/uncached requests/s: {ratio:.2f}")


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    # Turn a polite kill into an exception, so that both gunicorns are stopped on the way out.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        with tempfile.TemporaryDirectory(prefix="masthead-bench-") as var_dir:
            text, configs = benchmark(
                args, Path(var_dir), shlex.join(["python", "-m", "bench.article_page", *argv])
            )
    except BenchError as error:
        print(f"bench.article_page: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench.article_page: interrupted; gunicorn stopped, nothing recorded", file=sys.stderr)
        return 130
    print_summary(configs)
    # A slow response is a result worth recording; an error answer or a broken connection is not.
    failed = [
        f"{config.name}: {sum(r.non_2xx for r in config.rounds)} non-2xx responses, "
        f"{sum(r.socket_errors - r.timeouts for r in config.rounds)} connection errors"
        for config in configs
        if any(r.non_2xx or r.socket_errors - r.timeouts for r in config.rounds)
    ]
    if failed:
        print(f"bench.article_page: {'; '.join(failed)}; not recorded", file=sys.stderr)
        return 1
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(text)
    print(f"Written to {RESULTS_FILE.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
