"""Which subscribers one send goes to: the editor's segment (everyone, free or paying members), decided by the
gate's own rules (membership.access.readers_for_users: paid tiers from subscriptions and complimentary access)."""

from masthead.membership.access import readers_for_users
from masthead.membership.models import Member
from masthead.newsletters.models import Segment

CHUNK = 1000


def in_segment(member_ids: list[int], segment: str) -> list[int]:
    """The members of `member_ids` in the segment, in their order; a fixed number of queries per thousand."""
    if segment == Segment.EVERYONE:
        return list(member_ids)
    want_paid = segment == Segment.PAID
    kept = []
    for start in range(0, len(member_ids), CHUNK):
        members = list(Member.objects.filter(pk__in=member_ids[start : start + CHUNK]).select_related("user"))
        readers = readers_for_users([member.user for member in members])
        kept_here = {
            member.pk
            for member in members
            if member.user_id in readers and readers[member.user_id].is_paid == want_paid
        }
        kept.extend(member_id for member_id in member_ids[start : start + CHUNK] if member_id in kept_here)
    return kept
