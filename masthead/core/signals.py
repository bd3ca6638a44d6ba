"""The signals apps send each other (connected in the receiving app's AppConfig.ready()).

`readers_see_changes`: something readers are shown changed in a way no saved row announces (a bulk update, a
re-anchoring of passages), sent after the commit. The page layer (masthead.delivery) then treats every cached
page as stale. Arguments: `content` (pages and what they show changed) and `membership` (who may read what).
"""

from django.dispatch import Signal

readers_see_changes = Signal()


def announce_changes(*, content: bool = False, membership: bool = False) -> None:
    readers_see_changes.send(sender=None, content=content, membership=membership)
