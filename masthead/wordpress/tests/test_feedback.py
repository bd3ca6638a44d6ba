"""wpDiscuz inline feedback: the shortcode becomes a feedback point on its passage, the comments that answer it
inline comments on that passage; what the export cannot place stays in the thread, and the report says so."""

from masthead.annotations.models import FeedbackPoint, InlineAnchor
from masthead.articles.models import ArticlePage
from masthead.discussion.models import Comment
from masthead.wordpress.actions import check_import_wordpress, do_import_wordpress
from masthead.wordpress.feedback import LEFT_IN_THREAD, extract

COMMENT = """<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author>{author}</wp:comment_author>
<wp:comment_content>{text}</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_date_gmt>2024-05-02 09:00:00</wp:comment_date_gmt>
{meta}</wp:comment>"""
FORM = "<wp:commentmeta><wp:meta_key>wpdiscuz_feedback_form_id</wp:meta_key><wp:meta_value>{}</wp:meta_value></wp:commentmeta>"
EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_blog_url>https://fjord.example</wp:base_blog_url>
<item><title>The ferry timetable</title><dc:creator>ola</dc:creator><wp:post_id>21</wp:post_id>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_date_gmt>2024-05-01 08:00:00</wp:post_date_gmt>
<content:encoded><![CDATA[<p>The council met on Tuesday.</p>
<p>From June, [wpdiscuz-feedback id="k3x9" question="Does the early boat suit you?"]the first ferry leaves at
<em>five</em>[/wpdiscuz-feedback], an hour earlier than now.</p>
<p>[wpdiscuz-feedback id="dup1" question="Again?"]the[/wpdiscuz-feedback] fares stay the same.</p>]]></content:encoded>
{comments}</item>
<item><title>Not yet</title><wp:post_id>22</wp:post_id><wp:status>draft</wp:status><wp:post_type>post</wp:post_type>
<content:encoded><![CDATA[<p>[wpdiscuz-feedback id="d1" question="Q"]words[/wpdiscuz-feedback]</p>]]></content:encoded>
</item></channel></rss>"""


def export(tmp_path):
    comments = "".join([
        COMMENT.format(id=1, author="Sigrid", text="Too early for me.", parent=0, meta=FORM.format("k3x9")),
        COMMENT.format(id=2, author="Tor", text="Same here.", parent=1, meta=FORM.format("k3x9")),
        COMMENT.format(id=3, author="Unni", text="Which passage?", parent=0, meta=FORM.format("gone7")),
        COMMENT.format(id=4, author="Vidar", text="Twice?", parent=0, meta=FORM.format("dup1")),
        COMMENT.format(id=5, author="Wenche", text="A plain comment.", parent=0, meta=""),
    ])
    path = tmp_path / "feedback.xml"
    path.write_text(EXPORT.format(comments=comments), encoding="utf-8")
    return path


def test_extract_keeps_the_passage_and_reads_the_attributes():
    text, found = extract('<p>a [wpdiscuz-feedback id="x1" question="Why &amp; how?"]the <b>bold</b>\n words'
                          "[/wpdiscuz-feedback] b</p>")
    assert text == "<p>a the <b>bold</b>\n words b</p>"
    assert [(s.form_id, s.question, s.passage) for s in found] == [("x1", "Why & how?", "the bold words")]


def test_feedback_points_and_inline_comments(home, tmp_path):
    path = export(tmp_path)
    report = do_import_wordpress(checked=check_import_wordpress(path=path))
    article = ArticlePage.objects.get(slug="the-ferry-timetable")
    assert "wpdiscuz-feedback" not in str(article.body.raw_data)
    point = FeedbackPoint.objects.get()
    assert (point.article_id, point.question) == (article.pk, "Does the early boat suit you?")
    assert " ".join(point.quote_exact.split()) == "the first ferry leaves at five" and point.is_attached
    anchored = InlineAnchor.objects.filter(feedback_point=point).order_by("comment__created_at")
    assert [a.comment.guest_name for a in anchored] == ["Sigrid", "Tor"]
    assert all(a.quote_exact == point.quote_exact and a.block_id == point.block_id for a in anchored)
    # "the" occurs more than once: no point; its comment, and one naming no shortcode, stay in the thread.
    assert report.created["inline comments"] == 2 and report.created[LEFT_IN_THREAD] == 2
    assert not InlineAnchor.objects.filter(comment__guest_name__in=["Unni", "Vidar", "Wenche"]).exists()
    assert Comment.objects.filter(thread__page=article).count() == 5
    assert any("'dup1' not placed" in w and "more than once" in w for w in report.warnings)
    assert any("'gone7'" in w and "kept in the thread" in w for w in report.warnings)
    assert any("'d1' not placed: the post is not published" in w for w in report.warnings)
    again = do_import_wordpress(checked=check_import_wordpress(path=path))
    assert again.created == {} and FeedbackPoint.objects.count() == 1 and InlineAnchor.objects.count() == 2


def test_a_comment_added_later_answers_the_point_placed_by_the_first_run(home, tmp_path):
    path = export(tmp_path)
    do_import_wordpress(checked=check_import_wordpress(path=path))
    later = tmp_path / "later.xml"
    later.write_text(path.read_text(encoding="utf-8").replace(
        "</item>", COMMENT.format(id=6, author="Yngve", text="Late.", parent=0, meta=FORM.format("k3x9")) + "</item>",
        1), encoding="utf-8")
    report = do_import_wordpress(checked=check_import_wordpress(path=later))
    assert report.created == {"comments": 1, "inline comments": 1}
    assert InlineAnchor.objects.get(comment__guest_name="Yngve").feedback_point == FeedbackPoint.objects.get()
