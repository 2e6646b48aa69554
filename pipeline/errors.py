"""Errors that carry a reason a user can act on."""


class InputError(ValueError):
    """An input that cannot become an article: the message says why, in one line."""
