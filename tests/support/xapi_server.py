"""A small, real X API v2 server on 127.0.0.1 for the tests: tweepy talks HTTP to it as it would to api.x.com.

Usage::

    with XApiServer(token="...", stream_tweets=objs, search_batches=[objs[:15], objs[15:]]) as server:
        env = {"X_BEARER_TOKEN": "...", "X_API_BASE_URL": server.base_url}
        ...
        server.sent            # the exact stream lines written, in order
        server.requests        # every request: method, path, query, body, whether auth was right, time

Endpoints: ``GET /2/tweets/search/stream`` (chunked, CRLF-delimited JSON lines, a blank keep-alive line after
each tweet, then it closes; ``per_connection`` tweets per connection), ``GET/POST /2/tweets/search/stream/rules``
(add with tag, delete by ids) and ``GET /2/tweets/search/recent`` (newest first, ``since_id``, ``max_results``,
``next_token`` pages; each new search reveals the next of ``search_batches``). ``fail(path, status, ...)``
queues 401/403/429 (with ``x-rate-limit-reset``) answers. A wrong ``Authorization: Bearer`` header gets 401.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from helpers.generate import dumps

STREAM = "/2/tweets/search/stream"
RULES = "/2/tweets/search/stream/rules"
RECENT = "/2/tweets/search/recent"

_ERROR_BODIES: dict[int, dict[str, Any]] = {
    400: {"title": "Invalid Request", "detail": "One or more parameters to your request was invalid.", "status": 400},
    401: {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
    403: {
        "title": "Client Forbidden",
        "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from "
        "a Twitter developer App that is attached to a Project.",
        "reason": "client-not-enrolled",
        "type": "https://api.twitter.com/2/problems/client-forbidden",
    },
    429: {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
    503: {"title": "Service Unavailable", "detail": "Service Unavailable", "status": 503},
}


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    auth_ok: bool
    body: Any
    time: float
    status: int = 0


@dataclass
class Failure:
    """An answer to give instead of the real one: after letting ``after`` matching requests through."""

    path: str
    status: int
    times: int = 1
    after: int = 0
    reset: str | None = None  # the x-rate-limit-reset header, as sent (None: no header)
    body: dict[str, Any] | None = None


@dataclass
class _State:
    rules: list[dict[str, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    stream_cursor: int = 0
    visible_batches: int = 0
    pages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class XApiServer:
    """The server; a context manager that starts it on a free port and stops it (port freed, threads joined)."""

    def __init__(
        self,
        token: str,
        *,
        stream_tweets: Sequence[dict[str, Any]] = (),
        search_batches: Sequence[Sequence[dict[str, Any]]] = (),
        per_connection: int | None = None,
        keepalives: int = 1,
        hold_open: bool = False,
        echo_auth_in_errors: bool = False,
    ) -> None:
        self.token = token
        self.stream_tweets = list(stream_tweets)
        self.search_batches = [list(b) for b in search_batches]
        self.per_connection = per_connection
        self.keepalives = keepalives
        self.hold_open = hold_open  # after the last tweet keep sending keep-alives until the client goes
        self.echo_auth_in_errors = echo_auth_in_errors  # a badly behaved server: echoes the header in errors
        self.requests: list[Recorded] = []
        self.sent: list[str] = []
        self.served_posts: list[dict[str, Any]] = []
        self._state = _State()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._ids = itertools.count(1_900_000_000_000_000_001)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()

    # -- configuration --------------------------------------------------------------------------------------

    def add_rule(self, value: str, tag: str | None = None) -> str:
        """Pre-load a rule (as a previous run would have left it); returns its id."""
        rule = {"id": str(next(self._ids)), "value": value}
        if tag is not None:
            rule["tag"] = tag
        with self._lock:
            self._state.rules.append(rule)
        return rule["id"]

    @property
    def rules(self) -> list[dict[str, str]]:
        with self._lock:
            return [dict(r) for r in self._state.rules]

    def fail(
        self,
        path: str,
        status: int,
        *,
        times: int = 1,
        after: int = 0,
        reset_in: float | None = None,
        reset: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> Failure:
        """Answer the next ``times`` requests to ``path`` (after ``after`` good ones) with ``status``.

        ``reset_in`` seconds from now becomes an ``x-rate-limit-reset`` header (epoch seconds, rounded up);
        ``reset`` sends that header verbatim instead.
        """
        if reset_in is not None:
            reset = str(int(time.time() + reset_in) + 1)
        failure = Failure(path, status, times, after, reset, body)
        with self._lock:
            self._state.failures.append(failure)
        return failure

    def requests_to(self, path: str, method: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "start the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # -- life cycle -----------------------------------------------------------------------------------------

    def start(self) -> XApiServer:
        server = self

        class Handler(_Handler):
            owner = server

        httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="xapi-server")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections (a held stream too), join every thread and free the port."""
        self._closing.set()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()  # joins handler threads (block_on_close)
        if self._thread is not None:
            self._thread.join()
        self._httpd = None

    def __enter__(self) -> XApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- used by the handler --------------------------------------------------------------------------------

    def _take_failure(self, path: str) -> Failure | None:
        with self._lock:
            for failure in self._state.failures:
                if failure.path != path or failure.times <= 0:
                    continue
                if failure.after > 0:
                    failure.after -= 1
                    return None
                failure.times -= 1
                return failure
        return None

    def _matching_rules(self) -> list[dict[str, str]]:
        with self._lock:
            return [{k: r[k] for k in ("id", "tag") if k in r} for r in self._state.rules]

    def _next_stream_batch(self) -> list[dict[str, Any]]:
        with self._lock:
            start = self._state.stream_cursor
            end = len(self.stream_tweets) if self.per_connection is None else start + self.per_connection
            batch = self.stream_tweets[start:end]
            self._state.stream_cursor = start + len(batch)
            return batch


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: XApiServer

    def setup(self) -> None:
        super().setup()
        with self.owner._lock:
            self.owner._conns.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.owner._lock:
                self.owner._conns.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- helpers --------------------------------------------------------------------------------------------

    def _record(self, body: Any) -> Recorded:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        auth = self.headers.get("Authorization", "")
        rec = Recorded(self.command, parts.path, query, auth == f"Bearer {self.owner.token}", body, time.time())
        with self.owner._lock:
            self.owner.requests.append(rec)
        return rec

    def _json(self, rec: Recorded, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(obj).encode("utf-8")
        rec.status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = True

    def _error(self, rec: Recorded, status: int, failure: Failure | None = None) -> None:
        body = dict(
            (failure.body if failure and failure.body else None) or _ERROR_BODIES.get(status, {"status": status})
        )
        if self.owner.echo_auth_in_errors:
            body["detail"] = f"{body.get('detail', '')} (you sent: {self.headers.get('Authorization', '')})"
        headers = {}
        if status == 429:
            headers = {"x-rate-limit-limit": "50", "x-rate-limit-remaining": "0"}
            if failure is not None and failure.reset is not None:
                headers["x-rate-limit-reset"] = failure.reset
        self._json(rec, status, body, headers)

    def _gate(self, rec: Recorded, path: str) -> bool:
        """Auth, then any queued failure; True when the request may proceed."""
        if not rec.auth_ok:
            self._error(rec, 401)
            return False
        failure = self.owner._take_failure(path)
        if failure is not None:
            self._error(rec, failure.status, failure)
            return False
        return True

    # -- routes ---------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        rec = self._record(None)
        if rec.path == STREAM:
            if self._gate(rec, STREAM):
                self._stream(rec)
        elif rec.path == RULES:
            if self._gate(rec, RULES):
                rules = self.owner.rules
                meta = {"sent": _now(), "result_count": len(rules)}
                self._json(rec, 200, {"data": rules, "meta": meta} if rules else {"meta": meta})
        elif rec.path == RECENT:
            if self._gate(rec, RECENT):
                self._search(rec)
        else:
            self._json(rec, 404, {"title": "Not Found Error", "detail": f"no route {rec.path}"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        rec = self._record(body)
        if rec.path != RULES:
            self._json(rec, 404, {"title": "Not Found Error"})
            return
        if not self._gate(rec, RULES):
            return
        if isinstance(body, dict) and "add" in body:
            self._add_rules(rec, body["add"])
        elif isinstance(body, dict) and "delete" in body:
            self._delete_rules(rec, (body["delete"] or {}).get("ids") or [])
        else:
            self._error(rec, 400)

    def _add_rules(self, rec: Recorded, add: Iterable[dict[str, str]]) -> None:
        created, errors = [], []
        with self.owner._lock:
            for item in add:
                dup = next((r for r in self.owner._state.rules if r["value"] == item.get("value")), None)
                if dup is not None:
                    errors.append({"value": item.get("value"), "id": dup["id"], "title": "DuplicateRule"})
                    continue
                rule = {"id": str(next(self.owner._ids)), "value": str(item.get("value"))}
                if item.get("tag") is not None:
                    rule["tag"] = str(item["tag"])
                self.owner._state.rules.append(rule)
                created.append(dict(rule))
        summary = {"created": len(created), "not_created": len(errors), "valid": len(created), "invalid": 0}
        obj: dict[str, Any] = {"meta": {"sent": _now(), "summary": summary}}
        if created:
            obj["data"] = created
        if errors:
            obj["errors"] = errors
        self._json(rec, 200, obj)

    def _delete_rules(self, rec: Recorded, ids: Iterable[str]) -> None:
        wanted = {str(i) for i in ids}
        with self.owner._lock:
            before = len(self.owner._state.rules)
            self.owner._state.rules = [r for r in self.owner._state.rules if r["id"] not in wanted]
            deleted = before - len(self.owner._state.rules)
        summary = {"deleted": deleted, "not_deleted": len(wanted) - deleted}
        self._json(rec, 200, {"meta": {"sent": _now(), "summary": summary}})

    def _stream(self, rec: Recorded) -> None:
        rec.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        rules = self.owner._matching_rules()
        batch = self.owner._next_stream_batch() if rules else []  # no rules: the real stream sends nothing
        try:
            for obj in batch:
                line = dumps({**obj, "matching_rules": rules})
                with self.owner._lock:
                    self.owner.sent.append(line)
                self._chunk(line.encode("utf-8") + b"\r\n")
                for _ in range(self.owner.keepalives):
                    self._chunk(b"\r\n")
            while self.owner.hold_open and not self.owner._closing.is_set():
                self._chunk(b"\r\n")
                time.sleep(0.02)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client went away

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _search(self, rec: Recorded) -> None:
        q = rec.query
        try:
            max_results = int(q.get("max_results", "10"))
        except ValueError:
            max_results = 0
        if not q.get("query") or not 10 <= max_results <= 100:
            self._error(rec, 400)
            return
        owner = self.owner
        token = q.get("next_token")
        with owner._lock:
            if token:
                remaining = owner._state.pages.pop(token, None)
                if remaining is None:
                    self._error(rec, 400)
                    return
            else:  # a new search: the next batch of posts has "been published" since the last one
                owner._state.visible_batches = min(owner._state.visible_batches + 1, len(owner.search_batches))
                visible = [p for b in owner.search_batches[: owner._state.visible_batches] for p in b]
                since = int(q["since_id"]) if q.get("since_id") else -1
                remaining = sorted(
                    (p for p in visible if int(p["data"]["id"]) > since), key=lambda p: -int(p["data"]["id"])
                )
            page, rest = remaining[:max_results], remaining[max_results:]
            meta: dict[str, Any] = {"result_count": len(page)}
            if page:
                meta["newest_id"], meta["oldest_id"] = page[0]["data"]["id"], page[-1]["data"]["id"]
            if rest:
                next_token = f"tok{next(owner._ids)}"
                owner._state.pages[next_token] = rest
                meta["next_token"] = next_token
            owner.served_posts.extend(page)
        if not page:
            self._json(rec, 200, {"meta": meta})
            return
        users: dict[str, dict[str, Any]] = {}
        for p in page:
            for u in p.get("includes", {}).get("users", []):
                users.setdefault(u["id"], u)
        self._json(
            rec, 200, {"data": [p["data"] for p in page], "includes": {"users": list(users.values())}, "meta": meta}
        )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
