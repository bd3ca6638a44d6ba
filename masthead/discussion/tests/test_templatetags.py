"""Comment times read in the article's language, with the exact time in <time datetime> and its title."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from masthead.articles.factories import make_article
from masthead.core.time import local_datetime
from masthead.discussion.factories import make_comment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "relative"), [("fr", "il y a 3 heures"), ("ar", "قبل 3 ساعات"), ("en", "3 hours ago")]
)
def test_comment_times_on_the_article_page_are_in_its_language(client, section, language, relative):
    article = make_article(section=section, title=f"Article in {language}", language=language)
    comment = make_comment(article=article, created_at=timezone.now() - timedelta(hours=3, minutes=4))
    html = client.get(article.url).content.decode().replace("\xa0", " ").replace("\u202f", " ")
    with translation.override(language):
        exact = local_datetime(comment.created_at).replace("\xa0", " ").replace("\u202f", " ")
    assert f'<time datetime="{comment.created_at.isoformat()}" title="{exact}">{relative}</time>' in html


def test_the_tag_follows_the_article_in_context_and_falls_back_to_the_active_language(section):
    value = timezone.now() - timedelta(hours=3, minutes=1)
    template = Template("{% load discussion %}{% comment_time value %}")
    french = make_article(section=section, title="En français", language="fr")
    assert "il y a 3 heures" in template.render(Context({"value": value, "article": french}))
    assert "3 hours ago" in template.render(Context({"value": value}))


def test_a_lone_comment_fragment_finds_the_language_through_its_thread(section):
    from masthead.discussion.models import Comment

    arabic = make_article(section=section, title="بالعربية", language="ar")
    comment = make_comment(article=arabic, created_at=timezone.now() - timedelta(hours=3, minutes=1))
    comment = Comment.objects.select_related("thread").get(pk=comment.pk)
    template = Template("{% load discussion %}{% comment_time comment.created_at %}")
    assert "قبل 3 ساعات" in template.render(Context({"comment": comment, "thread": comment.thread}))
