"""The read side of inline feedback: an article's passages as the page highlights them, and the JSON-LD export."""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from masthead.annotations.models import AnchorState, InlineAnchor


@dataclass
class PassageGroup:
    """One highlighted span: every shown inline comment whose passage now sits on exactly these words."""

    block_id: str
    start: int
    end: int
    quote: str
    anchor_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.anchor_ids)

    def as_json(self) -> dict:
        return {
            "id": self.anchor_ids[0],
            "block": self.block_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "count": self.count,
            "anchors": self.anchor_ids,
        }


def passage_groups(article) -> list[PassageGroup]:
    return article_passages(article)[0]


def article_passages(article) -> tuple[list[PassageGroup], int]:
    """The article's highlighted passages and how many shown comments lost theirs, in one query, from the
    anchors as the server last resolved them."""
    rows = (
        InlineAnchor.objects.filter(article=article)
        .shown_to_readers()
        .order_by("resolved_block_id", "resolved_start", "resolved_end", "pk")
        .values_list("pk", "state", "resolved_block_id", "resolved_start", "resolved_end", "resolved_exact")
    )
    groups: dict[tuple, PassageGroup] = {}
    orphaned = 0
    for pk, state, block_id, start, end, quote in rows:
        if state == AnchorState.ORPHANED:
            orphaned += 1
            continue
        key = (block_id, start, end)
        if key not in groups:
            groups[key] = PassageGroup(block_id, start, end, quote)
        groups[key].anchor_ids.append(pk)
    return list(groups.values()), orphaned


ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def absolute(path: str) -> str:
    return settings.MASTHEAD_BASE_URL + path


def web_annotation_collection(article) -> dict:
    """The article's inline comments as a W3C Web Annotation collection with one page holding them all.

    Selectors count characters in one block's plain text, so each target narrows to the block first (a
    CssSelector on the data-block-id the page renders) and refines it with the text selectors. A passage lost
    in a revision keeps only its original quote, with the time of the revision it was made on (a TimeState).
    """
    anchors = list(
        InlineAnchor.objects.filter(article=article)
        .shown_to_readers()
        .select_related("comment__author", "revision", "resolved_revision")
        .order_by("comment__created_at", "pk")
    )
    source = absolute(article.url)
    collection_id = absolute(reverse("annotations:export", args=[article.pk]))
    items = [_annotation(anchor, source) for anchor in anchors]
    return {
        "@context": ANNOTATION_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Inline comments on “{article.title}”",
        "total": len(items),
        "first": {
            "id": f"{collection_id}?page=1",
            "type": "AnnotationPage",
            "partOf": collection_id,
            "startIndex": 0,
            "items": items,
        },
    }


def _annotation(anchor: InlineAnchor, source: str) -> dict:
    comment = anchor.comment
    target: dict = {"source": source}
    if anchor.is_attached:
        block = f'[data-block-id="{anchor.resolved_block_id}"]'
        selectors = anchor.resolved_selectors.to_web_annotation()
        target["selector"] = [
            {"type": "CssSelector", "value": block, "refinedBy": item} for item in selectors
        ]
        revision = anchor.resolved_revision
    else:
        target["selector"] = anchor.original_selectors.quote.to_web_annotation()
        revision = anchor.revision
    if revision is not None:
        target["state"] = {"type": "TimeState", "sourceDate": revision.created_at.isoformat()}
    annotation = {
        "id": absolute(reverse("discussion:permalink", args=[comment.pk])),
        "type": "Annotation",
        "motivation": "replying" if anchor.feedback_point_id else "commenting",
        "created": comment.created_at.isoformat(),
        "creator": {"type": "Person", "name": comment.author_name},
        "body": {"type": "TextualBody", "value": comment.body_html, "format": "text/html"},
        "target": target,
    }
    if comment.edited_at:
        annotation["modified"] = comment.edited_at.isoformat()
    return annotation
