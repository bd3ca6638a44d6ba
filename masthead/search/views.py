"""The search page."""

from django.shortcuts import render

from masthead.membership.access import gate_policy, reader_for_request
from masthead.search.query import parse_query
from masthead.search.results import SearchResults, search_articles

MAX_QUERY_LENGTH = 200


def search(request):
    query = request.GET.get("q", "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        return render(
            request,
            "search/search.html",
            {"query": "", "results": None, "error": f"Search for at most {MAX_QUERY_LENGTH} characters."},
            status=400,
        )
    parsed = parse_query(query)
    if query and not parsed:
        results = SearchResults(articles=[], authors=[])  # nothing searchable in it: punctuation only
    else:
        results = search_articles(parsed, reader_for_request(request), policy=gate_policy(request))
    return render(request, "search/search.html", {"query": query, "results": results if query else None})
