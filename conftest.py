"""Checks wrapped around every notebook that nbval runs (``notebooks/**/*.ipynb``).

- Each notebook's kernel starts with a fake X API token in its environment; every cell's outputs and
  the kernel's JVM log are scanned for it: a token must never reach an output or a log.
- After a notebook's last cell, a probe inside the same kernel checks that nothing is left behind:
  no SparkContext, no Spark JVM or other child process, no server listening, no non-daemon thread that the
  fresh kernel (probed before the first cell) did not have.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

#: JVM options for the tests' Spark JVMs only (SPARK_SUBMIT_OPTS reaches every driver that spark-submit
#: starts: the tests', the notebooks' kernels', the CLI's; SPARK_LAUNCHER_OPTS the small launcher JVM before
#: it; SPARK_DAEMON_JAVA_OPTS the kit's cluster daemons, and the driver's system property
#: spark.executor.defaultJavaOptions their executors). The JIT's first tier and the one-thread collector: a JVM
#: that lives seconds to minutes spends less CPU compiling and collecting (about half of a short session's CPU
#: time on a 2-core machine). What Spark computes is the same. A value already set in the environment wins.
TEST_JVM_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
for _name, _value in (
    ("SPARK_SUBMIT_OPTS", f'{TEST_JVM_OPTS} -Dspark.executor.defaultJavaOptions="{TEST_JVM_OPTS}"'),
    ("SPARK_LAUNCHER_OPTS", TEST_JVM_OPTS),
    ("SPARK_DAEMON_JAVA_OPTS", TEST_JVM_OPTS),
):
    os.environ.setdefault(_name, _value)

#: The longest files of a clean-clone run, longest first, started first: with ``--dist loadfile
#: --no-loadscope-reorder`` (the Makefile's) pytest-xdist hands files to the workers in collection order, and a
#: long file handed out last would run alone at the end while the other worker sits idle.
LONGEST_FIRST = (
    "tests/test_structured.py",
    "tests/browser/test_dashboard_browser.py",
    "notebooks/08_scaling_out.ipynb",
    "notebooks/09_how_good_is_the_sentiment.ipynb",
    "tests/test_seed_pipeline.py",
    "tests/test_recovery.py",
    "tests/test_cluster.py",
    "notebooks/05_twitter_sentiment_pipeline.ipynb",
    "notebooks/04_state_and_checkpoints.ipynb",
    "notebooks/03_windows.ipynb",
    "notebooks/06_structured_streaming.ipynb",
    "tests/test_engines.py",
    "tests/test_learner_pipeline.py",
    "tests/test_connect.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the files of LONGEST_FIRST to the front, in its order; every other file keeps its place."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}

    def key(item: pytest.Item) -> int:
        try:
            return rank.get(item.path.relative_to(config.rootpath).as_posix(), len(rank))
        except ValueError:  # a path outside the repository
            return len(rank)

    items.sort(key=key)  # stable: a file's tests stay together and in order


#: Shaped like a real app-only Bearer Token, so a scanner for real tokens would flag it too.
FAKE_TOKEN = "AAAAAAAAAAAAAAAAAAAAAFakeLabToken%2Fnever%2Fshown%3DzZ0123456789abcdefABCDEF"

_PROBE = r"""
import json as _json, threading as _threading
import psutil as _psutil
from helpers.infra import spark as _spark
_me = _psutil.Process()
_kids = [" ".join(c.cmdline()[:4]) for c in _me.children(recursive=True)
         if c.is_running() and c.status() != _psutil.STATUS_ZOMBIE]
_ports = sorted({c.laddr.port for c in _me.net_connections(kind="tcp")
                 if c.status == _psutil.CONN_LISTEN})
_threads = [t.name for t in _threading.enumerate() if not t.daemon and t is not _threading.main_thread()]
print("PROBE" + _json.dumps({"spark": _spark.active_context() is not None, "children": _kids,
    "listening": _ports, "threads": _threads, "log": str(_spark.log_file())}))
"""


def _is_notebook_cell(item: pytest.Item) -> bool:
    return type(item).__name__ == "IPyNbCell"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """The kernel (started in the first cell's setup) inherits the fake token."""
    if not _is_notebook_cell(item):
        yield
        return
    saved = os.environ.get("X_BEARER_TOKEN")
    os.environ["X_BEARER_TOKEN"] = FAKE_TOKEN
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("X_BEARER_TOKEN", None)
        else:
            os.environ["X_BEARER_TOKEN"] = saved
    notebook = item.parent
    kernel = getattr(notebook, "kernel", None)
    if not hasattr(notebook, "_lab_baseline") and kernel is not None and kernel.is_alive():
        notebook._lab_baseline = _probe(item)  # what the fresh kernel itself runs (its own sockets, threads)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a cell whose outputs contain the token."""
    yield
    if _is_notebook_cell(item) and FAKE_TOKEN in json.dumps(getattr(item, "test_outputs", None) or []):
        pytest.fail("the X API token appeared in this cell's output")


def _probe(item: pytest.Item) -> dict:
    kernel = item.parent.kernel
    msg_id = kernel.execute_cell_input(_PROBE, allow_stdin=False)
    kernel.await_reply(msg_id, timeout=60)
    text = ""
    while True:
        msg = kernel.get_message(stream="iopub", timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            text += msg["content"]["text"]
        elif msg["msg_type"] == "error":
            raise AssertionError("the leftover probe failed: " + "\n".join(msg["content"]["traceback"])[-2000:])
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    return json.loads(text.split("PROBE", 1)[1])


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After a notebook's last cell: nothing left running, and no token in the JVM's log."""
    if not _is_notebook_cell(item) or (nextitem is not None and nextitem.parent is item.parent):
        return
    kernel = getattr(item.parent, "kernel", None)
    if kernel is None or not kernel.is_alive():
        return
    found = _probe(item)
    log = Path(found["log"])
    if log.exists() and FAKE_TOKEN in log.read_text(errors="replace"):
        pytest.fail(f"the X API token appeared in the JVM log {log}")
    base = getattr(item.parent, "_lab_baseline", {})
    left = {k: sorted(set(found[k]) - set(base.get(k, []))) for k in ("children", "listening", "threads")}
    left = {k: v for k, v in left.items() if v}
    if found["spark"]:
        left["spark"] = "a SparkContext is still active"
    if left:
        pytest.fail(f"{item.parent.name} left things running after its last cell: {left}")
