"""The live dashboard of notebooks 05 and 07: ipywidgets controls and matplotlib figures per batch.

    dash = Dashboard(sc)
    dash            # shows the panel: topic, lexicon, window, slide, top N, speed, state, Start, Stop
    dash.start(); dash.wait(batches=5); dash.stop()   # what the buttons do, callable from a cell

    dash = Dashboard(sc, pipeline=my_pipeline)       # the same panel on the streams you built yourself

``my_pipeline(lines, window_s, slide_s)`` takes the DStream of raw lines and returns two DStreams:
``(word, (window count, running total))`` pairs that change every slide, and per-batch tallies as
``(name, n)`` pairs named like ``Stats``' fields (``"tweets"``, ``"positive_tweets"``…). Start builds a
new StreamingContext (with a checkpoint folder), calls it on the replayed lines and draws what it
returns; the controls it does not take as parameters (say ``lexicon_name``) are greyed out.

Each batch's ``Snapshot`` arrives in Spark's job thread. There the dashboard only renders a PNG from
a ``matplotlib.figure.Figure`` (never pyplot) and sets widget values, which JupyterLab shows from
any thread; it never prints or displays (see shared/JUPYTER-TESTING.md). Errors go to the status line.
"""

from __future__ import annotations

import html
import inspect
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from helpers import lexicon, paths, sentiment_model
from helpers.dstream.pipeline import check_window
from helpers.dstream.runner import Source, StreamRun
from helpers.infra import spark
from helpers.model import Snapshot, Stats
from helpers.sinks import Listener, SnapshotSink
from helpers.sources.socket_server import ReplayServer
from helpers.ui import plots

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
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=80, facecolor=plots.BACKGROUND)
    return buf.getvalue()


#: What a learner's pipeline function returns: ``(word, (window count, total))`` pairs and ``(name, n)`` tallies.
PipelineFunction = Callable[..., "tuple[DStream, DStream]"]

#: The controls a pipeline function can take, by parameter name.
PIPELINE_OPTIONS = ("window_s", "slide_s", "lexicon_name", "topic")

_STATS_FIELDS = frozenset(Stats.__dataclass_fields__)


def _tally_stats(tally: tuple[str, int]) -> Stats:
    """One ``(name, n)`` tally as a ``Stats`` holding just that count (names that are not fields count nothing)."""
    name, n = tally
    return Stats(**{name: int(n)}) if name in _STATS_FIELDS else Stats()


class _PipelineSink(SnapshotSink):
    """The kit's sink; once a stop without grace begins, what cancelled batches report goes to ``stop_errors``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cancelling = False
        self.stop_errors: list[str] = []

    def error(self, where: str, e: BaseException) -> None:
        """Record an error of the pipeline, or (while cancelling) one the stop caused."""
        if self.cancelling:  # a callback may still run after the stop returned: the flag stays set
            self.stop_errors.append(f"{where}: {type(e).__name__}")
        else:
            super().error(where, e)


@dataclass
class PipelineRun:
    """One run of a learner's pipeline function: the life cycle ``StreamRun`` gives the kit's own pipeline.

    A fresh StreamingContext with a checkpoint folder (the learner's ``updateStateByKey`` needs one),
    the function called on the source's lines, and the same ``SnapshotSink`` the kit's runs feed.
    """

    sc: SparkContext
    source: Source
    batch_s: float
    pipeline: PipelineFunction
    options: dict[str, Any] = field(default_factory=dict)
    top_n: int = 50
    lexicon_name: str = "default"
    listeners: list[Listener] = field(default_factory=list)
    ssc: StreamingContext | None = field(default=None, init=False)
    sink: _PipelineSink = field(init=False)
    _checkpoint: Path | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.sink = _PipelineSink(self.top_n, self.batch_s, self.lexicon_name, self.listeners)

    def start(self) -> PipelineRun:
        """Build the learner's streams on a new StreamingContext, attach the sink, start."""
        self._checkpoint = spark.checkpoint_dir()
        self.ssc = spark.streaming_context(self.sc, self.batch_s, checkpoint=self._checkpoint)
        built = self.pipeline(self.source.dstream(self.ssc), **self.options)
        if not (isinstance(built, tuple) and len(built) == 2):
            raise TypeError(
                "the pipeline function must return two DStreams: (word, (window count, total)) pairs "
                f"and (name, n) tallies; it returned {type(built).__name__}"
            )
        current, tallies = built
        stats = tallies.map(_tally_stats).reduce(Stats.merge)  # one Stats per batch, as pipeline.batch_stats
        self.sink.attach(SimpleNamespace(stats=stats, current=current))  # attach reads only these two
        self.ssc.start()
        return self

    def wait(self, batches: int, timeout: float = 120.0) -> bool:
        """Wait until ``batches`` batches are done; False if ``timeout`` seconds pass first."""
        return self.sink.wait_for(batches, timeout)

    def stop(self, graceful: bool = True) -> None:
        """Stop the source, then the stream (gracefully unless told); the SparkContext stays up. Safe to call twice.

        ``graceful=False`` once every batch you need is counted: a machine that runs behind would otherwise
        first process every empty batch still due, each a few stateful stages. The batch in flight, if any, is
        cancelled: a snapshot it still gets counts nothing, and what its output operations report goes to
        ``sink.stop_errors``.
        """
        self.source.stop()
        if self.ssc is not None:
            # A batch in flight is cancelled by a stop without grace; what its output operations then report
            # is the stop's doing, not the pipeline's.
            self.sink.cancelling = not graceful
            spark.stop_streaming(self.ssc, graceful=graceful)
            self.ssc = None
        if self._checkpoint is not None:
            shutil.rmtree(self._checkpoint, ignore_errors=True)
            self._checkpoint = None
        self.sink.close()


class Dashboard:
    """Controls, a live figure and a status line around one run at a time: the kit's ``StreamRun``, or
    a ``PipelineRun`` of the learner's own ``pipeline`` function."""

    def __init__(
        self,
        sc: SparkContext | None = None,
        source: SourceFactory = replay_source,
        batch_s: float = 1.0,
        limit: int | None = None,
        history: int = 120,
        pipeline: PipelineFunction | None = None,
    ) -> None:
        self.sc, self.make_source, self.batch_s, self.limit, self.keep = sc, source, batch_s, limit, history
        self.pipeline = pipeline
        self.run: StreamRun | PipelineRun | None = None
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
        )  # watch the processing-time plot when you switch: see helpers.dstream.runner
        self.scorer = widgets.Dropdown(  # what calls a whole tweet positive or negative: notebook 09, docs/sentiment.md
            options=[("word sum (lexicon)", "lexicon"), ("VADER's rules", "vader"), ("Spark model (09)", "model")],
            description="tweets by",
            style=style,
        )
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
                widgets.HBox([self.state, self.scorer]),
                widgets.HBox([self.start_button, self.stop_button]),
            ]
        )
        for widget, name in ((self.note, "lab-note"), (self.status, "lab-status"), (self.image, "lab-frame")):
            widget.add_class(name)  # stable handles for the browser test and for custom CSS
        self.panel = widgets.VBox([controls, self.note, self.status, self.image])
        self.panel.add_class("lab-dashboard")
        self._fixed: list[widgets.Widget] = []  # controls the learner's pipeline function does not take
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
            if self.pipeline is not None:
                self.run = self._pipeline_run(source, window, slide)
                self.run.start()
                return True
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
                scorer=sentiment_model.prepare(self.scorer.value),  # the model is trained first if it is not saved
            )
            self.run.sink.keep = self.keep
            self.run.start()
        except Exception as e:
            self.errors.append(f"start: {type(e).__name__}: {e}")
            self._stop_quietly()
            self._status(f"<b>could not start</b> · {html.escape(self.errors[-1][:300])}")
            return False
        return True

    def _pipeline_run(self, source: Source, window: float, slide: float) -> PipelineRun:
        """A run of the learner's pipeline function, given the control values it takes."""
        values = {
            "window_s": window,
            "slide_s": slide,
            "lexicon_name": self.lexicon.value,
            "topic": self.topic.value or None,
        }
        taken = self._pipeline_options()
        run = PipelineRun(
            self.sc,  # type: ignore[arg-type]  # set just above in start()
            source,
            self.batch_s,
            self.pipeline,  # type: ignore[arg-type]  # only called when a pipeline was given
            {name: v for name, v in values.items() if name in taken},
            int(self.top_n.value),
            self.lexicon.value if "lexicon_name" in taken else "default",
            listeners=[self._on_snapshot],
        )
        run.sink.keep = self.keep
        return run

    def stop(self, graceful: bool = True) -> None:
        """Stop the source, then the stream gracefully; Start works again afterwards.

        ``graceful=False`` (a ``pipeline=`` run only; the kit's own run always stops gracefully) skips the
        batches still due, for a cell that has already seen every tweet it sent.
        """
        if self.run is None:
            return
        self._status("<b>stopping</b> · finishing the batches already received…")
        self._stop_quietly(graceful)
        latest = self.latest
        done = f"{latest.batch} batches, {latest.tweets_total} tweets" if latest else "no batch"
        self._status(f"<b>stopped</b> · {done} · press Start to run again")

    def _stop_quietly(self, graceful: bool = True) -> None:
        run = self.run
        if isinstance(run, PipelineRun):
            run.stop(graceful)
            self._last_sink = run.sink
        elif run is not None:
            run.stop()  # batches finishing during the graceful stop are still drawn
            self._last_sink = run.sink
        self.run = None
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.start_button.disabled = running
        self.stop_button.disabled = not running
        controls = (self.topic, self.lexicon, self.window, self.slide, self.top_n, self.speed, self.state, self.scorer)
        for control in controls:
            control.disabled = running or control in getattr(self, "_fixed", ())

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
