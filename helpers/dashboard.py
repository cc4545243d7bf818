"""The live dashboard of notebooks 05 and 07: ipywidgets controls and matplotlib figures per batch.

    dash = Dashboard(sc)
    dash            # shows the panel: topic, lexicon, window, slide, top N, speed, state, Start, Stop
    dash.start(); dash.wait(batches=5); dash.stop()   # what the buttons do, callable from a cell

Each batch's ``Snapshot`` arrives in Spark's job thread. There the dashboard only renders a PNG from
a ``matplotlib.figure.Figure`` (never pyplot) and sets widget values, which JupyterLab shows from
any thread; it never prints or displays (see shared/JUPYTER-TESTING.md). Errors go to the status line.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable
from io import BytesIO
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from helpers import lexicon, paths, plots, spark
from helpers.analyse import Snapshot
from helpers.pipeline import check_window
from helpers.runner import Source, StreamRun
from helpers.sources.socket_server import ReplayServer

if TYPE_CHECKING:
    from pyspark import SparkContext
    from pyspark.streaming import DStream, StreamingContext


class SocketReplay:
    """The dashboard's default source: the shipped sample replayed through a local socket server."""

    def __init__(self, topic: str | None, rate: float, limit: int | None = None, loop: bool = True) -> None:
        files = paths.sample_files([topic]) if topic else paths.sample_files()
        self.server = ReplayServer(files, rate=rate, loop=loop and limit is None, limit=limit).start()

    def dstream(self, ssc: StreamingContext) -> DStream:
        """socketTextStream on the replay server."""
        return self.server.dstream(ssc)

    def stop(self) -> None:
        """Stop the server and free its port."""
        self.server.stop()


SourceFactory = Callable[["Dashboard"], Source]


def replay_source(dash: Dashboard) -> Source:
    """Make the default source from the dashboard's controls (topic and replay speed)."""
    topic = dash.topic.value or None
    dash.note.value = f"replaying the shipped sample ({topic or 'all topics'}) at {dash.speed.value} tweets/s"
    return SocketReplay(topic, rate=float(dash.speed.value), limit=dash.limit)


def render(snap: Snapshot, history: list[Snapshot], top_rows: int = 20) -> bytes:
    """One PNG of four panels: top words by sentiment, sentiment share, tweets/s, processing time."""
    fig = Figure(figsize=(11, 6.5), layout="constrained")
    grid = fig.add_gridspec(3, 2, width_ratios=(1.1, 1))
    bars = fig.add_subplot(grid[:, 0])
    rows = [(r.word, r.count, r.sentiment) for r in snap.top[:top_rows]]
    plots.bar_top_words(bars, rows, title=f"Top {len(rows)} words in the window (batch {snap.batch})")
    batches = [s.batch for s in history]
    share = fig.add_subplot(grid[0, 1])
    pos = [s.stats.positive_tweets / s.stats.tweets if s.stats.tweets else 0 for s in history]
    neg = [s.stats.negative_tweets / s.stats.tweets if s.stats.tweets else 0 for s in history]
    share.plot(batches, pos, color=plots.COLOURS["positive"], label="positive")
    share.plot(batches, neg, color=plots.COLOURS["negative"], label="negative")
    share.set_ylim(0, 1)
    share.set_title("share of tweets by sentiment")
    share.legend(loc="upper left", fontsize="small")
    rate = fig.add_subplot(grid[1, 1])
    rate.plot(batches, [s.stats.tweets / s.interval_s for s in history], color="#1f77b4")
    rate.set_title("tweets per second")
    rate.set_ylim(bottom=0)
    proc = fig.add_subplot(grid[2, 1])
    proc.plot(batches, [s.processing_s or 0 for s in history], color="#ff7f0e", label="processing")
    proc.axhline(snap.interval_s, color="black", linestyle="--", linewidth=1, label="batch interval")
    proc.set_title("batch processing time, s")
    proc.set_xlabel("batch")
    proc.set_ylim(bottom=0)
    proc.legend(loc="upper left", fontsize="small")
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()


class Dashboard:
    """Controls, a live figure and a status line around one ``StreamRun`` at a time."""

    def __init__(
        self,
        sc: SparkContext | None = None,
        source: SourceFactory = replay_source,
        batch_s: float = 1.0,
        limit: int | None = None,
        history: int = 120,
    ) -> None:
        self.sc, self.make_source, self.batch_s, self.limit, self.keep = sc, source, batch_s, limit, history
        self.run: StreamRun | None = None
        self.frames = 0
        self.errors: list[str] = []
        self._lock = threading.Lock()
        style = {"description_width": "90px"}
        self.topic = widgets.Dropdown(
            options=[("all topics", ""), *[(t, t) for t in paths.TOPICS]], description="topic", style=style
        )
        self.lexicon = widgets.Dropdown(
            options=list(lexicon.NAMES), value=lexicon.DEFAULT, description="lexicon", style=style
        )
        self.window = widgets.IntSlider(10, min=1, max=60, description="window, s", style=style)
        self.slide = widgets.IntSlider(2, min=1, max=30, description="slide, s", style=style)
        self.top_n = widgets.IntSlider(50, min=5, max=100, step=5, description="top N", style=style)
        self.speed = widgets.IntSlider(500, min=50, max=5000, step=50, description="tweets/s", style=style)
        self.state = widgets.Dropdown(
            options=[
                ("window and totals on the driver", "driver"),
                ("window and totals in Spark (stateful operators)", "spark"),
            ],
            description="state",
            style=style,
            layout=widgets.Layout(width="460px"),
        )  # watch the processing-time plot when you switch: see helpers.runner
        self.start_button = widgets.Button(description="Start", button_style="success", icon="play")
        self.stop_button = widgets.Button(description="Stop", button_style="danger", icon="stop", disabled=True)
        self.status = widgets.HTML("<b>stopped</b> · press Start")
        self.note = widgets.HTML("")  # where the tweets come from (set by the source)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="1000px"))
        self.start_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        controls = widgets.VBox(
            [
                widgets.HBox([self.topic, self.lexicon, self.top_n]),
                widgets.HBox([self.window, self.slide, self.speed]),
                self.state,
                widgets.HBox([self.start_button, self.stop_button]),
            ]
        )
        for widget, name in ((self.note, "lab-note"), (self.status, "lab-status"), (self.image, "lab-frame")):
            widget.add_class(name)  # stable handles for the browser test and for custom CSS
        self.panel = widgets.VBox([controls, self.note, self.status, self.image])
        self.panel.add_class("lab-dashboard")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.panel)

    # -- the buttons ------------------------------------------------------------------------------
    def start(self) -> bool:
        """Start a run with the current control values; False (and a message) if they are not valid."""
        if self.run is not None:
            return False
        window, slide = float(self.window.value), float(self.slide.value)
        try:
            check_window(self.batch_s, window, slide)
        except ValueError as e:
            self._status(f"<b>cannot start</b> · {html.escape(str(e))}")
            return False
        self.frames, self.errors = 0, []
        self._set_running(True)
        self._status("<b>starting</b> · Spark is setting up the stream…")
        try:
            # The notebook's context, or a new one if it was stopped (say, by the notebook's last cell).
            if self.sc is None or spark.active_context() is not self.sc:
                self.sc = spark.get_context("dashboard")
            source = self.make_source(self)
            self.run = StreamRun(
                self.sc,
                source,
                self.batch_s,
                window,
                slide,
                int(self.top_n.value),
                self.lexicon.value,
                topic=self.topic.value or None,
                listeners=[self._on_snapshot],
                state=self.state.value,
            )
            self.run.sink.keep = self.keep
            self.run.start()
        except Exception as e:
            self.errors.append(f"start: {type(e).__name__}: {e}")
            self._stop_quietly()
            self._status(f"<b>could not start</b> · {html.escape(self.errors[-1][:300])}")
            return False
        return True

    def stop(self) -> None:
        """Stop the source, then the stream gracefully; Start works again afterwards."""
        if self.run is None:
            return
        self._status("<b>stopping</b> · finishing the batches already received…")
        self._stop_quietly()
        latest = self.latest
        done = f"{latest.batch} batches, {latest.tweets_total} tweets" if latest else "no batch"
        self._status(f"<b>stopped</b> · {done} · press Start to run again")

    def _stop_quietly(self) -> None:
        run = self.run
        if run is not None:
            run.stop()  # batches finishing during the graceful stop are still drawn
            self._last_sink = run.sink
        self.run = None
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.start_button.disabled = running
        self.stop_button.disabled = not running
        for control in (self.topic, self.lexicon, self.window, self.slide, self.top_n, self.speed, self.state):
            control.disabled = running

    # -- per batch, in Spark's job thread ---------------------------------------------------------
    def _on_snapshot(self, snap: Snapshot) -> None:
        run = self.run
        if run is None:
            return
        try:
            with self._lock:
                png = render(snap, run.sink.history[-self.keep :], top_rows=min(20, int(self.top_n.value)))
                self.image.value = png
                self.frames += 1
        except Exception as e:
            self.errors.append(f"render: {type(e).__name__}: {e}")
        s = snap.stats
        proc = f"{snap.processing_s:.2f}" if snap.processing_s is not None else "?"
        errs = (
            f" · <span style='color:#d62728'>{len(self.errors) + len(run.sink.errors)} error(s)</span>"
            if (self.errors or run.sink.errors)
            else ""
        )
        self._status(
            f"<b>running</b> · batch {snap.batch} · tweets {snap.tweets_total} (+{s.tweets}) · "
            f"malformed lines skipped {snap.malformed_total} · processing {proc} s of {snap.interval_s:g} s{errs}"
        )

    def _status(self, text: str) -> None:
        self.status.value = text

    @property
    def status_text(self) -> str:
        """The status line without its HTML, for printing."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.status.value))

    # -- for cells and tests ----------------------------------------------------------------------
    @property
    def sink(self) -> Any:
        """The current run's sink (or the last run's, after Stop)."""
        return self.run.sink if self.run is not None else getattr(self, "_last_sink", None)

    @property
    def latest(self) -> Snapshot | None:
        """The last snapshot of the current (or last) run."""
        sink = self.sink
        return sink.latest if sink is not None else None

    def wait_until(self, done: Callable[[Snapshot], bool], timeout: float = 120.0) -> bool:
        """Block until ``done(latest snapshot)`` is true (e.g. every replayed tweet counted) or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            snap = self.latest
            if snap is not None and done(snap):
                return True
            time.sleep(0.1)
        return False

    def wait(self, batches: int, timeout: float = 120.0) -> bool:
        """Block until the running stream has done ``batches`` batches (for cells that run it bounded)."""
        run = self.run
        if run is None:
            return False
        deadline = time.monotonic() + timeout
        ok = run.wait(batches, timeout)
        while ok and self.frames < batches and time.monotonic() < deadline:
            time.sleep(0.05)  # the listener renders just after the batch is counted
        return ok and self.frames >= batches
