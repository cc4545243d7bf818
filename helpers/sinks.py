"""Where finished snapshots go: a ``Publisher`` that keeps the last ones and tells listeners, and two listeners.

An engine's run works out one ``Snapshot`` per batch (``helpers.dstream``, ``helpers.structured``) and hands
it to ``Publisher.publish``; the publisher keeps a bounded history, wakes whoever waits for a batch, and calls
every listener: ``ConsoleTable``, ``JsonLines``, the dashboard. A listener's error is recorded in
``publisher.errors`` and never stops the stream. No Spark, no state, no lexicon here.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from helpers.model import Snapshot
from helpers.settings import Listener


def describe(e: BaseException, limit: int = 300) -> str:
    """An exception in one line: its type and its message's first line (at most ``limit`` characters)."""
    text = str(e).strip()
    return f"{type(e).__name__}: {text.splitlines()[0][:limit]}" if text else type(e).__name__


def error_line(where: str, e: BaseException) -> str:
    """One line for an error list: where, then ``describe(e)``."""
    return f"{where}: {describe(e)}"


class Publisher:
    """Takes each batch's finished ``Snapshot``: keeps the last ``keep`` of them, wakes waiters, tells listeners.

    ``publish`` is called on the thread that finished the batch (Spark's job thread for a DStream run);
    listeners run there too, one after another, so a listener that must not slow the stream hands the
    snapshot to a thread of its own (as the dashboard does).
    """

    def __init__(self, listeners: Iterable[Listener] = (), keep: int = 600) -> None:
        if keep < 1:
            raise ValueError(f"keep must be at least 1, got {keep}")
        self.listeners: list[Listener] = list(listeners)
        self.keep = keep
        self.history: list[Snapshot] = []
        self.errors: list[str] = []
        self.batches = 0
        self.tweets_total = 0
        self.malformed_total = 0
        self.closed = False
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def publish(self, snap: Snapshot) -> None:
        """Record one batch's snapshot, wake whoever waits for it, then tell every listener (not after ``close``)."""
        with self._lock:
            if self.closed:
                return
            self.batches = snap.batch
            self.tweets_total, self.malformed_total = snap.tweets_total, snap.malformed_total
            self.history.append(snap)
            del self.history[: -self.keep]
            self._changed.notify_all()
        for listener in list(self.listeners):
            try:
                listener(snap)
            except Exception as e:
                self.error(f"listener {getattr(listener, '__name__', type(listener).__name__)}", e)

    def error(self, where: str, e: BaseException) -> None:
        """Record a failure in ``errors`` (``error_line``); never raises."""
        self.errors.append(error_line(where, e))

    @property
    def latest(self) -> Snapshot | None:
        """The last snapshot, or None before the first batch."""
        with self._lock:
            return self.history[-1] if self.history else None

    def wait_for(self, batches: int, timeout: float) -> bool:
        """Block until ``batches`` batches are published (True), or ``timeout`` seconds pass or it closes (False)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.batches < batches:
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return False
                self._changed.wait(left)
        return True

    def close(self) -> None:
        """Publish no more (later snapshots are dropped) and wake every waiter; history and errors stay readable."""
        with self._lock:
            self.closed = True
            self._changed.notify_all()


def format_table(snap: Snapshot, rows: int = 15) -> str:
    """A plain-text table of one snapshot: a status line, then the top words with their sentiment."""
    s = snap.stats
    marks = {"positive": "+", "negative": "-", "neutral": " "}
    proc = f"{snap.processing_s:.2f}s" if snap.processing_s is not None else "?"
    lines = [
        f"batch {snap.batch:>4} | tweets {s.tweets:>6} (total {snap.tweets_total:>7}) | malformed skipped "
        f"{snap.malformed_total:>4} | +{s.positive_tweets} -{s.negative_tweets} ={s.neutral_tweets} | "
        f"processing {proc} of {snap.interval_s:g}s",
        f"{'word':<20} {'window':>7} {'total':>8}  sentiment",
    ]
    for r in snap.top[:rows]:
        lines.append(f"{r.word:<20} {r.count:>7} {r.total:>8}  {marks[r.sentiment]} {r.sentiment}")
    return "\n".join(lines)


class ConsoleTable:
    """A listener that redraws the table in a terminal after each batch (ANSI clear when it is a TTY)."""

    def __init__(self, out: IO[str], rows: int = 15, clear: bool = True) -> None:
        self.out, self.rows, self.clear = out, rows, clear and out.isatty()

    def __call__(self, snap: Snapshot) -> None:
        prefix = "\x1b[2J\x1b[H" if self.clear else ""
        self.out.write(prefix + format_table(snap, self.rows) + "\n\n")
        self.out.flush()


class JsonLines:
    """A listener that appends one JSON object per batch to a file (for a D3 or Vega page to read)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("", encoding="utf-8")

    def __call__(self, snap: Snapshot) -> None:
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(snap.as_dict(), ensure_ascii=False) + "\n")


__all__ = [
    "ConsoleTable",
    "JsonLines",
    "Publisher",
    "describe",
    "error_line",
    "format_table",
]
