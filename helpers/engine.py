"""The pure-Python reference engine: the same semantics as the Spark pipeline, in one process.

Tests compare every Spark engine against it, and the benchmarks use it as the baseline.
``PythonEngine(window=10, slide=2).process(lines)`` handles one micro-batch and returns a Snapshot;
``top_from_files(files, n)`` is the ``top --engine python`` command.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from helpers.analyse import Snapshot, Stats, Summary, current_rows, summarise, top_json, tweet_sentiment


class PythonEngine:
    """Micro-batches in plain Python: windowed counts, running totals, the top-N "current" view.

    ``window`` and ``slide`` count batches, as Spark's window and slide durations are whole multiples
    of the batch interval. The view is refreshed on every ``slide``-th batch, as Spark's windowed
    stream produces an RDD only then.
    """

    def __init__(
        self,
        lexicon_name: str = "default",
        window: int = 10,
        slide: int = 2,
        top_n: int = 50,
        topic: str | None = None,
        lang: str | None = None,
        interval_s: float = 1.0,
        scorer: str = "lexicon",
    ) -> None:
        if not 0 < slide <= window:
            raise ValueError(f"need 0 < slide <= window, got slide={slide} and window={window} batches")
        self.lexicon_name, self.window, self.slide, self.top_n = lexicon_name, window, slide, top_n
        self.topic, self.lang, self.interval_s = topic, lang, interval_s
        self.scorer = scorer  # what calls a tweet positive or negative (helpers.scorers)
        self.batches = 0
        self.totals: Counter[str] = Counter()
        self.tweets_total = 0
        self.malformed_total = 0
        self._recent: deque[Counter[str]] = deque(maxlen=window)
        self._top: list = []

    def process(self, lines: Iterable[str], batch_time: float | None = None) -> Snapshot:
        """Run one batch of raw lines through the pipeline and return what the sinks show."""
        started = time.perf_counter()
        summary = summarise(lines, self.lexicon_name, self.topic, self.lang, self.scorer)
        return self.add(summary, batch_time, started)

    def add(self, summary: Summary, batch_time: float | None = None, started: float | None = None) -> Snapshot:
        """Add one batch's ``Summary`` to the window and the totals and return its Snapshot.

        ``process`` calls it on a batch it summarised itself; a DStream run that keeps its state on the
        driver (``StreamRun(state="driver")``) calls it on each batch Spark summarised.
        """
        started = time.perf_counter() if started is None else started
        self.batches += 1
        self.totals.update(summary.words)
        self.tweets_total += summary.stats.tweets
        self.malformed_total += summary.stats.malformed
        self._recent.append(summary.words)
        updated = self.batches % self.slide == 0
        if updated:
            window_counts: Counter[str] = Counter()
            for counts in self._recent:
                window_counts.update(counts)
            self._top = current_rows(
                ((w, c) for w, c in window_counts.items() if c > 0), self.totals, self.top_n, self.lexicon_name
            )
        return Snapshot(
            batch=self.batches,
            time=time.time() if batch_time is None else batch_time,
            interval_s=self.interval_s,
            stats=summary.stats,
            tweets_total=self.tweets_total,
            malformed_total=self.malformed_total,
            top=list(self._top),
            window_updated=updated,
            processing_s=time.perf_counter() - started,
        )


def read_lines(files: Iterable[str | Path]) -> Iterator[str]:
    """Every line of the files in order, split as Spark's text reader splits them (\\n, \\r\\n or \\r).

    Bytes that are not UTF-8 become U+FFFD, as in Spark, and the parser then refuses that line.
    """
    for path in files:
        with open(path, encoding="utf-8", errors="replace", newline=None) as fh:
            for line in fh:
                yield line.rstrip("\n")


def top_from_files(
    files: Iterable[str | Path],
    n: int = 50,
    lexicon_name: str = "default",
    topic: str | None = None,
    lang: str | None = None,
    scorer: str | None = None,
) -> dict[str, Any]:
    """``top --engine python``: every tweet of the files counted in one pass, as JSON-ready dict.

    With a ``scorer`` the result also holds ``tweet_sentiment``: how many tweets it called positive,
    negative or neither (``analyse.tweet_sentiment``).
    """
    summary = summarise(read_lines(files), lexicon_name, topic, lang, scorer or "lexicon")
    out = top_json(summary.stats.tweets, summary.stats.malformed, summary.words.items(), n, lexicon_name)
    if scorer is not None:
        out["tweet_sentiment"] = tweet_sentiment(summary.stats, scorer)
    return out


__all__ = ["PythonEngine", "Stats", "read_lines", "top_from_files"]
