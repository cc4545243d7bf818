"""examples/seed_pipeline.py under the installed pyspark's spark-submit prints what ``top --engine python`` prints.

One run streams every shipped file at once, in one-second batches of 2,000 lines (and writes the D3 page's
JSON lines on the way): windows slide and totals carry over from batch to batch. The slow lane runs it twice
more in one spark-submit (one JVM, one SparkContext after the other), each run printing its own single JSON
line: every shipped file in one batch with every word asked for (each word's count is compared, not only
the top 50's), and malformed.ndjson alone (13 malformed lines, 2 blank ones, 5 tweets).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import paths
from helpers.infra.spark import LOG4J, WORKER_DAEMON, worker_python
from helpers.runs import top_python
from helpers.sample import read_lines
from helpers.ui import web

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "seed_pipeline.py"
SPARK_SUBMIT = Path(sys.executable).parent / "spark-submit"  # the one pip installed with pyspark
SHIPPED = [*paths.sample_files(), paths.MALFORMED]
BATCH = 2000  # lines per one-second batch: few batches, so a loaded machine falls little behind
#: Lines per batch of the one-batch runs: more than all shipped lines (20,818).
ONE_BATCH = 25_000
#: ``--top`` for "every word": more than the shipped files' distinct words.
EVERY_WORD = 100_000
#: The one-batch runs, by name: (``--top``, files).
RUNS = {"every-word": (EVERY_WORD, SHIPPED), "malformed-alone": (50, [paths.MALFORMED])}


#: Runs the script once per run in this one Python process and JVM, as spark-submit runs a script
#: (``__main__``); a marker line before each run tells the runs' stdout apart. A run is NAME:TOP:FILE,FILE…
EACH = """import runpy, sys
script, batch, *runs = sys.argv[1:]
for run in runs:
    name, top, files = run.split(":", 2)
    print(MARK + name, flush=True)
    sys.argv = [script, "--input", *files.split(","), "--top", top, "--batch", batch]
    runpy.run_path(script, run_name="__main__")
    sys.stdout.flush()
"""
MARK = "@@seed-run@@ "


def spark_submit(args: list[str], tmp_path: Path) -> str:
    """spark-submit ``args``, quiet, on 127.0.0.1; fail on a non-zero exit or an ERROR line; return stdout."""
    env = {
        **os.environ,
        "PYSPARK_PYTHON": worker_python(),  # this interpreter, without the zip and jar Spark puts on PYTHONPATH
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    cmd = [
        str(SPARK_SUBMIT),
        "--master", "local[2]",
        "--driver-java-options", f"-Dlog4j2.configurationFile={LOG4J.as_uri()}",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.ui.showConsoleProgress=false",
        # The Python daemon every run of the kit uses (helpers/infra/worker_daemon.py): the same tasks, a fifth
        # of the workers' CPU. The example itself names no daemon, so a plain spark-submit runs pyspark's.
        "--conf", f"spark.python.daemon.module={WORKER_DAEMON}",
        *args,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    noise = [line for line in proc.stderr.splitlines() if " ERROR " in line or "Traceback" in line]
    assert noise == [], "\n".join(noise)
    return proc.stdout


def submit(files: list[Path], top: int, tmp_path: Path, json_out: Path | None = None) -> dict:
    """Run the script with spark-submit; its stdout must be exactly one JSON line."""
    args = [str(SCRIPT), "--input", *map(str, files), "--top", str(top), "--batch", str(BATCH)]
    out = spark_submit([*args, *(["--json-out", str(json_out)] if json_out else [])], tmp_path)
    assert out.count("\n") == 1, out[:2000]
    return json.loads(out)


@pytest.fixture(scope="module")
def one_batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The script's one-batch RUNS, all in one spark-submit: run name -> its one JSON line."""
    tmp = tmp_path_factory.mktemp("seed-each")
    driver = tmp / "each.py"
    driver.write_text(f"MARK = {MARK!r}\n{EACH}", encoding="utf-8")
    assert len(list(read_lines(SHIPPED))) <= ONE_BATCH
    runs = [f"{name}:{top}:{','.join(map(str, files))}" for name, (top, files) in RUNS.items()]
    out = spark_submit([str(driver), str(SCRIPT), str(ONE_BATCH), *runs], tmp)
    assert out.startswith(MARK), out[:2000]
    printed_by = {}
    for part in out.split(MARK)[1:]:
        name, _, printed = part.partition("\n")
        assert printed.count("\n") == 1, printed[:2000]  # each run printed exactly one JSON line
        printed_by[name] = json.loads(printed)
    assert list(printed_by) == list(RUNS)
    return printed_by


def test_script_is_plain_spark_of_the_asked_size():
    """The DStream API in the open, no kit helper on the Spark path, about 60–80 lines of code."""
    source = SCRIPT.read_text(encoding="utf-8")
    for call in ("StreamingContext(sc, 1)", "queueStream(", ".flatMap(", ".map(", ".reduceByKey(add)",
                 ".reduceByKeyAndWindow(", ".updateStateByKey(", ".foreachRDD(", "ssc.start()",
                 "awaitTerminationOrTimeout(", "ssc.stop(stopSparkContext=True, stopGraceFully=True)"):  # fmt: skip
        assert call in source, call
    imports = sorted(line for line in source.splitlines() if line.startswith(("import ", "from ")))
    kit = [line for line in imports if "helpers" in line]
    assert kit == [
        "from helpers import lexicon",
        "from helpers.text import stopwords, words",
        "from helpers.tweets import fields",
    ]
    code = [x for x in source.split('"""', 2)[2].splitlines() if x.strip() and not x.strip().startswith("#")]
    assert 60 <= len(code) <= 90, len(code)


@pytest.mark.spark
def test_all_shipped_files_in_one_stream(tmp_path):
    out = tmp_path / "live.jsonl"
    got = submit(SHIPPED, 50, tmp_path, json_out=out)
    want = top_python(SHIPPED, 50)
    assert got == want
    assert (got["tweets"], got["malformed"], len(got["words"])) == (20_805, 13, 50)
    # The per-batch lines for the D3 page: valid, one per batch, adding up to the same totals.
    chunk = web.LineIndex(out).read(0, limit=10_000)
    assert chunk.bad == [] and not chunk.partial
    batches = math.ceil(len(list(read_lines(SHIPPED))) / BATCH)
    assert len(chunk.snapshots) >= batches
    assert [s["batch"] for s in chunk.snapshots] == list(range(1, len(chunk.snapshots) + 1))
    assert sum(s["tweets"] for s in chunk.snapshots) == got["tweets"]
    assert sum(s["malformed"] for s in chunk.snapshots) == 13
    first = chunk.snapshots[0]["top"]
    assert len(first) == 50 and all(r["count"] == r["total"] for r in first)  # batch 1: window == totals


@pytest.mark.spark
@pytest.mark.slow
def test_every_words_count_in_one_batch(one_batch):
    got = one_batch["every-word"]
    assert got == top_python(SHIPPED, EVERY_WORD)
    assert (got["tweets"], got["malformed"]) == (20_805, 13) and 50 < len(got["words"]) < EVERY_WORD


@pytest.mark.spark
@pytest.mark.slow
def test_the_awkward_lines_alone(one_batch):
    got = one_batch["malformed-alone"]
    assert got == top_python([paths.MALFORMED], 50)
    assert (got["tweets"], got["malformed"], len(got["words"])) == (5, 13, 20)  # and 2 blank lines
