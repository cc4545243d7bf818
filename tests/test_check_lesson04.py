"""The self-checks of notebook 04: each accepts the right answer and names the mistake in a wrong one.

Expected values come from the checks' own plain-Python answers (``lesson04.batches_per_word()`` …), so
these tests follow the shipped sample if it is regenerated. No Spark: the checks never need it.
"""

from __future__ import annotations

import pytest
from checks import FakeRDD, right, wrong

from helpers import check
from helpers.check import lesson04
from helpers.check.lesson00 import NOT_ANSWERED

EXERCISES = [check.exercise_4_1, check.exercise_4_2, check.exercise_4_3, check.exercise_4_4]


class FakeDStream:
    """Looks like a pyspark DStream to the checks."""

    _jdstream = None

    def foreachRDD(self, func):
        pass


def test_exported():
    assert lesson04.__all__ == ["exercise_4_1", "exercise_4_2", "exercise_4_3", "exercise_4_4"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_none_is_not_answered_yet(exercise, capsys):
    wrong(exercise(None), NOT_ANSWERED)
    assert capsys.readouterr().out == f"✗ {NOT_ANSWERED}\n"


def test_the_batches_are_the_notebooks():
    batches = lesson04.exercise_batches()
    assert [len(b) for b in batches] == [lesson04.BATCH_LINES] * lesson04.BATCHES
    assert all(isinstance(line, str) for b in batches for line in b)


# --- 4.1 batches per word ----------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", [check.exercise_4_1, check.exercise_4_2], ids=lambda f: f.__name__)
def test_streams_and_rdds_are_not_values(exercise):
    wrong(
        exercise(FakeDStream()),
        "that is a DStream, the description of a stream: collect its RDD in foreachRDD, e.g. "
        "seen.append(dict(rdd.collect())), and hand in the values",
    )
    wrong(exercise(FakeRDD()), "that is an RDD, a recipe Spark has not run yet: dict(rdd.collect()) gives its values")


def test_4_1_right_as_dict_or_pairs():
    expected = lesson04.batches_per_word()
    right(check.exercise_4_1(dict(expected)))
    right(check.exercise_4_1(sorted(expected.items())))
    assert set(expected.values()) <= set(range(1, lesson04.BATCHES + 1))
    assert min(expected.values()) < lesson04.BATCHES  # some words skip a batch: the check can tell


def test_4_1_running_totals():
    wrong(
        check.exercise_4_1(dict(lesson04.running_totals())),
        "these are running totals (how often each word came): count a batch once for a word that came in it, "
        "whatever its count there — (old or 0) + 1 when new is not empty",
    )


def test_4_1_forgot_the_old_state():
    last = lesson04.batch_counts()[-1]
    wrong(
        check.exercise_4_1({w: 1 for w in last}),
        "every word has 1 (or 0): your update function forgets the old state; add to it, e.g. "
        "(old or 0) + (1 if new else 0)",
    )


def test_4_1_dropped_words():
    expected = dict(lesson04.batches_per_word())
    gone = min(w for w, n in expected.items() if n < lesson04.BATCHES)
    del expected[gone]
    wrong(
        check.exercise_4_1(expected),
        f"1 word(s) missing, e.g. '{gone}': in a batch without a word, new is [] — return the old state then; "
        "a returned None removes the word from the state",
    )


def test_4_1_counted_every_batch_after_the_first():
    first = {}
    for i, counts in enumerate(lesson04.batch_counts()):
        for w in counts:
            first.setdefault(w, i)
    plus_one = {w: lesson04.BATCHES - i for w, i in first.items()}  # update = (old or 0) + 1
    expected = lesson04.batches_per_word()
    over = min(w for w in expected if plus_one[w] > expected[w])
    wrong(
        check.exercise_4_1(plus_one),
        f"'{over}' has {plus_one[over]} but came in {expected[over]} batches: add 1 only when the word is in the "
        "batch (new is not empty); the update function runs for every word in every batch, even empty ones",
    )


def test_4_1_shapes():
    wrong(
        check.exercise_4_1(3), "expected a list of (word, count) pairs like [('#aurora', 6), ('#climate', 6)]; got int"
    )
    wrong(
        check.exercise_4_1([(6, "#aurora")]),
        "your pairs look like (count, word): put the word first, e.g. ('#aurora', 6)",
    )
    extra = dict(lesson04.batches_per_word(), zzz=1)
    wrong(check.exercise_4_1(extra), "'zzz' is not a word of the batches: count the words of word_counts")


# --- 4.2 trending words -------------------------------------------------------------------------------


def test_4_2_right():
    view = lesson04.current_view()
    expected = lesson04.trending(view)
    assert len(expected) == lesson04.TOP
    result = check.exercise_4_2(expected)
    right(result)
    assert expected[0] in result.message
    right(check.exercise_4_2([(w, view[w]) for w in expected]))  # (word, (window, total)) pairs
    right(check.exercise_4_2(tuple(expected)))


def test_4_2_order_and_size():
    expected = lesson04.trending(lesson04.current_view())
    wrong(
        check.exercise_4_2(expected[::-1]),
        "the right words, not in order: the largest share (window ÷ total) first",
    )
    wrong(check.exercise_4_2(expected[:4]), "you have 4 words, expected 5")
    wrong(
        check.exercise_4_2(dict.fromkeys(expected, 1)),
        "expected a list of words, highest share first, not a dict (a dict has no order to check)",
    )
    wrong(check.exercise_4_2("fail"), "expected a list of 5 words, highest share first; got str")
    wrong(
        check.exercise_4_2([1, 2, 3, 4, 5]),
        "each entry should be a word (a string) or a (word, …) pair with the word first",
    )


def test_4_2_named_mistakes():
    view = lesson04.current_view()
    wrong(
        check.exercise_4_2(lesson04.trending(view, min_total=0)),
        "include only words with a running total of at least 100: rare words get large shares by chance",
    )
    by_window = [w for w, _ in sorted(view.items(), key=lambda kv: (-kv[1][0], kv[0]))[:5]]
    wrong(
        check.exercise_4_2(by_window),
        "these are the window's most frequent words: rank by window count ÷ running total",
    )
    wrong(
        check.exercise_4_2(lesson04.trending(lesson04.current_view(4))),
        "that is an earlier view: take the last one, after batch 6 (its window holds batches 3–6)",
    )


def test_4_2_other_words():
    view = lesson04.current_view()
    expected = lesson04.trending(view)
    wrong(check.exercise_4_2([*expected[:4], "zzz"]), "'zzz' is not in the current view after batch 6")
    not_top = next(w for w, (c, t) in sorted(view.items()) if t >= 100 and w not in expected)
    c, t = view[not_top]
    wrong(
        check.exercise_4_2([*expected[:4], not_top]),
        f"'{not_top}' ({c} of {t}, {c / t:.3f}) is not among the 5 largest shares: keep words with a total of at "
        "least 100, then sort by window ÷ total, largest first",
    )


# --- 4.3 what needs a checkpoint ---------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["bde", "b, d, e", "b d e", ["b", "d", "e"], {"B", "D", "E"}, ("e", "d", "b")])
def test_4_3_right(answer):
    right(check.exercise_4_3(answer))


def test_4_3_wrong():
    wrong(
        check.exercise_4_3({"b", "d"}),
        "(e) lines.countByWindow(4, 2) needs one: countByWindow is a reduceByWindow with an inverse function (it "
        "adds the new batches' counts and subtracts the old ones): the same chain as (b)",
    )
    wrong(
        check.exercise_4_3("abde"),
        "(a) counts.window(4, 2) starts without one: window() keeps the last batches' RDDs and unites them; "
        "nothing is built on an earlier result",
    )
    wrong(
        check.exercise_4_3({"b", "c", "d", "e"}),
        "(c) counts.reduceByKeyAndWindow(add, None, 4, 2) starts without one: without an inverse function each "
        "window is added up afresh from its batches: no chain of results",
    )
    wrong(check.exercise_4_3(["b", "z"]), "'z' is not one of the choices: a, b, c, d, e, f")
    wrong(check.exercise_4_3(4), "expected a set of choices such as {'a'}; got int")


# --- 4.4 which sources recover -------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["files", ["files"], {"Files"}, "textFileStream", ("file",)])
def test_4_4_right(answer):
    right(check.exercise_4_4(answer))


def test_4_4_wrong():
    wrong(
        check.exercise_4_4({"files", "queue"}),
        "not queue: the RDDs of a queue stream live in the driver's memory, and Spark cannot save them in the "
        "checkpoint (it warns 'queueStream doesn't support checkpointing'): they die with the driver",
    )
    assert check.exercise_4_4(["socket", "files"]).message.startswith("not socket: lines a receiver had taken")
    wrong(
        check.exercise_4_4(set()),
        "files lose nothing: the files stay in the folder, and the checkpoint records which files each batch "
        "read, so missed batches read them again and new files are found",
    )
    wrong(check.exercise_4_4("kafka"), "'kafka' is not one of the choices: files, queue, socket")
