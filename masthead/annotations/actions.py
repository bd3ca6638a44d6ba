"""Every write of inline feedback: `check_*` validates, then `do_*` stores; the comment itself goes through
masthead.discussion.actions.comments, so it is ruled on, counted, moderated and announced like any other
comment.

Selections across two blocks are refused, not split (see anchoring.py): the reader is asked to select within
one paragraph. Every refusal is a DiscussionError (400 unless said otherwise) raised before anything is written.
"""

from functools import partial

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from masthead.annotations.anchoring import (
    MAX_QUOTE_LENGTH,
    AnchoringError,
    EmptySelection,
    MatchKind,
    QuoteTooLong,
    Selectors,
    SelectorsDisagree,
    TextPositionSelector,
    TextQuoteSelector,
    UnknownBlock,
    body_block_texts,
    reanchor_in_body,
    select,
    select_in_body,
)
from masthead.annotations.models import RESOLVED_FIELDS, AnchorState, FeedbackPoint, InlineAnchor
from masthead.core.signals import announce_changes
from masthead.discussion.actions.comments import check_post_comment
from masthead.discussion.errors import DiscussionError
from masthead.membership.access import Visibility


def published_block_texts(article) -> dict[str, str]:
    """Plain text of each anchorable block of the article as published (the page row holds live content)."""
    return body_block_texts(article.body.raw_data)


def select_passage(
    article,
    *,
    block_id,
    start,
    end,
    exact,
    prefix: str = "",
    suffix: str = "",
    end_block_id=None,
) -> tuple[str, Selectors]:
    """Selectors for a reader's selection in the published text, or AnchoringError saying what is wrong.

    The offsets are checked against the quote the reader's browser saw. When they disagree (the reader's page
    predates the latest publish), the quote is looked for with its context the way a publish re-attaches
    passages, exact matches only; a passage that cannot be found for sure is refused.
    """
    if not isinstance(block_id, str) or not block_id:
        raise UnknownBlock(_("Say which part of the article the selection is in (its block id)."))
    if not isinstance(exact, str) or not exact.strip():
        raise EmptySelection(_("The selection is empty; select some words to comment on."))
    if len(exact) > MAX_QUOTE_LENGTH:
        raise QuoteTooLong(
            _(
                "The selection is %(length)s characters long; select at most %(limit)s "
                "(a paragraph), or comment on the whole article instead."
            )
            % {"length": number_format(len(exact), force_grouping=True), "limit": number_format(MAX_QUOTE_LENGTH, force_grouping=True)}
        )
    texts = published_block_texts(article)
    try:
        return select_in_body(
            texts, block_id=block_id, start=start, end=end, end_block_id=end_block_id, expected_quote=exact
        )
    except SelectorsDisagree:
        # Offsets outside the current text are refused outright (SelectionOutOfRange), never guessed at.
        claimed = Selectors(
            TextPositionSelector(max(0, start), max(0, end)),
            TextQuoteSelector(exact, str(prefix or "")[-32:], str(suffix or "")[:32]),
        )
        found = reanchor_in_body(block_id, claimed, texts)
        if found.match.kind not in (MatchKind.EXACT_POSITION, MatchKind.QUOTE):
            raise
        return found.block_id, select(texts[found.block_id], found.match.start, found.match.end)


def check_post_inline_comment(
    *,
    page,
    user,
    body,
    visibility: Visibility,
    block_id=None,
    start=None,
    end=None,
    exact=None,
    prefix: str = "",
    suffix: str = "",
    end_block_id=None,
    feedback_point_id=None,
    guest_name: str = "",
    guest_email: str = "",
    ip: str = "",
    honeypot: str = "",
    subscribe: bool = False,
) -> InlineAnchor:
    """Post a comment on a passage (or answer a feedback point): the comment and its anchor, or neither."""
    if visibility != Visibility.ALL:
        raise DiscussionError(
            _("Only readers who may read the whole article can comment on a passage of it."), status=403
        )
    point = None
    try:
        if feedback_point_id not in (None, ""):
            point = _open_feedback_point(page, feedback_point_id)
            block_id, selectors = point.resolved_block_id, point.resolved_selectors
        else:
            block_id, selectors = select_passage(
                page, block_id=block_id, start=start, end=end, exact=exact, prefix=prefix, suffix=suffix,
                end_block_id=end_block_id,
            )
    except AnchoringError as error:
        raise DiscussionError(str(error)) from error
    with transaction.atomic():
        comment = check_post_comment(
            page=page,
            user=user,
            body=body,
            guest_name=guest_name,
            guest_email=guest_email,
            ip=ip,
            honeypot=honeypot,
            subscribe=subscribe,
        )
        return do_create_anchor(comment=comment, article=page, block_id=block_id, selectors=selectors,
                                feedback_point=point)


def _open_feedback_point(page, feedback_point_id) -> FeedbackPoint:
    try:
        point = FeedbackPoint.objects.filter(pk=int(feedback_point_id), article=page).first()
    except (TypeError, ValueError):
        point = None
    if point is None:
        raise DiscussionError(_("There is no such question on this article."))
    if not point.is_open or point.is_orphaned:
        raise DiscussionError(_("This question no longer takes answers."))
    return point


def do_create_anchor(
    *, comment, article, block_id: str, selectors: Selectors, feedback_point=None
) -> InlineAnchor:
    anchor = InlineAnchor(comment=comment, article=article, feedback_point=feedback_point)
    anchor.set_selectors(block_id, selectors, revision=article.live_revision)
    anchor.save()
    return anchor


def do_reanchor_article(*, article) -> dict[str, int]:
    """Re-attach every passage of the article to its live revision; those resolved on it already are kept."""
    revision_id = article.live_revision_id
    texts = published_block_texts(article)
    counts = {state: 0 for state in AnchorState.values}
    changed = False
    for model in (InlineAnchor, FeedbackPoint):
        stale = list(model.objects.filter(article=article).exclude(resolved_revision_id=revision_id))
        for passage in stale:
            passage.resolve(texts, revision_id=revision_id)
            counts[passage.state] += 1
        if stale:
            model.objects.bulk_update(stale, RESOLVED_FIELDS, batch_size=500)
            changed = True
    if changed:
        # Highlights are part of the cached article page, which no row saved here would otherwise renew.
        transaction.on_commit(partial(announce_changes, content=True))
    return counts


def check_add_feedback_point(
    *, article, user, question, block_id, start, end, exact, prefix: str = "", suffix: str = ""
) -> FeedbackPoint:
    """An editor's question on words they selected in the published text (the admin's "Place a feedback
    point" page): the same selection check as readers' inline comments, then the point, or an AnchoringError /
    ValueError saying what is wrong and nothing written."""
    question = (question or "").strip() if isinstance(question, str) else ""
    if not question:
        raise ValueError("Write the question readers should answer.")
    max_length = FeedbackPoint._meta.get_field("question").max_length
    if len(question) > max_length:
        raise ValueError(f"The question is {len(question)} characters long; keep it to {max_length}.")
    if not article.live:
        raise ValueError("Publish the article first: a feedback point is placed in its published text.")
    block_id, selectors = select_passage(
        article, block_id=block_id, start=start, end=end, exact=exact, prefix=prefix, suffix=suffix
    )
    return do_add_feedback_point(article=article, user=user, question=question, block_id=block_id,
                                 selectors=selectors)


def do_add_feedback_point(*, article, user, question: str, block_id: str, selectors: Selectors) -> FeedbackPoint:
    point = FeedbackPoint(article=article, question=question, created_by=user)
    point.set_selectors(block_id, selectors, revision=article.live_revision)
    point.save()  # the page layer's receivers renew the cached article pages (delivery.receivers)
    return point


def locate_passage_text(article, words: str) -> tuple[str, Selectors]:
    """The block and selectors of `words`, which must occur exactly once in the article's published text."""
    words = (words or "").strip()
    if not words:
        raise EmptySelection("Give the words of the article the question is about.")
    places = [
        (block_id, position)
        for block_id, text in published_block_texts(article).items()
        for position in _occurrences(text, words)
    ]
    if not places:
        raise AnchoringError(
            "These words are not in the published article (one paragraph, exactly as written)."
        )
    if len(places) > 1:
        raise AnchoringError("These words occur more than once in the article; give a few more of them.")
    block_id, position = places[0]
    return block_id, select(published_block_texts(article)[block_id], position, position + len(words))


def _occurrences(text: str, words: str):
    position = text.find(words)
    while position != -1:
        yield position
        position = text.find(words, position + 1)
