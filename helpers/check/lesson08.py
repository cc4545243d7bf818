"""Self-checks for notebook 08 (scaling out): receivers and cores, the receiver rate cap, a job on the cluster,
and a ``spark-submit`` line for YARN.

``check.exercise_8_1(answer)`` … ``check.exercise_8_4(answer)`` print ✓ or ✗ with what is wrong and why. The
right answers are worked out here in plain Python (``helpers.engine`` for the word counts), never with Spark.
"""

from __future__ import annotations

import shlex
from typing import Any

from helpers import paths
from helpers.check.base import Verdict, verdict
from helpers.check.lesson00 import is_number, is_rdd, not_answered, not_computed
from helpers.engine import top_from_files

__all__ = ["exercise_8_1", "exercise_8_2", "exercise_8_3", "exercise_8_4"]

#: Exercise 8.1: a stream that unions this many socket receivers.
RECEIVERS = 2
#: Exercise 8.2: ``spark.streaming.receiver.maxRate`` (records per second, per receiver), receivers, batch interval.
MAX_RATE, RATE_RECEIVERS, RATE_BATCH_S = 500, 2, 3.0
#: Exercise 8.3: the topic and how many words.
TOPIC, TOP_N = "climate", 5


def _whole(answer: Any) -> int | None:
    """``answer`` as an int if it is a whole number (3 or 3.0), else None."""
    if not is_number(answer) or int(answer) != answer:
        return None
    return int(answer)


def exercise_8_1(answer: Any) -> Verdict:
    """The smallest n for which ``local[n]`` runs a stream with two socket receivers and still processes batches."""
    if answer is None:
        return not_answered()
    n = _whole(answer)
    if n is None:
        return verdict(False, "", f"expected a whole number of cores (the n of local[n]), got {answer!r}")
    right = RECEIVERS + 1
    if n == right:
        return verdict(True, f"right: {right} — one core per receiver for as long as the stream runs, plus one", "")
    if n < right:
        why = (
            f"with {n} core(s) the {RECEIVERS} receivers take every core (each holds one for the whole run): "
            "lines are received and stored, but no core is left to process a batch, and the stream never says so"
        )
    else:
        why = (
            f"local[{n}] works, but it is not the smallest: each receiver needs one core, and the batches need one more"
        )
    return verdict(False, "", f"{n} is not it: {why}")


def exercise_8_2(answer: Any) -> Verdict:
    """The most records one batch can hold with maxRate 500, two receivers and a 3-second batch interval."""
    if answer is None:
        return not_answered()
    n = _whole(answer)
    if n is None:
        return verdict(False, "", f"expected a whole number of records, got {answer!r}")
    right = int(MAX_RATE * RATE_RECEIVERS * RATE_BATCH_S)
    if n == right:
        return verdict(
            True,
            f"right: {right:,} — {MAX_RATE} records/s × {RATE_RECEIVERS} receivers × {RATE_BATCH_S:g} s",
            "",
        )
    hints = {
        MAX_RATE: "that is one receiver for one second: the cap is per receiver, per second, and a batch lasts "
        f"{RATE_BATCH_S:g} s",
        int(MAX_RATE * RATE_BATCH_S): f"that is one receiver: maxRate applies to each of the {RATE_RECEIVERS} "
        "receivers separately",
        MAX_RATE * RATE_RECEIVERS: f"that is one second of both receivers: a batch collects {RATE_BATCH_S:g} s "
        "of records",
    }
    hint = hints.get(n, "multiply the rate per receiver by the number of receivers and by the batch interval")
    return verdict(False, "", f"{n:,} is not it: {hint}")


def expected_top() -> dict[str, Any]:
    """Exercise 8.3's answer in plain Python: the top words of the climate file, as ``top --json`` prints them."""
    return top_from_files(paths.sample_files([TOPIC]), TOP_N)


def exercise_8_3(answer: Any) -> Verdict:
    """The top 5 words of the climate tweets, computed by the DStream pipeline on the cluster (a ``top`` dict)."""
    if answer is None:
        return not_answered()
    if is_rdd(answer):
        return not_computed("runner.top_dstream(...)")
    if not isinstance(answer, dict) or not {"tweets", "malformed", "words"} <= set(answer):
        return verdict(
            False,
            "",
            f"expected the dict runner.top_dstream returns ({{'tweets', 'malformed', 'words'}}), got "
            f"{type(answer).__name__}",
        )
    right = expected_top()
    if answer == right:
        top = ", ".join(w["word"] for w in right["words"])
        return verdict(True, f"right: {right['tweets']:,} tweets, top {TOP_N}: {top} — the same as on local[2]", "")
    if answer["tweets"] != right["tweets"]:
        why = (
            f"it counted {answer['tweets']:,} tweets, the {TOPIC} file holds {right['tweets']:,}: give "
            f"QueueSource.from_files the file paths.sample_files(['{TOPIC}']) and nothing else"
        )
    elif len(answer["words"]) != TOP_N:
        why = f"it has {len(answer['words'])} words, expected the top {TOP_N}: pass n={TOP_N}"
    else:
        why = "the tweets are right but the words differ: keep the default lexicon and no topic or language filter"
    return verdict(False, "", f"not the cluster's answer: {why}")


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
        hint = " (k8s://… is Kubernetes, spark://… a standalone master)" if master else ""
        where = "the cluster's address comes from HADOOP_CONF_DIR"
        return verdict(False, "", f"{got}{hint}: YARN is --master yarn; {where}")
    if options.get("--deploy-mode") != "cluster":
        return verdict(
            False,
            "",
            "add --deploy-mode cluster: the default, client, keeps the driver on the machine you submit from",
        )
    shipped = options.get("--py-files", "")
    if "helpers.zip" not in shipped.split(","):
        return verdict(
            False,
            "",
            "ship the kit's package with --py-files helpers.zip: the executors (and, in cluster mode, the driver) "
            "run on machines where helpers is not installed",
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
