"""Live tweets into a DStream: any line source (the X API, or its fallback) behind a local socket.

    dash = Dashboard(sc, source=live.dashboard_source(prefer="x-stream"))

``socketTextStream`` needs a server to connect to; ``LineSocket`` serves the lines of an
``x_api`` source (or any iterator of lines) on 127.0.0.1, so the pipeline never knows whether its
tweets are live or replayed. The fallback replay is paced at the dashboard's speed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from helpers.sources.replay import paced
from helpers.sources.socket_server import ReplayServer

if TYPE_CHECKING:
    from pyspark.streaming import DStream, StreamingContext


class LineSocket:
    """Serve the lines of ``source`` (anything iterable with an optional ``stop()``) to ``socketTextStream``."""

    def __init__(self, source: Iterable[str], rate: float | None = None, note: str = "") -> None:
        self.source, self.note = source, note  # note: where the lines come from, for the dashboard to show
        self._stop = threading.Event()
        self.server = ReplayServer(lines=paced(source, rate, self._stop)).start()

    def dstream(self, ssc: StreamingContext) -> DStream:
        """socketTextStream on the local server."""
        return self.server.dstream(ssc)

    def stop(self) -> None:
        """Stop the source first (it may be blocked waiting for a live tweet), then the server."""
        self._stop.set()
        stop = getattr(self.source, "stop", None)
        if stop is not None:
            stop()
        self.server.stop()


def dashboard_source(prefer: str = "x-stream", **options: Any) -> Callable[..., LineSocket]:
    """A source factory for ``Dashboard``: live tweets on the chosen topic, or the sample with the reason why.

    The dashboard calls it with its control values (``topic``, ``rate``, ``limit``) and shows the source's
    ``note``: whether the tweets are live, and if not, why the sample replaces them (paced at ``rate``).
    """

    def make(*, topic: str | None, rate: float, limit: int | None) -> LineSocket:
        from helpers.sources import x_api

        source = x_api.open_source(topic or "football", prefer=prefer, limit=limit, **options)
        note = ("live · " if source.live else "") + source.message
        return LineSocket(source, rate=None if source.live else rate, note=note)

    return make


__all__ = [
    "LineSocket",
    "dashboard_source",
]
