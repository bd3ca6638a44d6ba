from django.urls import path

from masthead.syndication.feeds import ArticleFeed, AuthorFeed, TopicFeed, atom

app_name = "syndication"
urlpatterns = [
    path("rss/", ArticleFeed(), name="rss"),
    path("atom/", atom(ArticleFeed)(), name="atom"),
    path("topics/<slug:slug>/rss/", TopicFeed(), name="topic_rss"),
    path("topics/<slug:slug>/atom/", atom(TopicFeed)(), name="topic_atom"),
    path("authors/<slug:slug>/rss/", AuthorFeed(), name="author_rss"),
    path("authors/<slug:slug>/atom/", atom(AuthorFeed)(), name="author_atom"),
]
