"""Where the page layer joins Wagtail: article pages are served in their language through the page cache, and
their context gets what this reader is shown (the gate's decision, the social and structured-data tags)."""

from wagtail import hooks

from masthead.articles.models import ARTICLE_CONTEXT_HOOK, ArticlePage
from masthead.core.i18n import use_language
from masthead.delivery.page_cache import serve_article_page
from masthead.membership.page_gate import article_reading
from masthead.syndication.structured_data import article_meta


@hooks.register("on_serve_page")
def serve_articles_through_the_page_cache(serve):
    # The app is listed after Wagtail's, so this runs inside Wagtail's own checks (view restrictions).
    def serve_page(page, request, args, kwargs):
        if isinstance(page, ArticlePage):
            use_language(page.language)  # the page's language is the interface's: discussion, gate, dates
            return serve_article_page(page, request, lambda: serve(page, request, args, kwargs))
        return serve(page, request, args, kwargs)

    return serve_page


@hooks.register(ARTICLE_CONTEXT_HOOK)
def add_what_the_reader_is_shown(article, request, context):
    context["meta"] = article_meta(article, request)
    context["reading"] = article_reading(article, request)
