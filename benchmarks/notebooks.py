"""How long each notebook takes: ``python -m benchmarks.notebooks`` (about 10 minutes; on demand, not in the tests).

Runs every lesson and its solutions notebook top to bottom, one at a time, exactly as CI does
(``pytest --nbval-lax``, the root conftest's leftover probe included), and times each run. It also counts
what a learner reads and does — words of prose, code cells, exercises — so the workshop agenda in
``docs/facilitator.md`` can be worked out from the same table: run time (measured) + reading at
``WORDS_PER_MINUTE`` + ``MINUTES_PER_EXERCISE`` for each exercise. The table goes to stdout and to
``benchmarks/results/notebooks.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.machine import ROOT, describe, load_now, log

NOTEBOOKS = ROOT / "notebooks"
RESULTS = Path(__file__).resolve().parent / "results"

#: Reading pace for explanatory prose with code beside it (technical text, read carefully, not skimmed).
WORDS_PER_MINUTE = 120
#: An exercise: read it, try, run the self-check, perhaps try again.
MINUTES_PER_EXERCISE = 5


@dataclass
class Lesson:
    """One lesson: what it holds and how long its notebooks ran."""

    name: str
    words: int
    code_cells: int
    exercises: int
    run_s: float | None = None
    solutions_s: float | None = None
    failed: str = ""

    @property
    def teach_min(self) -> float:
        """Minutes for a learner: the run, reading the prose, and the exercises."""
        return (self.run_s or 0) / 60 + self.words / WORDS_PER_MINUTE + self.exercises * MINUTES_PER_EXERCISE


def count(path: Path) -> tuple[int, int, int]:
    """Words of markdown, code cells, and exercises (cells calling ``check.exercise_…``) of a notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    words = sum(len(re.findall(r"\w+", "".join(c["source"]))) for c in cells if c["cell_type"] == "markdown")
    code = [c for c in cells if c["cell_type"] == "code"]
    exercises = sum(1 for c in code if "check.exercise_" in "".join(c["source"]))
    return words, len(code), exercises


def run(path: Path) -> tuple[float, str]:
    """Seconds ``pytest --nbval-lax`` took on one notebook, and why it failed ('' if it passed)."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", str(path.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    took = time.perf_counter() - started
    tail = (out.stdout.strip().splitlines() or [""])[-1]
    return took, "" if out.returncode == 0 else tail[:200]


def measure(names: list[str], solutions: bool) -> list[Lesson]:
    lessons = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        if names and not any(path.name.startswith(n) for n in names):
            continue
        lesson = Lesson(path.stem, *count(path))
        log(f"{path.name} …")
        lesson.run_s, lesson.failed = run(path)
        solution = NOTEBOOKS / "solutions" / f"{path.stem}_solutions.ipynb"
        if solutions and solution.exists():
            lesson.solutions_s, failed = run(solution)
            lesson.failed = lesson.failed or failed
        log(f"  {lesson.run_s:.0f} s, solutions {lesson.solutions_s or 0:.0f} s {lesson.failed}")
        lessons.append(lesson)
    return lessons


def _mmss(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def render(lessons: list[Lesson], machine: dict[str, str], load_end: str) -> str:
    rows = [
        "| notebook | run time | solutions run time | words | code cells | exercises | learner time |",
        "|---|---|---|---|---|---|---|",
    ]
    for x in lessons:
        rows.append(
            f"| {x.name} | {_mmss(x.run_s)} | {_mmss(x.solutions_s)} | {x.words:,} | {x.code_cells} | "
            f"{x.exercises} | {x.teach_min:.0f} min |" + (f" failed: {x.failed}" if x.failed else "")
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
            f"run time + words / {WORDS_PER_MINUTE} per minute + {MINUTES_PER_EXERCISE} min per exercise.",
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
