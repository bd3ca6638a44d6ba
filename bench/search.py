"""Search benchmark: generated articles in Arabic, English and French plus comments on PostgreSQL; latency of the
search page for 1-3-word queries with and without filters at concurrency 8, index build time and size.

One run drops and creates the database `masthead_bench_search` ($MASTHEAD_BENCH_DATABASE or --database names
another, on $MASTHEAD_BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432), migrates it, writes the articles and comments in bulk (pages copied from
one article published the normal way, so every column is as the admin writes it), then builds the search index
the way the site keeps it (masthead.search.analysis terms in the app's rows, indexed through Wagtail's backend
with add_bulk) and times that. Queries go through the whole search page (view, search, access checks,
rendering) in Django's test client, from 8 processes at once, as an anonymous reader. Results go to
bench/results/search.md. Only 127.0.0.1 is contacted.
"""

import argparse
import json
import multiprocessing
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS = PROJECT_DIR / "bench" / "results" / "search.md"
POSTGRES = os.environ.get("MASTHEAD_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("MASTHEAD_BENCH_DATABASE", "masthead_bench_search")
LANGUAGES = ("en", "fr", "ar")
BATCH = 2000
TARGET_P95_MS = 50

# A few real words per language head each vocabulary (the frequent words); made-up words form the long tail.
COMMON = {
    "en": "energy water river budget council harbour school hospital election market climate transport housing "
    "tax court farmers border health labour prices drought turbines railway ministry workers rent schools "
    "parliament fishing coast migration bank inflation police grain solar wind forest mining steel".split(),
    "fr": "énergie rivière budget conseil port école hôpital élection marché climat transport logement impôt "
    "tribunal agriculteurs frontière santé travail prix sécheresse éoliennes chemin ministère ouvriers loyer "
    "électricité réseau pêche côte migration banque inflation police céréales solaire forêt mine acier".split(),
    "ar": "الطاقة المياه النهر الميزانية المجلس الميناء المدرسة المستشفى الانتخابات السوق المناخ النقل السكن "
    "الضرائب المحكمة المزارعون الحدود الصحة العمل الأسعار الجفاف الرياح السكك الوزارة العمال الإيجار "
    "الكهرباء الشبكة الصيد الساحل الهجرة البنك التضخم الشرطة الحبوب الشمسية الغابات المناجم".split(),
}
SYLLABLES = {
    "en": "ba be bi bo ca co da de do fa fe ga go ha he ka la le li lo ma me mi mo na ne no pa pe po ra re ri "
    "ro sa se so ta te ti to va ve wa we".split(),
    "fr": "ba bé ca ce ci co da dé di fa fé ga gé la lé li lo ma mé mi mo na né ni no pa pé po ra ré ri ro sa "
    "sé si ta té ti to va vé vi".split(),
    "ar": "با بو تي جا حا دو را زي سا شو صا طا عا غو فا قي كا لو ما نو ها وا يا".split(),
}
ARABIC_MARKS = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652"]
TAIL_WORDS = 4000


def vocabulary(language: str, rng: random.Random) -> list[str]:
    words = list(COMMON[language])
    seen = set(words)
    while len(words) < len(COMMON[language]) + TAIL_WORDS:
        word = "".join(rng.choice(SYLLABLES[language]) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Writer:
    """Zipf-distributed text in one language (rank r drawn with weight 1/r), Arabic with some diacritics."""

    def __init__(self, language: str, rng: random.Random):
        self.language, self.rng = language, rng
        self.words = vocabulary(language, rng)
        self.weights = [1 / (rank + 1) for rank in range(len(self.words))]

    def sentence(self, count: int) -> str:
        words = self.rng.choices(self.words, self.weights, k=count)
        if self.language == "ar":
            words = [self.vocalised(word) if self.rng.random() < 0.3 else word for word in words]
        return " ".join(words).capitalize() + "."

    def vocalised(self, word: str) -> str:
        return "".join(char + (self.rng.choice(ARABIC_MARKS) if self.rng.random() < 0.5 else "") for char in word)

    def query_words(self, count: int) -> list[str]:
        # Readers type words in the middle of the distribution more than the very commonest or rarest.
        return [self.words[min(int(self.rng.paretovariate(0.6)) + 2, len(self.words) - 1)] for _ in range(count)]


def setup_django(var_dir: Path, database: str) -> None:
    os.environ.update(
        DATABASE_URL=f"{POSTGRES}/{database}",
        MASTHEAD_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="masthead.settings",
        ALLOWED_HOSTS="testserver,127.0.0.1",
    )
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def recreate_database(database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def _row(cursor, table: str, key: str, value) -> dict:
    cursor.execute(f"SELECT * FROM {table} WHERE {key} = %s", [value])
    return dict(zip([column.name for column in cursor.description], cursor.fetchone()))


def _copy(cursor, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, (dict, list)) else v for v in row.values()])


def seed(args, rng: random.Random) -> dict:
    """Sections, authors and topics through the ORM; articles and comments copied in bulk. Not timed as indexing:
    bulk writes fire no save signals, so nothing is indexed until build_index()."""
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Page

    from masthead.articles.factories import make_article, make_section, paragraph
    from masthead.articles.models import AccessLevel, ArticleAuthor, ArticlePage, Author, Topic
    from masthead.discussion.models import Comment, CommentStatus, Thread

    started = time.monotonic()
    writers = {language: Writer(language, rng) for language in LANGUAGES}
    sections = {language: make_section(title=f"Section {language}", slug=f"section-{language}") for language in LANGUAGES}
    authors = Author.objects.bulk_create(
        Author(name=" ".join(writers[LANGUAGES[n % 3]].sentence(2).rstrip(".").split()[:2]) + f" {n}", slug=f"a-{n}")
        for n in range(300)
    )
    topics = Topic.objects.bulk_create(Topic(name=f"Topic {n}", slug=f"topic-{n}") for n in range(60))
    templates = {
        language: make_article(section=sections[language], title=f"Template {language}", language=language)
        for language in LANGUAGES
    }
    ArticleText_rows = {}  # article id -> (language, title, readable, gated)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's, for COPY
        for index, language in enumerate(LANGUAGES):
            count = args.articles // 3 + (1 if index < args.articles % 3 else 0)
            section, template = sections[language], templates[language]
            page_row = _row(cursor, "wagtailcore_page", "id", template.pk)
            article_row = _row(cursor, "articles_articlepage", "page_ptr_id", template.pk)
            writer = writers[language]
            pages, texts = [], []
            first_child = section.numchild
            for number in range(count):
                step = first_child + number + 1
                path = section.path + _step(step, Page.steplen, Page.alphabet)
                title = writer.sentence(rng.randint(3, 8)).rstrip(".")
                published = now - timedelta(minutes=rng.randint(0, 60 * 24 * 3650))
                slug = f"b-{language}-{number}"
                pages.append(
                    {
                        **{k: v for k, v in page_row.items() if k != "id"},
                        "path": path,
                        "depth": section.depth + 1,
                        "numchild": 0,
                        "title": title,
                        "draft_title": title,
                        "slug": slug,
                        "url_path": f"{section.url_path}{slug}/",
                        "live": True,
                        "has_unpublished_changes": False,
                        "first_published_at": published,
                        "last_published_at": published,
                        "latest_revision_id": None,
                        "live_revision_id": None,
                        "translation_key": uuid.uuid4(),
                    }
                )
                paragraphs = [writer.sentence(rng.randint(15, 40)) for _ in range(rng.randint(4, 10))]
                texts.append((path, title, writer.sentence(12), paragraphs))
            _copy(cursor, "wagtailcore_page", pages)
            cursor.execute(
                "UPDATE wagtailcore_page SET numchild = numchild + %s WHERE id = %s", [count, section.pk]
            )
            cursor.execute(
                "SELECT path, id FROM wagtailcore_page WHERE path LIKE %s AND depth = %s",
                [section.path + "%", section.depth + 1],
            )
            ids = dict(cursor.fetchall())
            rows, bylines, topic_links = [], [], []
            for path, title, standfirst, paragraphs in texts:
                page_id = ids[path]
                level = AccessLevel.MEMBERS if rng.random() < 0.2 else AccessLevel.PUBLIC
                cut = 2 if level != AccessLevel.PUBLIC else None
                body = [dict(paragraph(text), id=str(uuid.uuid4())) for text in paragraphs]
                if cut:
                    body.insert(cut, {"type": "preview_cut", "value": None, "id": str(uuid.uuid4())})
                rows.append(
                    {**article_row, "page_ptr_id": page_id, "standfirst": standfirst, "body": body, "access_level": level}
                )
                bylines.append(ArticleAuthor(page_id=page_id, author=rng.choice(authors), sort_order=0))
                topic_links.append(ArticlePage.topics.through(articlepage_id=page_id, topic=rng.choice(topics)))
                readable = " ".join([standfirst, *paragraphs[: cut or len(paragraphs)]])
                ArticleText_rows[page_id] = (language, title, readable, " ".join(paragraphs[cut or len(paragraphs):]), level)
            _copy(cursor, "articles_articlepage", rows)
            ArticleAuthor.objects.bulk_create(bylines, batch_size=BATCH)
            ArticlePage.topics.through.objects.bulk_create(topic_links, batch_size=BATCH)
        # Comments: on a fifth of the articles, more on some than others.
        article_ids = list(ArticleText_rows)
        commented = rng.sample(article_ids, max(1, len(article_ids) // 5))
        threads = {
            thread.page_id: thread
            for thread in Thread.objects.bulk_create(Thread(page_id=page_id) for page_id in commented)
        }
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(commented))]
        for start in range(0, args.comments, BATCH * 5):
            size = min(BATCH * 5, args.comments - start)
            batch = []
            for page_id in rng.choices(commented, weights, k=size):
                language = ArticleText_rows[page_id][0]
                body = writers[language].sentence(rng.randint(8, 50))
                batch.append(
                    Comment(
                        thread=threads[page_id],
                        guest_name="Reader",
                        body=body,
                        body_html=f"<p>{body}</p>",
                        status=CommentStatus.APPROVED if rng.random() < 0.95 else CommentStatus.PENDING,
                    )
                )
            Comment.objects.bulk_create(batch, batch_size=BATCH)
        cursor.execute("UPDATE discussion_comment SET root_id = id WHERE root_id IS NULL")
    return {
        "seconds": time.monotonic() - started,
        "texts": ArticleText_rows,
        "writers": writers,
        "sections": {language: section.pk for language, section in sections.items()},
        "authors": [author.slug for author in authors],
        "topics": [topic.slug for topic in topics],
    }


def _step(number: int, steplen: int, alphabet: str) -> str:
    digits = ""
    while number:
        number, digit = divmod(number, len(alphabet))
        digits = alphabet[digit] + digits
    return digits.rjust(steplen, alphabet[0])


def build_index(texts: dict) -> dict:
    """The search app's rows for every article and comment, and Wagtail's index of them, as the site builds
    them (analysis.py terms), in bulk; returns the seconds each step took."""
    from wagtail.search.backends import get_search_backend

    from masthead.discussion.models import Comment
    from masthead.search import analysis
    from masthead.search.actions import do_add_vocabulary
    from masthead.search.models import ArticleText, CommentText, TextPart

    backend = get_search_backend()
    timings = {}
    started = time.monotonic()
    ids = list(texts)
    for start in range(0, len(ids), BATCH):
        rows, words = [], []
        for page_id in ids[start : start + BATCH]:
            language, title, readable, gated, level = texts[page_id]
            terms = analysis.analysed(title, language)
            whole = f"{readable} {gated}".strip()
            rows.append(ArticleText(article_id=page_id, part=TextPart.READABLE, title=terms,
                                    text=analysis.analysed(readable, language), analysis_version=analysis.VERSION))
            rows.append(ArticleText(article_id=page_id, part=TextPart.WHOLE, title=terms,
                                    text=analysis.analysed(whole, language), analysis_version=analysis.VERSION))
            words.append(f"{title} {whole if level == 'public' else readable}")
        backend.add_bulk(ArticleText, ArticleText.objects.bulk_create(rows))
        do_add_vocabulary(text=" ".join(words))
    timings["articles"] = time.monotonic() - started
    started = time.monotonic()
    languages = {page_id: text[0] for page_id, text in texts.items()}
    last = 0
    while True:
        comments = list(
            Comment.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "thread__page_id", "body")[:BATCH * 5]
        )
        if not comments:
            break
        last = comments[-1][0]
        rows = [
            CommentText(comment_id=pk, article_id=page_id, text=analysis.analysed(body, languages[page_id]),
                        analysis_version=analysis.VERSION)
            for pk, page_id, body in comments
        ]
        backend.add_bulk(CommentText, CommentText.objects.bulk_create(rows, batch_size=BATCH))
    timings["comments"] = time.monotonic() - started
    return timings


def index_sizes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' AND "
            "(relname LIKE 'wagtailsearch_indexentry%%' OR relname LIKE 'masthead_search%%') ORDER BY relname"
        )
        return dict(cursor.fetchall())


def make_queries(seed_info: dict, count: int, rng: random.Random) -> list[dict]:
    queries = []
    for number in range(count):
        language = rng.choice(LANGUAGES)
        words = seed_info["writers"][language].query_words(rng.choice((1, 2, 3)))
        if language == "ar" and rng.random() < 0.5:
            words = [seed_info["writers"][language].vocalised(word) for word in words]
        params = {"q": " ".join(words)}
        if number % 2:
            kind = rng.choice(("language", "section", "dates", "author", "topic"))
            if kind == "language":
                params["language"] = language
            elif kind == "section":
                params["section"] = seed_info["sections"][language]
            elif kind == "dates":
                start = datetime.now(UTC).date() - timedelta(days=rng.randint(30, 3000))
                params["published_from"], params["published_to"] = str(start), str(start + timedelta(days=365))
            elif kind == "author":
                params["author"] = rng.choice(seed_info["authors"])
            else:
                params["topic"] = rng.choice(seed_info["topics"])
        queries.append(params)
    return queries


def _worker(queries: list[dict]) -> list[tuple[float, int, bool, int]]:
    from django.db import connections
    from django.test import Client

    connections.close_all()  # a forked process opens its own connection
    client = Client()
    timings = []
    for params in queries:
        started = time.perf_counter()
        response = client.get("/search/", params)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{params} answered {response.status_code}")
        timings.append((elapsed, len(params["q"].split()), len(params) > 1, response.content.count(b'class="search-result"')))
    return timings


def measure(queries: list[dict], concurrency: int) -> list[tuple[float, int, bool, int]]:
    from django.db import connections

    connections.close_all()
    shares = [queries[n::concurrency] for n in range(concurrency)]
    with multiprocessing.get_context("fork").Pool(concurrency) as pool:
        return [timing for share in pool.map(_worker, shares) for timing in share]


def percentiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def report(args, seed_info, build, sizes, timings, elapsed, load_before, load_after) -> str:
    rows = []
    classes = [("all queries", lambda t: True), ("without filters", lambda t: not t[2]),
               ("with filters", lambda t: t[2])] + [(f"{n} word{'s' if n > 1 else ''}", lambda t, n=n: t[1] == n)
                                                   for n in (1, 2, 3)]
    for name, keep in classes:
        chosen = [t[0] for t in timings if keep(t)]
        if len(chosen) > 1:
            p50, p95, p99 = percentiles(chosen)
            rows.append(f"| {name} | {len(chosen)} | {p50:.1f} | {p95:.1f} | {p99:.1f} |")
    p95 = percentiles([t[0] for t in timings])[1]
    total_size = sum(sizes.values())
    lines = [
        "# Search benchmark",
        "",
        f"{args.articles:,} generated articles (a third each in English, French and Arabic, a fifth for members "
        f"only) and {args.comments:,} comments on PostgreSQL; {len(timings):,} queries of 1-3 words, half with a "
        f"filter (language, section, a year of dates, author or topic), through the whole search page in "
        f"Django's test client from {args.concurrency} processes at once, as an anonymous reader.",
        "",
        f"- Date (UTC): {datetime.now(UTC):%Y-%m-%d %H:%M:%S}",
        f"- CPUs: {os.cpu_count()}; Python {platform.python_version()}",
        f"- Load average before / after: {load_before} / {load_after}",
        f"- Command: `python -m bench.search {' '.join(sys.argv[1:])}`".rstrip(),
        "",
        "| queries | n | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        f"- p95 over all queries: {p95:.1f} ms: target under {TARGET_P95_MS} ms "
        f"**{'met' if p95 < TARGET_P95_MS else 'NOT met'}**; {len(timings) / elapsed:.1f} queries/s overall.",
        f"- Data written in {seed_info['seconds']:.1f} s (not indexing).",
        f"- Index build: articles {build['articles']:.1f} s, comments {build['comments']:.1f} s "
        f"(terms made by analysis.py, rows bulk-written, Wagtail's add_bulk).",
        f"- Index size {total_size / 2**20:.1f} MiB: "
        + ", ".join(f"{name} {size / 2**20:.1f} MiB" for name, size in sizes.items()),
        "",
        "Figures from a busy machine (load average above about 1 on 2 cores) are not comparable; re-run quietly.",
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--database", default=DATABASE, help="the database dropped and created for the run")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    load_before = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="masthead-bench-search-") as var_dir:
        recreate_database(args.database)
        setup_django(Path(var_dir), args.database)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"seeding {args.articles:,} articles and {args.comments:,} comments…", flush=True)
        seed_info = seed(args, rng)
        print(f"  {seed_info['seconds']:.1f} s; building the index…", flush=True)
        build = build_index(seed_info["texts"])
        sizes = index_sizes()
        print(f"  articles {build['articles']:.1f} s, comments {build['comments']:.1f} s; querying…", flush=True)
        queries = make_queries(seed_info, args.queries, rng)
        measure(queries[: args.concurrency * 2], args.concurrency)  # warm-up: caches, connections
        started = time.monotonic()
        timings = measure(queries, args.concurrency)
        elapsed = time.monotonic() - started
    load_after = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    text = report(args, seed_info, build, sizes, timings, elapsed, load_before, load_after)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
