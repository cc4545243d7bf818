"""Replay recorded tweets: the shipped sample or any stream-shaped NDJSON file, at a chosen pace.

``for line in Replay(paths.sample_files(), rate=200): ...`` yields lines (merged across files by
``created_at``, malformed lines passed through in place) about 200 per second, optionally looping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from helpers.sample import merged_lines


class Replay:
    """An iterator over recorded lines at ``rate`` lines per second (None: as fast as possible).

    ``loop=True`` starts again at the end; ``limit`` stops after that many lines; ``stop()`` ends it
    from another thread.
    """

    def __init__(
        self,
        files: Iterable[str | Path],
        rate: float | None = None,
        loop: bool = False,
        limit: int | None = None,
    ) -> None:
        self.files = [Path(f) for f in files]
        self.rate, self.loop, self.limit = rate, loop, limit
        self._stopped = threading.Event()
        self.sent = 0

    def stop(self) -> None:
        """End the replay at the next line."""
        self._stopped.set()

    def _all(self) -> Iterator[str]:
        while not self._stopped.is_set():
            yield from merged_lines(self.files)
            if not self.loop:
                return

    def chunks(self, tick: float = 0.01, most: int = 2000) -> Iterator[list[str]]:
        """The same lines, in lists of those due by now (at most ``most``): one socket write each, not one a line.

        At tens of thousands of lines a second a write per line costs a sender most of a core.
        """
        lines = self._all()
        started = time.monotonic()
        while not self._stopped.is_set():
            room = most if self.limit is None else min(most, self.limit - self.sent)
            if room <= 0:
                return
            elapsed = time.monotonic() - started
            due = min(room, int(elapsed * self.rate) - self.sent) if self.rate else room
            if due <= 0:
                self._stopped.wait(max(tick, (self.sent + 1) / self.rate - elapsed))
                continue
            chunk = list(islice(lines, due))
            if not chunk:
                return
            self.sent += len(chunk)
            yield chunk

    def __iter__(self) -> Iterator[str]:
        for line in paced(self._all(), self.rate, self._stopped):
            if self.limit is not None and self.sent >= self.limit:
                return
            self.sent += 1
            yield line


def paced(lines: Iterable[str], rate: float | None, stop: threading.Event | None = None) -> Iterator[str]:
    """Yield ``lines`` at about ``rate`` per second (all at once when ``rate`` is None); ``stop`` ends it early."""
    stop = stop or threading.Event()
    started = time.monotonic()
    for sent, line in enumerate(lines):
        if rate:
            wait = started + sent / rate - time.monotonic()
            if wait > 0 and stop.wait(wait):
                return
        if stop.is_set():
            return
        yield line


__all__ = [
    "Replay",
    "paced",
]
