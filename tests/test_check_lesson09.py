"""The self-checks of notebook 09: each accepts the right answer, names the mistake in a common wrong one, says
"not answered yet" to None, and none of the messages gives the answer away (no Spark here)."""

from __future__ import annotations

import itertools
import re

import pytest
from support.checks import right, wrong

from helpers import check, ratings, sentiment_model
from helpers.check import lesson09
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.text import words

EXERCISES = [check.exercise_9_1, check.exercise_9_2]


def test_all_exercises_are_exported():
    assert lesson09.__all__ == ["exercise_9_1", "exercise_9_2"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_none_is_not_answered_yet(exercise, capsys):
    wrong(exercise(None), NOT_ANSWERED)
    assert capsys.readouterr().out == f"✗ {NOT_ANSWERED}\n"


def _accuracy_by_hand() -> tuple[int, int, int]:
    """(n, right, calls) of the default lexicon scorer, worked out here independently of the check."""
    from helpers import lexicon

    rows = [r for r in ratings.lesson_rows() if r.rating != 0]
    table = lexicon.scores()
    right_calls = calls = 0
    for r in rows:
        s = lexicon.tweet_score(words(r.text), table)
        calls += s != 0
        right_calls += (s > 0 and r.rating > 0) or (s < 0 and r.rating < 0)
    return len(rows), right_calls, calls


def test_9_1_right_and_its_common_slips(capsys):
    n, right_calls, calls = _accuracy_by_hand()
    right(check.exercise_9_1(right_calls / n))
    wrong(
        check.exercise_9_1(right_calls / calls),
        "you divided by the tweets the lexicon made a call on (that is precision); accuracy divides by "
        "every rated tweet, so a tweet with no sentiment word counts as a miss",
    )
    wrong(
        check.exercise_9_1((right_calls + n - calls) / n),
        "your figure counts the tweets with a score of exactly 0 as right; they are no call, and a "
        "missing call counts as wrong",
    )
    wrong(
        check.exercise_9_1(right_calls),
        "that is a count of tweets; the exercise asks for a share: divide by every rated tweet",
    )
    wrong(check.exercise_9_1("0.9"), "expected one number (a share between 0 and 1); got str")
    out = capsys.readouterr().out
    assert f"{right_calls / n}" not in out and f"{right_calls / n:.3f}" not in out and str(right_calls) not in out


def test_9_1_other_wrong_numbers_get_no_direction(capsys):
    n, right_calls, _ = _accuracy_by_hand()
    low, high = check.exercise_9_1(right_calls / n - 0.01), check.exercise_9_1(right_calls / n + 0.01)
    assert not low and not high and low.message == high.message  # nothing to bisect with
    assert "higher" not in low.message and "lower" not in low.message


def _vocabulary_by_hand(min_df: int, bigrams: bool) -> int:
    seen: dict[str, set[int]] = {}
    for i, r in enumerate(x for x in ratings.lesson_rows() if x.rating != 0):
        tokens = re.findall(sentiment_model.TOKEN_PATTERN, r.text.lower())
        terms = tokens + ([" ".join(p) for p in itertools.pairwise(tokens)] if bigrams else [])
        for t in terms:
            seen.setdefault(t, set()).add(i)
    return sum(1 for ids in seen.values() if len(ids) >= min_df)


def test_9_2_right_and_its_common_slips(capsys):
    size = _vocabulary_by_hand(2, True)
    right(check.exercise_9_2(size))
    right(check.exercise_9_2(["w"] * size))  # the vocabulary list itself
    wrong(
        check.exercise_9_2(_vocabulary_by_hand(2, False)),
        "that is the vocabulary of single tokens only: feed `concat(tokens, bigrams)` to CountVectorizer",
    )
    wrong(
        check.exercise_9_2(_vocabulary_by_hand(1, True)),
        "that counts every term once seen; set minDF=2 so a term must appear in two tweets",
    )
    wrong(check.exercise_9_2(float(size)), "expected a whole number (len(model.vocabulary)); got float")
    other = check.exercise_9_2(size + 1)
    assert not other and "higher" not in other.message and "lower" not in other.message
    assert str(size) not in capsys.readouterr().out


@pytest.mark.skipif(not ratings.available(), reason=ratings.missing_message())
def test_the_checks_use_the_real_ratings_when_fetched():
    assert _accuracy_by_hand()[0] == 4196
    assert lesson09.lexicon_figures()["n"] == 4196
