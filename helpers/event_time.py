"""What a Structured Streaming run keeps on the driver about event time: copies of what Spark reported.

    state = EventTimeState(window_s=1800, slide_s=600)
    state.merge_windows([(start_us, end_us, "goal", 12), ...])   # a windows query's update-mode rows
    state.keep_progress(query.recentProgress)                     # its progress: watermark, newest event time
    state.current()          # (start, end) of the last window_s of event time up to the newest tweet
    state.counts_in(span)    # that window's word counts as Spark last emitted them (None if never emitted)

No Spark here: Spark keeps the state (the windows' counts, the watermark) and this module only reads
what its queries emit and report. Times are microseconds since the epoch, as ``unix_micros`` gives them.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

#: ``(start, end)`` of an event-time window, microseconds since the epoch (end excluded).
Span = tuple[int, int]


def current_window(max_event_us: int, window_s: float, slide_s: float) -> Span:
    """``(start, end)`` of the window ending soonest after ``max_event_us`` that holds it: the last
    ``window_s`` of event time, as Spark's ``window()`` lays windows out (every ``slide_s`` from the epoch)."""
    width, slide = round(window_s * 1e6), round(slide_s * 1e6)
    start = (max_event_us // slide) * slide
    while start - slide + width > max_event_us:
        start -= slide
    return start, start + width


def micros(stamp: str | None) -> int | None:
    """A progress report's event time (``2026-11-20T09:39:58.000Z``) in microseconds; None if absent."""
    if not stamp:
        return None
    when = datetime.fromisoformat(stamp)  # Python 3.11 reads the Z
    return int(when.timestamp()) * 1_000_000 + when.microsecond


def utc(us: int) -> datetime:
    """Microseconds since the epoch as a UTC datetime."""
    return datetime.fromtimestamp(us / 1e6, UTC)


class EventTimeState:
    """The driver's copy of one windows query: each window's word counts, and the query's progress reports.

    Thread-safe: the query's ``foreachBatch`` merges rows while another thread reads the current window.
    """

    def __init__(self, window_s: float, slide_s: float) -> None:
        self.window_s, self.slide_s = window_s, slide_s
        self._windows: dict[Span, Counter[str]] = {}
        self._progress: dict[int, Mapping[str, Any]] = {}
        self._lock = threading.Lock()

    def merge_windows(self, rows: Iterable[tuple[int, int, str, int]]) -> None:
        """Take one micro-batch's ``(start, end, word, count)`` rows: in update mode Spark sends a window's
        new count each time it changes, so the newest count wins."""
        with self._lock:
            for start, end, word, count in rows:
                self._windows.setdefault((start, end), Counter())[word] = count

    def keep_progress(self, reports: Iterable[Mapping[str, Any]]) -> None:
        """Keep the query's progress reports (``recentProgress``), by batch id; a report seen again replaces itself."""
        with self._lock:
            for report in reports:
                self._progress[report["batchId"]] = report

    def _event_time(self, key: str) -> int | None:
        """The largest ``eventTime[key]`` (``max`` or ``watermark``) of the reports kept, in microseconds."""
        with self._lock:
            stamps = [micros(p.get("eventTime", {}).get(key)) for p in self._progress.values()]
        return max((us for us in stamps if us is not None), default=None)

    @property
    def max_event_us(self) -> int | None:
        """The newest event time Spark has seen, None before the first tweet."""
        return self._event_time("max")

    @property
    def watermark_us(self) -> int:
        """Spark's watermark after the last micro-batch (0, the epoch, before it set one)."""
        return self._event_time("watermark") or 0

    @property
    def late_rows(self) -> int:
        """Rows Spark dropped as late (``numRowsDroppedByWatermark``) over the reports kept."""
        with self._lock:
            return sum(s["numRowsDroppedByWatermark"] for p in self._progress.values() for s in p["stateOperators"])

    def current(self) -> Span | None:
        """The window to show: the last ``window_s`` of event time up to the newest tweet (None before it)."""
        newest = self.max_event_us
        return None if newest is None else current_window(newest, self.window_s, self.slide_s)

    def counts_in(self, span: Span) -> dict[str, int] | None:
        """The word counts of window ``span`` as Spark last emitted them; None if it never emitted the window."""
        with self._lock:
            counts = self._windows.get(span)
            return None if counts is None else dict(counts)

    def windows(self) -> dict[Span, dict[str, int]]:
        """Every window's word counts as Spark last emitted them (closed windows included)."""
        with self._lock:
            return {span: dict(counts) for span, counts in sorted(self._windows.items())}


__all__ = ["EventTimeState", "Span", "current_window", "micros", "utc"]
