"""Navigation between the lessons, generated rather than kept by hand.

``python -m helpers nav`` writes (or refreshes) the second cell of every lesson notebook:
``← previous · Contents · next →``; ``python -m helpers nav --check`` exits 1 if any is out of date
(the test suite runs it). Titles come from each notebook's first heading.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers.paths import NOTEBOOKS

TAG = "navigation"


def lessons(folder: Path = NOTEBOOKS) -> list[Path]:
    """The lesson notebooks in order (``00_…`` to ``08_…``), solutions excluded."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def title(path: Path) -> str:
    """The notebook's title: its first ``# `` heading without the hash."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError(f"{path.name} has no '# ' title")


def bar(path: Path, order: list[Path]) -> str:
    """The navigation line for one notebook."""
    i = order.index(path)
    parts = []
    if i > 0:
        parts.append(f"[← {title(order[i - 1])}]({order[i - 1].name})")
    parts.append(f"[Contents]({order[0].name}#Idea:-what-is-in-the-kit)" if i else "Contents")
    if i + 1 < len(order):
        parts.append(f"[{title(order[i + 1])} →]({order[i + 1].name})")
    return " · ".join(parts)


def _with_nav(nb: dict, line: str) -> dict:
    cell = {"cell_type": "markdown", "id": "navigation", "metadata": {"tags": [TAG]}, "source": [line]}
    cells = [c for c in nb["cells"] if TAG not in c.get("metadata", {}).get("tags", [])]
    nb["cells"] = [cells[0], cell, *cells[1:]]
    return nb


def update(check: bool = False, folder: Path = NOTEBOOKS) -> list[Path]:
    """Write the navigation cells (or, with ``check``, only list the notebooks whose cell is out of date)."""
    order = lessons(folder)
    stale = []
    for path in order:
        text = path.read_text(encoding="utf-8")
        nb = _with_nav(json.loads(text), bar(path, order))
        new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if new != text:
            stale.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    return stale


__all__ = [
    "TAG",
    "bar",
    "lessons",
    "title",
    "update",
]
