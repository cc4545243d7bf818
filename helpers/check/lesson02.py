"""Self-checks for notebook 02 (from batch to streaming): hashtags per batch, languages over a socket.

``check.exercise_2_1(answer)`` and ``check.exercise_2_2(answer)`` print ✓ or ✗ with what is wrong and
why. Each works out the right answer itself, in plain Python from the shipped sample (no Spark), from
the same lines the notebook streams: ``hashtag_batches()`` and ``languages_sent()`` say which.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import cache
from itertools import islice
from typing import Any

from helpers import paths
from helpers.check.base import Verdict, as_pairs, ranked, verdict
from helpers.check.lesson00 import is_rdd, not_answered
from helpers.sample import batches_of, read_lines
from helpers.tweets import parse_line

__all__ = ["exercise_2_1", "exercise_2_2"]

#: Exercise 2.1 streams the first BATCHES × BATCH_LINES lines of this topic, BATCH_LINES per batch.
HASHTAG_TOPIC = "climate"
BATCH_LINES = 250
BATCHES = 4
#: Exercise 2.2's replay server sends the first SOCKET_LINES lines of this topic.
SOCKET_TOPIC = "product_launch"
SOCKET_LINES = 1500
#: Shapes shown in a ✗ message: made-up keys and counts, so that no message shows part of the answer.
TAG_EXAMPLE = [("sometag", 4), ("othertag", 2)]
LANGUAGE_EXAMPLE = [("xx", 420), ("yy", 170)]


# --- the right answers, in plain Python --------------------------------------------------------------


@cache
def hashtag_batches() -> tuple[tuple[str, ...], ...]:
    """The lines of exercise 2.1's batches: ``batches_of(read_lines(climate file), 250)``, the first 4."""
    lines = read_lines(paths.sample_files([HASHTAG_TOPIC]))
    return tuple(tuple(b) for b in islice(batches_of(lines, BATCH_LINES), BATCHES))


def _tags(lines: tuple[str, ...]) -> Counter[str]:
    return Counter(tag for line in lines if (t := parse_line(line)) is not None for tag in t.hashtags)


@cache
def hashtags_per_batch() -> tuple[Counter[str], ...]:
    """Each batch's hashtag counts (``Tweet.hashtags``: lower-case, without the ``#``)."""
    return tuple(_tags(b) for b in hashtag_batches())


@cache
def languages_sent() -> Counter[str]:
    """Language → tweets among the lines exercise 2.2's server sends (the first 1,500 of the topic)."""
    lines = islice(read_lines(paths.sample_files([SOCKET_TOPIC])), SOCKET_LINES)
    return Counter(str(t.lang) for line in lines if (t := parse_line(line)) is not None)


# --- turning an answer into counters -----------------------------------------------------------------


def _counter(entry: Any, item: str, example: list[tuple[str, int]], key: Any = str) -> Counter[str] | str:
    """One dict (or list of pairs) as a Counter with normalised keys, or the sentence saying why not."""
    pairs = as_pairs(entry, item, example)
    if isinstance(pairs, str):
        return pairs
    out: Counter[str] = Counter()
    for k, n in pairs:
        out[key(k)] += n
    return out


def _tag(key: str) -> str:
    return key.lower().removeprefix("#")


# --- the exercises ------------------------------------------------------------------------------------


def exercise_2_1(answer: Any) -> Verdict:
    """One dict of hashtag counts per batch, in batch order, for the 4 queued batches of 250 climate lines."""
    if answer is None:
        return not_answered()
    if is_rdd(answer):
        return verdict(False, "", "that is an RDD: collect each batch inside foreachRDD, e.g. dict(rdd.collect())")
    expected = hashtags_per_batch()
    n = len(expected)
    example = TAG_EXAMPLE
    totals = sum(expected, Counter())
    if isinstance(answer, Mapping):
        whole = _counter(answer, "hashtag", example, _tag)
        if whole == totals:
            return verdict(
                False,
                "",
                f"these are the counts of all {n} batches added together: keep one dict per batch "
                "(append dict(rdd.collect()) to a list in foreachRDD)",
            )
        return verdict(False, "", f"expected a list with one dict per batch ({n} of them); got one dict")
    if not isinstance(answer, (list, tuple)):
        return verdict(False, "", f"expected a list with one dict per batch; got {type(answer).__name__}")
    got = []
    for entry in answer:
        counts = _counter(entry, "hashtag", example, _tag)
        if isinstance(counts, str):
            return verdict(False, "", f"each batch should be a dict like {dict(example)}: {counts}")
        got.append(counts)
    while len(got) > n and not got[-1]:
        got.pop()  # the empty batches after the queue ran dry are fine
    if len(got) < n:
        return verdict(
            False,
            "",
            f"you have {len(got)} batch(es), the queue held {n}: keep the stream running until {n} batches "
            "are done (a loop around ssc.awaitTerminationOrTimeout) before you stop it",
        )
    if len(got) > n:
        return verdict(False, "", f"you have {len(got)} batches with hashtags, the queue held {n}: queue each once")
    if got == list(expected):
        return verdict(True, f"right: {n} batches, one dict each, every count as plain Python gives it", "")
    running = [sum(expected[: i + 1], Counter()) for i in range(n)]
    if got == running:
        return verdict(
            False,
            "",
            "these are running totals: each batch's dict should hold that batch's counts only "
            "(reduceByKey within the batch; totals across batches come in notebook 04)",
        )
    if sorted(map(sorted, (c.items() for c in got))) == sorted(map(sorted, (c.items() for c in expected))):
        return verdict(False, "", "the right batches, in the wrong order: append them as they come, batch 1 first")
    i = next(i for i in range(n) if got[i] != expected[i])
    tag = next(t for t in sorted(expected[i].keys() | got[i].keys()) if got[i][t] != expected[i][t])
    return verdict(
        False,
        "",
        f"batch {i + 1}: the count of '#{tag}' is not right ({got[i][tag]}): parse each line (tweets.parse_line), "
        "drop None, flatMap(lambda t: t.hashtags), map to (tag, 1), reduceByKey(add)",
    )


def exercise_2_2(answer: Any) -> Verdict:
    """Language → number of tweets received over the socket, all batches added up (a dict)."""
    if answer is None:
        return not_answered()
    if is_rdd(answer):
        return verdict(False, "", "that is an RDD: collect each batch inside foreachRDD and add it to a Counter")
    expected = languages_sent()
    total = sum(expected.values())
    example = LANGUAGE_EXAMPLE
    if isinstance(answer, (list, tuple)) and answer and all(isinstance(e, (Mapping, list, tuple)) for e in answer):
        batches = [_counter(e, "language", example) for e in answer]
        if all(not isinstance(b, str) for b in batches) and sum(batches, Counter()) == expected:  # type: ignore[arg-type]
            return verdict(
                False,
                "",
                f"right counts, but one dict per batch ({len(answer)} of them): add the batches up on the "
                "driver, e.g. total.update(dict(rdd.collect())) in foreachRDD with total = Counter()",
            )
    got = _counter(answer, "language", example)
    if isinstance(got, str):
        return verdict(False, "", f"expected a dict like {dict(example)}: {got}")
    if got == expected:
        return verdict(True, f"right: all {total:,} tweets the server sent, counted by language", "")
    received = sum(got.values())
    if 0 < received < total and all(got[k] <= expected[k] for k in got):
        return verdict(
            False,
            "",
            f"you have {received:,} of the {total:,} tweets the server sent: wait until every line has arrived "
            "(server.finished is set and your total equals server.sent) before you stop the stream",
        )
    unknown = sorted(got.keys() - expected.keys())
    if unknown:
        return verdict(False, "", f"unexpected key(s) {unknown}: key each tweet by its t.lang")
    if received > total:
        return verdict(False, "", f"{received:,} tweets, more than the {total:,} sent: did you count a batch twice?")
    lang = next(k for k, _ in ranked(expected) if got[k] != expected[k])
    return verdict(False, "", f"the count for '{lang}' is not right ({got[lang]}): map each tweet to (t.lang, 1)")
