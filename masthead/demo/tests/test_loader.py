"""The demo publication: what it contains, that loading it twice changes nothing, and bad content files."""

import re
import shutil
from html import unescape
from re import sub

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Site

from masthead.annotations.models import AnchorState, InlineAnchor
from masthead.articles.models import ArticlePage, Author, SectionPage, SourceOutlet
from masthead.core.time import relative_time
from masthead.demo.loader import CONTENT_DIR, DemoContentError, load_demo, parse_body
from masthead.discussion.models import Comment, Thread, Vote
from masthead.membership.models import Tier
from masthead.newsletters.models import Newsletter, Send

pytestmark = pytest.mark.django_db


def words(article: ArticlePage) -> int:
    text = " ".join(
        sub(r"<[^>]+>", " ", str(block.value.source if hasattr(block.value, "source") else block.value))
        for block in article.body
    )
    return len(unescape(text).split())


def test_demo_publication_is_a_realistic_outlet(client):
    load_demo()
    articles = list(ArticlePage.objects.live())
    assert len(articles) >= 12
    # Features run 800 to 2,000 words; the Arabic and French editions' briefs (sections /ar/ and /fr/) are shorter.
    editions = [article for article in articles if article.get_parent().slug in ("ar", "fr")]
    features = [article for article in articles if article not in editions]
    assert all(800 <= words(article) <= 2000 for article in features), [(a.slug, words(a)) for a in features]
    assert all(120 <= words(article) <= 2000 for article in editions), [(a.slug, words(a)) for a in editions]
    assert {article.language for article in editions} == {"ar", "fr"} and len(editions) >= 6
    assert SectionPage.objects.live().count() == 5
    assert Author.objects.exclude(bio="").count() >= 4
    assert SourceOutlet.objects.count() == 3
    republished = [article for article in articles if article.is_republished]
    assert len(republished) >= 4
    assert {article.source_outlet_id for article in republished} == set(
        SourceOutlet.objects.values_list("pk", flat=True)
    )
    assert {"ar", "fr"} <= {article.language for article in articles}
    assert all(article.topics.exists() and article.lead_image_id for article in articles)
    assert client.get("/").status_code == 200
    for article in articles:
        assert client.get(article.url).status_code == 200


def test_demo_shows_the_gate_the_tiers_and_an_argument_in_the_comments(client):
    load_demo()
    gated = {article.slug: article.access_level for article in ArticlePage.objects.exclude(access_level="public")}
    assert gated == {
        "planning-appeals-halved": "members",
        "dynamic-tariffs-households": "paid",
        "bread-subsidy-smart-cards": "members",  # the gate in the Arabic edition
        "cantines-approvisionnement-local": "members",  # and in the French one
    }
    assert list(Tier.objects.values_list("name", flat=True)) == ["Supporter", "Patron"]
    paid_page = client.get(ArticlePage.objects.get(slug="dynamic-tariffs-households").url).text
    assert "This article is for paying subscribers" in paid_page and "Subscriptions are not open yet" in paid_page

    old = ArticlePage.objects.get(slug="who-gets-heard-in-consultations")
    comments = Comment.objects.filter(thread__page=old)
    assert comments.count() == 8
    assert comments.filter(parent__isnull=False).count() == 5
    assert max(comment.depth for comment in comments) == 4
    assert Thread.objects.get(page=old).comment_count == 8
    leader = comments.get(body__startswith="The finding that stuck")
    assert (leader.upvotes, leader.downvotes) == (9, 0)
    assert Vote.objects.filter(comment=leader).count() == 9
    assert all(comment.created_at.year == 2014 for comment in comments)
    shown = relative_time(leader.created_at)
    assert shown.endswith("years ago") and shown in client.get(old.url).text


def test_demo_shows_passages_with_comments_on_several_articles(client):
    load_demo()
    anchors = InlineAnchor.objects.select_related("article").filter(state=AnchorState.EXACT)
    assert len({anchor.article.slug for anchor in anchors}) >= 3
    desalination = ArticlePage.objects.get(slug="desalination-or-leak-repair")
    page = client.get(desalination.url).text
    # The passages come with the page for the script to highlight, and the comments quote them.
    assert '"quote": "Desalination is energy-intensive"' in page or "Desalination is energy-intensive" in page
    assert page.count('class="comment-passage') == 2
    assert "inline-feedback-hint" in page


def test_loading_twice_changes_nothing():
    load_demo()
    counts = (
        ArticlePage.objects.count(), Author.objects.count(), SourceOutlet.objects.count(),
        Tier.objects.count(), Comment.objects.count(), Vote.objects.count(),
    )
    report = load_demo()
    assert report.created == []
    assert (
        ArticlePage.objects.count(), Author.objects.count(), SourceOutlet.objects.count(),
        Tier.objects.count(), Comment.objects.count(), Vote.objects.count(),
    ) == counts


def test_if_empty_leaves_an_existing_publication_alone(capsys):
    call_command("load_demo")
    ArticlePage.objects.first().delete()
    remaining = ArticlePage.objects.count()
    call_command("load_demo", "--if-empty")
    assert "already has a publication" in capsys.readouterr().out
    assert ArticlePage.objects.count() == remaining


def test_a_broken_content_file_is_refused_and_nothing_is_written(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    (content / "articles" / "99-broken.toml").write_text('slug = "broken"\nsection = "nowhere"\n')
    with pytest.raises(DemoContentError):
        load_demo(content)
    assert not ArticlePage.objects.exists()
    (content / "articles" / "99-broken.toml").write_text("this is = = not toml")
    with pytest.raises(DemoContentError, match="99-broken.toml"):
        load_demo(content)
    assert not SectionPage.objects.exists()


@pytest.mark.parametrize(
    "replace, message",
    [
        ('by = "dafydd"', 'by = "nobody"'),
        ('reply_to = "c1"', 'reply_to = "c99"'),
        ("up = 9", "up = 40"),
        ('passage = "Desalination is energy-intensive"', 'passage = "words the article never uses"'),
    ],
)
def test_a_broken_discussion_file_is_refused_and_nothing_is_written(tmp_path, replace, message):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    discussion = content / "discussion.toml"
    text = discussion.read_text()
    assert replace in text
    discussion.write_text(text.replace(replace, message, 1))
    with pytest.raises(DemoContentError, match="discussion.toml"):
        load_demo(content)
    assert not ArticlePage.objects.exists() and not Comment.objects.exists() and not Tier.objects.exists()


def test_command_reports_malformed_content_plainly(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    (content / "publication.toml").write_text("[outlet\n")
    with pytest.raises(CommandError, match="Demo content is malformed: publication.toml"):
        call_command("load_demo", "--content-dir", str(content))
    assert not ArticlePage.objects.exists()


def test_parse_body_understands_the_demo_markup():
    images = {}

    class FakeImage:
        def __init__(self, key):
            self.pk = len(images) + 1
            images[key] = self

    stream = parse_body(
        "## A heading\n\nPlain *emphasis* and [a link](https://example.org/x).\n\n"
        "> Quoted line one\n> line two\n> -- Someone, somewhere\n\n!! Big words.\n\n"
        "[image: harbour | The quay at dusk | Illustration: us]",
        FakeImage,
    )
    assert [block["type"] for block in stream] == [
        "section_heading",
        "paragraph",
        "block_quote",
        "pull_quote",
        "image",
    ]
    assert stream[1]["value"] == '<p>Plain <em>emphasis</em> and <a href="https://example.org/x">a link</a>.</p>'
    assert stream[2]["value"] == {"quote": "Quoted line one\nline two", "attribution": "Someone, somewhere"}
    assert stream[4]["value"]["caption"] == "The quay at dusk"
    assert stream[4]["value"]["image"] == images["harbour"].pk


def test_a_chart_is_drawn_from_the_figures_its_alt_text_reads_out():
    drawn = []

    def chart_for(caption, bars, unit):
        drawn.append((caption, bars, unit))
        return type("Chart", (), {"pk": 7})()

    [block] = parse_body("[chart: Cost per cubic metre. | Chart: us | Repair = 0.28; Desalination = 1.18 | $]", None, chart_for)
    assert drawn == [("Cost per cubic metre.", [("Repair", 0.28), ("Desalination", 1.18)], "$")]
    assert block["value"] == {
        "image": 7,
        "caption": "Cost per cubic metre.",
        "credit": "Chart: us",
        "alt_text": "Bar chart. Repair: 0.28$; Desalination: 1.18$.",
    }


def test_every_demo_chart_is_a_drawn_chart_with_matching_alt_text():
    # Issue 12: the demo's "chart" was an abstract landscape whose alt text (its caption) described a chart.
    from masthead.articles.models import ArticlePage

    load_demo()
    charts = [
        block.value
        for article in ArticlePage.objects.all()
        for block in article.body
        if block.block_type == "image" and "chart" in block.value["caption"].lower() + block.value["credit"].lower()
    ]
    assert len(charts) >= 3
    for chart in charts:
        assert chart["image"].title.startswith("Chart "), chart["caption"]
        assert chart["alt_text"].startswith("Bar chart. ")
        assert chart["image"].width == 1200


def test_the_demo_site_is_made_for_the_address_it_is_served_at(settings):
    # `PORT=8802 make run` serves at http://127.0.0.1:8802; the demo's Site must say so (full page URLs).
    settings.MASTHEAD_BASE_URL = "http://127.0.0.1:8802"
    load_demo()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8802)
    assert site.root_page.specific.title == "The Northwind Dispatch"


def test_demo_newsletters_are_offered_and_publishing_the_demo_mails_nobody(client, mailoutbox):
    load_demo()
    from_demo = {newsletter.slug: newsletter for newsletter in Newsletter.objects.prefetch_related("tiers")}
    assert set(from_demo) == {"new-articles", "weekly-briefing", "briefing-a-day-early"}
    assert [tier.slug for tier in from_demo["briefing-a-day-early"].tiers.order_by("sort_order")] == [
        "supporter",
        "patron",
    ]
    assert from_demo["weekly-briefing"].send_time.hour == 7
    assert not Send.objects.exists() and mailoutbox == []
    article = ArticlePage.objects.live().first()
    assert "New articles by e-mail" in client.get(article.url).text


def test_decorative_illustrations_carry_no_figures():
    """Issue 12: an illustration captioned with figures reads to a screen-reader user as a chart that is not
    there. Figures are drawn as charts (`[chart: ...]`), whose alt text reads them out."""
    for path in sorted((CONTENT_DIR / "articles").glob("*.toml")):
        for caption in re.findall(r"\[image: [^|\]]*\|([^|\]]*)", path.read_text()):
            assert not re.search(r"\d", caption), f"{path.name}: an illustration captioned with figures: {caption}"
