"""Self-checks for notebook 03 (windows): which batches a window covers, tweets and a word per window.

``check.exercise_3_1(answer)`` … ``check.exercise_3_3(answer)`` print ✓ or ✗ with what is wrong and why.
The right answers come from ``helpers.state.window_spans`` and ``helpers.state.python_windows``
(plain Python, ``helpers.state.WindowState``, no Spark) over ``exercise_batches()``, the batches the
notebook streams: ``sample.sample_batches(count=6, minutes=10)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from helpers.check.base import Verdict, verdict
from helpers.check.lesson00 import is_number, is_rdd, not_answered
from helpers.state import window_spans

if TYPE_CHECKING:
    from helpers.state import WindowResult

__all__ = ["exercise_3_1", "exercise_3_2", "exercise_3_3"]

#: Exercise 3.1: a stream of SPANS_BATCHES batches of SPANS_BATCH_S seconds, window and slide in seconds.
SPANS_BATCH_S, SPANS_WINDOW_S, SPANS_SLIDE_S, SPANS_BATCHES = 2, 6, 4, 10
#: Exercises 3.2 and 3.3 stream EXERCISE_BATCHES batches of 10 minutes of the sample, one a second.
EXERCISE_BATCHES, EXERCISE_MINUTES, EXERCISE_BATCH_S = 6, 10, 1
TWEETS_WINDOW_S, TWEETS_SLIDE_S = 4, 2  # 3.2
#: 3.3: a window of six slides, so that pyspark takes the inverse path (it does from five slides on).
WORD, WORD_WINDOW_S, WORD_SLIDE_S = "hate", 6, 1


# --- the right answers, in plain Python --------------------------------------------------------------


@cache
def exercise_batches() -> tuple[tuple[str, ...], ...]:
    """The lines of each batch of exercises 3.2 and 3.3 (``sample_batches(count=6, minutes=10)``)."""
    from helpers.sample import sample_batches

    return tuple(tuple(b) for b in sample_batches(EXERCISE_BATCHES, EXERCISE_MINUTES))


@cache
def windows(window_s: float, slide_s: float) -> tuple[WindowResult, ...]:
    """Every window of the exercise batches that holds some of them, at 1 s a batch."""
    from helpers.state import python_windows

    return tuple(python_windows(exercise_batches(), round(window_s), round(slide_s)))


@cache
def per_batch(kind: str) -> tuple[int, ...]:
    """Each exercise batch on its own: its ``"tweets"``, its ``"word"`` count, or its ``"tweets with word"``."""
    from helpers.counting import summarise
    from helpers.text import tokenize
    from helpers.tweets import parse_line

    if kind == "tweets with word":
        return tuple(
            sum(1 for line in b if (t := parse_line(line)) is not None and WORD in tokenize(t.text))
            for b in exercise_batches()
        )
    found = [summarise(b) for b in exercise_batches()]
    return tuple(s.stats.tweets if kind == "tweets" else s.words[WORD] for s in found)


def _sums(values: Sequence[int], window: int, slide: int) -> list[int]:
    """Per-window sums of per-batch values (what a mistaken window setting gives)."""
    return [sum(values[first - 1 : last]) for first, last in window_spans(len(values), window, slide, tail=True)]


# --- the exercises ------------------------------------------------------------------------------------


def exercise_3_1(answer: Any) -> Verdict:
    """The (first, last) batch of every window, batches from 1: 2 s batches, 6 s window, 4 s slide, 10 batches."""
    if answer is None:
        return not_answered()
    window, slide = SPANS_WINDOW_S // SPANS_BATCH_S, SPANS_SLIDE_S // SPANS_BATCH_S
    expected = window_spans(SPANS_BATCHES, window, slide)
    shape = "a list of (first, last) pairs of batch numbers"
    if not isinstance(answer, (list, tuple)) or not all(isinstance(e, (list, tuple)) for e in answer):
        return verdict(False, "", f"expected {shape}; got {type(answer).__name__}")
    if any(len(e) != 2 for e in answer):
        bad = next(e for e in answer if len(e) != 2)
        return verdict(False, "", f"each window is one (first, last) pair, not {list(bad)!r}")
    if not all(is_number(x) for e in answer for x in e):
        return verdict(False, "", f"batch numbers are whole numbers: expected {shape}")
    got = [(e[0], e[1]) for e in answer]
    if got == expected:
        return verdict(
            True,
            "right: seconds turned into batches, windows ending at multiples of the slide, and a short first "
            "window, as nothing came before it",
            "",
        )
    mistakes = {
        "you took the seconds as batches: with 2 s batches, turn the window and the slide into batches first": (
            window_spans(SPANS_BATCHES, SPANS_WINDOW_S, SPANS_SLIDE_S)
        ),
        "windows end at multiples of the slide counted from the start of the stream, so the first one "
        "ends one slide in and covers fewer batches: nothing came before it": [
            (first, first + window - 1) for first in range(1, SPANS_BATCHES - window + 2, slide)
        ],
        "number the batches from 1, as the exercise does": [(a - 1, b - 1) for a, b in expected],
        "the first window starts at batch 1: there is no batch before it": [(e - window + 1, e) for _, e in expected],
        "only the windows that end by batch 10 (the stream is 10 batches long)": window_spans(
            SPANS_BATCHES, window, slide, tail=True
        ),
    }
    for why, wrong in mistakes.items():
        if got == wrong:
            return verdict(False, "", why)
    if any(x > SPANS_BATCHES + window for e in got for x in e):
        return verdict(False, "", "numbers above the batch count: give batch numbers (1–10), not seconds")
    return verdict(
        False,
        "",
        "not quite: turn the window and the slide into batches, then list where each window ends (every "
        "slide, from the start) and which batches it covers up to there",
    )


def _compare_windows(
    answer: Any,
    *,
    what: str,
    value: Callable[[WindowResult], int],
    kind: str,
    window_s: int,
    slide_s: int,
    how: str,
    extra: dict[str, list[int]] | None = None,
) -> Verdict:
    """Check a list of per-window numbers, windows in order; zeros after the last data window are fine."""
    if answer is None:
        return not_answered()
    if is_rdd(answer):
        return verdict(False, "", "that is an RDD: collect each window's value inside foreachRDD into a list")
    expected = [value(w) for w in windows(window_s, slide_s)]
    if not isinstance(answer, (list, tuple)):
        return verdict(False, "", "expected a list with one number per window, in window order")
    if any(isinstance(x, (list, tuple)) for x in answer):
        return verdict(
            False, "", "each window should be one number, not a list: take it out of the RDD, e.g. rdd.collect()[0]"
        )
    if not all(is_number(x) for x in answer):
        return verdict(False, "", "expected a list of numbers, one per window, in window order")
    got = list(answer)
    done = len(expected)
    if got[:done] == expected and all(x == 0 for x in got[done:]):
        return verdict(
            True,
            f"right: {what} in each of the {done} windows of {window_s} s every {slide_s} s that hold some of "
            f"the {EXERCISE_BATCHES} batches",
            "",
        )
    if got and got == expected[: len(got)]:
        return verdict(
            False,
            "",
            f"right so far, but {len(got)} of {done} windows: keep the stream running until batch "
            f"{windows(window_s, slide_s)[-1].last}, the end of the last window that still holds batch "
            f"{EXERCISE_BATCHES}",
        )
    batches = per_batch(kind)
    if got[:EXERCISE_BATCHES] == list(batches):
        return verdict(False, "", f"these are {what} per batch: count over a window instead, {how}")
    running = [sum(batches[: i + 1]) for i in range(EXERCISE_BATCHES)]
    if got[: len(running)] == running:
        return verdict(False, "", f"these are running totals: a window forgets the batches that left it — {how}")
    for why, wrong in (extra or {}).items():
        if got[: len(wrong)] == wrong:
            return verdict(False, "", why)
    for w in range(1, 9):
        for s in range(1, w + 1):
            if (w, s) != (window_s, slide_s) and got[:done] == _sums(batches, w, s)[:done]:
                return verdict(
                    False,
                    "",
                    f"that is a window of {w} s sliding every {s} s; the exercise asks for {window_s} s every "
                    f"{slide_s} s (with 1 s batches: {window_s} and {slide_s} batches)",
                )
    i = next((i for i in range(min(len(got), done)) if got[i] != expected[i]), min(len(got), done))
    shown = got[i] if i < len(got) else "nothing"
    return verdict(False, "", f"window {i + 1} is not right ({shown}): {how}")


def exercise_3_2(answer: Any) -> Verdict:
    """Tweets per window of 4 s sliding every 2 s (1 s batches), windows in order."""
    return _compare_windows(
        answer,
        what="tweets",
        value=lambda w: w.tweets,
        kind="tweets",
        window_s=TWEETS_WINDOW_S,
        slide_s=TWEETS_SLIDE_S,
        how=(
            f"countByWindow({TWEETS_WINDOW_S}, {TWEETS_SLIDE_S}) on the stream of lines (each line is one tweet), "
            "on a StreamingContext with a checkpoint folder"
        ),
    )


def exercise_3_3(answer: Any) -> Verdict:
    """How often the word 'hate' comes in each window of 6 s sliding every 1 s (1 s batches), windows in order."""
    return _compare_windows(
        answer,
        what=f"'{WORD}'",
        value=lambda w: w.count(WORD),
        kind="word",
        window_s=WORD_WINDOW_S,
        slide_s=WORD_SLIDE_S,
        how=(
            f"pairs (word, 1), reduceByKeyAndWindow(add, sub, {WORD_WINDOW_S}, {WORD_SLIDE_S}), then each "
            f"window's dict(rdd.collect()).get('{WORD}', 0)"
        ),
        extra={
            f"you counted tweets that contain '{WORD}'; count every occurrence of the word": _sums(
                per_batch("tweets with word"), WORD_WINDOW_S, WORD_SLIDE_S
            ),
        },
    )
