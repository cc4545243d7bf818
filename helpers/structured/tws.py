"""Running totals per word in Structured Streaming's arbitrary state: ``transformWithState``.

Notebook 06 writes this class in a cell first; this is the code the learner wrote, packaged, so the tests
(``tests/test_tws.py``) can run it with pyspark's ``TwsTester`` and against ``updateStateByKey``, and a test
proves the notebook's class and this one the same. Use it on words grouped by word::

    words.groupBy("word").transformWithState(
        RunningTotals(ttl_ms=3_600_000), "word STRING, total LONG", "Update", "ProcessingTime")

It needs the RocksDB state store provider (``ROCKSDB``), set before the query starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pyspark.sql import Row
from pyspark.sql.streaming import StatefulProcessor, StatefulProcessorHandle

#: The state store that ``transformWithState`` needs (the default in 4.3 is still the HDFS-backed one).
ROCKSDB = "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"
#: The schema of the rows the processor emits: the word and its running total.
OUTPUT_SCHEMA = "word STRING, total LONG"
#: Notebook 06 cuts words at every run of characters that are not an ASCII letter, digit, ``_`` or ``'``
#: (``\\w`` in Java's regex engine, which Spark's ``split`` uses, is ASCII-only by default).
SEPARATORS = r"[^\w']+"


def split_words(text: str) -> list[str]:
    """Notebook 06's ``explode(split(lower(text), SEPARATORS))`` in plain Python, empty strings dropped."""
    return [w for w in re.split(SEPARATORS, text.lower(), flags=re.ASCII) if w]


class RunningTotals(StatefulProcessor):
    """Each word's running count; with ``ttl_ms``, a word unseen for that long (processing time) is forgotten."""

    def __init__(self, ttl_ms: int | None = None) -> None:
        self.ttl_ms = ttl_ms

    def init(self, handle: StatefulProcessorHandle) -> None:
        """One value per word, kept in the state store; every update restarts its time to live."""
        self.total = handle.getValueState("total", "total LONG", self.ttl_ms)

    def handleInputRows(self, key: tuple[str], rows: Iterator[Row], timerValues: Any) -> Iterator[Row]:
        """Add this micro-batch's rows for the word to its total and emit the new total."""
        before = self.total.get()[0] if self.total.exists() else 0
        total = before + sum(1 for _ in rows)
        self.total.update((total,))
        yield Row(word=key[0], total=total)

    def close(self) -> None:
        """Nothing to release: the state lives in the state store."""


__all__ = [
    "OUTPUT_SCHEMA",
    "ROCKSDB",
    "SEPARATORS",
    "RunningTotals",
    "split_words",
]
