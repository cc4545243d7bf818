"""Tweets from the X API filtered stream: :class:`StreamSource`, built on ``tweepy.StreamingClient``.

tweepy reads the stream in its own thread and calls back; :class:`_TweepyStream` turns each callback into an event
on a bounded :class:`~.handover.Handover` (a reader that falls behind loses the oldest tweets, counted in
``StreamSource.dropped``), and the reader's thread decides: yield a line, reconnect, wait, or give up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

import orjson
import requests
import tweepy

from .base import LiveBase, Stopped
from .config import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, Credentials
from .errors import RULES, STREAM, Kind, LiveSourceUnavailable, api_detail
from .handover import Event, Handover
from .retry import Failure, Policy, http_failure
from .secrets import LOGGER_NAME, Token, install_redaction, redact
from .transport import BaseURLAdapter, mount_base_url

log = logging.getLogger(LOGGER_NAME)


@dataclass
class _End:
    """Why one tweepy connection ended: ``closed`` by the server, ``http``, ``network``, ``exception``, ``stopped``."""

    kind: Literal["closed", "http", "network", "exception", "stopped"]
    status: int | None = None
    reset: str | None = None
    detail: str = ""


class _TweepyStream(tweepy.StreamingClient):
    """tweepy's StreamingClient with its callbacks turned into events on a :class:`Handover`."""

    def __init__(self, token: Token, events: Handover, policy: Policy) -> None:
        super().__init__(
            token.reveal(), return_type=dict, wait_on_rate_limit=False, max_retries=policy.max_retries, daemon=True
        )
        self.events = events
        self.adapter: BaseURLAdapter | None = None
        self.end: _End | None = None

    def on_connect(self) -> None:
        self.events.put("connected")

    def on_data(self, raw_data: bytes) -> None:
        """Pass a tweet's line through as it came; skip keep-alives, log stream errors, drop non-JSON."""
        try:
            text = raw_data.decode("utf-8")
            obj = orjson.loads(text)
        except (UnicodeDecodeError, orjson.JSONDecodeError):
            log.warning("skipped a stream line that is not UTF-8 JSON")
            return
        if isinstance(obj, dict) and isinstance(obj.get("data"), dict):
            self.events.put("line", text)
        elif isinstance(obj, dict) and obj.get("errors"):
            log.warning("the stream reported: %s", redact(orjson.dumps(obj["errors"]).decode()[:300]))

    def on_keep_alive(self) -> None:
        pass

    def on_request_error(self, status_code: int) -> None:
        """Hand the status and the ``x-rate-limit-reset`` header to the source, and end this connection attempt."""
        response = self.adapter.last_response if self.adapter else None
        if response is not None and response.status_code == status_code:
            self.end = _End("http", status_code, response.headers.get("x-rate-limit-reset"), api_detail(response))
        else:
            self.end = _End("http", status_code)
        self.disconnect()  # tweepy would sleep 5-320 s itself; the source waits as the headers say instead

    def on_closed(self, response: requests.Response) -> None:
        self.end = self.end or _End("closed")
        self.disconnect()

    def on_connection_error(self) -> None:
        self.end = _End("network")
        self.disconnect()

    def on_exception(self, exception: Exception) -> None:
        self.end = _End("exception", detail=redact(f"{type(exception).__name__}: {exception}")[:300])

    def on_disconnect(self) -> None:
        self.events.put("ended", self.end or _End("closed"))


class StreamSource(LiveBase):
    """Tweets from the X API filtered stream (``tweepy.StreamingClient``) under one tagged rule.

    ``start()`` makes the rules exactly ``[query tagged topic]`` (deleting stale ones; with
    ``replace_rules=False`` only untagged ones and older versions of this rule go) and connects; iterating
    yields each tweet's line as it arrived, reconnecting when the server closes the stream. At most ``buffer``
    tweets wait for the reader; beyond that the oldest go (``dropped`` counts them, and a warning is logged).
    """

    def __init__(
        self,
        credentials: Credentials,
        topic: str,
        query: str | None = None,
        *,
        limit: int | None = None,
        policy: Policy | None = None,
        replace_rules: bool = True,
        tweet_fields: tuple[str, ...] = TWEET_FIELDS,
        user_fields: tuple[str, ...] = USER_FIELDS,
        buffer: int = 10_000,
    ) -> None:
        super().__init__(credentials, topic, query, limit, policy)
        self.replace_rules = replace_rules
        self.tweet_fields = tweet_fields
        self.user_fields = user_fields
        self.rule_id: str | None = None
        self._events = Handover(buffer)
        self._client: _TweepyStream | None = None
        self._got_since_connect = 0
        self._drops_logged = 0
        self.message = f"live: X API filtered stream at {credentials.base_url}, rule {self.query!r} tagged {topic!r}"

    def __repr__(self) -> str:
        return f"StreamSource(topic={self.topic!r}, query={self.query!r}, limit={self.limit}, {self.credentials!r})"

    @property
    def received(self) -> int:
        """Tweets tweepy handed over so far, including those dropped because the reader fell behind."""
        return self._events.received

    @property
    def dropped(self) -> int:
        """Tweets dropped so far because ``buffer`` tweets were already waiting for the reader."""
        return self._events.dropped

    def start(self) -> StreamSource:
        """Set the rules and connect; raises :class:`LiveSourceUnavailable` (after cleaning up) if it cannot."""
        if self._started:
            return self
        self._started = True
        install_redaction()  # before tweepy sends (and may log) the token
        self._client = _TweepyStream(self.credentials.token, self._events, self.policy)
        self.adapter = self._client.adapter = mount_base_url(
            self._client.session, self.credentials.base_url, self.policy
        )
        try:
            self._sync_rules()
            self._connect(starting=True)
        except Stopped:
            pass
        except BaseException:
            self.stop()
            raise
        return self

    def _sync_rules(self) -> None:
        """Make the stream's rules this source's one tagged rule: delete stale ones, add it if missing."""
        client = self._client
        assert client is not None
        existing = self._call(client.get_rules, RULES, starting=True).get("data") or []
        keep = next((r for r in existing if r.get("value") == self.query and r.get("tag") == self.topic), None)
        if self.replace_rules:
            stale = [r for r in existing if r is not keep]
        else:  # untagged rules break tweepy's on_data (KeyError 'tag'); a same-value rule would be a duplicate
            stale = [r for r in existing if r is not keep and (r.get("tag") is None or r.get("value") == self.query)]
        if stale:
            ids = [str(r["id"]) for r in stale]
            self._call(lambda: client.delete_rules(ids), RULES)
            log.info("deleted %d stale stream rule(s): %s", len(ids), ", ".join(repr(r.get("value")) for r in stale))
        if keep is not None:
            self.rule_id = str(keep["id"])
            return
        rule = tweepy.StreamRule(self.query, tag=self.topic)
        made = self._call(lambda: client.add_rules(rule), RULES)
        created = [r for r in made.get("data") or [] if r.get("value") == self.query]
        if not created:
            detail = "; ".join(
                str(e.get("title", "")) + (f": {e['detail']}" if e.get("detail") else "")
                for e in made.get("errors") or []
                if isinstance(e, dict)
            )
            raise LiveSourceUnavailable(f"the X API did not create the rule {self.query!r}: {detail or made}")
        self.rule_id = str(created[0]["id"])
        log.info("added stream rule %r tagged %r", self.query, self.topic)

    def _launch(self) -> None:
        """One connection attempt: ``filter(threaded=True)`` with the fields the parser needs."""
        client = self._client
        assert client is not None
        if client.thread is not None:
            client.thread.join(self.policy.join_timeout)
        client.end = None
        self._got_since_connect = 0
        client.filter(
            threaded=True,
            tweet_fields=list(self.tweet_fields),
            expansions=list(EXPANSIONS),
            user_fields=list(self.user_fields),
        )

    def _next_event(self, timeout: float) -> Event:
        """The next event from tweepy's thread; raises :class:`Stopped` once ``stop()`` was called."""
        deadline = time.monotonic() + timeout
        while True:
            if self._stop_event.is_set():
                raise Stopped
            event = self._events.get(timeout=min(0.25, max(deadline - time.monotonic(), 0.01)))
            if event is not None:
                return event
            if time.monotonic() >= deadline:
                return ("timeout", None)

    def _failure(self, end: _End) -> Failure:
        """The retryable :class:`Failure` an ended connection was; raises when retrying cannot help."""
        if end.kind == "http" and end.status is not None:
            return http_failure(end.status, STREAM, reset=end.reset, detail=end.detail)
        if end.kind == "exception":
            raise LiveSourceUnavailable(f"the stream failed: {end.detail}")
        if end.kind == "stopped":
            raise Stopped
        if end.kind == "network":
            return Failure(Kind.UNREACHABLE, "a network error")
        return Failure(Kind.ERROR, "the server closed the stream")

    def _connect(self, starting: bool = False) -> None:
        """Connect until tweepy reports the stream up, waiting between attempts as the policy says."""
        retries = self._retries(STREAM, starting=starting)
        while True:
            self._launch()
            kind, value = self._next_event(self.policy.connect_timeout)
            if kind == "connected":
                return
            if kind == "timeout":
                raise LiveSourceUnavailable(
                    f"the filtered stream at {self.credentials.base_url} did not answer within "
                    f"{self.policy.connect_timeout:.0f} s",
                    kind=Kind.UNREACHABLE,
                )
            self._wait(retries.wait(self._failure(value)))

    def _lines(self) -> Iterator[str]:
        idle = self._retries(STREAM)  # reconnects to a stream that keeps ending with no tweet since it connected
        while True:
            kind, value = self._next_event(3600.0)
            self._log_drops()
            if kind == "line":
                self._got_since_connect += 1
                idle.reset()
                yield value
            elif kind == "ended":
                failure = self._failure(value)
                if self._got_since_connect == 0:  # ended again with nothing: back off, and not forever
                    self._wait(idle.wait(replace(failure, last=f"{failure.last} with no tweet since connecting")))
                log.info("stream ended (%s); reconnecting", failure.last)
                self._connect()

    def _log_drops(self) -> None:
        """Warn at the first dropped tweet and each time the count doubles: a reader that stays behind gets a few
        warnings, not one per tweet."""
        dropped = self._events.dropped
        if dropped > 0 and dropped >= 2 * self._drops_logged:
            self._drops_logged = dropped
            log.warning("the reader fell behind the stream: %d tweet(s) dropped so far", dropped)

    def stop(self) -> None:
        """Disconnect, wake tweepy's thread if it is blocked reading, and wait for it to end."""
        self._stop_event.set()
        client = self._client
        if client is None:
            return
        client.disconnect()
        if self.adapter is not None:
            self.adapter.abort_streams()
        thread = client.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(self.policy.join_timeout)
            if thread.is_alive():
                log.warning("tweepy's stream thread is still running %.0f s after stop()", self.policy.join_timeout)
        self._events.put("ended", _End("stopped"))


__all__ = [
    "StreamSource",
]
