"""The self-checks of notebooks 02 and 03: each accepts the right answer, and names the mistake in a wrong one.

Expected numbers come from the checks' own plain-Python answers (``lesson02.hashtags_per_batch()``,
``lesson03.windows(4, 2)`` …), so these tests follow the shipped sample if it is regenerated. No Spark.
"""

from __future__ import annotations

from collections import Counter
from itertools import accumulate

import pytest
from checks import FakeRDD, wrong

from helpers import check, paths, timeline
from helpers.check import lesson02, lesson03
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.engine import read_lines
from helpers.sources.queue import batches_of
from helpers.window_explorer import sample_batches

EXERCISES = [check.exercise_2_1, check.exercise_2_2, check.exercise_3_1, check.exercise_3_2, check.exercise_3_3]


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
    assert capsys.readouterr().out.startswith("✓ right: 4 batches, one dict each (batch 1: #climate ")
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
    wrong(
        check.exercise_2_1(off),
        f"batch 3: '#climate' {n + 1} vs {n} — parse each line (tweets.parse_line), drop None, "
        "flatMap(lambda t: t.hashtags), map to (tag, 1), reduceByKey(add)",
    )
    wrong(
        check.exercise_2_1(FakeRDD()), "that is an RDD: collect each batch inside foreachRDD, e.g. dict(rdd.collect())"
    )
    wrong(check.exercise_2_1(42), "expected a list with one dict per batch; got int")


# --- 2.2 languages over a socket -----------------------------------------------------------------------


def test_2_2_counts_the_lines_the_server_sends():
    lines = list(read_lines(paths.sample_files(["product_launch"])))[:1500]
    assert sum(lesson02.languages_sent().values()) == len(lines) == 1500


def test_2_2_right_and_mistakes(capsys):
    langs = dict(lesson02.languages_sent())
    assert check.exercise_2_2(langs)
    assert capsys.readouterr().out.startswith("✓ right: all 1,500 tweets the server sent (en ")
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
    assert "unexpected key(s) ['xx']" in check.exercise_2_2({**langs, "xx": 1}).message
    assert "your pairs look like (count, language)" in check.exercise_2_2([(n, k) for k, n in langs.items()]).message


# --- 3.1 which batches? --------------------------------------------------------------------------------


def test_3_1_right_and_mistakes(capsys):
    right = [(1, 2), (2, 4), (4, 6), (6, 8), (8, 10)]
    assert check.exercise_3_1(right)
    assert capsys.readouterr().out == (
        "✓ right: 5 windows of up to 3 batches, one every 2 batches; the first covers only batches 1–2, "
        "as nothing came before\n"
    )
    assert check.exercise_3_1([list(pair) for pair in right])
    wrong(
        check.exercise_3_1(timeline.window_spans(10, 6, 4)),
        "you took the seconds as batches: at 2 s a batch, a 6 s window is 3 batches and a 4 s slide is 2",
    )
    wrong(
        check.exercise_3_1([(1, 3), (3, 5), (5, 7), (7, 9)]),
        "windows end at multiples of the slide counted from the start: the first one ends at batch 2 and "
        "covers only batches 1–2, since nothing came before",
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
    wrong(check.exercise_3_1([(1, 2, 3)]), "each window is one (first, last) pair like (2, 4), not [1, 2, 3]")
    assert check.exercise_3_1("1-2, 2-4").message == "expected a list of (first, last) pairs like (2, 4); got str"


# --- 3.2 tweets per window, 3.3 one word through the windows --------------------------------------------


def test_3_2_and_3_3_use_the_notebooks_batches():
    assert [list(b) for b in lesson03.exercise_batches()] == sample_batches(count=6, minutes=10)


def test_3_2_right_and_mistakes(capsys):
    expected = [w.tweets for w in lesson03.windows(4, 2)]
    per_batch = list(lesson03.per_batch("tweets"))
    assert expected == [sum(per_batch[a - 1 : b]) for a, b in timeline.window_spans(6, 4, 2, tail=True)]
    assert check.exercise_3_2(expected)
    assert capsys.readouterr().out == (
        f"✓ right: tweets per window of 4 s every 2 s — {expected} (the last window still holds batch 6)\n"
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
        check.exercise_3_2([sum(per_batch[a - 1 : b]) for a, b in timeline.window_spans(6, 2, 2, tail=True)]),
        "that is a window of 2 s sliding every 2 s; the exercise asks for 4 s every 2 s "
        "(with 1 s batches: 4 and 2 batches)",
    )
    wrong(
        check.exercise_3_2([[n] for n in expected]),
        "each window should be one number, not a list: take it out of the RDD, e.g. rdd.collect()[0]",
    )
    wrong(check.exercise_3_2([1, 2, 3, 4]), f"window 1: 1 vs {expected[0]} — {how}")


def test_3_3_right_and_mistakes():
    expected = [w.count("hate") for w in lesson03.windows(6, 2)]
    assert len(expected) == 5 and expected[-1] > 0
    assert check.exercise_3_3(expected)
    assert check.exercise_3_3([*expected, 0])
    tweets_with = list(lesson03.per_batch("tweets with word"))
    assert tweets_with != list(lesson03.per_batch("word"))  # some tweets say it twice
    wrong(
        check.exercise_3_3([sum(tweets_with[a - 1 : b]) for a, b in timeline.window_spans(6, 6, 2, tail=True)]),
        "you counted tweets that contain 'hate'; count every occurrence of the word",
    )
    words = list(lesson03.per_batch("word"))
    wrong(
        check.exercise_3_3([sum(words[a - 1 : b]) for a, b in timeline.window_spans(6, 6, 3, tail=True)]),
        "that is a window of 6 s sliding every 3 s; the exercise asks for 6 s every 2 s "
        "(with 1 s batches: 6 and 2 batches)",
    )
    wrong(
        check.exercise_3_3(words),
        "these are 'hate' per batch: count over a window instead, pairs (word, 1), "
        "reduceByKeyAndWindow(add, sub, 6, 2), then each window's dict(rdd.collect()).get('hate', 0)",
    )
