"""The driver side of a DStream run: output operations that turn each batch into one ``Snapshot``.

``driver_output(key, method)`` is the one way the kit registers a ``foreachRDD`` function that calls a
driver-side object; ``SparkSnapshots`` builds a snapshot per batch from streams whose window and totals
Spark keeps (``pipeline.build``), ``DriverSnapshots`` from each batch's summaries, keeping the window and
totals on the driver in a ``helpers.state.WindowState``. Both hand the snapshot to a ``Publisher``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from helpers.counting import current_rows
from helpers.model import Row, Snapshot, Stats, Summary, rank, rank_key
from helpers.settings import RunSettings
from helpers.sinks import Publisher
from helpers.state import WindowState

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.streaming import DStream

    from helpers.dstream.pipeline import Streams

#: What ``foreachRDD`` calls: the batch time and the batch's RDD; it must return None (a value kills the stream).
Output = Callable[[dt.datetime, "RDD"], None]

# Driver-side objects by key. With checkpointing on, Spark pickles every foreachRDD function into the
# checkpoint; a bound method would drag its object (a lock, growing lists) along and fail or bloat it.
_TARGETS: dict[str, Any] = {}


def register(target: Any) -> str:
    """Keep ``target`` under a new key for ``driver_output``; ``forget(key)`` when its run is over."""
    key = uuid.uuid4().hex
    _TARGETS[key] = target
    return key


def forget(key: str) -> None:
    """Drop a registered target: later batches of its stream (if any) reach nothing."""
    _TARGETS.pop(key, None)


def registered() -> int:
    """How many targets are registered (0 once every run is over; the tests check it)."""
    return len(_TARGETS)


def _dispatch(key: str, method: str, args: tuple[str, ...], t: dt.datetime, rdd: RDD) -> None:
    target = _TARGETS.get(key)
    if target is not None:  # absent in a driver recovered from a checkpoint, or once the run is over
        getattr(target, method)(*args, t, rdd)


def driver_output(key: str, method: str, *args: str) -> Output:
    """A ``foreachRDD`` function that calls ``target.method(*args, time, rdd)`` of the target under ``key``.

    The function holds only strings and finds its target in a module registry at call time, so Spark can
    pickle it into a checkpoint (``_dispatch`` is pickled by name, not by value) and a recovered driver
    whose registry is empty simply skips it.
    """

    def call(t: dt.datetime, rdd: RDD) -> None:
        _dispatch(key, method, args, t, rdd)

    return call


def _current_key(kv: tuple[str, tuple[int, int]]) -> tuple[int, str]:
    return (-kv[1][0], kv[0])


def _epoch(t: Any) -> float:
    return t.timestamp() if isinstance(t, dt.datetime) else time.time()


class _Snapshots:
    """What both builders share: the settings, the publisher, errors reported there, registry bookkeeping."""

    def __init__(self, settings: RunSettings, publisher: Publisher) -> None:
        self.settings, self.publisher = settings, publisher
        self.cancelling = False  # set by a stop without grace: what cancelled batches report goes to stop_errors
        self.stop_errors: list[str] = []
        self.key = register(self)

    def error(self, where: str, e: BaseException) -> None:
        """Record an error of the pipeline in the publisher, or (while a stop cancels batches) in ``stop_errors``."""
        if self.cancelling:
            self.stop_errors.append(f"{where}: {type(e).__name__}")
        else:
            self.publisher.error(where, e)

    def close(self) -> None:
        """Unregister: later batches of the stream are no longer turned into snapshots."""
        forget(self.key)


class SparkSnapshots(_Snapshots):
    """One snapshot per batch from a pipeline whose window and totals Spark keeps (``pipeline.build``).

    The output operations run on the driver in Spark's job thread, in the order registered: a start
    mark, the current view (``takeOrdered`` of the top N), the running totals when asked for, and the
    batch's stats, which finish the snapshot. They collect only small results and never return a value.
    """

    def __init__(self, settings: RunSettings, publisher: Publisher) -> None:
        super().__init__(settings, publisher)
        self.final_top: list[tuple[str, int]] = []  # the settings' totals_top largest totals, in rank order
        self._top: list[Row] = []
        self._updated = False
        self._started = 0.0
        self._batches = self._tweets = self._malformed = 0
        self._lock = threading.Lock()

    def attach(self, streams: Streams | Any) -> SparkSnapshots:
        """Register the output operations on ``streams``: ``.stats``, ``.current`` and (with totals_top) ``.totals``."""
        streams.stats.foreachRDD(driver_output(self.key, "_mark_start"))
        streams.current.foreachRDD(driver_output(self.key, "_on_current"))
        if self.settings.totals_top:
            streams.totals.foreachRDD(driver_output(self.key, "_on_totals"))
        streams.stats.foreachRDD(driver_output(self.key, "_on_stats"))
        return self

    def _mark_start(self, t: dt.datetime, rdd: RDD) -> None:
        self._started = time.perf_counter()

    def _on_current(self, t: dt.datetime, rdd: RDD) -> None:
        try:
            rows = rdd.takeOrdered(self.settings.top_n, key=_current_key)
        except Exception as e:  # a failed batch is reported, the stream goes on
            self.error("current view", e)
            return
        self.set_current(rows)

    def _on_totals(self, t: dt.datetime, rdd: RDD) -> None:
        try:
            self.final_top = rdd.takeOrdered(self.settings.totals_top, key=rank_key)
        except Exception as e:
            self.error("running totals", e)

    def _on_stats(self, t: dt.datetime, rdd: RDD) -> None:
        try:
            found = rdd.collect()
            stats = found[0] if found else Stats()
        except Exception as e:
            self.error("batch stats", e)
            stats = Stats()
        self.finish(_epoch(t), stats, self._started)

    def set_current(self, rows: list[tuple[str, tuple[int, int]]]) -> None:
        """A new current view, as ``(word, (window count, total))`` pairs: ranked, cut to top N, given polarities."""
        totals = {w: total for w, (_, total) in rows}
        counts = ((w, c) for w, (c, _) in rows)
        self._top = current_rows(counts, totals, self.settings.top_n, self.settings.lexicon_name)
        self._updated = True

    def finish(self, when: float, stats: Stats, started: float) -> None:
        """Close one batch: its snapshot (with the latest current view) goes to the publisher."""
        with self._lock:
            self._batches += 1
            self._tweets += stats.tweets
            self._malformed += stats.malformed
            snap = Snapshot(
                batch=self._batches,
                time=when,
                interval_s=self.settings.batch_s,
                stats=stats,
                tweets_total=self._tweets,
                malformed_total=self._malformed,
                top=list(self._top),
                window_updated=self._updated,
                processing_s=time.perf_counter() - started if started else None,
            )
            self._updated = False
        self.publisher.publish(snap)


class DriverSnapshots(_Snapshots):
    """One snapshot per batch from each batch's summaries (``pipeline.summaries``), the state on the driver.

    One output operation collects the batch's per-partition ``Summary`` objects; ``WindowState.add`` (the
    reference engine's own code) adds them to the window and the running totals: one Spark job a batch.
    """

    def __init__(self, settings: RunSettings, publisher: Publisher) -> None:
        super().__init__(settings, publisher)
        s = settings
        window, slide = round(s.window_s / s.batch_s), round(s.slide_s / s.batch_s)
        self.state = WindowState(s.lexicon_name, window, slide, s.top_n, interval_s=s.batch_s, scorer=s.scorer)

    def attach(self, parts: DStream) -> DriverSnapshots:
        """Register the one output operation on the stream of summaries."""
        parts.foreachRDD(driver_output(self.key, "_on_summaries"))
        return self

    @property
    def final_top(self) -> list[tuple[str, int]]:
        """The settings' ``totals_top`` words with the largest running totals, in rank order."""
        n = self.settings.totals_top
        return rank(self.state.totals.items(), n) if n else []

    def _on_summaries(self, t: dt.datetime, rdd: RDD) -> None:
        started = time.perf_counter()
        summary = Summary()
        try:
            for part in rdd.collect():
                summary.merge(part)
        except Exception as e:  # a failed batch is reported and counted as empty; the stream goes on
            self.error("batch summaries", e)
            summary = Summary()
        self.publisher.publish(self.state.add(summary, _epoch(t), started))


__all__ = ["DriverSnapshots", "Output", "SparkSnapshots", "driver_output", "forget", "register", "registered"]
