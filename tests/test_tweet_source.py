"""``format("tweets")``, the kit's Python streaming source: order, pacing, resuming, growing inputs.

- a shipped file (and a comma list) replays line for line: every non-blank line, in file order;
- ``maxRowsPerTrigger`` holds exactly (full batches, then the rest), with ``trigger(availableNow=True)``;
- a query stopped after some batches and restarted on the same checkpoint reads only what came after
  (nothing lost, nothing twice), and the checkpoint's offsets are the line numbers it stopped at;
- lines appended to a file already read, and a new file matching the glob, are read by the next run;
- a file that shrinks stops the query with a clear message.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from helpers import paths
from helpers.infra import spark
from helpers.sample import read_lines
from helpers.sources import tweet_source
from helpers.tweets import is_blank


@pytest.fixture(scope="module")
def session(sc):
    return spark.get_session()


def non_blank(files):
    return [line for line in read_lines(files) if not is_blank(line)]


def start(session, path, checkpoint, max_rows=None, trigger=None):
    """Start a query of the tweets source into a foreachBatch sink; (query, rows by batch id).

    ``foreachBatch`` rather than the memory sink: a memory sink in append mode cannot restart from a checkpoint.
    """
    reader = session.readStream.format("tweets").option("path", path)
    if max_rows is not None:
        reader = reader.option("maxRowsPerTrigger", max_rows)
    batches = {}

    def keep(df, batch_id):
        batches[batch_id] = [r.value for r in df.collect()]  # keyed on the batch id: a replayed batch replaces

    query = (
        reader.load()
        .writeStream.foreachBatch(keep)
        .option("checkpointLocation", str(checkpoint))
        .trigger(**(trigger or {"availableNow": True}))
        .start()
    )
    return query, batches


def replay(session, path, checkpoint, max_rows=None):
    """Run an availableNow query; (rows in order, rows per non-empty batch, the query)."""
    query, batches = start(session, path, checkpoint, max_rows)
    query.awaitTermination(600)
    assert query.exception() is None, query.exception()
    rows = [line for _, lines in sorted(batches.items()) for line in lines]
    return rows, [len(lines) for _, lines in sorted(batches.items()) if lines], query


def last_committed(checkpoint):
    """The source's end offset of the last micro-batch the checkpoint records as done."""
    done = max(int(p.name) for p in (checkpoint / "commits").iterdir() if p.name.isdigit())
    return json.loads((checkpoint / "offsets" / str(done)).read_text().splitlines()[-1])


def test_resolve_keeps_the_order_given_and_expands_globs_and_folders(tmp_path):
    for name in ("b.ndjson", "a.ndjson", "_skip.ndjson", ".hidden"):
        (tmp_path / name).write_text("x\n")
    a, b = str(tmp_path / "a.ndjson"), str(tmp_path / "b.ndjson")
    assert tweet_source.resolve(f"{b},{a}") == [b, a]
    assert tweet_source.resolve(str(tmp_path / "*.ndjson")) == [str(tmp_path / "_skip.ndjson"), a, b]
    assert tweet_source.resolve(f"{b},{tmp_path}") == [b, a]  # a folder: its files by name, each once
    with pytest.raises(FileNotFoundError, match=r"tweets source: no such file or folder: .*nope\.ndjson"):
        tweet_source.resolve(str(tmp_path / "nope.ndjson"))


def test_split_lines_splits_like_the_text_source():
    data = b"a\n\n  \n\xe3\x80\x80\n\x1c\nb\r\nc\rd\n\xff\nlast"
    assert tweet_source.split_lines(data) == ["a", "b", "c", "d", "\ufffd", "last"]
    assert tweet_source.split_lines(data) == [line for line in read_lines_of(data) if not is_blank(line)]


def read_lines_of(data, tmp=Path("/tmp")):
    import tempfile

    with tempfile.NamedTemporaryFile(dir=tmp, suffix=".ndjson") as fh:
        fh.write(data)
        fh.flush()
        return list(read_lines([fh.name]))


@pytest.mark.spark
def test_a_shipped_file_and_a_list_replay_in_order(session, tmp_path):
    files = [paths.MALFORMED, paths.sample_files(["football"])[0]]
    rows, per_batch, _ = replay(session, ",".join(str(f) for f in files), tmp_path / "cp")
    expected = non_blank(files)
    assert len(expected) == 18 + 5200
    assert rows == expected and per_batch == [len(expected)]


@pytest.mark.spark
def test_max_rows_per_trigger_makes_exact_batches(session, tmp_path):
    file = paths.sample_files(["climate"])[0]
    rows, per_batch, query = replay(session, str(file), tmp_path / "cp", max_rows=1500)
    assert rows == non_blank([file])
    assert per_batch == [1500, 1500, 1500, 700]
    end = query.lastProgress["sources"][0]["endOffset"]
    end = json.loads(end) if isinstance(end, str) else end
    assert end == {"files": [{"path": str(file.resolve()), "line": 5200, "byte": file.stat().st_size}]}


@pytest.mark.spark
def test_a_restarted_query_reads_only_what_came_after_the_stop(session, tmp_path):
    file = paths.sample_files(["product_launch"])[0]
    cp = tmp_path / "cp"
    # One micro-batch at the start, the next only a minute later: stopped in between, after exactly one.
    query, batches = start(session, str(file), cp, max_rows=1000, trigger={"processingTime": "60 seconds"})
    try:
        deadline = time.monotonic() + 300
        while not any(p["numInputRows"] for p in query.recentProgress) and time.monotonic() < deadline:
            query.awaitTermination(0.2)
    finally:
        spark.stop_query(query)
    first = [line for _, lines in sorted(batches.items()) for line in lines]
    assert len(first) == 1000
    assert last_committed(cp)["files"][0]["line"] == 1000  # the offset is the line number it stopped at
    second, per_batch, _ = replay(session, str(file), cp, max_rows=1000)
    assert per_batch == [1000, 1000, 1000, 1000, 200]
    assert first + second == non_blank([file])  # nothing lost, nothing twice, in order


@pytest.mark.spark
def test_appended_lines_and_new_files_are_read_by_the_next_run(session, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    football = non_blank([paths.sample_files(["football"])[0]])
    growing = inbox / "a.ndjson"
    growing.write_text("".join(f"{line}\n" for line in football[:100]))
    cp, pattern = tmp_path / "cp", str(inbox / "*.ndjson")
    first, _, _ = replay(session, pattern, cp)
    assert first == football[:100]
    with growing.open("a") as fh:  # append to the file already read …
        fh.write("".join(f"{line}\n" for line in football[100:150]))
    (inbox / "0-new.ndjson").write_text("".join(f"{line}\n" for line in football[150:160]))  # … and a new file
    second, _, _ = replay(session, pattern, cp)
    # the known file's new lines first, then the new file (read from its start, although it sorts first)
    assert second == football[100:150] + football[150:160]


@pytest.mark.spark
def test_a_file_that_shrinks_stops_the_query(session, tmp_path):
    from pyspark.errors import StreamingQueryException

    file = tmp_path / "t.ndjson"
    shutil.copyfile(paths.MALFORMED, file)
    cp = tmp_path / "cp"
    replay(session, str(file), cp)
    file.write_text("{}\n")
    query, _ = start(session, str(file), cp)
    with pytest.raises(StreamingQueryException, match="is now 3 bytes, shorter than the 7515 already read"):
        query.awaitTermination(600)
