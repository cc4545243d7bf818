"""Self-checks for notebook 00 (start here): a first Spark job on ``sc.parallelize``.

``check.exercise_0_1(answer)`` prints ✓ or ✗ with what is wrong and why, and returns the verdict.
``not_answered`` and ``not_computed`` below serve every lesson; ``is_rdd`` and the other shared helpers are in
``helpers.check.base``.
"""

from __future__ import annotations

from typing import Any

from helpers.check.base import Verdict, is_number, is_rdd, verdict

__all__ = ["exercise_0_1"]

NOT_ANSWERED = "not answered yet: replace `answer = None` with your code, then run the cell again"


def not_answered() -> Verdict:
    """The friendly ✗ for an answer the learner has not written yet."""
    return verdict(False, "", NOT_ANSWERED)


def not_computed(action: str) -> Verdict:
    """The ✗ for an RDD handed in instead of its values: a recipe Spark has not run yet."""
    return verdict(
        False,
        "",
        f"that is an RDD, a recipe Spark has not run yet: end with an action such as {action} to get the values",
    )


def squares_of_evens(last: int = 100) -> int:
    """The sum of the squares of the even numbers from 1 to ``last``, in plain Python."""
    return sum(x * x for x in range(1, last + 1) if x % 2 == 0)


def exercise_0_1(answer: Any) -> Verdict:
    """The sum of the squares of the even numbers from 1 to 100, computed with Spark."""
    if answer is None:
        return not_answered()
    if is_rdd(answer):
        return not_computed(".sum()")
    expected = squares_of_evens()
    if isinstance(answer, (list, tuple)):
        if all(is_number(x) for x in answer) and sum(answer) == expected:
            why = "they add up to the right total: let Spark add them with .sum() instead of .collect()"
        else:
            why = "ask Spark for one number: .sum() instead of .collect()"
        return verdict(False, "", f"you have a list of {len(answer)} numbers, expected one number: {why}")
    if not is_number(answer):
        return verdict(False, "", f"expected one number, got {type(answer).__name__}: end the job with .sum()")
    if answer == expected:
        return verdict(True, "right: filter, then map, then sum — and only sum ran a job", "")
    hints = {
        sum(x * x for x in range(1, 101)): "that is the sum of every square from 1 to 100: keep only the even "
        "numbers with .filter(lambda x: x % 2 == 0)",
        sum(x * x for x in range(1, 101, 2)): "that is the sum of the odd numbers' squares: even means x % 2 == 0",
        squares_of_evens(99): "you stopped at 99: range(1, 101) includes 100, range(1, 100) does not",
        sum(range(2, 101, 2)): "that is the sum of the even numbers themselves: square each with .map(lambda x: x * x)",
    }
    hint = hints.get(answer, "keep the even numbers from 1 to 100, square each one, add the squares up")
    return verdict(False, "", f"{answer:,} is not it: {hint}")
