"""Where results go: a snapshot per batch for the dashboard, a console table, a JSON-lines file.

``SnapshotSink.attach(streams)`` registers the ``foreachRDD`` calls that build one ``Snapshot`` per
batch from a pipeline whose window and totals Spark keeps; ``attach_summaries(parts, window, slide)``
builds it from each batch's summaries, keeping the window and totals on the driver. Either way the
snapshot goes to every listener (``ConsoleTable``, ``JsonLines``, the dashboard). A listener's error
is recorded in ``sink.errors`` and never stops the stream.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from helpers import lexicon
from helpers.analyse import Row, Snapshot, Stats, Summary, rank, rank_key
from helpers.engine import PythonEngine

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.streaming import DStream

    from helpers.pipeline import Streams

Listener = Callable[[Snapshot], None]


def _current_key(kv: tuple[str, tuple[int, int]]) -> tuple[int, str]:
    return (-kv[1][0], kv[0])


# Sinks by id. With checkpointing on, Spark pickles every foreachRDD function into the checkpoint;
# a bound method would drag the sink's lock along and fail, so the registered functions are
# closures holding only the sink's id and the method's name.
_SINKS: dict[str, SnapshotSink] = {}


def _dispatch(sink_id: str, method: str, t: dt.datetime, rdd: RDD) -> None:
    sink = _SINKS.get(sink_id)
    if sink is not None:  # absent in a driver recovered from a checkpoint: nothing to feed
        getattr(sink, method)(t, rdd)


def _output(sink_id: str, method: str) -> Callable[[dt.datetime, RDD], None]:
    """A foreachRDD function holding two strings; ``_dispatch`` is pickled by name, not by value."""

    def call(t: dt.datetime, rdd: RDD) -> None:
        _dispatch(sink_id, method, t, rdd)

    return call


class SnapshotSink:
    """Collects each batch's stats and the current top-N view into a ``Snapshot``, then tells listeners.

    The foreachRDD functions run on the driver in Spark's job thread; they only collect small
    results (one Stats, N rows) and never return a value (a returned value kills the stream).
    """

    def __init__(
        self,
        top_n: int = 50,
        interval_s: float = 1.0,
        lexicon_name: str = "default",
        listeners: list[Listener] | None = None,
        keep: int = 600,
    ) -> None:
        self.top_n, self.interval_s, self.lexicon_name = top_n, interval_s, lexicon_name
        self.listeners: list[Listener] = list(listeners or [])
        self.keep = keep
        self.history: list[Snapshot] = []
        self.errors: list[str] = []
        self.batches = 0
        self.tweets_total = 0
        self.malformed_total = 0
        self.totals_top_n = 0
        self._final_top: list[tuple[str, int]] = []
        self._engine: PythonEngine | None = None
        self._top: list[Row] = []
        self._updated = False
        self._started = 0.0
        self._lock = threading.Lock()
        self._new_batch = threading.Condition(self._lock)
        self.id = uuid.uuid4().hex
        _SINKS[self.id] = self

    # -- wiring ----------------------------------------------------------------------------------
    def attach(self, streams: Streams, totals_top: int = 0) -> SnapshotSink:
        """Register the output operations, in the order they run within each batch."""
        streams.stats.foreachRDD(_output(self.id, "_mark_start"))
        streams.current.foreachRDD(_output(self.id, "_on_current"))
        if totals_top:
            self.totals_top_n = totals_top
            streams.totals.foreachRDD(_output(self.id, "_on_totals"))
        streams.stats.foreachRDD(_output(self.id, "_on_stats"))
        return self

    def attach_summaries(self, parts: DStream, window: int, slide: int, totals_top: int = 0) -> SnapshotSink:
        """Register one output operation that collects each batch's summaries (``pipeline.summaries``).

        The window (``window`` batches, refreshed every ``slide``) and the running totals are then
        kept on the driver by ``PythonEngine.add``: one Spark job a batch instead of a stage per
        stateful operator, and the same snapshots as the reference engine by construction.
        """
        self.totals_top_n = totals_top
        self._engine = PythonEngine(self.lexicon_name, window, slide, self.top_n, interval_s=self.interval_s)
        parts.foreachRDD(_output(self.id, "_on_summaries"))
        return self

    @property
    def final_top(self) -> list[tuple[str, int]]:
        """The ``totals_top`` words with the largest running totals, in rank order (what ``top`` prints)."""
        if self._engine is not None:
            return rank(self._engine.totals.items(), self.totals_top_n) if self.totals_top_n else []
        return self._final_top

    def close(self) -> None:
        """Forget this sink: later batches of its stream (if any) are no longer collected."""
        _SINKS.pop(self.id, None)

    # -- output operations -------------------------------------------------------------------------
    def _mark_start(self, t: dt.datetime, rdd: RDD) -> None:
        self._started = time.perf_counter()

    def _on_current(self, t: dt.datetime, rdd: RDD) -> None:
        try:
            self._set_current(rdd.takeOrdered(self.top_n, key=_current_key))
        except Exception as e:  # a failed batch is reported, the stream goes on
            self.error("current view", e)

    def _on_totals(self, t: dt.datetime, rdd: RDD) -> None:
        try:
            self._final_top = rdd.takeOrdered(self.totals_top_n, key=rank_key)
        except Exception as e:
            self.error("running totals", e)

    def _on_stats(self, t: dt.datetime, rdd: RDD) -> None:
        try:
            found = rdd.collect()
            stats = found[0] if found else Stats()
        except Exception as e:
            self.error("batch stats", e)
            stats = Stats()
        self._finish(t, stats)

    def record(
        self,
        when: dt.datetime,
        stats: Stats,
        started: float,
        current: Iterable[tuple[str, tuple[int, int]]] | None = None,
        totals: Iterable[tuple[str, int]] | None = None,
    ) -> None:
        """One batch worked out elsewhere (the Structured run's ``foreachBatch``): its stats, and, when they
        changed, the current view as ``(word, (window count, total))`` and the running totals."""
        if current is not None:
            self._set_current(heapq.nsmallest(self.top_n, current, key=_current_key))
        if totals is not None and self.totals_top_n:
            self._final_top = rank(totals, self.totals_top_n)
        self._started = started
        self._finish(when, stats)

    def _set_current(self, rows: list[tuple[str, tuple[int, int]]]) -> None:
        scores = lexicon.scores(self.lexicon_name)
        self._top = [Row(w, c, total, lexicon.polarity(w, scores)) for w, (c, total) in rows]
        self._updated = True

    def _finish(self, t: dt.datetime, stats: Stats) -> None:
        with self._lock:
            snap = Snapshot(
                batch=self.batches + 1,
                time=t.timestamp() if isinstance(t, dt.datetime) else time.time(),
                interval_s=self.interval_s,
                stats=stats,
                tweets_total=self.tweets_total + stats.tweets,
                malformed_total=self.malformed_total + stats.malformed,
                top=list(self._top),
                window_updated=self._updated,
                processing_s=time.perf_counter() - self._started if self._started else None,
            )
            self._updated = False
        self._publish(snap)

    def _on_summaries(self, t: dt.datetime, rdd: RDD) -> None:
        started = time.perf_counter()
        summary = Summary()
        try:
            for part in rdd.collect():
                summary.merge(part)
        except Exception as e:  # a failed batch is reported and counted as empty; the stream goes on
            self.error("batch summaries", e)
            summary = Summary()
        assert self._engine is not None
        when = t.timestamp() if isinstance(t, dt.datetime) else None
        self._publish(self._engine.add(summary, when, started))

    def _publish(self, snap: Snapshot) -> None:
        """Record one batch's snapshot, wake whoever waits for it, then tell every listener."""
        with self._lock:
            self.batches = snap.batch
            self.tweets_total, self.malformed_total = snap.tweets_total, snap.malformed_total
            self.history.append(snap)
            del self.history[: -self.keep]
            self._new_batch.notify_all()
        for listener in list(self.listeners):
            try:
                listener(snap)
            except Exception as e:
                self.error(f"listener {getattr(listener, '__name__', type(listener).__name__)}", e)

    def error(self, where: str, e: BaseException) -> None:
        """Record a failure in ``errors`` (one line: where, the exception's type and first line); never raises."""
        line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        self.errors.append(f"{where}: {type(e).__name__}: {line[:300]}")

    # -- reading -----------------------------------------------------------------------------------
    @property
    def latest(self) -> Snapshot | None:
        """The last snapshot, or None before the first batch."""
        with self._lock:
            return self.history[-1] if self.history else None

    def wait_for(self, batches: int, timeout: float) -> bool:
        """Block until ``batches`` batches have been processed (True) or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.batches < batches:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._new_batch.wait(left)
        return True


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
