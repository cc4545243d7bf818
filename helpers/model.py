"""The kit's data model: a batch's tallies and words, a row of the current view, the snapshot every sink
shows, the one ranking order, and the ``top`` command's JSON shape. No Spark, no state.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from helpers import lexicon


@dataclass
class Stats:
    """A batch's tallies: tweets, malformed lines skipped, tweets by overall sentiment, words by polarity."""

    tweets: int = 0
    malformed: int = 0
    positive_tweets: int = 0
    negative_tweets: int = 0
    neutral_tweets: int = 0
    positive_words: int = 0
    negative_words: int = 0
    neutral_words: int = 0

    def merge(self, other: Stats) -> Stats:
        """Add ``other`` into these tallies and return them (a reduce function for Spark)."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


@dataclass
class Summary:
    """What one batch (or one partition of it) contained: its word counts and its tallies."""

    words: Counter[str] = field(default_factory=Counter)
    stats: Stats = field(default_factory=Stats)

    def merge(self, other: Summary) -> Summary:
        """Add ``other`` into this summary and return it (a reduce function for Spark)."""
        self.words.update(other.words)
        self.stats.merge(other.stats)
        return self


@dataclass(frozen=True)
class Row:
    """One word of the "current" view: its count in the window, its running total, its sentiment."""

    word: str
    count: int
    total: int
    sentiment: lexicon.Polarity


def check_slide(window: float, slide: float, unit: str) -> None:
    """A clear ValueError unless ``0 < slide <= window`` (both in ``unit``: batches or seconds)."""
    if not 0 < slide <= window:
        raise ValueError(f"need 0 < slide <= window, got slide={slide:g} {unit} and window={window:g} {unit}")


def rank_key(word_count: tuple[str, float]) -> tuple[float, str]:
    """Sort key of the order every engine uses: larger count first, ties by the word ascending."""
    return (-word_count[1], word_count[0])


def rank(counts: Iterable[tuple[str, int]], n: int) -> list[tuple[str, int]]:
    """The ``n`` largest counts in rank order."""
    return heapq.nsmallest(n, counts, key=rank_key)


def top_json(
    tweets: int, malformed: int, totals: Iterable[tuple[str, int]], n: int, lexicon_name: str = "default"
) -> dict[str, Any]:
    """The ``top`` command's result: ``{"tweets", "malformed", "words": [{"word", "count", "sentiment"}]}``."""
    scores = lexicon.scores(lexicon_name)
    return {
        "tweets": tweets,
        "malformed": malformed,
        "words": [{"word": w, "count": c, "sentiment": lexicon.polarity(w, scores)} for w, c in rank(totals, n)],
    }


@dataclass
class Snapshot:
    """Everything a sink shows after one batch: the dashboard, the console table and the JSON file read it."""

    batch: int
    time: float
    interval_s: float
    stats: Stats
    tweets_total: int
    malformed_total: int
    top: list[Row]
    window_updated: bool
    processing_s: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (one line of the JSON-lines sink)."""
        return {
            "batch": self.batch,
            "time": self.time,
            "interval_s": self.interval_s,
            "processing_s": self.processing_s,
            "tweets_total": self.tweets_total,
            "malformed_total": self.malformed_total,
            "window_updated": self.window_updated,
            **{k: getattr(self.stats, k) for k in self.stats.__dataclass_fields__},
            "top": [{"word": r.word, "count": r.count, "total": r.total, "sentiment": r.sentiment} for r in self.top],
        }


__all__ = [
    "Row",
    "Snapshot",
    "Stats",
    "Summary",
    "check_slide",
    "rank",
    "rank_key",
    "top_json",
]
