"""Errors a user can act on. The CLI prints their message as one line, never a traceback."""


class AbreastError(Exception):
    """A failure with a message that says what went wrong and how to fix it."""


class ConfigError(AbreastError):
    pass


class StoreError(AbreastError):
    pass


class NotFound(AbreastError):
    """The item, story, source or model asked for does not exist; the web app answers 404."""


class NotInstalled(AbreastError):
    """An optional dependency is missing; the message carries the exact install command."""

    def __init__(self, package: str, extra: str):
        super().__init__(
            f"{package} is not installed. Install it with: pip install 'abreast[{extra}]'"
        )
