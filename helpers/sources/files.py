"""A file drop for ``textFileStream`` and Structured Streaming's file source.

``drop = FileDrop(folder); drop.write(lines)`` writes a finished file elsewhere and renames it into
the folder, because Spark only notices files that appear atomically (``os.rename``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.streaming import DStream, StreamingContext


class FileDrop:
    """Drop batches of lines into ``folder`` as new files, named in order (batch-00001.ndjson, …)."""

    def __init__(self, folder: str | Path | None = None, suffix: str = ".ndjson") -> None:
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="lab-drop-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.suffix = suffix
        self.dropped: list[Path] = []

    def write(self, lines: Iterable[str]) -> Path:
        """Write one file of ``lines`` and move it into the folder in one step; returns its path."""
        name = f"batch-{len(self.dropped) + 1:05d}{self.suffix}"
        # Written beside the folder (so the rename stays on one file system), hidden, and gone once renamed.
        staged = self.folder.parent / f".{self.folder.name}-{name}.part"
        staged.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        target = self.folder / name
        os.replace(staged, target)  # atomic on one file system; copy+delete would be seen half-written
        self.dropped.append(target)
        return target

    def dstream(self, ssc: StreamingContext) -> DStream:
        """``textFileStream`` on the folder: each batch holds the files that appeared since the last one."""
        return ssc.textFileStream(str(self.folder))

    def stop(self) -> None:
        """Nothing runs in the background; the folder is kept for inspection."""


__all__ = [
    "FileDrop",
]
