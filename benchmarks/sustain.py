"""Row 5: the highest rate the kit's DStream pipeline keeps up with from the socket source.

Each trial replays the generated tweets in a loop at a fixed rate through the kit's own replay server
(``python -m helpers serve --rate R --loop``, in a child process so its Python does not share the
driver's GIL), into a ``StreamRun`` with the dashboard's settings: 1 s batches, a 10 s window sliding
every 2 s, top 50, ``local[2]`` (the socket receiver holds one of the two cores for the whole run).

A rate is *sustained* when, after the window has filled (``warmup`` batches), ``batches`` batches in a
row each finish within the batch interval, and they received at least 95 % of the rate (backpressure
would otherwise keep processing times low by slowing the receiver, and a slow server would pass off
its own limit as the pipeline's). A trial stops at its first late batch. The search doubles (or
halves) from a start rate until it brackets the answer, then bisects to ``resolution``.
"""

from __future__ import annotations

import math
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from benchmarks.machine import ROOT, log
from helpers.dstream.runner import StreamRun
from helpers.infra import processes, spark
from helpers.settings import RunSettings

INGEST_SHARE = 0.95


class ReplayProcess:
    """``python -m helpers serve`` on a free loopback port, at ``rate`` lines/s, looping over ``files``."""

    def __init__(self, files: list[Path], rate: float | None) -> None:
        self.port = processes.free_port()
        self.host = "127.0.0.1"
        cmd = [sys.executable, "-m", "helpers", "serve", "--port", str(self.port), "--loop", "--input"]
        cmd += [str(f) for f in files]
        if rate:
            cmd += ["--rate", f"{rate:g}"]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=processes.ctrl_c_stops,  # stop() sends Ctrl-C
        )  # fmt: skip
        ready = self.proc.stdout.readline() if self.proc.stdout else ""
        if not ready.startswith("serving"):
            self.proc.kill()
            _, err = self.proc.communicate(timeout=10)
            raise RuntimeError(f"replay server did not start: {ready.strip()} {err.strip()[-300:]}")
        self.started = time.perf_counter()
        self._cpu0 = self._cpu()
        self.sent: int | None = None
        self.cpu_s: float | None = None
        self.seconds: float | None = None

    def _cpu(self) -> float:
        try:
            t = psutil.Process(self.proc.pid).cpu_times()
            return t.user + t.system
        except psutil.Error:
            return 0.0

    def stop(self) -> None:
        """Ctrl-C the server (it closes its connection and frees the port) and read how much it sent."""
        if self.proc.poll() is not None:
            return
        self.cpu_s = self._cpu() - self._cpu0
        self.seconds = time.perf_counter() - self.started
        self.proc.send_signal(signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        found = re.search(r"sent (\d+) lines", out or "")
        self.sent = int(found.group(1)) if found else None


class _Socket:
    """The run's source: ``socketTextStream`` on the replay process (memory and disk: one node)."""

    def __init__(self, server: ReplayProcess) -> None:
        self.server = server

    def dstream(self, ssc: Any) -> Any:
        from pyspark import StorageLevel

        return ssc.socketTextStream(self.server.host, self.server.port, StorageLevel.MEMORY_AND_DISK)

    def stop(self) -> None:
        self.server.stop()


@dataclass
class Trial:
    """One fixed-rate run."""

    rate: int
    ok: bool = False
    reason: str = ""
    processing: list[float] = field(default_factory=list)
    received: list[int] = field(default_factory=list)
    server_rate: float | None = None
    server_cpu: float | None = None
    stop_s: float = 0.0

    def line(self) -> str:
        p = self.processing
        text = f"{self.rate:>7,} tweets/s: {'sustained' if self.ok else 'not sustained'}"
        if self.reason:
            text += f" ({self.reason})"
        if p:
            text += (
                f"; {len(p)} batch{'es' if len(p) > 1 else ''} measured, "
                f"processing median {statistics.median(p):.2f} s, max {max(p):.2f} s"
            )
        if self.received:
            text += f"; received {statistics.mean(self.received):,.0f}/batch"
        if self.server_rate is not None:
            text += f"; server sent {self.server_rate:,.0f}/s using {self.server_cpu:.0%} of a core"
        return text


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by the nearest-rank method."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def trial(
    sc: Any,
    files: list[Path],
    rate: int,
    warmup: int,
    batches: int,
    batch_s: float = 1.0,
    window_s: float = 10.0,
    slide_s: float = 2.0,
) -> Trial:
    """Run the pipeline at ``rate`` until ``batches`` batches after the warm-up kept up, or one did not."""
    out = Trial(rate)
    server = ReplayProcess(files, rate)
    run = StreamRun(sc, _Socket(server), RunSettings(batch_s, window_s, slide_s, 50))
    try:
        run.start()
        for k in range(1, warmup + batches + 1):
            if not run.wait(k, timeout=60 + 10 * batch_s):
                out.reason = f"batch {k} did not finish in time"
                break
            snap = run.publisher.history[k - 1]
            if k <= warmup:
                # Batches 3.. of the warm-up taking twice the interval on average: hopelessly behind
                # (one slow batch, say the first slide, is not enough to give up).
                spent = [s.processing_s or 0.0 for s in run.publisher.history[2:k]]
                if k >= 5 and sum(spent) > 2 * batch_s * len(spent):
                    out.reason = f"warm-up batches 3–{k} took {sum(spent) / len(spent):.2f} s on average"
                    break
                continue
            took = snap.processing_s or 0.0
            out.processing.append(took)
            out.received.append(snap.stats.tweets)
            if took >= batch_s:
                out.reason = f"batch {k} took {took:.2f} s"
                break
        else:
            need = INGEST_SHARE * rate * batch_s
            got = statistics.mean(out.received)
            if got < need:
                out.reason = f"received only {got / (rate * batch_s):.0%} of the rate"
            else:
                out.ok = True
    finally:
        stopping = time.perf_counter()
        try:
            if not out.ok and run.ssc is not None:
                # Behind: a graceful stop would first work through the whole backlog (a minute on a
                # busy machine). Nothing of this run is needed any more, so stop at once.
                server.stop()
                spark.stop_streaming(run.ssc, graceful=False)
                run.ssc = None
            run.stop()  # the source (the server) first, then the stream gracefully; keeps the SparkContext
        finally:
            server.stop()  # (already stopped, unless stopping the stream failed)
        out.stop_s = time.perf_counter() - stopping
    if run.errors and out.ok:  # (a forced stop of a failed trial may leave errors of its own)
        out.ok = False
        out.reason = "; ".join(run.errors)[:200]
    if server.sent is not None and server.seconds:
        out.server_rate = server.sent / server.seconds
        out.server_cpu = (server.cpu_s or 0.0) / server.seconds
    return out


@dataclass
class Search:
    """The trials of one search and the best sustained rate."""

    trials: list[Trial] = field(default_factory=list)

    @property
    def best(self) -> Trial | None:
        passed = [t for t in self.trials if t.ok]
        return max(passed, key=lambda t: t.rate) if passed else None

    @property
    def first_failure(self) -> Trial | None:
        best = self.best
        failed = [t for t in self.trials if not t.ok and (best is None or t.rate > best.rate)]
        return min(failed, key=lambda t: t.rate) if failed else None


def search(
    sc: Any,
    files: list[Path],
    start: int,
    warmup: int,
    batches: int,
    max_trials: int,
    resolution: float = 0.15,
    floor: int = 1000,
) -> Search:
    """Double (or halve) from ``start`` until a pass and a failure bracket the answer, then bisect."""
    found = Search()
    lo, hi, rate = 0, 0, start
    while len(found.trials) < max_trials:
        log(f"  socket trial at {rate:,} tweets/s …")
        try:
            t = trial(sc, files, rate, warmup, batches)
        except Exception as e:  # a trial that cannot run ends the search, not the benchmark
            found.trials.append(Trial(rate, reason=f"could not run: {type(e).__name__}: {e}"[:200]))
            log(f"    {found.trials[-1].line()}")
            break
        found.trials.append(t)
        log(f"    {t.line()}")
        if t.ok:
            lo = rate
        else:
            hi = rate
        if lo and hi and hi / lo <= 1 + resolution:
            break
        if not hi:
            rate = lo * 2
        elif not lo:
            rate = hi // 2
            if rate < floor:
                break
        else:
            rate = (lo + hi) // 2
        rate = max(floor, round(rate, -3))
        if rate in {t.rate for t in found.trials}:
            break
    return found


def server_ceiling(files: list[Path], seconds: float = 3.0) -> float:
    """Lines per second the replay server sends at full speed to a client that only drains the socket."""
    import socket

    server = ReplayProcess(files, None)
    try:
        with socket.create_connection((server.host, server.port), timeout=10) as conn:
            lines = 0
            started = time.perf_counter()
            while (took := time.perf_counter() - started) < seconds:
                chunk = conn.recv(1 << 20)
                if not chunk:
                    break
                lines += chunk.count(b"\n")
    finally:
        server.stop()
    return lines / took
