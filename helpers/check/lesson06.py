"""Self-checks for notebook 06 (Structured Streaming): event-time windows, the watermark, the lexicon join.

``check.exercise_6_1(answer)`` … ``check.exercise_6_3(answer)`` print ✓ or ✗ with what is wrong and why,
never the answer. The right answers are worked out in plain Python (``helpers.tweets``, no Spark): the
tweets' own ``created_at`` for the windows, the notebook's three late batches for the watermark, and the
notebook's word split (``split_words``) for the lexicon join.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from helpers import paths
from helpers.check.base import Verdict, is_dataframe, verdict
from helpers.check.lesson00 import is_number, not_answered
from helpers.counting import polarity_totals
from helpers.sample import LATE_UNTIL, late_example, read_lines
from helpers.tweets import parse_line

__all__ = ["exercise_6_1", "exercise_6_2", "exercise_6_3"]

#: Exercise 6.1: the busiest WINDOW_MINUTES-minute event-time window of one topic's tweets.
BUSY_TOPIC, WINDOW_MINUTES = "football", 10
#: Exercise 6.3: positive and negative words of one topic, through the stream–static join.
POLARITY_TOPIC = "climate"
#: Notebook 06 cuts words at every run of characters that are not an ASCII letter, digit, ``_`` or ``'``
#: (``\\w`` in Java's regex engine, which Spark's ``split`` uses, is ASCII-only by default).
SEPARATORS = r"[^\w']+"


def split_words(text: str) -> list[str]:
    """Notebook 06's ``explode(split(lower(text), SEPARATORS))`` in plain Python, empty strings dropped."""
    return [w for w in re.split(SEPARATORS, text.lower(), flags=re.ASCII) if w]


def _is_dataframe(answer: object) -> bool:
    """A pyspark DataFrame (classic or Spark Connect) or a streaming query (anything with ``awaitTermination``)."""
    return is_dataframe(answer) or hasattr(answer, "awaitTermination")


def _not_collected() -> Verdict:
    return verdict(
        False,
        "",
        "that is a DataFrame (or a query), not its values: read the result table with .collect() and take "
        "the value out of the Row",
    )


# --- the right answers, in plain Python --------------------------------------------------------------


@cache
def tweets_per_window(topic: str = BUSY_TOPIC, minutes: int = WINDOW_MINUTES) -> Counter[str]:
    """'HH:MM' (UTC start of each tumbling window) → how many of the topic's tweets were created in it."""
    counts: Counter[str] = Counter()
    for line in read_lines(paths.sample_files([topic])):
        tweet = parse_line(line)
        if tweet is not None:
            t = tweet.created
            counts[f"{t.hour:02d}:{t.minute // minutes * minutes:02d}"] += 1
    return counts


@cache
def smallest_delay_minutes() -> int:
    """The smallest whole-minute watermark delay that keeps the late batch's early tweets in their window.

    Since Spark 3.4 a micro-batch drops late rows by the watermark of the micro-batch before it. The late
    tweets come in batch 3; batch 2 ran with batch 1's newest event time minus the delay; so they count
    when their window's end is still after that.
    """
    newest = max(parse_line(line).created for line in late_example(BUSY_TOPIC)[0])  # type: ignore[union-attr]
    window_end = datetime.fromisoformat(LATE_UNTIL + ":00Z")  # the end of the late tweets' window
    newest = newest.replace(microsecond=newest.microsecond // 1000 * 1000)  # Spark keeps milliseconds
    minutes = (newest - window_end) // timedelta(minutes=1)
    return minutes + 1


@cache
def word_polarity(topic: str = POLARITY_TOPIC) -> dict[str, int]:
    """How many counted words of the topic's tweets are positive, negative and neutral."""
    return polarity_totals(_words([topic]))


def _words(topics: list[str] | None) -> Counter[str]:
    """Every word occurrence in the tweets of ``topics`` (all with None), as notebook 06's query cuts them."""
    tweets = filter(None, map(parse_line, read_lines(paths.sample_files(topics))))
    return Counter(word for tweet in tweets for word in split_words(tweet.text))


# --- the checks --------------------------------------------------------------------------------------


def _window_label(answer: Any) -> str | None:
    if isinstance(answer, datetime):
        return f"{answer.hour:02d}:{answer.minute:02d}"
    if isinstance(answer, str):
        text = answer.strip()
        if len(text) >= 16 and text[10] in "T ":  # '2026-11-20 11:40:00'
            text = text[11:16]
        parts = text.split(":")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1][:2].isdigit():
            return f"{int(parts[0]):02d}:{int(parts[1][:2]):02d}"
    return None


def exercise_6_1(answer: Any) -> Verdict:
    """The start ('HH:MM', UTC) of the 10-minute event-time window holding the most football tweets."""
    if answer is None:
        return not_answered()
    if _is_dataframe(answer):
        return _not_collected()
    counts = tweets_per_window()
    (best, most), (_, second) = counts.most_common(2)
    label = _window_label(answer)
    if label is None:
        return verdict(False, "", f"expected the window's start as 'HH:MM' (e.g. '08:00'), got {answer!r}")
    if label == best:
        end = datetime.strptime(best, "%H:%M") + timedelta(minutes=WINDOW_MINUTES)
        return verdict(True, f"right: {best}–{end:%H:%M} UTC, {most} tweets", "")
    if label not in counts:
        return verdict(
            False,
            "",
            f"no window starts at {label}: 10-minute windows start on the hour and every 10 minutes "
            "(08:00, 08:10, …, 13:50), in UTC like the tweets' created_at",
        )
    return verdict(
        False,
        "",
        f"the window at {label} holds {counts[label]} tweets, but another holds {most}: group by "
        f"window(event_time, '10 minutes') and order by the count, largest first (the runner-up has {second})",
    )


def exercise_6_2(answer: Any) -> Verdict:
    """The smallest watermark delay, in whole minutes, for which the late tweets of the example count."""
    if answer is None:
        return not_answered()
    if not is_number(answer) or answer != int(answer):
        return verdict(False, "", f"expected a whole number of minutes, got {answer!r}")
    right_delay, given = smallest_delay_minutes(), int(answer)
    if given == right_delay:
        return verdict(
            True,
            f"right: {right_delay} minutes. The third batch drops rows by the watermark the second batch ran "
            f"with, the first batch's newest tweet minus the delay: only {right_delay} minutes or more keeps it "
            "before 08:10, the end of the late tweets' window",
            "",
        )
    if given <= 0:
        return verdict(False, "", f"a watermark delay is a positive time; {given} minutes is not")
    return verdict(
        False,
        "",
        f"{given} minutes is not the smallest delay that keeps the 08:00–08:10 tweets. For each delay you try, "
        "look at two things in your run: whether the 08:00 window came out, and the watermark the second "
        "batch ran with (recentProgress → eventTime.watermark), which the third batch filters its late rows "
        "by. The answer is the smallest delay that leaves that watermark before 08:10",
    )


def exercise_6_3(answer: Any) -> Verdict:
    """``{"positive": n, "negative": m}``: counted words of the climate tweets by polarity (the lexicon join)."""
    if answer is None:
        return not_answered()
    if _is_dataframe(answer):
        return _not_collected()
    right_counts = word_polarity()
    want = {"positive": right_counts["positive"], "negative": right_counts["negative"]}
    if not isinstance(answer, Mapping):
        return verdict(
            False, "", f"expected a dict like {{'positive': 123, 'negative': 45}}, got {type(answer).__name__}"
        )
    got = {str(k): v for k, v in answer.items()}
    if set(got) - {"neutral"} != {"positive", "negative"}:
        return verdict(False, "", f"expected the keys 'positive' and 'negative', got {sorted(got)}")
    if got["positive"] == want["positive"] and got["negative"] == want["negative"]:
        return verdict(True, f"right: {want['positive']:,} positive and {want['negative']:,} negative words", "")
    if got["positive"] == want["negative"] and got["negative"] == want["positive"]:
        return verdict(False, "", "the two numbers are swapped: a positive score means a positive word")
    all_polarity = polarity_totals(_words(None))
    if got["positive"] == all_polarity["positive"] and got["negative"] == all_polarity["negative"]:
        return verdict(False, "", f"those are the counts of every topic: keep only the {POLARITY_TOPIC} tweets")
    return verdict(
        False,
        "",
        "not these counts: count every word occurrence of the climate tweets (explode(split(lower(text), "
        'r"[^\\w\']+")), no distinct), inner-joined with lexicon_df, then the rows with score > 0 and the '
        "rows with score < 0",
    )
