"""The Arabic, French and English editions in a real browser: the article, the gate, the sign-in and member pages
read entirely in their language (no English interface string on the Arabic and French pages), right to left
where they should, with no serious axe-core violation, at desktop and phone widths (issue 15, languages).

Screenshots land in the artifacts folder as lang-<language>-<page>-<width>.png."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Browser

from masthead.articles.models import ArticlePage

pytestmark = pytest.mark.browser

AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}
# One public piece and one for members in each edition (masthead/demo/content/articles).
EDITIONS = {
    "ar": ("solar-rooftops-municipal-debt", "bread-subsidy-smart-cards"),
    "fr": ("logements-vacants-taxe", "cantines-approvisionnement-local"),
    "en": ("who-gets-heard-in-consultations", "planning-appeals-halved"),
}
# Interface strings of the templates, as an English page shows them. Matched as whole words in the visible
# text and in the labels a screen reader reads (aria-label, placeholder, title, alt); readers' and authors' own
# words are content, not interface, and are left out (comments, names, the article's text).
ENGLISH_INTERFACE = [
    "Skip to content", "Sign in", "Sign up", "Subscribe", "Your account", "Search", "Search the articles",
    "Words, authors", "Archive", "Authors", "Topics", "By", "Latest", "Newer", "Older", "Sort", "Sort comments",
    "Oldest", "Newest", "Most voted", "comments", "comment", "Reply", "Report", "points", "point",
    "Post comment", "Your comment", "Sign in to join the discussion", "View all comments", "Load more comments",
    "Editors’ picks", "years ago", "months ago", "days ago", "Already a member", "Already a subscriber",
    "Membership is free", "E-mail address", "Your name", "optional", "Send me a link", "Subscribe now",
    "New articles by e-mail", "Subscribe by e-mail", "Your membership", "Signed in as", "Save", "Sign out",
    "Your data", "Delete my account", "Your subscription", "Free member", "Change your e-mail address",
    "Newsletters", "Inline feedback", "Select words", "Main", "Pages", "Months", "Topic", "Lead story",
    # The newsletters' subscribe prompt and pages, and the search page (merged after the catalogues were written).
    "to keep reading", "each new article by e-mail", "We send you a link to confirm first",
    "Subscribe to", "see the memberships", "Filters", "Did you mean", "results for", "result for",
    "Result pages", "For members", "Any language", "Previous", "Next",
]
SAME_IN_FRENCH = {"Discussion", "Pages", "Article", "point", "points"}  # the same words in French
USER_TEXT = ".article-body, .comment-body, .comment-author, .passage-quote, .author-bio, .byline .authors, " \
    ".member-email, .article-title, .standfirst, .card-title, .card-standfirst, .site-name, " \
    ".site-tagline, .kicker, .site-footer p > :first-child, .replying-to, .tier, .topics, .lead-image, .figure, " \
    ".snippet, .search-authors, .search-topics, .comment-meta a"


@pytest.fixture
def editions_site(demo_site):
    from masthead.accounts.factories import UserFactory, signed_in_session_key

    def path_of(slug):
        return urlsplit(ArticlePage.objects.live().get(slug=slug).get_full_url()).path

    member = UserFactory(display_name="Ama Member")
    paths = {language: (path_of(public), path_of(members)) for language, (public, members) in EDITIONS.items()}
    return {"base": demo_site, "session": signed_in_session_key(member), "paths": paths}


def pages_of(language: str, paths: tuple[str, str]) -> list[tuple[str, str, str]]:
    article, gated = paths
    suffix = "" if language == "en" else f"&lang={language}"
    account = "/members/account/" + ("" if language == "en" else f"?lang={language}")
    return [
        ("article", "anonymous", article),
        ("gate", "anonymous", gated),
        ("sign-in", "anonymous", f"/members/sign-in/?next={gated}{suffix}"),
        ("account", "member", account),
        ("article-member", "member", article),
        ("subscribe", "anonymous", "/subscribe/" + ("" if language == "en" else f"?lang={language}")),
        ("search", "anonymous", f"/search/?q=the{suffix}"),
    ]


def interface_text(page) -> str:
    """What the page says that is not content: visible text and accessible labels outside readers' words."""
    return page.evaluate(
        """(userText) => {
          const clone = document.body.cloneNode(true);
          clone.querySelectorAll(userText + ', script, style, template').forEach(node => node.remove());
          const labels = [...clone.querySelectorAll('[aria-label], [placeholder], [title], [alt]')].map(node =>
            ['aria-label', 'placeholder', 'title', 'alt'].map(name => node.getAttribute(name) || '').join(' '));
          document.body.append(clone);
          clone.hidden = false;
          const text = clone.innerText;
          clone.remove();
          return text + ' ' + labels.join(' ') + ' ' + document.title;
        }""",
        USER_TEXT,
    )


def english_in(text: str, language: str) -> list[str]:
    found = []
    for phrase in ENGLISH_INTERFACE:
        if language == "fr" and phrase in SAME_IN_FRENCH:
            continue
        if re.search(rf"(?<![\w’']){re.escape(phrase)}(?![\w’'])", text):
            found.append(phrase)
    return found


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}) x{len(violation['nodes'])}: {violation['nodes'][0]['target']}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_each_edition_reads_in_its_language_and_passes_axe(editions_site, browser: Browser, artifacts_dir):
    site = editions_site
    english, violations, wrong_direction = {}, {}, {}
    for width_name, width in WIDTHS.items():
        contexts = {}
        for reader in ("anonymous", "member"):
            context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
            if reader == "member":
                context.add_cookies(
                    [{"name": django_settings.SESSION_COOKIE_NAME, "value": site["session"], "url": site["base"]}]
                )
            contexts[reader] = context
        for language, paths in site["paths"].items():
            for name, reader, path in pages_of(language, paths):
                page = contexts[reader].new_page()
                response = page.goto(site["base"] + path)
                assert response is not None and response.status == 200, (language, name)
                page.screenshot(path=artifacts_dir / f"lang-{language}-{name}-{width_name}.png", full_page=True)
                where = f"{language} {name} at {width}px"
                direction = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
                if direction != [language, "rtl" if language == "ar" else "ltr"]:
                    wrong_direction[where] = direction
                if language != "en":
                    left = english_in(interface_text(page), language)
                    if left:
                        english[where] = left
                found = serious_violations(page)
                if found:
                    violations[where] = found
                page.close()
        for context in contexts.values():
            context.close()
    assert {"direction": wrong_direction, "english": english, "axe": violations} == {
        "direction": {}, "english": {}, "axe": {}
    }


def test_the_gates_subscribe_prompt_reads_in_the_articles_language(editions_site, browser: Browser):
    """The soft prompt (gate mode "soft prompt") offers the newsletters in the article's language."""
    from wagtail.models import Site

    from masthead.membership.models import GateSettings

    gate = GateSettings.for_site(Site.objects.get(is_default_site=True))
    gate.mode = "soft_prompt"
    gate.save()
    context = browser.new_context(bypass_csp=True)
    english = {}
    for language in ("ar", "fr"):
        page = context.new_page()
        page.goto(editions_site["base"] + editions_site["paths"][language][0])
        prompt = page.locator(".newsletter-prompt")
        assert prompt.count() == 1, language
        english[language] = english_in(interface_text(page), language)
        page.close()
    context.close()
    assert english == {"ar": [], "fr": []}


def test_the_english_list_finds_english(editions_site, browser: Browser):
    """The check above can fail: on an English page it finds the interface's English."""
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(editions_site["base"] + editions_site["paths"]["en"][1])
    found = english_in(interface_text(page), "en")
    assert {"Sign in", "Subscribe", "Skip to content", "Already a member", "E-mail address"} <= set(found)
    page.goto(editions_site["base"] + "/search/?q=the")
    assert {"Search", "Filters", "results for"} <= set(english_in(interface_text(page), "en"))
    page.context.close()
