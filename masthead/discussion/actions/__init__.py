"""Every write to the discussion, one module a topic; import from the module (no re-exports here).

`check_*` validates a request and calls `do_*`, which assumes valid input. The page, the JSON API, the Wagtail
admin and the import command all go through these functions, so a comment is checked, stored, counted, logged
and announced the same way whichever door it came in by.

- `threads`: an article's thread (found or started), closing and reopening it.
- `comments`: posting, editing and deleting comments.
- `votes`: votes and the tallies recounted from them.
- `moderation`: the editors' queue actions, readers' reports, a moderator's edit.
- `bans`: banning and unbanning members and guests' addresses.
- `subscriptions`: following replies, guests' address confirmation, unsubscribing, the reply notifications.
- `imports`: comments brought from another system (the WordPress import), and settling their thread.
- `privacy`: commenters' IP addresses, kept only as keyed hashes and forgotten after a while.
"""
