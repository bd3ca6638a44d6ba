"""The search page: articles, authors and topics, and (listed apart) comments, with filters and pages."""

from django.shortcuts import render

from masthead.discussion.permissions import can_moderate
from masthead.membership.access import gate_policy, may_read_discussion, reader_for_request
from masthead.search.comments import (
    COMMENTS_ON_ARTICLES_PAGE,
    COMMENTS_WINDOW_ON_ARTICLES_PAGE,
    CommentResults,
    search_comments,
)
from masthead.search.forms import Kind, SearchForm
from masthead.search.query import parse_query
from masthead.search.results import PAGE_SIZE, SearchResults, search_articles
from masthead.search.suggestions import suggestion_for


def _found_anything(results: SearchResults, comments: CommentResults) -> bool:
    return bool(results.count or results.authors or results.topics or comments.count)


def search(request):
    data = request.GET.copy()
    # A NUL in the box is no word: dropped like other punctuation rather than refused (Django's form fields do).
    data["q"] = data.get("q", "").replace("\x00", " ")
    form = SearchForm(data)
    if not form.is_valid():
        context = {"form": form, "query": "", "results": None, "errors": form.errors.values()}
        return render(request, "search/search.html", context, status=400)
    query = form.cleaned_data["q"]
    kind = form.cleaned_data["kind"] or Kind.ARTICLES
    page_number = form.cleaned_data["page"] or 1
    parsed, filters = parse_query(query), form.filters()
    context = {"form": form, "query": query, "kind": kind, "results": None, "comments": None}
    if not query:
        return render(request, "search/search.html", context)
    reader, policy = reader_for_request(request), gate_policy(request)

    def run(parsed_query, page: int):
        """Articles (a page of them, and a few comments), or a page of comments alone."""
        on_comments = kind == Kind.COMMENTS
        articles = (
            SearchResults(articles=[])
            if on_comments
            else search_articles(parsed_query, reader, policy=policy, filters=filters, page_number=page)
        )
        comments = search_comments(
            parsed_query,
            may_read=lambda article: may_read_discussion(request, article),
            moderator=can_moderate(request.user),
            filters=filters,
            page_number=page if on_comments else 1,
            page_size=PAGE_SIZE if on_comments else COMMENTS_ON_ARTICLES_PAGE,
            window=None if on_comments else COMMENTS_WINDOW_ON_ARTICLES_PAGE,
        )
        return articles, comments

    results, comments = run(parsed, page_number)
    # "Did you mean" only when the query found nothing (a second search per page otherwise, issue 15) and the
    # suggestion finds something for this reader: never a dead end, nor a word they may not read. Its results are
    # shown as near matches.
    suggestion = suggestion_for(parsed) if parsed and not _found_anything(results, comments) else None
    if suggestion:
        near_results, near_comments = run(parse_query(suggestion), page_number)
        if not _found_anything(near_results, near_comments):
            suggestion = None
        else:
            results, comments = near_results, near_comments
            results.is_fuzzy = True
    context.update(results=results, comments=comments, suggestion=suggestion)
    return render(request, "search/search.html", context)
