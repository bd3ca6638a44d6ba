"""Who may moderate the discussion: the one check the actions, the API and the admin share."""


def can_moderate(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm("discussion.change_comment"))
