"""The learner-time model: exercises whose worked solution runs a stream are told apart, and cost more."""

from __future__ import annotations

import json

from benchmarks.notebooks import MINUTES_PER_EXERCISE, MINUTES_PER_STREAM_EXERCISE, Lesson, stream_exercises


def _notebook(path, *sources):
    cells = [
        {"cell_type": "code", "source": [s], "metadata": {}, "outputs": [], "execution_count": None} for s in sources
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_stream_exercises_counts_only_those_that_start_a_stream(tmp_path):
    nb = _notebook(
        tmp_path / "x_solutions.ipynb",
        "answer = rdd.map(f).collect()",
        "assert check.exercise_1_1(answer)",
        "ssc = StreamingContext(sc, 1)\nssc.start()",
        "assert check.exercise_1_2(answer)",
        "q = df.writeStream.format('memory').start()",
        "assert check.exercise_1_3(answer)",
        "answer = 3",
        "assert check.exercise_1_4(answer)",
    )
    assert stream_exercises(nb) == 2
    assert stream_exercises(tmp_path / "missing.ipynb") == 0


def test_learner_time_gives_a_stream_exercise_its_own_minutes():
    lesson = Lesson("x", words=240, code_cells=3, exercises=3, stream_exercises=2, run_s=60)
    assert lesson.teach_min == 1 + 2 + MINUTES_PER_EXERCISE + 2 * MINUTES_PER_STREAM_EXERCISE
    assert 10 <= MINUTES_PER_STREAM_EXERCISE <= 15
