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


@pytest.hookimpl(tryfirst=True)  # before pytest's own hook deselects by ``-m``
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that takes the ``sc`` fixture ``spark``: it starts a JVM, so ``make test-fast``
    (``-m "not spark and not browser"``) leaves it out even where its file forgot the mark."""
    for item in items:
        if "sc" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)
