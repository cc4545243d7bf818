"""The notebooks as files: committed clean, one skeleton, navigation generated, links that resolve."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.notebooks import code_cells

from helpers import paths
from helpers.cli import nav

LESSONS = nav.lessons()
ALL = sorted(p for p in paths.NOTEBOOKS.glob("**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)
SKELETON = ["What you will learn", "Time", "Before you start", "Exercises", "Recap", "Next"]


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _headings(nb: dict) -> list[str]:
    return [
        line[3:].strip()
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
        for line in "".join(c["source"]).splitlines()
        if line.startswith("## ")
    ]


def test_ten_lessons_each_with_a_solutions_notebook():
    assert [p.name[:2] for p in LESSONS] == [f"{i:02d}" for i in range(10)]
    for lesson in LESSONS:
        assert (paths.NOTEBOOKS / "solutions" / f"{lesson.stem}_solutions.ipynb").exists(), lesson.name


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_committed_clean(path):
    nb = _nb(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"cell {i} has outputs"
        source = "".join(cell["source"])
        assert not re.search(r"/(root|work|tmp|home|Users)/\w", source), f"cell {i} holds a machine path"
        assert "AAAAAAAAAAAAAAAAAAAA" not in source, f"cell {i} holds something like a token"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_skeleton_in_order(path):
    heads = _headings(_nb(path))
    found = [h for h in heads if h in SKELETON]
    assert found == SKELETON, f"{path.name}: {heads}"
    assert any(h.startswith("Idea") for h in heads) and any(h.startswith("Try it") for h in heads)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_starts_spark_once_and_stops_everything(path):
    code = code_cells(path)
    assert "spark.stop_all()" in code[-1], f"{path.name}'s last code cell must call spark.stop_all()"


def test_navigation_is_up_to_date():
    assert nav.update(check=True) == [], "run `python -m helpers nav`"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_relative_links_resolve(path):
    for cell in _nb(path)["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", "".join(cell["source"])):
            if not target.startswith(("http://", "https://", "mailto:")):
                assert (path.parent / target).exists(), f"{path.name} links to missing {target}"
