"""The window and the running totals kept on the driver in plain Python: the reference every engine is
tested against. ``WindowState(window=10, slide=2).process(lines)`` handles one micro-batch and returns
a Snapshot; ``python_windows`` works out notebook 03's windows the same way.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from helpers.counting import current_rows, summarise
from helpers.model import Snapshot, Summary, check_slide


class WindowState:
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
        check_slide(window, slide, "batches")
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
        driver (``StreamRun(state="driver")``, through ``helpers.dstream.output.DriverSnapshots``) calls it on
        each batch Spark summarised.
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


@dataclass(frozen=True)
class WindowResult:
    """One window: the batches it covers (numbered from 1), its tweets, and its word counts."""

    first: int
    last: int
    tweets: int
    words: dict[str, int]

    def count(self, word: str) -> int:
        """How often ``word`` came in this window (0 if not at all)."""
        return self.words.get(word, 0)


def window_spans(batches: int, window: int, slide: int, tail: bool = False) -> list[tuple[int, int]]:
    """``(first, last)`` batch numbers (from 1) of every window, in the order Spark computes them.

    A window ends at every ``slide``-th batch and covers up to ``window`` batches back. Without ``tail``
    only windows that end by batch ``batches`` count; with it, also the later ones that still hold
    some of those batches (as the stream runs on with empty batches, the last ones leave the window).
    """
    check_slide(window, slide, "batches")
    last_end = batches + window - 1 if tail and batches > 0 else batches
    return [(max(1, end - window + 1), end) for end in range(slide, last_end + 1, slide)]


def python_windows(batches: Sequence[Sequence[str]], window: int, slide: int) -> list[WindowResult]:
    """The same windows as ``run_windows``, worked out in plain Python by ``helpers.state.WindowState``.

    ``window`` and ``slide`` count batches. Empty batches follow the data until the last data batch has
    left the window, as in the stream.
    """
    spans = window_spans(len(batches), window, slide, tail=True)
    state = WindowState(window=window, slide=slide, top_n=10**9)
    end = spans[-1][1] if spans else 0  # the last window's last batch: empty ones follow the data
    snaps = [state.process(b) for b in [*batches, *([[]] * (end - len(batches)))]]
    words = [{r.word: r.count for r in snap.top} for snap in snaps if snap.window_updated]
    tweets = [snap.stats.tweets for snap in snaps]
    return [
        WindowResult(first, last, sum(tweets[first - 1 : last]), w)
        for (first, last), w in zip(spans, words, strict=True)
    ]


__all__ = [
    "WindowResult",
    "WindowState",
    "python_windows",
    "window_spans",
]
