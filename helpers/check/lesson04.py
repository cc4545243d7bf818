"""Self-checks for notebook 04 (state and checkpoints): state per word, the join back, what needs what.

``check.exercise_4_1(answer)`` … ``check.exercise_4_5(answer)`` print ✓ or ✗ with what is wrong and why,
never the right values. Exercise 4.5 recovers a stream of files in the learner's kernel; its totals are those of
the first three batches, each counted once.
The right answers are worked out in plain Python (``helpers.counting.summarise``, no Spark) over
``exercise_batches()``: the lines the notebook streams, ``batches_of(merged_lines(sample_files()), 1500)``,
the first 6, one batch a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache
from itertools import islice
from typing import Any

from helpers import paths
from helpers.check.base import Verdict, as_pairs, is_dstream, is_number, verdict
from helpers.check.lesson00 import is_rdd, not_answered
from helpers.counting import summarise
from helpers.model import rank_key
from helpers.sample import batches_of, merged_lines
from helpers.state import WindowState

__all__ = ["exercise_4_1", "exercise_4_2", "exercise_4_3", "exercise_4_4", "exercise_4_5"]

#: The notebook streams the first BATCHES batches of BATCH_LINES lines of the merged sample, 1 s a batch.
BATCH_LINES, BATCHES = 1500, 6
#: Exercise 4.2: the learner's own join back, on a JOIN_WINDOW_S window sliding every JOIN_SLIDE_S.
JOIN_WINDOW_S, JOIN_SLIDE_S = 3, 3
#: Exercise 4.3 (and the lesson): the current view of a WINDOW_S window sliding every SLIDE_S.
WINDOW_S, SLIDE_S = 4, 2
#: Exercise 4.3: words with at least this running total, the TOP largest shares.
MIN_TOTAL, TOP = 100, 5

#: Exercise 4.4: which of these refuse to start without ``ssc.checkpoint(folder)``, and why.
NEEDS_CHECKPOINT: dict[str, tuple[str, bool, str]] = {
    "a": (
        "counts.window(4, 2)",
        False,
        "window() keeps the last batches' RDDs and unites them; nothing is built on an earlier result",
    ),
    "b": (
        "counts.reduceByKeyAndWindow(add, sub, 4, 2)",
        True,
        "with the inverse function each window is the previous window plus the new batches minus the old "
        "ones: a chain of results that grows every slide, so Spark saves it now and then",
    ),
    "c": (
        "counts.reduceByKeyAndWindow(add, None, 4, 2)",
        False,
        "without an inverse function each window is added up afresh from its batches: no chain of results",
    ),
    "d": (
        "counts.updateStateByKey(update)",
        True,
        "each batch's state is built on the previous batch's state: without saving it now and then, the "
        "lineage would reach back to the first batch",
    ),
    "e": (
        "lines.countByWindow(4, 2)",
        True,
        "countByWindow is a reduceByWindow with an inverse function (it adds the new batches' counts and "
        "subtracts the old ones): the same chain as (b)",
    ),
    "f": (
        "counts.foreachRDD(save)",
        False,
        "an output operation runs once per batch on that batch's RDD and keeps nothing",
    ),
}

#: Exercise 4.5: the batches dropped as files before the stop (the first two), and while nothing ran (the third).
BEFORE_STOP, WHILE_STOPPED = 2, 1


# --- the right answers, in plain Python --------------------------------------------------------------


@cache
def exercise_batches() -> tuple[tuple[str, ...], ...]:
    """The lines of each batch the notebook streams: ``batches_of(merged_lines(sample_files()), 1500)``, 6."""
    lines = merged_lines(paths.sample_files())
    return tuple(tuple(b) for b in islice(batches_of(lines, BATCH_LINES), BATCHES))


@cache
def batch_counts() -> tuple[Counter[str], ...]:
    """Each batch's word counts (``summarise``: stopwords dropped, as ``pipeline.word_counts``)."""
    return tuple(summarise(b).words for b in exercise_batches())


def batches_per_word(upto: int = BATCHES) -> Counter[str]:
    """Word → in how many of the first ``upto`` batches it came at least once."""
    return Counter(w for counts in batch_counts()[:upto] for w in counts)


def running_totals(upto: int = BATCHES) -> Counter[str]:
    """Word → how often it came in the first ``upto`` batches."""
    total: Counter[str] = Counter()
    for counts in batch_counts()[:upto]:
        total.update(counts)
    return total


@cache
def current_view(upto: int = BATCHES, window_s: int = WINDOW_S, slide_s: int = SLIDE_S) -> dict[str, tuple[int, int]]:
    """Word → (count in the window, running total) after batch ``upto`` (a multiple of the slide).

    From the reference engine, which works out the same "current" view as the lesson's join back.
    """
    engine = WindowState(window=window_s, slide=slide_s, top_n=10**9)  # 1 s batches: seconds are batches
    for batch in exercise_batches()[:upto]:
        snapshot = engine.process(batch)
    return {r.word: (r.count, r.total) for r in snapshot.top}


def trending(view: Mapping[str, tuple[int, int]], min_total: int = MIN_TOTAL, n: int = TOP) -> list[str]:
    """The ``n`` words with the largest window count ÷ running total (total ≥ ``min_total``), ties by word."""
    kept = [(w, c / t) for w, (c, t) in view.items() if t >= min_total]
    return [w for w, _ in sorted(kept, key=rank_key)[:n]]


def _not_collected(answer: object) -> Verdict | None:
    """The ✗ for a DStream or RDD handed in instead of the values it holds, or None."""
    if is_dstream(answer):
        return verdict(
            False,
            "",
            "that is a DStream, the description of a stream: collect its RDD in foreachRDD, e.g. "
            "seen.append(dict(rdd.collect())), and hand in the values",
        )
    if is_rdd(answer):
        return verdict(
            False, "", "that is an RDD, a recipe Spark has not run yet: dict(rdd.collect()) gives its values"
        )
    return None


# --- the exercises ------------------------------------------------------------------------------------


def exercise_4_1(answer: Any) -> Verdict:
    """Word → in how many of the 6 batches it came (the state of updateStateByKey after the last batch)."""
    if answer is None:
        return not_answered()
    not_values = _not_collected(answer)
    if not_values is not None:
        return not_values
    expected = batches_per_word()
    pairs = as_pairs(answer, "word", sorted(expected.items())[:2])
    if isinstance(pairs, str):
        return verdict(False, "", pairs)
    got = dict(pairs)
    if got == expected:
        every = sum(1 for n in expected.values() if n == BATCHES)
        return verdict(
            True,
            f"right: {len(expected)} words, {every} of them in all {BATCHES} batches — the state carried "
            "each word's number from batch to batch",
            "",
        )
    if got == running_totals():
        return verdict(
            False,
            "",
            "these are running totals (how often each word came): count a batch once for a word that came in "
            "it, whatever its count there",
        )
    if got and all(n in (0, 1) for n in got.values()):
        return verdict(
            False,
            "",
            "every word has 1 (or 0): your update function forgets the old state; what it returns must build "
            "on old (None before the word's first batch)",
        )
    missing = sorted(expected.keys() - got.keys())
    if missing:
        return verdict(
            False,
            "",
            f"{len(missing)} word(s) missing, e.g. '{missing[0]}': in a batch without a word, new is [] — "
            "return the old state then; a returned None removes the word from the state",
        )
    extra = sorted(got.keys() - expected.keys())
    if extra:
        return verdict(False, "", f"'{extra[0]}' is not a word of the batches: count the words of word_counts")
    if all(got[w] >= n for w, n in expected.items()):
        over = next(w for w, n in sorted(expected.items()) if got[w] > n)
        return verdict(
            False,
            "",
            f"'{over}' is counted in batches in which it did not come: the update function runs for every word "
            "in every batch, also when new is [] — count a batch only when the word is in it",
        )
    word = next(w for w in sorted(expected) if got[w] != expected[w])
    return verdict(
        False,
        "",
        f"'{word}' has the wrong number of batches: count 1 for each batch in which it came, and keep the old "
        "state in the others",
    )


def _is_view(x: object) -> bool:
    """True for one whole view: a dict, or a list of (word, …) pairs (not a single pair)."""
    return isinstance(x, Mapping) or (isinstance(x, (list, tuple)) and (not x or isinstance(x[0], (list, tuple))))


def _as_view(answer: Any) -> dict[Any, Any] | str:
    """The answer as a dict word → value (from a dict or ``rdd.collect()`` pairs), or the sentence saying why not."""
    if isinstance(answer, Mapping):
        return dict(answer)
    if not isinstance(answer, (list, tuple)):
        return f"expected a dict {{word: (window count, total)}}, e.g. dict(rdd.collect()); got {type(answer).__name__}"
    if answer and all(_is_view(x) for x in answer):
        return f"that looks like a list of views, one per slide: hand in one view, the last (after batch {BATCHES})"
    if not all(isinstance(x, (list, tuple)) and len(x) == 2 for x in answer):
        return "each entry should be a (word, (window count, total)) pair, as window.join(...) gives them"
    view = dict(answer)
    if len(view) != len(answer):
        return (
            "some words come more than once: the totals you joined hold several states per word — sample one "
            "state per slide (a window of one batch)"
        )
    return view


def exercise_4_2(answer: Any) -> Verdict:
    """Your join back on a 3 s window sliding every 3 s: word → (window count, total) after batch 6."""
    if answer is None:
        return not_answered()
    not_values = _not_collected(answer)
    if not_values is not None:
        return not_values
    got = _as_view(answer)
    if isinstance(got, str):
        return verdict(False, "", got)
    bad = next((v for v in got.values() if not (isinstance(v, (list, tuple)) and len(v) == 2)), None)
    if bad is not None:
        return verdict(
            False,
            "",
            f"each word needs two numbers, (window count, total), not one {type(bad).__name__}: "
            "join the window with the totals",
        )
    if any(None in v for v in got.values()):
        return verdict(
            False,
            "",
            "some words have None for a count: an outer join keeps words found on one side only; a plain join "
            "keeps the words of the window, each with its total",
        )
    got = {w: tuple(v) for w, v in got.items()}
    expected = current_view(BATCHES, JOIN_WINDOW_S, JOIN_SLIDE_S)
    first = BATCHES - JOIN_WINDOW_S + 1
    if got == expected:
        return verdict(
            True,
            f"right: {len(expected)} words, each with its count in batches {first}–{BATCHES} and its total "
            f"since batch 1 — the window joined back to the running state",
            "",
        )
    mistakes = {
        "each pair is (total, window count): call join on the window, window.join(totals sampled), so the "
        "window's count comes first": {w: (t, c) for w, (c, t) in expected.items()},
        f"that is an earlier view: hand in the last one, after batch {BATCHES} (its window holds batches "
        f"{first}–{BATCHES})": current_view(JOIN_SLIDE_S, JOIN_WINDOW_S, JOIN_SLIDE_S),
        f"that is the lesson's view (a {WINDOW_S} s window sliding every {SLIDE_S} s): build the window of this "
        f"exercise, {JOIN_WINDOW_S} s sliding every {JOIN_SLIDE_S} s": current_view(BATCHES, WINDOW_S, SLIDE_S),
        "the first numbers are one batch's counts: join the window (reduceByKeyAndWindow over "
        f"{JOIN_WINDOW_S} s), not the batch's counts": {
            w: (c, running_totals()[w]) for w, c in batch_counts()[-1].items()
        },
    }
    for why, wrong in mistakes.items():
        if got == wrong:
            return verdict(False, "", why)
    missing = sorted(expected.keys() - got.keys())
    if missing:
        return verdict(
            False,
            "",
            f"{len(missing)} word(s) of the window missing, e.g. '{missing[0]}': every word that came in batches "
            f"{first}–{BATCHES} belongs in the view",
        )
    extra = sorted(got.keys() - expected.keys())
    if extra:
        return verdict(
            False,
            "",
            f"'{extra[0]}' did not come in batches {first}–{BATCHES}: the view holds the window's words only "
            "(a word whose window count fell to 0 is dropped by filterFunc)",
        )
    if all(got[w][1] == t for w, (_, t) in expected.items()):
        return verdict(
            False,
            "",
            f"the totals are right, the window counts are not: the window holds the last {JOIN_WINDOW_S} batches "
            f"and moves every {JOIN_SLIDE_S} s",
        )
    if all(got[w][0] == c for w, (c, _) in expected.items()):
        return verdict(
            False,
            "",
            "the window counts are right, the totals are not: join the latest state of updateStateByKey, each "
            "word's total since batch 1",
        )
    return verdict(
        False,
        "",
        f"the words are right, their numbers are not: the window count covers batches {first}–{BATCHES}, the "
        "total every batch since the first",
    )


def _words(answer: Any) -> list[Any] | str:
    """The answer as a list of words (the first item of pairs), or the sentence saying why not."""
    if isinstance(answer, Mapping):
        return "expected a list of words, highest share first, not a dict (a dict has no order to check)"
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return f"expected a list of {TOP} words, highest share first; got {type(answer).__name__}"
    items = list(answer)
    return [x[0] if isinstance(x, (list, tuple)) and x else x for x in items]


def exercise_4_3(answer: Any) -> Verdict:
    """The 5 words with the largest window count ÷ running total (total ≥ 100) after batch 6, highest first."""
    if answer is None:
        return not_answered()
    not_values = _not_collected(answer)
    if not_values is not None:
        return not_values
    words = _words(answer)
    if isinstance(words, str):
        return verdict(False, "", words)
    if not all(isinstance(w, str) for w in words):
        return verdict(False, "", "each entry should be a word (a string) or a (word, …) pair with the word first")
    view = current_view()
    expected = trending(view)
    if words == expected:
        c, t = view[expected[0]]
        return verdict(
            True,
            f"right: {', '.join(expected)} — '{expected[0]}' came {c} times in the last {WINDOW_S} batches out "
            f"of {t} in all: on the rise",
            "",
        )
    if len(words) != TOP:
        return verdict(False, "", f"you have {len(words)} words, expected {TOP}")
    if sorted(words) == sorted(expected):
        return verdict(False, "", "the right words, not in order: the largest share (window ÷ total) first")
    frequent = [(w, c / t) for w, (c, t) in view.items() if t >= MIN_TOTAL]
    mistakes = {
        f"include only words with a running total of at least {MIN_TOTAL}: rare words get large shares by "
        "chance": trending(view, min_total=0),
        "these are the smallest shares: sort by window ÷ total, largest first": [
            w for w, _ in sorted(frequent, key=lambda ws: (ws[1], ws[0]))[:TOP]
        ],
        "these are the window's most frequent words: rank by window count ÷ running total": [
            w for w, _ in sorted(view.items(), key=lambda kv: (-kv[1][0], kv[0]))[:TOP]
        ],
        "these are the words with the largest running totals: rank by window count ÷ running total": [
            w for w, _ in sorted(view.items(), key=lambda kv: (-kv[1][1], kv[0]))[:TOP]
        ],
    }
    for why, wrong in mistakes.items():
        if words == wrong:
            return verdict(False, "", why)
    if any(words == trending(current_view(upto)) for upto in range(SLIDE_S, BATCHES, SLIDE_S)):
        return verdict(
            False,
            "",
            f"that is an earlier view: take the last one, after batch {BATCHES} (its window holds batches "
            f"{BATCHES - WINDOW_S + 1}–{BATCHES})",
        )
    unknown = next((w for w in words if w not in view), None)
    if unknown is not None:
        return verdict(False, "", f"'{unknown}' is not in the current view after batch {BATCHES}")
    low = next(w for w in words if w not in expected)
    c, t = view[low]
    return verdict(
        False,
        "",
        f"'{low}' ({c} of {t}, {c / t:.3f}) is not among the {TOP} largest shares: keep words with a total of at "
        f"least {MIN_TOTAL}, then sort by window ÷ total, largest first",
    )


def _choices(answer: Any, allowed: Iterable[str], normalise: Mapping[str, str] | None = None) -> set[str] | str:
    """A set of lower-case choices from a string, list, tuple or set, or the sentence saying why not."""
    names = sorted(allowed)
    if isinstance(answer, str):
        items = answer.replace(",", " ").split()
        if len(items) == 1 and items[0].lower() not in names and set(items[0].lower()) <= set(names):
            items = list(items[0])  # "bd" for {"b", "d"}
    elif isinstance(answer, (list, tuple, set, frozenset)):
        items = list(answer)
    else:
        return f"expected a set of choices such as {{'{names[0]}'}}; got {type(answer).__name__}"
    got = set()
    for item in items:
        if not isinstance(item, str):
            return f"each choice is a string, one of {', '.join(names)}; {item!r} is not"
        key = item.strip().lower()
        key = (normalise or {}).get(key, key)
        if key not in names:
            return f"'{item}' is not one of the choices: {', '.join(names)}"
        got.add(key)
    return got


def exercise_4_4(answer: Any) -> Verdict:
    """Which of the operations (a)–(f) refuse to start without ``ssc.checkpoint(folder)``."""
    if answer is None:
        return not_answered()
    got = _choices(answer, NEEDS_CHECKPOINT)
    if isinstance(got, str):
        return verdict(False, "", got)
    expected = {k for k, (_, needs, _) in NEEDS_CHECKPOINT.items() if needs}
    if got == expected:
        return verdict(
            True,
            f"right: {', '.join(sorted(expected))} — each builds on its own earlier result, so Spark saves "
            "that result to the checkpoint folder every few batches and cuts the lineage there",
            "",
        )
    extra = sorted(got - expected)
    if extra:
        k = extra[0]
        return verdict(False, "", f"({k}) {NEEDS_CHECKPOINT[k][0]} starts without one: {NEEDS_CHECKPOINT[k][2]}")
    return verdict(
        False,
        "",
        "some of those you left out refuse to start without a folder too: look for each operation that builds "
        "its next result on its own previous one (an inverse function works that way), a chain Spark must cut",
    )


def recovered_totals(dropped: int = BEFORE_STOP + WHILE_STOPPED) -> Counter[str]:
    """Word → total over the first ``dropped`` batches, each counted once: what the recovered state holds."""
    return Counter(summarise([line for batch in exercise_batches()[:dropped] for line in batch]).words)


def exercise_4_5(answer: Any) -> Verdict:
    """``(totals, len(created))`` of the recovered stream: word totals of batches 1–3, and create called once.

    Batches 1 and 2 were dropped while the stream ran, batch 3 while it was stopped; the second
    ``getOrCreate`` must rebuild the stream from the checkpoint, so ``create`` runs once in all.
    """
    if answer is None:
        return not_answered()
    if not (isinstance(answer, (list, tuple)) and len(answer) == 2 and not isinstance(answer[1], (list, tuple))):
        return verdict(
            False,
            "",
            "expected a pair (totals, len(created)): the totals file's {word: total} after the restart, and how "
            "many times create ran",
        )
    totals, created = answer
    not_values = _not_collected(totals)
    if not_values is not None:
        return not_values
    if not is_number(created) or int(created) != created:
        return verdict(False, "", f"the second item is how many times create ran, a whole number; got {created!r}")
    expected = recovered_totals()
    pairs = as_pairs(totals, "word", sorted(expected.items())[:2])
    if isinstance(pairs, str):
        return verdict(False, "", pairs)
    got = dict(pairs)
    if created == 0:
        return verdict(
            False, "", "create ran 0 times: count its calls inside create (created.append(1)), then hand in the count"
        )
    if got == expected and created == 1:
        return verdict(
            True,
            f"right: {len(expected)} words, the {BEFORE_STOP + WHILE_STOPPED} files each counted once, and create "
            "ran once — the second getOrCreate rebuilt the stream, its state and the file list from the checkpoint",
            "",
        )
    if created > 1:
        return verdict(
            False,
            "",
            "create ran more than once: the second getOrCreate found no checkpoint and built a new stream, whose "
            "state starts empty and which ignores files that were there before it started — call getOrCreate with "
            "the same folder, and let ssc.checkpoint(folder) in create set that folder",
        )
    if not got:
        return verdict(
            False,
            "",
            "the totals are empty: the stream counted none of the files — drop them after ssc.start() (a file "
            "stream reads only files that appear after it started), and wait for a batch later than each drop",
        )
    if got == recovered_totals(BEFORE_STOP):
        return verdict(
            False,
            "",
            "the file dropped while nothing ran is missing: after the restart, wait until the totals file holds a "
            "batch later than that drop before you stop and read it",
        )
    if got == dict(batch_counts()[BEFORE_STOP]):
        return verdict(
            False,
            "",
            "only the file dropped while nothing ran is in: the state of the first run is lost — the restarted "
            "stream must come from the same checkpoint folder, not from a new one",
        )
    if all(got.get(w, 0) >= n for w, n in expected.items()):
        return verdict(
            False,
            "",
            "some words are counted more than once: the state already holds each word's total, so the output "
            "must rewrite the file with it after every batch — an output that adds to the file counts again "
            "every batch (and every batch a restart runs again)",
        )
    return verdict(
        False,
        "",
        f"the totals are not those of the {BEFORE_STOP + WHILE_STOPPED} files: count batches[0] and batches[1] "
        "dropped while the stream runs and batches[2] while it is stopped, with count_words and "
        "updateStateByKey(update_total)",
    )
