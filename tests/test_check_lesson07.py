"""The self-checks of notebook 07: the bridged files counted per language by Spark, and a filtered-stream rule.

Each check accepts the right answer, names the mistake in a common wrong one, says "not answered yet" to None, and
none of the three messages gives the answer away. One test runs the Structured Streaming query the exercise asks
for, on the session's Spark, and shows it gives what the check computes in plain Python.
"""

from __future__ import annotations

from collections import Counter

import pytest
from checks import right, wrong

from helpers import check
from helpers.check import lesson07
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.infra import spark
from helpers.sample import batches_of
from helpers.sources.files import FileDrop
from helpers.sources.x_api import SampleReplay

#: The first 200 football tweets of the sample, per language (what the lesson's offline bridge writes).
FOOTBALL_200 = {"en": 183, "pt": 5, "de": 5, "fr": 3, "ja": 2, "es": 2}


@pytest.fixture
def folder(tmp_path):
    """The lesson's offline bridge: 200 football tweets of the sample in four NDJSON files of 50."""
    drop = FileDrop(tmp_path / "bridged")
    for lines in batches_of(SampleReplay("football", limit=200), 50):
        drop.write(lines)
    return drop.folder


def test_all_exercises_are_exported():
    assert lesson07.__all__ == ["exercise_7_1", "exercise_7_2"]


@pytest.mark.parametrize("exercise", [check.exercise_7_1, check.exercise_7_2], ids=lambda f: f.__name__)
def test_none_is_not_answered_yet(exercise, folder, capsys):
    wrong(exercise(None, folder), NOT_ANSWERED)
    assert capsys.readouterr().out == f"✗ {NOT_ANSWERED}\n"


# --- 7.1 the bridged files, read with Spark ---------------------------------------------------------------------


def test_7_1_reference_counts_the_folder(folder):
    assert sorted(p.name for p in folder.iterdir()) == [f"batch-0000{i}.ndjson" for i in range(1, 5)]
    assert lesson07.languages(folder) == FOOTBALL_200


def test_7_1_right_as_a_dict_or_rows(folder):
    right(check.exercise_7_1(dict(FOOTBALL_200), folder))
    right(check.exercise_7_1(sorted(FOOTBALL_200.items()), folder))
    right(check.exercise_7_1({**FOOTBALL_200, None: 0}, folder))  # Spark's null group for lines without a language


def test_7_1_one_file_only(folder):
    wrong(
        check.exercise_7_1({"en": 46, "pt": 2, "de": 2}, folder),
        "your counts add up to 50 tweets, and the folder holds a different number: read every file in it "
        "(trigger(availableNow=True) reads all that is there when the query starts) and wait until the query has "
        "finished before you collect",
    )


def test_7_1_topics_instead_of_languages(folder):
    wrong(
        check.exercise_7_1({"football": 200}, folder),
        "your keys are topics (the rule's tag): the exercise counts per language, data.lang",
    )


def test_7_1_one_count_off_and_a_strange_key(folder):
    wrong(
        check.exercise_7_1({**FOOTBALL_200, "en": 182, "pt": 6}, folder),
        "the count for 'en' is not what the files hold: count every tweet once",
    )
    wrong(
        check.exercise_7_1({**FOOTBALL_200, "English": 1}, folder),
        "'English' is not the language of any bridged tweet: group by data.lang",
    )


def test_7_1_not_run_yet_and_shapes(folder, tmp_path):
    class FakeDataFrame:
        _jdf = None

    class FakeQuery:
        isActive = True

        def awaitTermination(self):
            return None

    wrong(
        check.exercise_7_1(FakeDataFrame(), folder),
        "that is a DataFrame, a query Spark has not run yet: start it, wait for it, and collect its rows into "
        "{language: count}",
    )
    wrong(
        check.exercise_7_1(FakeQuery(), folder),
        "that is the running query itself: wait for it, then read the rows its sink holds",
    )
    wrong(
        check.exercise_7_1(FOOTBALL_200),
        "pass the bridge's folder too: check.exercise_7_1(answer, drop.folder), not None",
    )
    wrong(
        check.exercise_7_1(7, folder),
        "expected a list of (language, count) pairs like [('en', 12)]; got int",
    )


@pytest.mark.spark
def test_7_1_the_structured_streaming_query_equals_the_check(sc, folder):
    session = spark.get_session()
    tweets = session.readStream.schema("data STRUCT<lang: STRING>").json(str(folder))
    query = (
        tweets.groupBy("data.lang")
        .count()
        .writeStream.format("memory")
        .queryName("test_bridged_langs")
        .outputMode("complete")
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination(300)
    answer = {row["lang"]: row["count"] for row in session.table("test_bridged_langs").collect()}
    assert answer == FOOTBALL_200
    right(check.exercise_7_1(answer, folder))


# --- 7.2 a narrow rule, and what it lets through ---------------------------------------------------------------

RULE = "#cupfinal lang:en -is:retweet"


def test_7_2_reference_counts(folder):
    assert lesson07.narrow_counts(folder) == {"right": 35, "reposts": 39, "any_language": 40}


@pytest.mark.parametrize(
    "rule", [RULE, "(#cupfinal OR #matchday) lang:en -is:retweet", " -is:retweet #cupfinal lang:en"]
)
def test_7_2_right(rule, folder):
    right(check.exercise_7_2((rule, 35), folder))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "#cupfinal lang:en",
            "it also matches reposts, billed like any post: rules can exclude them with a negated operator",
        ),
        ("cupfinal lang:en -is:retweet", "it matches no hashtag (a hashtag keeps its # in a rule)"),
        (
            "#cupfinal -is:retweet",
            "it lets posts in every language through: rules have an operator that keeps one language",
        ),
        ("(#cupfinal OR #matchday lang:en -is:retweet", "its brackets do not balance"),
        (
            "#cupfinal",
            "it lets posts in every language through: rules have an operator that keeps one language; it also "
            "matches reposts, billed like any post: rules can exclude them with a negated operator",
        ),
    ],
)
def test_7_2_wrong_rule_names_the_mistake(rule, message, folder):
    wrong(check.exercise_7_2((rule, 35), folder), "the rule: " + message)


@pytest.mark.parametrize(
    ("count", "why"),
    [
        (39, "it counts reposts too: a repost's text starts with 'RT @'"),
        (40, "it counts every language: keep data.lang = 'en' only"),
        (
            44,
            "it is not what the rule lets through: keep English posts (data.lang), with cupfinal among the hashtags "
            "(data.entities.hashtags.tag, or #cupfinal in the text), that are not reposts (text starting 'RT @')",
        ),
    ],
)
def test_7_2_wrong_count_names_the_slip(count, why, folder):
    wrong(check.exercise_7_2((RULE, count), folder), f"the rule is right; the Spark count is not: {why}")


def test_7_2_shapes(folder):
    expected = "expected a pair (rule, count): the rule as a string, and the posts it lets through, counted with Spark"
    wrong(check.exercise_7_2(RULE, folder), expected)
    wrong(check.exercise_7_2([RULE], folder), expected)
    wrong(check.exercise_7_2((["#cupfinal"], 35), folder), "expected the rule as one string, got list")
    wrong(
        check.exercise_7_2((RULE, 35)),
        "pass the bridge's folder too: check.exercise_7_2(answer, drop.folder), not None",
    )
    wrong(check.exercise_7_2((RULE, "35"), folder), "expected the count as a whole number, got '35'")

    class FakeDataFrame:
        _jdf = None

    wrong(
        check.exercise_7_2((RULE, FakeDataFrame()), folder),
        "the count is a DataFrame, not a number yet: end the query with .count()",
    )
    rule = RULE + " " + " OR ".join(["#x"] * 120)
    wrong(
        check.exercise_7_2((rule, 35), folder), f"the rule: it is {len(rule)} characters; a rule may have at most 512"
    )


# --- no message gives the answer away ----------------------------------------------------------------------------


def test_no_message_holds_the_answer(folder):
    for answer in (FOOTBALL_200, {"en": 46, "pt": 2, "de": 2}, {**FOOTBALL_200, "en": 1}, None):
        message = check.exercise_7_1(answer, folder).message
        assert "183" not in message and "200" not in message
        assert not any(f"'{lang}': {n}" in message for lang, n in FOOTBALL_200.items())
    for answer in ((RULE, 35), ("#cupfinal", 35), (RULE, 39), (RULE, 44), None):
        message = check.exercise_7_2(answer, folder).message
        assert "lang:en" not in message and "-is:retweet" not in message and "#cupfinal lang" not in message
        assert "35" not in message


def test_counts_are_plain_python(folder):
    assert sum(lesson07.languages(folder).values()) == 200 == sum(Counter(FOOTBALL_200).values())
