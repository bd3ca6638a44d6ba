"""RSS 2.0 and Atom feeds of the whole site, a topic and an author."""

import copy

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from masthead.articles.models import ArticlePage, Author, PublicationSettings, Topic
from masthead.membership.access import gate_policy, is_free_to_everyone

MEMBERS_CATEGORY = "For members"


class ArticleFeed(Feed):
    """The newest articles; subclasses narrow the list. Items carry the standfirst, never the body.

    A feed has no reader, so it is read as an anonymous one: gated articles are labelled as such through
    membership.access, and no item ever carries more than what an anonymous reader may read.
    """

    feed_type = Rss201rev2Feed

    def __call__(self, request, *args, **kwargs):
        # One feed object serves every request: give each request its own copy to hold the request.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return None

    def publication(self):
        return PublicationSettings.for_request(self.request)

    def title(self, obj):
        return self.publication().name

    def description(self, obj):
        return self.publication().tagline

    def link(self, obj):
        return "/"

    def articles(self, obj):
        return ArticlePage.objects.live().public()

    def items(self, obj):
        articles = self.articles(obj).for_listing().prefetch_related("allowed_tiers")
        return articles[: settings.MASTHEAD_FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst

    def item_link(self, item):
        return item.get_url(self.request)

    def item_guid(self, item):
        return f"{settings.MASTHEAD_BASE_URL}/?p={item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at

    def item_author_name(self, item):
        return ", ".join(credit.author.name for credit in item.article_authors.all())

    def item_categories(self, item):
        categories = [item.section_title] if item.section_title else []
        if not is_free_to_everyone(item, gate_policy(self.request)):
            categories.append(MEMBERS_CATEGORY)
        return categories


class TopicFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return f"{self.publication().name}: {topic.name}"

    def link(self, topic):
        return topic.get_absolute_url()

    def articles(self, topic):
        return super().articles(topic).filter(topics=topic)


class AuthorFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, author):
        return f"{self.publication().name}: {author.name}"

    def link(self, author):
        return author.get_absolute_url()

    def articles(self, author):
        return super().articles(author).filter(article_authors__author=author)


def atom(feed_class):
    class AtomVersion(feed_class):
        feed_type = Atom1Feed

        def subtitle(self, obj):
            return self.description(obj)

    AtomVersion.__name__ = f"Atom{feed_class.__name__}"
    return AtomVersion
