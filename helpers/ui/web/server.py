"""A small loopback web server for the D3 page: the page, its static files, and the snapshots of a JSON-lines file.

    with serve("live.jsonl") as server:   # port 0: a free port
        print(server.url)                 # open it; the page polls /snapshots?since=N every second

``python -m helpers web --input live.jsonl --port 8765`` does the same from a terminal. The file is the
one a stream's ``foreachRDD`` appends to, one JSON object per batch (docs/json-contract.md); it may not
exist yet, may end in a half-written line, and may hold bad lines: those are counted and skipped.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import mimetypes
import os
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

STATIC = Path(__file__).resolve().parent / "static"
SENTIMENTS = frozenset({"positive", "negative", "neutral"})
#: Optional numeric fields of a snapshot that the page reads (docs/json-contract.md).
NUMBERS = ("batch", "tweets", "positive_tweets", "negative_tweets", "positive_words", "negative_words", "neutral_words")
#: At most this many snapshots per answer; the page asks again at once while ``more`` is true.
MAX_PER_ANSWER = 500
# Only what the page needs: its own files and its own server, no inline script, nothing from outside.
_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'"


def check_snapshot(obj: Any) -> str | None:
    """Why ``obj`` is not a snapshot of the JSON contract, or None when it is one."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    t = obj.get("time")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
        return "'time' must be a number (epoch seconds of the batch)"
    top = obj.get("top")
    if not isinstance(top, list):
        return "'top' must be a list of {word, count, sentiment}"
    for i, row in enumerate(top):
        if not isinstance(row, dict) or not isinstance(row.get("word"), str):
            return f"top[{i}] must be an object with a string 'word'"
        count = row.get("count")
        if isinstance(count, bool) or not isinstance(count, (int, float)) or count < 0:
            return f"top[{i}].count must be a number >= 0"
        if row.get("sentiment") not in SENTIMENTS:
            return f"top[{i}].sentiment must be one of {sorted(SENTIMENTS)}"
    for name in NUMBERS:
        value = obj.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            return f"{name!r} must be a number >= 0 when present"
    return None


@dataclass
class Chunk:
    """What ``/snapshots?since=N`` answers: the good snapshots after line N and where to ask next."""

    since: int
    next: int
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    bad: list[dict[str, Any]] = field(default_factory=list)  # {"line": number from 1, "error": why}
    partial: bool = False  # the file ends in a line still being written (not read yet)
    exists: bool = True
    more: bool = False  # more complete lines wait after ``next``

    def as_dict(self) -> dict[str, Any]:
        """The JSON answer."""
        return {
            "since": self.since,
            "next": self.next,
            "snapshots": self.snapshots,
            "bad": self.bad,
            "partial": self.partial,
            "exists": self.exists,
            "more": self.more,
        }


class LineIndex:
    """Byte offsets of the complete lines of a growing file, so each poll reads only what is new.

    A file that shrank or was replaced (a new run truncates it) is indexed again from its start;
    the page sees ``next`` drop below its ``since`` and starts over.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._starts: list[int] = [0]  # _starts[i]: byte where line i begins; the last one ends the complete part
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def read(self, since: int, limit: int = MAX_PER_ANSWER) -> Chunk:
        """The snapshots on complete lines ``since + 1`` … (at most ``limit``), bad lines counted and skipped."""
        since = max(0, since)
        with self._lock:
            try:
                fh = self.path.open("rb")
            except FileNotFoundError:
                self._starts, self._identity = [0], None
                return Chunk(since, 0, exists=False)
            with fh:
                st = os.fstat(fh.fileno())
                if self._identity != (st.st_dev, st.st_ino) or st.st_size < self._starts[-1]:
                    self._starts, self._identity = [0], (st.st_dev, st.st_ino)
                fh.seek(self._starts[-1])
                tail = fh.read()
                end = tail.rfind(b"\n") + 1
                pos = self._starts[-1]
                for piece in tail[:end].split(b"\n")[:-1]:
                    pos += len(piece) + 1
                    self._starts.append(pos)
                lines = len(self._starts) - 1
                if since > lines:  # the file was restarted under the page: tell it where we are
                    return Chunk(since, lines, partial=end < len(tail))
                stop = min(lines, since + limit)
                fh.seek(self._starts[since])
                block = fh.read(self._starts[stop] - self._starts[since])
        chunk = Chunk(since, stop, partial=end < len(tail), more=stop < lines)
        for number, raw in enumerate(block.split(b"\n")[:-1], start=since + 1):
            if not raw.strip():
                continue  # a blank line is neither a snapshot nor an error
            try:
                obj = json.loads(raw.decode("utf-8"))
                why = check_snapshot(obj)
            except (UnicodeDecodeError, ValueError) as e:
                obj, why = None, f"not JSON: {str(e).splitlines()[0][:120]}"
            if why is None:
                chunk.snapshots.append(obj)
            else:
                chunk.bad.append({"line": number, "error": why})
        return chunk


def _loopback(host: str) -> str:
    """``host`` as an IPv4 loopback address; anything else is refused (the page is for this machine)."""
    address = "127.0.0.1" if host == "localhost" else host
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(f"host must be a loopback address such as 127.0.0.1, got {host!r}") from None
    if not ip.is_loopback or ip.version != 4:
        raise ValueError(f"host must be a loopback address such as 127.0.0.1, got {host!r}")
    return address


def _static_files() -> dict[str, Path]:
    """Every file under static/ by its URL path: the only files the server will ever send."""
    files = {"/" + p.relative_to(STATIC).as_posix(): p for p in STATIC.rglob("*") if p.is_file()}
    files["/"] = STATIC / "index.html"
    return files


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "lab-web"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost", self.server.server_address[0]):
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"unknown host\n", "text/plain; charset=utf-8", head)
            return
        url = urlsplit(self.path)
        if url.path == "/snapshots":
            try:
                since = int(parse_qs(url.query).get("since", ["0"])[0])
            except ValueError:
                self._send(HTTPStatus.BAD_REQUEST, b"since must be a whole number\n", "text/plain", head)
                return
            body = json.dumps(self.server.index.read(since).as_dict(), ensure_ascii=False).encode("utf-8")
            self._send(HTTPStatus.OK, body, "application/json; charset=utf-8", head)
            return
        path = self.server.files.get(url.path)
        if path is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", head)
            return
        kind = mimetypes.guess_type(path.name)[0] or "text/plain"  # LICENSE: read in the browser, not saved
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind += "; charset=utf-8"
        self._send(HTTPStatus.OK, path.read_bytes(), kind, head)

    def _send(self, status: HTTPStatus, body: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", _CSP)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    index: LineIndex
    files: dict[str, Path]
    verbose: bool


class WebServer:
    """The running page server: ``.url`` to open, ``.stop()`` (or a ``with`` block) to shut it down."""

    def __init__(self, path: str | Path, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> None:
        self.path = Path(path)
        self._httpd = _Server((_loopback(host), port), _Handler)
        self._httpd.index, self._httpd.files, self._httpd.verbose = LineIndex(path), _static_files(), verbose
        self.host, self.port = self._httpd.server_address[0], int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="lab-web", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The page's address."""
        return f"http://{self.host}:{self.port}/"

    def stop(self) -> None:
        """Stop serving and free the port; safe to call twice."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(10)
        self._httpd.server_close()

    def __enter__(self) -> WebServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"WebServer({str(self.path)!r}, url={self.url!r})"


def serve(path: str | Path, host: str = "127.0.0.1", port: int = 0) -> WebServer:
    """Serve the D3 page for the JSON-lines file ``path`` on loopback (port 0: a free one); returns the server."""
    return WebServer(path, host, port)


def _web(args: argparse.Namespace) -> int:
    try:
        server = WebServer(args.input, args.host, args.port, verbose=args.verbose)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    waiting = "" if Path(args.input).exists() else " (the file does not exist yet: the page waits for it)"
    try:  # from the line that says Ctrl-C stops: a Ctrl-C right after it is a clean stop too
        print(f"serving the live page for {args.input}{waiting} at {server.url} ; Ctrl-C stops", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``web`` to the command line."""
    p = sub.add_parser("web", help="the live D3 page for a JSON-lines file of snapshots (127.0.0.1)")
    p.add_argument("--input", required=True, help="the JSON-lines file a stream appends to (docs/json-contract.md)")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument("--host", default="127.0.0.1", help="a loopback address; the page is for this machine only")
    p.add_argument("--verbose", action="store_true", help="log every request")
    p.set_defaults(func=_web)


__all__ = [
    "MAX_PER_ANSWER",
    "NUMBERS",
    "SENTIMENTS",
    "STATIC",
    "Chunk",
    "LineIndex",
    "WebServer",
    "check_snapshot",
    "register",
    "serve",
]
