"""Make or reuse one SparkContext / SparkSession per process, quietly, and stop streams cleanly.

``sc = spark.get_context("01")`` starts ``local[2]`` (``SPARK_MASTER`` points elsewhere) or returns the
running context, so re-running a cell never fails with "Cannot run multiple SparkContexts".
``ssc = spark.streaming_context(sc, 1)`` and ``spark.stop_streaming(ssc)`` wrap the DStream life cycle.

The only module of the kit that touches pyspark's and py4j's private handles (``SparkContext._gateway``,
``sc._jsc``…): everything else asks the public functions here (``active_context``, ``executor_count``,
``jvm_pid``), and ``tests/test_privates.py`` keeps it so.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import warnings
import weakref
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from helpers.infra import processes
from helpers.waiting import poll

if TYPE_CHECKING:
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession
    from pyspark.sql.streaming import StreamingQuery
    from pyspark.streaming import StreamingContext

T = TypeVar("T")
DEFAULT_MASTER = "local[2]"
LOG4J = Path(__file__).resolve().parent / "log4j2.properties"
#: A few shuffle partitions per core: the default 200 makes every micro-batch slow on a laptop.
SHUFFLE_PARTITIONS = 4
#: The driver JVM's heap. Spark's default (1g) lets the JVM grow past 1.4 GiB resident in a long session;
#: the kit's state is a few hundred words per batch, and a receiver's blocks spill to disk if they must.
DRIVER_MEMORY = "768m"
#: Spark's Python daemon with the workers' inherited objects frozen out of the per-task ``gc.collect()``
#: (``helpers/infra/worker_daemon.py``): the workers' CPU per task about a fifth of ``pyspark.daemon``'s here.
WORKER_DAEMON = "helpers.infra.worker_daemon"


def _environment() -> None:
    """Loopback only (``SPARK_LOCAL_IP``), and the same Python on the driver and its workers."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = worker_python()
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable


_WORKER_SCRIPT = """#!/bin/sh
# Spark's Python workers for the Spark Streaming Sentiment Lab: this interpreter, importing pyspark from
# the installed package (compiled once, cached) instead of the pyspark.zip Spark puts first on PYTHONPATH,
# and without the spark-core jar Spark adds after it (no Python inside; its 6,000 entries were read again
# at every task, when the worker refreshes its import caches).
new=
IFS=:
for p in $PYTHONPATH; do case "$p" in {lib}/*|{jars}/*) ;; *) new="${{new:+$new:}}$p" ;; esac; done
unset IFS
PYTHONPATH=$new
export PYTHONPATH
exec "{python}" "$@"
"""


def worker_python() -> str:
    """The interpreter Spark starts for Python workers: this one (it has pyarrow, the kit, the same pyspark).

    On POSIX a small launcher drops the ``pyspark.zip`` of this same pyspark install from the workers'
    ``PYTHONPATH``: Python compiles every module imported from a zip at each start, which made a Python
    data source's planner worker (``format("tweets")``) miss Spark's fixed 10 s connect-back timeout on a
    busy machine ("Python worker failed to connect back"). It drops the spark-core jar Spark adds too: a worker
    refreshes its import caches before every task, and a jar on the path is read again each time (its 6,000
    entries were most of a small task's cost once ``helpers.infra.worker_daemon`` had removed the rest).
    """
    import pyspark

    lib = Path(pyspark.__file__).resolve().parent / "python" / "lib"
    if os.name != "posix" or not (lib / "pyspark.zip").exists() or any(c in str(lib) + sys.executable for c in '"$`'):
        return sys.executable
    script = _WORKER_SCRIPT.format(lib=lib, jars=lib.parent.parent / "jars", python=sys.executable)
    digest = hashlib.sha1(script.encode()).hexdigest()[:10]
    path = Path(tempfile.gettempdir()) / f"spark-lab-python-{os.getuid()}-{digest}.sh"
    if not path.exists() or path.read_text() != script:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(script)
        tmp.chmod(0o755)
        tmp.replace(path)
    return str(path)


def master() -> str:
    """The Spark master to use: ``SPARK_MASTER`` if set, else ``local[2]``."""
    return os.environ.get("SPARK_MASTER") or DEFAULT_MASTER


def in_notebook() -> bool:
    """True inside a Jupyter kernel (a lesson), False in scripts, tests and the CLI."""
    shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _conf(app_name: str, ui: bool, master_url: str | None) -> SparkConf:
    from pyspark import SparkConf

    quiet = f"-Dlog4j2.configurationFile={LOG4J.as_uri()}"
    conf = (
        SparkConf()
        .setAppName(app_name)
        .setMaster(master_url or master())
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.driver.memory", DRIVER_MEMORY)  # read when pyspark launches the JVM: first context only
        .set("spark.driver.extraJavaOptions", quiet)
        .set("spark.executor.extraJavaOptions", quiet)
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
        .set("spark.executorEnv.PYSPARK_PYTHON", sys.executable)
        # A receiver that falls behind slows down instead of piling up a backlog that a graceful
        # stop would then have to work through (notebook 08 explains it).
        .set("spark.streaming.backpressure.enabled", "true")
    )
    # Set either way: a SparkConf made while a JVM runs starts from that JVM's settings (an earlier context's).
    conf.set(
        "spark.python.daemon.module", WORKER_DAEMON if _workers_run_here(conf.get("spark.master")) else "pyspark.daemon"
    )
    if ui:
        # Spark 4.3 has no setting for the UI's address: its Jetty server binds to SPARK_LOCAL_IP
        # (127.0.0.1 here, see _environment), or to every interface when that is unset.
        conf.set("spark.ui.enabled", "true").set("spark.ui.port", str(processes.free_port()))
    else:
        conf.set("spark.ui.enabled", "false")
    return conf


def _workers_run_here(master_url: str) -> bool:
    """True for local mode and a cluster on this machine, whose workers run this interpreter (and so the kit).

    A cluster elsewhere may run a Python without the kit's helpers, where ``WORKER_DAEMON`` could not start:
    its workers keep ``pyspark.daemon``.
    """
    if master_url.startswith("local"):
        return True
    hosts = master_url.split("://", 1)[-1].split(",")
    return all(host.rsplit(":", 1)[0] in ("127.0.0.1", "localhost") for host in hosts)


def log_file() -> Path:
    """Where the JVM's own output goes (its start-up notices, log4j warnings): not into notebook cells."""
    folder = Path(tempfile.gettempdir()) / "spark-lab-logs"
    folder.mkdir(exist_ok=True)
    return folder / f"driver-{os.getpid()}.log"


def _with_stderr_to(path: Path, start: Callable[[], T]) -> T:
    """Run ``start`` with file descriptor 2 pointing at ``path``, so a JVM launched meanwhile inherits it.

    Jupyter copies whatever is written to fd 2 into the running cell; the JVM prints
    "WARNING: Using incubator modules" there at every start, and log4j writes to it.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.dup2(target, 2)
        return start()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


def active_context() -> SparkContext | None:
    """The SparkContext running in this process, or None."""
    from pyspark import SparkContext

    return SparkContext._active_spark_context


#: What ``per_context`` built, by the SparkContext it was built on (gone with the context).
_BUILT: weakref.WeakKeyDictionary[SparkContext, dict[Hashable, object]] = weakref.WeakKeyDictionary()


def per_context(key: Hashable, build: Callable[[], T]) -> T:
    """``build()`` made once per running SparkContext and kept while the context lives.

    For Columns that cost thousands of py4j calls to make and never change (``structured.parse``'s steps, the
    lexicon's SQL): about 2 s of every streaming query's start here. A Column is only a description, bound to no
    DataFrame, so one can go into any number of plans. Without a classic context (a Spark Connect client, whose
    Columns are plain Python) it is built each time.
    """
    from pyspark.sql.utils import is_remote

    sc = active_context()
    if sc is None or is_remote():
        return build()
    built = _BUILT.setdefault(sc, {})
    if key not in built:
        built[key] = build()
    return built[key]  # type: ignore[return-value]


def executor_count(sc: SparkContext) -> int:
    """How many executors have joined the application (the driver not counted): 0 in local mode."""
    return int(sc._jsc.sc().getExecutorMemoryStatus().size()) - 1


def jvm_pid() -> int | None:
    """The process id of the JVM pyspark launched for this process, or None (none yet, or pyspark not imported).

    Does not import pyspark: a sampler thread may ask before any Spark code ran.
    """
    gateway = getattr(getattr(sys.modules.get("pyspark"), "SparkContext", None), "_gateway", None)
    proc = getattr(gateway, "proc", None)
    return None if proc is None else int(proc.pid)


def get_context(
    app_name: str = "spark-lab",
    ui: bool | None = None,
    master_url: str | None = None,
    conf: Mapping[str, str] | None = None,
) -> SparkContext:
    """The running SparkContext, or a new quiet one on ``master_url`` / ``SPARK_MASTER`` / ``local[2]``.

    ``ui=None`` turns the Spark UI on in a notebook (on 127.0.0.1, a free port: ``ui_url(sc)``) and off
    in scripts, tests and the CLI. What it does, in plain Spark, is shown in notebook 00.
    ``conf`` adds Spark settings read only at start (``spark.streaming.backpressure.enabled``, a receiver's
    ``spark.streaming.receiver.maxRate``): like ``--conf`` of spark-submit. A running context with other
    values for them is refused (stop it first) rather than returned unchanged.
    """
    from pyspark import SparkContext

    sc = active_context()
    if sc is not None:
        running = sc.getConf()
        differ = {k: v for k, v in (conf or {}).items() if running.get(k) != str(v)}
        if differ:
            raise ValueError(f"a SparkContext is running without {differ}: call spark.stop_all() first")
        return sc
    _environment()
    spark_conf = _conf(app_name, in_notebook() if ui is None else ui, master_url)
    spark_conf.setAll([(key, str(value)) for key, value in (conf or {}).items()])
    sc = _with_stderr_to(log_file(), lambda: SparkContext.getOrCreate(spark_conf))
    sc.setLogLevel("ERROR")
    return sc


def get_session(app_name: str = "spark-lab", ui: bool | None = None, master_url: str | None = None) -> SparkSession:
    """A SparkSession on the running context (started if needed), with few shuffle partitions.

    ``ui`` as in ``get_context``: on in a notebook (its Structured Streaming tab shows every query), off elsewhere.

    With ``LAB_SPARK_CONNECT=1`` in the environment it is a Spark Connect client session instead
    (``connect_session``): notebook 06 runs on either.
    """
    from pyspark.sql import SparkSession

    if os.environ.get(CONNECT_ENV, "") not in ("", "0"):
        return connect_session(app_name, ui, master_url)
    sc = get_context(app_name, ui, master_url)
    session = SparkSession(sc) if SparkSession.getActiveSession() is None else SparkSession.getActiveSession()
    session.conf.set("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
    register_sources(session)
    return session


#: Set to 1 to make ``get_session`` return a Spark Connect session (tests/test_connect.py runs notebook 06 so).
CONNECT_ENV = "LAB_SPARK_CONNECT"
_connect_url: list[str] = []  # the running local Connect server's address, with its token


def connect_session(app_name: str = "spark-lab", ui: bool | None = None, master_url: str | None = None) -> SparkSession:
    """A Spark Connect client session on a local Connect server started in this process (127.0.0.1, a free port).

    What ``SparkSession.builder.master("local[2]").config("spark.api.mode", "connect")`` does, except that
    pyspark's own way always uses port 15002 (a second kernel doing the same collides); here the server
    listens on 127.0.0.1, on a free port, behind a random token. The client has DataFrames and Structured
    Streaming, not the SparkContext, RDDs or DStreams.
    """
    from pyspark.sql import SparkSession as ClassicSession
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    if active_context() is None or not _connect_url:
        port, token = processes.free_port(), hashlib.sha256(os.urandom(32)).hexdigest()[:32]
        server = {
            "spark.plugins": "org.apache.spark.sql.connect.SparkConnectPlugin",
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(port),
            "spark.connect.authenticate.token": token,
        }
        ClassicSession(get_context(app_name, ui, master_url, conf=server))  # the server's own session
        _connect_url[:] = [f"sc://localhost:{port}/;token={token}"]
    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"  # pyspark.sql.functions now build Connect columns
    session = ConnectSession.builder.remote(_connect_url[0]).getOrCreate()
    session.conf.set("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
    register_sources(session)
    return session


def register_sources(session: SparkSession) -> None:
    """Register the kit's Python data sources (``format("tweets")``) on ``session``.

    Python sources run in Python workers that need pyarrow; ``_environment`` points ``PYSPARK_PYTHON``
    at this interpreter through ``worker_python`` (unset, the workers ran the system ``python3`` and failed
    to connect back).
    """
    from helpers.sources.tweet_source import TweetDataSource

    session.dataSource.register(TweetDataSource)


def ui_url(sc: SparkContext | None = None) -> str | None:
    """The address of the Spark UI of ``sc`` (default: the running context), or None when it is off."""
    sc = sc if sc is not None else active_context()
    return sc.uiWebUrl if sc is not None else None


def streaming_context(sc: SparkContext, batch_seconds: float, checkpoint: str | Path | None = None) -> StreamingContext:
    """A new StreamingContext on ``sc`` (stopping an active one first, keeping ``sc``).

    DStreams are deprecated since Spark 3.4 (notebook 02 says why the kit still teaches them); the
    FutureWarning pyspark emits for it is filtered here so it does not repeat in every cell.
    """
    from pyspark.streaming import StreamingContext

    active = StreamingContext.getActive()
    if active is not None:
        stop_streaming(active)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="DStream is deprecated", category=FutureWarning)
        ssc = StreamingContext(sc, batch_seconds)
    if checkpoint is not None:
        ssc.checkpoint(str(checkpoint))
    return ssc


def checkpoint_dir(prefix: str = "lab-checkpoint-") -> Path:
    """A fresh, empty folder for checkpoints (under the system's temporary folder)."""
    return Path(tempfile.mkdtemp(prefix=prefix))


def stop_streaming(ssc: StreamingContext, graceful: bool = True) -> None:
    """Stop a StreamingContext and keep the SparkContext for the next cell.

    Graceful by default: batches already received are processed first, and no executor is killed
    mid-batch (which is what logs "Python worker exited unexpectedly"). Stop your sources first so
    the backlog is small.
    """
    ssc.stop(stopSparkContext=False, stopGraceFully=graceful)


def stop_query(query: StreamingQuery, timeout: float = 30.0) -> None:
    """Stop a Structured Streaming query between two micro-batches: stopping one mid-batch logs errors."""
    poll(lambda: not (query.isActive and query.status.get("isTriggerActive")), timeout, every=0.05)
    query.stop()


def stop_queries(session: SparkSession) -> int:
    """Stop every active query of ``session`` (gracefully); how many there were."""
    active = list(session.streams.active)
    for query in active:
        stop_query(query)
    return len(active)


def stop_all(jvm: bool = True) -> None:
    """Stop any active StreamingContext, Structured query, SparkSession and SparkContext (a notebook's last cell).

    With ``jvm=True`` the JVM that pyspark launched is shut down too: a stopped context otherwise
    leaves it running (and holding memory) until the kernel exits. The next ``get_context`` starts
    a new one.
    """
    from pyspark import SparkContext
    from pyspark.sql import SparkSession
    from pyspark.streaming import StreamingContext

    active = StreamingContext.getActive()
    if active is not None:
        stop_streaming(active)
    session = SparkSession.getActiveSession()
    if session is not None:
        stop_queries(session)
        session.stop()
    sc = active_context()
    if sc is not None:
        sc.stop()
    gateway = SparkContext._gateway
    if jvm and gateway is not None:
        gateway.shutdown()
        proc = getattr(gateway, "proc", None)
        if proc is not None:
            proc.stdin.close()  # the launcher exits when its stdin closes
            try:
                proc.wait(timeout=15)
            except Exception:
                proc.kill()
                proc.wait()
        SparkContext._gateway = None
        SparkContext._jvm = None
    if _connect_url and active_context() is None:
        _connect_url.clear()  # the Connect server stopped with its context
        os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)


__all__ = [
    "CONNECT_ENV",
    "DEFAULT_MASTER",
    "DRIVER_MEMORY",
    "LOG4J",
    "SHUFFLE_PARTITIONS",
    "WORKER_DAEMON",
    "active_context",
    "checkpoint_dir",
    "connect_session",
    "executor_count",
    "get_context",
    "get_session",
    "in_notebook",
    "jvm_pid",
    "log_file",
    "master",
    "per_context",
    "register_sources",
    "stop_all",
    "stop_queries",
    "stop_query",
    "stop_streaming",
    "streaming_context",
    "ui_url",
    "worker_python",
]
