"""The engines agree: the DStream pipeline gives exactly what the plain-Python reference gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import paths
from helpers.cli.streaming import run_top
from helpers.dstream.runner import StreamRun
from helpers.sample import batches_of, read_lines
from helpers.sources.queue import QueueSource
from helpers.state import WindowState

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [*paths.sample_files(), paths.MALFORMED]


def test_python_engine_known_totals():
    result = run_top("python", [str(paths.MALFORMED)], 3, "default", None, None)
    assert (result["tweets"], result["malformed"]) == (5, 13)
    everything = run_top("python", [str(p) for p in paths.sample_files()], 5, "default", None, None)
    assert everything["tweets"] == 20_800 and everything["malformed"] == 0
    assert [w["word"] for w in everything["words"]][:3] == ["new", "love", "hate"]
    assert [w["sentiment"] for w in everything["words"]][:3] == ["neutral", "positive", "negative"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_dstream_equals_python_for_every_shipped_file(sc, path):
    python = run_top("python", [str(path)], 50, "default", None, None)
    dstream = run_top("dstream", [str(path)], 50, "default", None, None)
    assert dstream == python
    assert len(dstream["words"]) == 50 or path == paths.MALFORMED


def test_state_in_spark_gives_the_same_top_as_on_the_driver(sc):
    """``--state spark``: updateStateByKey keeps the totals; the answer is the python engine's all the same."""
    files = [str(paths.MALFORMED), str(paths.sample_files()[2])]
    python = run_top("python", files, 50, "default", None, None)
    assert run_top("dstream", files, 50, "default", None, None, state="spark") == python
    assert python["malformed"] == 13 and python["tweets"] == 5205


def test_filters_apply_to_both_engines(sc):
    files = [str(p) for p in paths.sample_files()]
    python = run_top("python", files, 20, "bing", "climate", "en")
    assert python["tweets"] < 5200 and python["words"][0]["count"] > 0
    assert run_top("dstream", files, 20, "bing", "climate", "en") == python


def test_cli_top_json_is_identical_across_engines():
    def cli(engine):
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "helpers",
                "top",
                "--engine",
                engine,
                "--input",
                str(paths.MALFORMED),
                str(paths.sample_files()[0]),
                "--top",
                "10",
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
            env=dict(os.environ),
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    python, dstream = cli("python"), cli("dstream")
    assert python == dstream
    assert json.loads(python)["malformed"] == 13


@pytest.mark.parametrize("state", ["driver", "spark"])
def test_windows_and_totals_match_the_reference_batch_by_batch(sc, state):
    lines = list(read_lines([paths.MALFORMED, paths.sample_files()[1]]))[:2400]
    batches = list(batches_of(lines, 300))  # 8 batches; the malformed lines land in the first
    reference = WindowState(window=3, slide=2, top_n=10)
    expected = [reference.process(batch) for batch in batches]
    run = StreamRun(sc, QueueSource(batches), batch_s=1.0, window_s=3.0, slide_s=2.0, top_n=10, state=state)
    run.start()
    try:
        assert run.wait(len(batches), timeout=180)
    finally:
        run.stop()
    got = run.sink.history[: len(batches)]
    assert not run.sink.errors
    for want, have in zip(expected, got, strict=True):
        assert have.batch == want.batch
        assert have.stats == want.stats
        assert (have.tweets_total, have.malformed_total) == (want.tweets_total, want.malformed_total)
        assert have.window_updated == want.window_updated
        assert have.top == want.top
    assert got[-1].tweets_total == sum(1 for x in lines if x.strip()) - 13
