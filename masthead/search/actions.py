"""Writes to the search app's own index rows: article text parts and comments, kept in step with what is
published, and the vocabulary "did you mean" suggests from."""

from django.db import transaction

from masthead.articles.blocks import raw_block_text
from masthead.articles.models import ArticlePage
from masthead.discussion.models import Comment
from masthead.membership.access import gate_policy, is_free_to_everyone
from masthead.search import analysis
from masthead.search.models import ArticleText, CommentText, TextPart, VocabularyWord

VOCABULARY_WORD_MAX = 100


def text_parts(article: ArticlePage) -> dict[str, str]:
    """The standfirst and body text of each part as written (the title is indexed on its own)."""
    preview, gated = article.split_raw_body()
    readable = [article.standfirst] + [raw_block_text(raw) for raw in preview]
    rest = [raw_block_text(raw) for raw in gated]
    return {
        TextPart.READABLE: " ".join(filter(None, readable)),
        TextPart.WHOLE: " ".join(filter(None, readable + rest)),
    }


def do_add_vocabulary(*, text: str) -> None:
    """Add the folded words of `text` (a part every reader may read) to the vocabulary."""
    new = {word for word in analysis.words(text) if 2 < len(word) <= VOCABULARY_WORD_MAX and not word.isdigit()}
    VocabularyWord.objects.bulk_create([VocabularyWord(word=word) for word in sorted(new)], ignore_conflicts=True)


def do_index_article_text(*, article: ArticlePage) -> None:
    """Store (and so index, through Wagtail's save signal) both parts of the article as it is now."""
    language = article.language
    title = analysis.analysed(article.title, language)
    parts = text_parts(article)
    with transaction.atomic():
        for part, text in parts.items():
            ArticleText.objects.update_or_create(
                article_id=article.pk,
                part=part,
                defaults={
                    "title": title,
                    "text": analysis.analysed(text, language),
                    "analysis_version": analysis.VERSION,
                },
            )
        names = [byline.author.name for byline in article.article_authors.all()]
        names += [topic.name for topic in article.topics.all()]
        # Words every reader may read now. Should the gate close later, "did you mean" still shows a word only
        # when it finds something for the reader asking (views.py).
        free = is_free_to_everyone(article, gate_policy())
        readable = parts[TextPart.WHOLE if free else TextPart.READABLE]
        do_add_vocabulary(text=" ".join([article.title, readable, *names]))


def do_forget_article_text(*, article_id: int) -> None:
    # One by one, so that Wagtail's delete signal takes each row out of the index too.
    for row in ArticleText.objects.filter(article_id=article_id):
        row.delete()


def do_index_missing_articles() -> int:
    """Index the live articles that have no text rows yet (articles published before this app indexed them),
    or rows made by an older analysis.py."""
    current = ArticleText.objects.filter(part=TextPart.READABLE, analysis_version=analysis.VERSION)
    missing = ArticlePage.objects.live().exclude(pk__in=current.values("article_id"))
    count = 0
    for article in missing.iterator():
        do_index_article_text(article=article)
        count += 1
    return count


def do_index_comment_text(*, comment: Comment) -> None:
    """Store (and index) the comment's terms, in the language of its article."""
    article = ArticlePage.objects.only("language").get(discussion_thread__pk=comment.thread_id)
    CommentText.objects.update_or_create(
        comment_id=comment.pk,
        defaults={
            "article_id": article.pk,
            "text": analysis.analysed(comment.body, article.language),
            "analysis_version": analysis.VERSION,
        },
    )


def do_index_missing_comments() -> int:
    current = CommentText.objects.filter(analysis_version=analysis.VERSION)
    missing = Comment.objects.exclude(pk__in=current.values("comment_id")).select_related("thread__page")
    count = 0
    for comment in missing.iterator(chunk_size=500):
        do_index_comment_text(comment=comment)
        count += 1
    return count
