"""Self-checks for notebook 08 (scaling out): a receiver stream spread over partitions, the rate caps as Spark
reads them, a word count on the cluster, and a ``spark-submit`` line for YARN.

``check.exercise_8_1(answer)`` … ``check.exercise_8_4(answer)`` print ✓ or ✗ with what is wrong and why, never
the answer. The right answers are worked out here in plain Python (``helpers.model`` for the word counts),
never with Spark.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Mapping
from typing import Any

from helpers import paths
from helpers.check.base import Verdict, as_pairs, is_dstream, is_number, ranked, verdict
from helpers.check.lesson00 import is_rdd, not_answered, not_computed
from helpers.counting import summarise
from helpers.sample import read_lines
from helpers.text import stopwords

__all__ = ["exercise_8_1", "exercise_8_2", "exercise_8_3", "exercise_8_4"]

#: Exercise 8.1: lines the replay sends, and the partitions every batch must have.
LINES, PARTITIONS = 1500, 4
#: Exercise 8.2: the settings, as ``spark.get_context(conf=...)`` or ``--conf`` take them.
BACKPRESSURE = "spark.streaming.backpressure.enabled"
INITIAL_RATE = "spark.streaming.backpressure.initialRate"
MAX_RATE = "spark.streaming.receiver.maxRate"
RATES = {INITIAL_RATE: 200, MAX_RATE: 500}
#: Exercise 8.3: the topic and how many words.
TOPIC, TOP_N = "climate", 5


# --- 8.1 ---------------------------------------------------------------------------------------------------


def exercise_8_1(answer: Any) -> Verdict:
    """A socket stream on the cluster whose every batch has 4 partitions: the ``scaling.Placements`` it filled."""
    if answer is None:
        return not_answered()
    if not all(hasattr(answer, name) for name in ("places", "partitions", "errors", "lines")):
        return verdict(
            False,
            "",
            f"expected the scaling.Placements your stream filled through found.record, got {type(answer).__name__}",
        )
    if answer.errors:
        return verdict(False, "", f"a batch of your stream failed: {answer.errors[0]}")
    if not answer.lines:
        return verdict(
            False,
            "",
            "found saw no lines: hand found.record to foreachRDD before ssc.start(), and wait (found.wait()) "
            "before you stop the stream",
        )
    if answer.lines != LINES:
        return verdict(
            False,
            "",
            f"found saw {answer.lines:,} lines, the replay sends {LINES:,}: Placements(expect=...) and the server's "
            "limit must agree, and the stream must run until found.wait() returns",
        )
    seen = sorted(set(answer.partitions))
    if seen == [PARTITIONS]:
        where = ", ".join(sorted(answer.places))
        return verdict(
            True,
            f"right: every batch came in {PARTITIONS} partitions, all processed on {where} — the receiver's core "
            "is busy receiving, so more partitions mean smaller tasks here, and more parallel ones on a bigger cluster",
            "",
        )
    if len(seen) == 1:
        why = f"every batch had {seen[0]} partition(s), and the exercise asks for {PARTITIONS} in each"
    elif max(seen) <= PARTITIONS:
        why = (
            f"the batches had {seen} partitions: merging partitions (coalesce) never splits them, so a batch "
            "with fewer blocks keeps fewer partitions; only a shuffle gives every batch the same number"
        )
    else:
        why = (
            f"the batches had {seen} partitions: one per block the receiver stored (one every 200 ms), so the "
            "number follows the data; reshape the stream itself, before foreachRDD, to fix it"
        )
    return verdict(False, "", f"not yet: {why}")


# --- 8.2 ---------------------------------------------------------------------------------------------------


def _setting(value: Any) -> str:
    """A setting as Spark reads it: text, ``true``/``false`` for booleans, whole numbers without ``.0``."""
    if isinstance(value, bool):
        return str(value).lower()
    if is_number(value) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    return text.lower() if text.lower() in ("true", "false") else text


def _rate(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def exercise_8_2(answer: Any) -> Verdict:
    """The settings for receivers that adapt their rate, start at 200 records/s each, and never exceed 500."""
    if answer is None:
        return not_answered()
    if not isinstance(answer, Mapping):
        return verdict(
            False,
            "",
            f"expected a dict of setting → value, like conf= of spark.get_context, got {type(answer).__name__}",
        )
    settings = {str(key).strip(): _setting(value) for key, value in answer.items()}
    for key in settings:
        if key == "spark.streaming.kafka.maxRatePerPartition":
            return verdict(
                False,
                "",
                f"{key} is read only by the direct Kafka stream (Scala and Java; PySpark has no Kafka DStream), "
                "never by a receiver",
            )
        if key not in (BACKPRESSURE, *RATES):
            return verdict(
                False,
                "",
                f"Spark reads no setting called {key!r} for this (a typo, or a made-up name?): the lesson's "
                "backpressure section names the ones that exist",
            )
    if settings.get(BACKPRESSURE) != "true":
        return verdict(
            False,
            "",
            "the receivers would keep one fixed rate: the estimator that adapts it to the processing time "
            "runs only when backpressure is switched on (true)",
        )
    missing = [key for key in RATES if key not in settings]
    if missing == [INITIAL_RATE]:
        return verdict(
            False, "", "nothing caps the receivers until the first batch has been measured: a setting is missing"
        )
    if missing:
        return verdict(False, "", "nothing sets a ceiling that holds for every batch: a setting is missing")
    rates = {key: _rate(settings[key]) for key in RATES}
    bad = next((key for key, rate in rates.items() if rate is None or rate <= 0), None)
    if bad is not None:
        return verdict(False, "", f"{bad} is {settings[bad]!r}: it takes a positive number of records per second")
    if rates == {INITIAL_RATE: RATES[MAX_RATE], MAX_RATE: RATES[INITIAL_RATE]}:
        return verdict(
            False,
            "",
            "your first-batch cap is above your ceiling: maxRate holds for every batch, the first ones included, "
            "so it would cut the initial rate down; re-read which number the exercise gives to which",
        )
    if rates != RATES:
        wrong = next(key for key in RATES if rates[key] != RATES[key])
        return verdict(
            False,
            "",
            f"{wrong} is {settings[wrong]}: both caps are records per second for each receiver, the units the "
            "exercise gives them in (no multiplying by receivers or by the batch interval)",
        )
    return verdict(
        True,
        "right: the estimator adapts each receiver's rate, starting from the initial rate, never above maxRate; "
        "spark-submit takes the same pairs as --conf key=value",
        "",
    )


# --- 8.3 ---------------------------------------------------------------------------------------------------


def climate_counts() -> Counter[str]:
    """Every word of the climate tweets, counted in plain Python (the kit's reference, ``counting.summarise``)."""
    return summarise(read_lines(paths.sample_files([TOPIC]))).words


def exercise_8_3(answer: Any) -> Verdict:
    """The 5 most frequent words of the climate tweets with their counts, counted by a DStream on the cluster."""
    if answer is None:
        return not_answered()
    if is_rdd(answer) or is_dstream(answer):
        return not_computed("foreachRDD(...) adding each batch's rdd.collect() to a Counter")
    pairs = as_pairs(answer, "word", [("energy", 12)])
    if isinstance(pairs, str):
        return verdict(False, "", pairs)
    if len(pairs) != TOP_N:
        return verdict(False, "", f"you have {len(pairs)} pairs, expected the top {TOP_N}")
    truth = climate_counts()
    for word, _ in pairs:
        if any(ch in word for ch in '{}":'):
            return verdict(
                False,
                "",
                f"{word!r} is a piece of a JSON line, not a word of a tweet: parse each line with parse_line and "
                "tokenize the tweet's text",
            )
        if word in stopwords():
            return verdict(
                False, "", f"{word!r} is a stopword, which text.tokenize drops: count the words tokenize returns"
            )
        if word not in truth:
            return verdict(False, "", f"{word!r} is not among the words of the {TOPIC} tweets: count the {TOPIC} file")
    off = [word for word, count in pairs if truth[word] != count]
    if off:
        return verdict(
            False,
            "",
            f"the count of {off[0]!r} is not what the {TOPIC} tweets hold: add up every batch's counts (each batch "
            "holds other tweets), and count every occurrence of a word, not the tweets that contain it",
        )
    top_counts = [count for _, count in ranked(truth)[:TOP_N]]
    if sorted((count for _, count in pairs), reverse=True) != top_counts:
        return verdict(
            False,
            "",
            "each count is right, but these are not the 5 most frequent words: rank every word by its total before "
            "taking 5",
        )
    return verdict(True, f"right: the top {TOP_N} of {sum(truth.values()):,} words, the same as on local[2]", "")


# --- 8.4 ---------------------------------------------------------------------------------------------------


def _parse_submit(words: list[str]) -> tuple[dict[str, str], str | None]:
    """The ``--name value`` / ``--name=value`` options of a ``spark-submit`` line and its application file.

    As spark-submit reads it: options first, then the application file, then the application's own arguments.
    """
    options: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        if not word.startswith("--"):
            return options, word
        if "=" in word:
            name, value = word.split("=", 1)
            options[name] = value
        elif i + 1 < len(words):
            options[word] = words[i + 1]
            i += 1
        i += 1
    return options, None


def exercise_8_4(answer: Any) -> Verdict:
    """A ``spark-submit`` line that runs ``app.py`` on YARN, driver in the cluster, shipping ``helpers.zip``."""
    if answer is None:
        return not_answered()
    if not isinstance(answer, str):
        return verdict(False, "", f"expected the command line as one string, got {type(answer).__name__}")
    try:
        words = shlex.split(answer)
    except ValueError as e:
        return verdict(False, "", f"the line does not parse as a shell command: {e}")
    if not words or not words[0].endswith("spark-submit"):
        return verdict(False, "", "start the line with spark-submit: it is what sends an application to a cluster")
    options, app = _parse_submit(words[1:])
    master = options.get("--master")
    if master != "yarn":
        got = f"--master {master}" if master else "no --master"
        what = " (k8s://… is Kubernetes, spark://… a standalone master)" if master else ""
        return verdict(
            False,
            "",
            f"{got}{what}: the line must send the application to YARN, whose address Spark reads from HADOOP_CONF_DIR",
        )
    if options.get("--deploy-mode") != "cluster":
        return verdict(
            False,
            "",
            "the driver would run on the machine you submit from: the default deploy mode, client, keeps it there",
        )
    shipped = options.get("--py-files", "")
    if "helpers.zip" not in shipped.split(","):
        return verdict(
            False,
            "",
            "helpers.zip is not shipped as Python code: the executors (and, in cluster mode, the driver) run on "
            "machines where helpers is not installed",
        )
    if app != "app.py":
        found = f"found {app!r} there" if app else "there is none"
        return verdict(
            False, "", f"put the application file, app.py, after the options ({found}); its own arguments follow it"
        )
    return verdict(
        True,
        "right: YARN starts the driver in a container on the cluster and puts helpers.zip on every Python path",
        "",
    )
