"""Anchoring benchmark: accuracy of re-attaching 1,000 passage anchors after realistic edits, and its speed.

The demo articles (masthead/demo/content/articles/*.toml) are turned into StreamField-like bodies and reduced
to per-block plain text with the same helper the site uses. 1,000 passages are chosen at random (seeded, word
aligned, one to ~80 words) and every anchor is re-attached after each edit class, in two settings: per block
(`reanchor_in_body`, how the site stores anchors) and over the whole article as one text (`reanchor`, a harder
test of the cascade: paragraph edits shift every later passage). Results go to bench/results/anchoring.md.
"""

import argparse
import platform
import random
import re
import statistics
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from markdown_it import MarkdownIt

from masthead.annotations import anchoring
from masthead.annotations.anchoring import body_block_texts, reanchor, reanchor_in_body, select

PROJECT_DIR = Path(__file__).resolve().parent.parent
ARTICLES_DIR = PROJECT_DIR / "masthead" / "demo" / "content" / "articles"
RESULTS_FILE = Path(__file__).resolve().parent / "results" / "anchoring.md"

SEED = 20251125
ANCHOR_COUNT = 1_000
TIMING_WORDS = 5_000
TIMING_REPEATS = 5
TIME_LIMIT_SECONDS = 1.0
ACCEPTABLE_OVERLAP = 0.8
BLOCK_SEPARATOR = "\n\n"

EDIT_CLASSES = {
    "sentence_elsewhere": "insert or delete a sentence outside the passage (same paragraph 70%, else other)",
    "paragraph_elsewhere": "insert a paragraph from another article, or delete another block",
    "typo_inside": "one or two single-letter fixes inside the passage (swap, drop, double or replace one)",
    "reword_inside": "replace a run of words (a quarter of the passage, 1-3 words) with other words",
    "delete_passage": "delete the sentences holding the passage (50%) or its whole paragraph (50%)",
}
# The demo mark-up's paragraphs allow *emphasis*, **strong** and [links](...), like the loader's parser.
_inline = MarkdownIt("zero").enable(["emphasis", "link"])
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*(?=\s|$)")
_WORD = re.compile(r"\w+")


@dataclass
class Article:
    slug: str
    body: list[dict]
    texts: dict[str, str]


@dataclass
class Anchor:
    article: Article
    block_id: str
    start: int
    end: int


def demo_body(slug: str, markup: str) -> list[dict]:
    """The demo mark-up (see masthead/demo/content/README.md) as raw StreamField data, without a database."""
    body = []
    for index, chunk in enumerate(part.strip() for part in markup.strip().split("\n\n")):
        block_id = f"{slug}-{index}"
        if not chunk:
            continue
        if chunk.startswith("## "):
            body.append({"type": "section_heading", "value": chunk[3:].strip(), "id": block_id})
        elif chunk.startswith("!! "):
            body.append({"type": "pull_quote", "value": chunk[3:].strip(), "id": block_id})
        elif chunk.startswith(">"):
            lines = [line.lstrip(">").strip() for line in chunk.splitlines()]
            attribution = lines.pop().lstrip("-").strip() if lines[-1].startswith("--") else ""
            body.append(
                {
                    "type": "block_quote",
                    "value": {"quote": "\n".join(lines), "attribution": attribution},
                    "id": block_id,
                }
            )
        elif chunk.startswith("[image:"):
            body.append({"type": "image", "value": {"image": None, "caption": chunk}, "id": block_id})
        else:
            paragraph = " ".join(line.strip() for line in chunk.splitlines())
            body.append(
                {"type": "paragraph", "value": f"<p>{_inline.renderInline(paragraph)}</p>", "id": block_id}
            )
    return body


def load_articles() -> list[Article]:
    articles = []
    for path in sorted(ARTICLES_DIR.glob("*.toml")):
        with path.open("rb") as file:
            entry = tomllib.load(file)
        body = demo_body(entry["slug"], entry["body"])
        articles.append(Article(entry["slug"], body, body_block_texts(body)))
    if not articles:
        sys.exit(f"no demo articles in {ARTICLES_DIR}")
    return articles


def word_spans(text: str) -> list[tuple[int, int]]:
    return [(match.start(), match.end()) for match in re.finditer(r"\S+", text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        while start < match.end() and text[start].isspace():
            start += 1
        if start < match.end():
            spans.append((start, match.end()))
        start = match.end()
    while start < len(text) and text[start].isspace():
        start += 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def passage_length(rng: random.Random) -> int:
    """Words in a reader's selection: a phrase most often, sometimes a sentence or two."""
    roll = rng.random()
    if roll < 0.2:
        return rng.randint(1, 3)
    if roll < 0.6:
        return rng.randint(4, 12)
    if roll < 0.9:
        return rng.randint(13, 40)
    return rng.randint(41, 80)


def make_anchors(articles: list[Article], count: int, rng: random.Random) -> list[Anchor]:
    blocks = [(article, block_id) for article in articles for block_id in article.texts]
    weights = [len(word_spans(article.texts[block_id])) for article, block_id in blocks]
    anchors = []
    while len(anchors) < count:
        article, block_id = rng.choices(blocks, weights)[0]
        words = word_spans(article.texts[block_id])
        length = min(passage_length(rng), len(words))
        first = rng.randrange(len(words) - length + 1)
        anchors.append(Anchor(article, block_id, words[first][0], words[first + length - 1][1]))
    return anchors


# --- Edit scripts: each returns the new block texts and where the passage now is (None when deleted) -------


def _replace(text: str, start: int, end: int, new: str, span: tuple[int, int]) -> tuple[str, tuple[int, int]]:
    """text with [start, end) replaced by new, outside `span`; the span moves when the edit is before it."""
    if end <= span[0] and start < span[1]:
        shift = len(new) - (end - start)
        span = (span[0] + shift, span[1] + shift)
    return text[:start] + new + text[end:], span


def _other_sentence(anchor: Anchor, articles: list[Article], rng: random.Random) -> str:
    donor = rng.choice([article for article in articles if article is not anchor.article])
    text = rng.choice(list(donor.texts.values()))
    start, end = rng.choice(sentence_spans(text))
    return text[start:end]


def sentence_elsewhere(anchor, articles, rng):
    texts = dict(anchor.article.texts)
    block_id = anchor.block_id
    outside = [(s, e) for s, e in sentence_spans(texts[block_id]) if e <= anchor.start or s >= anchor.end]
    if not outside or rng.random() >= 0.7:
        block_id = rng.choice([other for other in texts if other != anchor.block_id and texts[other].strip()])
        outside = sentence_spans(texts[block_id])
    span = (anchor.start, anchor.end)
    text = texts[block_id]
    if rng.random() < 0.5:
        # Insert a sentence before one of the sentences outside the passage, or at the end of the block.
        at = rng.choice([s for s, _ in outside] + [len(text)])
        sentence = _other_sentence(anchor, articles, rng)
        text, span = _replace(text, at, at, f"{sentence} " if at < len(text) else f" {sentence}", span)
    else:
        start, end = rng.choice(outside)
        while end < len(text) and text[end].isspace():
            end += 1
        if end == len(text):
            while start > 0 and text[start - 1].isspace():
                start -= 1
        text, span = _replace(text, start, end, "", span)
    texts[block_id] = text
    if block_id != anchor.block_id:
        span = (anchor.start, anchor.end)  # an edit in another block leaves the passage where it was
    return texts, (anchor.block_id, *span)


def paragraph_elsewhere(anchor, articles, rng):
    items = list(anchor.article.texts.items())
    others = [index for index, (block_id, _) in enumerate(items) if block_id != anchor.block_id]
    if rng.random() < 0.5 or not others:
        donor = rng.choice([article for article in articles if article is not anchor.article])
        paragraph = rng.choice(
            [text for text in donor.texts.values() if len(text) > 200] or list(donor.texts.values())
        )
        items.insert(rng.randint(0, len(items)), (f"inserted-{rng.randrange(10**9)}", paragraph))
    else:
        del items[rng.choice(others)]
    return dict(items), (anchor.block_id, anchor.start, anchor.end)


_KEYBOARD_NEIGHBOURS = dict(zip("abcdefghijklmnopqrstuvwxyz", "sqxsrdfgujkjlnbiowaeyvcvtx"))


def typo_inside(anchor, articles, rng):
    texts = dict(anchor.article.texts)
    text = texts[anchor.block_id]
    span = (anchor.start, anchor.end)
    for _ in range(rng.choice((1, 1, 2))):
        words = [m for m in _WORD.finditer(text, span[0], span[1]) if len(m.group()) >= 3] or list(
            _WORD.finditer(text, span[0], span[1])
        )
        if not words:
            break
        word = rng.choice(words)
        at = rng.randrange(word.start(), word.end())
        letter = text[at]
        kind = rng.choice(("swap", "drop", "double", "replace"))
        if kind == "swap" and at + 1 < word.end() and text[at + 1] != letter:
            change = (at, at + 2, text[at + 1] + letter)
        elif kind == "drop" and word.end() - word.start() > 1:
            change = (at, at + 1, "")
        elif kind == "double":
            change = (at, at + 1, letter * 2)
        else:
            replacement = _KEYBOARD_NEIGHBOURS.get(letter.lower(), "e" if letter != "e" else "a")
            change = (at, at + 1, replacement)
        start, end, new = change
        # An edit touching the passage's last character grows or shrinks the passage, not what follows it.
        text = text[:start] + new + text[end:]
        span = (span[0], span[1] + len(new) - (end - start))
    texts[anchor.block_id] = text
    return texts, (anchor.block_id, *span)


def reword_inside(anchor, articles, rng):
    texts = dict(anchor.article.texts)
    text = texts[anchor.block_id]
    words = list(re.finditer(r"\S+", text[: anchor.end]))
    words = [word for word in words if word.start() >= anchor.start]
    count = min(3, max(1, len(words) // 4))
    first = rng.randrange(len(words) - count + 1)
    start, end = words[first].start(), words[first + count - 1].end()
    donor_text = rng.choice(list(rng.choice(articles).texts.values()))
    donor_words = _WORD.findall(donor_text)
    replacement = " ".join(rng.choice(donor_words) for _ in range(count))
    texts[anchor.block_id] = text[:start] + replacement + text[end:]
    return texts, (anchor.block_id, anchor.start, anchor.end + len(replacement) - (end - start))


def delete_passage(anchor, articles, rng):
    texts = dict(anchor.article.texts)
    text = texts[anchor.block_id]
    sentences = [(s, e) for s, e in sentence_spans(text) if s < anchor.end and e > anchor.start]
    start, end = sentences[0][0], sentences[-1][1]
    if rng.random() < 0.5 or (start == 0 and end >= len(text.rstrip())):
        del texts[anchor.block_id]
    else:
        while end < len(text) and text[end].isspace():
            end += 1
        texts[anchor.block_id] = text[:start] + text[end:]
    return texts, None


EDIT_SCRIPTS = {
    "sentence_elsewhere": sentence_elsewhere,
    "paragraph_elsewhere": paragraph_elsewhere,
    "typo_inside": typo_inside,
    "reword_inside": reword_inside,
    "delete_passage": delete_passage,
}


# --- Scoring -----------------------------------------------------------------------------------------------


def outcome(found: tuple[str, int, int] | None, truth: tuple[str, int, int] | None) -> str:
    """exact, acceptable (overlap >= 80% of the longer of the two spans), orphaned, or wrong."""
    if found is None:
        return "orphaned"
    if truth is None or found[0] != truth[0]:
        return "wrong"
    if found[1:] == truth[1:]:
        return "exact"
    overlap = min(found[2], truth[2]) - max(found[1], truth[1])
    longest = max(found[2] - found[1], truth[2] - truth[1])
    return "acceptable" if overlap >= ACCEPTABLE_OVERLAP * longest else "wrong"


def whole_text(texts: dict[str, str]) -> tuple[str, dict[str, int]]:
    offsets, position = {}, 0
    for block_id, text in texts.items():
        offsets[block_id] = position
        position += len(text) + len(BLOCK_SEPARATOR)
    return BLOCK_SEPARATOR.join(texts.values()), offsets


def run_accuracy(articles: list[Article], anchors: list[Anchor], rng: random.Random) -> dict[str, dict]:
    results = {}
    for name, script in EDIT_SCRIPTS.items():
        per_block, whole, kinds = Counter(), Counter(), Counter()
        for anchor in anchors:
            old_text = anchor.article.texts[anchor.block_id]
            selectors = select(old_text, anchor.start, anchor.end)
            new_texts, truth = script(anchor, articles, rng)

            found = reanchor_in_body(anchor.block_id, selectors, new_texts)
            match = found.match
            per_block[
                outcome((found.block_id, match.start, match.end) if match.attached else None, truth)
            ] += 1
            kinds[match.kind.value] += 1

            old_whole, old_offsets = whole_text(anchor.article.texts)
            new_whole, new_offsets = whole_text(new_texts)
            base = old_offsets[anchor.block_id]
            whole_match = reanchor(select(old_whole, base + anchor.start, base + anchor.end), new_whole)
            whole_truth = None
            if truth is not None:
                whole_truth = ("article", new_offsets[truth[0]] + truth[1], new_offsets[truth[0]] + truth[2])
            whole_found = ("article", whole_match.start, whole_match.end) if whole_match.attached else None
            whole[outcome(whole_found, whole_truth)] += 1
        results[name] = {"per_block": per_block, "whole": whole, "kinds": kinds}
    return results


# --- Timing ------------------------------------------------------------------------------------------------


def timing_article(articles: list[Article]) -> dict[str, str]:
    """Blocks of demo text, article after article, until the body holds TIMING_WORDS words."""
    texts, words = {}, 0
    for article in articles:
        for block_id, text in article.texts.items():
            if words >= TIMING_WORDS:
                return texts
            texts[block_id] = text
            words += len(text.split())
    return texts


def run_timing(articles: list[Article], rng: random.Random) -> dict:
    texts = timing_article(articles)
    article = Article("timing", [], texts)
    anchors = make_anchors([article], ANCHOR_COUNT, rng)
    old_whole, offsets = whole_text(texts)
    whole_selectors = [
        select(old_whole, offsets[a.block_id] + a.start, offsets[a.block_id] + a.end) for a in anchors
    ]
    block_selectors = [select(texts[a.block_id], a.start, a.end) for a in anchors]

    # The revision: a paragraph inserted after the first block (every later passage shifts) and a sentence
    # added at the start of each paragraph (over 200 characters) among the first ten blocks.
    donor = max(articles[-1].texts.values(), key=len)
    new_items = list(texts.items())
    new_items.insert(1, ("inserted", donor))
    new_texts = {
        block_id: ("An editor's new opening sentence. " + text if index < 10 and len(text) > 200 else text)
        for index, (block_id, text) in enumerate(new_items)
    }
    new_whole, _ = whole_text(new_texts)

    def measure(work) -> tuple[float, object]:
        durations, result = [], None
        for _ in range(TIMING_REPEATS):
            # Each run pays for normalising the new text, as a publish would.
            anchoring._normalised.cache_clear()
            began = time.perf_counter()
            result = work()
            durations.append(time.perf_counter() - began)
        return statistics.median(durations), result

    whole_seconds, whole_matches = measure(lambda: [reanchor(s, new_whole) for s in whole_selectors])
    block_seconds, block_matches = measure(
        lambda: [reanchor_in_body(a.block_id, s, new_texts) for a, s in zip(anchors, block_selectors)]
    )
    find_seconds, found = measure(lambda: [new_whole.find(s.quote.exact) for s in whole_selectors])
    return {
        "words": len(new_whole.split()),
        "characters": len(new_whole),
        "blocks": len(new_texts),
        "whole_seconds": whole_seconds,
        "block_seconds": block_seconds,
        "find_seconds": find_seconds,
        "whole_kinds": Counter(match.kind.value for match in whole_matches),
        "block_kinds": Counter(found.match.kind.value for found in block_matches),
        "find_hits": sum(1 for position in found if position != -1),
    }


# --- Report ------------------------------------------------------------------------------------------------


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%"


def accuracy_table(results: dict, setting: str, total: int) -> list[str]:
    lines = [
        "| edit class | exact | acceptable fuzzy (overlap >= 80%) | orphaned | wrongly attached |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, result in results.items():
        counts = result[setting]
        orphaned = percent(counts["orphaned"], total)
        if name == "delete_passage":
            orphaned += " (correct)"
        lines.append(
            f"| {name} | {percent(counts['exact'], total)} | {percent(counts['acceptable'], total)} | "
            f"{orphaned} | {percent(counts['wrong'], total)} ({counts['wrong']}) |"
        )
    return lines


def targets(results: dict, timing: dict) -> list[tuple[str, bool, str]]:
    checks = []
    for name in ("sentence_elsewhere", "paragraph_elsewhere"):
        for setting in ("per_block", "whole"):
            counts = results[name][setting]
            share = counts["exact"] / ANCHOR_COUNT
            checks.append((f"{name} ({setting}): exact >= 99%", share >= 0.99, f"{share:.1%}"))
    for setting in ("per_block", "whole"):
        counts = results["typo_inside"][setting]
        share = (counts["exact"] + counts["acceptable"]) / ANCHOR_COUNT
        checks.append((f"typo_inside ({setting}): exact or acceptable >= 90%", share >= 0.9, f"{share:.1%}"))
        wrong = results["delete_passage"][setting]["wrong"]
        checks.append((f"delete_passage ({setting}): 0 wrongly attached", wrong == 0, str(wrong)))
    for key in ("whole_seconds", "block_seconds"):
        checks.append(
            (
                f"{key.split('_')[0]}: 1,000 anchors under {TIME_LIMIT_SECONDS:.0f} s",
                timing[key] < TIME_LIMIT_SECONDS,
                f"{timing[key] * 1000:.0f} ms",
            )
        )
    return checks


def report(articles: list[Article], results: dict, timing: dict, elapsed: float, seed: int) -> str:
    passages = sum(len(article.texts) for article in articles)
    lines = [
        "# Anchoring benchmark",
        "",
        f"`.venv/bin/python -m bench.anchoring` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"Python {platform.python_version()}, {platform.machine()}, seed {seed}; took {elapsed:.0f} s.",
        "",
        f"{ANCHOR_COUNT:,} anchors on random word-aligned passages (1-80 words) of the {len(articles)} demo "
        f"articles ({passages} anchorable blocks); every anchor is re-attached after each edit class. "
        "*Exact*: the same block and the very same span. *Acceptable*: the spans overlap by at least 80% of "
        "the longer of the two. *Wrongly attached*: anything else that is attached, and any attachment of a "
        "deleted passage.",
        "",
        "The thresholds in `masthead/annotations/anchoring.py` were tuned while looking at the default seed; "
        "`--seed N --no-write` gives a held-out check on other passages and edits.",
        "",
        "Edit classes:",
        "",
        *[f"- `{name}`: {description}" for name, description in EDIT_CLASSES.items()],
        "",
        "## Per block (as stored by the site: block id + selectors, `reanchor_in_body`)",
        "",
        *accuracy_table(results, "per_block", ANCHOR_COUNT),
        "",
        "## Whole article as one text (`reanchor` over the joined blocks; paragraph edits move what follows)",
        "",
        *accuracy_table(results, "whole", ANCHOR_COUNT),
        "",
        "How the per-block re-attachments were made (count of each cascade step):",
        "",
        "| edit class | " + " | ".join(kind.value for kind in anchoring.MatchKind) + " |",
        "| --- | " + " | ".join("---:" for _ in anchoring.MatchKind) + " |",
        *[
            f"| {name} | "
            + " | ".join(str(result["kinds"][kind.value]) for kind in anchoring.MatchKind)
            + " |"
            for name, result in results.items()
        ],
        "",
        "## Time",
        "",
        f"A {timing['words']:,}-word article ({timing['characters']:,} characters, "
        f"{timing['blocks']} blocks) built from demo texts; {ANCHOR_COUNT:,} anchors re-attached after a "
        "paragraph is inserted near the top and ten paragraphs gain an opening sentence. Median of "
        f"{TIMING_REPEATS} runs, normalisation cache cleared before each.",
        "",
        "| what | time for 1,000 anchors | ratio to baseline |",
        "| --- | ---: | ---: |",
        f"| baseline: `str.find` of each quote in the whole text | {timing['find_seconds'] * 1000:.2f} ms "
        "| 1 |",
        f"| `reanchor` over the whole text | {timing['whole_seconds'] * 1000:.1f} ms | "
        f"{timing['whole_seconds'] / timing['find_seconds']:.0f}x |",
        f"| `reanchor_in_body` per block | {timing['block_seconds'] * 1000:.1f} ms | "
        f"{timing['block_seconds'] / timing['find_seconds']:.0f}x |",
        "",
        f"Whole text steps: {dict(sorted(timing['whole_kinds'].items()))}; per block: "
        f"{dict(sorted(timing['block_kinds'].items()))}; `str.find` found {timing['find_hits']:,} of the "
        "quotes "
        "(anywhere, with no check that it is the right occurrence).",
        "",
        "## Targets",
        "",
        "| target | met | measured |",
        "| --- | --- | ---: |",
        *[
            f"| {name} | {'yes' if met else '**no**'} | {measured} |"
            for name, met, measured in targets(results, timing)
        ],
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.anchoring", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument(
        "--no-write",
        action="store_true",
        help=f"print only; leave {RESULTS_FILE.relative_to(PROJECT_DIR)} alone",
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    articles = load_articles()
    rng = random.Random(args.seed)
    anchors = make_anchors(articles, ANCHOR_COUNT, rng)
    results = run_accuracy(articles, anchors, rng)
    timing = run_timing(articles, random.Random(args.seed + 1))
    text = report(articles, results, timing, time.perf_counter() - began, args.seed)
    print(text)
    if not args.no_write:
        RESULTS_FILE.parent.mkdir(exist_ok=True)
        RESULTS_FILE.write_text(text)
    failed = [name for name, met, _ in targets(results, timing) if not met]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
