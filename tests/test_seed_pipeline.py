"""examples/seed_pipeline.py under the installed pyspark's spark-submit prints what ``top --engine python`` prints.

One run streams every shipped file at once, in one-second batches of 2,000 lines (and writes the D3 page's
JSON lines on the way); the slow lane runs it once per shipped file as well, the malformed one included, each
file in one batch: five runs of the script in one spark-submit (one JVM, one SparkContext after another),
each printing its own single JSON line.
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
from helpers.infra.spark import LOG4J
from helpers.runs import top_python
from helpers.sample import read_lines
from helpers.ui import web

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "seed_pipeline.py"
SPARK_SUBMIT = Path(sys.executable).parent / "spark-submit"  # the one pip installed with pyspark
SHIPPED = [*paths.sample_files(), paths.MALFORMED]
BATCH = 2000  # lines per one-second batch: few batches, so a loaded machine falls little behind
#: Each file alone in one batch (a shipped file has at most 5,200 lines): the all-files run above takes the
#: many-batch road (windows sliding, totals carried from batch to batch); these prove each file's own totals.
EACH_BATCH = 6000


#: Runs the script once per file in this one Python process and JVM, as spark-submit runs a script
#: (``__main__``); a marker line before each run tells the runs' stdout apart.
EACH = """import runpy, sys
script, top, batch, *files = sys.argv[1:]
for path in files:
    print(MARK + path, flush=True)
    sys.argv = [script, "--input", path, "--top", top, "--batch", batch]
    runpy.run_path(script, run_name="__main__")
    sys.stdout.flush()
"""
MARK = "@@seed-run@@ "


def spark_submit(args: list[str], tmp_path: Path) -> str:
    """spark-submit ``args``, quiet, on 127.0.0.1; fail on a non-zero exit or an ERROR line; return stdout."""
    env = {
        **os.environ,
        "PYSPARK_PYTHON": sys.executable,
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
def each_file(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The script run on each shipped file alone, all in one spark-submit: file name -> its one JSON line."""
    tmp = tmp_path_factory.mktemp("seed-each")
    driver = tmp / "each.py"
    driver.write_text(f"MARK = {MARK!r}\n{EACH}", encoding="utf-8")
    assert max(len(list(read_lines([p]))) for p in SHIPPED) <= EACH_BATCH
    out = spark_submit([str(driver), str(SCRIPT), "50", str(EACH_BATCH), *map(str, SHIPPED)], tmp)
    assert out.startswith(MARK), out[:2000]
    runs = {}
    for part in out.split(MARK)[1:]:
        path, _, printed = part.partition("\n")
        assert printed.count("\n") == 1, printed[:2000]  # each run printed exactly one JSON line
        runs[Path(path).name] = json.loads(printed)
    assert list(runs) == [p.name for p in SHIPPED]
    return runs


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
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_each_shipped_file(path, each_file):
    assert each_file[path.name] == top_python([path], 50)
