"""What the sources here share: :class:`LineSource` (iterate, ``limit``, ``stop()``, ``with``) and :class:`LiveBase`
(credentials, a stop event, and tweepy requests retried under the :class:`~.retry.Policy`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import requests
import tweepy

from .config import DEFAULT_QUERIES, Credentials
from .errors import Kind, LiveSourceUnavailable, api_detail, network_cause, no_reset
from .retry import Failure, Policy, Retries, http_failure
from .transport import BaseURLAdapter

_S = TypeVar("_S", bound="LineSource")


class Stopped(Exception):
    """stop() was called while a source was waiting; the iteration ends quietly."""


class LineSource:
    """What every source here offers: iterate lines (at most ``limit``), ``stop()``, use it in a ``with``."""

    live: bool = False

    def __init__(self, limit: int | None = None) -> None:
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0 or None")
        self.limit = limit
        self.count = 0  # lines yielded so far
        self.message = ""

    def start(self: _S) -> _S:
        """Connect (live sources) and return ``self``; calling it again does nothing."""
        return self

    def stop(self) -> None:
        """End the iteration and release threads, connections and files; safe to call twice or from any thread."""

    def _lines(self) -> Iterator[str]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[str]:
        self.start()
        try:
            if self.limit is not None and self.count >= self.limit:
                return
            for line in self._lines():
                self.count += 1
                yield line
                if self.limit is not None and self.count >= self.limit:
                    return
        except Stopped:
            return
        finally:
            self.stop()

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class LiveBase(LineSource):
    """Shared by both live sources: credentials, policy, a stop event, and bounded request retries."""

    live = True

    def __init__(
        self, credentials: Credentials, topic: str, query: str | None, limit: int | None, policy: Policy | None
    ) -> None:
        super().__init__(limit)
        if not topic:
            raise ValueError("topic must not be empty: it is the tag every tweet carries")
        self.credentials = credentials
        self.topic = topic
        self.query = query or DEFAULT_QUERIES.get(topic, topic)
        self.policy = policy or Policy()
        self._stop_event = threading.Event()
        self._started = False
        self.adapter: BaseURLAdapter | None = None

    def _wait(self, seconds: float) -> None:
        """Sleep, unless ``stop()`` comes first (then raise :class:`Stopped`)."""
        if self._stop_event.wait(seconds):
            raise Stopped

    def _retries(self, what: str, *, starting: bool = False) -> Retries:
        """A fresh retry budget for one loop over ``what``."""
        return Retries(self.policy, what, self.credentials.base_url, starting=starting)

    def _call(self, fn: Callable[[], Any], what: str, *, starting: bool = False) -> Any:
        """``fn()`` (a tweepy request), retried on 429 (as its reset says), 5xx and network errors.

        The decision rests on the exception's type and the response's status code, never on a message's text.
        """
        retries = self._retries(what, starting=starting)
        while True:
            if self._stop_event.is_set():
                raise Stopped
            try:
                return fn()
            except tweepy.HTTPException as exc:  # TooManyRequests (429) and TwitterServerError (5xx) among them
                response = exc.response
                failure = http_failure(
                    getattr(response, "status_code", 0),
                    what,
                    reset=getattr(response, "headers", {}).get("x-rate-limit-reset"),
                    detail=api_detail(response),
                )
            except requests.exceptions.JSONDecodeError:
                raise LiveSourceUnavailable(
                    f"the server at {self.credentials.base_url} did not answer {what} with X API JSON "
                    "(is X_API_BASE_URL right?)"
                ) from None
            except requests.RequestException as exc:
                failure = Failure(Kind.UNREACHABLE, f"network error ({network_cause(exc)})")
            except ValueError:
                # tweepy parses x-rate-limit-reset with int() itself and raises ValueError on a bad header
                last_response = self.adapter.last_response if self.adapter else None
                if last_response is not None and last_response.status_code == 429:
                    raise no_reset(what) from None
                raise
            self._wait(retries.wait(failure))


__all__ = [
    "LineSource",
    "LiveBase",
    "Stopped",
]
