"""Pagination that treats a bad `?page=` as a missing page (404), never as a server error."""

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404


def paginate(request, items, per_page: int | None = None) -> Page:
    paginator = Paginator(items, per_page or settings.MASTHEAD_PAGE_SIZE)
    raw_number = request.GET.get("page", "1")
    try:
        return paginator.page(raw_number)
    except (PageNotAnInteger, EmptyPage) as error:
        raise Http404(f"There is no page {raw_number[:20]!r} of this list.") from error
