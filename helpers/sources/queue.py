"""Deterministic sources: a queue of known RDDs, one per micro-batch (``queueStream``).

``batches_of(lines, 1000)`` splits lines into batches; ``QueueSource(batches)`` or
``QueueSource.from_files(paths)`` feeds them to a StreamingContext one batch per interval, so a run
has a known number of batches and ends by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.streaming import DStream, StreamingContext


class QueueSource:
    """One RDD per batch, in order: lists of lines (parallelized) or files (read by Spark's text reader)."""

    def __init__(self, batches: Sequence[list[str]] = (), files: Sequence[str | Path] = (), slices: int = 2) -> None:
        if bool(batches) == bool(files):
            raise ValueError("give either batches of lines or files, not both")
        self.batches, self.files, self.slices = list(batches), [str(f) for f in files], slices

    @classmethod
    def from_files(cls, files: Iterable[str | Path]) -> QueueSource:
        """One batch per file, each read with ``sc.textFile`` (CRLF and bad UTF-8 handled as Spark does)."""
        return cls(files=list(files))

    def __len__(self) -> int:
        return len(self.batches) or len(self.files)

    def dstream(self, ssc: StreamingContext) -> DStream:
        """The queue stream, one RDD per batch interval, then empty batches."""
        sc = ssc.sparkContext
        if self.files:
            rdds = [sc.textFile(f, self.slices) for f in self.files]
        else:
            rdds = [sc.parallelize(batch, self.slices) for batch in self.batches]
        return ssc.queueStream(rdds, oneAtATime=True)

    def stop(self) -> None:
        """Nothing to stop: the queue is fixed when the stream starts."""


__all__ = [
    "QueueSource",
]
