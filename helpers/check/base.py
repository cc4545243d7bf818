"""What every self-check shares: compare an answer with the expected one and explain the difference.

``is_rdd``/``is_dstream``/``is_dataframe`` tell a Spark object handed in instead of its values, by pyspark's
public classes (imported only when a check runs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

from helpers.model import rank_key


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: right or not, and the sentence the learner reads."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.message}"

    def _ipython_display_(self) -> None:
        """Show nothing more in a notebook: ``verdict`` has printed the message already."""


def verdict(ok: bool, right: str, wrong: str) -> Verdict:
    """Print ✓ with ``right`` or ✗ with ``wrong`` (which should say why and give a hint) and return it."""
    result = Verdict(ok, right if ok else wrong)
    print(repr(result))
    return result


def is_number(answer: object) -> bool:
    """True for an int or float (numpy's too), but not for a bool."""
    return isinstance(answer, Real) and not isinstance(answer, bool)


def is_rdd(answer: object) -> bool:
    """True for a pyspark RDD: a recipe Spark has not run yet, handed in where its values were asked for."""
    from pyspark import RDD

    return isinstance(answer, RDD)


def is_dstream(answer: object) -> bool:
    """True for a pyspark DStream: the description of a stream, not the values it produced."""
    from pyspark.streaming import DStream

    return isinstance(answer, DStream)


def is_dataframe(answer: object) -> bool:
    """True for a pyspark DataFrame, classic or Spark Connect (both derive from ``pyspark.sql.DataFrame``)."""
    from pyspark.sql import DataFrame

    return isinstance(answer, DataFrame)


def ranked(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """``(key, count)`` pairs, highest count first, ties in alphabetical order."""
    return sorted(counts.items(), key=rank_key)


def as_pairs(answer: Any, item: str, example: list[tuple[str, int]]) -> list[tuple[Any, Any]] | str:
    """The answer as a list of pairs, or the sentence saying why it is not one."""
    if isinstance(answer, Mapping):
        answer = list(answer.items())
    if not isinstance(answer, (list, tuple)):
        return f"expected a list of ({item}, count) pairs like {example}; got {type(answer).__name__}"
    pairs = []
    for entry in answer:
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            return f"each entry should be a ({item}, count) pair like {example[0]}; {entry!r} is not"
        pairs.append((entry[0], entry[1]))
    if pairs and all(is_number(a) and isinstance(b, str) for a, b in pairs):
        return f"your pairs look like (count, {item}): put the {item} first, e.g. {example[0]}"
    bad = next((p for p in pairs if not isinstance(p[0], str) or not is_number(p[1])), None)
    if bad is not None:
        return f"each entry should be a ({item}, count) pair like {example[0]}; {bad!r} is not"
    return pairs


__all__ = [
    "Verdict",
    "as_pairs",
    "is_dataframe",
    "is_dstream",
    "is_number",
    "is_rdd",
    "ranked",
    "verdict",
]
