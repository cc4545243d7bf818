"""What notebook 08 measures on a cluster, around the Spark lines the notebook writes itself.

    assert scaling.wait_for_executors(sc, 2) == 2        # the executors join a few seconds after the context
    scaling.task_places(sc, tasks=8)                     # Counter({'worker-1': 4, 'worker-2': 4})
    found = scaling.Placements(expect=1500)
    ssc.socketTextStream(host, port).repartition(4).foreachRDD(found.record)   # the lesson's lines
    found.wait(); found.places, found.partitions

Plumbing only: where a task ran (:func:`where`), how many executors joined, and what one batch's job saw
(:class:`Placements`); :class:`Batch` is one row of what Spark's ``StreamingListener`` reports, drawn by
``helpers.ui.plots.draw_batches``. The cluster itself is ``helpers.infra.cluster``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.infra import spark
from helpers.sinks import describe
from helpers.waiting import poll

if TYPE_CHECKING:
    from pyspark import RDD, SparkContext


def where() -> str:
    """Where the calling Spark task runs: ``worker-1``… on the kit's cluster, else ``driver`` (local mode).

    An executor of a standalone worker runs in ``<worker work dir>/<application id>/<executor id>``,
    and its Python workers inherit that folder.
    """
    cwd = Path.cwd()
    if cwd.parent.name.startswith("app-") and cwd.parent.parent.name.startswith("worker-"):
        return cwd.parent.parent.name
    return "driver"


def _where_each(_: Any) -> str:
    return where()


def task_places(sc: SparkContext, tasks: int = 8) -> Counter[str]:
    """Run ``tasks`` tiny tasks and count where each ran (``worker-1``, ``worker-2``… or ``driver``)."""
    return Counter(sc.parallelize(range(tasks), tasks).map(_where_each).collect())


def wait_for_executors(sc: SparkContext, n: int, timeout: float = 60.0) -> int:
    """Wait until ``n`` executors have joined (they start a few seconds after the context); returns the count."""
    poll(lambda: spark.executor_count(sc) >= n, timeout, every=0.2)
    return spark.executor_count(sc)


def _count_here(lines: Iterable[str]) -> list[tuple[str, int]]:
    return [(where(), sum(1 for _ in lines))]


class Placements:
    """Where the tasks of each batch ran, for notebook 08's receiver runs: ``stream.foreachRDD(found.record)``.

    Plumbing around the lesson's Spark lines: ``record`` runs one small job per batch that counts the batch's
    lines in each partition and notes the worker it ran on, how many partitions the batch had and how long
    the job took; ``wait`` returns once ``expect`` lines were seen.
    """

    def __init__(self, expect: int) -> None:
        self.expect = expect
        self.places: Counter[str] = Counter()
        self.partitions: list[int] = []
        self.seconds: list[float] = []
        self.errors: list[str] = []
        self._done = threading.Event()

    def __repr__(self) -> str:
        return f"Placements({self.lines:,} lines, places={dict(self.places)}, partitions={self.partitions})"

    @property
    def lines(self) -> int:
        """Every line the tasks saw."""
        return sum(self.places.values())

    def record(self, _time: Any, rdd: RDD[str]) -> None:
        """The ``foreachRDD`` function: where this batch's partitions ran; errors are kept, not raised."""
        started = time.perf_counter()
        try:
            counted = rdd.mapPartitions(_count_here).collect()
        except Exception as e:  # Spark's job thread would only log it
            self.errors.append(describe(e))
            self._done.set()
            return
        if any(n for _, n in counted):
            self.seconds.append(time.perf_counter() - started)
            self.partitions.append(rdd.getNumPartitions())
            for place, n in counted:
                if n:
                    self.places[place] += n
        if self.lines >= self.expect:
            self._done.set()

    def wait(self, timeout: float = 120.0) -> bool:
        """Wait until ``expect`` lines were seen (or a batch failed); True if they were."""
        self._done.wait(timeout)
        return self.lines >= self.expect and not self.errors


@dataclass(frozen=True)
class Batch:
    """One finished batch as Spark's ``StreamingListener.onBatchCompleted`` reports it (the Streaming tab's row)."""

    records: int
    scheduling_s: float  # from the batch's time until its first job started
    processing_s: float  # from its first job's start to its last job's end


__all__ = ["Batch", "Placements", "task_places", "wait_for_executors", "where"]
