from django.urls import path

from masthead.articles import views

app_name = "articles"
urlpatterns = [
    path("authors/", views.author_index, name="authors"),
    path("topics/", views.topic_index, name="topics"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("archive/", views.archive, name="archive"),
    path("archive/<year:year>/", views.archive, name="archive_year"),
    path("archive/<year:year>/<int:month>/", views.archive, name="archive_month"),
]
