"""Benchmark the kit's engines and print one table: ``python -m benchmarks`` or ``python benchmarks/run.py``.

    python -m benchmarks                       # 100k and 1M tweets, the full socket search (< 10 min, quiet 2 cores)
    python -m benchmarks --quick               # 10k and 100k, a short search: for development
    python -m benchmarks --sizes 200000 --skip socket frame

The table goes to stdout and to ``benchmarks/results/latest.md`` with the machine it ran on; progress
goes to stderr. Generated tweets are cached in ``benchmarks/.data``. See ``docs/performance.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable, not its modules one by one
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks import data, first_frame, sustain, throughput
from benchmarks.machine import GIB, RssSampler, describe, load_now, log
from benchmarks.report import Row, at_least, at_most, gib, rate, size, table

RESULTS = Path(__file__).resolve().parent / "results"

#: The targets the table reports against.
SOCKET_TARGET = 60_000  # tweets/s the kit's DStream pipeline sustains from the socket, 1 s batches
DSTREAM_RATIO = 1.2  # kit DStream engine / python engine, on 1M tweets
STRUCTURED_RATIO = 1.5  # kit Structured engine / python engine, on 1M tweets
TARGET_SIZE = 1_000_000
FRAME_COLD_S = 10.0
FRAME_WARM_S = 2.0
DRIVER_MAX = 1.5 * GIB

ENGINES = ("python", "tutorial", "dstream", "dstream-spark", "structured", "structured-files")

#: What bounds each measure, said in the table beside a missed target (docs/performance.md has the detail).
WHY = {
    "dstream": "summarise on two Python workers, minus one Spark job and the JVM→Python hand-over a batch",
    "structured": "exact parity with the python parser: ~25 µs of JVM time a line to prove it plain, ~8 µs to "
    "tokenize; the Python source adds its planner process and the Arrow hand-over",
    "structured-files": "exact parity with the python parser: ~25 µs of JVM time a line to prove it plain, ~8 µs "
    "to tokenize",
    "socket": "the receiver holds one of two slots: ~9 µs a tweet on one core, the other core shared with the receiver",
    "frame": "JVM start (~3–5 s cold), the 1 s batch, the first batch's work and the render",
    "memory": "the JVM grows towards its heap limit (helpers.infra.spark.DRIVER_MEMORY) plus off-heap",
}


def _why(met: str, measure: str) -> str:
    """``met`` with the reason a missed target was missed."""
    return f"{met}; why: {WHY[measure]}" if met.startswith("no") and measure in WHY else met


@dataclass
class Plan:
    """What to run and how long to search."""

    sizes: list[int]
    chunk: int
    socket_start: int
    socket_warmup: int
    socket_batches: int
    socket_trials: int
    engine_budget: float = 240.0
    skip: set[str] = field(default_factory=set)


def parse(argv: list[str] | None) -> tuple[Plan, Path]:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", help="tweets per engine run (default 100000 1000000)")
    p.add_argument("--quick", action="store_true", help="10k and 100k tweets and a short socket search")
    p.add_argument("--chunk", type=int, help="lines per file = per queue batch (default 50000; 10000 with --quick)")
    p.add_argument(
        "--skip",
        nargs="+",
        default=[],
        choices=[*ENGINES, "engines", "socket", "frame"],
        help="rows to leave out; engines: every engine row, the python baseline included",
    )
    p.add_argument("--socket-start", type=int, help="first rate the socket search tries (tweets/s)")
    p.add_argument("--socket-trials", type=int, help="most socket trials (default 6; 3 with --quick)")
    p.add_argument(
        "--engine-budget",
        type=float,
        default=240.0,
        help="skip an engine's larger size if its rate on the smaller one says it would take longer (s)",
    )
    p.add_argument("--out", type=Path, default=RESULTS / "latest.md", help="where to write the report")
    a = p.parse_args(argv)
    quick = a.quick
    plan = Plan(
        sizes=sorted(a.sizes or ([10_000, 100_000] if quick else [100_000, 1_000_000])),
        chunk=a.chunk or (10_000 if quick else data.CHUNK),
        socket_start=a.socket_start or (20_000 if quick else SOCKET_TARGET),
        socket_warmup=4 if quick else 10,  # the 10 s window fills in 10 batches
        socket_batches=10 if quick else 30,
        socket_trials=a.socket_trials or (3 if quick else 6),
        engine_budget=a.engine_budget,
        skip=set(a.skip) | (set(ENGINES) if "engines" in a.skip else set()),
    )
    return plan, a.out


@dataclass
class Results:
    """Everything measured, for the table and the details."""

    machine: dict[str, str]
    plan: Plan
    engines: dict[tuple[str, int], throughput.EngineRun] = field(default_factory=dict)
    spark_start_s: float | None = None
    warm_up_s: float | None = None
    ceiling: float | None = None
    search: sustain.Search | None = None
    cold: dict[str, Any] = field(default_factory=dict)
    warm_s: float | None = None
    warm_error: str | None = None
    rss: RssSampler | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def measure(plan: Plan) -> Results:
    from helpers.infra import spark

    started = time.perf_counter()
    res = Results(describe(), plan)
    log("machine: " + "; ".join(f"{k} {v}" for k, v in res.machine.items()))
    files = {n: data.dataset(n, min(plan.chunk, n), log=log) for n in plan.sizes}

    if "frame" not in plan.skip:  # before this process starts its own JVM: the machine is at its quietest
        log("first frame, cold (fresh process) …")
        res.cold = first_frame.cold_in_subprocess()
        log(f"  {res.cold}")

    res.rss = RssSampler().start()
    if "python" not in plan.skip:
        for n in plan.sizes:
            res.rss.phase = f"python engine {size(n)}"
            log(f"python engine, {n:,} tweets …")
            res.engines["python", n] = throughput.python_engine(files[n], n)
            log(f"  {res.engines['python', n].detail()}")

    need_spark = bool(
        {"tutorial", "dstream", "dstream-spark", "structured", "structured-files", "socket", "frame"} - plan.skip
    )
    sc = None
    try:
        if need_spark:
            res.rss.phase = "Spark start"
            t = time.perf_counter()
            sc = spark.get_context("bench")
            res.spark_start_s = time.perf_counter() - t
            tiny = data.dataset(500, 500, log=log)
            res.warm_up_s = throughput.warm_up(sc, files[plan.sizes[0]], tiny, set(ENGINES) - plan.skip)
            log(f"SparkContext up in {res.spark_start_s:.1f} s; engines warmed up in {res.warm_up_s:.1f} s")
        for n in plan.sizes:
            for engine, run in (
                ("tutorial", lambda n=n: throughput.tutorial_dstream(sc, files[n], n)),
                ("dstream", lambda n=n: throughput.kit_dstream(sc, files[n], n)),
                ("dstream-spark", lambda n=n: throughput.kit_dstream(sc, files[n], n, state="spark")),
                ("structured", lambda n=n: throughput.kit_structured(files[n], n)),
                ("structured-files", lambda n=n: throughput.kit_structured(files[n], n, source="files")),
            ):
                if engine in plan.skip:
                    continue
                guess = _guess_seconds(res, engine, n)
                if guess is not None and guess > plan.engine_budget:
                    res.engines[engine, n] = throughput.EngineRun(
                        engine,
                        n,
                        error=f"skipped: would take about {guess:.0f} s at its rate on the smaller size "
                        f"(over --engine-budget {plan.engine_budget:g} s)",
                    )
                    log(f"{engine}, {n:,} tweets: {res.engines[engine, n].error}")
                    continue
                res.rss.phase = f"{engine} {size(n)}"
                log(f"{engine}, {n:,} tweets …")
                try:
                    res.engines[engine, n] = run()
                except Exception as e:  # one engine failing still leaves a table
                    res.engines[engine, n] = throughput.EngineRun(engine, n, error=f"{type(e).__name__}: {e}"[:200])
                log(f"  {res.engines[engine, n].detail()}")
                res.rss.sample()

        if "socket" not in plan.skip:
            res.rss.phase = "socket search"
            replay = files[plan.sizes[0]]
            res.ceiling = sustain.server_ceiling(replay)
            log(f"replay server alone: {res.ceiling:,.0f} lines/s")
            res.search = sustain.search(
                sc, replay, plan.socket_start, plan.socket_warmup, plan.socket_batches, plan.socket_trials
            )

        if "frame" not in plan.skip:
            res.rss.phase = "first frame, Spark up"
            log("first frame, Spark up …")
            try:
                res.warm_s = first_frame.warm(sc)
                log(f"  {res.warm_s:.2f} s")
            except Exception as e:
                res.warm_error = f"{type(e).__name__}: {e}"[:200]
    finally:
        res.rss.sample()
        res.rss.stop()
        if sc is not None:
            spark.stop_all()
    res.seconds = time.perf_counter() - started
    return res


def _guess_seconds(res: Results, engine: str, n: int) -> float | None:
    """How long ``engine`` would take on ``n`` tweets at the rate it had on the largest smaller size."""
    done = [(m, r) for (e, m), r in res.engines.items() if e == engine and m < n and r.rate]
    if not done:
        return None
    _, run = max(done, key=lambda mr: mr[0])
    return n / (run.rate or 1.0)


def _target_note(n: int) -> str:
    return "" if n == TARGET_SIZE else f" (at {size(n)}; the target is for {size(TARGET_SIZE)})"


def rows(res: Results) -> list[tuple[str, Row]]:
    plan, out = res.plan, []
    largest = plan.sizes[-1]
    names = {
        "python": ("1", "python engine, one process (baseline)"),
        "tutorial": ("2", "tutorial-style DStream (foil)"),
        "dstream": ("3", "kit DStream engine (window and totals on the driver, the default)"),
        "dstream-spark": ("3b", "kit DStream engine, window and totals in Spark (stateful operators)"),
        "structured": ("4", "kit Structured engine, state in Spark, tweets source (Python data source)"),
        "structured-files": ("4b", "kit Structured engine, state in Spark, Spark's file source"),
    }
    targets = {"dstream": DSTREAM_RATIO, "structured": STRUCTURED_RATIO, "structured-files": STRUCTURED_RATIO}
    for engine in ENGINES:
        number, label = names[engine]
        for n in plan.sizes:
            run = res.engines.get((engine, n))
            if run is None:
                continue
            base = res.engines.get(("python", n))
            row = Row(label, size(n))
            goal = targets.get(engine) if n == largest else None
            if goal:
                row.target = f"≥ {goal:g}× at {size(TARGET_SIZE)}"
            if run.error:
                shown = run.error.startswith(("not available", "skipped"))
                row.result = run.error if shown else f"failed: {run.error}"
                row.met = ("not measured" if run.error.startswith("skipped") else "no (did not run)") if goal else ""
                out.append((number, row))
                continue
            row.result = rate(run.rate or 0)
            if engine == "python":
                row.ratio, row.equal = "1.00", "reference"
            elif base is not None and base.rate:
                ratio = (run.rate or 0) / base.rate
                row.ratio = f"{ratio:.2f}"
                row.equal = "✓" if run.result == base.result else "✗"
                if goal:
                    if row.equal == "✗":
                        row.met = "no (wrong answer)"
                    else:
                        row.met = _why(at_least(ratio, goal) + _target_note(n), engine)
            out.append((number, row))

    if res.ceiling is not None:
        out.append(
            ("5", Row("replay server alone, full speed (the source's ceiling)", "", f"{res.ceiling:,.0f} lines/s"))
        )
    if res.search is not None:
        row = Row(
            "kit DStream from the socket, 1 s batches, 10 s/2 s window (state on the driver)",
            target=f"≥ {SOCKET_TARGET:,} tweets/s",
        )
        best = res.search.best
        if best is None:
            low = min((t.rate for t in res.search.trials), default=0)
            row.result = f"none sustained (lowest tried {low:,} tweets/s)"
            row.met = _why(f"no: below {low:,} tweets/s (over {1 - low / SOCKET_TARGET:.0%} short)", "socket")
        else:
            p = best.processing
            row.result = (
                f"{best.rate:,} tweets/s (processing median {statistics.median(p):.2f} s, "
                f"p95 {sustain.percentile(p, 0.95):.2f} s)"
            )
            fail = res.search.first_failure
            if fail is None and len(res.search.trials) >= plan.socket_trials:
                row.result += " (search stopped: the limit is higher)"
            row.met = _why(at_least(best.rate, SOCKET_TARGET, " tweets/s", "{:,.0f}"), "socket")
        out.append(("5", row))

    if "frame" not in plan.skip:
        cold = Row("first frame after Start, cold (no SparkContext)", target=f"≤ {FRAME_COLD_S:g} s")
        if "cold_s" in res.cold:
            cold.result = f"{res.cold['cold_s']:.1f} s"
            cold.met = _why(at_most(res.cold["cold_s"], FRAME_COLD_S), "frame")
        else:
            cold.result, cold.met = f"failed: {res.cold.get('error', '?')}", "no (did not run)"
        out.append(("6", cold))
        warm = Row("first frame after Start, Spark already up", target=f"≤ {FRAME_WARM_S:g} s")
        if res.warm_s is not None:
            warm.result = f"{res.warm_s:.1f} s"
            warm.met = _why(at_most(res.warm_s, FRAME_WARM_S), "frame")
        else:
            warm.result, warm.met = f"failed: {res.warm_error}", "no (did not run)"
        out.append(("6", warm))

    if res.rss is not None and res.rss.jvm.rss:
        r = res.rss
        mem = Row(
            "peak RSS of the driver (Python + JVM)",
            result=f"{gib(r.both.rss)} (Python {gib(r.driver.rss)}, JVM {gib(r.jvm.rss)})",
            target=f"< {DRIVER_MAX / GIB:g} GiB",
            met=_why(at_most(r.both.rss / GIB, DRIVER_MAX / GIB, " GiB", "{:.2f}", strict=True), "memory"),
        )
        out.append(("7", mem))
    return out


def details(res: Results) -> list[str]:
    lines = []
    if res.spark_start_s is not None:
        lines.append(
            f"SparkContext started in {res.spark_start_s:.1f} s; Python workers and each Spark engine warmed "
            f"up on 500 tweets in {res.warm_up_s:.1f} s (neither is in any row but 6-cold)."
        )
    for run in res.engines.values():
        lines.append(run.detail())
    if res.search is not None:
        lines.append(
            f"socket search (warm-up {res.plan.socket_warmup} batches, then {res.plan.socket_batches} "
            f"must each finish within 1 s and receive ≥ {sustain.INGEST_SHARE:.0%} of the rate):"
        )
        lines += [f"  - {t.line().strip()}; stop {t.stop_s:.1f} s" for t in res.search.trials]
    if res.cold:
        c = res.cold
        if "both_rss" in c:
            lines.append(
                f"cold-start process peak RSS: Python {gib(c['driver_rss'])}, JVM {gib(c['jvm_rss'])}, "
                f"both {gib(c['both_rss'])}"
            )
    if res.rss is not None and res.rss.samples:
        r = res.rss
        lines.append(
            f"peak RSS: driver+JVM {gib(r.both.rss)} during {r.both.phase}; Python driver {gib(r.driver.rss)} during "
            f"{r.driver.phase}; JVM {gib(r.jvm.rss)} during {r.jvm.phase}; Python workers (all together, "
            f"not the driver) {gib(r.workers.rss)} during {r.workers.phase}; {r.samples} samples"
        )
    lines.append(f"whole benchmark {res.seconds:.0f} s; load average (1 min) at the end {load_now()}")
    return lines


def render(res: Results) -> str:
    machine = "\n".join(f"- {k}: {v}" for k, v in res.machine.items())
    plan = res.plan
    how = (
        f"sizes {', '.join(size(n) for n in plan.sizes)}; {min(plan.chunk, plan.sizes[0]):,} lines per file "
        f"= per queue batch; top 50; 1 s batches"
    )
    return "\n".join(
        [
            "# Benchmark results",
            "",
            machine,
            f"- run: {how}",
            "",
            table(rows(res)),
            "",
            "Rates are tweets per second of busy time (see docs/performance.md); × python is the ratio to "
            "row 1 at the same size; = python: the engine's top-50 JSON equals the python engine's.",
            "",
            "## Details",
            "",
            *[line if line.startswith("  - ") else f"- {line}" for line in details(res)],
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    plan, out = parse(argv)
    res = measure(plan)
    text = render(res)
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    log(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
