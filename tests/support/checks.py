"""What the tests of the exercise self-checks share: asserting a verdict, and stand-in Spark objects."""

from __future__ import annotations

from pyspark import RDD
from pyspark.sql import DataFrame
from pyspark.streaming import DStream


class FakeRDD(RDD):
    """A pyspark RDD to the checks' isinstance test, with no SparkContext behind it."""

    def __init__(self) -> None:
        pass

    def collect(self):
        return []


class FakeDStream(DStream):
    """A pyspark DStream to the checks' isinstance test, with no StreamingContext behind it."""

    def __init__(self) -> None:
        pass


class FakeDataFrame(DataFrame):
    """A pyspark DataFrame to the checks' isinstance test, with no session behind it."""

    def __new__(cls) -> FakeDataFrame:  # DataFrame.__new__ builds a classic DataFrame from a Java one
        return object.__new__(cls)

    def __init__(self) -> None:
        pass


def wrong(result, message):
    """The check said ✗ with exactly ``message``."""
    assert not result
    assert result.message == message


def right(result):
    """The check said ✓ and its message starts with "right"."""
    assert result, result.message
    assert result.message.startswith("right")
