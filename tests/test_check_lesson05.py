"""The self-checks of notebook 05: each accepts the right answer, names the slip in a common wrong one,
says "not answered yet" to None, and none of the three messages gives the answer away.

The right answers are worked out here a second way (tokenize each parsed tweet, count with a Counter),
not with the checks' own code, so a slip in either shows. No Spark: the checks never need it.
"""

from __future__ import annotations

from collections import Counter

import pytest
from support.checks import FakeDStream, FakeRDD, right, wrong

from helpers import check, lexicon, paths, text, tweets
from helpers.check import lesson05
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.sample import batches_of, merged_lines, read_lines

EXERCISES = [check.exercise_5_1, check.exercise_5_2, check.exercise_5_3]
SPANS = [(1, 2), (1, 4), (3, 6), (5, 8)]  # 4 s windows sliding every 2 s over eight 1 s batches


def _rank(pairs, n):
    return sorted(pairs, key=lambda kv: (-kv[1], kv[0]))[:n]


@pytest.fixture(scope="module")
def batches():
    """Notebook 05's batches, built as its cell builds them."""
    lines = list(read_lines([paths.MALFORMED])) + list(merged_lines(paths.sample_files()))[:3180]
    return list(batches_of(lines, 400))


@pytest.fixture(scope="module")
def parsed(batches):
    """Each batch's tweets (malformed lines dropped)."""
    return [[t for line in b if (t := tweets.parse_line(line)) is not None] for b in batches]


@pytest.fixture(scope="module")
def counts(parsed):
    """Each batch's token counts."""
    return [Counter(w for t in ts for w in text.tokenize(t.text)) for ts in parsed]


def _window(counts, first, last):
    return sum(counts[first - 1 : last], Counter())


def _no_answer_in(result, values):
    for value in values:
        assert str(value) not in result.message, f"{value!r} given away in {result.message!r}"


def test_exported():
    assert lesson05.__all__ == ["exercise_5_1", "exercise_5_2", "exercise_5_3"]


def test_the_batches_are_the_notebooks(batches):
    assert [list(b) for b in lesson05.exercise_batches()] == batches
    assert [len(b) for b in batches] == [400] * 8 and lesson05.spans() == SPANS


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_none_is_not_answered_yet(exercise, capsys):
    wrong(exercise(None), NOT_ANSWERED)
    assert capsys.readouterr().out == f"✗ {NOT_ANSWERED}\n"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_streams_and_rdds_are_not_values(exercise):
    wrong(
        exercise(FakeDStream()),
        "that is a DStream, a recipe for every batch: collect its RDDs in a foreachRDD function into a list",
    )
    wrong(exercise(FakeRDD()), "that is an RDD, not its contents: collect() it inside your foreachRDD function")


# --- 5.1 the top negative words of each window ---------------------------------------------------------


@pytest.fixture(scope="module")
def negative_top(counts):
    def top(c):
        return _rank([(w, n) for w, n in c.items() if lexicon.polarity(w) == "negative"], 5)

    return [top(_window(counts, first, last)) for first, last in SPANS], [
        top(_window(counts, 1, last)) for _, last in SPANS
    ]


def test_5_1_right(negative_top):
    expected, _ = negative_top
    assert [w for w, _ in expected[0]][:1] == ["hate"]  # the sample's most common negative word
    result = check.exercise_5_1(expected)
    right(result)
    _no_answer_in(result, [w for w, _ in expected[-1]] + [n for _, n in expected[-1]])
    right(check.exercise_5_1([dict(w) for w in expected]))  # a dict per window is fine too


def test_5_1_running_totals_instead_of_the_window(negative_top):
    expected, running = negative_top
    assert running != expected
    result = check.exercise_5_1(running)
    wrong(
        result,
        "these are ranked by running totals since the start of the stream; rank by each word's count "
        "in the window (the reduceByKeyAndWindow stream, not the updateStateByKey one)",
    )


def test_5_1_all_words_not_only_negative(counts):
    everything = [_rank(_window(counts, first, last).items(), 5) for first, last in SPANS]
    first_word = everything[0][0][0]
    assert lexicon.polarity(first_word) != "negative"
    wrong(
        check.exercise_5_1(everything),
        f"window 1 holds {first_word!r}, which the lexicon does not call negative: "
        "keep only words with lexicon.polarity(word) == 'negative'",
    )


def test_5_1_shape_and_order(negative_top):
    expected, _ = negative_top
    wrong(
        check.exercise_5_1(expected[:3]),
        "expected 4 windows (those ending at batches 2, 4, 6, 8), got 3: keep the windows that end by the "
        "last batch of data, in order",
    )
    shuffled = [list(reversed(w)) for w in expected]
    wrong(
        check.exercise_5_1(shuffled),
        "window 1 has the right words in another order: larger count first, ties by word",
    )
    one_batch = [list(expected[0]), *expected[1:]]
    one_batch[0] = [(w, n + 1) for w, n in one_batch[0]]
    result = check.exercise_5_1(one_batch)
    assert not result and result.message.startswith("window 1 differs from the reference")


# --- 5.2 hashtags only ----------------------------------------------------------------------------------


def _tags(c):
    return _rank([(w, n) for w, n in c.items() if w.startswith("#")], 10)


def test_5_2_right(counts):
    expected = _tags(_window(counts, 1, 8))
    result = check.exercise_5_2(expected)
    right(result)
    _no_answer_in(result, [w for w, _ in expected] + [n for _, n in expected])


def test_5_2_last_window_instead_of_totals(counts):
    result = check.exercise_5_2(_tags(_window(counts, 5, 8)))
    wrong(
        result,
        "these are the counts of the last window only; running totals come from updateStateByKey, "
        "which adds every batch since the start",
    )


def test_5_2_tags_without_their_hash_and_words_that_are_not_tags(counts):
    expected = _tags(_window(counts, 1, 8))
    wrong(
        check.exercise_5_2([(w[1:], n) for w, n in expected]),
        "your tags have lost their '#': count the tokens that start with '#', as tokenize gives them",
    )
    everything = _rank(_window(counts, 1, 8).items(), 10)
    first = next(w for w, _ in everything if not w.startswith("#"))
    wrong(
        check.exercise_5_2(everything),
        f"{first!r} is not a hashtag: keep only the tokens that start with '#' before counting",
    )


def test_5_2_state_read_too_early(counts):
    wrong(
        check.exercise_5_2(_tags(_window(counts, 1, 6))),
        "these totals stop before the last batch: read the state once every batch is done",
    )


# --- 5.3 the share of negative tweets per window ------------------------------------------------------


@pytest.fixture(scope="module")
def moods(parsed):
    """Per batch: (tweets, negative tweets, positive tweets), by the tweet-level score with negation."""
    scores = lexicon.scores()
    out = []
    for ts in parsed:
        s = [lexicon.tweet_score(text.words(t.text), scores) for t in ts]
        out.append((len(s), sum(1 for x in s if x < 0), sum(1 for x in s if x > 0)))
    return out


def test_5_3_right(moods):
    shares = []
    for first, last in SPANS:
        part = moods[first - 1 : last]
        shares.append(sum(m[1] for m in part) / sum(m[0] for m in part))
    result = check.exercise_5_3(shares)
    right(result)
    _no_answer_in(result, [f"{x:.2f}" for x in shares] + [f"{x:.1%}" for x in shares])
    right(check.exercise_5_3([round(x, 3) for x in shares]))


def test_5_3_last_batch_only(moods):
    wrong(
        check.exercise_5_3([moods[last - 1][1] / moods[last - 1][0] for _, last in SPANS]),
        "this is the share in the last batch of each window alone: sum the tallies over the whole window "
        "(reduceByKeyAndWindow) before dividing",
    )


def test_5_3_neutral_tweets_left_out(moods):
    shares = []
    for first, last in SPANS:
        part = moods[first - 1 : last]
        shares.append(sum(m[1] for m in part) / sum(m[1] + m[2] for m in part))
    wrong(
        check.exercise_5_3(shares),
        "this leaves the neutral tweets out of the denominator: divide by every tweet of the window",
    )


def test_5_3_shape_and_range():
    wrong(check.exercise_5_3([0.5] * 3), lesson05._per_window([0.5] * 3, "number"))
    wrong(
        check.exercise_5_3([40, 30, 30, 30]), "a share lies between 0 and 1: divide the negative tweets by the tweets"
    )
    wrong(
        check.exercise_5_3(["a", 0.1, 0.1, 0.1]),
        "each entry should be a number (a share between 0 and 1); 'a' is not",
    )
