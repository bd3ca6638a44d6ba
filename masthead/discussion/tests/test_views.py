"""The thread under an article and the plain form posts: what a reader without JavaScript gets."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.accounts.factories import UserFactory
from masthead.articles.factories import make_article
from masthead.discussion.actions.threads import thread_for
from masthead.discussion.factories import allow_guests, make_comment
from masthead.discussion.models import Comment, CommentStatus, Flag, Thread, Vote

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def comment_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li class="comment-item[^"]*" id="comment-(\d+)"', html)]


def bulk_thread(article, count: int, *, reply_share: float = 0.2) -> list[Comment]:
    """`count` approved comments, a share of them replies, written in bulk (the actions are tested elsewhere)."""
    thread = thread_for(article)
    authors = [UserFactory() for _ in range(5)]
    start = timezone.now() - timedelta(days=10)
    tops = int(count * (1 - reply_share))
    roots = Comment.objects.bulk_create(
        Comment(thread=thread, author=authors[n % 5], body=f"c{n}", body_html=f"<p>c{n}</p>",
                status=CommentStatus.APPROVED, created_at=start + timedelta(seconds=n))
        for n in range(tops)
    )
    if not roots[0].pk:  # backends without RETURNING: read the ids back
        roots = list(Comment.objects.filter(thread=thread).order_by("created_at"))
    Comment.objects.filter(thread=thread).update(root=models_F("pk"))
    replies = [
        Comment(thread=thread, parent=roots[n % tops], root_id=roots[n % tops].pk, depth=2, author=authors[n % 5],
                body=f"r{n}", body_html=f"<p>r{n}</p>", status=CommentStatus.APPROVED,
                created_at=start + timedelta(seconds=tops + n))
        for n in range(count - tops)
    ]
    Comment.objects.bulk_create(replies)
    Thread.objects.filter(pk=thread.pk).update(comment_count=count)
    return roots


def models_F(name):
    from django.db.models import F

    return F(name)


def test_article_page_shows_the_thread_with_times_scores_and_permalinks(client, article, member):
    top = make_comment(article=article, author=member, body="The **main** point.")
    make_comment(parent=top, body="A reply.")
    html = text(client.get(article.url))
    assert '<section id="discussion"' in html
    assert "2 comments" in html
    assert "<strong>main</strong>" in html
    assert re.search(rf'<time datetime="{re.escape(top.created_at.isoformat())}" title="[^"]+">now</time>', html)
    assert f'href="/discussion/comment/{top.pk}/"' in html
    assert "0 points" in html
    assert comment_ids(html) == [top.pk, top.pk + 1]
    assert "Sign in to join the discussion</a>." in html


def test_relative_times_are_localised_with_the_exact_time(client, article):
    make_comment(article=article, created_at=timezone.now() - timedelta(days=365 * 12 + 5))
    html = text(client.get(article.url))
    assert "12 years ago" in html


def test_nesting_stops_at_depth_four_and_deeper_replies_say_whom_they_answer(client, article):
    names = [UserFactory(display_name=f"Person {n}") for n in range(6)]
    comment = make_comment(article=article, author=names[0])
    chain = [comment]
    for depth in range(1, 6):
        chain.append(make_comment(parent=chain[-1], author=names[depth]))
    html = text(client.get(article.url))
    assert html.count('class="replies"') == 3  # levels 2, 3 and 4 nest; 5 and 6 sit beside level 4
    assert f'id="comment-{chain[4].pk}"' in html and "in reply to <bdi>Person 3</bdi>" in html
    assert "in reply to <bdi>Person 4</bdi>" in html
    assert "in reply to <bdi>Person 2</bdi>" not in html


def test_sorts_oldest_newest_and_most_voted_with_wilson(client, article):
    lucky = make_comment(article=article, created_at=timezone.now() - timedelta(hours=3))
    solid = make_comment(article=article, created_at=timezone.now() - timedelta(hours=2))
    newest = make_comment(article=article, created_at=timezone.now() - timedelta(hours=1))
    Comment.objects.filter(pk=lucky.pk).update(upvotes=1, score=1, wilson=0.2065)
    Comment.objects.filter(pk=solid.pk).update(upvotes=50, downvotes=5, score=45, wilson=0.8)
    assert comment_ids(text(client.get(article.url))) == [lucky.pk, solid.pk, newest.pk]
    assert comment_ids(text(client.get(article.url + "?sort=newest"))) == [newest.pk, solid.pk, lucky.pk]
    assert comment_ids(text(client.get(article.url + "?sort=votes"))) == [solid.pk, lucky.pk, newest.pk]


def test_chosen_sort_is_in_the_url_and_remembered(client, article):
    make_comment(article=article)
    response = client.get(f"/discussion/{article.pk}/sort/newest/")
    assert response.status_code == 302 and response["Location"] == f"{article.url}?sort=newest#discussion"
    assert client.cookies["discussion_sort"].value == "newest"
    html = text(client.get(article.url))
    assert re.search(r'data-sort-link="newest" aria-current="true"', html)
    assert client.get(f"/discussion/{article.pk}/sort/sideways/").status_code == 404


def test_first_fifty_conversations_then_load_more_and_view_all(client, article):
    roots = bulk_thread(article, 60, reply_share=0)
    html = text(client.get(article.url))
    assert comment_ids(html) == [root.pk for root in roots[:50]]
    assert f'href="/discussion/{article.pk}/?sort=oldest&amp;page=2"' in html
    assert "View all comments" in html
    second = text(client.get(f"/discussion/{article.pk}/?sort=oldest&page=2"))
    assert comment_ids(second) == [root.pk for root in roots[50:]]
    assert "Load more comments" not in second
    assert client.get(f"/discussion/{article.pk}/?page=3").status_code == 404
    assert client.get(f"/discussion/{article.pk}/?page=abc").status_code == 404


def test_permalink_beyond_the_first_page_lands_on_the_right_page(client, article):
    roots = bulk_thread(article, 120, reply_share=0)
    first = client.get(f"/discussion/comment/{roots[3].pk}/")
    assert first["Location"] == f"{article.url}#comment-{roots[3].pk}"
    deep = client.get(f"/discussion/comment/{roots[110].pk}/")
    assert deep["Location"] == f"/discussion/{article.pk}/?sort=oldest&page=3#comment-{roots[110].pk}"
    page = text(client.get(deep["Location"].split("#")[0]))
    assert f'id="comment-{roots[110].pk}"' in page
    newest = client.get(f"/discussion/comment/{roots[110].pk}/?sort=newest")
    assert newest["Location"] == f"{article.url}?sort=newest#comment-{roots[110].pk}"


def test_member_posts_replies_votes_edits_and_deletes_with_plain_forms(client, article, member, other_member):
    theirs = make_comment(article=article, author=other_member)
    client.force_login(member)
    posted = client.post(f"/discussion/{article.pk}/post/", {"body": "Mine *too*", "subscribe": "on"})
    mine = Comment.objects.get(author=member)
    assert posted.status_code == 303 and posted["Location"] == f"/discussion/comment/{mine.pk}/"
    assert mine.subscriptions.count() == 1
    replied = client.post(f"/discussion/{article.pk}/post/", {"body": "Replying", "parent_id": theirs.pk})
    assert replied.status_code == 303
    assert Comment.objects.get(body="Replying").parent == theirs
    assert client.post(f"/discussion/comment/{theirs.pk}/vote/", {"value": "1"}).status_code == 303
    theirs.refresh_from_db()
    assert theirs.score == 1
    html = text(client.get(article.url))
    assert 'aria-pressed="true"><span class="visually-hidden">Vote up, </span>' in html
    assert f'href="/discussion/comment/{mine.pk}/edit/"' in html
    assert client.get(f"/discussion/comment/{mine.pk}/edit/").status_code == 200
    assert client.post(f"/discussion/comment/{mine.pk}/edit/", {"body": "Changed"}).status_code == 303
    mine.refresh_from_db()
    assert mine.body == "Changed" and mine.edited_at
    assert "edited" in text(client.get(article.url))
    assert client.post(f"/discussion/comment/{mine.pk}/delete/").status_code == 303
    assert not Comment.objects.filter(pk=mine.pk).exists()


def test_reply_page_offers_to_quote_the_comment(client, article, member):
    parent = make_comment(article=article, body="Line one\nline two")
    client.force_login(member)
    html = text(client.get(f"/discussion/comment/{parent.pk}/reply/?quote=1"))
    assert "wrote:\n\n&gt; Line one\n&gt; line two" in html
    assert f'name="parent_id" value="{parent.pk}"' in html


def test_report_form_records_a_flag(client, article, member):
    comment = make_comment(article=article)
    client.force_login(member)
    assert "Off topic" in text(client.get(f"/discussion/comment/{comment.pk}/report/"))
    response = client.post(f"/discussion/comment/{comment.pk}/report/", {"reason": "off_topic"})
    assert response.status_code == 303
    assert Flag.objects.get().reason == "off_topic"
    assert "an editor will look" in text(client.get(article.url))


def test_held_comment_tells_the_reader_it_awaits_approval(client, article):
    allow_guests(hold=True)
    response = client.post(
        f"/discussion/{article.pk}/post/", {"body": "Guest words", "name": "Gus", "email": "gus@example.org"}
    )
    assert response.status_code == 303 and response["Location"] == f"{article.url}#discussion"
    html = text(client.get(article.url))
    assert "will appear once an editor has approved it" in html
    assert "Guest words" not in html


BAD_POSTS = [
    ({"body": ""}, "empty"),
    ({"body": "x" * 10_001}, "10,000 characters"),
    ({"body": "```\nno end"}, "never closed"),
    ({"body": "ok", "parent_id": "999999"}, "does not exist"),
]


@pytest.mark.parametrize("data, message", BAD_POSTS)
def test_bad_posts_get_a_400_with_a_message_and_write_nothing(client, article, member, data, message):
    client.force_login(member)
    response = client.post(f"/discussion/{article.pk}/post/", data)
    assert response.status_code == 400
    assert message in text(response)
    assert Comment.objects.count() == 0


def test_invalid_utf8_gets_a_400(client, article, member):
    client.force_login(member)
    response = client.generic(
        "POST", f"/discussion/{article.pk}/post/", b"body=caf%E9+au+lait",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400 and "not valid UTF-8" in text(response)
    assert Comment.objects.count() == 0


def test_replies_to_other_articles_or_deleted_comments_and_bad_votes_get_400(client, article, member, section):
    other = make_comment(article=make_article(section=section))
    gone = make_comment(article=article)
    make_comment(parent=gone)
    from masthead.discussion.actions.comments import do_delete_comment

    do_delete_comment(comment=gone)
    own = make_comment(article=article, author=member)
    client.force_login(member)
    before = (Comment.objects.count(), Vote.objects.count())
    cases = [
        (f"/discussion/{article.pk}/post/", {"body": "hi", "parent_id": other.pk}, "another article"),
        (f"/discussion/{article.pk}/post/", {"body": "hi", "parent_id": gone.pk}, "deleted"),
        (f"/discussion/comment/{own.pk}/vote/", {"value": "1"}, "your own"),
        (f"/discussion/comment/{other.pk}/vote/", {"value": "5"}, "+1"),
    ]
    for url, data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400, url
        assert message in text(response)
    assert (Comment.objects.count(), Vote.objects.count()) == before


def test_forms_without_a_csrf_token_are_refused(article, member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(f"/discussion/{article.pk}/post/", {"body": "hi"}).status_code == 403
    assert Comment.objects.count() == 0


def test_comment_count_on_cards_and_in_the_article_header(client, section):
    article = make_article(section=section, title="Counted")
    make_comment(article=article)
    make_comment(article=article)
    assert '2 comments</a>' in text(client.get(article.url))
    assert f'href="{article.url}#discussion">2 comments</a>' in text(client.get(section.url))


def _thread_page_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_thread_query_count_is_flat_from_ten_to_ten_thousand_comments(client, section, member):
    small, large = make_article(section=section), make_article(section=section)
    bulk_thread(small, 10)
    bulk_thread(large, 10_000)
    client.force_login(member)
    for path in ("", "?sort=votes", "?sort=newest"):
        assert _thread_page_queries(client, small.url + path) == _thread_page_queries(client, large.url + path)
    assert _thread_page_queries(client, f"/discussion/{small.pk}/?page=1") == _thread_page_queries(
        client, f"/discussion/{large.pk}/?page=2"
    )


def test_signed_out_readers_get_cached_html_that_a_write_refreshes_at_once(client, article, member):
    make_comment(article=article, body="Before")
    assert "Before" in text(client.get(article.url))
    with CaptureQueriesContext(connection) as cached:
        client.get(article.url)
    assert not any("discussion_comment" in query["sql"] for query in cached.captured_queries)
    from masthead.discussion.actions.comments import check_post_comment

    check_post_comment(page=article, user=member, body="After")
    assert "After" in text(client.get(article.url))


def test_deleting_an_article_takes_its_discussion_with_it(article):
    top = make_comment(article=article)
    make_comment(parent=make_comment(parent=top))
    article.delete()
    assert Comment.objects.count() == 0 and Thread.objects.count() == 0
