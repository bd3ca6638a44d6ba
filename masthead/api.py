"""The read-only JSON API (django-ninja, OpenAPI at /api/docs): articles, cut by access.py like every channel.

The reader is the session's user, so a member's browser gets what the member may read and nobody else does.
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from masthead.articles.models import ArticlePage
from masthead.core.bounds import DatabaseId, RowCount, only_the_path_is_wrong
from masthead.membership.access import (
    Visibility,
    access_article,
    gate_policy,
    is_free_to_everyone,
    reader_for_request,
)
from masthead.membership.channels import body_html

api = NinjaAPI(title="masthead", version="1", urls_namespace="api", docs_url="/docs")


@api.exception_handler(NinjaValidationError)
def invalid_request(request, error):
    if only_the_path_is_wrong(error.errors):
        return api.create_response(request, {"detail": "Not found."}, status=404)
    return api.create_response(request, {"detail": "Invalid request.", "errors": error.errors}, status=400)


class ArticleSummary(Schema):
    id: int
    title: str
    standfirst: str
    url: str
    published_at: datetime | None
    access_level: str
    accessible_for_free: bool
    visibility: str  # what the caller may read: all, preview or nothing


class ArticleDetail(ArticleSummary):
    body_html: str
    is_gated: bool


class ListParameters(Schema):
    limit: int = Field(20, ge=1, le=50)
    offset: RowCount = 0


def _summary(request, article, policy, reader) -> dict:
    visibility = access_article(reader, article, policy=policy)
    return {
        "id": article.pk,
        "title": article.title,
        "standfirst": article.standfirst,
        "url": article.get_full_url(request),
        "published_at": article.first_published_at,
        "access_level": article.access_level,
        "accessible_for_free": is_free_to_everyone(article, policy),
        "visibility": visibility,
    }


@api.get("/articles/", response=list[ArticleSummary])
def list_articles(request, parameters: Query[ListParameters]):
    reader, policy = reader_for_request(request), gate_policy(request)
    articles = (
        ArticlePage.objects.live()
        .public()
        .prefetch_related("allowed_tiers")
        .order_by("-first_published_at", "-pk")[parameters.offset : parameters.offset + parameters.limit]
    )
    return [_summary(request, article, policy, reader) for article in articles]


@api.get("/articles/{article_id}/", response=ArticleDetail)
def article_detail(request, article_id: DatabaseId):
    article = get_object_or_404(ArticlePage.objects.live().public(), pk=article_id)
    reader, policy = reader_for_request(request), gate_policy(request)
    summary = _summary(request, article, policy, reader)
    visibility = summary["visibility"]
    return {**summary, "body_html": body_html(article, visibility), "is_gated": visibility != Visibility.ALL}


app_name = "api"
urlpatterns = api.urls[0]
