"""Self-checks for notebook 09 (how good is the sentiment?): measure a scorer against people, in Spark.

``check.exercise_9_1(answer)`` and ``check.exercise_9_2(answer)`` print ✓ or ✗ with what is wrong and why,
never the right answer. The right answers are worked out here in plain Python over the notebook's tweets
(``ratings.lesson_rows()``: the 4,196 rated tweets once fetched, else the invented practice set; a ✗ then
says the figures are practice ones).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import pairwise

from helpers.check.base import Verdict, is_number, verdict
from helpers.check.lesson00 import not_answered

__all__ = ["exercise_9_1", "exercise_9_2"]


def _frame_rows() -> list[tuple[int, str, float, float, int]]:
    from helpers import ratings, sentiment_model

    return sentiment_model.with_lexicon(ratings.lesson_rows())


def lexicon_figures() -> dict[str, float]:
    """Exercise 9.1's figures for the lexicon column: accuracy (right / n), precision, and the slips."""
    rows = _frame_rows()
    n = len(rows)
    right = sum(1 for _, _, s, label, _ in rows if (s > 0 and label == 1.0) or (s < 0 and label == 0.0))
    calls = sum(1 for _, _, s, _, _ in rows if s != 0)
    silent_right = sum(1 for _, _, s, _, _ in rows if s == 0)
    return {
        "n": n,
        "right": right,
        "accuracy": right / n,
        "precision": right / calls,
        "lenient": (right + silent_right) / n,
    }


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def exercise_9_1(answer: object) -> Verdict:
    """The lexicon scorer's accuracy on the rated tweets: right calls / every rated tweet, as a float."""
    if answer is None:
        return not_answered()
    if not is_number(answer):
        return verdict(False, "", f"expected one number (a share between 0 and 1); got {type(answer).__name__}")
    f = lexicon_figures()
    value = float(answer)  # type: ignore[arg-type]
    if _close(value, f["accuracy"]):
        return verdict(True, "right: that is how often the word sum agrees with people, no call counting as wrong", "")
    if value > 1 and _close(value, f["right"]):
        return verdict(
            False, "", "that is a count of tweets; the exercise asks for a share: divide by every rated tweet"
        )
    if _close(value, f["precision"]):
        return verdict(
            False,
            "",
            "you divided by the tweets the lexicon made a call on (that is precision); accuracy divides by "
            "every rated tweet, so a tweet with no sentiment word counts as a miss",
        )
    if _close(value, f["lenient"]):
        return verdict(
            False,
            "",
            "your figure counts the tweets with a score of exactly 0 as right; they are no call, and a "
            "missing call counts as wrong",
        )
    return verdict(
        False,
        "",
        "not the share of rated tweets the lexicon calls right: a call is positive where `lexicon` > 0 and "
        "negative where < 0; it is right where it matches `label` (1.0 positive, 0.0 negative); count those "
        "rows with filter(...).count() and divide by frame.count()",
    )


def vocabulary_size(min_df: int = 2, bigrams: bool = True) -> int:
    """Exercise 9.2: distinct terms (tokens, and bigrams if asked) found in at least ``min_df`` tweets."""
    from helpers.sentiment_model import TOKEN_PATTERN

    df: Counter[str] = Counter()
    for _, text, _, _, _ in _frame_rows():
        tokens = re.findall(TOKEN_PATTERN, text.lower())
        terms = tokens + ([f"{a} {b}" for a, b in pairwise(tokens)] if bigrams else [])
        df.update(set(terms))
    return sum(1 for c in df.values() if c >= min_df)


def exercise_9_2(answer: object) -> Verdict:
    """The size of the vocabulary CountVectorizer(minDF=2) learns from unigrams and bigrams together."""
    if answer is None:
        return not_answered()
    if isinstance(answer, (list, tuple)):
        answer = len(answer)  # the vocabulary itself is fine too
    if not is_number(answer) or isinstance(answer, float):
        return verdict(False, "", f"expected a whole number (len(model.vocabulary)); got {type(answer).__name__}")
    if answer == vocabulary_size():
        return verdict(True, "right: that many terms reach the model, single words and pairs together", "")
    if answer == vocabulary_size(bigrams=False):
        return verdict(
            False, "", "that is the vocabulary of single tokens only: feed `concat(tokens, bigrams)` to CountVectorizer"
        )
    if answer == vocabulary_size(min_df=1):
        return verdict(False, "", "that counts every term once seen; set minDF=2 so a term must appear in two tweets")
    return verdict(
        False,
        "",
        "not the vocabulary size the lesson's stages give: RegexTokenizer(pattern=TOKEN_PATTERN, gaps=False) → "
        "NGram(n=2) → concat(tokens, bigrams) → CountVectorizer(minDF=2), fitted on the whole frame",
    )
