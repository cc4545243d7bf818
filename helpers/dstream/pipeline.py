"""The DStream sentiment pipeline as plain functions that take and return DStreams.

Notebooks, the command line and the tests compose the same pieces; none of them knows where the
lines come from (queue, socket, files, the X API) or where the results go (see ``helpers.sinks``)::

    parts   = summaries(lines, "vader")              # one Summary per partition per batch
    counts  = word_counts(parts)                     # (word, n) in this batch
    stats   = batch_stats(parts)                     # one Stats per batch
    window  = windowed_counts(counts, 10, 2)         # (word, n) over the last 10 s, every 2 s
    totals  = running_totals(counts)                 # (word, n) since the start
    current = current_view(window, totals, 2, 1)     # (word, (window n, total)) every 2 s

``reduceByKeyAndWindow`` with an inverse function and ``updateStateByKey`` need ``ssc.checkpoint(dir)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import add, sub
from typing import TYPE_CHECKING

from helpers.counting import summarise
from helpers.model import Stats, Summary

if TYPE_CHECKING:
    from pyspark.streaming import DStream

#: Partitions for the shuffles of each batch: one per core of local[2]; more only adds overhead.
PARTITIONS = 2

#: Where a run keeps its window and running totals (``helpers.dstream.runner.StreamRun(state=...)``): on the
#: driver, from each batch's collected summaries, or in Spark, with the stateful operators below.
STATES = ("driver", "spark")


def summaries(
    lines: DStream,
    lexicon_name: str = "default",
    topic: str | None = None,
    lang: str | None = None,
    cache: bool = True,
    scorer: str = "lexicon",
) -> DStream:
    """Parse, filter, tokenize and score each partition in one pass (``mapPartitions``), cached for reuse.

    One Counter per partition instead of one ``(word, 1)`` pair per word keeps the shuffle small:
    this is what lets the pipeline keep up with tens of thousands of tweets a second on a laptop.
    ``cache=False`` when a single output operation reads it. ``scorer``: what calls a tweet positive or
    negative (``helpers.scorers``), by name so each worker loads it once.
    """
    parts = lines.mapPartitions(lambda part: [summarise(part, lexicon_name, topic, lang, scorer)])
    return parts.cache() if cache else parts


def word_counts(parts: DStream) -> DStream:
    """``(word, count)`` pairs of one batch, merged across partitions."""
    return parts.flatMap(lambda s: s.words.items()).reduceByKey(add, PARTITIONS)


def batch_stats(parts: DStream) -> DStream:
    """One ``Stats`` per batch (tweets, malformed, sentiment tallies), reduced from the partitions."""
    return parts.map(lambda s: s.stats).reduce(Stats.merge)


def _positive(kv: tuple[str, int]) -> bool:
    return kv[1] > 0


def windowed_counts(counts: DStream, window_s: float, slide_s: float) -> DStream:
    """Counts over the last ``window_s`` seconds, every ``slide_s`` seconds; words that fell to 0 dropped.

    The inverse function (``sub``) lets Spark update each window from the previous one, adding the
    batches that entered and subtracting those that left, instead of re-adding every batch.
    """
    return counts.reduceByKeyAndWindow(add, sub, window_s, slide_s, PARTITIONS, _positive)


def _update_total(new: list[int], old: int | None) -> int:
    return sum(new, old or 0)


def running_totals(counts: DStream) -> DStream:
    """Each word's count since the stream started (``updateStateByKey``; needs a checkpoint folder)."""
    return counts.updateStateByKey(_update_total, PARTITIONS)


def current_view(window: DStream, totals: DStream, slide_s: float, batch_s: float) -> DStream:
    """The window's words joined back to their running totals: ``(word, (window count, total))``.

    The totals are sampled every ``slide_s`` seconds with a one-batch window (the latest state only), so both
    sides of the join hold an RDD at every slide. (PySpark does not refuse streams that slide differently, as
    Scala does: it takes the slide of the stream ``join`` is called on and an empty RDD where the other has none.)
    """
    sampled = totals.window(batch_s, slide_s) if slide_s != batch_s else totals
    return window.join(sampled, PARTITIONS)


@dataclass
class Streams:
    """The DStreams of one built pipeline, for sinks to attach to."""

    parts: DStream
    counts: DStream
    stats: DStream
    window: DStream
    totals: DStream
    current: DStream


def build(
    lines: DStream,
    batch_s: float,
    window_s: float,
    slide_s: float,
    lexicon_name: str = "default",
    topic: str | None = None,
    lang: str | None = None,
    scorer: str = "lexicon",
) -> Streams:
    """Compose the whole pipeline on ``lines``; check the window against the batch interval first."""
    check_window(batch_s, window_s, slide_s)
    parts = summaries(lines, lexicon_name, topic, lang, scorer=scorer)
    counts = word_counts(parts)
    window = windowed_counts(counts, window_s, slide_s)
    totals = running_totals(counts)
    return Streams(parts, counts, batch_stats(parts), window, totals, current_view(window, totals, slide_s, batch_s))


def check_window(batch_s: float, window_s: float, slide_s: float) -> None:
    """Raise a clear ValueError for a window Spark would reject (before Spark is asked, with no Java trace)."""

    def multiple(x: float) -> bool:
        return x > 0 and abs(round(x / batch_s) * batch_s - x) < 1e-9

    if batch_s <= 0:
        raise ValueError(f"the batch interval must be positive, got {batch_s} s")
    if not multiple(window_s):
        raise ValueError(
            f"window length {window_s:g} s is not a multiple of the batch interval {batch_s:g} s: "
            "a window covers whole batches (try "
            f"{max(1, round(window_s / batch_s)) * batch_s:g} s)"
        )
    if not multiple(slide_s):
        raise ValueError(
            f"slide {slide_s:g} s is not a multiple of the batch interval {batch_s:g} s: "
            "a window moves by whole batches"
        )
    if slide_s > window_s:
        raise ValueError(f"slide {slide_s:g} s is longer than the window {window_s:g} s: some batches would be missed")


__all__ = [
    "PARTITIONS",
    "STATES",
    "Streams",
    "Summary",
    "batch_stats",
    "build",
    "check_window",
    "current_view",
    "running_totals",
    "summaries",
    "windowed_counts",
    "word_counts",
]
