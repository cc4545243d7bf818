"""Spark's Python workers as the kit starts them: under the kit's daemon where they run this interpreter, with
what they inherit frozen out of the per-task garbage collection (importing the worker before the fork stays
safe), and through ``worker_python()``, which keeps pyspark's zip and jars off their ``PYTHONPATH``."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.infra import spark

#: Forking with a thread running is unsafe: pyspark.daemon imports the worker after the fork for that reason.
FRESH_IMPORT = """
import os, sys, threading
import helpers.infra.worker_daemon
print(len(os.listdir("/proc/self/task")), threading.active_count(),
      sorted(m for m in ("pandas", "pyarrow", "numpy") if m in sys.modules))
"""


@pytest.mark.parametrize(
    ("master_url", "here"),
    [
        ("local[2]", True),
        ("local[*]", True),
        ("spark://127.0.0.1:7077", True),
        ("spark://localhost:7077", True),
        ("spark://127.0.0.1:7077,127.0.0.1:7078", True),
        ("spark://10.0.0.5:7077", False),
        ("spark://127.0.0.1:7077,10.0.0.5:7077", False),
        ("yarn", False),
        ("k8s://https://127.0.0.1:6443", False),
    ],
)
def test_the_daemon_is_used_only_where_the_workers_run_this_interpreter(master_url, here):
    conf = spark._conf("t", ui=False, master_url=master_url)
    assert conf.get("spark.python.daemon.module") == (spark.WORKER_DAEMON if here else "pyspark.daemon")
    assert spark._workers_run_here(master_url) is here


@pytest.mark.skipif(sys.platform != "linux", reason="counts threads in /proc")
def test_importing_the_daemon_starts_no_thread_and_no_pandas_or_pyarrow():
    out = subprocess.run([sys.executable, "-c", FRESH_IMPORT], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["1", "1", "[]"]


@pytest.mark.spark
def test_workers_inherit_the_daemons_objects_frozen(sc):
    assert sc.getConf().get("spark.python.daemon.module") == spark.WORKER_DAEMON
    # A conf made while this JVM runs starts from its settings: a cluster elsewhere still gets pyspark's daemon.
    assert spark._conf("t", ui=False, master_url="spark://10.0.0.5:7077").get("spark.python.daemon.module") == (
        "pyspark.daemon"
    )
    frozen = sc.parallelize(range(4), 2).map(lambda _: gc.get_freeze_count()).collect()
    assert min(frozen) > 10_000, frozen  # pyspark.daemon's workers report 0
    assert sc.parallelize(range(1000), 2).map(lambda x: (x % 7, 1)).reduceByKey(lambda a, b: a + b).collectAsMap() == {
        k: len(range(k, 1000, 7)) for k in range(7)
    }


@pytest.mark.spark
def test_workers_import_the_installed_pyspark_with_no_zip_or_jar_on_their_path(sc):
    import pyspark

    installed = Path(pyspark.__file__).resolve().parent
    found, path = sc.parallelize([0], 1).map(lambda _: (__import__("pyspark").__file__, sys.path)).collect()[0]
    assert Path(found).resolve() == installed / "__init__.py"
    assert [p for p in path if p.startswith((str(installed / "python" / "lib"), str(installed / "jars")))] == []
    assert not any(p.endswith((".zip", ".jar")) and Path(p).exists() for p in path), path
