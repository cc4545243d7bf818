"""The self-checks of notebook 07: the bridged files counted per language by Spark, and the posts a filtered-stream
rule lets through, counted by Spark.

Each check accepts the right answer, names the mistake in a common wrong one, says "not answered yet" to None, and
none of the three messages gives the answer away. Two tests run the Structured Streaming queries the exercises ask
for, on the session's Spark, and show they give what the check computes in plain Python.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from support.checks import FakeDataFrame, right, wrong

from helpers import check
from helpers.check import lesson07
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.infra import spark
from helpers.sample import batches_of
from helpers.sources.files import FileDrop
from helpers.sources.x_api import SampleReplay

#: The first 200 football tweets of the sample, per language (what the lesson's offline bridge writes).
FOOTBALL_200 = {"en": 183, "pt": 5, "de": 5, "fr": 3, "ja": 2, "es": 2}
#: Of those, the posts the rule ``#cupfinal lang:en -is:retweet`` lets through (counted by hand once, and by
#: ``_rule`` below in every run).
NARROW = 35


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


# --- 7.2 the lesson's rule, written as a Structured Streaming query -------------------------------------------


def _posts(folder):
    """The ``data`` of every bridged post, read here with json, independently of the check's reader."""
    return [json.loads(line)["data"] for path in sorted(folder.iterdir()) for line in path.read_text().splitlines()]


def _rule(post):
    """``#cupfinal lang:en -is:retweet`` in plain Python, as the test's own reference."""
    tags = {h["tag"].lower() for h in post.get("entities", {}).get("hashtags", [])}
    return post["lang"] == "en" and "cupfinal" in tags and not post["text"].startswith("RT @")


def test_7_2_the_sample_holds_the_case_the_exercise_needs(folder):
    posts = _posts(folder)
    tags = [h["tag"] for p in posts for h in p.get("entities", {}).get("hashtags", [])]
    assert "cupfinal" in tags and all(t == t.lower() for t in tags)  # the sample stores tags in lower case
    assert sum(map(_rule, posts)) == NARROW == 35
    assert sum(p["text"].startswith("RT @") for p in posts) > 0  # reposts and other languages to filter out
    assert lesson07.narrow_counts(lesson07._bridged(folder))["right"] == NARROW


@pytest.mark.parametrize("answer", [NARROW, float(NARROW), [NARROW], (NARROW,)])
def test_7_2_right(answer, folder):
    right(check.exercise_7_2(answer, folder))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            39,
            "your count keeps reposts: the rule's -is:retweet drops them, and in the sample a repost's text starts "
            "with 'RT @'",
        ),
        (40, "your count keeps every language: the rule's lang:en keeps English posts only (data.lang)"),
        (44, "your count keeps reposts and every language: the rule has three conditions, all of them needed"),
        (
            0,
            "your hashtag test misses tags written in another case: X matches hashtags whatever their case, so "
            "compare the tags in lower case (F.lower inside F.exists)",
        ),
        (200, "that is every bridged post: filter on the three conditions before you count"),
        (
            1197,
            "that is not what the bridge's folder holds: read str(drop.folder), the folder the bridge wrote, not "
            "the shipped sample",
        ),
        (
            36,
            "that is not what the rule lets through: keep English posts (data.lang), with cupfinal among the "
            "hashtags (data.entities.hashtags.tag), that are not reposts (text starting 'RT @'); and read every file "
            "(trigger(availableNow=True)) before you read the sink",
        ),
    ],
)
def test_7_2_common_slips_are_named(answer, message, folder):
    wrong(check.exercise_7_2(answer, folder), message)


def test_7_2_a_tag_test_that_matches_inside_longer_tags(tmp_path):
    """On live posts a longer tag (#cupfinal2026) must not count; the sample has none, so add one here."""
    post = {
        "data": {
            "lang": "en",
            "text": "what a night #cupfinal2026",
            "entities": {"hashtags": [{"tag": "cupfinal2026"}]},
        }
    }
    tagged = {"data": {"lang": "en", "text": "#CupFinal", "entities": {"hashtags": [{"tag": "CupFinal"}]}}}
    drop = FileDrop(tmp_path / "live")
    drop.write([json.dumps(post), json.dumps(tagged), json.dumps(tagged)])
    right(check.exercise_7_2(2, drop.folder))  # X matches #cupfinal whatever its case
    wrong(
        check.exercise_7_2(3, drop.folder),
        "your hashtag test also matches tags that only contain the word (a longer tag): test each tag for equality, "
        "with F.exists or F.array_contains on data.entities.hashtags.tag",
    )
    wrong(
        check.exercise_7_2(0, drop.folder),
        "your hashtag test misses tags written in another case: X matches hashtags whatever their case, so compare "
        "the tags in lower case (F.lower inside F.exists)",
    )


def test_7_2_shapes(folder):
    wrong(check.exercise_7_2(NARROW), "pass the bridge's folder too: check.exercise_7_2(answer, drop.folder), not None")
    wrong(check.exercise_7_2("35", folder), "expected the count as a whole number, e.g. table.first()[0]; got '35'")
    wrong(check.exercise_7_2(True, folder), "expected the count as a whole number, e.g. table.first()[0]; got True")
    wrong(
        check.exercise_7_2(("#cupfinal lang:en -is:retweet", NARROW), folder),
        "expected the count as a whole number, e.g. table.first()[0]; got ('#cupfinal lang:en -is:retweet', 35)",
    )

    class FakeQuery:
        def isActive(self):
            return False

        def awaitTermination(self):
            pass

    wrong(
        check.exercise_7_2(FakeDataFrame(), folder),
        "that is a DataFrame, a query Spark has not run yet: write it to the memory sink, wait for the query, and "
        "read the count from the table",
    )
    wrong(
        check.exercise_7_2(FakeQuery(), folder),
        "that is the running query itself: wait for it, then read the count its sink holds",
    )


@pytest.mark.spark
def test_7_2_the_structured_streaming_query_equals_the_check(sc, folder):
    """The query the exercise asks for, run here, counts what the test's plain-Python filter counts."""
    from pyspark.sql import functions as F

    session = spark.get_session()
    schema = "data STRUCT<lang: STRING, text: STRING, entities: STRUCT<hashtags: ARRAY<STRUCT<tag: STRING>>>>"
    posts = session.readStream.schema(schema).json(str(folder))
    narrow = posts.where(
        (F.col("data.lang") == "en")
        & F.exists("data.entities.hashtags.tag", lambda tag: F.lower(tag) == "cupfinal")
        & ~F.col("data.text").startswith("RT @")
    )
    query = (
        narrow.groupBy()
        .count()
        .writeStream.format("memory")
        .queryName("test_narrow")
        .outputMode("complete")
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination(300)
    count = session.table("test_narrow").first()[0]
    assert count == sum(map(_rule, _posts(folder))) == NARROW
    right(check.exercise_7_2(count, folder))


# --- no message gives the answer away ----------------------------------------------------------------------------


def test_no_message_holds_the_answer(folder):
    for answer in (FOOTBALL_200, {"en": 46, "pt": 2, "de": 2}, {**FOOTBALL_200, "en": 1}, None):
        message = check.exercise_7_1(answer, folder).message
        assert "183" not in message and "200" not in message
        assert not any(f"'{lang}': {n}" in message for lang, n in FOOTBALL_200.items())
    for answer in (NARROW, 39, 0, None):
        message = check.exercise_7_2(answer, folder).message
        assert str(NARROW) not in message


def test_counts_are_plain_python(folder):
    assert sum(lesson07.languages(folder).values()) == 200 == sum(Counter(FOOTBALL_200).values())
