"""A replay server on 127.0.0.1 for ``socketTextStream``: each client gets the tweets as lines.

    with ReplayServer(paths.sample_files(), rate=500) as server:
        lines = ssc.socketTextStream(server.host, server.port)

It survives a client disconnecting and reconnecting (Spark restarts its receiver): the next client
continues where the last one stopped, and a line whose write failed is sent again. Lines already
handed to a connection that then dies may be lost with it: a socket is not a replayable source,
which is why notebook 04 recovers from files. ``stop()`` closes every connection and frees the port.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.sources.replay import Replay

if TYPE_CHECKING:
    from pyspark.streaming import DStream, StreamingContext


class ReplayServer:
    """Serve lines from ``Replay(files, rate, loop, limit)`` to one client at a time over TCP."""

    def __init__(
        self,
        files: Iterable[str | Path] = (),
        rate: float | None = None,
        loop: bool = False,
        limit: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        lines: Iterable[str] | None = None,
        drop_every: int | None = None,
    ) -> None:
        self.replay = Replay(files, rate=rate, loop=loop, limit=limit)
        # Lines to send, a list per write: a replay's lines in lists of those due; given lines one by one,
        # as they come (a live source must not wait for a list to fill).
        self._chunks: Iterator[list[str]] = ([line] for line in lines) if lines is not None else self.replay.chunks()
        self._sock = socket.create_server((host, port))
        self._sock.settimeout(0.2)
        self.host, self.port = self._sock.getsockname()[:2]
        self._stop = threading.Event()
        self._pending: list[str] | None = None
        self.connections = 0
        self.sent = 0
        self.finished = threading.Event()  # set when every line has been sent
        self.drop_every = drop_every  # fault injection: close each connection after this many lines
        self._thread = threading.Thread(target=self._serve, name=f"replay-server-{self.port}", daemon=True)

    def start(self) -> ReplayServer:
        """Start accepting clients in a background thread; returns self."""
        self._thread.start()
        return self

    def __enter__(self) -> ReplayServer:
        return self.start() if not self._thread.is_alive() else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def dstream(self, ssc: StreamingContext) -> DStream:
        """``socketTextStream`` on this server (memory and disk: no replication warnings on one node)."""
        from pyspark import StorageLevel

        return ssc.socketTextStream(self.host, self.port, StorageLevel.MEMORY_AND_DISK)

    def stop(self) -> None:
        """Stop sending, close every connection and free the port (safe to call twice)."""
        self._stop.set()
        self.replay.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._sock.close()

    def _next(self) -> list[str] | None:
        if self._pending is None:
            self._pending = next(self._chunks, None)
        return self._pending

    def _serve(self) -> None:
        while not self._stop.is_set() and not self.finished.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            with conn:
                self._send_all(conn)

    def _send_all(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        sent_here = 0
        while not self._stop.is_set():
            if self.drop_every and sent_here >= self.drop_every:
                return  # hang up on this client, as a flaky network would
            chunk = self._next()
            if chunk is None:
                self.finished.set()
                return
            rest: list[str] = []
            if self.drop_every and sent_here + len(chunk) > self.drop_every:
                cut = self.drop_every - sent_here
                chunk, rest = chunk[:cut], chunk[cut:]
            data = "".join(line + "\n" for line in chunk).encode("utf-8", errors="replace")
            try:
                conn.sendall(data)
            except OSError:
                self._pending = chunk + rest  # client went away: keep the lines for the next client
                return
            self._pending = rest or None
            self.sent += len(chunk)
            sent_here += len(chunk)


__all__ = [
    "ReplayServer",
]
