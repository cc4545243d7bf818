"""Reading the shipped sample (or any stream-shaped NDJSON file) and cutting it into batches. No Spark.

``read_lines`` splits as Spark's text reader does; ``merged_lines`` merges files into ``created_at``
order; ``batches_of`` cuts lines into micro-batches; ``sample_batches`` cuts the sample by minutes.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path

from helpers import paths
from helpers.tweets import parse_line


def read_lines(files: Iterable[str | Path]) -> Iterator[str]:
    """Every line of the files in order, split as Spark's text reader splits them (\\n, \\r\\n or \\r).

    Bytes that are not UTF-8 become U+FFFD, as in Spark, and the parser then refuses that line.
    """
    for path in files:
        with open(path, encoding="utf-8", errors="replace", newline=None) as fh:
            for line in fh:
                yield line.rstrip("\n")


_CREATED = re.compile(r'"created_at"\s*:\s*"([^"]*)"')


def _keyed(path: str | Path) -> Iterator[tuple[str, str]]:
    last = ""
    for line in read_lines([path]):
        found = _CREATED.search(line)
        last = found.group(1) if found else last  # lines without a time keep their place
        yield last, line


def merged_lines(files: Iterable[str | Path]) -> Iterator[str]:
    """Lines of all ``files`` merged into ``created_at`` order (each file is already in time order)."""
    for _, line in heapq.merge(*(_keyed(f) for f in files), key=lambda kv: kv[0]):
        yield line


def batches_of(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    """Consecutive lists of ``size`` lines (the last one may be shorter)."""
    it = iter(lines)
    while batch := list(islice(it, size)):
        yield batch


def sample_batches(count: int = 6, minutes: int = 10, topics: Sequence[str] | None = None) -> list[list[str]]:
    """The sample's tweets in time order, cut into ``count`` batches of ``minutes`` minutes each.

    Replaying one batch per batch interval plays the sample fast forward: with 10-minute batches and
    a 1 s interval, one second of the stream is ten minutes of the sample.
    """
    if count <= 0 or minutes <= 0:
        raise ValueError(f"need count > 0 and minutes > 0, got {count} and {minutes}")
    batches: list[list[str]] = [[] for _ in range(count)]
    start = None
    for line in merged_lines(paths.sample_files(None if topics is None else list(topics))):
        tweet = parse_line(line)
        if tweet is None:
            continue
        minute = int(tweet.created.timestamp() // 60)
        if start is None:
            start = minute - minute % minutes
        slot = (minute - start) // minutes
        if slot >= count:
            break
        batches[slot].append(line)
    return batches


#: Notebook 06's late-data example: tweets held back from the first 10 minutes, and the batches around them.
LATE_FROM, LATE_UNTIL = "2026-11-20T08:00", "2026-11-20T08:10"


def late_example(topic: str = "football") -> list[list[str]]:
    """Three micro-batches of one topic's tweets in which some arrive late (what notebook 06's cells make).

    1. tweets created 08:10–09:00;  2. 09:00–09:20;  3. the ones created 08:00–08:10, held back until
    now, with 09:20–09:40. With 10-minute windows and a 10-minute watermark, the third batch's early
    tweets come after the watermark has passed the end of their window (08:10). Malformed lines are left out.
    """
    tweets = [(t.created_at, line) for line in read_lines(paths.sample_files([topic])) if (t := parse_line(line))]
    tweets.sort(key=lambda pair: pair[0])  # stable: tweets of the same second keep their file order

    def between(start: str, end: str) -> list[str]:
        return [line for created, line in tweets if start <= created < end]

    day = LATE_FROM[:11]
    return [
        between(LATE_UNTIL, f"{day}09:00"),
        between(f"{day}09:00", f"{day}09:20"),
        between(LATE_FROM, LATE_UNTIL) + between(f"{day}09:20", f"{day}09:40"),
    ]


__all__ = [
    "LATE_FROM",
    "LATE_UNTIL",
    "batches_of",
    "late_example",
    "merged_lines",
    "read_lines",
    "sample_batches",
]
