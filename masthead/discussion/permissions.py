"""Who may moderate the discussion: the one check the actions, the API, the admin and the notices share."""

# Given to Wagtail's Editors and Moderators groups (migration 0006) and offered in the admin's group editor.
MODERATE_PERMISSION = "discussion.change_comment"


def can_moderate(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(MODERATE_PERMISSION))
