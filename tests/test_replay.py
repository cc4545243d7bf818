"""The replay source and its socket server: every line once, in order, in writes of many lines at speed."""

from __future__ import annotations

import socket
import time

from helpers import paths
from helpers.sample import merged_lines
from helpers.sources.replay import Replay
from helpers.sources.socket_server import ReplayServer


def _read_all(host: str, port: int) -> list[str]:
    with socket.create_connection((host, port), timeout=10) as conn:
        data = b""
        while chunk := conn.recv(1 << 16):
            data += chunk
    return data.decode("utf-8").splitlines()


def test_chunks_are_the_replayed_lines_in_order_within_the_limit():
    files = paths.sample_files(["climate", "football"])
    expected = list(merged_lines(files))[:4500]
    chunks = list(Replay(files, limit=4500).chunks(most=1000))
    assert [line for chunk in chunks for line in chunk] == expected
    assert [len(c) for c in chunks] == [1000, 1000, 1000, 1000, 500]


def test_paced_chunks_hold_the_lines_due_so_far():
    """No chunk runs ahead of the rate, however the process is scheduled (a stall only makes more lines due)."""
    replay = Replay(paths.sample_files(["climate"]), rate=2000, limit=600)
    started, sent = time.monotonic(), 0
    for chunk in replay.chunks(tick=0.01):
        sent += len(chunk)
        assert sent <= 2000 * (time.monotonic() - started) + 1, f"{sent} lines out after too short a time"
    assert sent == replay.sent == 600
    assert time.monotonic() - started >= 599 / 2000  # the 600th line is due 0.2995 s in, not at once


def test_loop_goes_round_again():
    files = paths.sample_files(["climate"])
    lines = [line for chunk in Replay(files, loop=True, limit=5300).chunks(most=5000) for line in chunk]
    assert lines == list(merged_lines(files)) + list(merged_lines(files))[:100]


def test_server_sends_every_line_once_in_order():
    files = paths.sample_files(["product_launch"])
    with ReplayServer(files, limit=3000) as server:
        got = _read_all(server.host, server.port)
        assert server.finished.wait(5)
    assert got == list(merged_lines(files))[:3000]
    assert server.sent == 3000


def test_server_hangs_up_after_drop_every_lines_and_the_next_client_goes_on():
    files = paths.sample_files(["football"])
    with ReplayServer(files, limit=2500, drop_every=1000) as server:
        parts = [_read_all(server.host, server.port) for _ in range(3)]
    assert [len(p) for p in parts] == [1000, 1000, 500]
    assert [line for p in parts for line in p] == list(merged_lines(files))[:2500]
