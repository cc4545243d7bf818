"""The seed's pipeline as one stand-alone Spark job: tweet files through a DStream to the top words.

    PYTHONPATH=. spark-submit examples/seed_pipeline.py --input data/sample_tweets/*.ndjson --top 10

Replays the files' lines through a queueStream, one batch of ``--batch`` lines a second, until they are
exhausted, then prints ``{"tweets", "malformed", "words"}``: what ``python -m helpers top --engine python
--json`` prints.
``--json-out FILE`` also writes one JSON object per batch for the D3 page (docs/json-contract.md).
From the kit it uses only its parser, tokenizer and lexicon; examples/README.md shows how to run it quietly.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import warnings
from collections.abc import Callable
from datetime import datetime
from operator import add, sub

from pyspark import RDD, SparkConf, SparkContext
from pyspark.streaming import StreamingContext

from helpers import lexicon
from helpers.text import stopwords, words
from helpers.tweets import fields

KINDS = ("tweets", "malformed", "positive_tweets", "negative_tweets")


def running_total(new: list[int], total: int | None) -> int:
    """updateStateByKey's function: this batch's counts added to the total so far."""
    return sum(new) + (total or 0)


def main() -> None:
    """Build the stream, run it until every line has been through it, stop it and print the totals."""
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--input", nargs="+", required=True, help="NDJSON files of tweets in the stream shape")
    cli.add_argument("--top", type=int, default=50)
    cli.add_argument("--batch", type=int, default=1000, help="lines per one-second batch")
    cli.add_argument("--json-out", help="append one JSON object per batch to this file (for the D3 page)")
    args = cli.parse_args()

    sc = SparkContext(conf=SparkConf().setAppName("seed-pipeline").setIfMissing("spark.master", "local[2]"))
    sc.setLogLevel("ERROR")
    warnings.filterwarnings("ignore", "DStream is deprecated", FutureWarning)  # notebook 02 says why
    ssc = StreamingContext(sc, 1)
    checkpoint = tempfile.mkdtemp(prefix="seed-checkpoint-")
    ssc.checkpoint(checkpoint)  # updateStateByKey and the window's inverse function need one

    lines: list[str] = []
    for path in args.input:  # bytes that are not UTF-8 become U+FFFD, which the parser refuses
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines += [line.rstrip("\n") for line in fh]
    queue = [sc.parallelize(lines[i : i + args.batch], 2) for i in range(0, len(lines), args.batch)]
    taken: list[datetime] = []  # transform runs on the driver as each batch is cut: one entry per batch taken

    def take(t: datetime, rdd: RDD) -> RDD:
        if t not in taken:  # pyspark fuses `take` into each branch's function below: it runs once per branch
            taken.append(t)
        return rdd

    stream = ssc.queueStream(queue, oneAtATime=True).transform(take)
    stream = stream.filter(lambda line: line.strip())  # a blank line is a keep-alive, not a tweet

    table, stop, scores = lexicon.token_scores(), stopwords(), lexicon.scores()

    def kinds(line: str) -> list[tuple[str, int]]:  # what one line counts towards
        tweet = fields(line)
        if tweet is None:
            return [("malformed", 1)]
        score = lexicon.score_tokens(words(tweet[0]), table)
        return [("tweets", 1)] + [("positive_tweets", 1)] * (score > 0) + [("negative_tweets", 1)] * (score < 0)

    batch_stats = stream.flatMap(kinds).reduceByKey(add)
    stats = batch_stats.updateStateByKey(running_total)
    pairs = stream.map(fields).filter(bool).flatMap(lambda t: words(t[0])).filter(lambda w: w not in stop)
    pairs = pairs.map(lambda w: (w, 1))
    totals = pairs.reduceByKey(add).updateStateByKey(running_total)
    window = pairs.reduceByKeyAndWindow(add, sub, 10, 1, filterFunc=lambda kv: kv[1] > 0)
    current = window.join(totals)  # (word, (count in the last 10 s, running total)): the "current" view
    seen: dict = {"batches": 0, "batch": {}, "stats": {}, "words": []}  # what the driver saw last
    if args.json_out:
        open(args.json_out, "w", encoding="utf-8").close()  # a new run starts the file, and the page, afresh

    def keep(name: str, n: int = 0) -> Callable[[datetime, RDD], None]:  # a foreachRDD function returns None
        def collect(t: datetime, rdd: RDD) -> None:
            seen[name] = rdd.takeOrdered(n, key=lambda kv: (-kv[1], kv[0])) if n else dict(rdd.collect())

        return collect

    def publish(t: datetime, rdd: RDD) -> None:  # the last output of a batch: the batch is done
        seen["batches"], seen["done"] = seen["batches"] + 1, t
        if args.json_out:
            top = rdd.takeOrdered(args.top, key=lambda kv: (-kv[1][0], kv[0]))
            rows = [{"word": w, "count": c, "total": n, "sentiment": lexicon.polarity(w, scores)} for w, (c, n) in top]
            snap = {"batch": seen["batches"], "time": t.timestamp(), **{k: seen["batch"].get(k, 0) for k in KINDS}}
            with open(args.json_out, "a", encoding="utf-8") as out:
                out.write(json.dumps({**snap, "top": rows}, ensure_ascii=False) + "\n")

    batch_stats.foreachRDD(keep("batch"))
    stats.foreachRDD(keep("stats"))
    totals.foreachRDD(keep("words", args.top))
    current.foreachRDD(publish)

    def counted() -> bool:  # the batch that took the queue's last RDD has gone through every output
        return len(taken) >= len(queue) and seen.get("done", datetime.min) >= taken[len(queue) - 1]

    ssc.start()
    while not counted() and not ssc.awaitTerminationOrTimeout(1):
        pass
    # Every tweet is counted. Graceful: a batch still running finishes; empty batches that queued up
    # behind a slow one are dropped after spark.streaming.gracefulStopTimeout (10 batch intervals).
    ssc.stop(stopSparkContext=True, stopGraceFully=True)
    shutil.rmtree(checkpoint, ignore_errors=True)
    words_out = [{"word": w, "count": c, "sentiment": lexicon.polarity(w, scores)} for w, c in seen["words"]]
    result = {"tweets": seen["stats"].get("tweets", 0), "malformed": seen["stats"].get("malformed", 0)}
    print(json.dumps({**result, "words": words_out}, ensure_ascii=False))


if __name__ == "__main__":
    main()
