"""Shared fixtures: one real local SparkContext for the whole session (it takes ~5 s to start)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


@pytest.fixture(scope="session")
def sc():
    """A real ``local[2]`` SparkContext, stopped when the session ends."""
    from helpers.infra import spark

    context = spark.get_context("tests")
    yield context
    spark.stop_all()
