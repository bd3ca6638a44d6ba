"""WordPress import benchmark: theme-unit-test-data.xml, then a generated wpDiscuz export, then that export again.

    python -m bench.import_wordpress [--posts 10000] [--comments 100000] [--database-url URL]

The generated export has 20 authors, 12 categories, 60 tags and the posts given (a few paragraphs, a heading,
a quote; one post in ten with a wpDiscuz inline feedback shortcode), and the comments spread over them, 20% of
them replies, each with wpDiscuz votes (`wpdiscuz_votes_seperate`) and one in twenty answering the post's
inline feedback. Each import runs in a process of its own (`manage.py import_wordpress --no-progress`) on a
fresh database (SQLite under a temporary folder unless --database-url names a PostgreSQL server database, which
is dropped and made again); its wall time and its peak RSS (getrusage) are measured. Results go to
bench/results/import_wordpress.md. Targets (issue 14): theme-unit-test-data.xml under 10 s, the full-size
export under 3 minutes with peak RSS under 500 MB, the second run under a quarter of the first.
"""

import argparse
import json
import random
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

from bench.serving import PROJECT_DIR, BenchError, machine_description, manage, site_environment

RESULTS_FILE = PROJECT_DIR / "bench" / "results" / "import_wordpress.md"
THEME_DATA = PROJECT_DIR.parent / "shared" / "fixtures" / "wxr" / "theme-unit-test-data.xml"
SEED = 20261207
WORDS = ("harbour council ferry tariff budget reader river school clinic election road bridge data rent "
         "wage energy grid water market study report court vote policy rural city winter summer").split()
# Runs the import inside the child and prints its own figures: wall time, peak RSS (KiB on Linux), the report.
IMPORT_CODE = """
import json, resource, sys, time, io
import django
django.setup()
from django.core.management import call_command
started = time.perf_counter()
call_command("import_wordpress", sys.argv[1], "--no-progress", "--report", sys.argv[2], stdout=io.StringIO())
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""
HOME_CODE = "import django; django.setup(); from masthead.articles.factories import site_home; site_home()"


def sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def write_export(path: Path, posts: int, comments: int) -> None:
    """A WXR 1.2 file written as a stream (the full size is ~150 MB)."""
    rng = random.Random(SEED)
    per_post = [comments // posts + (1 if index < comments % posts else 0) for index in range(posts)]
    comment_id = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                  'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                  'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
                  "<channel><title>Bench Gazette</title><link>https://bench.example</link>"
                  "<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://bench.example</wp:base_site_url>"
                  "<wp:base_blog_url>https://bench.example</wp:base_blog_url>\n")
        for number in range(20):
            out.write(f"<wp:author><wp:author_id>{number + 1}</wp:author_id><wp:author_login>writer{number}"
                      f"</wp:author_login><wp:author_email>writer{number}@bench.example</wp:author_email>"
                      f"<wp:author_display_name>Writer {number}</wp:author_display_name></wp:author>\n")
        for number in range(12):
            out.write(f"<wp:category><wp:term_id>{number + 1}</wp:term_id><wp:category_nicename>desk-{number}"
                      f"</wp:category_nicename><wp:cat_name>Desk {number}</wp:cat_name></wp:category>\n")
        for number in range(60):
            out.write(f"<wp:tag><wp:term_id>{100 + number}</wp:term_id><wp:tag_slug>tag-{number}</wp:tag_slug>"
                      f"<wp:tag_name>Tag {number}</wp:tag_name></wp:tag>\n")
        for index in range(posts):
            post_id = index + 1
            day = f"20{10 + index % 14}-{1 + index % 12:02d}-{1 + index % 28:02d}"
            slug = f"post-{post_id}"
            feedback = index % 10 == 0
            passage = f"the passage numbered {post_id} for readers"
            paragraphs = [f"<p>{sentence(rng)} {sentence(rng)}</p>" for _ in range(3)]
            if feedback:
                paragraphs[1] = (f'<p>{sentence(rng)} [wpdiscuz-feedback id="f{post_id}" question="Is this right?"]'
                                 f"{passage}[/wpdiscuz-feedback] {sentence(rng)}</p>")
            body = (paragraphs[0] + f"\n<h2>{sentence(rng, 4)}</h2>\n" + paragraphs[1]
                    + f"\n<blockquote><p>{sentence(rng)}</p></blockquote>\n" + paragraphs[2])
            out.write(f"<item><title>Post {post_id}: {escape(sentence(rng, 5))}</title>"
                      f"<link>https://bench.example/{day[:4]}/{day[5:7]}/{slug}/</link>"
                      f'<guid isPermaLink="false">https://bench.example/?p={post_id}</guid>'
                      f"<dc:creator>writer{index % 20}</dc:creator>"
                      f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                      f"<excerpt:encoded><![CDATA[{sentence(rng, 10)}]]></excerpt:encoded>"
                      f"<wp:post_id>{post_id}</wp:post_id><wp:post_date>{day} 09:00:00</wp:post_date>"
                      f"<wp:post_date_gmt>{day} 08:00:00</wp:post_date_gmt>"
                      f"<wp:post_modified_gmt>{day} 10:00:00</wp:post_modified_gmt>"
                      f"<wp:comment_status>open</wp:comment_status><wp:post_name>{slug}</wp:post_name>"
                      "<wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent><wp:post_type>post</wp:post_type>"
                      f'<category domain="category" nicename="desk-{index % 12}"><![CDATA[Desk {index % 12}]]></category>'
                      f'<category domain="post_tag" nicename="tag-{index % 60}"><![CDATA[Tag {index % 60}]]></category>\n')
            first = comment_id + 1
            for position in range(per_post[index]):
                comment_id += 1
                parent = rng.randrange(first, comment_id) if position and rng.random() < 0.2 else 0
                meta = (f"<wp:commentmeta><wp:meta_key>wpdiscuz_votes_seperate</wp:meta_key><wp:meta_value><![CDATA["
                        f'a:2:{{s:4:"like";i:{rng.randrange(20)};s:7:"dislike";i:{rng.randrange(5)};}}]]>'
                        "</wp:meta_value></wp:commentmeta>")
                if feedback and position % 20 == 0 and not parent:
                    meta += ("<wp:commentmeta><wp:meta_key>wpdiscuz_feedback_form_id</wp:meta_key>"
                             f"<wp:meta_value>f{post_id}</wp:meta_value></wp:commentmeta>")
                out.write(f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                          f"<wp:comment_author>Reader {comment_id % 500}</wp:comment_author>"
                          f"<wp:comment_author_email>reader{comment_id % 500}@example.org</wp:comment_author_email>"
                          f"<wp:comment_date_gmt>{day} 12:{position % 60:02d}:00</wp:comment_date_gmt>"
                          f"<wp:comment_content><![CDATA[{sentence(rng, 20)}]]></wp:comment_content>"
                          f"<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent>"
                          f"{meta}</wp:comment>\n")
            out.write("</item>\n")
        out.write("</channel></rss>\n")


def fresh_site(env: dict, database_url: str | None) -> None:
    if database_url:
        import psycopg

        server, _, name = database_url.rpartition("/")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {name}")
    manage(env, "migrate", "--noinput", "--verbosity", "0", what="manage.py migrate")
    subprocess.run([sys.executable, "-c", HOME_CODE], check=True, cwd=PROJECT_DIR, env=env, timeout=300)


def timed_import(env: dict, export: Path, report: Path) -> dict:
    finished = subprocess.run([sys.executable, "-c", IMPORT_CODE, str(export), str(report)], cwd=PROJECT_DIR,
                              env=env, capture_output=True, text=True, check=False)
    if finished.returncode:
        raise BenchError(f"importing {export.name} failed:\n{finished.stdout[-2000:]}{finished.stderr[-4000:]}")
    figures = json.loads(finished.stdout.strip().splitlines()[-1])
    figures["report"] = json.loads(report.read_text(encoding="utf-8"))
    return figures


def environment(var_dir: Path, database_url: str | None) -> dict:
    env = site_environment(var_dir, 8400)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def measure(args, var_dir: Path) -> dict:
    results = {}
    env = environment(var_dir / "theme", args.database_url)
    (var_dir / "theme").mkdir()
    fresh_site(env, args.database_url)
    print("Importing theme-unit-test-data.xml", flush=True)
    results["theme"] = timed_import(env, THEME_DATA, var_dir / "theme.json")
    export = var_dir / "generated.xml"
    print(f"Writing an export of {args.posts:,} posts and {args.comments:,} comments", flush=True)
    write_export(export, args.posts, args.comments)
    results["export_mb"] = export.stat().st_size / 1e6
    env = environment(var_dir / "generated", args.database_url)
    (var_dir / "generated").mkdir()
    fresh_site(env, args.database_url)
    print("Importing it", flush=True)
    results["first"] = timed_import(env, export, var_dir / "first.json")
    print("Importing it again", flush=True)
    results["second"] = timed_import(env, export, var_dir / "second.json")
    return results


def report(args, results: dict, machine: dict, command: str) -> str:
    theme, first, second = results["theme"], results["first"], results["second"]
    full = args.posts >= 10_000 and args.comments >= 100_000
    created = first["report"]["created"]
    posts_per_s = created.get("articles", 0) / first["seconds"]
    comments_per_s = created.get("comments", 0) / first["seconds"]
    ratio = second["seconds"] / first["seconds"]
    mb = lambda kib: kib / 1024  # noqa: E731

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    lines = [
        "# WordPress import benchmark (issue 14)", "",
        f"Command: `{command}`", "",
        *(f"- {key}: {value}" for key, value in machine.items()),
        f"- Database: {'PostgreSQL' if args.database_url else 'SQLite'}", "",
        "| run | time | posts/s | comments/s | peak RSS |", "| --- | --- | --- | --- | --- |",
        f"| theme-unit-test-data.xml | {theme['seconds']:.1f} s | | | {mb(theme['peak_rss_kib']):.0f} MiB |",
        f"| generated: {args.posts:,} posts, {args.comments:,} comments ({results['export_mb']:.0f} MB), first run "
        f"| {first['seconds']:.1f} s | {posts_per_s:.0f} | {comments_per_s:.0f} | {mb(first['peak_rss_kib']):.0f} MiB |",
        f"| the same again (nothing to change) | {second['seconds']:.1f} s | | | {mb(second['peak_rss_kib']):.0f} MiB |",
        "",
        f"Created by the first run: {', '.join(f'{v:,} {k}' for k, v in sorted(created.items()))}.",
        f"Second run created: {second['report']['created'] or 'nothing'}.", "",
        "Targets:",
        f"- theme-unit-test-data.xml under 10 s: {theme['seconds']:.1f} s, {verdict(theme['seconds'] < 10)}",
    ]
    if full:
        lines += [
            f"- generated export under 3 minutes: {first['seconds']:.0f} s, {verdict(first['seconds'] < 180)}",
            f"- peak RSS under 500 MB: {mb(first['peak_rss_kib']) * 1.048576:.0f} MB, "
            f"{verdict(mb(first['peak_rss_kib']) * 1.048576 < 500)}",
        ]
    else:
        lines.append("- generated export: scaled down (--posts/--comments), so its targets are not judged here.")
    lines.append(f"- second run under a quarter of the first: {ratio:.2f} of it, {verdict(ratio < 0.25)}")
    return "\n".join(lines) + "\n"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.import_wordpress", description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--database-url", help="postgres://…/DBNAME to measure on PostgreSQL (dropped first)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.posts < 1 or args.comments < 0:
        print("bench.import_wordpress: --posts must be at least 1 and --comments not negative", file=sys.stderr)
        return 2
    command = shlex.join(["python", "-m", "bench.import_wordpress", *argv])
    machine = machine_description()
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="masthead-bench-wordpress-") as var_dir:
            results = measure(args, Path(var_dir))
    except BenchError as error:
        print(f"bench.import_wordpress: {error}", file=sys.stderr)
        return 1
    text = report(args, results, machine, command)
    print(text)
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(text)
    print(f"Written to {RESULTS_FILE.relative_to(PROJECT_DIR)} ({time.perf_counter() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
