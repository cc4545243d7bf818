"""Live tweets from the X API v2 through tweepy 4.17: the filtered stream or polled recent search, with a fallback.

Usage::

    from helpers.sources import x_api
    from helpers.tweets import parse_line

    with x_api.open_source("football", prefer="x-stream", limit=200) as source:
        print(source.message)        # live, or why it replays the shipped sample instead
        for line in source:          # one stream-shaped JSON line per tweet (no newline)
            tweet = parse_line(line)

``X_BEARER_TOKEN`` (environment, else a ``.env`` file) is the app's Bearer Token; ``X_API_BASE_URL``
(default ``https://api.x.com``) sends every request elsewhere: a proxy, or the local test server. tweepy
hard-codes ``https://api.twitter.com``; the one seam is :class:`BaseURLAdapter`, a ``requests`` transport
adapter mounted on tweepy's own ``requests.Session`` that rewrites that host to the base URL.

Every line a source yields is X API v2 filtered-stream JSON (``{"data", "includes", "matching_rules"}``):
the stream passes the line from the wire through unchanged; search wraps each post in that shape. Sources
stop at ``limit`` or on ``stop()``, retry a bounded number of times, wait out a 429 as its
``x-rate-limit-reset`` header says (up to ``Policy.max_wait``), and leave no thread running. The token never
appears in a message, a log line or a ``repr``. See docs/live-tweets.md.

This module is the package's public face: it chooses a source (:func:`open_live`, :func:`open_source`) and holds
the fallback (:class:`SampleReplay`). The rest lives in ``secrets`` (token, redaction), ``errors`` (why, by
status code), ``retry`` (the policy and the one retry budget), ``transport`` (the base-URL seam), ``config``
(credentials, queries, fields), ``base`` (what sources share), ``stream`` and ``search`` (the two live sources)
and ``handover`` (the bounded buffer between tweepy's thread and the stream's reader).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.sources.replay import Replay

from .base import LineSource
from .config import DEFAULT_QUERIES, EXPANSIONS, SOURCES, TWEET_FIELDS, USER_FIELDS, Credentials
from .errors import Kind, LiveSourceUnavailable
from .retry import Policy
from .search import SearchSource
from .secrets import LOGGER_NAME, Token, install_redaction, redact
from .stream import StreamSource
from .transport import DEFAULT_BASE_URL, TWEEPY_HOST, BaseURLAdapter, check_base_url, mount_base_url

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_QUERIES",
    "EXPANSIONS",
    "SOURCES",
    "TWEEPY_HOST",
    "TWEET_FIELDS",
    "USER_FIELDS",
    "BaseURLAdapter",
    "Credentials",
    "Kind",
    "LineSource",
    "LiveOptions",
    "LiveSourceUnavailable",
    "Policy",
    "SampleReplay",
    "SearchSource",
    "StreamSource",
    "Token",
    "check_base_url",
    "install_redaction",
    "mount_base_url",
    "open_live",
    "open_source",
    "redact",
]

log = logging.getLogger(LOGGER_NAME)
log.addHandler(logging.NullHandler())  # a library: say nothing unless the app configures logging


class SampleReplay(LineSource):
    """The shipped sample, line by line: the topic's file, or every topic's file (merged in time order) for a
    topic it does not have. A :class:`helpers.sources.replay.Replay` with the :class:`LineSource` interface."""

    live = False

    def __init__(
        self,
        topic: str | None = None,
        *,
        limit: int | None = None,
        message: str = "",
        reason: LiveSourceUnavailable | None = None,
    ) -> None:
        super().__init__(limit)
        self.topic = topic
        self.reason = reason  # why this is not live, when it stands in for a live source
        self.files = paths.sample_files([topic] if topic in paths.TOPICS else None)
        self.message = message or f"replaying the shipped sample ({', '.join(p.name for p in self.files)})"
        self._replay = Replay(self.files)

    def stop(self) -> None:
        """Stop after the current line."""
        self._replay.stop()

    def _lines(self) -> Iterator[str]:
        return iter(self._replay)


@dataclass(frozen=True, kw_only=True)
class LiveOptions:
    """The keyword arguments of :func:`open_live` and :func:`open_source`, declared once."""

    query: str | None = None  # the rule or search query (default: DEFAULT_QUERIES[topic], else the topic)
    prefer: str = "x-stream"  # "x-stream" (the filtered stream) or "x-search" (polled recent search)
    limit: int | None = None  # stop after this many tweets (None: until stop())
    credentials: Credentials | None = None  # default: Credentials.from_env(dotenv_path=dotenv_path)
    policy: Policy | None = None  # retries and waits (default: Policy())
    interval: float = 15.0  # x-search: seconds between polls
    dotenv_path: str | Path | None = None  # the .env file to read the token from (default: the nearest one)

    def __post_init__(self) -> None:
        if self.prefer not in SOURCES:
            raise ValueError(f"prefer must be one of {SOURCES}, not {self.prefer!r}")


def _start(topic: str, options: LiveOptions) -> StreamSource | SearchSource:
    creds = options.credentials or Credentials.from_env(dotenv_path=options.dotenv_path)
    source: StreamSource | SearchSource
    if options.prefer == "x-stream":
        source = StreamSource(creds, topic, options.query, limit=options.limit, policy=options.policy)
    else:
        source = SearchSource(
            creds, topic, options.query, limit=options.limit, interval=options.interval, policy=options.policy
        )
    return source.start()


def open_live(topic: str, **options: Any) -> StreamSource | SearchSource:
    """A started live source, or :class:`LiveSourceUnavailable` saying why not; ``options`` as :class:`LiveOptions`."""
    return _start(topic, LiveOptions(**options))


def open_source(topic: str, **options: Any) -> LineSource:
    """A live source when a token is set and the API answers, else a :class:`SampleReplay` of the sample.

    ``options`` are those of :class:`LiveOptions` (``prefer``, ``limit``, ``query``, ...). Either way
    ``source.message`` says what you got (and why it is not live); ``source.live`` tells them apart, and a replay
    keeps the reason in ``source.reason`` (a :class:`LiveSourceUnavailable`).
    """
    settings = LiveOptions(**options)
    try:
        return _start(topic, settings)
    except LiveSourceUnavailable as exc:
        message = f"no live tweets: {exc.reason}. Replaying the shipped sample instead."
        log.warning("%s", message)
        return SampleReplay(topic, limit=settings.limit, message=message, reason=exc)
