"""Notebook 03's windows: the timeline geometry and picture, and the bounded run against the python engine.

The Spark tests stream known batches of the sample through ``window_explorer.run_windows`` (real Spark,
``local[2]``) and compare every window, exactly, with ``helpers.state.WindowState`` on the same batches.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from io import BytesIO

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers import paths
from helpers.counting import summarise
from helpers.dstream import output
from helpers.infra import spark
from helpers.sample import merged_lines, sample_batches
from helpers.sources.queue import QueueSource
from helpers.state import WindowResult, python_windows, window_spans
from helpers.tweets import parse_line
from helpers.ui import timeline, window_explorer
from helpers.ui.window_explorer import run_until, run_windows

# --- timeline: which batches each window covers -------------------------------------------------------


def test_window_spans_known_cases():
    assert window_spans(8, 3, 2) == [(1, 2), (2, 4), (4, 6), (6, 8)]
    assert window_spans(6, 3, 2, tail=True) == [(1, 2), (2, 4), (4, 6), (6, 8)]
    assert window_spans(6, 2, 2) == [(1, 2), (3, 4), (5, 6)]  # tumbling
    assert window_spans(3, 1, 1, tail=True) == [(1, 1), (2, 2), (3, 3)]  # no window: the batches
    assert window_spans(4, 5, 1, tail=True) == [(1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (2, 6), (3, 7), (4, 8)]
    assert window_spans(1, 4, 4) == []  # the first window ends after the stream
    assert window_spans(0, 3, 1, tail=True) == []  # no data, no window


@pytest.mark.parametrize("window", range(1, 7))
@pytest.mark.parametrize("slide", range(1, 7))
def test_every_batch_is_in_a_window_and_the_last_one_leaves(window, slide):
    if slide > window:
        with pytest.raises(ValueError, match="need 0 < slide <= window"):
            window_spans(10, window, slide)
        return
    spans = window_spans(10, window, slide, tail=True)
    assert all(1 <= first <= last and last - first < window for first, last in spans)
    assert all(last % slide == 0 for _, last in spans)
    covered = {k for first, last in spans for k in range(first, last + 1)}
    assert set(range(1, 11)) <= covered
    assert spans[-1][0] <= 10 < spans[-1][1] + slide - window + 1  # the next window would miss batch 10
    times = Counter(k for first, last in spans for k in range(first, last + 1))
    assert all(times[k] in (window // slide, -(-window // slide)) for k in range(window, 11))


def test_in_batches_uses_check_window():
    assert timeline.in_batches(1, 3, 2) == (3, 2)
    assert timeline.in_batches(0.5, 2.5, 0.5) == (5, 1)
    assert timeline.in_batches(2, 6, 4) == (3, 2)
    with pytest.raises(ValueError, match=r"window length 2\.5 s is not a multiple of the batch interval 1 s"):
        timeline.in_batches(1, 2.5, 1)
    with pytest.raises(ValueError, match=r"slide 1\.5 s is not a multiple"):
        timeline.in_batches(1, 3, 1.5)
    with pytest.raises(ValueError, match=r"slide 4 s is longer than the window 3 s"):
        timeline.in_batches(1, 3, 4)


def _rectangles(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_draw_timeline_draws_batches_and_windows():
    fig = timeline.draw_timeline(None, 1, 3, 2, batches=8)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    boxes = _rectangles(ax)
    assert len(boxes) == 8 + 4 + 1  # 8 batches, 4 windows, the dashed part of the first one before 0
    windows = [b for b in boxes if b.get_y() > 0 and b.get_fill()]
    assert [(b.get_x(), b.get_x() + b.get_width()) for b in windows] == [(0, 2), (1, 4), (3, 6), (5, 8)]
    assert "window 3 s = 3 batches" in ax.get_title() and "slide 2 s = 2 batches" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["batches", "window 1", "window 2", "window 3", "window 4"]
    assert "batches 2–4" in [t.get_text() for t in ax.texts]
    buf = BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue().startswith(b"\x89PNG")


def test_draw_timeline_tail_labels_and_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    assert timeline.draw_timeline(ax, 0.5, 1.5, 0.5, batches=4, tail=True, labels=list("abcdef")) is fig
    texts = [t.get_text() for t in ax.texts]
    assert [t for t in texts if t in "abcdef"] == list("abcdef")
    empty = [b for b in _rectangles(ax) if b.get_linestyle() == "--"]
    assert len(empty) == 2  # batches 5 and 6 hold no data
    with pytest.raises(ValueError, match="3 labels for 6 windows"):
        timeline.draw_timeline(None, 0.5, 1.5, 0.5, batches=4, tail=True, labels=["a", "b", "c"])
    with pytest.raises(ValueError, match="not a multiple"):
        timeline.draw_timeline(None, 1, 2.5, 1)


def test_draw_window_counts():
    fig = timeline.draw_window_counts(None, 1, [(1, 2), (2, 4)], [10, 15], "tweets", per_batch=[4, 6, 5, 4])
    (ax,) = fig.axes
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [b.get_height() for b in bars] == [10, 15]
    assert [b.get_x() + b.get_width() / 2 for b in bars] == pytest.approx([2, 4])  # at each window's end
    assert ax.get_title() == "tweets per window"
    with pytest.raises(ValueError, match="1 counts for 2 windows"):
        timeline.draw_window_counts(None, 1, [(1, 2), (2, 4)], [10])


# --- the batches and the plain-Python windows -----------------------------------------------------------


def test_sample_batches_are_ten_minute_slots_in_time_order():
    batches = sample_batches(count=6, minutes=10)
    assert len(batches) == 6 and all(batches)
    everything = [line for b in batches for line in b]
    assert everything == list(merged_lines(paths.sample_files()))[: len(everything)]
    for k, batch in enumerate(batches):
        minutes = {datetime.fromisoformat(parse_line(line).created_at[:16]).minute for line in batch}
        assert minutes <= set(range(10 * k, 10 * k + 10))  # the sample starts at 08:00
    football = sample_batches(count=2, minutes=30, topics=["football"])
    assert all(parse_line(line).topic == "football" for b in football for line in b)
    with pytest.raises(ValueError, match="need count > 0 and minutes > 0"):
        sample_batches(count=0)


@pytest.fixture(scope="module")
def batches():
    """Four batches of five minutes of the sample: about 300 tweets each."""
    return sample_batches(count=4, minutes=5)


@pytest.mark.parametrize(("window", "slide"), [(3, 2), (5, 1), (2, 2), (1, 1)])
def test_python_windows_are_sums_over_the_spans(batches, window, slide):
    found = python_windows(batches, window, slide)
    spans = window_spans(len(batches), window, slide, tail=True)
    assert [(w.first, w.last) for w in found] == spans
    for w in found:
        lines = [line for b in batches[w.first - 1 : w.last] for line in b]
        summary = summarise(lines)
        assert w.tweets == summary.stats.tweets == len(lines)
        assert w.words == dict(summary.words)
        assert w.count("love") == summary.words["love"] and w.count("no-such-word") == 0


# --- the bounded run on real Spark ----------------------------------------------------------------------


@pytest.mark.spark
@pytest.mark.parametrize(
    ("batch_s", "window_s", "slide_s"),
    [(1, 3, 2), (0.5, 2.5, 0.5)],  # the second window is 5 slides long: pyspark uses the inverse function
    ids=["window-3s-slide-2s", "window-5-batches-slide-1"],
)
def test_run_windows_equals_the_python_engine(sc, batches, batch_s, window_s, slide_s):
    window, slide = timeline.in_batches(batch_s, window_s, slide_s)
    found = run_windows(sc, batches, batch_s, window_s, slide_s)
    assert found == python_windows(batches, window, slide)
    assert len(found) == len(window_spans(len(batches), window, slide, tail=True))
    assert all(isinstance(w, WindowResult) and w.tweets > 0 for w in found)
    assert output.registered() == 0  # nothing left registered for foreachRDD
    from pyspark.streaming import StreamingContext

    assert StreamingContext.getActive() is None


def test_run_windows_refuses_before_spark_is_asked(monkeypatch):
    def no_spark(*args, **kwargs):
        raise AssertionError("Spark was asked")

    monkeypatch.setattr(spark, "streaming_context", no_spark)
    with pytest.raises(ValueError, match="slide 4 s is longer than the window 3 s"):
        run_windows(None, [["x"]], 1, 3, 4)
    with pytest.raises(ValueError, match=r"window length 2\.5 s is not a multiple of the batch interval 1 s"):
        run_windows(None, [["x"]], 1, 2.5, 1)


@pytest.mark.spark
def test_run_until_times_out_and_stops(sc, batches):
    from pyspark.streaming import StreamingContext

    ssc = spark.streaming_context(sc, 0.5)
    QueueSource(batches[:1]).dstream(ssc).foreachRDD(lambda rdd: None)
    with pytest.raises(TimeoutError, match="the stream was not done after 2 s"):
        run_until(ssc, lambda: False, timeout=2)
    assert StreamingContext.getActive() is None


# --- the explorer's widgets (no Spark: the run is replaced by the python engine) ------------------------


@pytest.fixture
def explorer(batches, monkeypatch):
    runs = []

    def fake_run(sc, batches, batch_s, window_s, slide_s):
        runs.append((batch_s, window_s, slide_s))
        return python_windows(batches, *timeline.in_batches(batch_s, window_s, slide_s))

    monkeypatch.setattr(window_explorer, "run_windows", fake_run)
    monkeypatch.setattr(spark, "get_context", lambda *args: None)  # the fake run needs no Spark
    found = window_explorer.WindowExplorer(batches, batch_s=1, window_s=3, slide_s=2)
    found.runs = runs
    return found


def test_explorer_refuses_a_window_spark_would_reject(explorer):
    assert not explorer.button.disabled
    assert explorer.status.value == "ready: press Run to stream the batches with these settings"
    explorer.window.value = 2.5
    assert explorer.status.value == (
        "✗ window length 2.5 s is not a multiple of the batch interval 1 s: a window covers whole batches (try 2 s)"
    )
    assert explorer.button.disabled
    assert explorer.run() == [] and explorer.runs == []  # Spark is never asked
    explorer.window.value = 3
    explorer.slide.value = 4
    assert explorer.status.value == "✗ slide 4 s is longer than the window 3 s: some batches would be missed"
    explorer.batch.value = 0.5
    explorer.slide.value = 1.5
    assert not explorer.button.disabled and explorer.status.value.startswith("ready")


def test_explorer_runs_and_draws(explorer, batches):
    before = bytes(explorer.image.value)
    assert before.startswith(b"\x89PNG")
    assert explorer.what.options[0] == window_explorer.TWEETS and "love" in explorer.what.options
    results = explorer.run()
    assert explorer.runs == [(1.0, 3.0, 2.0)]
    assert results == python_windows(batches, 3, 2) == explorer.results
    assert explorer.status.value.startswith("✓ 3 windows in ")
    assert not explorer.button.disabled
    after = bytes(explorer.image.value)
    assert after != before  # the counts are drawn under the timeline
    bottom = explorer.figure().axes[1]
    assert [p.get_height() for p in bottom.patches if isinstance(p, Rectangle)] == [w.tweets for w in results]
    explorer.what.value = "love"
    bottom = explorer.figure().axes[1]
    assert [p.get_height() for p in bottom.patches if isinstance(p, Rectangle)] == [w.count("love") for w in results]
    done = explorer.status.value
    explorer.slide.value = 1  # other settings: the old counts no longer apply
    assert not explorer.figure().axes[1].patches
    assert explorer.status.value == window_explorer.READY
    explorer.window.value = 2.5
    assert explorer.status.value.startswith("✗")
    explorer.window.value, explorer.slide.value = 3, 2  # back to the settings of the run
    assert explorer.status.value == done and explorer.figure().axes[1].patches


def test_explorer_shows_an_error_in_its_status(explorer, monkeypatch):
    def broken(*args):
        raise RuntimeError("the JVM went away\nwith a long trace")

    monkeypatch.setattr(window_explorer, "run_windows", broken)
    assert explorer.run() == []
    assert explorer.status.value == "✗ RuntimeError: the JVM went away"
    assert not explorer.button.disabled
    monkeypatch.setattr(window_explorer, "run_windows", lambda *args: [][0])
    assert explorer.run() == [] and explorer.status.value == "✗ IndexError: list index out of range"

    def silent(*args):
        raise AssertionError

    monkeypatch.setattr(window_explorer, "run_windows", silent)
    assert explorer.run() == [] and explorer.status.value == "✗ AssertionError"
