"""Reader views outside the page tree: the authors and topics, each one's page, and the archive."""

import calendar
from datetime import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from masthead.articles.models import ArticlePage, Author, Topic
from masthead.core.pagination import paginate


def _published_articles():
    return ArticlePage.objects.live().public().for_listing()


def author_index(request):
    """Every author with a published article, with how many they have."""
    published = Q(article_credits__page__in=_published_articles().values("pk"))
    authors = (
        Author.objects.annotate(article_count=Count("article_credits", filter=published))
        .filter(article_count__gt=0)
        .order_by("name")
    )
    return render(request, "articles/author_index.html", {"authors": authors})


def topic_index(request):
    """Every topic with a published article, with how many it has."""
    published = Q(articles__in=_published_articles().values("pk"))
    topics = (
        Topic.objects.annotate(article_count=Count("articles", filter=published))
        .filter(article_count__gt=0)
        .order_by("name")
    )
    return render(request, "articles/topic_index.html", {"topics": topics})


def author_detail(request, slug):
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    articles = _published_articles().filter(article_authors__author=author)
    return render(request, "articles/author.html", {"author": author, "page_obj": paginate(request, articles)})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    articles = _published_articles().filter(topics=topic)
    return render(request, "articles/topic.html", {"topic": topic, "page_obj": paginate(request, articles)})


def archive(request, year=None, month=None):
    """Articles by year and month; the index lists the months that have any."""
    articles = _published_articles()
    if year is not None:
        if month is not None and not 1 <= month <= 12:
            raise Http404("There is no such month.")
        try:
            start = datetime(year, month or 1, 1, tzinfo=timezone.get_current_timezone())
        except ValueError as error:
            raise Http404("There is no such date.") from error
        if month is None:
            end = start.replace(year=year + 1) if year < 9999 else None
        else:
            end = start.replace(year=year + month // 12, month=month % 12 + 1) if year < 9999 else None
        articles = articles.filter(first_published_at__gte=start)
        if end is not None:
            articles = articles.filter(first_published_at__lt=end)
    # One row per month that has articles, with their count (in the site's time zone, as the month pages are).
    months = (
        ArticlePage.objects.live()
        .public()
        .annotate(month_start=TruncMonth("first_published_at"))
        .values("month_start")
        .annotate(article_count=Count("pk"))
        .order_by("-month_start")
    )
    context = {
        "year": year,
        "month": month,
        "month_name": calendar.month_name[month] if month else "",
        "months": months,
        "page_obj": paginate(request, articles) if year is not None else None,
    }
    return render(request, "articles/archive.html", context)
