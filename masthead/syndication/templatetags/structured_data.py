"""Render an ArticleMeta into <head>: canonical link, meta tags and a JSON-LD script."""

from django import template
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import mark_safe

from masthead.syndication.structured_data import ArticleMeta

register = template.Library()


@register.simple_tag
def article_head(meta: ArticleMeta):
    canonical = format_html('<link rel="canonical" href="{}">', meta.canonical_url)
    description = format_html('<meta name="description" content="{}">', meta.description)
    open_graph = format_html_join("\n", '<meta property="{}" content="{}">', meta.open_graph)
    twitter = format_html_join("\n", '<meta name="{}" content="{}">', meta.twitter)
    # json_script escapes <, > and & so that no text in the article can close the script element.
    json_ld = mark_safe(  # noqa: S308 - json_script's output is already escaped
        json_script(meta.json_ld).replace('type="application/json"', 'type="application/ld+json"', 1)
    )
    return format_html("{}\n{}\n{}\n{}\n{}", canonical, description, open_graph, twitter, json_ld)
