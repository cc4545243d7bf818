"""The seam between tweepy and the network: a ``requests`` transport adapter that sends tweepy's requests elsewhere.

tweepy 4.17 hard-codes ``https://api.twitter.com``; :class:`BaseURLAdapter`, mounted on tweepy's own
``requests.Session`` (:func:`mount_base_url`), rewrites that host to a base URL — api.x.com, a proxy or the local
test server — just before a request goes on the wire. :func:`check_base_url` refuses a base URL that would send the
token unencrypted to another machine.
"""

from __future__ import annotations

import contextlib
import ipaddress
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from .retry import Policy
from .secrets import install_redaction

#: Where requests go unless ``X_API_BASE_URL`` says otherwise.
DEFAULT_BASE_URL = "https://api.x.com"
#: The host tweepy 4.17 writes into every URL; :class:`BaseURLAdapter` rewrites it.
TWEEPY_HOST = "https://api.twitter.com"

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (a name or an address) is this machine."""
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
    if parts.scheme == "http" and not is_loopback(parts.hostname):
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
            if is_loopback(urlsplit(url).hostname):
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
    """Mount a :class:`BaseURLAdapter` for ``base_url`` on ``session`` (tweepy's) and return it.

    It also installs the log redaction (:func:`install_redaction`): from here on tweepy sends the token.
    """
    install_redaction()
    adapter = BaseURLAdapter(base_url, timeout=(policy or Policy()).request_timeout)
    session.mount(TWEEPY_HOST + "/", adapter)
    return adapter


__all__ = [
    "DEFAULT_BASE_URL",
    "TWEEPY_HOST",
    "BaseURLAdapter",
    "check_base_url",
    "is_loopback",
    "mount_base_url",
]
