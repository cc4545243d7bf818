"""How long each notebook takes: ``python -m benchmarks.notebooks`` (about 10 minutes; on demand, not in the tests).

Runs every lesson and its solutions notebook top to bottom, one at a time, exactly as CI does
(``pytest --nbval-lax``, the root conftest's leftover probe included) but on the JVM's defaults, as a
learner's kernel runs, and times each run. It also counts
what a learner reads and does — words of prose, code cells, exercises — so the workshop agenda in
``docs/facilitator.md`` can be worked out from the same table: run time (measured) + reading at
``WORDS_PER_MINUTE`` + ``MINUTES_PER_EXERCISE`` for each exercise, or ``MINUTES_PER_STREAM_EXERCISE`` for
one whose worked solution runs a stream. While a notebook runs it also samples its kernel and everything
under it (the Spark JVM, Python workers, servers) for peak memory and cores: what one learner's kernel takes
of a shared JupyterHub. The table goes to stdout and to ``benchmarks/results/notebooks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from benchmarks.machine import ROOT, describe, load_now, log

NOTEBOOKS = ROOT / "notebooks"
RESULTS = Path(__file__).resolve().parent / "results"

#: Reading pace for explanatory prose with code beside it (technical text, read carefully, not skimmed).
WORDS_PER_MINUTE = 120
#: An exercise: read it, try, run the self-check, perhaps try again.
MINUTES_PER_EXERCISE = 5
#: An exercise whose solution starts a stream: write the job, start it, wait, stop it, fix it, run it again
#: (an instructor's estimate of 10-15 minutes for a novice, from reading every exercise; the middle is taken).
MINUTES_PER_STREAM_EXERCISE = 12
#: Code that runs a stream in a worked solution (DStream or Structured Streaming).
STREAM_CODE = re.compile(r"StreamingContext\(|\bssc\.start\(\)|\.writeStream\b|\bawaitTermination|\brun_until\(")
#: How often the kernel's process tree is sampled for memory and cores.
SAMPLE_S = 0.5


@dataclass
class Lesson:
    """One lesson: what it holds and how long its notebooks ran."""

    name: str
    words: int
    code_cells: int
    exercises: int
    stream_exercises: int = 0
    run_s: float | None = None
    solutions_s: float | None = None
    peak_gib: float = 0.0
    peak_cores: float = 0.0
    failed: str = ""

    @property
    def teach_min(self) -> float:
        """Minutes for a learner: the run, reading the prose, and the exercises (longer where one runs a stream)."""
        plain = self.exercises - self.stream_exercises
        return (
            (self.run_s or 0) / 60
            + self.words / WORDS_PER_MINUTE
            + plain * MINUTES_PER_EXERCISE
            + self.stream_exercises * MINUTES_PER_STREAM_EXERCISE
        )


def _code(cell: dict) -> str:
    return "".join(cell["source"]) if cell["cell_type"] == "code" else ""


def count(path: Path) -> tuple[int, int, int]:
    """Words of markdown, code cells, and exercises (cells calling ``check.exercise_…``) of a notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    words = sum(len(re.findall(r"\w+", "".join(c["source"]))) for c in cells if c["cell_type"] == "markdown")
    code = [c for c in cells if c["cell_type"] == "code"]
    exercises = sum(1 for c in code if "check.exercise_" in _code(c))
    return words, len(code), exercises


def stream_exercises(solution: Path) -> int:
    """Exercises whose worked solution runs a stream: code between one self-check and the next that starts one."""
    if not solution.exists():
        return 0
    found, since_last = 0, ""
    for cell in json.loads(solution.read_text(encoding="utf-8"))["cells"]:
        code = _code(cell)
        since_last += code + "\n"
        if "check.exercise_" in code:
            found += bool(STREAM_CODE.search(since_last))
            since_last = ""
    return found


def _tree_usage(proc: psutil.Process) -> tuple[int, float]:
    """Resident bytes and CPU seconds of everything under ``proc`` (not ``proc``, the pytest runner, itself)."""
    rss, cpu = 0, 0.0
    for child in proc.children(recursive=True):
        try:
            rss += child.memory_info().rss
            times = child.cpu_times()
            cpu += times.user + times.system
        except psutil.Error:
            continue
    return rss, cpu


#: The learner's JVM: the root conftest gives the test session's JVMs a lighter JIT, the serial collector and a class
#: archive, except where these variables are already set; set empty (unless the caller set them), Spark runs on the
#: JVM's defaults, as in a learner's JupyterLab.
LEARNER_JVM = {
    **os.environ,
    **{
        name: os.environ.get(name, "")
        for name in ("SPARK_SUBMIT_OPTS", "SPARK_LAUNCHER_OPTS", "SPARK_DAEMON_JAVA_OPTS")
    },
}


def run(path: Path) -> tuple[float, str, float, float]:
    """Seconds ``pytest --nbval-lax`` took on one notebook, why it failed ('' if it passed), and the peak
    resident memory (GiB) and cores of the kernel's process tree, sampled every ``SAMPLE_S``."""
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", str(path.relative_to(ROOT))]
    peak_rss, peak_cores = 0, 0.0
    with psutil.Popen(
        cmd, cwd=ROOT, env=LEARNER_JVM, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as proc:
        last_cpu, last_t = 0.0, time.perf_counter()
        while proc.poll() is None:
            time.sleep(SAMPLE_S)
            rss, cpu = _tree_usage(proc)
            now = time.perf_counter()
            peak_rss = max(peak_rss, rss)
            if cpu >= last_cpu:  # a process that ended takes its seconds with it: skip that interval
                peak_cores = max(peak_cores, (cpu - last_cpu) / (now - last_t))
            last_cpu, last_t = cpu, now
            if now - started > 1800:
                proc.kill()
        stdout = proc.stdout.read() if proc.stdout else ""
    took = time.perf_counter() - started
    tail = (stdout.strip().splitlines() or [""])[-1]
    return took, "" if proc.returncode == 0 else tail[:200], peak_rss / 2**30, peak_cores


def measure(names: list[str], solutions: bool) -> list[Lesson]:
    lessons = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        if names and not any(path.name.startswith(n) for n in names):
            continue
        solution = NOTEBOOKS / "solutions" / f"{path.stem}_solutions.ipynb"
        lesson = Lesson(path.stem, *count(path), stream_exercises=stream_exercises(solution))
        log(f"{path.name} …")
        lesson.run_s, lesson.failed, lesson.peak_gib, lesson.peak_cores = run(path)
        if solutions and solution.exists():
            lesson.solutions_s, failed, gib, cores = run(solution)
            lesson.failed = lesson.failed or failed
            lesson.peak_gib, lesson.peak_cores = max(lesson.peak_gib, gib), max(lesson.peak_cores, cores)
        took = f"{lesson.run_s:.0f} s, solutions {lesson.solutions_s or 0:.0f} s"
        log(f"  {took}, peak {lesson.peak_gib:.2f} GiB {lesson.failed}")
        lessons.append(lesson)
    return lessons


def _mmss(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def render(lessons: list[Lesson], machine: dict[str, str], load_end: str) -> str:
    rows = [
        "| notebook | run time | solutions run time | words | code cells | exercises (running a stream) "
        "| learner time | kernel peak memory | kernel peak cores |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for x in lessons:
        rows.append(
            f"| {x.name} | {_mmss(x.run_s)} | {_mmss(x.solutions_s)} | {x.words:,} | {x.code_cells} | "
            f"{x.exercises} ({x.stream_exercises}) | {x.teach_min:.0f} min | "
            f"{x.peak_gib:.2f} GiB | {x.peak_cores:.1f} |" + (f" failed: {x.failed}" if x.failed else "")
        )
    return "\n".join(
        [
            "# Notebook run times",
            "",
            *[f"- {k}: {v}" for k, v in machine.items()],
            f"- load average at the end: {load_end}",
            "",
            *rows,
            "",
            f"Run time: `pytest --nbval-lax` on the notebook alone, Spark start and stop included. Learner time: "
            f"run time + words / {WORDS_PER_MINUTE} per minute + {MINUTES_PER_EXERCISE} min per exercise, "
            f"{MINUTES_PER_STREAM_EXERCISE} min for one whose solution runs a stream. Kernel peak: the most the "
            f"kernel and everything under it (Spark JVM, Python workers, servers) held at once, sampled every "
            f"{SAMPLE_S} s over the lesson and its solutions; cores = CPU seconds per second over one sample.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.notebooks", description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", help="only notebooks whose name starts with these (e.g. 03 05)")
    p.add_argument("--no-solutions", action="store_true", help="time the lessons only")
    p.add_argument("--out", type=Path, default=RESULTS / "notebooks.md")
    a = p.parse_args(argv)
    machine = describe()
    lessons = measure(a.names, not a.no_solutions)
    text = render(lessons, machine, load_now())
    print(text)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text, encoding="utf-8")
    log(f"written to {a.out}")
    return 0 if not any(x.failed for x in lessons) else 1


if __name__ == "__main__":
    raise SystemExit(main())
