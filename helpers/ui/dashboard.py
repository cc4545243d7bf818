"""The live dashboard of notebooks 05, 06 and 07: ipywidgets controls and a matplotlib figure per batch.

    dash = Dashboard(sc)
    dash            # shows the panel: topic, lexicon, window, slide, top N, speed, state, Start, Stop
    dash.start(); dash.wait(batches=5); dash.stop()   # what the buttons do, callable from a cell

    dash = Dashboard(sc, pipeline=my_pipeline)       # the same panel on the streams you built yourself
    dash = Dashboard(run_factory=structured.run_factory(session), time_unit_s=60)   # another engine's run

Without a ``run_factory`` Start builds the kit's DStream run (``helpers.dstream.runner.StreamRun``, the state
control says where its window lives); with one, it calls ``run_factory(RunSettings(...), source, [listener])``
with the control values (window and slide in ``time_unit_s`` units). ``my_pipeline(lines, window_s, slide_s)``
takes the DStream of raw lines and returns two DStreams: ``(word, (window count, running total))`` pairs that
change every slide, and per-batch tallies as ``(name, n)`` pairs named like ``Stats``' fields (``"tweets"``,
``"positive_tweets"``…); the controls it does not take as parameters (say ``lexicon_name``) are greyed out.

The run's listener, called in Spark's job thread, only keeps the snapshot (a bounded deque) and wakes the
dashboard's own render thread, which redraws at most ``fps`` times a second: a slow figure never delays
a batch. That thread only renders a PNG from a ``matplotlib.figure.Figure`` (never pyplot) and sets widget
values, which JupyterLab shows from any thread; it never prints or displays (see docs/testing-notebooks.md).
Errors go to the status line.
"""

from __future__ import annotations

import html
import inspect
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import replace
from io import BytesIO
from typing import TYPE_CHECKING, Any, Protocol

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers import lexicon, paths, sentiment_model
from helpers.dstream.runner import PipelineFunction, PipelineRun, Source, StreamRun
from helpers.infra import spark
from helpers.model import Snapshot
from helpers.settings import Listener, Run, RunFactory, RunSettings
from helpers.sinks import error_line
from helpers.sources.socket_server import ReplayServer
from helpers.ui import plots
from helpers.waiting import poll

if TYPE_CHECKING:
    from pyspark import SparkContext
    from pyspark.streaming import DStream, StreamingContext


class SocketReplay:
    """The dashboard's default source: the shipped sample replayed through a local socket server."""

    def __init__(self, topic: str | None, rate: float, limit: int | None = None, loop: bool = True) -> None:
        files = paths.sample_files(topic)
        self.server = ReplayServer(files, rate=rate, loop=loop and limit is None, limit=limit).start()
        #: What the dashboard shows above its status line.
        self.note = f"replaying the shipped sample ({topic or 'all topics'}) at {rate:g} tweets/s"

    def dstream(self, ssc: StreamingContext) -> DStream:
        """socketTextStream on the replay server."""
        return self.server.dstream(ssc)

    def stop(self) -> None:
        """Stop the server and free its port."""
        self.server.stop()


class SourceFactory(Protocol):
    """Makes a run's source from the control values it needs; the source may say where its tweets come from
    in a ``note`` attribute (plain text), which the dashboard shows."""

    def __call__(self, *, topic: str | None, rate: float, limit: int | None) -> Any:
        """A new source: ``topic`` (None: all), ``rate`` in tweets a second, at most ``limit`` tweets (None: no end)."""
        ...


def replay_source(*, topic: str | None, rate: float, limit: int | None) -> SocketReplay:
    """The default source factory: the shipped sample on ``topic``, replayed at ``rate`` tweets a second."""
    return SocketReplay(topic, rate=rate, limit=limit)


#: The figure's margins and gaps (fractions of its size). Fixed rather than found by matplotlib's constrained
#: layout, which measured every tick label twice a frame: 0.57 CPU s a frame here, 0.26 with fixed margins.
#: Only the left margin follows the longest word, measured once a frame.
MARGINS = {"right": 0.98, "bottom": 0.08, "top": 0.95, "wspace": 0.2, "hspace": 0.45}


def render(snap: Snapshot, history: list[Snapshot], top_rows: int = 20) -> bytes:
    """One PNG of four panels: top words by sentiment, sentiment share, tweets/s, processing time."""
    buf = BytesIO()
    frame(snap, history, top_rows).savefig(buf, format="png", dpi=80, facecolor=plots.BACKGROUND)
    return buf.getvalue()


def frame(snap: Snapshot, history: list[Snapshot], top_rows: int = 20) -> Figure:
    """The figure ``render`` draws, laid out (on an Agg canvas)."""
    fig = Figure(figsize=(11, 6.5))
    canvas = FigureCanvasAgg(fig)
    grid = fig.add_gridspec(3, 2, width_ratios=(1.1, 1), left=0.1, **MARGINS)
    bars = fig.add_subplot(grid[:, 0])
    rows = [(r.word, r.count, r.sentiment) for r in snap.top[:top_rows]]
    plots.bar_top_words(bars, rows, title=f"Top {len(rows)} words in the window (batch {snap.batch})")
    batches = [s.batch for s in history]
    share = fig.add_subplot(grid[0, 1])
    pos = [s.stats.positive_tweets / s.stats.tweets if s.stats.tweets else 0 for s in history]
    neg = [s.stats.negative_tweets / s.stats.tweets if s.stats.tweets else 0 for s in history]
    # Told apart by colour (Okabe-Ito), line style and marker, and named in the legend: never by colour alone.
    share.plot(batches, pos, color=plots.COLOURS["positive"], marker="o", markersize=3, label="+ positive")
    share.plot(
        batches, neg, color=plots.COLOURS["negative"], linestyle="--", marker="v", markersize=3, label="\u2212 negative"
    )
    share.set_ylim(0, 1)
    share.set_title("share of tweets by sentiment")
    share.legend(loc="upper left", fontsize="small")
    rate = fig.add_subplot(grid[1, 1])
    rate.plot(batches, [s.stats.tweets / s.interval_s for s in history], color=plots.SERIES["rate"])
    rate.set_title("tweets per second")
    rate.set_ylim(bottom=0)
    proc = fig.add_subplot(grid[2, 1])
    proc.plot(batches, [s.processing_s or 0 for s in history], color=plots.SERIES["processing"], label="processing")
    proc.axhline(snap.interval_s, color=plots.FOREGROUND, linestyle="--", linewidth=1, label="batch interval")
    proc.set_title("batch processing time, s")
    proc.set_xlabel("batch")
    proc.set_ylim(bottom=0)
    proc.legend(loc="upper left", fontsize="small")
    plots.style(fig)  # opaque white, dark text: readable on JupyterLab's light and dark themes
    renderer = canvas.get_renderer()
    words = max((t.get_window_extent(renderer).width for t in bars.get_yticklabels()), default=0.0)
    grid.update(left=min(0.4, (words + 16) / fig.bbox.width))  # the longest word, its tick and a small gap
    for ax in fig.axes:  # the grid's new margin, applied to the axes already placed on it
        ax.set_position(ax.get_subplotspec().get_position(fig))
    return fig


#: The controls a pipeline function can take, by parameter name.
PIPELINE_OPTIONS = ("window_s", "slide_s", "lexicon_name", "topic")

#: What draws one frame: the latest snapshot, the ones kept before it, and how many top words to show.
Renderer = Callable[[Snapshot, list[Snapshot], int], bytes]


class Dashboard:
    """Controls, a live figure and a status line around one run at a time: the kit's ``StreamRun``, a
    ``PipelineRun`` of the learner's own ``pipeline`` function, or whatever ``run_factory`` builds."""

    def __init__(
        self,
        sc: SparkContext | None = None,
        source: SourceFactory = replay_source,
        run_factory: RunFactory | None = None,
        time_unit_s: float = 1.0,
        pipeline: PipelineFunction | None = None,
        batch_s: float = 1.0,
        limit: int | None = None,
        history: int = 120,
        renderer: Renderer = render,
        fps: float = 4.0,
    ) -> None:
        if run_factory is not None and pipeline is not None:
            raise ValueError("give a run_factory or a pipeline function, not both")
        self.sc, self.make_source, self.run_factory, self.pipeline = sc, source, run_factory, pipeline
        self.time_unit_s, self.batch_s, self.limit, self.keep = time_unit_s, batch_s, limit, history
        self.renderer, self.frame_gap_s = renderer, 1.0 / fps
        self.run: Run | None = None
        self.frames = 0  # frames drawn by the current (or last) run
        self._last_run: Run | None = None
        self._errors: list[str] = []
        self._history: deque[Snapshot] = deque(maxlen=history)
        self._lock = threading.Lock()
        self._fresh = threading.Event()  # a snapshot not drawn yet
        self._drawn = threading.Condition(self._lock)  # notified after each frame
        self._drawn_batch = 0
        self._render_stop = threading.Event()
        self._render_thread: threading.Thread | None = None
        style = {"description_width": "90px"}
        unit = "s" if time_unit_s == 1 else "min" if time_unit_s == 60 else f"× {time_unit_s:g} s"
        self.topic = widgets.Dropdown(
            options=[("all topics", ""), *[(t, t) for t in paths.TOPICS]], description="topic", style=style
        )
        self.lexicon = widgets.Dropdown(
            options=list(lexicon.NAMES), value=lexicon.DEFAULT, description="lexicon", style=style
        )
        self.window = widgets.IntSlider(10, min=1, max=60, description=f"window, {unit}", style=style)
        self.slide = widgets.IntSlider(2, min=1, max=30, description=f"slide, {unit}", style=style)
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
        )  # watch the processing-time plot when you switch: see helpers.dstream.runner
        self.scorer = widgets.Dropdown(  # what calls a whole tweet positive or negative: notebook 09, docs/sentiment.md
            options=[("word sum (lexicon)", "lexicon"), ("VADER's rules", "vader"), ("Spark model (09)", "model")],
            description="tweets by",
            style=style,
        )
        self.start_button = widgets.Button(description="Start", button_style="success", icon="play")
        self.stop_button = widgets.Button(description="Stop", button_style="danger", icon="stop", disabled=True)
        self.status = widgets.HTML("<b>stopped</b> · press Start")
        self.note = widgets.HTML("")  # where the tweets come from (what the source reports)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="1000px"))
        self.start_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        controls = widgets.VBox(
            [
                widgets.HBox([self.topic, self.lexicon, self.top_n]),
                widgets.HBox([self.window, self.slide, self.speed]),
                widgets.HBox([self.state, self.scorer]),
                widgets.HBox([self.start_button, self.stop_button]),
            ]
        )
        for widget, name in ((self.note, "lab-note"), (self.status, "lab-status"), (self.image, "lab-frame")):
            widget.add_class(name)  # stable handles for the browser test and for custom CSS
        self.panel = widgets.VBox([controls, self.note, self.status, self.image])
        self.panel.add_class("lab-dashboard")
        self._fixed: list[widgets.Widget] = []  # controls the run does not take
        if run_factory is not None:  # where the state lives is the other engine's business
            self._fixed = [self.state]
            self.state.layout.display = "none"
            takes = getattr(run_factory, "scorers", None)  # the scorers its runs take (helpers.settings.RunFactory)
            if takes is not None:
                self.scorer.options = [(label, name) for label, name in self.scorer.options if name in takes]
                if len(self.scorer.options) == 1:
                    self._fixed.append(self.scorer)
        if pipeline is not None:
            taken = self._pipeline_options()
            wanted = {"window_s": self.window, "slide_s": self.slide, "lexicon_name": self.lexicon}
            self._fixed = [w for name, w in wanted.items() if name not in taken] + [self.state, self.scorer]
            self.state.options = [("in Spark: your pipeline's own stateful operators", "spark")]
            name = getattr(pipeline, "__name__", "your pipeline")
            self.note.value = f"drawing <code>{html.escape(name)}</code>: the streams you built"
        self._set_running(False)

    def _pipeline_options(self) -> set[str]:
        """The control names (``PIPELINE_OPTIONS``) the pipeline function takes as parameters."""
        assert self.pipeline is not None
        params = inspect.signature(self.pipeline).parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        return {name for name in PIPELINE_OPTIONS if takes_any or name in params}

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.panel)

    # -- the buttons ------------------------------------------------------------------------------
    def settings(self) -> RunSettings:
        """The run settings the controls say now (window and slide in seconds); ValueError if they do not fit."""
        return RunSettings(
            batch_s=self.batch_s,
            window_s=self.window.value * self.time_unit_s,
            slide_s=self.slide.value * self.time_unit_s,
            top_n=int(self.top_n.value),
            lexicon_name=self.lexicon.value,
            topic=self.topic.value or None,
            scorer=self.scorer.value,
        )

    def start(self) -> bool:
        """Start a run with the current control values; False (and a message) if they are not valid."""
        if self.run is not None:
            return False
        try:
            settings = self.settings()
            if self.run_factory is None:
                from helpers.dstream.pipeline import check_window

                check_window(settings.batch_s, settings.window_s, settings.slide_s)
        except ValueError as e:
            self._status(f"<b>cannot start</b> · {html.escape(str(e))}")
            return False
        self.frames, self._errors, self._drawn_batch, self._last_run = 0, [], 0, None
        self._history.clear()
        self._set_running(True)
        self._status("<b>starting</b> · Spark is setting up the stream…")
        source = None
        try:
            if settings.scorer != "lexicon":  # the model is trained first if it is not saved
                sentiment_model.prepare(settings.scorer)
            limit, rate = self.limit, float(self.speed.value)
            source = self.make_source(topic=settings.topic, rate=rate, limit=limit)
            self.note.value = html.escape(getattr(source, "note", "")) or self.note.value
            self.run = self._build_run(settings, source, [self._on_snapshot])
            self._start_renderer()
            self.run.start()
        except Exception as e:
            self._errors.append(error_line("start", e))
            if self.run is None and source is not None:
                source.stop()
            self._stop_quietly()
            self._status(f"<b>could not start</b> · {html.escape(self._errors[-1][:300])}")
            return False
        return True

    def _build_run(self, settings: RunSettings, source: Source, listeners: Sequence[Listener]) -> Run:
        """The run the dashboard drives: the factory's, the learner's pipeline, or the kit's DStream run."""
        if self.run_factory is not None:
            return self.run_factory(settings, source, listeners)
        # The notebook's context, or a new one if it was stopped (say, by the notebook's last cell).
        if self.sc is None or spark.active_context() is not self.sc:
            self.sc = spark.get_context("dashboard")
        if self.pipeline is None:
            return StreamRun(self.sc, source, settings, listeners, state=self.state.value)
        taken = self._pipeline_options()
        values = {"window_s": settings.window_s, "slide_s": settings.slide_s, "lexicon_name": settings.lexicon_name}
        values["topic"] = settings.topic
        if "lexicon_name" not in taken:
            settings = replace(settings, lexicon_name="default")
        options = {name: v for name, v in values.items() if name in taken}
        return PipelineRun(self.sc, source, settings, self.pipeline, options, listeners)

    def stop(self, graceful: bool | None = None) -> None:
        """Stop the source, then the stream; Start works again afterwards.

        ``graceful=None`` (the Stop button): as the run decides, gracefully unless a DStream run is far behind
        (``helpers.dstream.runner.STOP_AT_ONCE_BEHIND_BATCHES``); then at once, the queued batches dropped, and
        the status line says so. ``False`` skips them always (a cell that has already seen every tweet it sent),
        ``True`` never. A run of another engine (``run_factory``) stops its own way, between two micro-batches.
        """
        run = self.run
        if run is None:
            return
        dstream = isinstance(run, (StreamRun, PipelineRun))
        if graceful is False or (graceful is None and dstream and run.would_drop_queue()):
            self._status("<b>stopping at once</b> · dropping the batches still queued…")
        else:
            self._status("<b>stopping</b> · finishing the batches already received…")
        self._stop_quietly(graceful)
        latest = self.latest
        done = f"{latest.batch} batches, {latest.tweets_total} tweets" if latest else "no batch"
        behind = run.dropped_behind_s
        if behind is not None:
            done += f" · {behind:.0f} s behind, the batches still queued were dropped"
        elif graceful is False:
            done += " · stopped at once, without the batches still due"
        self._status(f"<b>stopped</b> · {done} · press Start to run again")

    def behind_s(self) -> float:
        """How far the running DStream run is behind (``StreamRun.behind_s``); 0 for another engine's run."""
        return self.run.behind_s() if isinstance(self.run, (StreamRun, PipelineRun)) else 0.0

    def _stop_quietly(self, graceful: bool | None = True) -> None:
        run, self.run = self.run, None
        self._last_run = run  # its errors and snapshots stay readable
        try:
            if isinstance(run, (StreamRun, PipelineRun)):
                run.stop(graceful)  # batches finishing during a graceful stop are still drawn
            elif run is not None:
                run.stop()
        finally:
            self._stop_renderer()  # draws what the stop still delivered, then ends
            self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.start_button.disabled = running
        self.stop_button.disabled = not running
        controls = (self.topic, self.lexicon, self.window, self.slide, self.top_n, self.speed, self.state, self.scorer)
        for control in controls:
            control.disabled = running or control in self._fixed

    # -- per batch: the listener (Spark's thread) keeps, the render thread draws -------------------
    def _on_snapshot(self, snap: Snapshot) -> None:
        """The run's listener: keep the snapshot and wake the render thread; nothing slow here."""
        with self._lock:
            self._history.append(snap)
        self._fresh.set()

    def _start_renderer(self) -> None:
        """A render thread for this run, with its own events (a late thread of the last run wakes no one)."""
        self._fresh, self._render_stop = threading.Event(), threading.Event()
        self._render_thread = threading.Thread(
            target=self._render_loop, args=(self._fresh, self._render_stop), name="dashboard-render", daemon=True
        )
        self._render_thread.start()

    def _stop_renderer(self) -> None:
        thread, self._render_thread = self._render_thread, None
        self._render_stop.set()
        self._fresh.set()  # wake it
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)

    def _render_loop(self, fresh: threading.Event, stop: threading.Event) -> None:
        """Redraw on each new snapshot, at most ``fps`` times a second; on stop, draw the last one and end."""
        while True:
            fresh.wait()
            if stop.is_set():
                latest = self.latest
                if latest is not None and self._drawn_batch < latest.batch:
                    self._draw()
                return
            fresh.clear()
            self._draw()
            stop.wait(self.frame_gap_s)

    def _draw(self) -> None:
        with self._lock:
            history = list(self._history)
        if not history:
            return
        snap = history[-1]
        try:
            self.image.value = self.renderer(snap, history, min(20, int(self.top_n.value)))
        except Exception as e:
            self._errors.append(error_line("render", e))
        with self._drawn:
            self.frames += 1
            self._drawn_batch = snap.batch
            self._drawn.notify_all()
        s = snap.stats
        proc = f"{snap.processing_s:.2f}" if snap.processing_s is not None else "?"
        errors = self.errors
        errs = f" · <span style='color:#d62728'>{len(errors)} error(s)</span>" if errors else ""
        behind = self.behind_s()
        late = f" · <b>{behind:.0f} s behind</b>" if behind > 2 * snap.interval_s else ""
        if self.run is not None:  # a frame drawn while stopping leaves the status to stop()
            self._status(
                f"<b>running</b> · batch {snap.batch} · tweets {snap.tweets_total} (+{s.tweets}) · "
                f"malformed lines skipped {snap.malformed_total} · processing {proc} s of {snap.interval_s:g} s"
                f"{late}{errs}"
            )

    def _status(self, text: str) -> None:
        self.status.value = text

    @property
    def status_text(self) -> str:
        """The status line without its HTML, for printing."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.status.value))

    # -- for cells and tests ----------------------------------------------------------------------
    @property
    def errors(self) -> list[str]:
        """What failed: starting, drawing, and what the current (or last) run reported."""
        run = self.run or self._last_run
        return [*self._errors, *(run.errors if run is not None else ())]

    @property
    def history(self) -> list[Snapshot]:
        """The snapshots of the current (or last) run the dashboard kept (the last ``history`` of them)."""
        with self._lock:
            return list(self._history)

    @property
    def latest(self) -> Snapshot | None:
        """The last snapshot of the current (or last) run."""
        with self._lock:
            return self._history[-1] if self._history else None

    def wait_until(self, done: Callable[[Snapshot], bool], timeout: float = 120.0) -> bool:
        """Block until ``done(latest snapshot)`` is true (e.g. every replayed tweet counted) or time runs out."""

        def reached() -> bool:
            snap = self.latest
            return snap is not None and bool(done(snap))

        return poll(reached, timeout)

    def wait(self, batches: int, timeout: float = 120.0) -> bool:
        """Block until the running stream has done ``batches`` batches and a frame shows them (for bounded cells)."""
        run = self.run
        if run is None:
            return False
        deadline = time.monotonic() + timeout
        if not run.wait(batches, timeout):
            return False
        with self._drawn:
            while self._drawn_batch < batches:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._drawn.wait(left)
        return True


__all__ = [
    "PIPELINE_OPTIONS",
    "Dashboard",
    "Renderer",
    "SocketReplay",
    "SourceFactory",
    "render",
    "replay_source",
]
