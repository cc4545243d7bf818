"""Run the DStream pipeline on a source until it is done or stopped: the life cycle in one object.

    run = StreamRun(sc, QueueSource(batches), RunSettings(batch_s=1, window_s=4, slide_s=2))
    run.start(); run.wait(batches=len(batches)); run.stop()
    run.publisher.latest.top[:5]

source → engine (the pipeline) → state → snapshot → publisher: the run builds the streams on the source,
keeps the state, turns each batch into a ``Snapshot`` (``helpers.dstream.output``) and publishes it to the
listeners. ``stop()`` stops the source first, then the StreamingContext (gracefully, unless the run is more
than ``STOP_AT_ONCE_BEHIND_BATCHES`` batches behind: then at once, the queued batches dropped), and keeps the
SparkContext for the next run. Used by the dashboard, the command line (``top``, ``stream``) and the tests.

``state`` says where the window and the running totals live. ``"driver"`` (the default): Spark
parses, tokenizes, scores and counts each batch (one job, one stage), and the driver adds the
batch's word counts — a few hundred words — to a ``helpers.state.WindowState``. ``"spark"``: the whole
``helpers.dstream.pipeline.build`` — ``reduceByKeyAndWindow`` with its inverse, ``updateStateByKey`` and the
join — runs in Spark, with a checkpoint folder; right for a vocabulary too large for the driver,
and several times slower per batch at this scale (docs/performance.md measures both).
``PipelineRun`` is the same life cycle around a learner's own pipeline function (notebook 05).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Protocol

from helpers.counting import tweet_sentiment
from helpers.dstream.output import DriverSnapshots, SparkSnapshots
from helpers.dstream.pipeline import STATES, Streams, build, check_window, summaries
from helpers.infra import spark
from helpers.model import Stats, top_json
from helpers.settings import Listener, RunSettings
from helpers.sinks import Publisher

if TYPE_CHECKING:
    from pyspark import SparkContext
    from pyspark.streaming import DStream, StreamingContext


class Source(Protocol):
    """Anything that can make the input DStream of lines and be stopped."""

    def dstream(self, ssc: StreamingContext) -> DStream:
        """The DStream of raw JSON lines."""
        ...

    def stop(self) -> None:
        """Stop producing lines."""
        ...


#: A stop processes the batches already queued first (a graceful stop) unless the run is further behind than this
#: many batch intervals: Spark would work through every queued batch, empty or not, first (a minute and more with
#: the state in Spark on a busy laptop), so the stop is made at once and the queued batches are dropped.
STOP_AT_ONCE_BEHIND_BATCHES = 5


class _Run:
    """The life cycle both runs share: a StreamingContext, its source, its snapshots, a publisher, a clean stop."""

    def __init__(self, sc: SparkContext, source: Source, settings: RunSettings, listeners: Sequence[Listener]) -> None:
        check_window(settings.batch_s, settings.window_s, settings.slide_s)  # whole batches, before Spark is asked
        self.sc, self.source, self.settings = sc, source, settings
        self.publisher = Publisher(listeners)
        self.ssc: StreamingContext | None = None
        self.snapshots: SparkSnapshots | DriverSnapshots | None = None
        self._checkpoint: Path | None = None
        #: Set by a stop that dropped the queued batches: how many seconds behind the run was.
        self.dropped_behind_s: float | None = None

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self.ssc is not None

    @property
    def errors(self) -> list[str]:
        """What failed so far (a batch's output operation, a listener): one line each."""
        return self.publisher.errors

    def wait(self, batches: int, timeout: float = 120.0) -> bool:
        """Wait until ``batches`` batches are done; False if ``timeout`` seconds pass first."""
        return self.publisher.wait_for(batches, timeout)

    def _context(self, checkpoint: bool) -> StreamingContext:
        self._checkpoint = spark.checkpoint_dir() if checkpoint else None
        self.ssc = spark.streaming_context(self.sc, self.settings.batch_s, checkpoint=self._checkpoint)
        return self.ssc

    def behind_s(self) -> float:
        """How far the running stream is behind: seconds from its newest finished batch's time to now, less one
        interval. About the processing time while it keeps up; a batch interval more for each batch queued."""
        latest = self.publisher.latest
        if self.ssc is None or latest is None:
            return 0.0
        return max(0.0, time.time() - latest.time - latest.interval_s)

    def would_drop_queue(self) -> bool:
        """True if ``stop()`` now would stop at once: more than ``STOP_AT_ONCE_BEHIND_BATCHES`` batches behind."""
        return self._too_far(self.behind_s())

    def _too_far(self, behind_s: float) -> bool:
        return behind_s > STOP_AT_ONCE_BEHIND_BATCHES * self.settings.batch_s

    def stop(self, graceful: bool | None = None) -> None:
        """Stop the source, then the stream; the SparkContext stays up. Safe to call twice.

        ``graceful=None``: gracefully (the batches already received processed first) unless ``would_drop_queue()``;
        then at once, and ``dropped_behind_s`` says how far behind the run was. ``True``: always gracefully.
        ``False`` once every batch you need is counted: a machine that runs behind would otherwise first process
        every empty batch still due. Stopping at once cancels the batch in flight, if any: a snapshot it still
        gets counts nothing, and what its output operations report goes to ``snapshots.stop_errors``.
        """
        if graceful is None:
            behind = self.behind_s()
            graceful = not self._too_far(behind)
            if not graceful:
                self.dropped_behind_s = behind
        self.source.stop()
        if self.ssc is not None:
            if self.snapshots is not None:  # a callback may still run after the stop returned: the flag stays set
                self.snapshots.cancelling = not graceful
            spark.stop_streaming(self.ssc, graceful=graceful)
            self.ssc = None
        if self._checkpoint is not None:  # a fresh run starts from a fresh folder anyway
            shutil.rmtree(self._checkpoint, ignore_errors=True)
            self._checkpoint = None
        if self.snapshots is not None:
            self.snapshots.close()
        self.publisher.close()


class StreamRun(_Run):
    """One run of the kit's pipeline on ``source`` with ``settings``; ``state`` says where the window lives."""

    def __init__(
        self,
        sc: SparkContext,
        source: Source,
        settings: RunSettings,
        listeners: Sequence[Listener] = (),
        state: str = "driver",
    ) -> None:
        if state not in STATES:
            raise ValueError(f"state must be one of {list(STATES)}, got {state!r}")
        super().__init__(sc, source, settings, listeners)
        self.state = state
        self.streams: Streams | None = None

    def start(self) -> StreamRun:
        """Build the pipeline on a fresh StreamingContext and start it."""
        s = self.settings
        if self.state == "driver":
            lines = self.source.dstream(self._context(checkpoint=False))
            parts = summaries(lines, s.lexicon_name, s.topic, s.lang, cache=False, scorer=s.scorer)
            self.snapshots = DriverSnapshots(s, self.publisher).attach(parts)
        else:
            lines = self.source.dstream(self._context(checkpoint=True))
            self.streams = build(
                lines, s.batch_s, s.window_s, s.slide_s, s.lexicon_name, s.topic, s.lang, scorer=s.scorer
            )
            self.snapshots = SparkSnapshots(s, self.publisher).attach(self.streams)
        assert self.ssc is not None
        self.ssc.start()
        return self

    @property
    def final_top(self) -> list[tuple[str, int]]:
        """The ``totals_top`` words with the largest running totals, in rank order (what ``top`` prints)."""
        return self.snapshots.final_top if self.snapshots is not None else []


#: What a learner's pipeline function returns: ``(word, (window count, total))`` pairs and ``(name, n)`` tallies.
PipelineFunction = Callable[..., "tuple[DStream, DStream]"]

_STATS_FIELDS = frozenset(Stats.__dataclass_fields__)


def _tally_stats(tally: tuple[str, int]) -> Stats:
    """One ``(name, n)`` tally as a ``Stats`` holding just that count (names that are not fields count nothing)."""
    name, n = tally
    return Stats(**{name: int(n)}) if name in _STATS_FIELDS else Stats()


class PipelineRun(_Run):
    """One run of a learner's pipeline function: the life cycle ``StreamRun`` gives the kit's own pipeline.

    A fresh StreamingContext with a checkpoint folder (the learner's ``updateStateByKey`` needs one), the
    function called on the source's lines with ``options``, and the snapshots made as for ``state="spark"``.
    """

    def __init__(
        self,
        sc: SparkContext,
        source: Source,
        settings: RunSettings,
        pipeline: PipelineFunction,
        options: dict[str, Any] | None = None,
        listeners: Sequence[Listener] = (),
    ) -> None:
        super().__init__(sc, source, settings, listeners)
        self.pipeline, self.options = pipeline, dict(options or {})

    def start(self) -> PipelineRun:
        """Build the learner's streams on a new StreamingContext, register the snapshots' outputs, start."""
        ssc = self._context(checkpoint=True)
        built = self.pipeline(self.source.dstream(ssc), **self.options)
        if not (isinstance(built, tuple) and len(built) == 2):
            raise TypeError(
                "the pipeline function must return two DStreams: (word, (window count, total)) pairs "
                f"and (name, n) tallies; it returned {type(built).__name__}"
            )
        current, tallies = built
        stats = tallies.map(_tally_stats).reduce(Stats.merge)  # one Stats per batch, as pipeline.batch_stats
        self.snapshots = SparkSnapshots(self.settings, self.publisher).attach(
            SimpleNamespace(stats=stats, current=current)
        )
        ssc.start()
        return self


def top_dstream(
    sc: SparkContext,
    source: Any,
    n: int = 50,
    lexicon_name: str = "default",
    topic: str | None = None,
    lang: str | None = None,
    batch_s: float = 1.0,
    timeout: float = 600.0,
    state: str = "driver",
    scorer: str | None = None,
) -> dict[str, Any]:
    """``top --engine dstream``: stream every batch of a QueueSource through a ``StreamRun``, then report totals.

    With a ``scorer`` the result also holds ``tweet_sentiment``, the tweets it called each way.
    """
    tally = Stats()
    settings = RunSettings(
        batch_s, batch_s, batch_s, n, lexicon_name, topic, lang, totals_top=n, scorer=scorer or "lexicon"
    )
    run = StreamRun(sc, source, settings, [lambda snap: tally.merge(snap.stats)], state=state)
    run.start()
    try:
        if not run.wait(len(source), timeout):
            raise TimeoutError(f"the stream did not finish {len(source)} batches in {timeout:g} s")
    finally:
        run.stop()
    if run.errors:
        raise RuntimeError("; ".join(run.errors))
    out = top_json(run.publisher.tweets_total, run.publisher.malformed_total, run.final_top, n, lexicon_name)
    if scorer is not None:
        out["tweet_sentiment"] = tweet_sentiment(tally, scorer)
    return out


__all__ = [
    "PipelineFunction",
    "PipelineRun",
    "Source",
    "StreamRun",
    "top_dstream",
]
