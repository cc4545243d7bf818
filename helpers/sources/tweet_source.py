"""``format("tweets")``: a Python streaming data source that replays NDJSON tweet files line by line.

    spark = helpers.infra.spark.get_session()            # registers it; or spark.dataSource.register(TweetDataSource)
    lines = (spark.readStream.format("tweets")
             .option("path", "data/sample_tweets/football.ndjson")   # a file, a comma list, a glob or a folder
             .option("maxRowsPerTrigger", 500)                        # optional: paced replay
             .load())                                                 # one string column, ``value``

One row per non-blank line, files in the order given (a glob or a folder in name order), lines in file
order, split as Spark's text source splits them (``\\n``, ``\\r\\n``, ``\\r``; bad UTF-8 becomes U+FFFD).
The offset is JSON, one entry per file in the order the source first saw it::

    {"files": [{"path": "/…/football.ndjson", "line": 1200, "byte": 713211}]}

``line`` counts the ``\\n``-terminated lines already read (blank ones included, so it is a line number you
can find with ``sed -n``), ``byte`` where the next one starts. The query's checkpoint keeps these offsets,
so a query restarted on the same checkpoint reads only what comes after them.

Files may grow and new files may come (the "append-only" contract of a log):

- at every trigger the ``path`` option is resolved again; a file seen for the first time is read from its
  start after the files already known; lines appended to a known file are read from where it stopped;
- a file already read that no longer matches (moved out of a folder or glob, or left out of ``path`` on a
  restart) keeps its offset and is not read again; a file named in ``path`` that is missing, or one that
  became shorter than its offset, stops the query with an error;
- write whole lines ending in a newline: a last line without one is read as it stands (as the text source
  does), so text appended to it later would be lost.

``trigger(availableNow=True)`` reads what is there when the query starts (in ``maxRowsPerTrigger`` steps
if set) and stops; lines written meanwhile wait for the next run.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition
from pyspark.sql.streaming.datasource import ReadAllAvailable, ReadLimit, ReadMaxRows, SupportsTriggerAvailableNow
from pyspark.sql.types import StructType

NAME = "tweets"
SCHEMA = "value string"
#: A file's new bytes are cut into partitions (Spark tasks) of about this size, at line ends.
PARTITION_BYTES = 16 * 2**20
_GLOB = set("*?[")
_CHUNK = 4 * 2**20


def resolve(path_option: str) -> list[str]:
    """The files a ``path`` option names, in order: comma-separated items, each a file, a folder or a glob.

    A folder or a glob gives its files in name order (hidden files and ``_``/``.`` names skipped in folders).
    A plain file that does not exist raises ``FileNotFoundError``; a glob that matches nothing gives none yet.
    """
    files: list[str] = []
    for item in (part.strip() for part in path_option.split(",")):
        if not item:
            continue
        item = os.path.expanduser(item)
        if _GLOB & set(item):
            found = sorted(p for p in glob.glob(item) if os.path.isfile(p))
        elif os.path.isdir(item):
            found = sorted(str(p) for p in Path(item).iterdir() if p.is_file() and not p.name.startswith((".", "_")))
        elif os.path.isfile(item):
            found = [item]
        else:
            raise FileNotFoundError(f"tweets source: no such file or folder: {item}")
        for p in found:
            absolute = os.path.abspath(p)
            if absolute not in files:
                files.append(absolute)
    return files


def split_lines(data: bytes) -> list[str]:
    """The non-blank lines of ``data`` (whole lines), as Spark's text source and ``sample.read_lines`` split them."""
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    return [line for line in text.split("\n") if line.strip()]


def _advance(path: str, line: int, byte: int, size: int, max_rows: int | None) -> tuple[int, int, int]:
    """From (line, byte) in ``path``, where the reader stops: (line, byte, non-blank rows passed).

    Stops at ``size`` or after ``max_rows`` non-blank lines, whichever comes first. A last line without a
    newline counts as a line (it is read as it stands).
    """
    if byte >= size:
        return line, byte, 0
    rows = 0
    with open(path, "rb") as fh:
        fh.seek(byte)
        if max_rows is None:  # everything up to size, in chunks of whole lines
            while byte < size:
                chunk = fh.read(min(_CHUNK, size - byte))
                if not chunk:
                    break
                if not chunk.endswith(b"\n") and byte + len(chunk) < size:
                    chunk += fh.readline(size - byte - len(chunk))
                rows += _rows(chunk)
                line += chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
                byte += len(chunk)
            return line, byte, rows
        while byte < size and rows < max_rows:
            raw = fh.readline(size - byte)
            if not raw:
                break
            byte += len(raw)
            line += 1
            rows += len(split_lines(raw))
    return line, byte, rows


_NO_TEXT = re.compile(rb"(?m)^[^!-~\n]*$")


def _rows(chunk: bytes) -> int:
    """How many non-blank lines ``split_lines(chunk)`` gives, without decoding lines that hold visible ASCII."""
    if b"\r" in chunk:
        return len(split_lines(chunk))
    pieces = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
    blank = sum(
        1
        for m in _NO_TEXT.finditer(chunk)
        if m.start() < len(chunk) and not m.group().decode("utf-8", errors="replace").strip()
    )
    return pieces - blank


class TweetPartition(InputPartition):
    """The bytes ``[start, end)`` of one file: whole lines, read by one Spark task."""

    def __init__(self, path: str, start: int, end: int) -> None:
        super().__init__((path, start, end))
        self.path, self.start, self.end = path, start, end


class TweetStreamReader(DataSourceStreamReader, SupportsTriggerAvailableNow):
    """Offsets are lines and bytes per file; ``latestOffset`` honours ``maxRowsPerTrigger`` and availableNow."""

    def __init__(self, options: dict[str, str]) -> None:
        self.path_option = options["path"]
        limit = options.get("maxrowspertrigger")
        self.max_rows = int(limit) if limit else None
        if self.max_rows is not None and self.max_rows < 1:
            raise ValueError(f"tweets source: maxRowsPerTrigger must be a positive number, not {limit}")
        self.target: dict[str, int] | None = None  # file -> size, once availableNow fixed what to read

    def initialOffset(self) -> dict:
        """Nothing read yet: every file starts at line 0 when first seen."""
        return {"files": []}

    def getDefaultReadLimit(self) -> ReadLimit:
        """``maxRowsPerTrigger`` rows a micro-batch if the option is set, else everything there."""
        return ReadMaxRows(self.max_rows) if self.max_rows else ReadAllAvailable()

    def prepareForTriggerAvailableNow(self) -> None:
        """availableNow: fix the files and their sizes now; lines written later wait for the next run."""
        self.target = {p: os.path.getsize(p) for p in resolve(self.path_option)}

    def latestOffset(self, start: dict, limit: ReadLimit) -> dict:
        """Where the next micro-batch ends: files in order, each advanced by whole lines within ``limit``."""
        entries = [dict(e) for e in start["files"]]
        known = {e["path"] for e in entries}
        paths = resolve(self.path_option) if self.target is None else list(self.target)
        entries += [{"path": p, "line": 0, "byte": 0} for p in paths if p not in known]
        left = limit.max_rows if isinstance(limit, ReadMaxRows) else None
        readable = set(paths)
        for e in entries:
            if e["path"] not in readable or left == 0:
                continue
            size = self.target[e["path"]] if self.target is not None else os.path.getsize(e["path"])
            if size < e["byte"]:
                raise ValueError(
                    f"tweets source: {e['path']} is now {size} bytes, shorter than the {e['byte']} already read; "
                    "the source reads append-only files (start a new checkpoint to read it again)"
                )
            e["line"], e["byte"], rows = _advance(e["path"], e["line"], e["byte"], size, left)
            if left is not None:
                left -= rows
        return {"files": entries}

    def partitions(self, start: dict, end: dict) -> Sequence[InputPartition]:
        """The new bytes of each file between the two offsets, cut at line ends into Spark tasks."""
        began = {e["path"]: e["byte"] for e in start["files"]}
        parts: list[InputPartition] = []
        for e in end["files"]:
            first = began.get(e["path"], 0)
            if e["byte"] > first:
                parts += _cut(e["path"], first, e["byte"], PARTITION_BYTES)
        return parts

    def read(self, partition: InputPartition) -> Iterator[Any]:
        """The partition's non-blank lines as one Arrow batch (a Python worker hands it to the JVM as is)."""
        import pyarrow as pa

        with open(partition.path, "rb") as fh:
            fh.seek(partition.start)
            lines = split_lines(fh.read(partition.end - partition.start))
        if lines:
            yield pa.RecordBatch.from_arrays([pa.array(lines, pa.string())], names=["value"])


def _cut(path: str, start: int, end: int, size: int) -> list[TweetPartition]:
    """``[start, end)`` of ``path`` in pieces of about ``size`` bytes, each ending at a line end."""
    parts: list[TweetPartition] = []
    with open(path, "rb") as fh:
        while end - start > size:
            fh.seek(start + size)
            fh.readline()
            cut = min(fh.tell(), end)
            parts.append(TweetPartition(path, start, cut))
            start = cut
    if end > start:
        parts.append(TweetPartition(path, start, end))
    return parts


class TweetDataSource(DataSource):
    """``spark.readStream.format("tweets").option("path", …)``: NDJSON lines in order, resumable, paced."""

    @classmethod
    def name(cls) -> str:
        """``format("tweets")``."""
        return NAME

    def schema(self) -> str:
        """One string column, ``value``, as Spark's text source."""
        return SCHEMA

    def streamReader(self, schema: StructType) -> DataSourceStreamReader:
        """The reader for this query's options (keys are case-insensitive)."""
        options = {str(k).lower(): str(v) for k, v in self.options.items()}
        if not options.get("path"):
            raise ValueError('tweets source: give the file(s) to read with .option("path", …)')
        return TweetStreamReader(options)


__all__ = ["NAME", "SCHEMA", "TweetDataSource", "TweetStreamReader", "resolve", "split_lines"]
