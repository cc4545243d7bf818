"""Reading the shipped sample (or any stream-shaped NDJSON file) and cutting it into batches. No Spark.

``read_lines`` splits as Spark's text reader does; ``merged_lines`` merges files into ``created_at``
order; ``batches_of`` cuts lines into micro-batches; ``sample_batches`` cuts the sample by minutes.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
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
        minute = int(datetime.fromisoformat(tweet.created_at.replace("Z", "+00:00")).timestamp() // 60)
        if start is None:
            start = minute - minute % minutes
        slot = (minute - start) // minutes
        if slot >= count:
            break
        batches[slot].append(line)
    return batches
