"""The signals apps send each other (connected in the receiving app's AppConfig.ready()).

`account_leaving`: a member's account is about to be deleted, inside the deletion's transaction (argument:
`user`). Each app forgets what it holds of them, keeping what others need (a conversation keeps its comments).

`personal_data_requested`: a member asked for everything kept about them (arguments: `user`, `request`). Each
receiver returns a dict of sections for the member's download (membership.personal_data).

`readers_see_changes`: something readers are shown changed in a way no saved row announces (a bulk update, a
re-anchoring of passages), sent after the commit. The page layer (masthead.delivery) then treats every cached
page as stale. Arguments: `content` (pages and what they show changed) and `membership` (who may read what).
"""

from django.dispatch import Signal

account_leaving = Signal()
personal_data_requested = Signal()
readers_see_changes = Signal()


def announce_changes(*, content: bool = False, membership: bool = False) -> None:
    readers_see_changes.send(sender=None, content=content, membership=membership)
