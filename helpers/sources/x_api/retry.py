"""How patient a live source is: :class:`Policy`, and :class:`Retries`, the one retry budget every loop uses.

Three loops retry: a request (rules, a search page), a stream connection, and reconnecting to a stream that
keeps closing with nothing. Each turns what went wrong into a :class:`Failure` (by HTTP status or exception type)
and asks its :class:`Retries` how long to wait; the answer comes from one place, :meth:`Policy.delay` or the
429's reset header, and so does the one message that gives up.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import Kind, LiveSourceUnavailable, no_reset, status_error
from .secrets import LOGGER_NAME

log = logging.getLogger(LOGGER_NAME)


@dataclass(frozen=True)
class Policy:
    """How patient a live source is. Every retry and wait is bounded, so nothing hangs or retries forever.

    While a source starts, a network error gives up at once and a 5xx (or a stream closed at once) is retried
    ``start_retries`` times: the caller wants to know soon whether the API answers. A 429 always waits for its
    reset, up to ``max_retries`` times and ``max_wait`` seconds each.
    """

    max_retries: int = 5  # failed attempts in a row (reconnects, requests) before giving up
    start_retries: int = 1  # the same while start() checks that the API answers, so a fallback comes soon
    max_wait: float = 900.0  # longest wait for a rate-limit reset, in seconds (X windows are 15 minutes)
    backoff: float = 5.0  # first wait after a 5xx or a stream that closed with nothing, doubled each time
    backoff_max: float = 320.0
    network_backoff: float = 0.25  # first wait after a network error, growing linearly (X's advice)
    network_backoff_max: float = 16.0
    connect_timeout: float = 60.0  # how long start() waits for the stream to answer at all
    request_timeout: tuple[float, float] = (10.0, 30.0)  # (connect, read) for requests tweepy sends without one
    join_timeout: float = 10.0  # how long stop() waits for tweepy's thread to end

    def delay(self, kind: Kind, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0 for the first) of ``kind``.

        Network errors back off linearly, everything else exponentially, as X's stream guidelines advise; a 429
        waits for its reset instead (:func:`rate_limit_wait`).
        """
        if kind is Kind.UNREACHABLE:
            return min(self.network_backoff * (attempt + 1), self.network_backoff_max)
        return min(self.backoff * 2**attempt, self.backoff_max)

    def budget(self, kind: Kind, *, starting: bool = False) -> int:
        """How many retries in a row a failure of ``kind`` gets (fewer while a source starts, see above)."""
        if kind is Kind.RATE_LIMITED or not starting:
            return self.max_retries
        return 0 if kind is Kind.UNREACHABLE else min(self.start_retries, self.max_retries)


@dataclass(frozen=True)
class Failure:
    """One failed attempt that a retry may fix: its ``kind`` (rate-limited, unreachable or error), what happened
    in words (``last``), the HTTP ``status`` and, for a 429, the ``x-rate-limit-reset`` header as sent."""

    kind: Kind
    last: str
    status: int | None = None
    reset: object = None


def http_failure(status: int, what: str, *, reset: object = None, detail: str = "") -> Failure:
    """A failed request's status as a :class:`Failure` to retry (429, 5xx); raises when retrying cannot help."""
    said = f"HTTP {status}" + (f" ({detail})" if detail else "")
    if status == 429:
        return Failure(Kind.RATE_LIMITED, said, status, reset)
    if status >= 500:
        return Failure(Kind.ERROR, said, status)
    raise status_error(status, what, detail)


def rate_limit_wait(reset: object, what: str, policy: Policy) -> float:
    """Seconds to wait after a 429, from its ``x-rate-limit-reset`` header (epoch seconds); raises if unusable."""
    try:
        reset_at = int(str(reset).strip())
    except ValueError:
        reset_at = 0
    if reset_at <= 0:
        raise no_reset(what)
    wait = reset_at - time.time() + 0.5
    if wait > policy.max_wait:
        when = datetime.fromtimestamp(reset_at, UTC).strftime("%H:%M:%S UTC")
        raise LiveSourceUnavailable(
            f"rate-limited (429) on {what} until {when}, {wait:.0f} s from now: longer than the "
            f"{policy.max_wait:.0f} s this source may wait (Policy.max_wait)",
            kind=Kind.RATE_LIMITED,
            status=429,
        )
    return max(wait, 0.5)


class Retries:
    """The retry budget of one loop over ``what`` at ``where`` (a base URL): counts failures in a row, says how
    long to wait before the next attempt, or gives up with the one message every loop uses."""

    def __init__(self, policy: Policy, what: str, where: str, *, starting: bool = False) -> None:
        self.policy = policy
        self.what = what
        self.where = where
        self.starting = starting
        self.count = 0  # retries made so far

    def reset(self) -> None:
        """An attempt succeeded: the next failure starts the budget afresh."""
        self.count = 0

    def wait(self, failure: Failure) -> float:
        """Seconds to wait before retrying after ``failure``, or :class:`LiveSourceUnavailable` when out of budget."""
        if self.count >= self.policy.budget(failure.kind, starting=self.starting):
            raise self.give_up(failure)
        if failure.kind is Kind.RATE_LIMITED:
            seconds = rate_limit_wait(failure.reset, self.what, self.policy)
        else:
            seconds = self.policy.delay(failure.kind, self.count)
        self.count += 1
        log.warning("%s on %s; retry %d in %.1f s", failure.last, self.what, self.count, seconds)
        return seconds

    def give_up(self, failure: Failure) -> LiveSourceUnavailable:
        """The exception that ends the loop, saying what was tried, where, how often, and what happened last."""
        after = f" after {self.count} {'retry' if self.count == 1 else 'retries'}" if self.count else ""
        lead = "network unreachable: could not reach" if failure.kind is Kind.UNREACHABLE else "gave up on"
        reason = f"{lead} {self.what} at {self.where}{after}; last: {failure.last}"
        return LiveSourceUnavailable(reason, kind=failure.kind, status=failure.status)


__all__ = [
    "Failure",
    "Policy",
    "Retries",
    "http_failure",
    "rate_limit_wait",
]
