"""Notebook 06 runs unchanged on a Spark Connect session (issue 14: "a test runs it that way").

``LAB_SPARK_CONNECT=1`` makes ``helpers.infra.spark.get_session()`` start a local Spark Connect server (127.0.0.1, a
free port, a token) and return a client session. The notebook runs in a fresh kernel with that variable set,
every cell must succeed (its own asserts check the counts against plain Python), the session must really be a
Connect client, and no cell may print an error. The same run by hand:
``LAB_SPARK_CONNECT=1 .venv/bin/python -m pytest notebooks/06_structured_streaming.ipynb``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06_structured_streaming.ipynb"

pytestmark = pytest.mark.spark


def outputs_of(cell: nbformat.NotebookNode) -> str:
    """The text a cell showed: streams and plain-text results."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    return "\n".join(parts)


def test_notebook_06_runs_on_spark_connect(monkeypatch):
    monkeypatch.setenv("LAB_SPARK_CONNECT", "1")
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()

    code = [c for c in nb.cells if c.cell_type == "code"]
    kind = next(c for c in code if c.source.strip().endswith("type(session).__module__"))
    assert outputs_of(kind).strip() == "'pyspark.sql.connect.session'"
    for cell in code:
        assert not any(out.get("name") == "stderr" for out in cell.get("outputs", [])), cell.source
        assert "ERROR" not in outputs_of(cell), cell.source
