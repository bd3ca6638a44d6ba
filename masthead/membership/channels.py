"""An article as one reader may have it, for the channels that are not the article page: API, search, e-mail.

Each function asks access.py first and only then touches the body, so the gated blocks never reach a channel
whose reader may not read them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html_join

from masthead.articles.blocks import raw_block_text
from masthead.membership.access import Reader, Visibility, access_article, gate_policy


def visible_blocks(article, visibility: Visibility) -> list:
    if visibility == Visibility.NOTHING:
        return []
    preview, gated = article.split_body()
    return preview + gated if visibility == Visibility.ALL else preview


def visible_raw_blocks(article, visibility: Visibility) -> list[dict]:
    if visibility == Visibility.NOTHING:
        return []
    preview, gated = article.split_raw_body()
    return preview + gated if visibility == Visibility.ALL else preview


def visible_text(article, visibility: Visibility) -> str:
    """Title, standfirst and the body text this reader may read, as plain text."""
    if visibility == Visibility.NOTHING:
        return ""
    body = " ".join(filter(None, (raw_block_text(raw) for raw in visible_raw_blocks(article, visibility))))
    return " ".join(filter(None, [article.title, article.standfirst, body]))


def body_html(article, visibility: Visibility) -> str:
    return format_html_join("\n", "{}", ((block.render(),) for block in visible_blocks(article, visibility)))


@dataclass
class ArticleEmail:
    subject: str
    text: str
    html: str
    visibility: Visibility


def article_email_context(article, reader: Reader, *, policy=None) -> dict:
    """What an e-mail template needs to show `reader` the article: the blocks and text they may read, whether
    the rest is gated, and the article's address. Newsletters wrap it in their own templates."""
    policy = policy or gate_policy()
    visibility = access_article(reader, article, policy=policy)
    return {
        "article": article,
        "blocks": visible_blocks(article, visibility),
        "text": " ".join(
            filter(None, (raw_block_text(raw) for raw in visible_raw_blocks(article, visibility)))
        ),
        "is_gated": visibility != Visibility.ALL,
        "visibility": visibility,
        "url": article.get_full_url() or settings.MASTHEAD_BASE_URL + article.url,
    }


def render_article_email(article, reader: Reader, *, policy=None) -> ArticleEmail:
    """The article as an e-mail to `reader`: the whole piece, or the preview and a link to read on."""
    context = article_email_context(article, reader, policy=policy)
    with translation.override(article.language):  # the mail speaks the article's language, as its page does
        return ArticleEmail(
            subject=article.title,
            text=render_to_string("membership/email/article.txt", context),
            html=render_to_string("membership/email/article.html", context),
            visibility=context["visibility"],
        )
