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
_SUBMIT_OPTS = f'{TEST_JVM_OPTS} -Dspark.executor.defaultJavaOptions="{TEST_JVM_OPTS}"'
for _name, _value in (
    ("SPARK_SUBMIT_OPTS", _SUBMIT_OPTS),
    ("SPARK_LAUNCHER_OPTS", TEST_JVM_OPTS),
    ("SPARK_DAEMON_JAVA_OPTS", TEST_JVM_OPTS),
):
    os.environ.setdefault(_name, _value)

#: Spark's classes, parsed once into a class-data-sharing archive (Java's AppCDS) that every test-session driver
#: maps instead of loading the same classes from the jars again: a driver's start-up took 8-10 CPU seconds with it
#: here, 12 without. Built by one small Spark job when the session starts (about 30 s, once per pyspark and Java
#: build: it is kept in the environment's folder, beside pyspark). A JVM whose class path or build differs from
#: the archive's runs without it, silently.
CLASS_ARCHIVE_JOB = """
from helpers.infra import spark
sc = spark.get_context("class-archive")
sc.parallelize(range(100), 2).map(lambda x: (x % 7, 1)).reduceByKey(lambda a, b: a + b).collect()
spark.get_session().range(100).selectExpr("id % 7 AS k").groupBy("k").count().collect()
spark.stop_all()
"""


def _class_archive() -> Path | None:
    """The archive for this Java and pyspark, built now if missing; None where Java cannot build one."""
    import hashlib
    import shutil
    import subprocess
    import sys

    import pyspark

    from helpers.infra import processes

    java = shutil.which("java")
    if java is None:
        return None
    build = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    key = hashlib.sha256(f"{build}{pyspark.__version__}{pyspark.__file__}".encode()).hexdigest()[:12]
    archive = Path(sys.prefix) / "spark-class-archive" / f"{key}.jsa"
    if archive.exists():
        return archive
    archive.parent.mkdir(exist_ok=True)
    part = archive.with_suffix(f".{os.getpid()}.part")
    env = {**os.environ, "SPARK_SUBMIT_OPTS": f"{TEST_JVM_OPTS} -XX:ArchiveClassesAtExit={part} -Xlog:disable"}
    job = subprocess.Popen(
        [sys.executable, "-c", CLASS_ARCHIVE_JOB], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        job.wait(timeout=300)
    except subprocess.TimeoutExpired:  # the job and its JVM, killed together: no half-written archive later
        processes.kill_group(job.pid)
        job.wait()
        part.unlink(missing_ok=True)
    if job.returncode != 0 or not part.exists():  # no base archive in this Java, a failed job: run without it
        part.unlink(missing_ok=True)
        return None
    part.replace(archive)
    return archive


def pytest_configure(config: pytest.Config) -> None:
    """In the first pytest process (not an xdist worker, which inherits its environment): the class archive
    joins SPARK_SUBMIT_OPTS, unless that variable came from outside the test session or no Spark will start (the
    ``-m "not spark ..."`` of ``make test-fast``: building the archive would cost that lane 30 s for nothing)."""
    if hasattr(config, "workerinput") or os.environ["SPARK_SUBMIT_OPTS"] != _SUBMIT_OPTS:
        return
    if "not spark" in (config.getoption("markexpr", "") or ""):
        return
    archive = _class_archive()
    if archive is not None:
        quiet = "-Xlog:cds=off,cds+dynamic=off"  # a JVM that cannot use it says nothing
        os.environ["SPARK_SUBMIT_OPTS"] = f"{_SUBMIT_OPTS} -XX:SharedArchiveFile={archive} {quiet}"


#: The longest files of a clean-clone run, longest first, started first: with ``--dist loadfile
#: --no-loadscope-reorder`` (the Makefile's) pytest-xdist hands files to the workers in collection order, and a
#: long file handed out last would run alone at the end while the other workers sit idle.
LONGEST_FIRST = (
    "tests/test_structured.py",
    "notebooks/08_scaling_out.ipynb",
    "tests/test_learner_pipeline.py",
    "notebooks/09_how_good_is_the_sentiment.ipynb",
    "tests/test_seed_pipeline.py",
    "notebooks/06_structured_streaming.ipynb",
    "tests/test_cluster.py",
    "notebooks/03_windows.ipynb",
    "tests/test_connect.py",
    "tests/browser/test_dashboard_browser.py",
    "notebooks/05_twitter_sentiment_pipeline.ipynb",
    "notebooks/04_state_and_checkpoints.ipynb",
    "notebooks/solutions/04_state_and_checkpoints_solutions.ipynb",
    "notebooks/solutions/05_twitter_sentiment_pipeline_solutions.ipynb",
    "tests/test_engines.py",
    "notebooks/solutions/03_windows_solutions.ipynb",
    "notebooks/solutions/08_scaling_out_solutions.ipynb",
    "notebooks/02_from_batch_to_streaming.ipynb",
    "tests/test_scorers.py",
    "tests/test_recovery.py",
    "tests/test_tws.py",
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
