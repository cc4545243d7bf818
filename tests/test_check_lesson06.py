"""The self-checks of notebook 06: each accepts the right answer and names the mistake in a wrong one.

Expected values come from the checks' own plain-Python answers (``lesson06.tweets_per_window()`` …), so
these tests follow the shipped sample if it is regenerated. No Spark: the checks never need it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from support.checks import FakeDataFrame, right, wrong

from helpers import check, paths
from helpers.check import lesson06
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.sample import late_example, read_lines
from helpers.tweets import parse_line

NOT_THESE = (
    "not these counts: count every word occurrence of the climate tweets (explode(split(lower(text), "
    'r"[^\\w\']+")), no distinct), inner-joined with lexicon_df, then the rows with score > 0 and the rows '
    "with score < 0"
)
EXERCISES = [check.exercise_6_1, check.exercise_6_2, check.exercise_6_3]
NOT_COLLECTED = (
    "that is a DataFrame (or a query), not its values: read the result table with .collect() and take the value "
    "out of the Row"
)


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
        datetime(2026, 11, 20, hour, minute, tzinfo=UTC),
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


def notebook_late_batches():
    """Notebook 06's cells that make the late batches, as written there (spans of created_at's 'HH:MM')."""
    football = list(read_lines(paths.sample_files(["football"])))
    by_time = sorted(filter(None, map(parse_line, football)), key=lambda t: t.created_at)
    spans = [("08:10", "09:00"), ("09:00", "09:20"), ("08:00", "08:10")]
    lines_of = {t.id: line for t, line in zip(map(parse_line, football), football, strict=True) if t is not None}
    batches = [[lines_of[t.id] for t in by_time if a <= t.created_at[11:16] < b] for a, b in spans]
    batches[2] += [lines_of[t.id] for t in by_time if "09:20" <= t.created_at[11:16] < "09:40"]
    return batches


def test_6_2_the_answer_follows_the_notebooks_batches():
    first, second, third = late_example()
    assert [first, second, third] == notebook_late_batches()
    assert (len(first), len(second), len(third)) == (705, 307, 464)
    newest = max(parse_line(line).created_at for line in first)
    assert newest.startswith("2026-11-20T08:59")  # 08:59:xx - 08:10 is 49 minutes and some seconds
    assert min(parse_line(line).created_at for line in third).startswith("2026-11-20T08:0")
    assert lesson06.smallest_delay_minutes() == 50


def no_direction(given):
    return (
        f"{given} minutes is not the smallest delay that keeps the 08:00–08:10 tweets. For each delay you try, "
        "look at two things in your run: whether the 08:00 window came out, and the watermark the second "
        "batch ran with (recentProgress → eventTime.watermark), which the third batch filters its late rows "
        "by. The answer is the smallest delay that leaves that watermark before 08:10"
    )


def test_6_2_right_and_wrong():
    best = lesson06.smallest_delay_minutes()
    right(check.exercise_6_2(best))
    right(check.exercise_6_2(float(best)))
    # the notebook's own delay (a common first answer), one below and one above: the same words, no direction
    for given in (10, best - 1, best + 1, best + 10):
        wrong(check.exercise_6_2(given), no_direction(given))
    wrong(check.exercise_6_2(0), "a watermark delay is a positive time; 0 minutes is not")
    wrong(check.exercise_6_2("50 minutes"), "expected a whole number of minutes, got '50 minutes'")
    wrong(check.exercise_6_2(49.5), "expected a whole number of minutes, got 49.5")


def test_6_2_messages_never_hold_the_answer(capsys):
    best = lesson06.smallest_delay_minutes()
    for given in (None, 10, best - 1, best + 1):
        assert str(best) not in check.exercise_6_2(given).message
    capsys.readouterr()


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
    wrong(check.exercise_6_3({"positive": pos + 1, "negative": neg}), NOT_THESE)
    wrong(check.exercise_6_3([pos, neg]), "expected a dict like {'positive': 123, 'negative': 45}, got list")
    wrong(
        check.exercise_6_3({"pos": pos, "neg": neg}), "expected the keys 'positive' and 'negative', got ['neg', 'pos']"
    )
    wrong(check.exercise_6_3(FakeDataFrame()), NOT_COLLECTED)


def test_6_3_counts_follow_the_notebooks_split():
    assert lesson06.split_words("Not sooo GOOD @bob #fail café don't https://t.co/x") == [
        "not", "sooo", "good", "bob", "fail", "caf", "don't", "https", "t", "co", "x"
    ]  # fmt: skip
    counts = lesson06.word_polarity()
    assert counts == {"positive": 5559, "negative": 4974, "neutral": 48277}


def test_6_3_distinct_words_and_the_kits_tokenizer_are_wrong(capsys):
    from helpers import paths
    from helpers.counting import polarity_totals, summarise
    from helpers.sample import read_lines

    kit = polarity_totals(summarise(read_lines(paths.sample_files(["climate"]))).words)
    wrong(check.exercise_6_3({"positive": kit["positive"], "negative": kit["negative"]}), NOT_THESE)
    counts = lesson06.word_polarity()
    for given in ({"positive": 300, "negative": 280}, kit, {"positive": counts["positive"], "negative": 0}):
        message = check.exercise_6_3(given).message
        assert str(counts["positive"]) not in message.replace(",", "")
        assert str(counts["negative"]) not in message.replace(",", "")
    capsys.readouterr()


def test_6_3_every_topic_instead_of_one():
    everything = lesson06.polarity_totals(lesson06._words(None))
    wrong(
        check.exercise_6_3({"positive": everything["positive"], "negative": everything["negative"]}),
        "those are the counts of every topic: keep only the climate tweets",
    )
