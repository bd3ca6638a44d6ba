"""Template tags of the page layer: the article body as the current reader may read it."""

from django import template

from masthead.delivery.body_cache import render_article_body

register = template.Library()


@register.simple_tag(takes_context=True)
def article_body(context):
    return render_article_body(context)
