"""The bounded hand-over of events from tweepy's stream thread to the reader's thread: :class:`Handover`.

Bounded, because a reader that stops reading (a notebook that took ten tweets and moved on) must not make the
process hold every tweet X pushes. When full it drops the oldest waiting tweet and counts it, rather than blocking
tweepy's thread: a blocked thread stops draining the socket, X then disconnects the stream, and every reconnect
counts against the app's connection limit. For a live sentiment view the newest tweets matter most.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

#: ("connected", None), ("line", str), ("ended", why), or ("timeout", None) from a reader that waited in vain.
Event = tuple[str, Any]


class Handover:
    """Events from tweepy's thread to the reader's: at most ``size`` tweet lines are held, control events always.

    A line that arrives while ``size`` lines wait pushes out the oldest waiting line (counted in ``dropped``);
    ``connected`` and ``ended`` are never dropped, and nothing is reordered.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("the stream's buffer must hold at least one line")
        self.size = size
        self.received = 0  # lines handed over, dropped ones included
        self.dropped = 0
        self._events: deque[Event] = deque()
        self._lines = 0  # lines among _events
        self._ready = threading.Condition()

    def put(self, kind: str, value: Any = None) -> None:
        """Add an event; a line beyond ``size`` waiting ones drops the oldest line."""
        with self._ready:
            if kind == "line":
                self.received += 1
                if self._lines >= self.size:
                    self._drop_oldest_line()
                self._lines += 1
            self._events.append((kind, value))
            self._ready.notify()

    def _drop_oldest_line(self) -> None:
        """Remove the oldest waiting line (the first event, unless a control event waits before it)."""
        for i, (kind, _) in enumerate(self._events):
            if kind == "line":
                del self._events[i]
                self._lines -= 1
                self.dropped += 1
                return

    def get(self, timeout: float) -> Event | None:
        """The oldest event, waiting up to ``timeout`` seconds for one; None if none came."""
        with self._ready:
            if not self._ready.wait_for(lambda: self._events, timeout):
                return None
            kind, value = self._events.popleft()
            if kind == "line":
                self._lines -= 1
            return kind, value


__all__ = [
    "Event",
    "Handover",
]
