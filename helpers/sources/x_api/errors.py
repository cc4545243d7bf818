"""Why there are no live tweets, in words a learner can act on: :class:`LiveSourceUnavailable` and its :class:`Kind`.

The helpers here turn an HTTP answer into that exception by its status code, and pull the human part out of an
X API error body; nothing is decided by reading a message's text.
"""

from __future__ import annotations

import re
from enum import StrEnum

import requests

from .secrets import redact

#: The endpoints, as messages name them.
STREAM = "the filtered stream (/2/tweets/search/stream)"
RULES = "the stream rules (/2/tweets/search/stream/rules)"
SEARCH = "recent search (/2/tweets/search/recent)"


class Kind(StrEnum):
    """What kind of trouble ended a live source. A ``StrEnum``: ``exc.kind == "rate-limited"`` holds too."""

    NO_TOKEN = "no-token"  # no X_BEARER_TOKEN in the environment or a .env file
    CONFIG = "config"  # a token or base URL that cannot be used as written
    UNAUTHORIZED = "unauthorized"  # 401: the token was refused
    FORBIDDEN = "forbidden"  # 403: the app, project or plan may not use the endpoint
    RATE_LIMITED = "rate-limited"  # 429, and waiting for the reset is not possible or not allowed
    UNREACHABLE = "unreachable"  # network errors: nothing answered
    ERROR = "error"  # anything else: other HTTP statuses, 5xx after retries, an answer that is not X API JSON


class LiveSourceUnavailable(RuntimeError):
    """No live tweets, and why. ``reason`` (also ``str(exc)``) never contains the token.

    ``kind`` is a :class:`Kind` (compare it with the enum or its string); ``status`` is the HTTP status when
    there was one.
    """

    def __init__(self, reason: str, *, kind: Kind | str = Kind.ERROR, status: int | None = None) -> None:
        self.reason = redact(reason)
        self.kind = Kind(kind)
        self.status = status
        super().__init__(self.reason)


def api_detail(response: requests.Response | None) -> str:
    """The human part of an X API error body (``errors[].message``, ``detail``, ``title``), redacted and short."""
    if response is None:
        return ""
    try:
        body = response.json()
    except Exception:
        return ""
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            parts.append(str(error.get("message") or error.get("detail") or error.get("title") or ""))
    for key in ("detail", "title", "reason"):
        if not parts and body.get(key):
            parts.append(str(body[key]))
    text = "; ".join(p for p in parts if p)
    return redact(text[:300])


def status_error(status: int, what: str, detail: str = "") -> LiveSourceUnavailable:
    """The exception for an HTTP status that retrying will not fix (401, 403, other 4xx)."""
    said = f" (the API said: {detail})" if detail else ""
    if status == 401:
        return LiveSourceUnavailable(
            f"the X API refused the token: 401 Unauthorized for {what}. Check that X_BEARER_TOKEN is your app's "
            f"Bearer Token (not the API key, secret or an access token) and that it was not regenerated{said}",
            kind=Kind.UNAUTHORIZED,
            status=401,
        )
    if status == 403:
        hint = " Recent search (prefer='x-search', --source x-search) may still be allowed."
        hint = hint if what in (STREAM, RULES) else ""
        return LiveSourceUnavailable(
            f"the X API answered 403 Forbidden for {what}: this app, project or plan is not permitted to use this "
            f"endpoint (or has no credits left).{hint}{said}",
            kind=Kind.FORBIDDEN,
            status=403,
        )
    return LiveSourceUnavailable(f"the X API answered HTTP {status} for {what}{said}", status=status)


def no_reset(what: str) -> LiveSourceUnavailable:
    """The exception for a 429 without a usable ``x-rate-limit-reset`` header: there is no telling how long to wait."""
    return LiveSourceUnavailable(
        f"rate-limited (429) on {what}, and the response had no usable x-rate-limit-reset header to say when "
        "to try again",
        kind=Kind.RATE_LIMITED,
        status=429,
    )


def network_cause(exc: BaseException) -> str:
    """A short cause for a network error ("Connection refused", "timed out"), without the whole URL chain."""
    if isinstance(exc, requests.Timeout):
        return "timed out"
    found = re.findall(r"\[Errno -?\d+\] ([^\"')\]]+)", str(exc))
    return found[-1].strip() if found else type(exc).__name__


__all__ = [
    "RULES",
    "SEARCH",
    "STREAM",
    "Kind",
    "LiveSourceUnavailable",
    "api_detail",
    "network_cause",
    "no_reset",
    "status_error",
]
