"""The edge benchmark: one 200-comment article served five ways in one run, as ratios to nginx serving it as a file.

`python -m bench.edge` sets up the demo site (production settings, a fresh SQLite database in a temporary
folder), gives one article a thread of 200 comments (bench.discussion.seed), and serves that article page:

- **nginx**: the page's HTML, saved once, as a static file (Debian's nginx);
- **varnish**: through Varnish with deploy/varnish/masthead.vcl, in front of the cached app node;
- **app page cache**: the app node itself (2 gunicorn workers), its page cache on;
- **cold render**: a second app node with the article and page caches off (`MASTHEAD_ARTICLE_CACHE_SECONDS=0`,
  `MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS=0`), so that every request renders the page and its discussion;
- **ghost** (with `--ghost`): Ghost's post page from ../shared/peers/ghost/, set up by its script in the run.

wrk -t2 -c16 measures each in alternating rounds. Then the cold render is profiled in-process (cProfile: masthead's
own functions by cumulative time, then the 20 with the most time of their own). Results and the profile go to bench/results/edge.md.
Ports 8150-8159 on 127.0.0.1. Run it on an otherwise idle machine; `--quick` only proves that it works.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.discussion import run_in_site
from bench.serving import (
    PROJECT_DIR,
    WRK_STATUS_SCRIPT,
    BenchError,
    fetch,
    machine_description,
    parse_wrk,
    prepare_site,
    run_wrk,
    site_environment,
    start_gunicorn,
    stop_gunicorn,
    wait_until_serving,
    wrk_command,
)

RESULTS = PROJECT_DIR / "bench" / "results" / "edge.md"
PORTS = {"cached": 8151, "cold": 8152, "varnish": 8153, "varnish_admin": 8154, "nginx": 8155}
GHOST_DIR = PROJECT_DIR.parent / "shared" / "peers" / "ghost"
COMMENTS = 200
PROFILE_RENDERS = 20


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per series (default 10)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="3 s series, 1 round: proves the run works")
    parser.add_argument("--ghost", action="store_true", help="set up and measure Ghost (several minutes)")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds = 3, 1
    return args


def start_varnish(var_dir: Path) -> int:
    vcl = (PROJECT_DIR / "deploy" / "varnish" / "masthead.vcl").read_text()
    vcl = vcl.replace('.port = "8001"', f'.port = "{PORTS["cached"]}"').replace(
        '.port = "8002"', f'.port = "{PORTS["cached"]}"'
    )
    (var_dir / "masthead.vcl").write_text(vcl)
    pid_file = var_dir / "varnish.pid"
    subprocess.run(
        ["varnishd", "-j", "none", "-n", str(var_dir / "varnish"), "-a", f"127.0.0.1:{PORTS['varnish']}",
         "-T", f"127.0.0.1:{PORTS['varnish_admin']}", "-f", str(var_dir / "masthead.vcl"), "-s", "malloc,256m",
         "-P", str(pid_file)],
        check=True, capture_output=True, timeout=60,
    )
    return int(pid_file.read_text())


def start_nginx(var_dir: Path, html: str) -> int:
    root = var_dir / "nginx-root"
    root.mkdir()
    (root / "article.html").write_text(html)
    # nginx's workers run as an unprivileged user: they must reach the file through the temporary folder.
    var_dir.chmod(0o755)
    root.chmod(0o755)
    (root / "article.html").chmod(0o644)
    conf = var_dir / "nginx.conf"
    conf.write_text(
        f"worker_processes 2;\npid {var_dir}/nginx.pid;\nerror_log {var_dir}/nginx-error.log;\n"
        "events { worker_connections 1024; }\n"
        "http { access_log off; default_type text/html; sendfile on;\n"
        f"  server {{ listen 127.0.0.1:{PORTS['nginx']}; root {root}; }}\n}}\n"
    )
    subprocess.run(["nginx", "-c", str(conf), "-p", str(var_dir)], check=True, capture_output=True, timeout=30)
    time.sleep(0.3)
    return int((var_dir / "nginx.pid").read_text())


def stop_pid(pid: int) -> None:
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        pass


def ghost_url() -> tuple[str | None, str]:
    """Ghost's post address after its setup script, or None and why not."""
    if not (GHOST_DIR / "setup.sh").exists():
        return None, f"{GHOST_DIR} is missing"
    done = subprocess.run(["bash", str(GHOST_DIR / "setup.sh")], capture_output=True, text=True, timeout=1800)
    for line in done.stdout.splitlines():
        if line.startswith("POST_URL="):
            return line.removeprefix("POST_URL=").strip(), ""
    return None, f"its setup script did not finish (status {done.returncode}): {done.stderr[-300:]}"


def profile_cold_render(env: dict, url_path: str) -> str:
    code = f"""
import cProfile, io, pstats, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1:{PORTS['varnish']}")
assert client.get({url_path!r}).status_code == 200
profiler = cProfile.Profile()
profiler.enable()
for _ in range({PROFILE_RENDERS}):
    client.get({url_path!r})
profiler.disable()
out = io.StringIO()
stats = pstats.Stats(profiler, stream=out)
stats.sort_stats("cumulative").print_stats(r"masthead/", 25)
stats.sort_stats("tottime").print_stats(20)
print(out.getvalue())
"""
    return run_in_site(env, code)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk") or not shutil.which("varnishd") or not shutil.which("nginx"):
        print("needs wrk, varnishd and nginx (apt-get install wrk varnish nginx-light)", file=sys.stderr)
        return 2
    machine = machine_description()
    with tempfile.TemporaryDirectory(prefix="masthead-bench-edge-") as tmp:
        var_dir = Path(tmp)
        env = site_environment(var_dir, PORTS["varnish"])
        env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        prepare_site(env)
        slug = run_in_site(
            env,
            "import django; django.setup(); from masthead.articles.models import ArticlePage; "
            "print(ArticlePage.objects.live().filter(source_outlet__isnull=True, language='en')"
            ".order_by('pk').values_list('slug', flat=True).first())",
        ).strip()
        print(f"Seeding {COMMENTS} comments on {slug}", flush=True)
        seeded = run_in_site(env, f"import json; from bench.discussion import seed; print(json.dumps(seed({slug!r}, {COMMENTS})))")
        url_path = json.loads(seeded.strip().splitlines()[-1])["url_path"]
        cached_env = {**env, "MASTHEAD_VARNISH_URL": f"http://127.0.0.1:{PORTS['varnish']}"}
        cold_env = {**env, "MASTHEAD_ARTICLE_CACHE_SECONDS": "0", "MASTHEAD_ARTICLE_PAGE_CACHE_SECONDS": "0"}
        script = var_dir / "count_non_2xx.lua"
        script.write_text(WRK_STATUS_SCRIPT)
        servers, pids = {}, {}
        ghost_note = "not run (pass --ghost to set it up from ../shared/peers/ghost/ in the same run)"
        try:
            servers["cached"] = start_gunicorn(cached_env, PORTS["cached"], var_dir / "cached.log")
            servers["cold"] = start_gunicorn(cold_env, PORTS["cold"], var_dir / "cold.log")
            html = wait_until_serving(servers["cached"], f"http://127.0.0.1:{PORTS['cached']}{url_path}")
            wait_until_serving(servers["cold"], f"http://127.0.0.1:{PORTS['cold']}{url_path}")
            pids["varnish"] = start_varnish(var_dir)
            pids["nginx"] = start_nginx(var_dir, html)
            series = {
                "nginx (static file)": (f"http://127.0.0.1:{PORTS['nginx']}/article.html", pids["nginx"]),
                "varnish": (f"http://127.0.0.1:{PORTS['varnish']}{url_path}", pids["varnish"]),
                "app page cache": (f"http://127.0.0.1:{PORTS['cached']}{url_path}", servers["cached"].pid),
                "cold render": (f"http://127.0.0.1:{PORTS['cold']}{url_path}", servers["cold"].pid),
            }
            if args.ghost:
                url, why = ghost_url()
                if url:
                    found = subprocess.run(["pgrep", "-f", "ghost"], capture_output=True, text=True).stdout.split()
                    series["ghost"] = (url, int(found[0]))
                    ghost_note = f"set up by {GHOST_DIR}/setup.sh in this run"
                else:
                    ghost_note = f"could not be set up: {why}"
            for name, (url, _) in series.items():
                status, body = fetch(url)
                if status != 200:
                    raise BenchError(f"{name}: GET {url} answered {status}")
                print(f"{name}: {url} ({len(body):,} bytes)", flush=True)
            for name, (url, pid) in series.items():  # warm-up
                run_wrk(wrk_command(url, 2, args.concurrency, script), 2, pid)
            figures: dict[str, list] = {name: [] for name in series}
            for round_number in range(args.rounds):
                order = list(series) if round_number % 2 == 0 else list(series)[::-1]
                for name in order:
                    url, pid = series[name]
                    output, peak_rss = run_wrk(wrk_command(url, args.duration, args.concurrency, script), args.duration, pid)
                    result = parse_wrk(output)
                    # A timeout (a request slower than wrk's 2 s) is counted and reported; anything else is an error.
                    if result.non_2xx or result.socket_errors - result.timeouts:
                        raise BenchError(f"{name}: {result.non_2xx} non-2xx, {result.socket_errors} socket errors")
                    figures[name].append((result, peak_rss))
                    print(f"  round {round_number + 1}, {name}: {result.requests_per_second:,.1f} requests/s, "
                          f"p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms", flush=True)
            print("Profiling the cold render", flush=True)
            profile = profile_cold_render(cold_env, url_path)
        finally:
            for server in servers.values():
                stop_gunicorn(server)
            for pid in pids.values():
                stop_pid(pid)
    text = report(args, figures, profile, machine, ghost_note, url_path)
    RESULTS.write_text(text)
    print(f"\nWrote {RESULTS.relative_to(PROJECT_DIR)}")
    return 0


def report(args, figures: dict, profile: str, machine: dict, ghost_note: str, url_path: str) -> str:
    median = {name: statistics.median(r.requests_per_second for r, _ in rows) for name, rows in figures.items()}
    nginx = median["nginx (static file)"]
    lines = [
        "# Edge benchmark (`python -m bench.edge`)",
        "",
        f"One article ({url_path}) with a {COMMENTS}-comment thread; wrk -t2 -c{args.concurrency}, "
        f"{args.rounds} alternating round(s) of {args.duration} s, medians.",
        "",
        "| series | requests/s | of nginx | p50 ms | p99 ms | timeouts (> 2 s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, rows in figures.items():
        p50 = statistics.median(r.p50_ms for r, _ in rows)
        p99 = statistics.median(r.p99_ms for r, _ in rows)
        timeouts = sum(r.timeouts for r, _ in rows)
        lines.append(
            f"| {name} | {median[name]:,.1f} | {median[name] / nginx:.1%} | {p50:.2f} | {p99:.2f} | {timeouts} |"
        )
    lines += [
        "",
        f"- Varnish against nginx: {median['varnish'] / nginx:.1%} (target: at least 70%).",
        f"- Ghost: {ghost_note}.",
    ]
    if "ghost" in median:
        lines.append(f"- Cold render against Ghost's post page: {median['cold render'] / median['ghost']:.2f}x (target 2x).")
    if args.quick:
        lines.append("- A --quick run: it proves the benchmark works; its figures mean little.")
    lines += ["", "Machine:", ""] + [f"- {key}: {value}" for key, value in machine.items()]
    lines += ["", f"Load average after the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}", ""]
    lines += [f"## Where a cold render's time goes ({PROFILE_RENDERS} renders, cProfile, cumulative)", "", "```"]
    lines += profile.strip().splitlines()[:90] + ["```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
