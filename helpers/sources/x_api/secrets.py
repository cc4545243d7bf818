"""Keeping the bearer token out of messages, logs and ``repr``: :class:`Token`, :func:`redact`, and the log filter.

Every :class:`Token` made in this process registers its value, so :func:`redact` can replace it anywhere in a text.
:func:`install_redaction` puts a filter on tweepy's loggers (tweepy logs request headers at DEBUG, the
``Authorization`` one too) and on this package's logger; the live sources call it when they start, and
``mount_base_url`` when it wires a tweepy session, so importing the package changes no logging set-up.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
from urllib.parse import unquote

#: The one logger of this package (every module logs here, so one filter covers them all).
LOGGER_NAME = "helpers.sources.x_api"
#: The loggers :func:`install_redaction` filters: tweepy's request and stream loggers, and this package's.
REDACTED_LOGGERS: tuple[str, ...] = ("tweepy.client", "tweepy.streaming", LOGGER_NAME)

_SECRETS: set[str] = set()
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9%._~+/=-]+", re.IGNORECASE)
_INSTALL_LOCK = threading.Lock()


def redact(text: str) -> str:
    """``text`` with every token this process has loaded, and anything after ``Bearer ``, replaced."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    return _BEARER.sub(r"\1[redacted]", text)


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites a record whose message holds a token; it never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message by its redacted text when they differ."""
        try:
            message = record.getMessage()
        except Exception:
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install_redaction(names: tuple[str, ...] = REDACTED_LOGGERS) -> None:
    """Add a :class:`RedactingFilter` to each named logger that has none yet (idempotent, thread-safe).

    A filter on a logger sees only records logged to that very logger, not those of its children, which is why
    every module of this package logs to :data:`LOGGER_NAME` itself.
    """
    with _INSTALL_LOCK:
        for name in names:
            logger = logging.getLogger(name)
            if not any(isinstance(f, RedactingFilter) for f in logger.filters):
                logger.addFilter(RedactingFilter())


class Token:
    """A bearer token that shows only its last four characters in ``repr``/``str``, so it never gets printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        value = value.strip().strip("'\"")
        if value[:7].lower() == "bearer ":
            value = value[7:].strip()
        if not value or any(c.isspace() for c in value):
            raise ValueError("X_BEARER_TOKEN is empty or contains spaces; paste the Bearer Token alone")
        self._value = value
        _SECRETS.update({value, unquote(value)})

    def reveal(self) -> str:
        """The token itself: only for handing to tweepy, never for printing."""
        return self._value

    def __repr__(self) -> str:
        return f"Token('…{self._value[-4:]}')" if len(self._value) >= 20 else "Token(hidden)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Token", self._value))


__all__ = [
    "LOGGER_NAME",
    "REDACTED_LOGGERS",
    "RedactingFilter",
    "Token",
    "install_redaction",
    "redact",
]
