"""Where the kit's DStream pipeline spends each batch: ``python -m benchmarks.stages`` (minutes, not in ``make bench``).

A queue of files, ``--tweets`` lines each, one per batch, goes through several variants of the pipeline
with the dashboard's window (10 batches, sliding every 2). Each batch is timed from its first output
operation to its last (two marker ``foreachRDD`` calls around the variant's own, as the kit's run
times a batch); batches are split into *slide* batches (the window, the join with the totals and the
top N run) and the others. The first ``--fill`` batches (the window filling up) are left out. Spark's
job, stage and task counts per batch come from the status tracker. After the measured batches the
stream is stopped at once (not gracefully: a backlog would only cost time).

Variants:

- ``kit``: the pipeline exactly as ``StreamRun(state="spark")`` builds it (``pipeline.build`` + ``SparkSnapshots``).
- ``stages``: the same, plus one ``count()`` per intermediate stream registered *before* the snapshots'
  outputs, so each stage's cost shows as its own output operation (cached or shuffled results are
  reused by the later ones).
- ``no-inverse``: ``reduceByKeyAndWindow`` without the inverse function (re-reduce the 10 batches).
- ``one-partition``: every shuffle with 1 partition instead of ``pipeline.PARTITIONS`` (2).
- ``driver-state``: only the per-partition summaries run in Spark; the window and the running totals are
  kept on the driver from the collected Counters by ``WindowState`` (``StreamRun(state="driver")``'s
  ``DriverSnapshots``): one job per batch.
- ``empty``: the kit pipeline on empty batches: the fixed cost of a batch.

``--master local[1]`` (the default) leaves one task slot, as with the socket receiver holding one of
``local[2]``'s two cores. ``--interval`` stretches the batch interval on a slow machine so batches do
not queue up (the window still spans 10 batches).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import cycle, islice
from operator import add
from pathlib import Path
from typing import Any

from benchmarks import data
from benchmarks.machine import log
from helpers.dstream import output, pipeline
from helpers.dstream.output import DriverSnapshots, SparkSnapshots
from helpers.infra import spark
from helpers.settings import RunSettings
from helpers.sinks import Publisher
from helpers.sources.queue import QueueSource

VARIANTS = ("kit", "stages", "no-inverse", "one-partition", "driver-state", "empty")
WINDOW, SLIDE = 10, 2  # in batches, as the dashboard's 10 s / 2 s with 1 s batches


class _Clock:
    """Per-batch marks and output-operation durations, recorded through ``output.driver_output``.

    With checkpointing on, Spark pickles every foreachRDD function into the checkpoint, so the registered
    functions hold only the clock's registry key and the method's name (``helpers.dstream.output``).
    """

    def __init__(self) -> None:
        self.start: dict[Any, float] = {}
        self.end: dict[Any, float] = {}
        self.ops: dict[Any, dict[str, float]] = defaultdict(dict)

    def mark(self, which: str, t: Any, rdd: Any) -> None:
        """Note when batch ``t`` reached the first (``"start"``) or the last (``"end"``) output operation."""
        getattr(self, which)[t] = time.perf_counter()

    def count(self, name: str, t: Any, rdd: Any) -> None:
        """Count the stream's RDD of batch ``t`` and note how long it took, as the stage ``name``."""
        started = time.perf_counter()
        rdd.count()
        self.ops[t][name] = time.perf_counter() - started


@dataclass
class Outcome:
    """One variant's batches after the window filled."""

    variant: str
    slide: list[float] = field(default_factory=list)
    other: list[float] = field(default_factory=list)
    ops: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    top: list[Any] = field(default_factory=list)
    wall_s: float = 0.0
    jobs: float = 0.0
    stages: float = 0.0
    tasks: float = 0.0
    errors: list[str] = field(default_factory=list)


def _kit(lines: Any, interval: float, outputs: SparkSnapshots, inverse: bool = True) -> pipeline.Streams:
    w, s = WINDOW * interval, SLIDE * interval
    if inverse:
        streams = pipeline.build(lines, interval, w, s)
    else:
        parts = pipeline.summaries(lines)
        counts = pipeline.word_counts(parts)
        window = counts.reduceByKeyAndWindow(add, None, w, s, pipeline.PARTITIONS)
        totals = pipeline.running_totals(counts)
        streams = pipeline.Streams(
            parts,
            counts,
            pipeline.batch_stats(parts),
            window,
            totals,
            pipeline.current_view(window, totals, s, interval),
        )
    outputs.attach(streams)
    return streams


def run_variant(sc: Any, variant: str, files: list[Path], batches: int, fill: int, interval: float) -> Outcome:
    """Build one variant on a queue of ``batches`` files, run it, and split its timings."""
    clock = _Clock()
    clock_id = output.register(clock)
    saved = pipeline.PARTITIONS
    checkpoint = None if variant == "driver-state" else spark.checkpoint_dir("lab-bench-stages-")
    ssc = spark.streaming_context(sc, interval, checkpoint=checkpoint)
    queue = list(islice(cycle(files), batches))
    source = QueueSource(batches=[[] for _ in queue]) if variant == "empty" else QueueSource.from_files(queue)
    lines = source.dstream(ssc)
    lines.foreachRDD(output.driver_output(clock_id, "mark", "start"))  # the first output operation of every batch
    settings = RunSettings(batch_s=interval, window_s=WINDOW * interval, slide_s=SLIDE * interval, top_n=50)
    published = Publisher()
    outputs: SparkSnapshots | DriverSnapshots | None = None
    try:
        if variant == "one-partition":
            pipeline.PARTITIONS = 1
        if variant in ("kit", "empty", "one-partition"):
            outputs = SparkSnapshots(settings, published)
            _kit(lines, interval, outputs)
        elif variant == "no-inverse":
            outputs = SparkSnapshots(settings, published)
            _kit(lines, interval, outputs, inverse=False)
        elif variant == "stages":
            w, s = WINDOW * interval, SLIDE * interval
            parts = pipeline.summaries(lines)
            counts = pipeline.word_counts(parts)
            window = pipeline.windowed_counts(counts, w, s)
            totals = pipeline.running_totals(counts)
            current = pipeline.current_view(window, totals, s, interval)
            for name, stream in (
                ("1 summaries: read, parse, tokenize, score (mapPartitions, cached)", parts),
                ("2 batch word counts: flatMap Counter items + reduceByKey", counts),
                ("3 running totals: updateStateByKey", totals),
                ("4 window: reduceByKeyAndWindow with inverse (slide batches)", window),
                ("5 current view: join window with totals (slide batches)", current),
            ):
                stream.foreachRDD(output.driver_output(clock_id, "count", name))
            outputs = SparkSnapshots(settings, published)
            outputs.attach(pipeline.Streams(parts, counts, pipeline.batch_stats(parts), window, totals, current))
        elif variant == "driver-state":  # what StreamRun(state="driver") registers: WindowState on the driver
            outputs = DriverSnapshots(settings, published).attach(pipeline.summaries(lines, cache=False))
        else:
            raise ValueError(f"unknown variant {variant!r}")
        lines.foreachRDD(output.driver_output(clock_id, "mark", "end"))  # the last one
        tracker = sc.statusTracker()
        known = set(tracker.getJobIdsForGroup(None))
        started = time.perf_counter()
        ssc.start()
        deadline = started + 120 + batches * interval * 20
        while len(clock.end) < batches and time.perf_counter() < deadline:
            time.sleep(0.1)
        wall = time.perf_counter() - started
        jobs, stages, tasks = _work(tracker, known, len(clock.end))
    finally:
        pipeline.PARTITIONS = saved
        # Measured batches are done; a graceful stop would also work through any backlog, for nothing.
        spark.stop_streaming(ssc, graceful=False)
        published.close()
        if outputs is not None:
            outputs.close()
        output.forget(clock_id)
    out = Outcome(variant, wall_s=wall)
    for k, t in enumerate(sorted(clock.end)[:batches], start=1):
        if k <= fill or t not in clock.start:
            continue
        slide = k % SLIDE == 0
        (out.slide if slide else out.other).append(clock.end[t] - clock.start[t])
        if slide:
            for name, took in clock.ops.get(t, {}).items():
                out.ops[name].append(took)
    # The view after the last measured batch (a graceful stop may run more batches, and empty the window).
    out.top = published.history[batches - 1].top if len(published.history) >= batches else []
    out.jobs, out.stages, out.tasks = jobs, stages, tasks
    out.errors = list(published.errors)
    return out


def _work(tracker: Any, known: set[int], batches: int) -> tuple[float, float, float]:
    """Spark jobs, stages that ran (not skipped) and tasks per batch since ``known`` was taken."""
    jobs = stages = tasks = 0
    for job in set(tracker.getJobIdsForGroup(None)) - known:
        info = tracker.getJobInfo(job)
        if info is None:
            continue
        jobs += 1
        for stage in info.stageIds:
            s = tracker.getStageInfo(stage)
            if s is not None and s.numCompletedTasks:
                stages += 1
                tasks += s.numCompletedTasks
    n = max(1, batches)
    return jobs / n, stages / n, tasks / n


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}" if values else "—"


def report(outcomes: list[Outcome], tweets: int, master: str, interval: float) -> str:
    lines = [
        f"# Per-batch processing time, {tweets:,} tweets per batch, {master}, batch interval {interval:g} s, "
        f"window {WINDOW} / slide {SLIDE} batches",
        "",
        "| variant | slide batches, median s | other batches, median s | mean per batch, s | max s "
        "| jobs / stages / tasks per batch |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        every = o.slide + o.other
        mean = f"{statistics.mean(every):.2f}" if every else "—"
        top = f"{max(every):.2f}" if every else "—"
        work = f"{o.jobs:.1f} / {o.stages:.1f} / {o.tasks:.1f}"
        lines.append(f"| {o.variant} | {_median(o.slide)} | {_median(o.other)} | {mean} | {top} | {work} |")
    for o in outcomes:
        if o.variant == "stages" and o.ops:
            lines += ["", "Output operations of the `stages` variant on slide batches (median s, in run order):", ""]
            for name in sorted(o.ops):
                lines.append(f"- {_median(o.ops[name])} s — {name}")
    kit = next((o for o in outcomes if o.variant == "kit"), None)
    for o in outcomes:
        if kit is not None and o is not kit and o.variant != "empty" and o.top and kit.top:
            same = o.top == kit.top
            lines.append(f"\n`{o.variant}`: last top-50 view equals `kit`'s: {'✓' if same else '✗'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.stages", description=__doc__.splitlines()[0])
    p.add_argument("--tweets", type=int, default=20_000, help="tweets per batch (default 20000)")
    p.add_argument("--batches", type=int, default=24, help="batches per variant, the fill included")
    p.add_argument("--fill", type=int, default=WINDOW, help="first batches left out (the window filling)")
    p.add_argument("--interval", type=float, default=1.0, help="batch interval, s")
    p.add_argument("--master", default="local[1]")
    p.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    a = p.parse_args(argv)
    files = data.dataset(a.tweets * 4, a.tweets, log=log)
    sc = spark.get_context("bench-stages", master_url=a.master)
    outcomes = []
    try:
        sc.parallelize(range(4), 2).count()  # start the Python workers before the first variant
        for variant in a.variants:
            log(f"{variant} …")
            o = run_variant(sc, variant, files, a.batches, a.fill, a.interval)
            log(f"  slide {_median(o.slide)} s, other {_median(o.other)} s, wall {o.wall_s:.0f} s")
            outcomes.append(o)
    finally:
        spark.stop_all()
    print(report(outcomes, a.tweets, a.master, a.interval))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
