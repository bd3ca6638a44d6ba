"""Authors, sections and topics of the imported posts, made when a post first needs them (with their old
addresses redirected). Part of the importer (`importer.Importer`), kept apart for its size."""

from urllib.parse import unquote

from django.urls import reverse

from masthead.articles.models import Author, SectionPage, Topic
from masthead.wordpress import wxr
from masthead.wordpress.models import ImportedKind
from masthead.wordpress.wp_values import make_slug

DEFAULT_SECTION = ("archive", "Archive")


class PeopleAndPlacesMixin:
    def author(self, login: str) -> Author:
        found = self.existing(Author, ImportedKind.AUTHOR, login)
        if found is not None:
            return found
        declared = self.authors.get(login) or wxr.Author(login=login)
        full_name = f"{declared.first_name} {declared.last_name}".strip()
        name = (declared.display_name or full_name or login or "Unknown author")[:120]
        slug = base = make_slug(login, name, "author", max_length=110)
        existing = Author.objects.filter(slug=slug).first()
        number = 1
        while existing is not None and existing.name != name:
            number += 1
            slug = f"{base}-{number}"
            existing = Author.objects.filter(slug=slug).first()
        author = existing or Author.objects.create(name=name, slug=slug)
        self.remember(ImportedKind.AUTHOR, login, author.pk, email=declared.email, obj=author)
        self.redirects.author(login, declared.wp_id, author)
        return author

    def section(self, slug: str, name: str) -> SectionPage:
        found = self.existing(SectionPage, ImportedKind.SECTION, slug)
        if found is not None:
            return found
        term = self.terms.get(("category", slug))
        section_slug = make_slug(slug, name, "section")
        section = SectionPage.objects.child_of(self.home).filter(slug=section_slug).first()
        if section is None:
            section = self.home.add_child(instance=SectionPage(
                title=(name or slug)[:255], slug=section_slug, intro=term.description if term else ""))
            section.save_revision().publish()
        self.remember(ImportedKind.SECTION, slug, section.pk, obj=section)
        self.redirects.term("category", self.term_path("category", slug), term.wp_id if term else "",
                            page_id=section.pk)
        return section

    def topic(self, taxonomy: str, slug: str, name: str) -> Topic:
        found = self.existing(Topic, ImportedKind.TOPIC, f"{taxonomy}:{slug}")
        if found is not None:
            return found
        name = (name or unquote(slug))[:80]
        topic_slug = make_slug(slug, name, "topic", max_length=80)
        topic = Topic.objects.filter(slug=topic_slug).first() or Topic.objects.filter(name=name).first()
        if topic is None:
            topic = Topic.objects.create(name=name, slug=topic_slug)
        self.remember(ImportedKind.TOPIC, f"{taxonomy}:{slug}", topic.pk, obj=topic)
        term = self.terms.get((taxonomy, slug))
        self.redirects.term(taxonomy, self.term_path(taxonomy, slug), term.wp_id if term else "",
                            link=topic.get_absolute_url(),
                            feed=reverse("syndication:topic_rss", kwargs={"slug": topic.slug}))
        return topic

    def term_path(self, taxonomy: str, slug: str) -> list[str]:
        """The term's slugs from its top ancestor down, as in WordPress's `/category/parent/child/`."""
        path = [slug]
        term = self.terms.get((taxonomy, slug))
        while term is not None and term.parent_slug and term.parent_slug not in path and len(path) < 10:
            path.insert(0, term.parent_slug)
            term = self.terms.get((taxonomy, term.parent_slug))
        return path

    def place(self, item: wxr.Item) -> tuple[SectionPage, list[Topic]]:
        """The post's section and topics, from its categories and tags as `--categories-as` says."""
        section, topics = None, []
        for taxonomy, slug, name in item.terms:
            slug = slug or make_slug(name)
            if taxonomy == "category" and self.categories_as == "sections" and section is None:
                section = self.section(slug, name)
            elif taxonomy in ("category", "post_tag"):
                topics.append(self.topic(taxonomy, slug, name))
        return section or self.section(*DEFAULT_SECTION), list({topic.pk: topic for topic in topics}.values())
