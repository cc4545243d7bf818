"""What the tests of the exercise self-checks share: asserting a verdict, and a stand-in RDD."""

from __future__ import annotations


class FakeRDD:
    """Looks like a pyspark RDD to the checks (which never import pyspark)."""

    _jrdd = None

    def collect(self):
        return []


def wrong(result, message):
    """The check said ✗ with exactly ``message``."""
    assert not result
    assert result.message == message


def right(result):
    """The check said ✓ and its message starts with "right"."""
    assert result, result.message
    assert result.message.startswith("right")
