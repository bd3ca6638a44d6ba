"""Values as WordPress writes them, read the way masthead needs them: dates, wpDiscuz votes, comment order."""

from datetime import datetime, timezone as dt_timezone
from urllib.parse import unquote

from django.utils import timezone
from django.utils.text import slugify

from masthead.wordpress import wxr


def parse_wp_date(gmt: str, local: str) -> datetime | None:
    """A post's or comment's moment: the GMT field when it is a real date, else the local one in our time zone."""
    for text, zone in ((gmt, dt_timezone.utc), (local, None)):
        text = (text or "").strip()
        if not text or text.startswith("0000"):
            continue
        try:
            moment = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        return moment.replace(tzinfo=zone) if zone else timezone.make_aware(moment)
    return None


def wpdiscuz_votes(meta: dict) -> tuple[int, int]:
    """(likes, dislikes) from wpDiscuz's comment meta: the separate counts when present, else the net total."""
    def number(value) -> int:
        try:
            return int(str(value).strip() or 0)
        except ValueError:
            return 0

    separate = meta.get("wpdiscuz_votes_seperate")
    if isinstance(separate, dict):
        return abs(number(separate.get("like", 0))), abs(number(separate.get("dislike", 0)))
    net = number(meta.get("wpdiscuz_votes", 0))
    return (net, 0) if net >= 0 else (0, -net)


def truthy(value) -> bool:
    return str(value).strip().lower() not in ("", "0", "false", "no")


def parents_first(comments: list[wxr.Comment]) -> list[wxr.Comment]:
    by_id = {comment.wp_id: comment for comment in comments}
    depth: dict[str, int] = {}

    def depth_of(comment: wxr.Comment, seen: frozenset = frozenset()) -> int:
        if comment.wp_id not in depth:
            parent = by_id.get(comment.parent)
            loops = parent is None or parent.wp_id in seen or parent is comment
            depth[comment.wp_id] = 0 if loops else depth_of(parent, seen | {comment.wp_id}) + 1
        return depth[comment.wp_id]

    order = sorted(enumerate(comments), key=lambda pair: (depth_of(pair[1]), pair[0]))
    return [comment for _, comment in order]


def make_slug(*candidates: str, max_length: int = 255) -> str:
    """The first candidate (a WordPress slug, percent-encoded or not; a title) that makes a slug."""
    for candidate in candidates:
        slug = slugify(unquote(candidate or ""), allow_unicode=True)[:max_length].strip("-")
        if slug:
            return slug
    return ""
