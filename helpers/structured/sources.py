"""The Structured run's sources: each makes a streaming DataFrame of one ``value`` column, and says its trigger.

    source = TweetSource(files, rows_per_batch=300, paced=True)   # format("tweets"): replayable, resumable
    source = FileSource.from_batches(batches)                      # Spark's text file source, a file a batch
    lines = source.stream(session); trigger = source.trigger(batch_s); …; source.stop()

A socket is no source here: a restarted query must be able to read again what it had not committed.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from helpers import paths
from helpers.sample import merged_lines
from helpers.sources.files import FileDrop
from helpers.structured.transforms import interval

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@runtime_checkable
class StructuredSource(Protocol):
    """What ``StructuredRun`` reads from: a streaming DataFrame of lines, the trigger that fits it, a stop."""

    def stream(self, session: SparkSession) -> DataFrame:
        """A streaming DataFrame of one string column, ``value``: one row per line."""
        ...

    def trigger(self, batch_s: float) -> dict[str, Any]:
        """The keyword arguments of ``writeStream.trigger`` for a run with batch interval ``batch_s``."""
        ...

    def stop(self) -> None:
        """Release what the source holds (staged files); safe to call twice."""
        ...


class FileSource:
    """Structured Streaming's file source: text lines of the files in ``folder``, ``files_per_batch`` a batch.

    Bounded: the query runs with ``trigger(availableNow=True)``, takes every file there and stops.
    ``from_files`` and ``from_batches`` stage the files in a new folder, their modification times one
    second apart, so the batches come in the order given (Spark takes files oldest first).
    """

    def __init__(self, folder: str | Path, files_per_batch: int = 1, owned: bool = False) -> None:
        self.folder = Path(folder)
        self.files_per_batch = files_per_batch
        self._owned = owned

    @classmethod
    def from_files(cls, files: Iterable[str | Path]) -> FileSource:
        """One batch per file, in order (a file named twice is read twice, as the other engines do)."""
        paths = [Path(f) for f in files]
        folder = Path(tempfile.mkdtemp(prefix="lab-structured-in-"))
        for i, path in enumerate(paths):
            shutil.copyfile(path, folder / f"{i:05d}-{path.name}")
        return cls(_mtimes_in_name_order(folder), owned=True)

    @classmethod
    def from_batches(cls, batches: Iterable[Sequence[str]]) -> FileSource:
        """One batch per list of lines, in order."""
        drop = FileDrop(tempfile.mkdtemp(prefix="lab-structured-in-"))
        for batch in batches:
            drop.write(batch)
        return cls(_mtimes_in_name_order(drop.folder), owned=True)

    def __len__(self) -> int:
        return -(-len(self.files()) // self.files_per_batch)

    def files(self) -> list[Path]:
        """The files Spark will read, in order."""
        return sorted(p for p in self.folder.iterdir() if p.is_file() and not p.name.startswith((".", "_")))

    def stream(self, session: SparkSession) -> DataFrame:
        """``readStream.text(folder)``: a streaming DataFrame of one ``value`` column."""
        return session.readStream.option("maxFilesPerTrigger", self.files_per_batch).text(str(self.folder))

    def trigger(self, batch_s: float) -> dict[str, Any]:
        """Every file there, in as many batches as needed, then stop."""
        return {"availableNow": True}

    def stop(self) -> None:
        """Delete the folder if ``from_files`` or ``from_batches`` made it."""
        if self._owned:
            shutil.rmtree(self.folder, ignore_errors=True)


def _mtimes_in_name_order(folder: Path) -> Path:
    """Give the files of ``folder`` modification times a second apart, in name order (none in the future)."""
    now = time.time()
    names = sorted(folder.iterdir())
    for i, path in enumerate(names):
        stamp = now - len(names) + i
        os.utime(path, (stamp, stamp))
    return folder


class TweetSource:
    """The kit's ``format("tweets")`` source on files: replayable, in order, resumable from a checkpoint.

    ``rows_per_batch`` caps a micro-batch (``maxRowsPerTrigger``); ``paced`` runs a micro-batch every
    ``batch_s`` seconds (a replay at ``rows_per_batch / batch_s`` tweets a second), otherwise the query takes
    what is there (``availableNow``) and stops. ``from_lines`` stages lines in a file of its own.
    """

    def __init__(
        self, files: Iterable[str | Path], rows_per_batch: int | None = None, paced: bool = False, owned: bool = False
    ) -> None:
        self.paths = [Path(f).resolve() for f in files]
        self.rows_per_batch, self.paced, self._owned = rows_per_batch, paced, owned
        #: Where the lines come from, in words (a dashboard shows it above its status line).
        self.note = ""

    @classmethod
    def from_lines(cls, lines: Iterable[str], rows_per_batch: int | None = None, paced: bool = False) -> TweetSource:
        """The lines, staged in a new file (deleted by ``stop``)."""
        folder = Path(tempfile.mkdtemp(prefix="lab-structured-in-"))
        path = folder / "tweets.ndjson"
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        return cls([path], rows_per_batch, paced, owned=True)

    def stream(self, session: SparkSession) -> DataFrame:
        """``readStream.format("tweets")``: a streaming DataFrame of one ``value`` column."""
        reader = session.readStream.format("tweets").option("path", ",".join(str(p) for p in self.paths))
        if self.rows_per_batch:
            reader = reader.option("maxRowsPerTrigger", self.rows_per_batch)
        return reader.load()

    def trigger(self, batch_s: float) -> dict[str, Any]:
        """Paced: a micro-batch every ``batch_s`` seconds; otherwise what is there, then stop."""
        return {"processingTime": interval(batch_s)} if self.paced else {"availableNow": True}

    def stop(self) -> None:
        """Delete the staged file if ``from_lines`` made it."""
        if self._owned:
            shutil.rmtree(self.paths[0].parent, ignore_errors=True)


def tweet_replay(*, topic: str | None, rate: float, limit: int | None, batch_s: float = 1.0) -> TweetSource:
    """A dashboard's source factory for this engine: the sample (``topic``, or all topics merged in time order,
    ``limit`` lines at most) replayed through ``format("tweets")`` at ``rate`` tweets a second.

    Paced by ``batch_s`` (the dashboard's batch interval): ``rate × batch_s`` rows a micro-batch, one every
    ``batch_s`` seconds. A socket cannot serve here: a restarted query must read again what it had not committed.
    """
    lines = merged_lines(paths.sample_files(topic))
    if limit is not None:
        lines = itertools.islice(lines, limit)
    source = TweetSource.from_lines(lines, rows_per_batch=max(1, round(rate * batch_s)), paced=True)
    source.note = (
        f'replaying the shipped sample ({topic or "all topics"}) at {rate:g} tweets/s through format("tweets")'
    )
    return source


__all__ = ["FileSource", "StructuredSource", "TweetSource", "tweet_replay"]
