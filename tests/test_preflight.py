"""Preflight: green here, and the exact fix when Java cannot be found."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.infra import preflight


def _run(env):
    return subprocess.run(
        [sys.executable, "-m", "helpers", "preflight"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=Path(__file__).parent.parent,
    )


def test_no_java_fails_with_the_fix():
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)  # the venv's bin: python, no java
    out = _run(env)
    assert out.returncode == 1
    assert "✗ Java: no `java` on PATH and JAVA_HOME is not set" in out.stdout
    assert "sudo apt-get install openjdk-17-jre-headless" in out.stdout
    assert "conda env create -f environment.yml" in out.stdout
    assert "✓ Spark" not in out.stdout  # Spark is not even tried


def test_java_home_without_java_is_named():
    checks = preflight.check_java({"PATH": "/usr/bin", "JAVA_HOME": "/nonexistent/jdk"})
    assert not checks[0].ok and "JAVA_HOME=/nonexistent/jdk has no bin/java" in checks[0].detail


def test_java_home_disagreeing_with_path(tmp_path):
    fake = tmp_path / "jdk" / "bin"
    fake.mkdir(parents=True)
    java = fake / "java"
    java.write_text("#!/bin/sh\necho 'openjdk version \"21.0.2\" 2024-01-16' >&2\n")
    java.chmod(0o755)
    real = preflight.shutil.which("java")
    if real is None:
        pytest.skip("no java on PATH to disagree with")
    checks = preflight.check_java({"PATH": str(Path(real).parent), "JAVA_HOME": str(tmp_path / "jdk")})
    assert checks[0].ok and checks[0].detail.startswith("21.0.2")
    assert not checks[1].ok and "make them agree" in checks[1].fix


def test_unsupported_java_major(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "java").write_text("#!/bin/sh\necho 'java version \"1.8.0_392\"' >&2\n")
    (fake / "java").chmod(0o755)
    checks = preflight.check_java({"PATH": str(fake)})
    assert not checks[0].ok and "needs Java 17 or 21, found 8" in checks[0].fix


@pytest.mark.spark
def test_green_here():
    out = _run(dict(os.environ))
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith("all checks passed")
    assert "✓ Spark: 4.3.0 on local[2]" in out.stdout
