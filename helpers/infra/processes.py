"""Child processes and the ports they hold: start them so they die with us, stop them whole, check they are gone.

The kit starts JVMs as child processes (the cluster's daemons in ``cluster.py``, notebook 04's driver in
``helpers.dstream.recovery``), each in its own process group, and must leave nothing behind:

    terminate_groups([process], grace=15)     # SIGTERM each group, SIGKILL what is left after 15 s
    kill_group(process.pid)                   # SIGKILL a group at once (a crash) and wait until it is empty
    wait_until_free(ports)                    # until a server could bind each port again

``bind_loopback`` is the one place a socket is bound on 127.0.0.1 to ask the system about ports:
``free_port`` (a port nothing listens on) and ``port_in_use`` (does something listen on this one?) use it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
from collections.abc import Iterable

import psutil

from helpers.waiting import poll

HOST = "127.0.0.1"


# -- ports on 127.0.0.1 ----------------------------------------------------------------------------------
def bind_loopback(port: int = 0, reuse: bool = False) -> int:
    """Bind and listen on ``127.0.0.1:port`` as a server would, close again, and return the port bound.

    ``port=0`` lets the system pick a free one. Raises OSError when the port is taken or loopback refuses
    servers. ``reuse`` sets ``SO_REUSEADDR``, as the JVM's servers do: a port in TIME_WAIT then counts as free.
    """
    with socket.socket() as s:
        if reuse:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, port))
        s.listen()
        return int(s.getsockname()[1])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (for a server about to start)."""
    return bind_loopback(0)


def port_in_use(port: int) -> bool:
    """True if something listens on ``127.0.0.1:port`` (a server could not bind it now)."""
    try:
        bind_loopback(port, reuse=True)  # a port a stopped server left in TIME_WAIT is not in use
    except OSError:
        return True
    return False


def wait_until_free(ports: Iterable[int], timeout: float = 10.0) -> bool:
    """Wait until nothing listens on any of ``ports`` (a stopped server's sockets close a moment later)."""
    ports = set(ports)
    return poll(lambda: not any(port_in_use(p) for p in ports), timeout)


# -- processes ----------------------------------------------------------------------------------------
def die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """``preexec_fn`` for a daemon: Linux SIGTERMs it if the process that started it dies (a killed kernel)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def ctrl_c_stops() -> None:  # pragma: no cover - runs in the child between fork and exec
    """``preexec_fn`` for a child that is stopped with Ctrl-C (SIGINT), as from a terminal. A shell starts its
    background jobs (``cmd &`` in a script, some CI runners) with SIGINT ignored; a child inherits that, and a
    Python that starts with SIGINT ignored raises no KeyboardInterrupt, so SIGINT would not stop it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def alive(proc: psutil.Process) -> bool:
    """Running and not a zombie (a finished child its parent has not reaped yet)."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def descendants(pids: Iterable[int], include_self: bool = False) -> list[psutil.Process]:
    """Every process started under ``pids`` (their executors, Python workers…), with the roots if asked."""
    found: list[psutil.Process] = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(pid)
            found.extend(([root] if include_self else []) + root.children(recursive=True))
    return found


def group_members(group: int) -> list[int]:
    """The ids of the live (not zombie) processes in a process group."""
    members = []
    for p in psutil.process_iter(["status"]):
        with contextlib.suppress(psutil.Error, OSError):
            if p.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(p.pid) == group:
                members.append(p.pid)
    return members


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
        os.killpg(group, sig)


def kill_group(group: int, timeout: float = 10.0) -> bool:
    """SIGKILL every process of ``group`` at once and wait until none is alive; True if none is."""
    _signal_group(group, signal.SIGKILL)
    return poll(lambda: not group_members(group), timeout, every=0.05)


def terminate_groups(processes: Iterable[subprocess.Popen], grace: float) -> None:
    """SIGTERM the process group each of ``processes`` leads, wait up to ``grace`` s, SIGKILL the groups left.

    Each process must lead its group (started with ``start_new_session=True``). All are signalled first,
    then waited for together, so stopping several costs one ``grace`` at most.
    """
    processes = list(processes)
    for p in processes:
        if p.poll() is None:
            _signal_group(p.pid, signal.SIGTERM)
    poll(lambda: all(p.poll() is not None for p in processes), grace)
    for p in processes:
        if p.poll() is None:
            _signal_group(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


__all__ = [
    "alive",
    "bind_loopback",
    "ctrl_c_stops",
    "descendants",
    "die_with_parent",
    "free_port",
    "group_members",
    "kill_group",
    "port_in_use",
    "terminate_groups",
    "wait_until_free",
]
