"""The engines agree: the DStream pipeline gives exactly what the plain-Python reference gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import paths
from helpers.dstream import output
from helpers.dstream.runner import StreamRun
from helpers.runs import make_run, top
from helpers.sample import batches_of, read_lines
from helpers.settings import RunSettings
from helpers.sources.queue import QueueSource
from helpers.state import WindowState

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [*paths.sample_files(), paths.MALFORMED]


def test_python_engine_known_totals():
    result = top([str(paths.MALFORMED)], "python", 3, "default", None, None)
    assert (result["tweets"], result["malformed"]) == (5, 13)
    everything = top([str(p) for p in paths.sample_files()], "python", 5, "default", None, None)
    assert everything["tweets"] == 20_800 and everything["malformed"] == 0
    assert [w["word"] for w in everything["words"]][:3] == ["new", "love", "hate"]
    assert [w["sentiment"] for w in everything["words"]][:3] == ["neutral", "positive", "negative"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_dstream_equals_python_for_every_shipped_file(sc, path):
    python = top([str(path)], "python", 50, "default", None, None)
    dstream = top([str(path)], "dstream", 50, "default", None, None)
    assert dstream == python
    assert len(dstream["words"]) == 50 or path == paths.MALFORMED


def test_state_in_spark_gives_the_same_top_as_on_the_driver(sc):
    """``--state spark``: updateStateByKey keeps the totals; the answer is the python engine's all the same."""
    files = [str(paths.MALFORMED), str(paths.sample_files()[2])]
    python = top(files, "python", 50, "default", None, None)
    assert top(files, "dstream", 50, "default", None, None, state="spark") == python
    assert python["malformed"] == 13 and python["tweets"] == 5205


def test_filters_apply_to_both_engines(sc):
    files = [str(p) for p in paths.sample_files()]
    python = top(files, "python", 20, "bing", "climate", "en")
    assert python["tweets"] < 5200 and python["words"][0]["count"] > 0
    assert top(files, "dstream", 20, "bing", "climate", "en") == python


@pytest.mark.parametrize("state", ["driver", "spark"])
def test_windows_and_totals_match_the_reference_batch_by_batch(sc, state):
    lines = list(read_lines([paths.MALFORMED, paths.sample_files()[1]]))[:2400]
    batches = list(batches_of(lines, 300))  # 8 batches; the malformed lines land in the first
    reference = WindowState(window=3, slide=2, top_n=10)
    expected = [reference.process(batch) for batch in batches]
    settings = RunSettings(batch_s=1.0, window_s=3.0, slide_s=2.0, top_n=10)
    run = StreamRun(sc, QueueSource(batches), settings, state=state)
    run.start()
    try:
        assert run.wait(len(batches), timeout=180)
    finally:
        run.stop()
    got = run.publisher.history[: len(batches)]
    assert not run.errors
    for want, have in zip(expected, got, strict=True):
        assert have.batch == want.batch
        assert have.stats == want.stats
        assert (have.tweets_total, have.malformed_total) == (want.tweets_total, want.malformed_total)
        assert have.window_updated == want.window_updated
        assert have.top == want.top
    assert got[-1].tweets_total == sum(1 for x in lines if x.strip()) - 13
    assert output.registered() == 0, "the run's foreachRDD targets outlive it"


def _refused(call) -> str:
    """The message of the ValueError ``call()`` raises."""
    with pytest.raises(ValueError) as e:
        call()
    return str(e.value)


def test_top_refuses_what_an_engine_cannot_do_before_starting_spark():
    files = [str(paths.MALFORMED)]
    assert (
        _refused(lambda: top(files, "flink"))
        == "engine must be one of ['python', 'dstream', 'structured'], got 'flink'"
    )
    assert _refused(lambda: top(files, "dstream", checkpoint="x")) == (
        "--checkpoint: only the structured engine keeps a checkpoint"
    )
    assert _refused(lambda: top(files, "structured", scorer="vader")).startswith(
        "--scorer: the structured engine scores tweets in Spark SQL with the lexicon only"
    )


def test_make_run_builds_the_dstream_run_from_one_settings_object(sc):
    settings = RunSettings(batch_s=1.0, window_s=4.0, slide_s=2.0, top_n=5, totals_top=5)
    run = make_run(settings, QueueSource([["x"]]), "dstream", [print], sc=sc, state="spark")
    assert isinstance(run, StreamRun) and run.settings is settings and run.state == "spark"
    assert run.publisher.listeners == [print] and not run.running
    assert _refused(lambda: make_run(settings, QueueSource([["x"]]), "python")) == (
        "engine must be one of ['dstream', 'structured'] for a live run, got 'python'"
    )
    assert _refused(lambda: make_run(RunSettings(window_s=3.5), QueueSource([["x"]]), "dstream", sc=sc)).startswith(
        "window length 3.5 s is not a multiple of the batch interval 1 s"
    )
