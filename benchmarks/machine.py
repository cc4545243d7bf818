"""What the numbers were measured on: cores, memory, versions, how busy the machine was; and peak RSS.

``describe()`` gives the machine block of the report; ``RssSampler`` samples the driver (this Python
process), the JVM it launched and the Python workers under that JVM while the benchmarks run.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from helpers.infra import spark

ROOT = Path(__file__).resolve().parent.parent
GIB = 1024**3


def log(message: str) -> None:
    """Progress goes to stderr, so stdout carries only the table."""
    print(message, file=sys.stderr, flush=True)


def _java_version() -> str:
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30)
        first = (out.stderr or out.stdout).strip().splitlines()
        return first[0] if first else "unknown"
    except Exception as e:
        return f"not found ({type(e).__name__})"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=10,
        ).stdout.strip()
        return f"{head}{' (with uncommitted changes)' if dirty else ''}" if head else "unknown"
    except Exception:
        return "unknown"


def describe() -> dict[str, str]:
    """The machine and software the run measured, plus the load average at the start."""
    import orjson
    import pyspark

    vm = psutil.virtual_memory()
    load = os.getloadavg()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "cpu": f"{psutil.cpu_count(logical=True)} logical cores "
        f"({psutil.cpu_count(logical=False) or '?'} physical), {_cpu_model()}",
        "memory": f"{vm.total / GIB:.1f} GiB total, {vm.available / GIB:.1f} GiB available at start",
        "os": platform.platform(),
        "python": f"{platform.python_version()} ({sys.executable})",
        "java": _java_version(),
        "pyspark": pyspark.__version__,
        "orjson": orjson.__version__,
        "master": os.environ.get("SPARK_MASTER") or "local[2]",
        "load average at start (1/5/15 min)": " / ".join(f"{x:.2f}" for x in load),
        "git": _git(),
    }


def load_now() -> str:
    """The 1-minute load average, for the report's footer."""
    return f"{os.getloadavg()[0]:.2f}"


def _spark_processes() -> list[psutil.Process]:
    """The JVM pyspark launched for this process and everything under it (the Python workers).

    Other children (the replay server, the cold-start probe with its own JVM) are not the driver's.
    """
    pid = spark.jvm_pid()
    if pid is None:
        return []
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


@dataclass
class Peak:
    """Peak RSS of one kind of process, in bytes, and during which phase it was reached."""

    rss: int = 0
    phase: str = ""

    def see(self, rss: int, phase: str) -> None:
        if rss > self.rss:
            self.rss, self.phase = rss, phase


@dataclass
class RssSampler:
    """Samples RSS every ``every`` seconds in a daemon thread: driver, JVM, their sum, Python workers."""

    every: float = 0.25
    phase: str = "start-up"
    driver: Peak = field(default_factory=Peak)
    jvm: Peak = field(default_factory=Peak)
    both: Peak = field(default_factory=Peak)
    workers: Peak = field(default_factory=Peak)
    samples: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._me = psutil.Process()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def sample(self) -> None:
        """One sample now (also called at phase boundaries)."""
        phase = self.phase
        try:
            driver = self._me.memory_info().rss
        except psutil.Error:
            return
        jvm = workers = 0
        for proc in _spark_processes():
            try:
                name, rss = proc.name(), proc.memory_info().rss
            except psutil.Error:
                continue
            if name == "java":
                jvm += rss
            elif "python" in name:
                workers += rss
        self.samples += 1
        self.driver.see(driver, phase)
        self.jvm.see(jvm, phase)
        self.both.see(driver + jvm, phase)
        self.workers.see(workers, phase)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()
