"""Test factories for inline feedback: inline comments made through the same actions the site uses."""

from masthead.accounts.factories import UserFactory
from masthead.annotations.actions import do_create_anchor, locate_passage_text
from masthead.annotations.models import FeedbackPoint
from masthead.articles.models import ArticlePage
from masthead.discussion.factories import make_comment
from masthead.discussion.models import CommentStatus


def make_inline_comment(*, article, words: str, author=None, body: str | None = None,
                        status: str = CommentStatus.APPROVED, feedback_point=None):
    """An approved comment on `words` (which must occur once in the published article), and its anchor."""
    article = ArticlePage.objects.get(pk=article.pk)  # as published (a page object kept by a test may not be)
    block_id, selectors = locate_passage_text(article, words)
    comment = make_comment(article=article, author=author or UserFactory(), body=body, status=status)
    return do_create_anchor(comment=comment, article=article, block_id=block_id, selectors=selectors,
                            feedback_point=feedback_point)


def make_feedback_point(*, article, words: str, question: str = "Is this figure right?") -> FeedbackPoint:
    article = ArticlePage.objects.get(pk=article.pk)
    block_id, selectors = locate_passage_text(article, words)
    point = FeedbackPoint(article=article, question=question)
    point.set_selectors(block_id, selectors, revision=article.live_revision)
    point.save()
    return point
