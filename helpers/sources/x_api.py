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
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import logging
import os
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone, UTC
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import orjson
import requests
import tweepy
from requests.adapters import HTTPAdapter

from helpers import paths

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())  # a library: say nothing unless the app configures logging

#: Where requests go unless ``X_API_BASE_URL`` says otherwise.
DEFAULT_BASE_URL = "https://api.x.com"
#: The host tweepy 4.17 writes into every URL; :class:`BaseURLAdapter` rewrites it.
TWEEPY_HOST = "https://api.twitter.com"
#: The two live sources, by the names the CLI and ``open_source(prefer=...)`` use.
SOURCES: tuple[str, ...] = ("x-stream", "x-search")
#: Post fields the parser and the notebooks use (``edit_history_tweet_ids`` comes anyway; asked for clarity).
TWEET_FIELDS: tuple[str, ...] = (
    "created_at",
    "lang",
    "author_id",
    "entities",
    "public_metrics",
    "note_tweet",
    "edit_history_tweet_ids",
)
USER_FIELDS: tuple[str, ...] = ("name", "username")
EXPANSIONS: tuple[str, ...] = ("author_id",)

#: Rules for the sample's topics, so a live run of a notebook gets tweets like the sample's. Other topics are
#: searched for as they are written.
DEFAULT_QUERIES: dict[str, str] = {
    "software_release": '("new release" OR "release notes" OR changelog) lang:en -is:retweet',
    "football": "(football OR #matchday OR #football) lang:en -is:retweet",
    "climate": "(climate OR #climateaction OR #netzero) lang:en -is:retweet",
    "product_launch": '("product launch" OR keynote OR #launch) lang:en -is:retweet',
}

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}

# ---------------------------------------------------------------------------------------------------------------
# Keeping the token out of messages and logs


_SECRETS: set[str] = set()
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9%._~+/=-]+", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every token this process has loaded, and anything after ``Bearer ``, replaced."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    return _BEARER.sub(r"\1[redacted]", text)


class _RedactingFilter(logging.Filter):
    """tweepy logs request headers (the ``Authorization`` one too) at DEBUG; this rewrites such records."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


for _name in ("tweepy.client", "tweepy.streaming", __name__):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactingFilter) for f in _logger.filters):
        _logger.addFilter(_RedactingFilter())


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


@dataclass(frozen=True)
class Credentials:
    """The token and where to send requests; its ``repr`` shows ``Token('…abcd')``, never the token."""

    token: Token
    base_url: str = DEFAULT_BASE_URL

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", check_base_url(self.base_url))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = None) -> Credentials:
        """Read ``X_BEARER_TOKEN`` and ``X_API_BASE_URL`` from the environment, after loading a ``.env`` file.

        The ``.env`` file (``dotenv_path``, else the nearest one above the working directory, else the kit's
        root) never overrides a variable already set. Pass ``environ`` to read a mapping instead (no ``.env``).
        Raises :class:`LiveSourceUnavailable` when no token is set or the base URL is unusable.
        """
        if environ is None:
            from dotenv import find_dotenv, load_dotenv

            path = dotenv_path or find_dotenv(usecwd=True) or paths.ROOT / ".env"
            if Path(path).is_file():
                load_dotenv(path, override=False)
            environ = os.environ
        raw = (environ.get("X_BEARER_TOKEN") or "").strip()
        if not raw:
            raise LiveSourceUnavailable(
                "no X_BEARER_TOKEN is set (in the environment or a .env file); "
                "see docs/live-tweets.md for how to get one",
                kind="no-token",
            )
        try:
            token = Token(raw)
            return cls(token, (environ.get("X_API_BASE_URL") or "").strip() or DEFAULT_BASE_URL)
        except ValueError as exc:
            raise LiveSourceUnavailable(str(exc), kind="config") from None


class LiveSourceUnavailable(RuntimeError):
    """No live tweets, and why, in words a learner can act on. The message never contains the token.

    ``kind`` is one of ``no-token``, ``config``, ``unauthorized`` (401), ``forbidden`` (403), ``rate-limited``
    (429), ``unreachable`` (network) or ``error``; ``status`` is the HTTP status when there was one.
    """

    def __init__(self, reason: str, *, kind: str = "error", status: int | None = None) -> None:
        self.reason = redact(reason)
        self.kind = kind
        self.status = status
        super().__init__(self.reason)


@dataclass(frozen=True)
class Policy:
    """How patient a live source is. Every retry and wait is bounded, so nothing hangs or retries forever."""

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


# ---------------------------------------------------------------------------------------------------------------
# The seam: a transport adapter on tweepy's requests.Session


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """``url`` normalised (no trailing slash), or ``ValueError`` saying what is wrong with it.

    Plain ``http://`` is allowed only to this machine: anywhere else the token would cross the network unencrypted.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("X_API_BASE_URL must look like https://api.x.com or http://127.0.0.1:8080")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("X_API_BASE_URL must be scheme://host[:port][/path], without credentials or a query")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            "X_API_BASE_URL uses plain http:// to another machine; use https:// so the token travels encrypted"
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


class BaseURLAdapter(HTTPAdapter):
    """A ``requests`` transport adapter that sends tweepy's ``https://api.twitter.com/...`` requests to a base URL.

    Mounted on tweepy's own session (``client.session.mount("https://api.twitter.com/", adapter)``), it rewrites
    scheme, host and port (keeping path and query) just before the request goes on the wire, so tweepy runs
    unmodified against api.x.com, a proxy or a local test server. It also gives requests tweepy sends without a
    timeout a default one, remembers the last response (tweepy's stream callbacks get only a status code, the
    ``x-rate-limit-reset`` header is read from here) and can abort open streams so ``stop()`` is prompt.
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, timeout: tuple[float, float] = (10.0, 30.0)) -> None:
        super().__init__()
        self.base_url = check_base_url(base_url)
        self.timeout = timeout
        self.last_response: requests.Response | None = None
        self._streams: list[Any] = []
        self._lock = threading.Lock()

    def rewrite(self, url: str) -> str:
        """``url`` with ``https://api.twitter.com`` replaced by the base URL; any other URL unchanged."""
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.netloc.lower() not in ("api.twitter.com", "api.twitter.com:443"):
            return url
        base = urlsplit(self.base_url)
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, parts.fragment))

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send ``request`` to the rewritten URL (never through a proxy when that URL is this machine)."""
        url = self.rewrite(request.url or "")
        if url != request.url:
            request = request.copy()
            request.url = url
            if _is_loopback(urlsplit(url).hostname):
                proxies = {}
        response = super().send(
            request,
            stream=stream,
            timeout=self.timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )
        with self._lock:
            self.last_response = response
            if stream:
                self._streams = [r for r in self._streams if not r.closed] + [response.raw]
        return response

    def abort_streams(self) -> None:
        """Shut down the sockets of open streaming responses, so a reader blocked in another thread wakes up."""
        with self._lock:
            streams, self._streams = self._streams, []
        for raw in streams:
            with contextlib.suppress(Exception):
                raw.shutdown()  # urllib3 >= 2.3: made for exactly this


def mount_base_url(session: requests.Session, base_url: str, policy: Policy | None = None) -> BaseURLAdapter:
    """Mount a :class:`BaseURLAdapter` for ``base_url`` on ``session`` (tweepy's) and return it."""
    adapter = BaseURLAdapter(base_url, timeout=(policy or Policy()).request_timeout)
    session.mount(TWEEPY_HOST + "/", adapter)
    return adapter


# ---------------------------------------------------------------------------------------------------------------
# Turning HTTP trouble into clear reasons


def _api_detail(response: requests.Response | None) -> str:
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


def _status_error(status: int, what: str, detail: str = "") -> LiveSourceUnavailable:
    """The exception for an HTTP status that retrying will not fix."""
    said = f" (the API said: {detail})" if detail else ""
    if status == 401:
        return LiveSourceUnavailable(
            f"the X API refused the token: 401 Unauthorized for {what}. Check that X_BEARER_TOKEN is your app's "
            f"Bearer Token (not the API key, secret or an access token) and that it was not regenerated{said}",
            kind="unauthorized",
            status=401,
        )
    if status == 403:
        hint = " Recent search (prefer='x-search', --source x-search) may still be allowed." if "stream" in what else ""
        return LiveSourceUnavailable(
            f"the X API answered 403 Forbidden for {what}: this app, project or plan is not permitted to use this "
            f"endpoint (or has no credits left).{hint}{said}",
            kind="forbidden",
            status=403,
        )
    return LiveSourceUnavailable(f"the X API answered HTTP {status} for {what}{said}", status=status)


def _no_reset(what: str) -> LiveSourceUnavailable:
    return LiveSourceUnavailable(
        f"rate-limited (429) on {what}, and the response had no usable x-rate-limit-reset header to say when "
        "to try again",
        kind="rate-limited",
        status=429,
    )


def _rate_limit_wait(reset: object, what: str, policy: Policy) -> float:
    """Seconds to wait after a 429, from its ``x-rate-limit-reset`` header (epoch seconds); raises if unusable."""
    try:
        reset_at = int(str(reset).strip())
    except ValueError:
        reset_at = 0
    if reset_at <= 0:
        raise _no_reset(what)
    wait = reset_at - time.time() + 0.5
    if wait > policy.max_wait:
        when = datetime.fromtimestamp(reset_at, UTC).strftime("%H:%M:%S UTC")
        raise LiveSourceUnavailable(
            f"rate-limited (429) on {what} until {when}, {wait:.0f} s from now: longer than the "
            f"{policy.max_wait:.0f} s this source may wait (Policy.max_wait)",
            kind="rate-limited",
            status=429,
        )
    return max(wait, 0.5)


def _network_cause(exc: BaseException) -> str:
    """A short cause for a network error ("Connection refused", "timed out"), without the whole URL chain."""
    if isinstance(exc, requests.Timeout):
        return "timed out"
    found = re.findall(r"\[Errno -?\d+\] ([^\"')\]]+)", str(exc))
    return found[-1].strip() if found else type(exc).__name__


class _Stopped(Exception):
    """stop() was called while a source was waiting; the iteration ends quietly."""


# ---------------------------------------------------------------------------------------------------------------
# Sources


_S = TypeVar("_S", bound="LineSource")


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
        except _Stopped:
            return
        finally:
            self.stop()

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SampleReplay(LineSource):
    """The shipped sample, line by line: the topic's file, or every topic's file for a topic it does not have."""

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
        self._stopped = threading.Event()

    def stop(self) -> None:
        """Stop after the current line."""
        self._stopped.set()

    def _lines(self) -> Iterator[str]:
        for path in self.files:
            with path.open(encoding="utf-8", newline="") as fh:
                for raw in fh:
                    if self._stopped.is_set():
                        return
                    line = raw.rstrip("\r\n")
                    if line.strip():
                        yield line


@dataclass
class _End:
    """Why one tweepy connection ended: ``closed`` by the server, ``http``, ``network``, ``exception``, ``stopped``."""

    kind: str
    status: int | None = None
    reset: str | None = None
    detail: str = ""

    def describe(self) -> str:
        if self.kind == "http":
            return f"HTTP {self.status}" + (f" ({self.detail})" if self.detail else "")
        return {"closed": "the server closed the stream", "network": "a network error"}.get(self.kind, self.detail)


class _TweepyStream(tweepy.StreamingClient):
    """tweepy's StreamingClient with its callbacks turned into events on a queue; :class:`StreamSource` decides."""

    def __init__(self, token: Token, events: queue.Queue[tuple[str, Any]], policy: Policy) -> None:
        super().__init__(
            token.reveal(), return_type=dict, wait_on_rate_limit=False, max_retries=policy.max_retries, daemon=True
        )
        self.events = events
        self.adapter: BaseURLAdapter | None = None
        self.end: _End | None = None

    def on_connect(self) -> None:
        self.events.put(("connected", None))

    def on_data(self, raw_data: bytes) -> None:
        """Pass a tweet's line through as it came; skip keep-alives, log stream errors, drop non-JSON."""
        try:
            text = raw_data.decode("utf-8")
            obj = orjson.loads(text)
        except (UnicodeDecodeError, orjson.JSONDecodeError):
            log.warning("skipped a stream line that is not UTF-8 JSON")
            return
        if isinstance(obj, dict) and isinstance(obj.get("data"), dict):
            self.events.put(("line", text))
        elif isinstance(obj, dict) and obj.get("errors"):
            log.warning("the stream reported: %s", redact(orjson.dumps(obj["errors"]).decode()[:300]))

    def on_keep_alive(self) -> None:
        pass

    def on_request_error(self, status_code: int) -> None:
        """Hand the status and the ``x-rate-limit-reset`` header to the source, and end this connection attempt."""
        response = self.adapter.last_response if self.adapter else None
        if response is not None and response.status_code == status_code:
            self.end = _End("http", status_code, response.headers.get("x-rate-limit-reset"), _api_detail(response))
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
        self.events.put(("ended", self.end or _End("closed")))


class _LiveBase(LineSource):
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
        """Sleep, unless ``stop()`` comes first (then raise :class:`_Stopped`)."""
        if self._stop_event.wait(seconds):
            raise _Stopped

    def _call(self, fn: Callable[[], Any], what: str, *, starting: bool = False) -> Any:
        """``fn()`` (a tweepy request), retried on 429 (as its reset says), 5xx and network errors.

        While ``starting``, a network error fails at once and a 5xx is retried only ``Policy.start_retries``
        times: the caller wants to know soon whether the API answers.
        """
        attempts = 0
        retries = min(self.policy.start_retries, self.policy.max_retries) if starting else self.policy.max_retries
        while True:
            if self._stop_event.is_set():
                raise _Stopped
            try:
                return fn()
            except tweepy.TooManyRequests as exc:
                wait = _rate_limit_wait(exc.reset_time, what, self.policy)
                last = "HTTP 429 (rate limit)"
            except tweepy.HTTPException as exc:
                status = getattr(exc.response, "status_code", 0)
                if status < 500:
                    raise _status_error(status, what, _api_detail(exc.response)) from None
                wait = min(self.policy.backoff * 2**attempts, self.policy.backoff_max)
                last = f"HTTP {status}"
            except requests.exceptions.JSONDecodeError:
                raise LiveSourceUnavailable(
                    f"the server at {self.credentials.base_url} did not answer {what} with X API JSON "
                    "(is X_API_BASE_URL right?)"
                ) from None
            except requests.RequestException as exc:
                if starting:
                    raise LiveSourceUnavailable(
                        f"network unreachable: could not reach the X API at {self.credentials.base_url} "
                        f"({_network_cause(exc)})",
                        kind="unreachable",
                    ) from None
                wait = min(self.policy.network_backoff * (attempts + 1), self.policy.network_backoff_max)
                last = f"network error ({_network_cause(exc)})"
            except ValueError:
                # tweepy parses x-rate-limit-reset with int() itself and raises ValueError on a bad header
                last_response = self.adapter.last_response if self.adapter else None
                if last_response is not None and last_response.status_code == 429:
                    raise _no_reset(what) from None
                raise
            attempts += 1
            if attempts > (self.policy.max_retries if "429" in last else retries):
                raise LiveSourceUnavailable(
                    f"gave up on {what} after {attempts - 1} retries; last: {last}",
                    kind="rate-limited" if "429" in last else "unreachable" if "network" in last else "error",
                )
            log.warning("%s on %s; retrying in %.1f s", last, what, wait)
            self._wait(wait)


class StreamSource(_LiveBase):
    """Tweets from the X API filtered stream (``tweepy.StreamingClient``) under one tagged rule.

    ``start()`` makes the rules exactly ``[query tagged topic]`` (deleting stale ones; with
    ``replace_rules=False`` only untagged ones and older versions of this rule go) and connects; iterating
    yields each tweet's line as it arrived, reconnecting when the server closes the stream.
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
    ) -> None:
        super().__init__(credentials, topic, query, limit, policy)
        self.replace_rules = replace_rules
        self.tweet_fields = tweet_fields
        self.user_fields = user_fields
        self.rule_id: str | None = None
        self._events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._client: _TweepyStream | None = None
        self._got_since_connect = 0
        self.message = f"live: X API filtered stream at {credentials.base_url}, rule {self.query!r} tagged {topic!r}"

    def __repr__(self) -> str:
        return f"StreamSource(topic={self.topic!r}, query={self.query!r}, limit={self.limit}, {self.credentials!r})"

    def start(self) -> StreamSource:
        """Set the rules and connect; raises :class:`LiveSourceUnavailable` (after cleaning up) if it cannot."""
        if self._started:
            return self
        self._started = True
        self._client = _TweepyStream(self.credentials.token, self._events, self.policy)
        self.adapter = self._client.adapter = mount_base_url(
            self._client.session, self.credentials.base_url, self.policy
        )
        try:
            self._sync_rules()
            self._connect(starting=True)
        except _Stopped:
            pass
        except BaseException:
            self.stop()
            raise
        return self

    def _sync_rules(self) -> None:
        """Make the stream's rules this source's one tagged rule: delete stale ones, add it if missing."""
        client = self._client
        assert client is not None
        what = "the stream rules (/2/tweets/search/stream/rules)"
        existing = self._call(client.get_rules, what, starting=True).get("data") or []
        keep = next((r for r in existing if r.get("value") == self.query and r.get("tag") == self.topic), None)
        if self.replace_rules:
            stale = [r for r in existing if r is not keep]
        else:  # untagged rules break tweepy's on_data (KeyError 'tag'); a same-value rule would be a duplicate
            stale = [r for r in existing if r is not keep and (r.get("tag") is None or r.get("value") == self.query)]
        if stale:
            ids = [str(r["id"]) for r in stale]
            self._call(lambda: client.delete_rules(ids), what)
            log.info("deleted %d stale stream rule(s): %s", len(ids), ", ".join(repr(r.get("value")) for r in stale))
        if keep is not None:
            self.rule_id = str(keep["id"])
            return
        rule = tweepy.StreamRule(self.query, tag=self.topic)
        made = self._call(lambda: client.add_rules(rule), what)
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

    def _next_event(self, timeout: float) -> tuple[str, Any]:
        """The next event from tweepy's thread; raises :class:`_Stopped` once ``stop()`` was called."""
        deadline = time.monotonic() + timeout
        while True:
            if self._stop_event.is_set():
                raise _Stopped
            try:
                return self._events.get(timeout=min(0.25, max(deadline - time.monotonic(), 0.01)))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    return ("timeout", None)

    def _connect(self, starting: bool = False) -> None:
        """Connect until tweepy reports the stream up, waiting between attempts as :meth:`_delay` says."""
        attempts = 0
        retries = min(self.policy.start_retries, self.policy.max_retries) if starting else self.policy.max_retries
        while True:
            self._launch()
            kind, value = self._next_event(self.policy.connect_timeout)
            while kind == "line":  # cannot happen before "connected"; kept for safety
                kind, value = self._next_event(self.policy.connect_timeout)
            if kind == "connected":
                return
            if kind == "timeout":
                raise LiveSourceUnavailable(
                    f"the filtered stream at {self.credentials.base_url} did not answer within "
                    f"{self.policy.connect_timeout:.0f} s",
                    kind="unreachable",
                )
            wait = self._delay(value, attempts, retries)
            attempts += 1
            log.warning("stream connection failed (%s); retrying in %.1f s", value.describe(), wait)
            self._wait(wait)

    def _delay(self, end: _End, attempts: int, retries: int | None = None) -> float:
        """How long to wait after a failed connection attempt, or :class:`LiveSourceUnavailable` to give up."""
        what = "the filtered stream (/2/tweets/search/stream)"
        if end.kind == "http" and end.status is not None and end.status != 429 and end.status < 500:
            raise _status_error(end.status, what, end.detail)
        if end.kind == "exception":
            raise LiveSourceUnavailable(f"the stream failed: {end.detail}")
        limit = self.policy.max_retries if retries is None or end.status == 429 else retries
        if attempts >= limit:
            kind = {"network": "unreachable"}.get(end.kind, "rate-limited" if end.status == 429 else "error")
            raise LiveSourceUnavailable(
                f"gave up on {what} after {attempts} retries; last: {end.describe()}",
                kind=kind,
                status=end.status,
            )
        if end.kind == "http" and end.status == 429:
            return _rate_limit_wait(end.reset, what, self.policy)
        if end.kind == "network":
            return min(self.policy.network_backoff * (attempts + 1), self.policy.network_backoff_max)
        return min(self.policy.backoff * 2**attempts, self.policy.backoff_max)

    def _lines(self) -> Iterator[str]:
        idle_reconnects = 0
        while True:
            kind, value = self._next_event(3600.0)
            if kind == "line":
                self._got_since_connect += 1
                idle_reconnects = 0
                yield value
            elif kind == "ended":
                if value.kind == "exception":
                    raise LiveSourceUnavailable(f"the stream failed: {value.detail}")
                if self._got_since_connect == 0:  # closed again with nothing: back off, and not forever
                    if idle_reconnects >= self.policy.max_retries:
                        raise LiveSourceUnavailable(
                            f"the filtered stream keeps ending without tweets ({value.describe()}); "
                            f"gave up after {self.policy.max_retries} reconnects",
                            kind="unreachable" if value.kind == "network" else "error",
                        )
                    self._wait(self._delay(value, idle_reconnects))
                    idle_reconnects += 1
                log.info("stream ended (%s); reconnecting", value.describe())
                self._connect()

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
        self._events.put(("ended", _End("stopped")))


class SearchSource(_LiveBase):
    """Tweets from polling recent search (``tweepy.Client.search_recent_tweets``), oldest first, no repeats.

    Each poll asks only for posts newer than the newest seen (``since_id``), follows ``next_token`` for up to
    ``max_pages`` pages, and wraps each post in the stream shape with ``matching_rules=[{"id": "search",
    "tag": topic}]``. Polls are ``interval`` seconds apart; a 429 waits as its ``x-rate-limit-reset`` says.
    """

    def __init__(
        self,
        credentials: Credentials,
        topic: str,
        query: str | None = None,
        *,
        limit: int | None = None,
        interval: float = 15.0,
        max_results: int = 100,
        max_pages: int = 5,
        since_id: str | None = None,
        policy: Policy | None = None,
        tweet_fields: tuple[str, ...] = TWEET_FIELDS,
        user_fields: tuple[str, ...] = USER_FIELDS,
    ) -> None:
        super().__init__(credentials, topic, query, limit, policy)
        if not 10 <= max_results <= 100:
            raise ValueError("max_results must be between 10 and 100 (the X API's bounds)")
        if interval < 0 or max_pages < 1:
            raise ValueError("interval must be >= 0 and max_pages >= 1")
        self.interval = interval
        self.max_results = max_results
        self.max_pages = max_pages
        self.since_id = since_id
        self.tweet_fields = tweet_fields
        self.user_fields = user_fields
        self.polls = 0
        self._buffer: deque[str] = deque()
        self._client: tweepy.Client | None = None
        self.message = (
            f"live: X API recent search at {credentials.base_url} for {self.query!r} every {interval:g} s, "
            f"tagged {topic!r}"
        )

    def __repr__(self) -> str:
        return f"SearchSource(topic={self.topic!r}, query={self.query!r}, limit={self.limit}, {self.credentials!r})"

    def start(self) -> SearchSource:
        """Make the client and run the first poll, so a refused token or an unreachable API shows at once."""
        if self._started:
            return self
        self._started = True
        self._client = tweepy.Client(
            bearer_token=self.credentials.token.reveal(), return_type=dict, wait_on_rate_limit=False
        )
        self.adapter = mount_base_url(self._client.session, self.credentials.base_url, self.policy)
        try:
            self._buffer.extend(self._poll(first=True))
        except _Stopped:
            pass
        except BaseException:
            self.stop()
            raise
        return self

    def _poll(self, first: bool = False) -> list[str]:
        """One poll: every page of posts newer than ``since_id`` (bounded), as stream-shaped lines, oldest first."""
        client = self._client
        assert client is not None
        what = "recent search (/2/tweets/search/recent)"
        posts: dict[str, dict[str, Any]] = {}
        users: dict[str, dict[str, Any]] = {}
        newest: int | None = None
        next_token: str | None = None
        want = None if self.limit is None else self.limit - self.count - len(self._buffer)
        for _ in range(self.max_pages):
            size = self.max_results if want is None else max(10, min(self.max_results, want - len(posts)))
            token = next_token
            page = self._call(
                lambda size=size, token=token: client.search_recent_tweets(
                    self.query,
                    since_id=self.since_id,
                    max_results=size,
                    next_token=token,
                    tweet_fields=list(self.tweet_fields),
                    expansions=list(EXPANSIONS),
                    user_fields=list(self.user_fields),
                ),
                what,
                starting=first,
            )
            for post in page.get("data") or []:
                if isinstance(post, dict) and "id" in post:
                    posts[str(post["id"])] = post
                    if str(post["id"]).isdigit():
                        newest = max(newest or 0, int(post["id"]))
            for user in (page.get("includes") or {}).get("users") or []:
                if isinstance(user, dict) and "id" in user:
                    users[str(user["id"])] = user
            next_token = (page.get("meta") or {}).get("next_token")
            if not next_token or (want is not None and len(posts) >= want):
                break
        self.polls += 1
        if newest is not None:
            self.since_id = str(newest)
        ordered = sorted(posts.values(), key=lambda p: (len(str(p["id"])), str(p["id"])))  # ids are snowflakes
        return [self._wrap(post, users) for post in ordered]

    def _wrap(self, post: dict[str, Any], users: Mapping[str, dict[str, Any]]) -> str:
        """One search result in the filtered-stream shape, so the parser and the pipeline cannot tell."""
        author = users.get(str(post.get("author_id")))
        obj = {
            "data": post,
            "includes": {"users": [author] if author else []},
            "matching_rules": [{"id": "search", "tag": self.topic}],
        }
        return orjson.dumps(obj).decode("utf-8")

    def _lines(self) -> Iterator[str]:
        while True:
            while self._buffer:
                yield self._buffer.popleft()
            self._wait(self.interval)
            self._buffer.extend(self._poll())

    def stop(self) -> None:
        """Stop polling (a wait in progress ends at once) and close the HTTP session."""
        self._stop_event.set()
        if self._client is not None:
            self._client.session.close()


# ---------------------------------------------------------------------------------------------------------------
# Choosing a source


def open_live(
    topic: str,
    *,
    query: str | None = None,
    prefer: str = "x-stream",
    limit: int | None = None,
    credentials: Credentials | None = None,
    policy: Policy | None = None,
    interval: float = 15.0,
    dotenv_path: str | Path | None = None,
) -> StreamSource | SearchSource:
    """A started live source (``prefer``: ``x-stream`` or ``x-search``), or :class:`LiveSourceUnavailable`."""
    if prefer not in SOURCES:
        raise ValueError(f"prefer must be one of {SOURCES}, not {prefer!r}")
    creds = credentials or Credentials.from_env(dotenv_path=dotenv_path)
    source: StreamSource | SearchSource
    if prefer == "x-stream":
        source = StreamSource(creds, topic, query, limit=limit, policy=policy)
    else:
        source = SearchSource(creds, topic, query, limit=limit, interval=interval, policy=policy)
    return source.start()


def open_source(
    topic: str,
    *,
    query: str | None = None,
    prefer: str = "x-stream",
    limit: int | None = None,
    credentials: Credentials | None = None,
    policy: Policy | None = None,
    interval: float = 15.0,
    dotenv_path: str | Path | None = None,
) -> LineSource:
    """A live source when a token is set and the API answers, else a :class:`SampleReplay` of the sample.

    Either way ``source.message`` says what you got (and why it is not live); ``source.live`` tells them apart,
    and a replay keeps the reason in ``source.reason`` (a :class:`LiveSourceUnavailable`).
    """
    try:
        return open_live(
            topic,
            query=query,
            prefer=prefer,
            limit=limit,
            credentials=credentials,
            policy=policy,
            interval=interval,
            dotenv_path=dotenv_path,
        )
    except LiveSourceUnavailable as exc:
        message = f"no live tweets: {exc.reason}. Replaying the shipped sample instead."
        log.warning("%s", message)
        return SampleReplay(topic, limit=limit, message=message, reason=exc)
