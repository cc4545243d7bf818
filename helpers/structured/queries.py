"""Streaming queries' plumbing: a fresh checkpoint folder, waiting for a bounded query, reading its state.

query = df.writeStream…option("checkpointLocation", str(checkpoint_dir())).trigger(availableNow=True).start()
finish(query)                         # wait for it to end by itself; raise its error, or TimeoutError
state_counts(session, checkpoint)     # the counts ``running_counts`` left in the state store
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from helpers.infra import spark

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from pyspark.sql.streaming import StreamingQuery


def checkpoint_dir() -> Path:
    """A fresh checkpoint folder for one query (never a global ``spark.sql.streaming.checkpointLocation``:
    re-running a named memory-sink query would then fail). Whoever asks for it deletes it."""
    return spark.checkpoint_dir(prefix="lab-structured-checkpoint-")


def finish(query: StreamingQuery, timeout: float = 300.0) -> None:
    """Wait for a bounded query (``availableNow``) to end; raise its error, or TimeoutError."""
    if not query.awaitTermination(timeout):
        spark.stop_query(query)
        raise TimeoutError(f"query {query.name or query.id} did not finish in {timeout:g} s")
    error = query.exception()
    if error is not None:
        raise RuntimeError(f"query {query.name or query.id} failed: {error}")


def state_counts(session: SparkSession, checkpoint: str | Path) -> dict[str, int]:
    """The counts ``running_counts`` left in a query's checkpoint, read with ``format("statestore")``.

    Empty when no micro-batch was committed yet (there is no state to read).
    """
    if not any(p.name.isdigit() for p in (Path(checkpoint) / "commits").glob("*")):
        return {}
    state = session.read.format("statestore").load(str(checkpoint))
    return {r[0]: r[1] for r in state.select("key.word", "value.count").collect()}


__all__ = ["checkpoint_dir", "finish", "state_counts"]
