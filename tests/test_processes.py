"""The kit's process and port plumbing (helpers/infra/processes.py) and its one polling loop (helpers/waiting.py).

Real processes (``sh`` and ``sleep`` in their own process groups) and real sockets on 127.0.0.1; no Spark.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import threading

import psutil
import pytest

from helpers.infra import processes
from helpers.waiting import poll


def test_poll_returns_the_first_truthy_result():
    calls = iter([0, None, "", 7, 8])
    assert poll(lambda: next(calls), timeout=30, every=0.001) == 7
    assert next(calls) == 8  # it stopped asking at 7


def test_poll_returns_the_last_falsy_result_after_the_timeout():
    seen = []
    assert poll(lambda: seen.append(1) or len(seen) * 0, timeout=0.05, every=0.01) == 0
    assert len(seen) >= 2  # asked at the start and again at the deadline


def test_poll_with_no_time_asks_once():
    seen = []
    assert poll(lambda: seen.append(1), timeout=0) is None
    assert seen == [1]


@pytest.fixture
def listener():
    """A server socket listening on 127.0.0.1 (closed at the end if the test did not close it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s


def test_a_listening_port_is_in_use_and_free_once_closed(listener):
    port = listener.getsockname()[1]
    assert processes.port_in_use(port)
    with pytest.raises(OSError):
        processes.bind_loopback(port)
    listener.close()
    assert not processes.port_in_use(port)
    assert processes.bind_loopback(port, reuse=True) == port


def test_free_port_gives_a_port_nothing_listens_on():
    port = processes.free_port()
    assert 0 < port < 65536 and not processes.port_in_use(port)


def test_wait_until_free_sees_a_port_freed_later(listener):
    port = listener.getsockname()[1]
    assert processes.wait_until_free([port], timeout=0.2) is False  # still listening
    threading.Timer(0.3, listener.close).start()
    assert processes.wait_until_free([port], timeout=30) is True


def _group(script: str) -> subprocess.Popen:
    """``sh -c script`` leading its own process group, started once its children run."""
    process = subprocess.Popen(["sh", "-c", script], start_new_session=True)
    assert poll(lambda: len(processes.group_members(process.pid)) >= 2, timeout=30), "the group did not start"
    return process


def test_terminate_groups_stops_every_process_of_each_group():
    process = _group("sleep 60 & sleep 60 & wait")
    family = processes.descendants([process.pid], include_self=True)
    assert len(family) == 3 and all(processes.alive(p) for p in family)
    processes.terminate_groups([process], grace=30)
    assert process.returncode == -signal.SIGTERM
    assert poll(lambda: not processes.group_members(process.pid), timeout=30)
    assert not [p for p in family if processes.alive(p)]


def test_terminate_groups_kills_a_group_that_ignores_sigterm():
    process = _group("trap '' TERM; sleep 60 & wait")
    processes.terminate_groups([process], grace=0.5)
    assert process.returncode == -signal.SIGKILL
    assert poll(lambda: not processes.group_members(process.pid), timeout=30)


def test_kill_group_leaves_nothing_of_the_group():
    process = _group("sleep 60 & sleep 60 & wait")
    children = psutil.Process(process.pid).children()
    assert processes.kill_group(process.pid) is True
    assert process.wait(timeout=30) == -signal.SIGKILL
    assert processes.group_members(process.pid) == []
    assert not [p for p in children if processes.alive(p)]
    assert processes.kill_group(process.pid) is True  # a group that is gone already
