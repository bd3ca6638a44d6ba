"""wpDiscuz's inline feedback: `[wpdiscuz-feedback id="…" question="…"]passage[/wpdiscuz-feedback]` in a post
becomes an editor's feedback point on that passage (the shortcode itself leaves only the passage in the text),
and a comment whose meta `wpdiscuz_feedback_form_id` names it becomes an inline comment on the same passage.

A point is placed in the article's published text, like an editor's: the passage must occur there exactly once.
When the export cannot say where (a draft post, words found twice or not at all, a form id no shortcode of the
post carries), the comment stays in the thread as an ordinary comment and the report says so.
"""

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags

from masthead.annotations.actions import do_add_feedback_point, do_create_anchor, published_block_texts
from masthead.annotations.anchoring import AnchoringError, Selectors, select
from masthead.annotations.models import FeedbackPoint
from masthead.articles.models import ArticlePage
from masthead.wordpress.shortcodes import attributes

SHORTCODE = re.compile(r"\[wpdiscuz-feedback\b(?P<attrs>[^\]]*)\](?P<passage>.*?)\[/wpdiscuz-feedback\]", re.DOTALL)
META = "wpdiscuz_feedback_form_id"
DEFAULT_QUESTION = "What do you think of this passage?"
LEFT_IN_THREAD = "inline comments left in the thread (their passage is not known)"


@dataclass
class Shortcode:
    form_id: str
    question: str
    passage: str  # plain text, as it reads in the article


def extract(content: str) -> tuple[str, list[Shortcode]]:
    """The body with each feedback shortcode replaced by its passage, and the shortcodes found."""
    found = []

    def replace(match: re.Match) -> str:
        attrs = attributes(match.group("attrs"))
        passage = " ".join(html.unescape(strip_tags(match.group("passage"))).split())
        found.append(Shortcode(form_id=attrs.get("id", "").strip(), question=attrs.get("question", "").strip(),
                               passage=passage))
        return match.group("passage")

    return SHORTCODE.sub(replace, content), found


def place_points(article_id: int, shortcodes: list[Shortcode], label: str) -> tuple[dict[str, int], list[str]]:
    """Feedback points for the shortcodes, in the article's published text: {form id: point id}, and warnings."""
    article = ArticlePage.objects.get(pk=article_id)  # as published: the importer's copy predates it
    placed, warnings = {}, []
    texts = published_block_texts(article) if article.live else {}
    for shortcode in shortcodes:
        if not article.live:
            warnings.append(f"{label}: inline feedback {shortcode.form_id!r} not placed: the post is not published.")
            continue
        try:
            block_id, selectors = locate(texts, shortcode.passage)
        except AnchoringError as error:
            warnings.append(f"{label}: inline feedback {shortcode.form_id!r} not placed: {error}")
            continue
        point = do_add_feedback_point(article=article, user=None, question=(shortcode.question or DEFAULT_QUESTION)[:300],
                                      block_id=block_id, selectors=selectors)
        placed[shortcode.form_id] = point.pk
    return placed, warnings


def locate(texts: dict[str, str], passage: str) -> tuple[str, Selectors]:
    """The one place of the passage in the article's blocks, whatever the line breaks and spaces between its
    words (the body's conversion turns the post's line breaks into breaks); AnchoringError when not exactly one."""
    words = passage.split()
    if not words:
        raise AnchoringError("the shortcode has no words in it.")
    pattern = r"\s+".join(map(re.escape, words))
    pattern = (r"(?<!\w)" if re.match(r"\w", words[0]) else "") + pattern + (r"(?!\w)" if re.search(r"\w$", words[-1]) else "")
    places = [(block_id, match.start(), match.end())
              for block_id, text in texts.items() for match in re.finditer(pattern, text)]
    if len(places) != 1:
        raise AnchoringError(f"its words occur {'more than once' if places else 'nowhere'} in the published text.")
    block_id, start, end = places[0]
    return block_id, select(texts[block_id], start, end)


def anchor_comment(comment, point_id: int) -> bool:
    """The imported comment, answering the point, on the point's passage; False when the point is gone."""
    point = FeedbackPoint.objects.filter(pk=point_id).first()
    if point is None:
        return False
    article = ArticlePage.objects.get(pk=point.article_id)
    do_create_anchor(comment=comment, article=article, block_id=point.resolved_block_id,
                     selectors=point.resolved_selectors, feedback_point=point)
    return True
