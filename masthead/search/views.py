"""The search page."""

from django.shortcuts import render

from masthead.membership.access import gate_policy, reader_for_request
from masthead.search.results import search_articles

MAX_QUERY_LENGTH = 200


def search(request):
    query = request.GET.get("q", "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        return render(
            request,
            "search/search.html",
            {"query": "", "results": [], "error": f"Search for at most {MAX_QUERY_LENGTH} characters."},
            status=400,
        )
    results = (
        search_articles(query, reader_for_request(request), policy=gate_policy(request)) if query else []
    )
    return render(request, "search/search.html", {"query": query, "results": results})
