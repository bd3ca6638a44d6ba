"""The one error the discussion's checks raise: a message for the reader and the HTTP status that fits it."""


class DiscussionError(Exception):
    """A request the discussion refuses; nothing has been written when it is raised."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status
