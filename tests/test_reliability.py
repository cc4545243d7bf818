"""Reliability: bad input never stops a stream or loses good data; dropped connections; loopback-only servers.

Every fault here is listed in docs/reliability.md with what the kit does about it.
"""

from __future__ import annotations

import ipaddress
import random
import socket
from pathlib import Path

import psutil
import pytest

from helpers import paths
from helpers.dstream.runner import StreamRun
from helpers.infra import spark
from helpers.runs import top
from helpers.sample import merged_lines, read_lines
from helpers.settings import RunSettings
from helpers.sources.socket_server import ReplayServer

GOOD = 2000


def _bad_lines() -> list[bytes]:
    """One of every kind of bad line the kit must count and skip (20 kinds)."""
    tweet = next(iter(merged_lines(paths.sample_files())))
    return [
        tweet[: len(tweet) // 2].encode(),  # truncated JSON
        b"not json at all",
        b"[1, 2, 3]",  # JSON, but not an object
        b'"a string"',
        b"3.14",
        b"null",
        b"true",
        b'{"data": {"id": "1", "lang": "en"}}',  # no text
        b'{"data": {"id": "2", "text": ""}}',  # empty text
        b'{"data": {"text": "no id here"}}',
        b'{"errors": [{"title": "operational-disconnect", "type": "https://api.x.com/2/problems/streaming"}]}',
        b'{"data": "not an object"}',
        b'{"data": {"id": "3", "text": "caf\xe9 au lait"}}',  # invalid UTF-8
        b"\xff\xfe\xfa broken bytes",
        b'{"data": {"id": "4", "text": "' + b"x" * 1_000_000 + b'"}}',  # a 1 MB line
        b"[" * 50_000 + b"]" * 50_000,  # deeply nested
        b"{" * 3000,  # nested and unterminated
        b'{"data": {"id": "5", "text": "ok"',  # unterminated object
        b"\x00\x01\x02",
        b"}{",
    ]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path, int]:
    """A clean file of GOOD tweets, and the same tweets with 10% bad lines and some keep-alives mixed in."""
    folder = tmp_path_factory.mktemp("bad-input")
    good = [line.encode() for line in list(merged_lines(paths.sample_files()))[:GOOD]]
    bad = _bad_lines()
    rng = random.Random(8)
    dirty: list[bytes] = list(good)
    n_bad = GOOD // 9  # 222 bad lines among 2222: 10% of the file
    for i in range(n_bad):
        dirty.insert(rng.randrange(len(dirty) + 1), bad[i % len(bad)])
    for _ in range(25):
        dirty.insert(rng.randrange(len(dirty) + 1), b"")  # keep-alives: neither tweets nor malformed
    clean_path, dirty_path = folder / "clean.ndjson", folder / "dirty.ndjson"
    clean_path.write_bytes(b"\n".join(good) + b"\n")
    dirty_path.write_bytes(b"\r\n".join(dirty) + b"\r\n")
    return clean_path, dirty_path, n_bad


def test_every_bad_kind_is_counted_once(tmp_path):
    path = tmp_path / "kinds.ndjson"
    path.write_bytes(b"\n".join(_bad_lines()) + b"\n\n")
    result = top([str(path)], "python", 5, "default", None, None)
    assert result == {"tweets": 0, "malformed": 20, "words": []}


def test_ten_percent_bad_lines_change_nothing_for_the_good_tweets_python(files):
    clean, dirty, n_bad = files
    want = top([str(clean)], "python", 50, "default", None, None)
    got = top([str(dirty)], "python", 50, "default", None, None)
    assert got["words"] == want["words"]
    assert (got["tweets"], got["malformed"]) == (GOOD, n_bad) == (want["tweets"], n_bad)


@pytest.mark.spark
def test_ten_percent_bad_lines_change_nothing_for_the_good_tweets_dstream(sc, files):
    clean, dirty, n_bad = files
    want = top([str(clean)], "python", 50, "default", None, None)
    got = top([str(dirty)], "dstream", 50, "default", None, None)
    assert got["words"] == want["words"]
    assert (got["tweets"], got["malformed"]) == (GOOD, n_bad)


def _loopback(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    mapped = getattr(addr, "ipv4_mapped", None)  # ::ffff:127.0.0.1, how Java reports an IPv4 bind
    return (mapped or addr).is_loopback


def _stream_all(sc, server: ReplayServer, tweets: int, malformed: int) -> StreamRun:
    run = StreamRun(sc, server, RunSettings(batch_s=1.0, window_s=2.0, slide_s=1.0, top_n=50, totals_top=50))
    run.start()
    try:
        assert run.wait(1, 60)
        for _ in range(180):
            counted = (run.publisher.tweets_total, run.publisher.malformed_total)
            if counted >= (tweets, malformed) and server.finished.is_set():
                break
            run.wait(run.publisher.batches + 1, 10)
    finally:
        run.stop()
    return run


@pytest.mark.spark
def test_bad_lines_never_stop_a_socket_stream(sc, files):
    clean, dirty, n_bad = files
    want = top([str(clean)], "python", 50, "default", None, None)
    lines = list(read_lines([dirty]))  # as a socket client would receive them: bad bytes are U+FFFD
    server = ReplayServer(lines=lines).start()
    run = _stream_all(sc, server, GOOD, n_bad)
    assert not run.errors
    assert (run.publisher.tweets_total, run.publisher.malformed_total) == (GOOD, n_bad)
    assert [{"word": w, "count": c} for w, c in run.final_top] == [
        {"word": r["word"], "count": r["count"]} for r in want["words"]
    ]


@pytest.mark.spark
def test_receiver_reconnects_after_the_server_hangs_up_and_nothing_is_lost(sc):
    lines = list(merged_lines(paths.sample_files()))[:1500]
    server = ReplayServer(lines=lines, drop_every=400).start()  # hangs up three times
    run = _stream_all(sc, server, 1500, 0)
    assert server.connections >= 4  # Spark restarted its receiver after each hang-up
    assert (run.publisher.tweets_total, run.publisher.malformed_total) == (1500, 0)
    assert not run.errors


def test_server_survives_a_client_leaving_and_frees_its_port():
    lines = [f'{{"n": {i}}}' for i in range(50_000)]
    server = ReplayServer(lines=lines).start()
    assert server.host == "127.0.0.1"
    port = server.port
    with socket.create_connection((server.host, port)) as first:
        first.recv(1000)
    received = b""
    with socket.create_connection((server.host, port)) as second:  # a new client gets the rest
        while len(received) < 1000:
            received += second.recv(1000)
    assert received.startswith(b'{"n": ') and server.connections == 2
    server.stop()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the port is free again


@pytest.mark.spark
def test_every_listening_socket_of_the_driver_and_jvm_is_on_loopback(sc):
    server = ReplayServer(lines=["x"] * 10).start()
    ssc = spark.streaming_context(sc, 1.0)
    ssc.socketTextStream(server.host, server.port).foreachRDD(lambda rdd: None)
    ssc.start()
    try:
        me = psutil.Process()
        listening = [
            c.laddr
            for p in [me, *me.children(recursive=True)]
            for c in p.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        ]
        assert len(listening) >= 3  # the replay server, py4j's gateway, Spark's driver RPC and block manager
        assert all(_loopback(a.ip) for a in listening), listening
    finally:
        spark.stop_streaming(ssc)
        server.stop()
