"""Rows 1–4: tweets per second of each engine on the same files, and whether its answer is right.

Each function returns an ``EngineRun``: the ``top`` JSON it produced (compared with the python
engine's), the seconds it was busy, and the wall-clock seconds around it.

- python engine: wall-clock time of ``helpers.runs.top_python`` (one process, reads the files).
- DStream engines (the kit's and the tutorial foil): a queue stream of one file per batch with 1 s
  batches. The busy time is the sum of each batch's processing time (first output operation starts
  to last one ends, as the kit's run measures it), so a batch finishing early does not count the
  idle rest of its interval; when batches take longer than the interval they run back to back and
  busy time equals wall time. Streaming-context start is included, the graceful stop is not (it is
  reported apart). Reading the files is part of each batch, as it is part of the python engine.
- Structured engine: wall-clock time of ``helpers.structured.top_from_files`` (a black box here),
  with the SparkSession already up: one bounded query whose counts Spark keeps as state, read back
  from the state store; once through the kit's ``format("tweets")`` source, once through Spark's file source.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.tutorial import top_tutorial
from helpers.dstream.runner import StreamRun
from helpers.infra import spark
from helpers.model import top_json
from helpers.runs import top_python
from helpers.settings import RunSettings
from helpers.sources.queue import QueueSource

TOP_N = 50


@dataclass
class EngineRun:
    """One engine on one dataset."""

    engine: str
    size: int
    busy_s: float | None = None
    wall_s: float | None = None
    stop_s: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    batch_s: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """Tweets per second of busy time."""
        return self.size / self.busy_s if self.busy_s else None

    def detail(self) -> str:
        """One line of what was timed, for the report's details."""
        if self.error:
            return f"{self.engine} @ {self.size:,}: {self.error}"
        parts = [f"busy {self.busy_s:.2f} s"]
        if self.wall_s is not None and self.wall_s != self.busy_s:
            parts.append(f"wall {self.wall_s:.2f} s (start → last batch done)")
        if self.stop_s is not None:
            parts.append(f"graceful stop {self.stop_s:.2f} s")
        if self.batch_s:
            b = self.batch_s
            parts.append(
                f"{len(b)} batch{'es' if len(b) > 1 else ''}, processing median {statistics.median(b):.2f} s, "
                f"min {min(b):.2f} s, max {max(b):.2f} s"
            )
        return f"{self.engine} @ {self.size:,}: " + "; ".join(parts)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0][:200]}" if text else type(e).__name__


def python_engine(files: list[Path], size: int) -> EngineRun:
    """The baseline: every tweet of the files counted in one pass, in this process."""
    started = time.perf_counter()
    result = top_python(files, TOP_N)
    took = time.perf_counter() - started
    return EngineRun("python", size, busy_s=took, wall_s=took, result=result)


def _timeout(batches: int) -> float:
    return 120.0 + 30.0 * batches  # only a guard against a hang; a busy machine is slow, not stuck


def kit_dstream(sc: Any, files: list[Path], size: int, batch_s: float = 1.0, state: str = "driver") -> EngineRun:
    """The kit's DStream engine, as ``helpers.dstream.runner.top_dstream`` runs it (unrolled to read its publisher).

    Same arguments as ``top_dstream``: a ``StreamRun`` on ``QueueSource.from_files`` with the window and
    slide equal to the batch, the running totals' top N, then ``top_json``. ``state``: where the window
    and the totals live (``"driver"``, the default, or ``"spark"``: the stateful operators).
    """
    source = QueueSource.from_files(files)
    settings = RunSettings(batch_s, batch_s, batch_s, TOP_N, totals_top=TOP_N)
    run = StreamRun(sc, source, settings, state=state)
    out = EngineRun("kit dstream" if state == "driver" else f"kit dstream, state in {state}", size)
    started = time.perf_counter()
    run.start()
    try:
        done = run.wait(len(source), _timeout(len(source)))
        out.wall_s = time.perf_counter() - started
    finally:
        stopping = time.perf_counter()
        run.stop()
        out.stop_s = time.perf_counter() - stopping
    if not done:
        out.error = f"timed out after {out.wall_s:.0f} s with {run.publisher.batches} of {len(source)} batches"
        return out
    if run.errors:
        out.error = "; ".join(run.errors)[:300]
        return out
    out.batch_s = [s.processing_s or 0.0 for s in run.publisher.history[: len(source)]]
    out.busy_s = sum(out.batch_s)
    out.result = top_json(run.publisher.tweets_total, run.publisher.malformed_total, run.final_top, TOP_N)
    return out


def tutorial_dstream(sc: Any, files: list[Path], size: int, batch_s: float = 1.0) -> EngineRun:
    """The foil: flatMap → map → reduceByKey → transform(join with a lexicon RDD), one pair per word."""
    out = EngineRun("tutorial dstream", size)
    try:
        run = top_tutorial(sc, files, TOP_N, batch_s=batch_s, timeout=_timeout(len(files)))
    except Exception as e:
        out.error = _first_line(e)
        return out
    out.result, out.batch_s, out.wall_s, out.stop_s = run.result, run.batch_s, run.wall_s, run.stop_s
    out.busy_s = sum(run.batch_s)
    return out


def structured_available() -> str | None:
    """None if ``helpers.structured`` imports and has ``top_from_files``, else why not."""
    try:
        from helpers import structured
    except Exception as e:
        return f"not available ({_first_line(e)})"
    if not callable(getattr(structured, "top_from_files", None)):
        return "not available (helpers.structured has no top_from_files)"
    return None


def kit_structured(files: list[Path], size: int, source: str = "tweets") -> EngineRun:
    """The kit's Structured Streaming engine (counts kept as Spark state) reading through ``source``:
    ``"tweets"`` (the kit's Python data source) or ``"files"`` (Spark's text file source)."""
    out = EngineRun(f"kit structured ({source} source)", size)
    missing = structured_available()
    if missing:
        out.error = missing
        return out
    from helpers import structured

    try:
        session = spark.get_session("bench")
        started = time.perf_counter()
        out.result = structured.top_from_files(session, [str(f) for f in files], TOP_N, source=source)
        out.busy_s = out.wall_s = time.perf_counter() - started
    except Exception as e:
        out.error = f"not available (failed: {_first_line(e)})"
    return out


def warm_up(sc: Any, files: list[Path], tiny: list[Path], engines: set[str]) -> float:
    """Start the Python workers, load the lexicon in them, and run each Spark engine of ``engines`` on ``tiny``.

    What every process pays once (forking workers, first imports, the JVM compiling new code paths)
    then stays out of the timed runs; on a busy machine it is seconds per engine.
    """
    from itertools import islice

    from helpers.counting import summarise
    from helpers.sample import read_lines

    sample = list(islice(read_lines(files[:1]), 200))
    started = time.perf_counter()
    sc.parallelize(sample, 2).mapPartitions(lambda part: [summarise(part).stats.tweets]).sum()
    if "dstream" in engines:
        kit_dstream(sc, tiny, 0)
    if "dstream-spark" in engines:
        kit_dstream(sc, tiny, 0, state="spark")
    if "tutorial" in engines:
        tutorial_dstream(sc, tiny, 0)
    if "structured" in engines and structured_available() is None:
        kit_structured(tiny, 0)  # also starts the SparkSession
    if "structured-files" in engines and structured_available() is None:
        kit_structured(tiny, 0, source="files")
    return time.perf_counter() - started
