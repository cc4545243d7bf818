"""The self-checks of notebooks 02 and 03: each accepts the right answer, and names the mistake in a wrong one.

Expected numbers come from the checks' own plain-Python answers (``lesson02.hashtags_per_batch()``,
``lesson03.windows(4, 2)`` …), so these tests follow the shipped sample if it is regenerated. No Spark.
"""

from __future__ import annotations

from collections import Counter
from itertools import accumulate, pairwise

import pytest
from support.checks import FakeRDD, wrong

from helpers import check, paths
from helpers.check import lesson02, lesson03
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.sample import batches_of, read_lines, sample_batches
from helpers.state import window_spans

EXERCISES = [check.exercise_2_1, check.exercise_2_2, check.exercise_3_1, check.exercise_3_2, check.exercise_3_3]


def hides(pairs, *results):
    """No message shows a key of the answer next to its count."""
    for result in results:
        for key, n in pairs:
            shown = (f"{key}' {n}", f"{key}': {n}", f"{key} {n}", f"{key}: {n}", f"{key}', {n})")
            assert not any(s in result.message for s in shown), result.message


def hides_list(values, *results):
    """No message shows the list of per-window numbers, nor two of them in a row."""
    for result in results:
        assert str(list(values)) not in result.message
        assert all(f"{a}, {b}" not in result.message for a, b in pairwise(values)), result.message


def test_all_exercises_are_exported():
    assert lesson02.__all__ == ["exercise_2_1", "exercise_2_2"]
    assert lesson03.__all__ == ["exercise_3_1", "exercise_3_2", "exercise_3_3"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_none_is_not_answered_yet(exercise, capsys):
    wrong(exercise(None), NOT_ANSWERED)
    assert capsys.readouterr().out == f"✗ {NOT_ANSWERED}\n"


# --- 2.1 hashtags per batch ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tags_per_batch():
    return [dict(c) for c in lesson02.hashtags_per_batch()]


def test_2_1_uses_the_notebooks_batches():
    climate = paths.sample_files(["climate"])[0]
    notebook = list(batches_of(read_lines([climate]), 250))[:4]
    assert [list(b) for b in lesson02.hashtag_batches()] == notebook
    assert [len(b) for b in notebook] == [250] * 4


def test_2_1_right(tags_per_batch, capsys):
    assert check.exercise_2_1(tags_per_batch)
    assert capsys.readouterr().out == "✓ right: 4 batches, one dict each, every count as plain Python gives it\n"
    assert check.exercise_2_1([*tags_per_batch, {}, {}])  # the empty batches after the queue ran dry
    assert check.exercise_2_1([list(d.items()) for d in tags_per_batch])  # rdd.collect() as it comes
    assert check.exercise_2_1([{f"#{k}": n for k, n in d.items()} for d in tags_per_batch])


def test_2_1_mistakes(tags_per_batch):
    totals = dict(sum((Counter(d) for d in tags_per_batch), Counter()))
    wrong(
        check.exercise_2_1(totals),
        "these are the counts of all 4 batches added together: keep one dict per batch "
        "(append dict(rdd.collect()) to a list in foreachRDD)",
    )
    wrong(
        check.exercise_2_1(tags_per_batch[:3]),
        "you have 3 batch(es), the queue held 4: keep the stream running until 4 batches are done "
        "(a loop around ssc.awaitTerminationOrTimeout) before you stop it",
    )
    wrong(
        check.exercise_2_1(tags_per_batch[::-1]),
        "the right batches, in the wrong order: append them as they come, batch 1 first",
    )
    running = [dict(c) for c in accumulate((Counter(d) for d in tags_per_batch), lambda a, b: a + b)]
    wrong(
        check.exercise_2_1(running),
        "these are running totals: each batch's dict should hold that batch's counts only "
        "(reduceByKey within the batch; totals across batches come in notebook 04)",
    )
    off = [dict(d) for d in tags_per_batch]
    off[2]["climate"] += 1
    n = tags_per_batch[2]["climate"]
    result = check.exercise_2_1(off)
    wrong(
        result,
        f"batch 3: the count of '#climate' is not right ({n + 1}): parse each line (tweets.parse_line), "
        "drop None, flatMap(lambda t: t.hashtags), map to (tag, 1), reduceByKey(add)",
    )
    for batch in tags_per_batch:
        hides(
            batch.items(),
            result,
            check.exercise_2_1(running),
            check.exercise_2_1(tags_per_batch),
            check.exercise_2_1(None),
        )
    wrong(
        check.exercise_2_1(FakeRDD()), "that is an RDD: collect each batch inside foreachRDD, e.g. dict(rdd.collect())"
    )
    wrong(check.exercise_2_1(42), "expected a list with one dict per batch; got int")
    wrong(
        check.exercise_2_1([[("climate",)]]),
        "each batch should be a dict like {'sometag': 4, 'othertag': 2}: each entry should be a (hashtag, count) "
        "pair like ('sometag', 4); ('climate',) is not",
    )


# --- 2.2 languages over a socket -----------------------------------------------------------------------


def test_2_2_counts_the_lines_the_server_sends():
    lines = list(read_lines(paths.sample_files(["product_launch"])))[:1500]
    assert sum(lesson02.languages_sent().values()) == len(lines) == 1500


def test_2_2_right_and_mistakes(capsys):
    langs = dict(lesson02.languages_sent())
    assert check.exercise_2_2(langs)
    assert capsys.readouterr().out == "✓ right: all 1,500 tweets the server sent, counted by language\n"
    assert check.exercise_2_2(list(langs.items()))
    halves = [{k: n // 2 for k, n in langs.items()}, {k: n - n // 2 for k, n in langs.items()}]
    wrong(
        check.exercise_2_2(halves),
        "right counts, but one dict per batch (2 of them): add the batches up on the driver, "
        "e.g. total.update(dict(rdd.collect())) in foreachRDD with total = Counter()",
    )
    half = halves[0]
    wrong(
        check.exercise_2_2(half),
        f"you have {sum(half.values()):,} of the 1,500 tweets the server sent: wait until every line has arrived "
        "(server.finished is set and your total equals server.sent) before you stop the stream",
    )
    wrong(
        check.exercise_2_2({k: 2 * n for k, n in langs.items()}),
        "3,000 tweets, more than the 1,500 sent: did you count a batch twice?",
    )
    wrong(check.exercise_2_2({**langs, "xx": 1}), "unexpected key(s) ['xx']: key each tweet by its t.lang")
    assert "your pairs look like (count, language)" in check.exercise_2_2([(n, k) for k, n in langs.items()]).message
    swapped = {**langs, "en": langs["en"] - 1, "es": langs["es"] + 1}
    wrong(
        check.exercise_2_2(swapped),
        f"the count for 'en' is not right ({langs['en'] - 1}): map each tweet to (t.lang, 1)",
    )
    results = [check.exercise_2_2(x) for x in (langs, half, swapped, halves, None)]
    hides(langs.items(), *results)
    assert all(str(n) not in r.message for n in langs.values() if n >= 10 for r in results)


# --- 3.1 which batches? --------------------------------------------------------------------------------


def test_3_1_right_and_mistakes(capsys):
    right = [(1, 2), (2, 4), (4, 6), (6, 8), (8, 10)]
    assert check.exercise_3_1(right)
    assert capsys.readouterr().out == (
        "✓ right: seconds turned into batches, windows ending at multiples of the slide, and a short first "
        "window, as nothing came before it\n"
    )
    assert check.exercise_3_1([list(pair) for pair in right])
    wrong(
        check.exercise_3_1(window_spans(10, 6, 4)),
        "you took the seconds as batches: with 2 s batches, turn the window and the slide into batches first",
    )
    wrong(
        check.exercise_3_1([(1, 3), (3, 5), (5, 7), (7, 9)]),
        "windows end at multiples of the slide counted from the start of the stream, so the first one ends one "
        "slide in and covers fewer batches: nothing came before it",
    )
    wrong(check.exercise_3_1([(a - 1, b - 1) for a, b in right]), "number the batches from 1, as the exercise does")
    wrong(check.exercise_3_1([(0, 2), *right[1:]]), "the first window starts at batch 1: there is no batch before it")
    wrong(
        check.exercise_3_1([*right, (10, 12)]),
        "only the windows that end by batch 10 (the stream is 10 batches long)",
    )
    wrong(
        check.exercise_3_1([(0, 6), (8, 14), (16, 20)]),
        "numbers above the batch count: give batch numbers (1–10), not seconds",
    )
    wrong(check.exercise_3_1([(1, 2, 3)]), "each window is one (first, last) pair, not [1, 2, 3]")
    wrong(check.exercise_3_1("1-2, 2-4"), "expected a list of (first, last) pairs of batch numbers; got str")
    wrong(
        check.exercise_3_1([(1, 2), (3, 4)]),
        "not quite: turn the window and the slide into batches, then list where each window ends (every "
        "slide, from the start) and which batches it covers up to there",
    )
    results = [check.exercise_3_1(x) for x in (right, window_spans(10, 6, 4), [(1, 2), (3, 4)], None)]
    assert all(f"({a}, {b})" not in r.message and f"{a}–{b}" not in r.message for a, b in right for r in results)


# --- 3.2 tweets per window, 3.3 one word through the windows --------------------------------------------


def test_3_2_and_3_3_use_the_notebooks_batches():
    assert [list(b) for b in lesson03.exercise_batches()] == sample_batches(count=6, minutes=10)


def test_3_2_right_and_mistakes(capsys):
    expected = [w.tweets for w in lesson03.windows(4, 2)]
    per_batch = list(lesson03.per_batch("tweets"))
    assert expected == [sum(per_batch[a - 1 : b]) for a, b in window_spans(6, 4, 2, tail=True)]
    assert check.exercise_3_2(expected)
    assert capsys.readouterr().out == (
        "✓ right: tweets in each of the 4 windows of 4 s every 2 s that hold some of the 6 batches\n"
    )
    assert check.exercise_3_2([*expected, 0, 0])  # the stream ran on after the data had gone
    how = (
        "countByWindow(4, 2) on the stream of lines (each line is one tweet), on a StreamingContext with a "
        "checkpoint folder"
    )
    wrong(
        check.exercise_3_2(expected[:2]),
        "right so far, but 2 of 4 windows: keep the stream running until batch 8, the end of the last window "
        "that still holds batch 6",
    )
    wrong(check.exercise_3_2(per_batch), f"these are tweets per batch: count over a window instead, {how}")
    wrong(
        check.exercise_3_2(list(accumulate(per_batch))),
        f"these are running totals: a window forgets the batches that left it — {how}",
    )
    wrong(
        check.exercise_3_2([sum(per_batch[a - 1 : b]) for a, b in window_spans(6, 2, 2, tail=True)]),
        "that is a window of 2 s sliding every 2 s; the exercise asks for 4 s every 2 s "
        "(with 1 s batches: 4 and 2 batches)",
    )
    wrong(
        check.exercise_3_2([[n] for n in expected]),
        "each window should be one number, not a list: take it out of the RDD, e.g. rdd.collect()[0]",
    )
    wrong(check.exercise_3_2([1, 2, 3, 4]), f"window 1 is not right (1): {how}")
    results = [check.exercise_3_2(x) for x in (expected, per_batch, [1, 2, 3, 4], None)]
    hides_list(expected, *results)
    assert all(str(n) not in r.message for n in expected for r in results)


def test_3_3_right_and_mistakes(capsys):
    assert (lesson03.WORD_WINDOW_S, lesson03.WORD_SLIDE_S) == (6, 1)
    assert lesson03.WORD_WINDOW_S >= 5 * lesson03.WORD_SLIDE_S  # pyspark takes the inverse path from 5 slides
    expected = [w.count("hate") for w in lesson03.windows(6, 1)]
    words = list(lesson03.per_batch("word"))
    assert expected == [sum(words[a - 1 : b]) for a, b in window_spans(6, 6, 1, tail=True)]
    assert len(expected) == 11 and expected[-1] > 0
    assert check.exercise_3_3(expected)
    assert capsys.readouterr().out == (
        "✓ right: 'hate' in each of the 11 windows of 6 s every 1 s that hold some of the 6 batches\n"
    )
    assert check.exercise_3_3([*expected, 0])
    tweets_with = list(lesson03.per_batch("tweets with word"))
    assert tweets_with != words  # some tweets say it twice
    wrong(
        check.exercise_3_3([sum(tweets_with[a - 1 : b]) for a, b in window_spans(6, 6, 1, tail=True)]),
        "you counted tweets that contain 'hate'; count every occurrence of the word",
    )
    old = [sum(words[a - 1 : b]) for a, b in window_spans(6, 6, 2, tail=True)]  # the old 3-slide window
    wrong(
        check.exercise_3_3(old),
        "that is a window of 6 s sliding every 2 s; the exercise asks for 6 s every 1 s "
        "(with 1 s batches: 6 and 1 batches)",
    )
    how = "pairs (word, 1), reduceByKeyAndWindow(add, sub, 6, 1), then each window's dict(rdd.collect()).get('hate', 0)"
    wrong(check.exercise_3_3(words), f"these are 'hate' per batch: count over a window instead, {how}")
    results = [check.exercise_3_3(x) for x in (expected, old, words, None)]
    hides_list(expected, *results)
