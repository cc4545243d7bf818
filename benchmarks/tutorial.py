"""The foil: the sentiment word count as most Spark Streaming tutorials write it. Not kit code.

One record per word travels from Python to the JVM and back through every step::

    lines.map(parse)                       # one tweet per line (cached: two outputs read it)
         .flatMap(words).filter(not stop)  # one record per word
         .map(lambda w: (w, 1))            # one pair per word
         .reduceByKey(add)                 # shuffle of every pair
         .transform(lambda rdd: rdd.leftOuterJoin(lexicon_rdd))   # a second shuffle, with the lexicon
    foreachRDD: collect the batch's scored counts and add them to running totals on the driver

It uses the kit's own parser, tokenizer, stopwords and lexicon, so its answer must equal the python
engine's: only the shape of the dataflow differs from the kit's ``mapPartitions`` + ``Counter``.
No checkpoint: a ``transform`` that joins a static RDD refuses to start with checkpointing on.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from operator import add
from pathlib import Path
from typing import Any

from pyspark import cloudpickle

from helpers import lexicon
from helpers.infra import spark
from helpers.model import rank
from helpers.text import stopwords, words
from helpers.tweets import is_blank, parse_line

PARTITIONS = 2

# Workers cannot import ``benchmarks`` (it is not installed): ship this module's functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def lexicon_key(word: str) -> str:
    """The lexicon entry a counted word is looked up by: ``#love`` takes ``love``'s score (no entry has a '#')."""
    return word[1:] if word.startswith("#") else word


def _polarity(score: float | None) -> str:
    if not score:
        return "neutral"
    return "positive" if score > 0 else "negative"


@dataclass
class TutorialRun:
    """The foil's answer and timings."""

    result: dict[str, Any]
    batch_s: list[float]
    wall_s: float
    stop_s: float


@dataclass
class _Collector:
    """Driver-side totals and per-batch timing, fed by the two output operations of each batch."""

    expected: int
    tweets: int = 0
    malformed: int = 0
    totals: Counter = field(default_factory=Counter)
    sentiment: dict[str, str] = field(default_factory=dict)
    batch_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    _started: float = 0.0

    def on_tallies(self, t: Any, rdd: Any) -> None:  # first output operation of a batch
        self._started = time.perf_counter()
        try:
            for kind, n in rdd.collect():
                if kind == "tweets":
                    self.tweets += n
                else:
                    self.malformed += n
        except Exception as e:
            self.errors.append(f"tallies: {type(e).__name__}: {e}")

    def on_scored(self, t: Any, rdd: Any) -> None:  # last output operation of a batch
        try:
            for _key, ((word, count), score) in rdd.collect():
                self.totals[word] += count
                self.sentiment[word] = _polarity(score)
        except Exception as e:
            self.errors.append(f"scored: {type(e).__name__}: {e}")
        self.batch_s.append(time.perf_counter() - self._started)
        if len(self.batch_s) >= self.expected:
            self.done.set()


def top_tutorial(
    sc: Any,
    files: list[Path],
    n: int = 50,
    lexicon_name: str = "default",
    batch_s: float = 1.0,
    timeout: float = 600.0,
) -> TutorialRun:
    """Stream one file per batch through the tutorial-style pipeline; the ``top`` JSON and timings."""
    stop = stopwords()
    scores = lexicon.scores(lexicon_name)
    lexicon_rdd = sc.parallelize(list(scores.items()), PARTITIONS).cache()
    ssc = spark.streaming_context(sc, batch_s)
    lines = ssc.queueStream([sc.textFile(str(f), PARTITIONS) for f in files], oneAtATime=True)

    tweets = lines.filter(lambda line: not is_blank(line)).map(parse_line).cache()
    tallies = tweets.map(lambda t: ("malformed" if t is None else "tweets", 1)).reduceByKey(add)
    counts = (
        tweets.filter(lambda t: t is not None)
        .flatMap(lambda t: words(t.text))
        .filter(lambda w: w not in stop)
        .map(lambda w: (w, 1))
        .reduceByKey(add, PARTITIONS)
    )
    scored = counts.map(lambda wc: (lexicon_key(wc[0]), wc)).transform(
        lambda rdd: rdd.leftOuterJoin(lexicon_rdd, PARTITIONS)
    )
    got = _Collector(expected=len(files))
    tallies.foreachRDD(got.on_tallies)
    scored.foreachRDD(got.on_scored)

    started = time.perf_counter()
    ssc.start()
    try:
        finished = got.done.wait(timeout)
        wall = time.perf_counter() - started
    finally:
        stopping = time.perf_counter()
        spark.stop_streaming(ssc)
        stop_s = time.perf_counter() - stopping
        lexicon_rdd.unpersist()
    if not finished:
        raise TimeoutError(f"{len(got.batch_s)} of {len(files)} batches in {timeout:g} s")
    if got.errors:
        raise RuntimeError("; ".join(got.errors))
    result = {
        "tweets": got.tweets,
        "malformed": got.malformed,
        "words": [{"word": w, "count": c, "sentiment": got.sentiment[w]} for w, c in rank(got.totals.items(), n)],
    }
    return TutorialRun(result, got.batch_s[: len(files)], wall, stop_s)
