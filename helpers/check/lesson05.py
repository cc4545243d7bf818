"""Self-checks for notebook 05 (the Twitter sentiment pipeline): extend the seed's pipeline in Spark.

``check.exercise_5_1(answer)`` … ``check.exercise_5_3(answer)`` print ✓ or ✗ with what is wrong and why,
never the right answer. The right answers are worked out here in plain Python (``counting.summarise`` per
batch, the reference engine's code) over ``exercise_batches()``, the batches notebook 05 streams: the
shipped file of malformed lines, then the sample's first 3,180 tweets in time order, 400 lines a batch,
one batch a second; windows of 4 s sliding every 2 s.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any

from helpers.check.base import Verdict, as_pairs, is_dstream, is_number, verdict
from helpers.check.lesson00 import is_rdd, not_answered

__all__ = ["exercise_5_1", "exercise_5_2", "exercise_5_3"]

#: The notebook's batches: the malformed lines, then SAMPLE_TWEETS tweets of the sample, BATCH_LINES a batch.
SAMPLE_TWEETS, BATCH_LINES = 3180, 400
#: Windows of the exercises, in batches of 1 s: 4 s long, sliding every 2 s.
WINDOW, SLIDE = 4, 2
NEGATIVE_TOP, HASHTAG_TOP = 5, 10  # 5.1 and 5.2


# --- the right answers, in plain Python --------------------------------------------------------------


@cache
def exercise_batches() -> tuple[tuple[str, ...], ...]:
    """The lines of each batch notebook 05 streams (its ``batches``)."""
    from helpers import paths
    from helpers.sample import batches_of, merged_lines, read_lines

    lines = list(read_lines([paths.MALFORMED])) + list(merged_lines(paths.sample_files()))[:SAMPLE_TWEETS]
    return tuple(tuple(b) for b in batches_of(lines, BATCH_LINES))


@cache
def _summaries() -> tuple[Any, ...]:
    """One ``Summary`` per batch (word counts without stopwords, tweet and word tallies)."""
    from helpers.counting import summarise

    return tuple(summarise(b) for b in exercise_batches())


def spans() -> list[tuple[int, int]]:
    """``(first, last)`` batch of each window that ends by the last batch: (1, 2), (1, 4), (3, 6), (5, 8)."""
    from helpers.state import window_spans

    return window_spans(len(exercise_batches()), WINDOW, SLIDE)


def _window_words(first: int, last: int) -> Counter[str]:
    out: Counter[str] = Counter()
    for s in _summaries()[first - 1 : last]:
        out.update(s.words)
    return out


def _negative(word: str) -> bool:
    from helpers import lexicon

    return lexicon.polarity(word) == "negative"


def _top_negative(counts: Counter[str]) -> list[tuple[str, int]]:
    from helpers.model import rank

    return rank(((w, c) for w, c in counts.items() if _negative(w)), NEGATIVE_TOP)


def top_negative_per_window(running: bool = False) -> list[list[tuple[str, int]]]:
    """Exercise 5.1: each window's top negative words; ``running=True`` ranks by running totals instead (a slip)."""
    return [_top_negative(_window_words(1 if running else first, last)) for first, last in spans()]


def top_hashtags(first: int = 1, last: int | None = None) -> list[tuple[str, int]]:
    """Exercise 5.2: the hashtags (tokens starting with ``#``) with the largest totals over batches first..last."""
    from helpers.model import rank

    counts = _window_words(first, len(exercise_batches()) if last is None else last)
    return rank(((w, c) for w, c in counts.items() if w.startswith("#")), HASHTAG_TOP)


def negative_share_per_window(kind: str = "tweets") -> list[float]:
    """Exercise 5.3: negative tweets / tweets per window; other ``kind``s are the usual slips.

    ``"words"``: negative words / counted words; ``"polar"``: negative / (positive + negative) tweets;
    ``"malformed"``: malformed lines in the denominator; ``"batch"``: the window's last batch alone.
    """
    out = []
    for first, last in spans():
        if kind == "batch":
            first = last
        tally: Counter[str] = Counter()
        for s in _summaries()[first - 1 : last]:
            tally.update(vars(s.stats))
        if kind == "words":
            words = tally["positive_words"] + tally["negative_words"] + tally["neutral_words"]
            out.append(tally["negative_words"] / words)
        elif kind == "polar":
            out.append(tally["negative_tweets"] / (tally["positive_tweets"] + tally["negative_tweets"]))
        elif kind == "malformed":
            out.append(tally["negative_tweets"] / (tally["tweets"] + tally["malformed"]))
        else:
            out.append(tally["negative_tweets"] / tally["tweets"])
    return out


# --- shared shape checks ------------------------------------------------------------------------------


def _not_collected(answer: Any) -> str | None:
    """Why an RDD or a DStream is not an answer yet, or None."""
    if is_dstream(answer):
        return "that is a DStream, a recipe for every batch: collect its RDDs in a foreachRDD function into a list"
    if is_rdd(answer):
        return "that is an RDD, not its contents: collect() it inside your foreachRDD function"
    return None


def _per_window(answer: Any, what: str) -> list[Any] | str:
    """The answer as one entry per window, or the sentence saying why it is not."""
    if not isinstance(answer, (list, tuple)):
        return f"expected a list with one {what} per window; got {type(answer).__name__}"
    n = len(spans())
    if len(answer) != n:
        return (
            f"expected {n} windows (those ending at batches {', '.join(str(last) for _, last in spans())}), "
            f"got {len(answer)}: keep the windows that end by the last batch of data, in order"
        )
    return list(answer)


# --- the exercises ------------------------------------------------------------------------------------


def exercise_5_1(answer: Any) -> Verdict:
    """Each window's top 5 negative words as ``(word, count in the window)``, one list per window."""
    if answer is None:
        return not_answered()
    if (why := _not_collected(answer)) is not None:
        return verdict(False, "", why)
    windows = _per_window(answer, "list of (word, count) pairs")
    if isinstance(windows, str):
        return verdict(False, "", windows)
    expected = top_negative_per_window()
    got = []
    for k, entry in enumerate(windows, 1):
        pairs = as_pairs(entry, "word", [("bad", 3)])
        if isinstance(pairs, str):
            return verdict(False, "", f"window {k}: {pairs}")
        got.append(pairs)
    if got == expected:
        return verdict(True, f"right: the top {NEGATIVE_TOP} negative words of all {len(expected)} windows", "")
    if got == top_negative_per_window(running=True):
        return verdict(
            False,
            "",
            "these are ranked by running totals since the start of the stream; rank by each word's count "
            "in the window (the reduceByKeyAndWindow stream, not the updateStateByKey one)",
        )
    for k, (pairs, want) in enumerate(zip(got, expected, strict=True), 1):
        if pairs == want:
            continue
        not_negative = [w for w, _ in pairs if not _negative(w)]
        if not_negative:
            return verdict(
                False,
                "",
                f"window {k} holds {not_negative[0]!r}, which the lexicon does not call negative: "
                "keep only words with lexicon.polarity(word) == 'negative'",
            )
        if len(pairs) != len(want):
            return verdict(False, "", f"window {k}: expected its top {NEGATIVE_TOP} words, got {len(pairs)}")
        if sorted(pairs) == sorted(want):
            return verdict(
                False, "", f"window {k} has the right words in another order: larger count first, ties by word"
            )
        return verdict(
            False,
            "",
            f"window {k} differs from the reference: count every token of the window's tweets (a 4 s window "
            "sliding every 2 s over 1 s batches), keep the negative ones, rank by count, then by word",
        )
    return verdict(False, "", "the windows differ from the reference")  # not reached: got != expected


def exercise_5_2(answer: Any) -> Verdict:
    """The top 10 hashtags by running total after the last batch, as ``(hashtag, total)`` pairs."""
    if answer is None:
        return not_answered()
    if (why := _not_collected(answer)) is not None:
        return verdict(False, "", why)
    pairs = as_pairs(answer, "hashtag", [("#goal", 3)])
    if isinstance(pairs, str):
        return verdict(False, "", pairs)
    expected = top_hashtags()
    if pairs == expected:
        return verdict(True, f"right: the top {HASHTAG_TOP} hashtags after all {len(exercise_batches())} batches", "")
    not_tags = [w for w, _ in pairs if not str(w).startswith("#")]
    if not_tags and all(f"#{str(w).lower()}" in dict(expected) for w, _ in pairs):
        return verdict(
            False, "", "your tags have lost their '#': count the tokens that start with '#', as tokenize gives them"
        )
    if not_tags:
        return verdict(
            False, "", f"{not_tags[0]!r} is not a hashtag: keep only the tokens that start with '#' before counting"
        )
    first, last = spans()[-1]
    if pairs == top_hashtags(first, last):
        return verdict(
            False,
            "",
            "these are the counts of the last window only; running totals come from updateStateByKey, "
            "which adds every batch since the start",
        )
    if len(pairs) != len(expected):
        return verdict(False, "", f"expected the top {HASHTAG_TOP} hashtags, got {len(pairs)}")
    if sorted(pairs) == sorted(expected):
        return verdict(False, "", "the right hashtags in another order: larger total first, ties by hashtag")
    if any(pairs == top_hashtags(1, last) for last in range(1, len(exercise_batches()))):
        return verdict(False, "", "these totals stop before the last batch: read the state once every batch is done")
    return verdict(
        False,
        "",
        "these totals differ from the reference: flatMap each tweet to its tokens, keep those that start with '#', "
        "then (tag, 1) pairs, reduceByKey and updateStateByKey; rank by total, then by tag",
    )


def _close(got: Sequence[float], want: Sequence[float]) -> bool:
    return all(math.isclose(g, w, abs_tol=1e-3) for g, w in zip(got, want, strict=True))


def exercise_5_3(answer: Any) -> Verdict:
    """The share of negative tweets in each window (negative tweets / tweets), one number per window."""
    if answer is None:
        return not_answered()
    if (why := _not_collected(answer)) is not None:
        return verdict(False, "", why)
    shares = _per_window(answer, "number")
    if isinstance(shares, str):
        return verdict(False, "", shares)
    if not all(is_number(x) for x in shares):
        bad = next(x for x in shares if not is_number(x))
        return verdict(False, "", f"each entry should be a number (a share between 0 and 1); {bad!r} is not")
    if any(not 0 <= x <= 1 for x in shares):
        return verdict(False, "", "a share lies between 0 and 1: divide the negative tweets by the tweets")
    if _close(shares, negative_share_per_window()):
        return verdict(True, f"right: the share of negative tweets in all {len(shares)} windows", "")
    slips = {
        "words": "this is the share of negative words among the counted words; count tweets: a tweet is "
        "negative when lexicon.tweet_score of its text.words is below zero",
        "polar": "this leaves the neutral tweets out of the denominator: divide by every tweet of the window",
        "malformed": "this counts the malformed lines as tweets: only lines that parse are tweets",
        "batch": "this is the share in the last batch of each window alone: sum the tallies over the whole "
        "window (reduceByKeyAndWindow) before dividing",
    }
    for kind, why in slips.items():
        if _close(shares, negative_share_per_window(kind)):
            return verdict(False, "", why)
    return verdict(
        False,
        "",
        "the shares differ from the reference: per window of 4 s sliding every 2 s, count the tweets and the "
        "negative ones (lexicon.tweet_score < 0, negation included), then divide",
    )
