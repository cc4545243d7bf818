"""The self-checks of notebook 04: each accepts the right answer and names the mistake in a wrong one.

Expected values come from the checks' own plain-Python answers (``lesson04.batches_per_word()`` …), so
these tests follow the shipped sample if it is regenerated; 4.5's totals are worked out here, independently of the
check. No Spark: the checks never need it (the solutions notebook runs 4.5's recovery for real). The last
tests read notebook 04 itself: the learner writes the Spark before the kit packages it.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

import pytest
from support.checks import FakeDStream, FakeRDD, right, wrong
from support.notebooks import code_cells

from helpers import check, paths, text, tweets
from helpers.check import lesson04
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.sample import batches_of, merged_lines

EXERCISES = [check.exercise_4_1, check.exercise_4_2, check.exercise_4_3, check.exercise_4_4, check.exercise_4_5]


def test_exported():
    assert lesson04.__all__ == ["exercise_4_1", "exercise_4_2", "exercise_4_3", "exercise_4_4", "exercise_4_5"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_none_is_not_answered_yet(exercise, capsys):
    wrong(exercise(None), NOT_ANSWERED)
    assert capsys.readouterr().out == f"✗ {NOT_ANSWERED}\n"


def test_the_batches_are_the_notebooks():
    batches = lesson04.exercise_batches()
    assert [len(b) for b in batches] == [lesson04.BATCH_LINES] * lesson04.BATCHES
    assert all(isinstance(line, str) for b in batches for line in b)


# --- 4.1 batches per word ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exercise", [check.exercise_4_1, check.exercise_4_2, check.exercise_4_3], ids=lambda f: f.__name__
)
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
        "whatever its count there",
    )


def test_4_1_forgot_the_old_state():
    last = lesson04.batch_counts()[-1]
    wrong(
        check.exercise_4_1({w: 1 for w in last}),
        "every word has 1 (or 0): your update function forgets the old state; what it returns must build on old "
        "(None before the word's first batch)",
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
        f"'{over}' is counted in batches in which it did not come: the update function runs for every word in "
        "every batch, also when new is [] — count a batch only when the word is in it",
    )


def test_4_1_wrong_number_without_the_number():
    expected = dict(lesson04.batches_per_word())
    word = min(w for w, n in expected.items() if n > 1)
    result = check.exercise_4_1({**expected, word: expected[word] - 1})
    wrong(
        result,
        f"'{word}' has the wrong number of batches: count 1 for each batch in which it came, and keep the old state "
        "in the others",
    )
    assert str(expected[word]) not in result.message


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


# --- 4.2 the join back, written by the learner ----------------------------------------------------------


def _join_view():
    return lesson04.current_view(lesson04.BATCHES, lesson04.JOIN_WINDOW_S, lesson04.JOIN_SLIDE_S)


def _no_answer_in(message, view):
    """None of the view's (window count, total) pairs is in ``message``: a wrong answer never shows the right one."""
    assert not any(f"({c}, {t})" in message or f"{c} of {t}" in message for c, t in view.values()), message


def test_4_2_the_reference_is_the_lessons_engine():
    view = _join_view()
    totals = lesson04.running_totals()
    last = sum((lesson04.batch_counts()[i] for i in range(3, 6)), start=type(totals)())
    assert view == {w: (c, totals[w]) for w, c in last.items()}  # batches 4-6 against batches 1-6
    assert len(view) == 224


def test_4_2_right_as_dict_or_collected_pairs():
    view = _join_view()
    result = check.exercise_4_2(dict(view))
    right(result)
    right(check.exercise_4_2(sorted(view.items())))  # what rdd.collect() gives
    right(check.exercise_4_2({w: list(v) for w, v in view.items()}))


def test_4_2_swapped_pairs():
    view = _join_view()
    result = check.exercise_4_2({w: (t, c) for w, (c, t) in view.items()})
    wrong(
        result,
        "each pair is (total, window count): call join on the window, window.join(totals sampled), so the "
        "window's count comes first",
    )
    _no_answer_in(result.message, view)


def test_4_2_named_mistakes():
    view = _join_view()
    cases = {
        "that is an earlier view: hand in the last one, after batch 6 (its window holds batches 4–6)": (
            lesson04.current_view(3, 3, 3)
        ),
        "that is the lesson's view (a 4 s window sliding every 2 s): build the window of this exercise, 3 s "
        "sliding every 3 s": lesson04.current_view(),
        "the first numbers are one batch's counts: join the window (reduceByKeyAndWindow over 3 s), not the "
        "batch's counts": {w: (c, lesson04.running_totals()[w]) for w, c in lesson04.batch_counts()[-1].items()},
    }
    for message, answer in cases.items():
        result = check.exercise_4_2(answer)
        wrong(result, message)
        _no_answer_in(result.message, view)


def test_4_2_outer_join_and_shapes():
    view = _join_view()
    outer = {**view, "zzz": (None, 3)}
    wrong(
        check.exercise_4_2(outer),
        "some words have None for a count: an outer join keeps words found on one side only; a plain join keeps "
        "the words of the window, each with its total",
    )
    wrong(
        check.exercise_4_2({w: c for w, (c, _) in view.items()}),
        "each word needs two numbers, (window count, total), not one int: join the window with the totals",
    )
    for views in ([sorted(view.items())], [dict(view), dict(view)]):
        wrong(
            check.exercise_4_2(views),
            "that looks like a list of views, one per slide: hand in one view, the last (after batch 6)",
        )
    wrong(
        check.exercise_4_2([*sorted(view.items()), ("love", (1, 2))]),
        "some words come more than once: the totals you joined hold several states per word — sample one state "
        "per slide (a window of one batch)",
    )
    wrong(check.exercise_4_2(7), "expected a dict {word: (window count, total)}, e.g. dict(rdd.collect()); got int")


def test_4_2_wrong_numbers():
    view = _join_view()
    gone = min(view)
    fewer = {w: v for w, v in view.items() if w != gone}
    wrong(
        check.exercise_4_2(fewer),
        f"1 word(s) of the window missing, e.g. '{gone}': every word that came in batches 4–6 belongs in the view",
    )
    wrong(
        check.exercise_4_2({**view, "zzz": (1, 1)}),
        "'zzz' did not come in batches 4–6: the view holds the window's words only (a word whose window count fell "
        "to 0 is dropped by filterFunc)",
    )
    off_window = {w: (c + 1, t) for w, (c, t) in view.items()}
    wrong(
        check.exercise_4_2(off_window),
        "the totals are right, the window counts are not: the window holds the last 3 batches and moves every 3 s",
    )
    off_total = {w: (c, t + 1) for w, (c, t) in view.items()}
    wrong(
        check.exercise_4_2(off_total),
        "the window counts are right, the totals are not: join the latest state of updateStateByKey, each word's "
        "total since batch 1",
    )
    for result in (check.exercise_4_2(off_window), check.exercise_4_2(off_total)):
        _no_answer_in(result.message, view)


# --- 4.3 trending words -------------------------------------------------------------------------------


def test_4_3_right():
    view = lesson04.current_view()
    expected = lesson04.trending(view)
    assert len(expected) == lesson04.TOP
    result = check.exercise_4_3(expected)
    right(result)
    assert expected[0] in result.message
    right(check.exercise_4_3([(w, view[w]) for w in expected]))  # (word, (window, total)) pairs
    right(check.exercise_4_3(tuple(expected)))


def test_4_3_order_and_size():
    expected = lesson04.trending(lesson04.current_view())
    wrong(
        check.exercise_4_3(expected[::-1]),
        "the right words, not in order: the largest share (window ÷ total) first",
    )
    wrong(check.exercise_4_3(expected[:4]), "you have 4 words, expected 5")
    wrong(
        check.exercise_4_3(dict.fromkeys(expected, 1)),
        "expected a list of words, highest share first, not a dict (a dict has no order to check)",
    )
    wrong(check.exercise_4_3("fail"), "expected a list of 5 words, highest share first; got str")
    wrong(
        check.exercise_4_3([1, 2, 3, 4, 5]),
        "each entry should be a word (a string) or a (word, …) pair with the word first",
    )


def test_4_3_named_mistakes():
    view = lesson04.current_view()
    wrong(
        check.exercise_4_3(lesson04.trending(view, min_total=0)),
        "include only words with a running total of at least 100: rare words get large shares by chance",
    )
    by_window = [w for w, _ in sorted(view.items(), key=lambda kv: (-kv[1][0], kv[0]))[:5]]
    wrong(
        check.exercise_4_3(by_window),
        "these are the window's most frequent words: rank by window count ÷ running total",
    )
    wrong(
        check.exercise_4_3(lesson04.trending(lesson04.current_view(4))),
        "that is an earlier view: take the last one, after batch 6 (its window holds batches 3–6)",
    )


def test_4_3_other_words():
    view = lesson04.current_view()
    expected = lesson04.trending(view)
    wrong(check.exercise_4_3([*expected[:4], "zzz"]), "'zzz' is not in the current view after batch 6")
    not_top = next(w for w, (c, t) in sorted(view.items()) if t >= 100 and w not in expected)
    c, t = view[not_top]
    wrong(
        check.exercise_4_3([*expected[:4], not_top]),
        f"'{not_top}' ({c} of {t}, {c / t:.3f}) is not among the 5 largest shares: keep words with a total of at "
        "least 100, then sort by window ÷ total, largest first",
    )


# --- 4.4 what needs a checkpoint ---------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["bde", "b, d, e", "b d e", ["b", "d", "e"], {"B", "D", "E"}, ("e", "d", "b")])
def test_4_4_right(answer):
    right(check.exercise_4_4(answer))


def test_4_4_wrong():
    left_out = (
        "some of those you left out refuse to start without a folder too: look for each operation that builds its "
        "next result on its own previous one (an inverse function works that way), a chain Spark must cut"
    )
    wrong(check.exercise_4_4({"b", "d"}), left_out)
    wrong(check.exercise_4_4(set()), left_out)
    wrong(
        check.exercise_4_4({"a", "b"}),
        "(a) counts.window(4, 2) starts without one: window() keeps the last batches' RDDs and unites them; "
        "nothing is built on an earlier result",
    )
    wrong(
        check.exercise_4_4("abde"),
        "(a) counts.window(4, 2) starts without one: window() keeps the last batches' RDDs and unites them; "
        "nothing is built on an earlier result",
    )
    wrong(
        check.exercise_4_4({"b", "c", "d", "e"}),
        "(c) counts.reduceByKeyAndWindow(add, None, 4, 2) starts without one: without an inverse function each "
        "window is added up afresh from its batches: no chain of results",
    )
    wrong(check.exercise_4_4(["b", "z"]), "'z' is not one of the choices: a, b, c, d, e, f")
    wrong(check.exercise_4_4(4), "expected a set of choices such as {'a'}; got int")


# --- 4.5 a stream recovered in the kernel ------------------------------------------------------------------


def _plain_totals(batches):
    """Word totals of ``batches`` in plain Python, the lesson's way: parse, drop malformed lines, tokenize."""
    total = Counter()
    for batch in batches:
        for line in batch:
            tweet = tweets.parse_line(line)
            if tweet is not None:
                total.update(text.tokenize(tweet.text))
    return total


@pytest.fixture(scope="module")
def recovered():
    """What the recovered state holds: batches 1-2 (dropped before the stop) and 3 (while stopped), once each."""
    batches = list(islice(batches_of(merged_lines(paths.sample_files()), 1500), 3))
    return dict(_plain_totals(batches)), dict(_plain_totals(batches[:2])), dict(_plain_totals(batches[2:]))


def test_4_5_right(recovered):
    totals, _, _ = recovered
    right(check.exercise_4_5((totals, 1)))
    right(check.exercise_4_5([sorted(totals.items()), 1]))  # rdd.collect() pairs work too


def test_4_5_state_lost_or_create_called_again(recovered):
    _, _, third = recovered
    again = (
        "create ran more than once: the second getOrCreate found no checkpoint and built a new stream, whose state "
        "starts empty and which ignores files that were there before it started — call getOrCreate with the same "
        "folder, and let ssc.checkpoint(folder) in create set that folder"
    )
    wrong(check.exercise_4_5(({}, 2)), again)
    wrong(check.exercise_4_5((third, 2)), again)
    wrong(
        check.exercise_4_5((third, 1)),
        "only the file dropped while nothing ran is in: the state of the first run is lost — the restarted stream "
        "must come from the same checkpoint folder, not from a new one",
    )


def test_4_5_counted_twice(recovered):
    totals, first_two, third = recovered
    doubled = (
        "some words are counted more than once: the state already holds each word's total, so the output must "
        "rewrite the file with it after every batch — an output that adds to the file counts again every batch "
        "(and every batch a restart runs again)"
    )
    wrong(check.exercise_4_5(({w: 2 * n for w, n in totals.items()}, 1)), doubled)
    twice = Counter(first_two) + Counter(first_two) + Counter(third)  # the first run re-read after the restart
    wrong(check.exercise_4_5((dict(twice), 1)), doubled)


def test_4_5_stopped_too_early_or_nothing_counted(recovered):
    _, first_two, _ = recovered
    wrong(
        check.exercise_4_5((first_two, 1)),
        "the file dropped while nothing ran is missing: after the restart, wait until the totals file holds a batch "
        "later than that drop before you stop and read it",
    )
    wrong(
        check.exercise_4_5(({}, 1)),
        "the totals are empty: the stream counted none of the files — drop them after ssc.start() (a file stream "
        "reads only files that appear after it started), and wait for a batch later than each drop",
    )


def test_4_5_shapes(recovered):
    totals, _, _ = recovered
    pair = (
        "expected a pair (totals, len(created)): the totals file's {word: total} after the restart, and how many "
        "times create ran"
    )
    wrong(check.exercise_4_5(totals), pair)
    wrong(check.exercise_4_5((totals, [True])), pair)
    wrong(
        check.exercise_4_5((totals, 0)),
        "create ran 0 times: count its calls inside create (created.append(1)), then hand in the count",
    )
    wrong(check.exercise_4_5((totals, "1")), "the second item is how many times create ran, a whole number; got '1'")
    wrong(
        check.exercise_4_5((FakeDStream(), 1)),
        "that is a DStream, the description of a stream: collect its RDD in foreachRDD, e.g. "
        "seen.append(dict(rdd.collect())), and hand in the values",
    )


def test_4_5_no_message_holds_the_answer(recovered, capsys):
    totals, first_two, _ = recovered
    word, n = max(totals.items(), key=lambda wn: (wn[1], wn[0]))
    for answer in ((totals, 1), (first_two, 1), None):
        message = check.exercise_4_5(answer).message
        assert f"'{word}'" not in message and str(n) not in message and str(sum(totals.values())) not in message


# --- the lesson itself: the learner writes the Spark before the kit packages it ---------------------------


def test_lesson_04_writes_state_window_and_join_before_any_packaged_helper():
    code = code_cells("04_state_and_checkpoints.ipynb")
    first_helper = next(i for i, src in enumerate(code) if re.search(r"pipeline\.\w+\(", src))
    written = "\n".join(code[:first_helper])
    for operation in [
        ".flatMap(",
        ".reduceByKey(add)",
        ".updateStateByKey(update_total)",
        ".reduceByKeyAndWindow(add, sub, 4, 2, filterFunc=",
        "totals.window(1, 2)",
        "window.join(latest)",
        "ssc.checkpoint(",
    ]:
        assert operation in written, f"{operation} is not written in a code cell before the first pipeline.* call"
    assert "assert packaged_views[:3] == views[:3]" in "\n".join(code[first_helper:])


def test_lesson_04_exercise_cells_are_unanswered_and_checked():
    code = code_cells("04_state_and_checkpoints.ipynb")
    for n in range(1, 6):
        assert f"answer = None  # your code here\ncheck.exercise_4_{n}(answer)" in code, f"exercise 4.{n}"
    solved = "\n".join(code_cells("solutions/04_state_and_checkpoints_solutions.ipynb"))
    for n in range(1, 6):
        assert f"assert check.exercise_4_{n}(answer)" in solved, f"solution 4.{n}"
