"""A notebook's code cells as text, for the tests that read or run what a lesson writes."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import paths


def code_cells(notebook: str | Path) -> list[str]:
    """The source of every code cell of ``notebook`` (a path, or a name under ``notebooks/``), in order."""
    path = paths.NOTEBOOKS / notebook if isinstance(notebook, str) else notebook
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def cells_starting(notebook: str | Path, *starts: str) -> list[str]:
    """The one code cell that begins with each of ``starts`` (leading blanks ignored), in the order asked."""
    cells = code_cells(notebook)
    found = []
    for start in starts:
        matches = [c for c in cells if c.lstrip().startswith(start)]
        assert len(matches) == 1, f"{notebook}: {len(matches)} code cells begin with {start!r}"
        found.append(matches[0])
    return found
