"""``helpers.event_time``: the Structured run's driver-side copy of what Spark emitted and reported. No Spark.

The window geometry is Spark's (``window()`` lays windows out from the epoch); the progress reports are
shaped as ``StreamingQuery.recentProgress`` gives them (``batchId``, ``eventTime``, ``stateOperators``).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from helpers.event_time import EventTimeState, current_window, micros, utc

ROOT = Path(__file__).resolve().parent.parent
MINUTE = 60_000_000


def report(batch_id, newest=None, watermark=None, dropped=0):
    """A progress report of a windows query, as Spark writes one (event times in ISO, with milliseconds)."""
    event_time = {k: v for k, v in (("max", newest), ("watermark", watermark)) if v is not None}
    return {"batchId": batch_id, "eventTime": event_time, "stateOperators": [{"numRowsDroppedByWatermark": dropped}]}


def test_current_window_is_the_last_window_length_up_to_the_newest_tweet():
    assert current_window(125 * MINUTE, 30 * 60, 10 * 60) == (100 * MINUTE, 130 * MINUTE)
    assert current_window(120 * MINUTE, 30 * 60, 10 * 60) == (100 * MINUTE, 130 * MINUTE)
    assert current_window(119 * MINUTE, 10 * 60, 10 * 60) == (110 * MINUTE, 120 * MINUTE)
    assert current_window(0, 60, 60) == (0, MINUTE)


def test_progress_times_read_as_microseconds_and_back():
    us = micros("2026-11-20T09:39:58.123Z")
    assert us == int(datetime(2026, 11, 20, 9, 39, 58, tzinfo=UTC).timestamp()) * 1_000_000 + 123_000
    assert utc(us) == datetime(2026, 11, 20, 9, 39, 58, 123_000, tzinfo=UTC)
    assert micros(None) is None and micros("") is None


def test_update_mode_rows_merge_the_newest_count_wins():
    state = EventTimeState(window_s=600, slide_s=600)
    state.merge_windows([(0, 10 * MINUTE, "goal", 2), (0, 10 * MINUTE, "win", 1)])
    state.merge_windows([(0, 10 * MINUTE, "goal", 5), (10 * MINUTE, 20 * MINUTE, "goal", 1)])
    assert state.windows() == {(0, 10 * MINUTE): {"goal": 5, "win": 1}, (10 * MINUTE, 20 * MINUTE): {"goal": 1}}
    assert state.counts_in((0, 10 * MINUTE)) == {"goal": 5, "win": 1}
    assert state.counts_in((20 * MINUTE, 30 * MINUTE)) is None  # never emitted


def test_before_any_report_there_is_no_current_window_and_the_watermark_is_the_epoch():
    state = EventTimeState(window_s=1800, slide_s=600)
    assert state.max_event_us is None and state.current() is None
    assert state.watermark_us == 0 and state.late_rows == 0


def test_the_reports_give_the_newest_time_the_watermark_and_the_late_rows():
    state = EventTimeState(window_s=1800, slide_s=600)
    state.keep_progress([report(0, "2026-11-20T08:59:59.000Z", "1970-01-01T00:00:00.000Z")])
    state.keep_progress([report(0, "2026-11-20T08:59:59.000Z", "1970-01-01T00:00:00.000Z"),  # seen again
                         report(1, "2026-11-20T09:19:58.000Z", "2026-11-20T08:49:59.000Z", dropped=3),
                         report(2, None, "2026-11-20T09:09:58.000Z", dropped=4)])  # fmt: skip
    assert utc(state.max_event_us) == datetime(2026, 11, 20, 9, 19, 58, tzinfo=UTC)
    assert utc(state.watermark_us) == datetime(2026, 11, 20, 9, 9, 58, tzinfo=UTC)
    assert state.late_rows == 7  # batch 0 counted once
    start, end = state.current()
    assert (utc(start), utc(end)) == (
        datetime(2026, 11, 20, 8, 50, tzinfo=UTC),
        datetime(2026, 11, 20, 9, 20, tzinfo=UTC),
    )


def test_merging_from_two_threads_loses_nothing():
    state = EventTimeState(window_s=60, slide_s=60)

    def merge(word):
        for i in range(2000):
            state.merge_windows([(i * MINUTE, (i + 1) * MINUTE, word, i)])

    threads = [threading.Thread(target=merge, args=(w,)) for w in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    windows = state.windows()
    assert len(windows) == 2000 and all(counts == {"a": i, "b": i} for i, counts in enumerate(windows.values()))


def test_it_imports_no_spark():
    code = "import sys, helpers.event_time; print(sorted(m for m in sys.modules if m.startswith(('pyspark', 'py4j'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
