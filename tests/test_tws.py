"""``helpers.structured.tws.RunningTotals``: the transformWithState processor of notebook 06.

- its logic under pyspark's ``TwsTester`` (no Spark needed): totals per word, state kept between calls;
- the class in notebook 06's cell is this class, character for character;
- on the same micro-batches, its totals equal notebook 04's ``updateStateByKey`` after every batch (a DStream
  queue run and a Structured run over the same lines, RocksDB as the state store);
- its TTL forgets a word that stayed away longer than the time to live (TwsTester does not simulate TTL, so
  this one runs Spark).
"""

from __future__ import annotations

import inspect
import os
import time
from collections import Counter
from pathlib import Path

import pytest
from pyspark.sql import Row
from pyspark.sql.streaming import TwsTester
from support.notebooks import cells_starting

from helpers import paths
from helpers.infra import spark
from helpers.sample import read_lines
from helpers.structured import tws
from helpers.tweets import parse_line

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06_structured_streaming.ipynb"


def football_texts(n: int) -> list[str]:
    """The text of the first ``n`` football tweets of the shipped sample."""
    tweets = (parse_line(line) for line in read_lines(paths.sample_files(["football"])))
    return [t.text.replace("\n", " ") for t in tweets if t is not None][:n]


# --- the logic, with TwsTester ---------------------------------------------------------------------------


def test_totals_grow_per_word_and_keep_their_state():
    tester = TwsTester(tws.RunningTotals(), outputMode="Update")
    assert tester.test("good", [Row(word="good")] * 3) == [Row(word="good", total=3)]
    assert tester.test("bad", [Row(word="bad")]) == [Row(word="bad", total=1)]
    assert tester.test("good", [Row(word="good")] * 2) == [Row(word="good", total=5)]
    assert tester.peekValueState("total", "good") == (5,)
    assert tester.peekValueState("total", "bad") == (1,)
    assert tester.peekValueState("total", "meh") is None


def test_a_total_restored_from_state_continues():
    tester = TwsTester(tws.RunningTotals(ttl_ms=60_000), outputMode="Update")
    tester.updateValueState("total", "goal", (41,))
    assert tester.test("goal", [Row(word="goal")]) == [Row(word="goal", total=42)]


def test_the_tester_totals_equal_a_counter_over_the_sample():
    texts = football_texts(300)
    tester = TwsTester(tws.RunningTotals(), outputMode="Update")
    for batch in (texts[:100], texts[100:200], texts[200:]):
        for word, n in Counter(w for text in batch for w in tws.split_words(text)).items():
            tester.test(word, [Row(word=word)] * n)
    expected = Counter(w for text in texts for w in tws.split_words(text))
    assert {w: tester.peekValueState("total", w)[0] for w in expected} == expected


# --- the notebook writes the same class --------------------------------------------------------------------


def test_notebook_06_writes_this_class():
    (written,) = cells_starting(NOTEBOOK, "class RunningTotals(StatefulProcessor):")
    assert written.strip() == inspect.getsource(tws.RunningTotals).strip()


# --- against updateStateByKey, with Spark -------------------------------------------------------------------


@pytest.fixture(scope="module")
def session(sc):
    """The test context's SparkSession, with RocksDB for state (transformWithState needs it)."""
    session = spark.get_session()
    session.conf.set("spark.sql.streaming.stateStore.providerClass", tws.ROCKSDB)
    # In ProcessingTime mode a query runs a trigger without input after every one, to expire state; with
    # availableNow it would never stop (notebook 06 says so). Without those triggers it stops once it has read.
    session.conf.set("spark.sql.streaming.noDataMicroBatches.enabled", "false")
    yield session
    session.conf.unset("spark.sql.streaming.noDataMicroBatches.enabled")


def write_batches(folder: Path, batches: list[list[str]]) -> None:
    """One text file per micro-batch, named and dated in order (the file source takes the oldest first)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, batch in enumerate(batches):
        path = folder / f"batch-{i:03d}.txt"
        path.write_text("\n".join(batch) + "\n", encoding="utf-8")
        os.utime(path, (1_700_000_000 + i, 1_700_000_000 + i))


def tws_query(session, inbox: Path, checkpoint: Path, ttl_ms: int | None, batches_out: list[dict[str, int]]):
    """The notebook's words → transformWithState query over ``inbox``, one file per micro-batch."""
    from pyspark.sql import functions as F

    lines = session.readStream.option("maxFilesPerTrigger", 1).text(str(inbox))
    found = lines.select(F.explode(F.split(F.lower("value"), tws.SEPARATORS)).alias("word")).where("word != ''")
    totals = found.groupBy("word").transformWithState(
        tws.RunningTotals(ttl_ms=ttl_ms), tws.OUTPUT_SCHEMA, "Update", "ProcessingTime"
    )

    def keep(batch_df, batch_id: int) -> None:
        updated = {r.word: r.total for r in batch_df.collect()}
        if updated:  # a trigger with no new lines (one may run to expire state) updates nothing
            batches_out.append(updated)

    return (
        totals.writeStream.outputMode("update")
        .foreachBatch(keep)
        .option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True)
        .start()
    )


@pytest.mark.spark
def test_totals_equal_update_state_by_key_after_every_batch(sc, session, tmp_path):
    texts = football_texts(600)
    batches = [texts[i : i + 200] for i in range(0, 600, 200)]

    # notebook 04's way: a queue of RDDs, updateStateByKey, the whole state collected after each batch
    ssc = spark.streaming_context(sc, 1, checkpoint=tmp_path / "dstream")
    after: list[dict[str, int]] = []
    stream = ssc.queueStream([sc.parallelize(b) for b in batches], oneAtATime=True)
    pairs = stream.flatMap(tws.split_words).map(lambda w: (w, 1))
    state = pairs.updateStateByKey(lambda new, old: sum(new) + (old or 0))
    state.foreachRDD(lambda rdd: after.append(dict(rdd.collect())))
    ssc.start()
    deadline = time.monotonic() + 180
    while len(after) < len(batches) and time.monotonic() < deadline:
        time.sleep(0.2)
    spark.stop_streaming(ssc, graceful=False)
    assert len(after) >= len(batches), "the DStream run did not finish its batches"

    # notebook 06's way: the same batches through transformWithState
    write_batches(tmp_path / "inbox", batches)
    emitted: list[dict[str, int]] = []
    query = tws_query(session, tmp_path / "inbox", tmp_path / "tws", 3_600_000, emitted)
    query.awaitTermination(300)
    assert [p.numInputRows for p in query.recentProgress if p.numInputRows] == [len(b) for b in batches]

    totals: dict[str, int] = {}
    for i, updated in enumerate(emitted):
        totals.update(updated)  # Update mode: only the words of this batch, each with its new total
        assert totals == after[i], f"batch {i}: transformWithState and updateStateByKey differ"
    assert totals == Counter(w for text in texts for w in tws.split_words(text))


@pytest.mark.spark
def test_the_ttl_forgets_a_word_that_stayed_away(session, tmp_path):
    inbox, checkpoint, ttl_ms = tmp_path / "inbox", tmp_path / "ckpt", 2_000
    emitted: list[dict[str, int]] = []
    write_batches(inbox, [["goal goal save", "goal"]])
    tws_query(session, inbox, checkpoint, ttl_ms, emitted).awaitTermination(300)
    assert emitted == [{"goal": 3, "save": 1}]

    time.sleep(ttl_ms / 1000 + 1)  # longer than the time to live: both words have expired
    (inbox / "batch-001.txt").write_text("goal\n", encoding="utf-8")
    tws_query(session, inbox, checkpoint, ttl_ms, emitted).awaitTermination(300)
    assert emitted[1:] == [{"goal": 1}], "an expired word should start again from zero"
