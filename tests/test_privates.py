"""pyspark's and py4j's private handles are touched in one module only: helpers/infra/spark.py.

Everything else asks its public functions (``spark.active_context()``, ``spark.executor_count(sc)``,
``spark.jvm_pid()``) or pyspark's public classes (``isinstance(answer, pyspark.RDD)`` in the self-checks),
so a pyspark upgrade that renames a private handle breaks one file, not the kit.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where the kit's own code lives (the tests may build stand-ins with these names).
SCANNED = ["helpers", "benchmarks", "examples", "conftest.py"]
#: The one module allowed to use them.
ALLOWED = ROOT / "helpers" / "infra" / "spark.py"
#: Private attributes of pyspark and py4j objects: the JVM gateway, the Java twins of Python objects.
PRIVATE = re.compile(r"\b(_jsc|_jvm|_gateway|_active_spark_context|_jrdd|_jdf|_jdstream|_jssc|_jsparkSession|_jconf)\b")


def _files() -> list[Path]:
    found = []
    for name in SCANNED:
        path = ROOT / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def private_uses(files: list[Path]) -> list[str]:
    """Every line of ``files`` that names a private handle, as ``path:line: text``."""
    hits = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PRIVATE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return hits


def test_only_spark_py_touches_pyspark_privates():
    files = _files()
    assert ALLOWED in files and len(files) > 40  # the scan really reads the kit
    found = private_uses([f for f in files if f != ALLOWED])
    assert not found, "pyspark/py4j privates outside helpers/infra/spark.py:\n" + "\n".join(found)


def test_the_scan_finds_a_private_handle():
    assert private_uses([ALLOWED])  # spark.py itself uses them: the pattern is not blind
    assert PRIVATE.search("sc._jsc.sc().conf()") and PRIVATE.search("hasattr(answer, '_jdstream')")
    assert not PRIVATE.search("self._jobs = []") and not PRIVATE.search("jsc = None")
