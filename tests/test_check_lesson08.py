"""The self-checks of notebook 08: each accepts the right answer, names the mistake in a common wrong one, says
"not answered yet" to None, and none of the three messages gives the answer away (no Spark here)."""

from __future__ import annotations

from collections import Counter

import pytest
from support.checks import FakeRDD, right, wrong

from helpers import check, paths
from helpers.check import lesson08
from helpers.check.base import ranked
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.counting import summarise
from helpers.dstream.scaling import Placements
from helpers.sample import read_lines
from helpers.text import tokenize
from helpers.tweets import parse_line

EXERCISES = [check.exercise_8_1, check.exercise_8_2, check.exercise_8_3, check.exercise_8_4]
SUBMIT = "spark-submit --master yarn --deploy-mode cluster --py-files helpers.zip app.py"
CONF = {
    "spark.streaming.backpressure.enabled": "true",
    "spark.streaming.backpressure.initialRate": "200",
    "spark.streaming.receiver.maxRate": "500",
}


def test_all_exercises_are_exported():
    assert lesson08.__all__ == ["exercise_8_1", "exercise_8_2", "exercise_8_3", "exercise_8_4"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_none_is_not_answered_yet(exercise, capsys):
    wrong(exercise(None), NOT_ANSWERED)
    assert capsys.readouterr().out == f"✗ {NOT_ANSWERED}\n"


# --- 8.1 four partitions a batch -------------------------------------------------------------------------------


def placements(partitions: list[int], lines: int = 1500, errors: list[str] | None = None) -> Placements:
    """A Placements as a stream on the cluster fills it: every line processed on worker-2."""
    found = Placements(expect=1500)
    found.places = Counter({"worker-2": lines}) if lines else Counter()
    found.partitions, found.seconds, found.errors = partitions, [0.5] * len(partitions), errors or []
    return found


def test_8_1_right():
    right(check.exercise_8_1(placements([4, 4])))


def test_8_1_without_repartition_the_partitions_follow_the_blocks():
    wrong(
        check.exercise_8_1(placements([5, 3])),
        "not yet: the batches had [3, 5] partitions: one per block the receiver stored (one every 200 ms), so the "
        "number follows the data; reshape the stream itself, before foreachRDD, to fix it",
    )


def test_8_1_coalesce_never_splits():
    wrong(
        check.exercise_8_1(placements([4, 2])),
        "not yet: the batches had [2, 4] partitions: merging partitions (coalesce) never splits them, so a batch with "
        "fewer blocks keeps fewer partitions; only a shuffle gives every batch the same number",
    )


def test_8_1_another_number():
    wrong(
        check.exercise_8_1(placements([2, 2])),
        "not yet: every batch had 2 partition(s), and the exercise asks for 4 in each",
    )


def test_8_1_stopped_too_early():
    wrong(
        check.exercise_8_1(placements([4], lines=800)),
        "found saw 800 lines, the replay sends 1,500: Placements(expect=...) and the server's limit must agree, and "
        "the stream must run until found.wait() returns",
    )


def test_8_1_nothing_seen_and_failures_and_wrong_types():
    wrong(
        check.exercise_8_1(placements([], lines=0)),
        "found saw no lines: hand found.record to foreachRDD before ssc.start(), and wait (found.wait()) before you "
        "stop the stream",
    )
    wrong(
        check.exercise_8_1(placements([4], errors=["Py4JJavaError: boom"])),
        "a batch of your stream failed: Py4JJavaError: boom",
    )
    wrong(
        check.exercise_8_1([4, 4]), "expected the scaling.Placements your stream filled through found.record, got list"
    )


# --- 8.2 caps, as Spark reads them -------------------------------------------------------------------------------


def test_8_2_right_in_any_spelling_of_the_values():
    right(check.exercise_8_2(CONF))
    right(check.exercise_8_2({**CONF, "spark.streaming.backpressure.enabled": True}))
    right(
        check.exercise_8_2(
            {**CONF, "spark.streaming.backpressure.initialRate": 200, "spark.streaming.receiver.maxRate": 500.0}
        )
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"spark.streaming.kafka.maxRatePerPartition": "500"},
            "spark.streaming.kafka.maxRatePerPartition is read only by the direct Kafka stream (Scala and Java; "
            "PySpark has no Kafka DStream), never by a receiver",
        ),
        (
            {"spark.streaming.backpressure.maxRate": "500"},
            "Spark reads no setting called 'spark.streaming.backpressure.maxRate' for this (a typo, or a made-up "
            "name?): the lesson's backpressure section names the ones that exist",
        ),
        (
            {"spark.streaming.backpressure.enabled": "false"},
            "the receivers would keep one fixed rate: the estimator that adapts it to the processing time runs only "
            "when backpressure is switched on (true)",
        ),
        (
            {"spark.streaming.backpressure.initialRate": "500", "spark.streaming.receiver.maxRate": "200"},
            "your first-batch cap is above your ceiling: maxRate holds for every batch, the first ones included, so "
            "it would cut the initial rate down; re-read which number the exercise gives to which",
        ),
        (
            {"spark.streaming.receiver.maxRate": "1000"},
            "spark.streaming.receiver.maxRate is 1000: both caps are records per second for each receiver, the units "
            "the exercise gives them in (no multiplying by receivers or by the batch interval)",
        ),
        (
            {"spark.streaming.receiver.maxRate": "fast"},
            "spark.streaming.receiver.maxRate is 'fast': it takes a positive number of records per second",
        ),
    ],
)
def test_8_2_wrong_names_the_mistake(change, message):
    answer = {**CONF, **change}
    if "spark.streaming.backpressure.maxRate" in change or "spark.streaming.kafka.maxRatePerPartition" in change:
        del answer["spark.streaming.receiver.maxRate"]
    wrong(check.exercise_8_2(answer), message)


def test_8_2_missing_settings():
    initial = {k: v for k, v in CONF.items() if "initialRate" not in k}
    wrong(
        check.exercise_8_2(initial),
        "nothing caps the receivers until the first batch has been measured: a setting is missing",
    )
    ceiling = {k: v for k, v in CONF.items() if "maxRate" not in k}
    wrong(check.exercise_8_2(ceiling), "nothing sets a ceiling that holds for every batch: a setting is missing")
    wrong(
        check.exercise_8_2("spark.streaming.receiver.maxRate=500"),
        "expected a dict of setting → value, like conf= of spark.get_context, got str",
    )


# --- 8.3 the climate tweets' top words --------------------------------------------------------------------------


def climate_words() -> Counter[str]:
    """As a learner's DStream counts them: parse_line, then text.tokenize, every line of the climate file."""
    counts: Counter[str] = Counter()
    for line in read_lines(paths.sample_files(["climate"])):
        counts.update(tokenize(parse_line(line).text))
    return counts


def test_8_3_reference_is_the_kit_engine_and_known_numbers():
    counts = climate_words()
    assert counts == summarise(read_lines(paths.sample_files(["climate"]))).words
    assert ranked(counts)[:5] == [
        ("#climate", 1540),
        ("#netzero", 1530),
        ("#energy", 1487),
        ("#cop31", 1481),
        ("#climateaction", 1465),
    ]


def test_8_3_right_as_pairs_or_a_dict():
    top = ranked(climate_words())[:5]
    right(check.exercise_8_3(top))
    right(check.exercise_8_3(dict(top)))
    right(check.exercise_8_3(list(reversed(top))))


def test_8_3_only_the_last_batch_counted():
    last = Counter()
    lines = list(read_lines(paths.sample_files(["climate"])))
    for line in lines[5000:]:
        last.update(tokenize(parse_line(line).text))
    wrong(
        check.exercise_8_3(ranked(last)[:5]),
        f"the count of {ranked(last)[0][0]!r} is not what the climate tweets hold: add up every batch's counts (each "
        "batch holds other tweets), and count every occurrence of a word, not the tweets that contain it",
    )


def test_8_3_words_with_stopwords_and_raw_split():
    with_stop = Counter()
    for line in read_lines(paths.sample_files(["climate"])):
        with_stop.update(parse_line(line).text.lower().split())
    top = ranked(with_stop)[:5]
    stop = next(w for w, _ in top if w in lesson08.stopwords())
    first = next(w for w, _ in top if w in lesson08.stopwords() or any(ch in w for ch in '{}":'))
    assert first == stop
    wrong(
        check.exercise_8_3(top),
        f"{stop!r} is a stopword, which text.tokenize drops: count the words tokenize returns",
    )
    wrong(
        check.exercise_8_3([('{"data":', 5200), *ranked(climate_words())[:4]]),
        "'{\"data\":' is a piece of a JSON line, not a word of a tweet: parse each line with parse_line and tokenize "
        "the tweet's text",
    )


def test_8_3_right_counts_of_the_wrong_words():
    counts = climate_words()
    wrong(
        check.exercise_8_3(ranked(counts)[1:6]),
        "each count is right, but these are not the 5 most frequent words: rank every word by its total before "
        "taking 5",
    )


def test_8_3_shapes():
    wrong(check.exercise_8_3(ranked(climate_words())[:3]), "you have 3 pairs, expected the top 5")
    wrong(
        check.exercise_8_3(FakeRDD()),
        "that is an RDD, a recipe Spark has not run yet: end with an action such as foreachRDD(...) adding each "
        "batch's rdd.collect() to a Counter to get the values",
    )
    wrong(
        check.exercise_8_3([("zzzz-not-a-word", 3)] * 5),
        "'zzzz-not-a-word' is not among the words of the climate tweets: count the climate file",
    )


# --- 8.4 spark-submit on YARN ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        SUBMIT,
        "spark-submit --master=yarn --deploy-mode=cluster --py-files deps.zip,helpers.zip app.py",
        "$SPARK_HOME/bin/spark-submit --deploy-mode cluster --master yarn --py-files helpers.zip "
        "--conf spark.locality.wait=0s app.py",
        SUBMIT + " --rate 100",
    ],
)
def test_8_4_right(line):
    right(check.exercise_8_4(line))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("python app.py", "start the line with spark-submit: it is what sends an application to a cluster"),
        (
            "spark-submit --master k8s://https://10.0.0.1:6443 --deploy-mode cluster --py-files helpers.zip app.py",
            "--master k8s://https://10.0.0.1:6443 (k8s://… is Kubernetes, spark://… a standalone master): the line "
            "must send the application to YARN, whose address Spark reads from HADOOP_CONF_DIR",
        ),
        (
            "spark-submit --deploy-mode cluster --py-files helpers.zip app.py",
            "no --master: the line must send the application to YARN, whose address Spark reads from HADOOP_CONF_DIR",
        ),
        (
            "spark-submit --master yarn --py-files helpers.zip app.py",
            "the driver would run on the machine you submit from: the default deploy mode, client, keeps it there",
        ),
        (
            "spark-submit --master yarn --deploy-mode cluster app.py",
            "helpers.zip is not shipped as Python code: the executors (and, in cluster mode, the driver) run on "
            "machines where helpers is not installed",
        ),
        (
            "spark-submit --master yarn --deploy-mode cluster --py-files helpers.zip",
            "put the application file, app.py, after the options (there is none); its own arguments follow it",
        ),
        ("spark-submit 'app.py", "the line does not parse as a shell command: No closing quotation"),
    ],
)
def test_8_4_wrong_names_the_mistake(line, message):
    wrong(check.exercise_8_4(line), message)


def test_8_4_not_a_string():
    wrong(check.exercise_8_4(["spark-submit"]), "expected the command line as one string, got list")


# --- no message gives the answer away ----------------------------------------------------------------------------


def messages(exercise, answers):
    return [exercise(answer).message for answer in answers]


def test_no_message_holds_the_answer():
    top = ranked(climate_words())[:5]
    for message in messages(check.exercise_8_3, [top, ranked(climate_words())[1:6], None]):
        assert not any(word in message or f"{count:,}" in message or str(count) in message for word, count in top)
    for message in messages(check.exercise_8_2, [CONF, {**CONF, "spark.streaming.receiver.maxRate": "1000"}, None]):
        assert "200" not in message and "500" not in message
    for message in messages(check.exercise_8_4, [SUBMIT, "spark-submit --master yarn app.py", None]):
        assert "--master yarn" not in message and "--deploy-mode cluster" not in message
        assert "--py-files helpers.zip" not in message
    for message in messages(check.exercise_8_1, [placements([4, 4]), placements([5, 3]), None]):
        assert "repartition(4)" not in message
