"""A real Spark standalone cluster on 127.0.0.1, started from the pip-installed Spark (notebook 08).

    with Cluster(workers=2) as lab:                      # a master and two workers, 1 core and 1 GiB each
        sc = spark.get_context("08", master_url=lab.master_url)
        print(lab.ui_url)                                # the master's web UI
        ...
        spark.stop_all()                                 # (stop() does it too, for a context on this cluster)

The pip package has no ``sbin/start-*.sh`` scripts, so each daemon is ``bin/spark-class`` with the master's
or the worker's main class, in its own process group, with ``SPARK_LOCAL_IP=127.0.0.1`` (every port on
loopback), its own work folder in a temporary folder, the kit's quiet log4j2 configuration, and its output in
a log file (``log_dir()``), never in a notebook cell. ``start()`` waits until the master's JSON
(``http://127.0.0.1:<ui port>/json/``) lists every worker as ALIVE and raises :class:`ClusterError` with the
end of the log when that does not happen in time. ``stop()`` sends SIGTERM, waits, SIGKILLs what is left,
waits until every port is free and removes the temporary folders.

Stopping processes and checking ports is ``processes.py``'s job; what notebook 08 measures on the cluster (where
tasks ran, how many executors joined) is in ``helpers.dstream.scaling``.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psutil

from helpers.infra import processes, spark
from helpers.waiting import poll

HOST = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
#: Seconds ``start()`` waits for the master to answer and every worker to register (a busy laptop is slow).
START_TIMEOUT = 120.0
#: Seconds ``stop()`` waits after SIGTERM before it sends SIGKILL.
STOP_GRACE = 15.0


class ClusterError(RuntimeError):
    """The cluster did not start (or a daemon died): the message says which part and quotes its log."""


def spark_home() -> Path:
    """The folder of the pip-installed pyspark, which holds ``bin/spark-class`` and ``jars/``."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def log_dir() -> Path:
    """Where the daemons' output goes (kept after ``stop()``, beside the drivers' logs)."""
    return spark.log_file().parent


@dataclass
class Daemon:
    """One JVM of the cluster: the master or a worker."""

    name: str
    process: subprocess.Popen
    log: Path
    ui_url: str
    work_dir: Path | None = None
    _log_handle: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        """The JVM's process id (``spark-class`` execs ``java``, so it is the same process)."""
        return self.process.pid

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.process.poll() is None

    def close(self) -> None:
        """Close the log file this process wrote into (once it has stopped)."""
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None

    def tail(self, lines: int = 15) -> str:
        """The last lines of its log, to quote in an error."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.strip().splitlines()[-lines:]) or "(log empty)"


_RUNNING: list[Cluster] = []


def _stop_running() -> None:
    """At interpreter exit: stop every cluster this process started and did not stop."""
    for cluster in list(_RUNNING):
        with contextlib.suppress(Exception):
            cluster.stop()


atexit.register(_stop_running)


class Cluster:
    """A Spark standalone master and ``workers`` workers on 127.0.0.1, each worker with ``cores`` and ``memory``.

    Use it as a context manager, or call ``start()`` and ``stop()``. After ``start()``: ``master_url``
    (``spark://127.0.0.1:<port>``), ``ui_url`` (the master's web UI), ``workers`` (one :class:`Daemon` each),
    ``status()`` (the master's JSON).
    """

    def __init__(
        self,
        workers: int = 2,
        cores: int = 1,
        memory: str = "1g",
        timeout: float = START_TIMEOUT,
        daemon_memory: str = "512m",
    ) -> None:
        if workers < 1 or cores < 1:
            raise ValueError(f"need at least one worker with one core, got {workers} worker(s) × {cores} core(s)")
        self.n_workers, self.cores, self.memory = workers, cores, memory
        self.timeout, self.daemon_memory = timeout, daemon_memory
        self.master: Daemon | None = None
        self.workers: list[Daemon] = []
        self.master_port = 0
        self.ui_port = 0
        self._tmp: Path | None = None
        self._logs: Path | None = None
        self._lock = threading.Lock()

    # -- addresses ------------------------------------------------------------------------------------
    @property
    def master_url(self) -> str:
        """``spark://127.0.0.1:<port>``: what ``spark.get_context(master_url=...)`` and ``SPARK_MASTER`` take."""
        self._require_started()
        return f"spark://{HOST}:{self.master_port}"

    @property
    def ui_url(self) -> str:
        """The master's web UI: workers, running and finished applications, their executors."""
        self._require_started()
        return f"http://{HOST}:{self.ui_port}"

    @property
    def daemons(self) -> list[Daemon]:
        """The master and the workers."""
        return ([self.master] if self.master else []) + list(self.workers)

    @property
    def folder(self) -> Path | None:
        """The temporary folder that holds the workers' work folders (None when not running)."""
        return self._tmp

    @property
    def running(self) -> bool:
        """True between a successful ``start()`` and ``stop()``."""
        return self.master is not None and self.master.alive

    def _require_started(self) -> None:
        if self.master is None:
            raise ClusterError("the cluster is not running: call start() (or use `with Cluster() as c:`)")

    # -- life cycle -----------------------------------------------------------------------------------
    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        if self.master is None:
            return f"Cluster({self.n_workers} workers × {self.cores} core, not running)"
        return f"Cluster({self.master_url}, {len(self.workers)} workers × {self.cores} core, UI {self.ui_url})"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        conf = self._tmp / "conf"  # an empty conf folder: nothing from a user's SPARK_CONF_DIR or spark-env.sh
        conf.mkdir(exist_ok=True)
        quiet = f"-Dlog4j2.configurationFile={spark.LOG4J.as_uri()}"
        own = env.get("SPARK_DAEMON_JAVA_OPTS", "")
        env.update(
            SPARK_HOME=str(spark_home()),
            SPARK_CONF_DIR=str(conf),
            SPARK_LOCAL_IP=HOST,
            SPARK_LOG_DIR=str(self._logs),
            SPARK_DAEMON_MEMORY=self.daemon_memory,
            # The REST submission server would listen on the fixed port 6066: not wanted here. Options already in
            # SPARK_DAEMON_JAVA_OPTS come after the kit's (the test session's lighter JIT and collector, say).
            SPARK_DAEMON_JAVA_OPTS=f"{quiet} -Dspark.master.rest.enabled=false {own}".strip(),
            # Executors inherit the worker's environment: the same Python as this process, with helpers.
            PYSPARK_PYTHON=sys.executable,
        )
        for name in ("SPARK_MASTER", "SPARK_ENV_LOADED", "PYSPARK_DRIVER_PYTHON", "PYSPARK_SUBMIT_ARGS"):
            env.pop(name, None)
        return env

    def _launch(self, name: str, args: list[str], ui_port: int, env: dict[str, str], work_dir: Path | None) -> Daemon:
        log = self._logs / f"{name}.log"
        handle = log.open("ab")
        child_env = dict(env)
        if work_dir is not None:
            child_env["SPARK_WORKER_DIR"] = str(work_dir)
        main_thread = threading.current_thread() is threading.main_thread()
        process = subprocess.Popen(
            [str(spark_home() / "bin" / "spark-class"), *args],
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=child_env,
            cwd=str(self._tmp),
            start_new_session=True,  # its own process group: a Ctrl-C in the notebook does not reach it
            preexec_fn=processes.die_with_parent if main_thread and sys.platform.startswith("linux") else None,
        )
        return Daemon(name, process, log, f"http://{HOST}:{ui_port}", work_dir, handle)

    def start(self) -> Cluster:
        """Start the master, wait until it answers, start the workers, wait until all are ALIVE; returns self."""
        with self._lock:
            if self.running:
                return self
            self._tmp = Path(tempfile.mkdtemp(prefix="lab-cluster-"))
            try:
                self._start()
            except BaseException:
                self._stop()
                raise
            _RUNNING.append(self)
            return self

    def _start(self) -> None:
        self.master_port, self.ui_port = processes.free_port(), processes.free_port()
        self._logs = log_dir() / f"cluster-{os.getpid()}-{self.master_port}"
        self._logs.mkdir(parents=True, exist_ok=True)
        env = self._env()
        deadline = time.monotonic() + self.timeout
        args = ["--host", HOST, "--port", str(self.master_port), "--webui-port", str(self.ui_port)]
        self.master = self._launch("master", [MASTER_CLASS, *args], self.ui_port, env, None)
        self._wait(lambda s: s.get("status") == "ALIVE", deadline, "the master to answer")
        for i in range(1, self.n_workers + 1):
            work_dir = self._tmp / f"worker-{i}"
            work_dir.mkdir()
            ui = processes.free_port()
            args = [
                f"spark://{HOST}:{self.master_port}",
                *("--host", HOST, "--cores", str(self.cores), "--memory", self.memory),
                *("--webui-port", str(ui), "--work-dir", str(work_dir)),
            ]
            self.workers.append(self._launch(f"worker-{i}", [WORKER_CLASS, *args], ui, env, work_dir))
        self._wait(lambda s: self.alive_workers(s) >= self.n_workers, deadline, f"{self.n_workers} workers to register")

    def _wait(self, ready: Callable[[dict[str, Any]], bool], deadline: float, what: str) -> None:
        last: dict[str, Any] = {}

        def ready_now() -> bool:
            nonlocal last
            for d in self.daemons:
                if not d.alive:
                    raise ClusterError(
                        f"the {d.name} exited (code {d.process.returncode}) while waiting for {what}; "
                        f"its log {d.log} ends:\n{d.tail()}"
                    )
            with contextlib.suppress(OSError, ValueError, http.client.HTTPException):  # not up yet
                last = self.status(timeout=2.0)
                return ready(last)
            return False

        if poll(ready_now, deadline - time.monotonic(), every=0.25):
            return
        seen = (
            f"the master's JSON says status {last.get('status')}, {self.alive_workers(last)} ALIVE worker(s)"
            if last
            else f"the master's UI {self.ui_url}/json/ never answered"
        )
        logs = "\n".join(f"--- {d.name} ({d.log}):\n{d.tail(8)}" for d in self.daemons)
        raise ClusterError(f"timed out after {self.timeout:g} s waiting for {what}: {seen}.\n{logs}")

    def stop(self) -> None:
        """Stop a SparkContext of this process that uses the cluster, then every daemon; free ports, remove folders.

        Safe to call twice. Workers first (each kills its executors), then the master.
        """
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self.master is not None:
            sc = spark.active_context()
            if sc is not None and sc.master == f"spark://{HOST}:{self.master_port}":
                with contextlib.suppress(Exception):  # the daemons must go even if the driver is broken
                    spark.stop_all()  # an application whose master vanishes logs errors; stop it first
        daemons = self.daemons
        family = processes.descendants(d.pid for d in daemons)
        ports = ({p for _, p in self.ports(daemons)} | {self.master_port, self.ui_port}) if daemons else set()
        processes.terminate_groups([w.process for w in self.workers], STOP_GRACE)  # workers first: they end
        processes.terminate_groups([self.master.process] if self.master else [], STOP_GRACE)  # their executors
        for proc in family:  # executors and Python workers a SIGTERM did not reach
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(family, timeout=5)
        for d in daemons:
            d.close()
        processes.wait_until_free(ports)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        self.master, self.workers, self._tmp = None, [], None
        if self in _RUNNING:
            _RUNNING.remove(self)

    # -- looking inside ---------------------------------------------------------------------------------
    def status(self, timeout: float = 5.0) -> dict[str, Any]:
        """The master's JSON (``/json/``): ``status``, ``workers``, ``aliveworkers``, ``cores``, ``activeapps``…"""
        self._require_started()
        with urllib.request.urlopen(f"{self.ui_url}/json/", timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))

    @staticmethod
    def alive_workers(status: dict[str, Any]) -> int:
        """How many workers the master's JSON lists as ALIVE."""
        return sum(1 for w in status.get("workers", []) if w.get("state") == "ALIVE")

    def summary(self) -> str:
        """A few lines for a notebook: the master, its UI, each worker and the applications running on it."""
        s = self.status()
        lines = [f"master {self.master_url}  status {s['status']}  UI {self.ui_url}"]
        for w in sorted(s.get("workers", []), key=lambda w: w.get("webuiaddress", "")):
            lines.append(
                f"  worker {w['host']}:{w['port']}  {w['state']}  cores {w['coresused']}/{w['cores']} used  "
                f"memory {w['memoryused']}/{w['memory']} MiB used"
            )
        for app in s.get("activeapps", []):
            lines.append(f"  application {app['name']!r}  {app['state']}  cores {app['cores']}")
        return "\n".join(lines)

    def ports(self, daemons: Iterable[Daemon] | None = None) -> list[tuple[str, int]]:
        """``(address, port)`` of every TCP port the daemons listen on (all on 127.0.0.1 when all is well)."""
        found: set[tuple[str, int]] = set()
        for d in self.daemons if daemons is None else daemons:
            with contextlib.suppress(psutil.Error):
                for conn in psutil.Process(d.pid).net_connections(kind="tcp"):
                    if conn.status == psutil.CONN_LISTEN:  # Java listens on IPv6 sockets: ::ffff:127.0.0.1
                        found.add((conn.laddr.ip.removeprefix("::ffff:"), conn.laddr.port))
        return sorted(found)

    def processes(self) -> list[psutil.Process]:
        """The daemons and everything they started (executors, their Python workers) that still runs."""
        family = processes.descendants((d.pid for d in self.daemons), include_self=True)  # the module, not this method
        return [p for p in family if processes.alive(p)]


_CURRENT: Cluster | None = None


def start(workers: int = 2, cores: int = 1, memory: str = "1g", timeout: float = START_TIMEOUT) -> Cluster:
    """Start a fresh cluster for a notebook, stopping the one this process started before (a re-run cell)."""
    global _CURRENT
    if _CURRENT is not None:
        _CURRENT.stop()
    _CURRENT = Cluster(workers, cores, memory, timeout).start()
    return _CURRENT


__all__ = ["Cluster", "ClusterError", "Daemon", "log_dir", "spark_home", "start"]
