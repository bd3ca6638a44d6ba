"""What one request has worked out so far, in one documented object: `state_of(request)`.

The apps that decide something once per request (who the reader is, what the gate lets them read, which of
their own comments a shared page must show them) keep it here instead of in loose attributes on the request,
so that everything a request carries is listed in one place. Kept on the request as `request.masthead`.
"""

from dataclasses import dataclass
from typing import Any


@dataclass
class RequestState:
    # membership.access: the reader (Reader) and the site's gate settings (GatePolicy).
    reader: Any = None
    gate_policy: Any = None
    # membership.page_gate: what the article page decided for this reader, as (article id, ArticleReading),
    # and the anonymous reader's meter, whose cookie the response must carry.
    article_reading: tuple[int, Any] | None = None
    meter: Any = None
    # Set by the page layer when it fills each reader's own parts into the response (delivery.holes): the
    # discussion then renders its sections once for every reader of a kind, to be cached and shared.
    shares_sections: bool = False
    # discussion.viewer: the comments a shared discussion section shows (ShownComments), so that the page
    # layer can fill in this reader's own controls and votes; None when no shared section was shown.
    shown_comments: Any = None
    # True when the response holds something meant for this reader once (a notice after posting): such a
    # response is never cached for other readers.
    one_off: bool = False
    # delivery: the cache stamps read for this request (delivery.stamps.Stamps), and the thread state of the
    # article `thread_of` read with them (delivery.stamps.ThreadState).
    stamps: Any = None
    thread: Any = None
    thread_of: int | None = None
    # discussion.models.DiscussionSettings.current: the policy read first, kept for every decision of the request.
    discussion_policy: Any = None


def state_of(request) -> RequestState:
    """The request's state, made on first use."""
    try:
        return request.masthead
    except AttributeError:
        request.masthead = RequestState()
        return request.masthead
