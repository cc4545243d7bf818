"""The learner writes the Spark: the plain API appears in the lessons' code cells before any kit helper
that packages the same idea (see docs/contributing.md, "The learner writes the Spark")."""

from __future__ import annotations

import re

import pytest
from support.notebooks import code_cells

#: Kit helpers that wrap DStream operations: a lesson may call them only after the learner wrote the same lines.
WRAPPERS = re.compile(r"\bpipeline\.\w+\(|\bStreamRun\(|\bDashboard\(|\bstructured\.\w+\(|\bStructuredRun\(")

#: What each lesson's learner must see as plain Spark, in code cells.
PLAIN = {
    "00_start_here": [r"SparkSession\.builder\.master\(", r"\.getOrCreate\(\)", r"\.sparkContext\b"],
    "02_from_batch_to_streaming": [
        r"StreamingContext\(sc, 1\)",
        r"\bssc\.start\(\)",
        r"\.awaitTerminationOrTimeout\(",
        r"\.stop\(stopSparkContext=False, stopGraceFully=True\)",
        r"\.flatMap\(",
        r"\.reduceByKey\(",
        r"\.foreachRDD\(",
        r"\.socketTextStream\(",
    ],
    "04_state_and_checkpoints": [
        r"\.checkpoint\(",
        r"\.updateStateByKey\(",
        r"\.reduceByKeyAndWindow\(",
        r"\.window\(",
        r"\.join\(",
    ],
    "05_twitter_sentiment_pipeline": [
        r"StreamingContext\(sc, ",
        r"\bssc\.checkpoint\(",
        r"\.flatMap\(",
        r"\.reduceByKeyAndWindow\(",
        r"\.updateStateByKey\(",
        r"\.join\(|\.transform\(",
        r"\.foreachRDD\(",
        r"json\.dumps\(",
        r"\bssc\.start\(\)",
        r"\.stop\(stopSparkContext=False",
    ],
}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_the_plain_api_is_in_the_code_cells(name):
    code = "\n".join(code_cells(f"{name}.ipynb"))
    missing = [p for p in PLAIN[name] if not re.search(p, code)]
    assert not missing, f"{name}: no code cell writes {missing}"


@pytest.mark.parametrize("name", ["04_state_and_checkpoints", "05_twitter_sentiment_pipeline"])
def test_no_wrapper_before_the_learner_wrote_the_same_lines(name):
    """Every plain operation of the lesson appears in a cell before the first call of a kit wrapper."""
    cells = code_cells(f"{name}.ipynb")
    first_wrapper = next((i for i, c in enumerate(cells) if WRAPPERS.search(c)), len(cells))
    before = "\n".join(cells[:first_wrapper])
    late = [p for p in PLAIN[name] if not re.search(p, before)]
    assert not late, f"{name}: code cell {first_wrapper} calls a kit wrapper before the learner wrote {late}"
