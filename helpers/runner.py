"""Run the DStream pipeline on a source until it is done or stopped: the life cycle in one object.

    run = StreamRun(sc, QueueSource(batches), batch_s=1, window_s=4, slide_s=2)
    run.start(); run.wait(batches=len(batches)); run.stop()
    run.sink.latest.top[:5]

Used by notebook 05's dashboard, the command line (``top``, ``stream``) and the tests. ``stop()`` stops
the source first, then the StreamingContext gracefully, and keeps the SparkContext for the next run.

``state`` says where the window and the running totals live. ``"driver"`` (the default): Spark
parses, tokenizes, scores and counts each batch (one job, one stage), and the driver adds the
batch's word counts — a few hundred words — to the window and the totals. ``"spark"``: the whole
``helpers.pipeline.build`` — ``reduceByKeyAndWindow`` with its inverse, ``updateStateByKey`` and the
join — runs in Spark, with a checkpoint folder; right for a vocabulary too large for the driver,
and several times slower per batch at this scale (docs/performance.md measures both).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from helpers import scorers, spark
from helpers.analyse import Stats, top_json, tweet_sentiment
from helpers.pipeline import STATES, Streams, build, check_window, summaries
from helpers.sinks import Listener, SnapshotSink

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


@dataclass
class StreamRun:
    """One run of the pipeline: a StreamingContext, its source, its sink, and how to stop cleanly."""

    sc: SparkContext
    source: Source
    batch_s: float = 1.0
    window_s: float = 10.0
    slide_s: float = 2.0
    top_n: int = 50
    lexicon_name: str = "default"
    topic: str | None = None
    lang: str | None = None
    listeners: list[Listener] = field(default_factory=list)
    totals_top: int = 0
    state: str = "driver"
    scorer: str = "lexicon"
    ssc: StreamingContext | None = field(default=None, init=False)
    streams: Streams | None = field(default=None, init=False)
    sink: SnapshotSink = field(init=False)
    _checkpoint: Path | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"state must be one of {list(STATES)}, got {self.state!r}")
        scorers.check(self.scorer)
        self.sink = SnapshotSink(self.top_n, self.batch_s, self.lexicon_name, self.listeners)

    def start(self) -> StreamRun:
        """Build the pipeline on a fresh StreamingContext and start it."""
        if self.state == "driver":
            check_window(self.batch_s, self.window_s, self.slide_s)
            self.ssc = spark.streaming_context(self.sc, self.batch_s)
            lines = self.source.dstream(self.ssc)
            parts = summaries(lines, self.lexicon_name, self.topic, self.lang, cache=False, scorer=self.scorer)
            window, slide = round(self.window_s / self.batch_s), round(self.slide_s / self.batch_s)
            self.sink.attach_summaries(parts, window, slide, totals_top=self.totals_top)
            self.ssc.start()
            return self
        self._checkpoint = spark.checkpoint_dir()
        self.ssc = spark.streaming_context(self.sc, self.batch_s, checkpoint=self._checkpoint)
        self.streams = build(
            self.source.dstream(self.ssc),
            self.batch_s,
            self.window_s,
            self.slide_s,
            self.lexicon_name,
            self.topic,
            self.lang,
            scorer=self.scorer,
        )
        self.sink.attach(self.streams, totals_top=self.totals_top)
        self.ssc.start()
        return self

    def wait(self, batches: int, timeout: float = 120.0) -> bool:
        """Wait until ``batches`` batches are done; False if ``timeout`` seconds pass first."""
        return self.sink.wait_for(batches, timeout)

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self.ssc is not None

    def stop(self) -> None:
        """Stop the source, then the stream gracefully; the SparkContext stays up. Safe to call twice."""
        self.source.stop()
        if self.ssc is not None:
            spark.stop_streaming(self.ssc)
            self.ssc = None
            if self._checkpoint is not None:  # a fresh run starts from a fresh folder anyway
                shutil.rmtree(self._checkpoint, ignore_errors=True)
        self.sink.close()


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
    """``top --engine dstream``: stream every batch of a QueueSource through the pipeline, then report totals.

    With a ``scorer`` the result also holds ``tweet_sentiment``, the tweets it called each way.
    """
    tally = Stats()
    listeners = [lambda snap: tally.merge(snap.stats)]
    run = StreamRun(
        sc, source, batch_s, batch_s, batch_s, n, lexicon_name, topic, lang, listeners, n, state, scorer or "lexicon"
    )
    run.start()
    try:
        if not run.wait(len(source), timeout):
            raise TimeoutError(f"the stream did not finish {len(source)} batches in {timeout:g} s")
    finally:
        run.stop()
    if run.sink.errors:
        raise RuntimeError("; ".join(run.sink.errors))
    out = top_json(run.sink.tweets_total, run.sink.malformed_total, run.sink.final_top, n, lexicon_name)
    if scorer is not None:
        out["tweet_sentiment"] = tweet_sentiment(tally, scorer)
    return out
