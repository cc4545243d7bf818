"""The self-checks of notebook 08: each accepts the right answer and names the mistake in a wrong one (no Spark)."""

from __future__ import annotations

import copy

import pytest
from checks import wrong

from helpers import check, paths
from helpers.check import lesson08
from helpers.check.lesson00 import NOT_ANSWERED
from helpers.engine import top_from_files

EXERCISES = [check.exercise_8_1, check.exercise_8_2, check.exercise_8_3, check.exercise_8_4]
SUBMIT = "spark-submit --master yarn --deploy-mode cluster --py-files helpers.zip app.py"


def test_all_exercises_are_exported():
    assert lesson08.__all__ == ["exercise_8_1", "exercise_8_2", "exercise_8_3", "exercise_8_4"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda f: f.__name__)
def test_none_is_not_answered_yet(exercise, capsys):
    wrong(exercise(None), NOT_ANSWERED)
    assert capsys.readouterr().out == f"✗ {NOT_ANSWERED}\n"


# --- 8.1 cores for receivers ------------------------------------------------------------------------


def test_8_1_right(capsys):
    assert check.exercise_8_1(3)
    assert check.exercise_8_1(3.0)
    assert capsys.readouterr().out.startswith("✓ right: 3 — one core per receiver")


def test_8_1_too_few_cores_starve_the_batches():
    wrong(
        check.exercise_8_1(2),
        "2 is not it: with 2 core(s) the 2 receivers take every core (each holds one for the whole run): lines are "
        "received and stored, but no core is left to process a batch, and the stream never says so",
    )


def test_8_1_more_works_but_is_not_the_smallest():
    wrong(
        check.exercise_8_1(4),
        "4 is not it: local[4] works, but it is not the smallest: each receiver needs one core, and the batches "
        "need one more",
    )


@pytest.mark.parametrize("answer", ["3", 2.5, True])
def test_8_1_not_a_whole_number(answer):
    wrong(check.exercise_8_1(answer), f"expected a whole number of cores (the n of local[n]), got {answer!r}")


# --- 8.2 the receiver rate cap ----------------------------------------------------------------------


def test_8_2_right():
    result = check.exercise_8_2(3000)
    assert result and result.message == "right: 3,000 — 500 records/s × 2 receivers × 3 s"


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (500, "that is one receiver for one second: the cap is per receiver, per second, and a batch lasts 3 s"),
        (1500, "that is one receiver: maxRate applies to each of the 2 receivers separately"),
        (1000, "that is one second of both receivers: a batch collects 3 s of records"),
        (7, "multiply the rate per receiver by the number of receivers and by the batch interval"),
    ],
)
def test_8_2_wrong_names_the_mistake(answer, hint):
    wrong(check.exercise_8_2(answer), f"{answer:,} is not it: {hint}")


# --- 8.3 the same answer on the cluster --------------------------------------------------------------


def test_8_3_right_is_the_python_engine():
    right = top_from_files(paths.sample_files(["climate"]), 5)
    assert right["tweets"] == 5200 and len(right["words"]) == 5
    assert check.exercise_8_3(copy.deepcopy(right))


def test_8_3_wrong_files():
    answer = top_from_files(paths.sample_files(["climate", "football"]), 5)
    wrong(
        check.exercise_8_3(answer),
        "not the cluster's answer: it counted 10,400 tweets, the climate file holds 5,200: give "
        "QueueSource.from_files the file paths.sample_files(['climate']) and nothing else",
    )


def test_8_3_wrong_n():
    answer = top_from_files(paths.sample_files(["climate"]), 10)
    wrong(check.exercise_8_3(answer), "not the cluster's answer: it has 10 words, expected the top 5: pass n=5")


def test_8_3_wrong_lexicon():
    answer = top_from_files(paths.sample_files(["climate"]), 5, lang="en")
    answer["tweets"] = 5200
    wrong(
        check.exercise_8_3(answer),
        "not the cluster's answer: the tweets are right but the words differ: keep the default lexicon and no "
        "topic or language filter",
    )


def test_8_3_not_a_dict():
    wrong(
        check.exercise_8_3([("climate", 1)]),
        "expected the dict runner.top_dstream returns ({'tweets', 'malformed', 'words'}), got list",
    )


def test_8_3_an_rdd_is_not_computed():
    class FakeRDD:
        _jrdd = None

        def collect(self):
            return []

    wrong(
        check.exercise_8_3(FakeRDD()),
        "that is an RDD, a recipe Spark has not run yet: end with an action such as runner.top_dstream(...) to get "
        "the values",
    )


# --- 8.4 spark-submit on YARN -------------------------------------------------------------------------


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
    assert check.exercise_8_4(line)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "python app.py",
            "start the line with spark-submit: it is what sends an application to a cluster",
        ),
        (
            "spark-submit --master k8s://https://10.0.0.1:6443 --deploy-mode cluster --py-files helpers.zip app.py",
            "--master k8s://https://10.0.0.1:6443 (k8s://… is Kubernetes, spark://… a standalone master): YARN is "
            "--master yarn; the cluster's address comes from HADOOP_CONF_DIR",
        ),
        (
            "spark-submit --deploy-mode cluster --py-files helpers.zip app.py",
            "no --master: YARN is --master yarn; the cluster's address comes from HADOOP_CONF_DIR",
        ),
        (
            "spark-submit --master yarn --py-files helpers.zip app.py",
            "add --deploy-mode cluster: the default, client, keeps the driver on the machine you submit from",
        ),
        (
            "spark-submit --master yarn --deploy-mode cluster app.py",
            "ship the kit's package with --py-files helpers.zip: the executors (and, in cluster mode, the driver) "
            "run on machines where helpers is not installed",
        ),
        (
            "spark-submit --master yarn --deploy-mode cluster --py-files helpers.zip",
            "put the application file, app.py, after the options (there is none); its own arguments follow it",
        ),
        (
            "spark-submit --master yarn --deploy-mode cluster --py-files helpers.zip helpers.zip app.py",
            "put the application file, app.py, after the options (found 'helpers.zip' there); its own arguments "
            "follow it",
        ),
        ("spark-submit 'app.py", "the line does not parse as a shell command: No closing quotation"),
    ],
)
def test_8_4_wrong_names_the_mistake(line, message):
    wrong(check.exercise_8_4(line), message)


def test_8_4_not_a_string():
    wrong(check.exercise_8_4(["spark-submit"]), "expected the command line as one string, got list")
