"""The set-up tells the truth: a too-old Python is named in one line, and the lab settings are in place."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.infra import preflight

ROOT = Path(__file__).resolve().parent.parent


def _make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def _old_python(tmp_path: Path) -> str:
    """A Python 3.10 interpreter: a real one if this machine has it, else a stand-in that reports 3.10."""
    for found in (shutil.which("python3.10"), *sorted(Path("/root/.pyenv/versions").glob("3.10.*/bin/python3.10"))):
        if found and subprocess.run([str(found), "-c", "pass"], capture_output=True).returncode == 0:
            return str(found)
    fake = tmp_path / "python3.10"
    fake.write_text(
        '#!/bin/sh\ncase "$2" in *print*) echo 3.10.13;; *) exit 1;; esac\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    return str(fake)


def test_preflight_on_python_310_names_311_before_any_install(tmp_path):
    out = _make("preflight", f"PYTHON={_old_python(tmp_path)}")
    assert out.returncode != 0
    assert "✗ Python 3.10.13" in out.stdout and "needs Python 3.11 or newer" in out.stdout
    assert "pip" not in out.stderr  # stopped before pip was asked


def test_missing_interpreter_is_named():
    out = _make("check-python", "PYTHON=python3.missing")
    assert out.returncode != 0
    assert "✗ Python: 'python3.missing' does not run (not installed?); the kit needs Python 3.11" in out.stdout


def test_preflight_check_python_agrees_with_the_makefile():
    assert not preflight.check_python((3, 10, 13)).ok
    assert "needs Python 3.11 or newer" in preflight.check_python((3, 10, 13)).fix
    assert preflight.check_python((3, 11, 0)).ok
    assert preflight.check_python().ok == (sys.version_info >= (3, 11))


def test_requires_python_matches_pyspark_floor():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'requires-python = ">=3.11"' in text


def test_lab_settings_override_is_where_jupyterlab_reads_it():
    """`make` installs the kit's overrides.json into JupyterLab's app settings folder (no news pop-up)."""
    jupyterlab = pytest.importorskip("jupyterlab.commands")
    installed = Path(jupyterlab.get_app_dir()) / "settings" / "overrides.json"
    shipped = json.loads((ROOT / "helpers" / "lab" / "overrides.json").read_text(encoding="utf-8"))
    assert shipped["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    if not installed.exists():
        pytest.fail(f"{installed} is missing: run `make lab` or `make test`, which install it with .venv")
    assert json.loads(installed.read_text(encoding="utf-8")) == shipped


def test_the_jvm_log_settings_ship_with_the_package():
    """Every driver gets -Dlog4j2.configurationFile=LOG4J; a missing file brings back Spark's WARN lines."""
    from helpers.infra import spark

    assert spark.LOG4J.is_file(), f"{spark.LOG4J} is missing"
    assert "rootLogger.level" in spark.LOG4J.read_text(encoding="utf-8")
