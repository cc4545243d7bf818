"""Notebook 03's window explorer: sliders for window and slide, a button that runs a bounded stream.

    batches = sample.sample_batches(count=6, minutes=10)   # known batches of the sample
    results = window_explorer.run_windows(sc, batches, batch_s=1, window_s=3, slide_s=2)
    assert results == state.python_windows(batches, window=3, slide=2)
    explorer = window_explorer.WindowExplorer(batches)               # the widgets; explorer.run() clicks Run

``run_windows`` is the bounded run on its own, without widgets: a queue of known batches through the
kit's own windowed word count (``helpers.dstream.pipeline.windowed_counts``: reduceByKeyAndWindow with the
inverse function, which pyspark uses once a window is five slides long, so with a checkpoint) and a
windowed tweet count, until every window that holds data is done. It returns one ``WindowResult`` per
window, which ``python_windows`` computes again with ``helpers.state.WindowState``.
This is the only helper module besides the dashboard that uses ipywidgets, and only in ``WindowExplorer``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from io import BytesIO
from operator import add, sub
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

from helpers.counting import summarise
from helpers.dstream import output, pipeline
from helpers.infra import spark
from helpers.model import rank
from helpers.sinks import describe
from helpers.sources.queue import QueueSource
from helpers.state import WindowResult, window_spans
from helpers.ui import timeline

if TYPE_CHECKING:
    from pyspark import RDD, SparkContext
    from pyspark.streaming import StreamingContext


class _Windows:
    """What a bounded window run collects: one dict of words and one tweet count per window."""

    def __init__(self) -> None:
        self.words: list[dict[str, int]] = []
        self.tweets: list[int] = []

    def add_words(self, t: datetime, rdd: RDD) -> None:
        """One window's ``(word, count)`` pairs (a foreachRDD output, on the driver)."""
        self.words.append(dict(rdd.collect()))

    def add_tweets(self, t: datetime, rdd: RDD) -> None:
        """One window's tweet count (a foreachRDD output, on the driver)."""
        self.tweets.append(sum(rdd.collect()))


def run_until(ssc: StreamingContext, done: Callable[[], bool], timeout: float = 300.0, graceful: bool = False) -> None:
    """Start ``ssc``, wait until ``done()`` is true, then stop it, keeping the SparkContext.

    02's waiting loop as a function; raises TimeoutError (after stopping) if ``timeout`` passes first.
    The stop is not graceful by default: everything asked for is in, and the batches still due (on a
    busy machine Spark runs behind, and a graceful stop would first process every one of them) hold
    only the queue's empty batches. Pass ``graceful=True`` for a source whose data you still need.
    """
    started = time.monotonic()
    ssc.start()
    try:
        while not done():
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"the stream was not done after {timeout:g} s")
            ssc.awaitTerminationOrTimeout(0.2)
    finally:
        spark.stop_streaming(ssc, graceful=graceful)


def run_windows(
    sc: SparkContext,
    batches: Sequence[Sequence[str]],
    batch_s: float = 1.0,
    window_s: float = 3.0,
    slide_s: float = 2.0,
    timeout: float = 300.0,
) -> list[WindowResult]:
    """Stream ``batches`` (one per batch interval) and return every window that holds some of them.

    Checks the window first (a clear ValueError, before Spark is asked). Word counts come from
    ``pipeline.windowed_counts`` (reduceByKeyAndWindow with the inverse function and a filter, as the
    dashboard uses it), tweet counts from a reduceByWindow of each batch's tweets; so the run needs
    a checkpoint folder, made fresh and removed afterwards.
    """
    window, slide = timeline.in_batches(batch_s, window_s, slide_s)
    spans = window_spans(len(batches), window, slide, tail=True)
    folder = spark.checkpoint_dir("lab-windows-")
    found = _Windows()
    key = output.register(found)  # the checkpoint pickles the foreachRDD functions: they hold only the key
    try:
        ssc = spark.streaming_context(sc, batch_s, checkpoint=folder)
        parts = pipeline.summaries(QueueSource([list(b) for b in batches]).dstream(ssc))
        words = pipeline.windowed_counts(pipeline.word_counts(parts), window_s, slide_s)
        tweets = parts.map(lambda s: s.stats.tweets).reduceByWindow(add, sub, window_s, slide_s)
        words.foreachRDD(output.driver_output(key, "add_words"))
        tweets.foreachRDD(output.driver_output(key, "add_tweets"))
        run_until(ssc, lambda: min(len(found.words), len(found.tweets)) >= len(spans), timeout)
    finally:
        output.forget(key)
        shutil.rmtree(folder, ignore_errors=True)
    return [
        WindowResult(first, last, n, w) for (first, last), n, w in zip(spans, found.tweets, found.words, strict=False)
    ]


# --- the widgets ----------------------------------------------------------------------------------

#: What the count menu offers besides words.
TWEETS = "tweets"
READY = "ready: press Run to stream the batches with these settings"


def _png(fig: Figure) -> bytes:
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()


def _seconds(description: str, value: float, style: dict[str, str]) -> Any:
    """A slider of seconds from 0.5 to 8 in half seconds, applied on release (each change reruns a stream)."""
    import ipywidgets as widgets

    return widgets.FloatSlider(
        value=value,
        min=0.5,
        max=8,
        step=0.5,
        readout_format=".1f",
        description=description,
        continuous_update=False,
        style=style,
    )


class WindowExplorer:
    """Sliders for window length and slide, a batch interval menu, a count menu, and a Run button.

    Moving a slider redraws the timeline at once (no Spark); a choice Spark would reject shows its
    reason in the status line and disables Run. Run streams the batches with ``run_windows`` on the
    running SparkContext (started if a last cell has stopped it) and draws the count per window under
    the timeline. ``run()`` does what the button does and returns the windows, so a notebook cell (or
    a test) can call it and check the numbers.
    """

    def __init__(
        self,
        batches: Sequence[Sequence[str]],
        batch_s: float = 1.0,
        window_s: float = 3.0,
        slide_s: float = 2.0,
        words: int = 12,
    ) -> None:
        import ipywidgets as widgets

        self.batches = [list(b) for b in batches]
        self.results: list[WindowResult] = []
        self._ran_with: tuple[float, float, float] | None = None
        self._ran_status = READY
        totals = summarise(line for b in self.batches for line in b).words
        style = {"description_width": "initial"}
        self.batch = widgets.Dropdown(
            options=[0.5, 1.0, 2.0], value=float(batch_s), description="batch interval (s)", style=style
        )
        self.window = _seconds("window (s)", window_s, style)
        self.slide = _seconds("slide (s)", slide_s, style)
        self.what = widgets.Dropdown(
            options=[TWEETS, *(w for w, _ in rank(totals.items(), words))], value=TWEETS, description="count"
        )
        self.button = widgets.Button(description="Run the stream", icon="play", button_style="primary")
        self.status = widgets.Label()
        self.image = widgets.Image(format="png")
        for control in (self.batch, self.window, self.slide):
            control.observe(lambda _: self.refresh(), names="value")
        self.what.observe(lambda _: self.refresh(), names="value")
        self.button.on_click(lambda _: self.run())
        self.box = widgets.VBox(
            [
                widgets.HBox([self.batch, self.window, self.slide]),
                widgets.HBox([self.what, self.button]),
                self.status,
                self.image,
            ]
        )
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.box._repr_mimebundle_(**kwargs)

    @property
    def settings(self) -> tuple[float, float, float]:
        """``(batch_s, window_s, slide_s)`` as the controls show them now."""
        return float(self.batch.value), float(self.window.value), float(self.slide.value)

    def check(self) -> tuple[int, int] | None:
        """Window and slide in batches, or None after showing why Spark would reject them."""
        try:
            found = timeline.in_batches(*self.settings)
        except ValueError as e:
            self.status.value = f"✗ {e}"
            self.button.disabled = True
            return None
        self.button.disabled = False
        return found

    def figure(self) -> Figure:
        """The timeline of the current settings, and the last run's counts under it if they match."""
        batch_s, window_s, slide_s = self.settings
        fig = Figure(figsize=(10, 6.5), layout="constrained")
        top, bottom = fig.subplots(2, 1, height_ratios=[3, 2])
        timeline.draw_timeline(top, batch_s, window_s, slide_s, batches=len(self.batches), tail=True)
        if self.results and self._ran_with == self.settings:
            spans = [(r.first, r.last) for r in self.results]
            if self.what.value == TWEETS:
                counts = [r.tweets for r in self.results]
                per_batch = [summarise(b).stats.tweets for b in self.batches]
            else:
                counts = [r.count(self.what.value) for r in self.results]
                per_batch = [summarise(b).words.get(self.what.value, 0) for b in self.batches]
            label = TWEETS if self.what.value == TWEETS else f"'{self.what.value}'"
            timeline.draw_window_counts(bottom, batch_s, spans, counts, label, per_batch)
            bottom.set_xlim(top.get_xlim())
        else:
            bottom.axis("off")
            bottom.text(0.5, 0.5, "press Run to stream the batches with these settings", ha="center", va="center")
        return fig

    def refresh(self) -> None:
        """Check the settings and redraw (a cheap picture: Spark is not asked)."""
        if self.check() is None:
            return
        self.image.value = _png(self.figure())
        self.status.value = self._ran_status if self._ran_with == self.settings else READY

    def run(self) -> list[WindowResult]:
        """What the Run button does: stream the batches, draw the counts, return the windows ([] if refused)."""
        if self.check() is None:
            return []
        batch_s, window_s, slide_s = self.settings
        self.button.disabled = True
        started = time.monotonic()
        try:
            if spark.active_context() is None:  # e.g. after Run All, whose last cell stops Spark
                self.status.value = "starting Spark (about ten seconds)…"
            sc = spark.get_context("window-explorer")
            self.status.value = f"running {len(self.batches)} batches of {batch_s:g} s, then the windows' tail…"
            self.results = run_windows(sc, self.batches, batch_s, window_s, slide_s)
            self._ran_with = (batch_s, window_s, slide_s)
            self._ran_status = f"✓ {len(self.results)} windows in {time.monotonic() - started:.0f} s"
            self.refresh()  # the counts under the timeline, then the status
        except Exception as e:  # shown where the learner looks; never a trace in a callback
            self.status.value = f"✗ {describe(e)}"
            return []
        finally:
            self.button.disabled = False
        return self.results


__all__ = ["TWEETS", "WindowExplorer", "run_until", "run_windows"]
