"""The D3 page's server without a browser: the JSON contract, the snapshots endpoint, what it refuses to serve."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from helpers import paths
from helpers.infra import processes
from helpers.sample import batches_of, read_lines
from helpers.sinks import JsonLines
from helpers.state import WindowState
from helpers.ui import web

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"time": 1796600000.0, "top": [{"word": "love", "count": 3, "sentiment": "positive"}]}


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read()


def _raw(server: web.WebServer, path: str, host: str | None = None) -> int:
    """The status of a GET sent as is (urllib would normalise ``..`` away)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_check_snapshot_says_what_is_wrong():
    assert web.check_snapshot(GOOD) is None
    assert web.check_snapshot({**GOOD, "tweets": 10, "positive_tweets": 4, "batch": 2}) is None
    assert web.check_snapshot([]) == "expected a JSON object, got list"
    assert web.check_snapshot({"top": []}) == "'time' must be a number (epoch seconds of the batch)"
    assert web.check_snapshot({"time": 1, "top": 3}) == "'top' must be a list of {word, count, sentiment}"
    bad_row = {"time": 1, "top": [{"word": "x", "count": 1, "sentiment": "happy"}]}
    assert web.check_snapshot(bad_row) == "top[0].sentiment must be one of ['negative', 'neutral', 'positive']"
    assert web.check_snapshot({"time": 1, "top": [{"word": "x", "count": -1, "sentiment": "neutral"}]}) == (
        "top[0].count must be a number >= 0"
    )
    assert web.check_snapshot({**GOOD, "tweets": "ten"}) == "'tweets' must be a number >= 0 when present"


def test_json_lines_sink_writes_the_contract(tmp_path):
    """What the kit's own runs write (``helpers.sinks.JsonLines``) is valid, line by line."""
    out = tmp_path / "live.jsonl"
    sink = JsonLines(out)
    engine = WindowState(window=4, slide=2, top_n=10)
    lines = list(read_lines([paths.MALFORMED, paths.sample_files()[2]]))[:1200]
    for batch in batches_of(lines, 300):
        sink(engine.process(batch, batch_time=1796600000.0 + engine.batches))
    chunk = web.LineIndex(out).read(0)
    assert (chunk.next, len(chunk.snapshots), chunk.bad, chunk.partial) == (4, 4, [], False)
    assert [s["batch"] for s in chunk.snapshots] == [1, 2, 3, 4]
    assert sum(s["malformed"] for s in chunk.snapshots) == 13
    assert chunk.snapshots[0]["top"] == [] and len(chunk.snapshots[1]["top"]) == 10


def test_partial_and_bad_lines_are_skipped_and_counted(tmp_path):
    out = tmp_path / "live.jsonl"
    index = web.LineIndex(out)
    missing = index.read(0)
    assert (missing.exists, missing.next, missing.snapshots) == (False, 0, [])
    good = json.dumps(GOOD)
    out.write_text(f"{good}\nnot json\n\n{json.dumps({'time': 2})}\n{good[:20]}", encoding="utf-8")
    chunk = index.read(0)
    assert (chunk.next, len(chunk.snapshots), chunk.partial, chunk.more) == (4, 1, True, False)
    assert [b["line"] for b in chunk.bad] == [2, 4]
    assert chunk.bad[0]["error"].startswith("not JSON: ")
    assert chunk.bad[1]["error"] == "'top' must be a list of {word, count, sentiment}"
    with out.open("a", encoding="utf-8") as fh:  # the writer finishes its line, then writes another
        fh.write(good[20:] + "\n" + good + "\n")
    later = index.read(chunk.next)
    assert (later.since, later.next, len(later.snapshots), later.bad, later.partial) == (4, 6, 2, [], False)
    assert index.read(6).snapshots == [] and index.read(2, limit=1).more
    out.write_text(good + "\n", encoding="utf-8")  # a new run truncates the file: the page starts over
    restarted = index.read(6)
    assert (restarted.next, restarted.snapshots) == (1, [])
    assert len(index.read(0).snapshots) == 1


def test_server_serves_the_page_the_data_and_nothing_else(tmp_path):
    out = tmp_path / "live.jsonl"
    out.write_text(json.dumps(GOOD) + "\n" + "{oops\n", encoding="utf-8")
    with web.serve(out) as server:
        assert server.url == f"http://127.0.0.1:{server.port}/" and server.port > 0
        status, kind, body = _get(server.url)
        assert (status, kind) == (200, "text/html; charset=utf-8")
        assert b"<title>Live tweet sentiment" in body and b'src="vendor/d3/d3.min.js"' in body
        assert b"http://" not in body and b"https://" not in body  # nothing from another site
        status, kind, body = _get(server.url + "vendor/d3/d3.min.js")
        assert status == 200 and kind.startswith("text/javascript") and body.startswith(b"// https://d3js.org v7.")
        status, kind, body = _get(server.url + "vendor/d3/LICENSE")
        assert (status, kind) == (200, "text/plain; charset=utf-8") and b"Mike Bostock" in body
        status, kind, body = _get(server.url + "snapshots?since=0")
        answer = json.loads(body)
        assert (status, kind) == (200, "application/json; charset=utf-8")
        assert (answer["next"], answer["snapshots"], [b["line"] for b in answer["bad"]]) == (2, [GOOD], [2])
        assert _get(server.url + "snapshots?since=two")[0] == 400
        for path in ("/../pyproject.toml", "/%2e%2e/pyproject.toml", "/static/index.html", "/server.py", "/etc/passwd"):
            assert _raw(server, path) == 404, path
        assert _raw(server, "/", host="evil.example:80") == 421  # DNS rebinding: only our own host name
        assert _raw(server, "/", host=f"localhost:{server.port}") == 200
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url, timeout=2)


def test_only_loopback(tmp_path):
    with pytest.raises(ValueError, match=r"host must be a loopback address such as 127.0.0.1, got '0.0.0.0'"):
        web.serve(tmp_path / "x.jsonl", host="0.0.0.0")


def test_command_line_prints_the_url_and_stops_on_ctrl_c(tmp_path):
    out = tmp_path / "later.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "helpers", "web", "--port", "0", "--input", str(out)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=processes.ctrl_c_stops,  # as a terminal starts it, even when this session ignores SIGINT
    )  # fmt: skip
    try:
        first = proc.stdout.readline()
        assert first.startswith(f"serving the live page for {out} (the file does not exist yet: the page waits for it)")
        url = first.split(" at ")[1].split(" ; ")[0]
        assert json.loads(_get(url + "snapshots?since=0")[2])["exists"] is False
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
