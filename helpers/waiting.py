"""Wait for something to become true, with a deadline: the kit's one polling loop.

    ready = poll(lambda: server.is_up(), timeout=10)     # True, or False once 10 s have passed

Used wherever there is no event to wait on (a daemon's status page, a file another process rewrites, a
port a killed process frees): every wait in the kit is bounded, and none is a fixed sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(predicate: Callable[[], T], timeout: float, every: float = 0.1) -> T:
    """Call ``predicate`` every ``every`` seconds until it returns something truthy or ``timeout`` seconds pass.

    Returns its last result: truthy when it came true in time, falsy after the timeout. It is called at
    least once, and once more at the deadline, so a zero ``timeout`` asks exactly once.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        left = deadline - time.monotonic()
        if result or left <= 0:
            return result
        time.sleep(min(every, left))


__all__ = ["poll"]
