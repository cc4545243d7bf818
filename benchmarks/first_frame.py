"""Row 6: seconds from the dashboard's Start to its first frame, cold and with Spark already up.

Start is ``Dashboard.start()`` (what the button calls) with the dashboard's defaults: the shipped sample
replayed at 500 tweets/s through the socket source, 1 s batches, a 10 s window sliding every 2 s. The
first frame is the first PNG rendered from a batch's snapshot (``dash.frames >= 1``).

- cold: ``python -m benchmarks.first_frame`` in a fresh process, no SparkContext yet, so Start also
  launches the JVM and the Python workers; prints one JSON line.
- Spark up: ``warm(sc)`` in the benchmark's own process, whose SparkContext has already run jobs (as in
  a notebook whose earlier cells used Spark).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from benchmarks.machine import ROOT, RssSampler

TIMEOUT = 180.0


def _time_to_first_frame(dash: Any) -> float:
    started = time.perf_counter()
    if not dash.start():
        raise RuntimeError(f"Start refused: {dash.status_text}")
    while dash.frames < 1:
        if time.perf_counter() - started > TIMEOUT:
            raise TimeoutError(f"no frame in {TIMEOUT:g} s: {dash.status_text}")
        if dash.errors:
            raise RuntimeError(dash.errors[0])
        time.sleep(0.01)
    return time.perf_counter() - started


def warm(sc: Any) -> float:
    """Start → first frame on this process's running SparkContext; the dashboard is stopped after."""
    from helpers.ui.dashboard import Dashboard

    dash = Dashboard(sc)
    try:
        return _time_to_first_frame(dash)
    finally:
        dash.stop()


def cold() -> dict[str, Any]:
    """Start → first frame in this (fresh) process; then stop everything, JVM included."""
    from helpers.infra import spark
    from helpers.ui.dashboard import Dashboard

    sampler = RssSampler().start()
    dash = Dashboard()  # no SparkContext: Start makes one
    try:
        took = _time_to_first_frame(dash)
    finally:
        dash.stop()
        sampler.sample()
        sampler.stop()
        spark.stop_all()
    return {"cold_s": took, "driver_rss": sampler.driver.rss, "jvm_rss": sampler.jvm.rss, "both_rss": sampler.both.rss}


def cold_in_subprocess() -> dict[str, Any]:
    """Run ``cold()`` in a fresh Python; its JSON, or ``{"error": ...}``."""
    try:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.first_frame"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT + 120,
        )
    except subprocess.TimeoutExpired:
        return {"error": "the cold-start process timed out"}
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"exit {out.returncode}: {tail[:200]}"}


if __name__ == "__main__":
    try:
        print(json.dumps(cold()))
    except Exception as e:
        print(json.dumps({"error": f"{type(e).__name__}: {e}"[:300]}))
