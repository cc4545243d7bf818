"""The self-checks of notebook 06: each accepts the right answer and names the mistake in a wrong one.

Expected values come from the checks' own plain-Python answers (``lesson06.tweets_per_window()`` …), so
these tests follow the shipped sample if it is regenerated. No Spark: the checks never need it.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from checks import right, wrong

from helpers import check, structured
from helpers.check import lesson06
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.tweets import parse_line

EXERCISES = [check.exercise_6_1, check.exercise_6_2, check.exercise_6_3]
NOT_COLLECTED = (
    "that is a DataFrame (or a query), not its values: read the result table with .collect() and take the value "
    "out of the Row"
)


class FakeDataFrame:
    """Looks like a pyspark DataFrame to the checks (which never import pyspark)."""

    _jdf = None


def test_exported():
    assert lesson06.__all__ == ["exercise_6_1", "exercise_6_2", "exercise_6_3"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_none_is_not_answered_yet(exercise, capsys):
    wrong(exercise(None), NOT_ANSWERED)
    assert capsys.readouterr().out == f"✗ {NOT_ANSWERED}\n"


# --- 6.1 the busiest 10-minute window --------------------------------------------------------------------


def test_6_1_the_windows_cover_every_football_tweet():
    counts = lesson06.tweets_per_window()
    assert sum(counts.values()) == 5200
    assert min(counts) == "08:00" and max(counts) == "13:50" and len(counts) == 36
    (_, most), (_, second) = counts.most_common(2)
    assert most > second, "the exercise needs one busiest window"


def test_6_1_right_answer_in_several_spellings():
    best, most = lesson06.tweets_per_window().most_common(1)[0]
    hour, minute = map(int, best.split(":"))
    for answer in (
        best,
        f"{best}:00",
        f"2026-11-20 {best}:00",
        datetime(2026, 11, 20, hour, minute, tzinfo=timezone.utc),
    ):
        result = check.exercise_6_1(answer)
        right(result)
        assert f"{most} tweets" in result.message


def test_6_1_wrong_answers():
    counts = lesson06.tweets_per_window()
    (_, most), (runner_up, second) = counts.most_common(2)
    wrong(
        check.exercise_6_1(runner_up),
        f"the window at {runner_up} holds {second} tweets, but another holds {most}: group by "
        f"window(event_time, '10 minutes') and order by the count, largest first (the runner-up has {second})",
    )
    wrong(
        check.exercise_6_1("08:05"),
        "no window starts at 08:05: 10-minute windows start on the hour and every 10 minutes (08:00, 08:10, …, "
        "13:50), in UTC like the tweets' created_at",
    )
    wrong(check.exercise_6_1(178), "expected the window's start as 'HH:MM' (e.g. '08:00'), got 178")
    wrong(check.exercise_6_1(FakeDataFrame()), NOT_COLLECTED)


# --- 6.2 the watermark delay that keeps the late tweets ----------------------------------------------------


def test_6_2_the_answer_follows_the_example():
    first = structured.late_example()[0]
    newest = max(parse_line(line).created_at for line in first)
    assert newest.startswith("2026-11-20T08:59")  # 08:59:xx - 08:10 is 49 minutes and some seconds
    assert lesson06.smallest_delay_minutes() == 50


def test_6_2_right_and_wrong():
    best = lesson06.smallest_delay_minutes()
    right(check.exercise_6_2(best))
    right(check.exercise_6_2(float(best)))
    wrong(
        check.exercise_6_2(best - 1),
        f"with {best - 1} minutes the late tweets are dropped: the watermark (newest tweet so far − delay) has "
        "already passed 08:10, the end of their window, when they arrive. Try a longer delay",
    )
    wrong(
        check.exercise_6_2(best + 10),
        f"{best + 10} minutes keeps the late tweets, but so does a shorter delay: try {best + 9}, and go down "
        "until they are dropped",
    )
    wrong(check.exercise_6_2("50 minutes"), "expected a whole number of minutes, got '50 minutes'")
    wrong(check.exercise_6_2(49.5), "expected a whole number of minutes, got 49.5")


# --- 6.3 positive and negative words through the lexicon join ----------------------------------------------


def test_6_3_right_and_wrong():
    counts = lesson06.word_polarity()
    pos, neg = counts["positive"], counts["negative"]
    right(check.exercise_6_3({"positive": pos, "negative": neg}))
    right(check.exercise_6_3({"positive": pos, "negative": neg, "neutral": counts["neutral"]}))
    wrong(
        check.exercise_6_3({"positive": neg, "negative": pos}),
        "the two numbers are swapped: a positive score means a positive word",
    )
    wrong(
        check.exercise_6_3({"positive": pos + 1, "negative": neg}),
        f"expected {pos:,} positive and {neg:,} negative words: count every word occurrence of the tweets "
        "(words(tweets)), joined with the lexicon (with_polarity), grouped by polarity; a hashtag takes its "
        "word's polarity",
    )
    wrong(check.exercise_6_3([pos, neg]), "expected a dict like {'positive': 123, 'negative': 45}, got list")
    wrong(
        check.exercise_6_3({"pos": pos, "neg": neg}), "expected the keys 'positive' and 'negative', got ['neg', 'pos']"
    )
    wrong(check.exercise_6_3(FakeDataFrame()), NOT_COLLECTED)


def test_6_3_every_topic_instead_of_one():
    from helpers import paths
    from helpers.analyse import polarity_totals, summarise
    from helpers.engine import read_lines

    everything = polarity_totals(summarise(read_lines(paths.sample_files())).words)
    wrong(
        check.exercise_6_3({"positive": everything["positive"], "negative": everything["negative"]}),
        "those are the counts of every topic: keep only the climate tweets",
    )
