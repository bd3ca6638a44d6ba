"""Who may see passages: an inline comment's quote and a highlight are article text, so membership.access decides.

Only a reader who may read the whole article gets highlights, quotes, the passage panel, the passage API and
the JSON-LD export; a reader kept to the preview (or out) gets none of them, not even for passages inside the
preview: the set of passages people discuss says what the article holds beyond it. In the discussion thread
the same rule is applied to the whole thread (membership.access.may_read_discussion), whose HTML is shared by
every reader of one kind, so the quotes in it need no decision of their own.
"""

from masthead.membership.access import Visibility, visibility_for_request


def can_see_passages(request, article) -> bool:
    return visibility_for_request(request, article) == Visibility.ALL
