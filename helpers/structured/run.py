"""The Structured Streaming run: two queries whose state Spark keeps, each micro-batch turned into a ``Snapshot``.

run = StructuredRun(session, FileSource.from_batches(batches), replace(SETTINGS, top_n=10))
run.start(); run.finish(); run.stop()          # a bounded run (availableNow) …
run.publisher.latest                           # … publishing the same Snapshot as the DStream run

make_run = run_factory(session)                # what the dashboard takes: (settings, source, listeners) → run
top_from_files(session, files, n)              # ``python -m helpers top --engine structured``
"""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyspark.sql import functions as F

from helpers.counting import current_rows
from helpers.event_time import EventTimeState, utc
from helpers.infra import spark
from helpers.model import Row, Snapshot, Stats, rank, top_json
from helpers.settings import Listener, RunFactory, RunSettings
from helpers.sinks import Publisher
from helpers.structured.parse import BLANK, FILTERED, MALFORMED, TWEET, configure, parse
from helpers.structured.queries import checkpoint_dir, finish, state_counts
from helpers.structured.sources import FileSource, StructuredSource, TweetSource
from helpers.structured.transforms import (
    MARK,
    SLIDE_S,
    WATERMARK_S,
    WINDOW_S,
    running_counts,
    tokenize,
    windowed_counts,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.streaming import StreamingQuery

#: A Structured run's settings unless told otherwise: event-time windows of ``WINDOW_S``, sliding every ``SLIDE_S``.
SETTINGS = RunSettings(window_s=WINDOW_S, slide_s=SLIDE_S)
#: The scorers a Structured run takes: it scores tweets in Spark SQL, with the lexicon only.
SCORERS = ("lexicon",)


def _check_source(source: Any) -> StructuredSource:
    """``source`` if it has the Structured face (``StructuredSource``); else a TypeError that says which to use."""
    if isinstance(source, StructuredSource):
        return source
    raise TypeError(
        f"{type(source).__name__} is not a Structured Streaming source (it needs stream(session), trigger(batch_s) "
        "and stop()); use TweetSource or FileSource: a socket cannot replay what a restarted query needs"
    )


def _batch_stats(change: Counter[str], by_polarity: Counter[str], counts_only: bool) -> Stats:
    """One micro-batch's ``Stats`` from the change in Spark's marker totals (``change``: ``tweet``, ``malformed``,
    ``positive``, ``negative``) and in its word totals by polarity."""
    tweets, malformed = change[TWEET], change[MALFORMED]
    if counts_only:
        return Stats(tweets=tweets, malformed=malformed)
    return Stats(
        tweets=tweets,
        malformed=malformed,
        positive_tweets=change["positive"],
        negative_tweets=change["negative"],
        neutral_tweets=tweets - change["positive"] - change["negative"],
        positive_words=by_polarity["positive"],
        negative_words=by_polarity["negative"],
        neutral_words=by_polarity["neutral"],
    )


@dataclass
class StructuredRun:
    """One run of the Structured Streaming pipeline on ``source`` with ``settings``: two queries, one publisher.

    The life cycle of ``helpers.dstream.runner.StreamRun`` (``start()``, ``wait(batches)``, ``stop()``,
    ``.publisher``, ``.running``), so the dashboard and the command line drive either.

    - the totals query: ``running_counts`` (tweets, malformed lines, sentiment, every word) in update
      mode; its ``foreachBatch`` receives the totals Spark updated and publishes a snapshot;
    - the windows query: ``windowed_counts`` with ``withWatermark(watermark_s)`` in update mode (event
      time, ``created_at``); Spark drops late rows and forgets closed windows, ``foreachBatch`` receives the
      windows it updated (kept in a ``helpers.event_time.EventTimeState``).

    The driver keeps only copies of the rows Spark emitted, for display (``totals``, ``windows``); a
    batch's stats are the change in Spark's totals. The watermark, the newest event time and the rows
    dropped as late are Spark's, from the windows query's progress. Both checkpoints go under
    ``checkpoint`` (``totals/``, ``windows/``; a fresh folder, deleted by ``stop``, when not given).
    With ``counts_only`` (tweets, malformed lines and words) only the totals query runs. The settings'
    ``window_s`` and ``slide_s`` are seconds of event time; their ``scorer`` must be ``lexicon``.
    """

    session: SparkSession
    source: StructuredSource
    settings: RunSettings = SETTINGS
    listeners: Sequence[Listener] = ()
    watermark_s: float = WATERMARK_S
    counts_only: bool = False
    checkpoint: str | Path | None = None
    query: StreamingQuery | None = field(default=None, init=False)
    windows_query: StreamingQuery | None = field(default=None, init=False)
    publisher: Publisher = field(init=False)
    totals: Counter[str] = field(default_factory=Counter, init=False)
    lines_total: int = field(default=0, init=False)
    #: Always None: ``stop()`` waits for the micro-batch running, and Spark queues no others (``Run``).
    dropped_behind_s: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.watermark_s < 0:
            raise ValueError(f"the watermark delay cannot be negative, got {self.watermark_s:g} s")
        if self.settings.scorer not in SCORERS:
            raise ValueError(
                f"the structured engine scores tweets in Spark SQL with the {' or the '.join(SCORERS)} only, "
                f"not {self.settings.scorer!r}"
            )
        self.source = _check_source(self.source)
        self.publisher = Publisher(self.listeners)
        self.event_time = EventTimeState(self.settings.window_s, self.settings.slide_s)
        self._root: Path | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # totals, the batch count and the current view, between the two queries
        self._last_counts: dict[str, int] = {}  # Spark's latest count of every key it emitted (markers included)
        self._top: list[Row] = []
        self._final_top: list[tuple[str, int]] = []
        self._batches = self._tweets = self._malformed = 0

    # -- life cycle ---------------------------------------------------------------------------------------
    def start(self) -> StructuredRun:
        """Build both queries on the source and start them."""
        s = self.settings
        configure(self.session)
        self._root = Path(self.checkpoint) if self.checkpoint is not None else checkpoint_dir()
        trigger = self.source.trigger(s.batch_s)
        # One DataFrame for both queries: each query starts its own source on it and keeps its own offsets, and the
        # plan is built once (a context's first parse and tokenize are thousands of py4j calls; spark.per_context).
        tweets = tokenize(parse(self.source.stream(self.session), s.topic, s.lang))
        if not self.counts_only:
            windows = windowed_counts(tweets, s.window_s, s.slide_s, self.watermark_s).select(
                F.unix_micros(F.col("window.start")).alias("start"),
                F.unix_micros(F.col("window.end")).alias("end"),
                "word",
                "count",
            )
            self.windows_query = (
                windows.writeStream.outputMode("update")
                .foreachBatch(self._on_windows)
                .option("checkpointLocation", str(self._root / "windows"))
                .trigger(**trigger)
                .start()
            )
        self.query = (
            running_counts(tweets, None if self.counts_only else s.lexicon_name)
            .writeStream.outputMode("update")
            .foreachBatch(self._on_totals)
            .option("checkpointLocation", str(self._root / "totals"))
            .trigger(**trigger)
            .start()
        )
        return self

    def wait(self, batches: int, timeout: float = 120.0) -> bool:
        """Wait until ``batches`` micro-batches are published; False if ``timeout`` seconds pass first."""
        return self.publisher.wait_for(batches, timeout)

    def finish(self, timeout: float = 300.0) -> StructuredRun:
        """Wait for a bounded run (``availableNow``) to end by itself; raise if it failed or timed out."""
        if self.query is None:
            raise RuntimeError("start() the run first")
        for query in (self.windows_query, self.query):
            if query is not None:
                finish(query, timeout)
        self._keep_progress()
        return self

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self.query is not None

    def stop(self) -> None:
        """Stop both queries between two micro-batches, then the source; safe to call twice."""
        self._stopping.set()
        self._keep_progress()
        for name in ("windows_query", "query"):
            query = getattr(self, name)
            if query is not None and query.isActive:
                spark.stop_query(query)
            setattr(self, name, None)
        self.source.stop()
        self.publisher.close()
        if self.checkpoint is None and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    # -- what Spark reports -------------------------------------------------------------------------------
    @property
    def errors(self) -> list[str]:
        """What failed so far (a micro-batch's collect, a listener): one line each."""
        return self.publisher.errors

    @property
    def final_top(self) -> list[tuple[str, int]]:
        """The settings' ``totals_top`` words with the largest running totals, in rank order."""
        with self._lock:
            return list(self._final_top)

    @property
    def windows(self) -> dict[tuple[int, int], dict[str, int]]:
        """Every window's word counts as Spark last emitted them, by ``(start, end)`` in microseconds."""
        return self.event_time.windows()

    @property
    def watermark(self) -> datetime:
        """Spark's watermark after the last micro-batch, as a UTC datetime."""
        return utc(self.event_time.watermark_us)

    @property
    def late_words(self) -> int:
        """Word rows Spark dropped as late (``numRowsDroppedByWatermark``) over the run."""
        self._keep_progress()
        return self.event_time.late_rows

    @property
    def current(self) -> tuple[datetime, datetime] | None:
        """The event-time window the snapshots show, as UTC datetimes (None before the first tweet)."""
        span = self.event_time.current()
        return None if span is None else (utc(span[0]), utc(span[1]))

    def _keep_progress(self) -> None:
        """Copy the windows query's recent progress reports (asked outside any lock: a py4j call can wait on the
        query, whose micro-batch may be waiting on a lock in ``_on_totals``)."""
        query = self.windows_query
        self.event_time.keep_progress(query.recentProgress if query is not None else [])

    # -- per micro-batch, in each query's thread ---------------------------------------------------------
    def _collect(self, batch: DataFrame, where: str) -> list[Any]:
        """The micro-batch's rows; a failure is reported (unless we are stopping) and counts as no rows."""
        try:
            return batch.collect()
        except Exception as e:  # the stream goes on
            if not self._stopping.is_set():
                self.publisher.error(where, e)
            return []

    def _on_windows(self, batch: DataFrame, batch_id: int) -> None:
        rows = self._collect(batch, "windows micro-batch")
        self.event_time.merge_windows((r["start"], r["end"], r["word"], r["count"]) for r in rows)

    def _on_totals(self, batch: DataFrame, batch_id: int) -> None:
        now, started = datetime.now(UTC), time.perf_counter()
        rows = self._collect(batch, "micro-batch")
        if not self.counts_only:
            self._keep_progress()
        span = None if self.counts_only else self.event_time.current()
        window = None if span is None else self.event_time.counts_in(span)
        s = self.settings
        with self._lock:
            change: Counter[str] = Counter()
            by_polarity: Counter[str] = Counter()
            for r in rows:
                key, count = r["word"], r["count"]
                delta = count - self._last_counts.get(key, 0)
                self._last_counts[key] = count
                if key.startswith(MARK):
                    change[key[len(MARK) :]] += delta
                else:
                    self.totals[key] = count
                    if not self.counts_only:
                        by_polarity[r["polarity"]] += delta
            stats = _batch_stats(change, by_polarity, self.counts_only)
            self.lines_total += sum(change[k] for k in (BLANK, MALFORMED, TWEET, FILTERED))
            if window is not None:
                self._top = current_rows(window.items(), self.totals, s.top_n, s.lexicon_name)
            if s.totals_top:
                self._final_top = rank(self.totals.items(), s.totals_top)
            self._batches += 1
            self._tweets += stats.tweets
            self._malformed += stats.malformed
            snap = Snapshot(
                batch=self._batches,
                time=now.timestamp(),
                interval_s=s.batch_s,
                stats=stats,
                tweets_total=self._tweets,
                malformed_total=self._malformed,
                top=list(self._top),
                window_updated=window is not None,
                processing_s=time.perf_counter() - started,
            )
        self.publisher.publish(snap)


def run_factory(session: SparkSession | None = None, watermark_s: float = WATERMARK_S) -> RunFactory:
    """A ``helpers.settings.RunFactory`` of Structured runs, for the dashboard: ``(settings, source, listeners)``
    → a ``StructuredRun``, built but not started.

    ``session`` is used while its SparkContext is the active one; otherwise (none given, or stopped, say by a
    notebook's last cell) each run gets the session of the running context, or starts one.
    """
    kept = [session]

    def make_run(settings: RunSettings, source: Any, listeners: Sequence[Listener]) -> StructuredRun:
        current = kept[0]
        if current is None or current.sparkContext is not spark.active_context():
            current = kept[0] = spark.get_session("dashboard")
        return StructuredRun(current, source, settings, listeners, watermark_s)

    make_run.scorers = SCORERS  # the dashboard offers only these
    return make_run


#: About how many bytes of input ``top_from_files`` puts in one micro-batch with the file source.
TOP_BATCH_BYTES = 64 * 2**20


def top_from_files(
    session: SparkSession,
    files: Iterable[str | Path],
    n: int = 50,
    lexicon_name: str = "default",
    topic: str | None = None,
    lang: str | None = None,
    timeout: float = 600.0,
    checkpoint: str | Path | None = None,
    source: str = "tweets",
    batch_bytes: int = TOP_BATCH_BYTES,
) -> dict[str, Any]:
    """``top --engine structured``: the files through one bounded query whose running counts Spark keeps.

    The same JSON as ``helpers.runs.top_python`` and ``helpers.dstream.runner.top_dstream``. The query is
    ``running_counts`` in update mode into the ``noop`` sink; the totals are then read from its state
    store (``format("statestore")``). With ``checkpoint`` the query keeps its checkpoint there: a later
    call with the same folder (and the same ``topic``/``lang``) reads only lines it has not read yet and
    prints the totals over everything read. ``source``: ``"tweets"`` (the kit's Python source, which can
    resume) or ``"files"`` (Spark's text file source over staged copies, whole files of about
    ``batch_bytes`` a micro-batch; no ``checkpoint``).
    """
    names = [str(Path(f).resolve()) for f in files]
    lines_source: TweetSource | FileSource
    if source == "tweets":
        if len(set(names)) < len(names):
            raise ValueError("the structured engine reads each file once: name every file once")
        lines_source = TweetSource(names)
    elif source == "files":
        if checkpoint is not None:
            raise ValueError("a checkpoint needs the tweets source (the file source reads staged copies)")
        lines_source = FileSource.from_files(names)
        average = sum(p.stat().st_size for p in lines_source.files()) / max(len(names), 1)
        lines_source.files_per_batch = max(1, int(batch_bytes // max(average, 1)))
    else:
        raise ValueError(f"source must be 'tweets' or 'files', not {source!r}")
    configure(session)
    root = Path(checkpoint) if checkpoint is not None else checkpoint_dir()
    try:
        query = (
            running_counts(tokenize(parse(lines_source.stream(session), topic, lang)))
            .writeStream.format("noop")
            .outputMode("update")
            .option("checkpointLocation", str(root))
            .trigger(availableNow=True)
            .start()
        )
        finish(query, timeout)
        counts = state_counts(session, root)
    finally:
        lines_source.stop()
        if checkpoint is None:
            shutil.rmtree(root, ignore_errors=True)
    tally = {key[len(MARK) :]: counts.pop(key) for key in list(counts) if key.startswith(MARK)}
    return top_json(tally.get(TWEET, 0), tally.get(MALFORMED, 0), counts.items(), n, lexicon_name)


__all__ = ["SETTINGS", "TOP_BATCH_BYTES", "StructuredRun", "run_factory", "top_from_files"]
