"""Where snapshots go: the ``Publisher`` every run hands them to, the command line's listeners (the console
table, ``format_table``, the JSON-lines file), and the ``stream`` and ``serve`` commands that drive them,
run as a user runs them."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from helpers import paths
from helpers.infra import processes
from helpers.model import Row, Snapshot, Stats
from helpers.sample import merged_lines
from helpers.sinks import ConsoleTable, JsonLines, Publisher, describe, error_line, format_table

ROOT = Path(__file__).resolve().parent.parent


def _snap(batch: int = 3) -> Snapshot:
    return Snapshot(
        batch=batch,
        time=1_700_000_000.0,
        interval_s=1.0,
        stats=Stats(tweets=12, malformed=1, positive_tweets=5, negative_tweets=4, neutral_tweets=3),
        tweets_total=40,
        malformed_total=2,
        top=[Row("goal", 7, 19, "neutral"), Row("love", 5, 9, "positive"), Row("penalty", 3, 4, "negative")],
        window_updated=True,
        processing_s=0.25,
    )


def test_the_publisher_keeps_only_the_last_snapshots_and_tracks_the_totals():
    got: list[int] = []
    publisher = Publisher([lambda snap: got.append(snap.batch)], keep=3)
    for batch in range(1, 6):
        publisher.publish(_snap(batch))
    assert [s.batch for s in publisher.history] == [3, 4, 5] and publisher.latest.batch == 5
    assert got == [1, 2, 3, 4, 5], "every listener hears every snapshot, kept or not"
    assert (publisher.batches, publisher.tweets_total, publisher.malformed_total) == (5, 40, 2)
    with pytest.raises(ValueError, match=r"^keep must be at least 1, got 0$"):
        Publisher(keep=0)


def test_wait_for_returns_once_the_batch_is_published_and_false_on_timeout_or_close():
    publisher = Publisher()
    assert publisher.latest is None and not publisher.wait_for(1, timeout=0.05)
    publisher.publish(_snap(1))
    assert publisher.wait_for(1, timeout=0)
    waited: list[bool] = []
    waiter = threading.Thread(target=lambda: waited.append(publisher.wait_for(2, timeout=600)))
    waiter.start()
    publisher.publish(_snap(2))  # wakes the waiter
    waiter.join(timeout=600)
    assert waited == [True]
    late = threading.Thread(target=lambda: waited.append(publisher.wait_for(3, timeout=600)))
    late.start()
    publisher.close()  # wakes it too: batch 3 will never come
    late.join(timeout=600)
    assert waited == [True, False]


def test_a_failing_listener_is_recorded_and_the_others_still_hear_each_snapshot():
    heard: list[int] = []

    def broken(snap: Snapshot) -> None:
        raise RuntimeError("no such column\nsecond line")

    publisher = Publisher([broken, lambda snap: heard.append(snap.batch)])
    publisher.publish(_snap(1))
    publisher.publish(_snap(2))
    assert heard == [1, 2]
    assert publisher.errors == ["listener broken: RuntimeError: no such column"] * 2
    assert error_line("batch stats", RuntimeError("")) == "batch stats: RuntimeError"
    assert describe(ValueError("x" * 400 + "\nsecond line"), limit=5) == "ValueError: xxxxx"


def test_a_closed_publisher_drops_later_snapshots_and_keeps_what_it_had():
    heard: list[int] = []
    publisher = Publisher([lambda snap: heard.append(snap.batch)])
    publisher.publish(_snap(1))
    publisher.close()
    publisher.publish(_snap(2))  # a batch finishing after its run stopped
    assert heard == [1] and [s.batch for s in publisher.history] == [1] and publisher.batches == 1


def test_format_table_exact_lines():
    assert format_table(_snap(), rows=2).splitlines() == [
        "batch    3 | tweets     12 (total      40) | malformed skipped    2 | +5 -4 =3 | processing 0.25s of 1s",
        "word                  window    total  sentiment",
        "goal                       7       19    neutral",
        "love                       5        9  + positive",
    ]


def test_format_table_without_a_processing_time():
    snap = _snap()
    snap.processing_s = None
    assert "processing ? of 1s" in format_table(snap).splitlines()[0]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_console_table_clears_a_terminal_and_not_a_file():
    plain, tty = io.StringIO(), _Tty()
    ConsoleTable(plain, rows=1)(_snap())
    ConsoleTable(tty, rows=1)(_snap())
    assert plain.getvalue() == format_table(_snap(), 1) + "\n\n"
    assert tty.getvalue() == "\x1b[2J\x1b[H" + format_table(_snap(), 1) + "\n\n"
    no_clear = _Tty()
    ConsoleTable(no_clear, rows=1, clear=False)(_snap())
    assert not no_clear.getvalue().startswith("\x1b")


def test_json_lines_starts_empty_and_appends_one_object_per_snapshot(tmp_path):
    path = tmp_path / "out" / "snapshots.jsonl"
    path.parent.mkdir()
    path.write_text("old line\n")
    sink = JsonLines(path)
    assert path.read_text() == ""
    sink(_snap(1))
    sink(_snap(2))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [_snap(1).as_dict(), _snap(2).as_dict()]
    assert json.loads(lines[1])["top"][2] == {"word": "penalty", "count": 3, "total": 4, "sentiment": "negative"}


def _helpers(*args: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "helpers", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, **kw
    )


def test_serve_sends_every_line_of_its_files_once_and_says_so():
    file = paths.sample_files(["climate"])[0]
    port = processes.free_port()
    proc = _helpers("serve", "--port", str(port), "--input", str(file))
    try:
        banner = proc.stdout.readline()
        assert banner == f"serving 1 file(s) on 127.0.0.1:{port} at full speed; Ctrl-C stops\n"
        data = b""
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            while chunk := conn.recv(1 << 16):
                data += chunk
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    expected = list(merged_lines([file]))
    assert data.decode("utf-8").splitlines() == expected
    assert out == f"sent {len(expected)} lines to 1 connection(s)\n"
    assert proc.returncode == 0


@pytest.mark.spark
def test_stream_prints_a_table_a_batch_and_writes_the_same_batches_as_json(tmp_path):
    out_file = tmp_path / "batches.jsonl"
    proc = _helpers(
        "stream", "--topic", "football", "--rate", "400", "--batch", "1", "--window", "2", "--slide", "1",
        "--batches", "10", "--rows", "3", "--no-clear", "--json-out", str(out_file),
    )  # fmt: skip
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    snaps = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert len(snaps) >= 10 and [s["batch"] for s in snaps] == list(range(1, len(snaps) + 1))
    assert snaps[-1]["tweets_total"] == sum(s["tweets"] for s in snaps) > 0  # totals are the batches added up
    assert snaps[-1]["malformed_total"] == sum(s["malformed"] for s in snaps) == 0
    tables = ["batch" + block.split("\n\n")[0] for block in out.split("\nbatch")[1:]]
    assert len(tables) == len(snaps)
    last = snaps[-1]
    assert tables[-1].splitlines()[0].startswith(f"batch {last['batch']:>4} | tweets {last['tweets']:>6}")
    assert len(tables[-1].splitlines()) == 2 + min(3, len(last["top"]))
    assert out.splitlines()[0].startswith("replaying on 127.0.0.1:") and "10 batches of 1 s" in out.splitlines()[0]
    assert f"stopped after {len(snaps)} batches, {last['tweets_total']} tweets, 0 malformed lines skipped" in out


@pytest.mark.parametrize("behind_s", [None, 37.4])
def test_stream_says_after_its_totals_whether_it_dropped_a_queue(behind_s, monkeypatch, capsys):
    """A DStream run that fell far behind drops the batches still queued when it stops (``Run.dropped_behind_s``);
    the command's closing lines say so, and how far behind, only then. The run here is a stand-in that reports
    one batch (no Spark); the replay server is real."""
    from helpers import runs
    from helpers.__main__ import main
    from helpers.infra import spark

    class Behind:
        dropped_behind_s = behind_s

        def __init__(self, listeners):
            self.listeners, self.errors = listeners, []

        def start(self):
            stats = Stats(tweets=5, malformed=1)
            snap = Snapshot(1, 0.0, 1.0, stats, tweets_total=5, malformed_total=1, top=[], window_updated=True)
            for listener in self.listeners:
                listener(snap)
            return self

        def wait(self, batches, timeout):
            return True

        def stop(self):
            pass

    monkeypatch.setattr(runs, "make_run", lambda settings, source, engine, listeners, **options: Behind(listeners))
    monkeypatch.setattr(spark, "get_context", lambda *args, **kwargs: None)
    monkeypatch.setattr(spark, "stop_all", lambda jvm=True: None)
    assert main(["stream", "--topic", "football", "--batches", "1", "--no-clear"]) == 0
    out = capsys.readouterr().out.splitlines()
    totals = "stopped after 1 batches, 5 tweets, 1 malformed lines skipped"
    dropped = "stopped at once, 37 s behind: the batches still queued were dropped"
    assert out[out.index(totals) :] == ([totals, dropped] if behind_s else [totals])
