"""Preflight: check what the kit needs before Spark is asked, and say the exact fix for what is missing.

``python -m helpers preflight`` prints one line per check (✓ or ✗ with the fix) and exits 1 on any ✗;
``preflight.notebook()`` does the same in a notebook and raises if something is wrong.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from helpers.infra import processes
from helpers.sinks import describe

#: Java majors that the pinned pyspark (4.3) supports.
JAVA_MAJORS = (17, 21)
PYSPARK_PIN = "4.3.0"
MIN_FREE_GIB = 2.0

JAVA_FIX = (
    "install Java 17: `sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu), "
    "`brew install openjdk@17` (macOS), or use conda: `conda env create -f environment.yml` "
    "(it brings openjdk 17)"
)


@dataclass(frozen=True)
class Check:
    """One preflight line: what was checked, whether it passed, what was found, and the fix if not."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        """The line the learner reads: ``✓ name: detail`` or ``✗ name: detail — fix: …``."""
        mark = "✓" if self.ok else "✗"
        text = f"{mark} {self.name}: {self.detail}"
        return text if self.ok else f"{text}\n    fix: {self.fix}"


def java_version(java: str) -> str | None:
    """The version string ``java -version`` reports (``"17.0.15"``), or None if it does not run."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "([^"]+)"', out.stderr + out.stdout)
    return match.group(1) if match else None


def java_major(version: str) -> int:
    """The major version: ``"17.0.15"`` → 17, ``"1.8.0_392"`` → 8."""
    parts = version.split(".")
    return int(parts[1]) if parts[0] == "1" else int(re.match(r"\d+", parts[0]).group(0))  # type: ignore[union-attr]


#: pyspark 4.3.0's own floor (its wheel says Requires-Python >=3.11); the Makefile checks the same.
MIN_PYTHON = (3, 11)


def check_python(version: tuple[int, int, int] | None = None) -> Check:
    """Python 3.11 or newer, as pyspark 4.3 needs; ``version`` stands in for the running one in tests."""
    v = version or tuple(sys.version_info[:3])
    return Check(
        "Python",
        v >= MIN_PYTHON,
        f"{v[0]}.{v[1]}.{v[2]} at {sys.executable}",
        "the kit needs Python 3.11 or newer (pyspark 4.3 does): install python3.11 and run "
        "`make lab PYTHON=python3.11`, or use conda: `conda env create -f environment.yml`",
    )


def check_java(env: dict[str, str] | None = None) -> list[Check]:
    """Java present, of a supported major, and ``JAVA_HOME`` (if set) agreeing with ``java`` on PATH."""
    env = dict(os.environ if env is None else env)
    on_path = shutil.which("java", path=env.get("PATH", ""))
    home = env.get("JAVA_HOME", "")
    home_java = str(Path(home) / "bin" / "java") if home else None
    if home_java and not Path(home_java).exists():
        return [
            Check(
                "Java",
                False,
                f"JAVA_HOME={home} has no bin/java",
                f"point JAVA_HOME at a JDK or JRE folder (unset it to use `java` on PATH), or {JAVA_FIX}",
            )
        ]
    java = home_java or on_path
    if java is None:
        return [Check("Java", False, "no `java` on PATH and JAVA_HOME is not set", JAVA_FIX)]
    version = java_version(java)
    if version is None:
        return [Check("Java", False, f"{java} does not run", JAVA_FIX)]
    major = java_major(version)
    checks = [
        Check(
            "Java",
            major in JAVA_MAJORS,
            f"{version} at {java}",
            f"Spark {PYSPARK_PIN} needs Java {' or '.join(map(str, JAVA_MAJORS))}, found {major}; " + JAVA_FIX,
        )
    ]
    if home_java and on_path and Path(on_path).resolve() != Path(home_java).resolve():
        checks.append(
            Check(
                "JAVA_HOME",
                False,
                f"{home} but `java` on PATH is {Path(on_path).resolve()}",
                f"make them agree: `export JAVA_HOME={Path(on_path).resolve().parent.parent}` "
                "or put $JAVA_HOME/bin first on PATH",
            )
        )
    else:
        checks.append(Check("JAVA_HOME", True, home or "not set (Spark uses `java` on PATH)"))
    return checks


def check_memory() -> Check:
    """At least 2 GiB free for the driver JVM, the Python workers and JupyterLab."""
    try:
        import psutil

        free = psutil.virtual_memory().available / 2**30
    except Exception:
        return Check("memory", True, "unknown (psutil could not tell)")
    return Check(
        "memory",
        free >= MIN_FREE_GIB,
        f"{free:.1f} GiB available",
        f"close other programs: Spark local mode wants {MIN_FREE_GIB:g} GiB free",
    )


def check_packages() -> Check:
    """The pinned pyspark is the one imported (a different one would teach a different API)."""
    try:
        import pyspark
    except ImportError:
        return Check("pyspark", False, "not installed", "run `make lab` (it installs .venv) or `pip install -e .`")
    ok = pyspark.__version__ == PYSPARK_PIN
    return Check(
        "pyspark",
        ok,
        pyspark.__version__,
        f"the kit is pinned to pyspark {PYSPARK_PIN}: `pip install -e .` inside .venv",
    )


def check_loopback() -> Check:
    """A server can listen on 127.0.0.1 (the replay server and Spark's driver bind there)."""
    try:
        processes.bind_loopback()
    except OSError as e:
        return Check("loopback", False, f"cannot listen on 127.0.0.1 ({e})", "check the firewall or sandbox")
    return Check("loopback", True, "127.0.0.1 accepts servers")


def check_spark() -> Check:
    """A SparkContext starts and runs one job (only meaningful once the checks above pass)."""
    from helpers.infra import spark

    try:
        sc = spark.get_context("preflight")
        total = sc.parallelize(range(10), 2).sum()
    except Exception as e:
        return Check(
            "Spark",
            False,
            f"did not start: {describe(e, limit=200)}",
            "fix the ✗ lines above first; `python -m helpers preflight` repeats these checks",
        )
    return Check("Spark", total == 45, f"{sc.version} on {sc.master}", "the test job gave a wrong answer")


def run(start_spark: bool = True) -> list[Check]:
    """Every check in order; Spark is only started when everything before it passed."""
    checks = [check_python(), *check_java(), check_memory(), check_packages(), check_loopback()]
    if start_spark and all(c.ok for c in checks):
        checks.append(check_spark())
    return checks


def report(checks: list[Check]) -> str:
    """The checks as the lines a learner reads, with a last line saying whether all is well."""
    lines = [c.line() for c in checks]
    bad = sum(not c.ok for c in checks)
    lines.append("all checks passed" if not bad else f"{bad} check(s) failed: see the fix under each ✗")
    return "\n".join(lines)


def notebook(start_spark: bool = True) -> list[Check]:
    """Run the checks, print one line each, and raise if any failed (notebook 00's first cell)."""
    checks = run(start_spark=start_spark)
    print(report(checks))
    if not all(c.ok for c in checks):
        raise RuntimeError("preflight failed: see the fix under each ✗ above")
    return checks


__all__ = [
    "JAVA_FIX",
    "JAVA_MAJORS",
    "MIN_FREE_GIB",
    "MIN_PYTHON",
    "PYSPARK_PIN",
    "Check",
    "check_java",
    "check_loopback",
    "check_memory",
    "check_packages",
    "check_python",
    "check_spark",
    "java_major",
    "java_version",
    "notebook",
    "report",
    "run",
]
