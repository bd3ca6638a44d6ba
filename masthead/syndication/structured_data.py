"""What machines read about an article: canonical URL, Open Graph and Twitter tags, JSON-LD NewsArticle."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import strip_tags

from masthead.articles.models import LEAD_IMAGE_SPEC, ArticlePage, PublicationSettings
from masthead.membership.access import gate_policy, is_free_to_everyone

# The element holding the part of a gated article that readers without access do not get (the gated text
# for readers with access, the gate itself for the others): what search engines expect in hasPart.
GATED_PART_SELECTOR = ".members-only"


@dataclass
class ArticleMeta:
    canonical_url: str
    description: str
    open_graph: list[tuple[str, str]] = field(default_factory=list)
    twitter: list[tuple[str, str]] = field(default_factory=list)
    json_ld: dict = field(default_factory=dict)


def absolute_url(path_or_url: str) -> str:
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    return settings.MASTHEAD_BASE_URL + path_or_url


def article_meta(article: ArticlePage, request=None) -> ArticleMeta:
    publication = PublicationSettings.for_request(request) if request else None
    publication_name = publication.name if publication else settings.WAGTAIL_SITE_NAME
    page_url = absolute_url(article.get_url(request))
    canonical_url = article.original_url if article.is_republished else page_url
    # Social cards and JSON-LD describe a gated article by its standfirst only, never by its body.
    description = strip_tags(article.standfirst).strip()
    free = is_free_to_everyone(article, gate_policy(request))
    image_url = (
        absolute_url(article.lead_image.get_rendition(LEAD_IMAGE_SPEC).url) if article.lead_image else ""
    )
    authors = article.byline
    published = article.first_published_at.isoformat() if article.first_published_at else ""
    modified = (article.last_published_at or article.first_published_at)
    modified = modified.isoformat() if modified else ""

    open_graph = [
        ("og:type", "article"),
        ("og:site_name", publication_name),
        ("og:title", article.title),
        ("og:description", description),
        ("og:url", canonical_url),
        ("og:locale", article.language),
        ("article:published_time", published),
    ]
    open_graph += [("article:author", absolute_url(author.get_absolute_url())) for author in authors]
    open_graph += [("article:tag", topic.name) for topic in article.topics.all()]
    if image_url:
        open_graph.append(("og:image", image_url))
    twitter = [
        ("twitter:card", "summary_large_image" if image_url else "summary"),
        ("twitter:title", article.title),
        ("twitter:description", description),
    ]
    if image_url:
        twitter.append(("twitter:image", image_url))
    if publication and publication.social_handle:
        twitter.append(("twitter:site", publication.social_handle))

    json_ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": description,
        "url": page_url,
        "mainEntityOfPage": page_url,
        "inLanguage": article.language,
        "datePublished": published,
        "dateModified": modified,
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute_url(author.get_absolute_url())}
            for author in authors
        ],
        "publisher": {"@type": "Organization", "name": publication_name, "url": settings.MASTHEAD_BASE_URL},
        "keywords": [topic.name for topic in article.topics.all()],
        "isAccessibleForFree": free,
    }
    if not free:
        json_ld["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": GATED_PART_SELECTOR,
        }
    if image_url:
        json_ld["image"] = [image_url]
    if article.is_republished:
        based_on = {"@type": "CreativeWork", "url": article.original_url}
        based_on["publisher"] = {
            "@type": "Organization",
            "name": article.source_outlet.name,
            "url": article.source_outlet.homepage,
        }
        if article.original_published_at:
            based_on["datePublished"] = article.original_published_at.isoformat()
        json_ld["isBasedOn"] = based_on
    return ArticleMeta(
        canonical_url=canonical_url,
        description=description,
        open_graph=open_graph,
        twitter=twitter,
        json_ld=json_ld,
    )
