"""Notebook 05's pipeline as the learner writes it equals ``pipeline.build`` and the reference engine,
and the dashboard draws it.

The learner's lines are re-stated here exactly as notebook 05's cells hold them (the duplication is the
proof: change one, and this test says whether the two still agree). Both run on the notebook's eight
queue batches and are compared batch by batch: each batch's tallies, and each slide's top 50 with
counts, running totals and sentiment. The dashboard then runs the learner's pipeline function from its
Start and Stop, and its snapshots are compared with the reference engine's too.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import replace
from io import BytesIO
from operator import add, sub
from typing import ClassVar

import pytest
from matplotlib.colors import to_rgba
from matplotlib.image import imread
from pyspark import cloudpickle

from helpers import lexicon, paths, text, tweets
from helpers.dstream import pipeline
from helpers.dstream.output import SparkSnapshots
from helpers.dstream.runner import STOP_AT_ONCE_BEHIND_BATCHES
from helpers.infra import spark
from helpers.model import Snapshot, Stats
from helpers.sample import batches_of, merged_lines, read_lines
from helpers.settings import RunSettings
from helpers.sinks import Publisher
from helpers.sources.queue import QueueSource
from helpers.state import WindowState
from helpers.ui import plots
from helpers.ui.dashboard import Dashboard, frame, render
from helpers.ui.web import check_snapshot

# The learner's functions live in this module, which Spark's Python workers cannot import: ship them by value,
# as Spark ships a notebook's.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

pytestmark = pytest.mark.filterwarnings("ignore:DStream is deprecated:FutureWarning")  # notebook 02 explains it

TIMEOUT = 600  # seconds; the machines that run this are shared and slow, and no test times anything


@pytest.fixture(scope="module")
def batches():
    """Notebook 05's batches: the malformed lines, then the sample's first 3,180 tweets, 400 lines a batch."""
    lines = list(read_lines([paths.MALFORMED])) + list(merged_lines(paths.sample_files()))[:3180]
    return list(batches_of(lines, 400))


@pytest.fixture(scope="module")
def reference(batches):
    """The reference engine's snapshot of every batch (4 s windows sliding every 2 s, top 50)."""
    ref = WindowState(window=4, slide=2, top_n=50)
    return [ref.process(b) for b in batches]


# --- the learner's lines, as notebook 05 holds them ---------------------------------------------------


def tweet_tallies(t):
    if t is None:
        return [("malformed", 1)]
    score = lexicon.tweet_score(text.words(t.text), lexicon.scores())
    mood = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    return [("tweets", 1), (mood + "_tweets", 1)]


def learners_stream(sc, batches, checkpoint, slides_file):
    """Notebook 05's cells from ``StreamingContext(sc, 1)`` to ``current.foreachRDD(write_slide)``."""
    from pyspark.streaming import StreamingContext

    ssc = StreamingContext(sc, 1)
    ssc.checkpoint(str(checkpoint))
    lines = ssc.queueStream([sc.parallelize(batch, 2) for batch in batches])

    records = lines.filter(lambda line: not tweets.is_blank(line)).map(tweets.parse_line)
    parsed = records.filter(lambda t: t is not None)
    words = parsed.flatMap(lambda t: text.tokenize(t.text))
    counts = words.map(lambda w: (w, 1)).reduceByKey(add)

    window = counts.reduceByKeyAndWindow(add, sub, 4, 2, filterFunc=lambda kv: kv[1] > 0)
    totals = counts.updateStateByKey(lambda new, old: sum(new, old or 0))
    current = window.join(totals.window(1, 2))  # (word, (count in the window, running total))

    word_tallies = words.map(lambda w: (lexicon.polarity(w, lexicon.scores()) + "_words", 1))
    tallies = records.flatMap(tweet_tallies).union(word_tallies).reduceByKey(add)

    batch_tallies, slides = [], []
    tallies.foreachRDD(lambda time, rdd: batch_tallies.append(dict(rdd.collect())))

    def write_slide(time, rdd):
        top = rdd.takeOrdered(50, key=lambda kv: (-kv[1][0], kv[0]))
        rows = [{"word": w, "count": c, "total": n, "sentiment": lexicon.polarity(w)} for w, (c, n) in top]
        slides.append({"time": time.timestamp(), "batch": len(batch_tallies), **batch_tallies[-1], "top": rows})
        with slides_file.open("a", encoding="utf-8") as out:
            out.write(json.dumps(slides[-1], ensure_ascii=False) + "\n")

    current.foreachRDD(write_slide)
    return ssc, batch_tallies, slides


def seed_pipeline(lines, window_s, slide_s):
    """Notebook 05's ``seed_pipeline``: the lines above as one function, for the dashboard."""
    records = lines.filter(lambda line: not tweets.is_blank(line)).map(tweets.parse_line)
    words = records.filter(lambda t: t is not None).flatMap(lambda t: text.tokenize(t.text))
    counts = words.map(lambda w: (w, 1)).reduceByKey(add)
    window = counts.reduceByKeyAndWindow(add, sub, window_s, slide_s, filterFunc=lambda kv: kv[1] > 0)
    totals = counts.updateStateByKey(lambda new, old: sum(new, old or 0))
    word_tallies = words.map(lambda w: (lexicon.polarity(w, lexicon.scores()) + "_words", 1))
    tallies = records.flatMap(tweet_tallies).union(word_tallies).reduceByKey(add)
    return window.join(totals.window(1, slide_s)), tallies


def _poll(done, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.2)
    return done()


@pytest.fixture(scope="module")
def learner_run(sc, batches, tmp_path_factory):
    """The learner's stream run once over the batches: each batch's tallies, each slide, the JSON-lines file."""
    folder = tmp_path_factory.mktemp("learner")
    slides_file = folder / "slides.jsonl"
    ssc, batch_tallies, slides = learners_stream(sc, batches, folder / "checkpoint", slides_file)
    ssc.start()
    try:
        assert _poll(lambda: len(batch_tallies) >= len(batches)), f"{len(batch_tallies)} batches done"
    finally:
        ssc.stop(stopSparkContext=False, stopGraceFully=True)
    return batch_tallies, slides, slides_file


@pytest.fixture(scope="module")
def packaged_run(sc, batches, tmp_path_factory):
    """``pipeline.build`` on the same batches, its snapshots made by the kit's ``SparkSnapshots``."""
    ssc = spark.streaming_context(sc, 1, checkpoint=tmp_path_factory.mktemp("packaged"))
    streams = pipeline.build(QueueSource(batches).dstream(ssc), batch_s=1.0, window_s=4.0, slide_s=2.0)
    published = Publisher()
    snapshots = SparkSnapshots(RunSettings(batch_s=1.0, window_s=4.0, slide_s=2.0, top_n=50), published).attach(streams)
    ssc.start()
    try:
        assert published.wait_for(len(batches), TIMEOUT)
    finally:
        spark.stop_streaming(ssc)
        snapshots.close()
    assert not published.errors
    return published.history[: len(batches)]


def test_the_learners_lines_equal_the_reference_batch_by_batch(learner_run, reference):
    batch_tallies, slides, _ = learner_run
    assert [Stats(**t) for t in batch_tallies[: len(reference)]] == [s.stats for s in reference]
    expected = [s.as_dict() for s in reference if s.window_updated]
    assert [s["batch"] for s in slides[: len(expected)]] == [2, 4, 6, 8]
    assert [s["top"] for s in slides[: len(expected)]] == [e["top"] for e in expected]
    assert sum(t.get("tweets", 0) for t in batch_tallies) == 3185
    assert sum(t.get("malformed", 0) for t in batch_tallies) == 13


def test_pipeline_build_gives_the_same_snapshots_as_the_learners_lines(learner_run, packaged_run):
    batch_tallies, slides, _ = learner_run
    assert [s.stats for s in packaged_run] == [Stats(**t) for t in batch_tallies[: len(packaged_run)]]
    packaged_slides = [s for s in packaged_run if s.window_updated]
    assert [s.batch for s in packaged_slides] == [slide["batch"] for slide in slides[: len(packaged_slides)]]
    assert [s.as_dict()["top"] for s in packaged_slides] == [slide["top"] for slide in slides[: len(packaged_slides)]]
    assert len(packaged_slides) == 4


def test_the_json_lines_keep_the_contract(learner_run):
    """One object per line; ``time`` and ``top`` required; a subset of ``Snapshot.as_dict()``'s keys."""
    _, slides, slides_file = learner_run
    objects = [json.loads(line) for line in slides_file.read_text(encoding="utf-8").splitlines()]
    assert objects == slides and len(objects) >= 4
    snapshot_keys = set(Snapshot(0, 0.0, 1.0, Stats(), 0, 0, [], False).as_dict())
    for obj in objects:
        assert check_snapshot(obj) is None, check_snapshot(obj)  # the D3 page's own reading of the contract
        assert isinstance(obj["time"], float) and isinstance(obj["top"], list)
        assert set(obj) <= snapshot_keys, set(obj) - snapshot_keys
        for row in obj["top"]:
            assert set(row) == {"word", "count", "total", "sentiment"}
            assert row["sentiment"] in ("positive", "negative", "neutral")
    assert objects[0]["top"][0]["word"] == "new" and objects[0]["top"][0]["sentiment"] == "neutral"


# --- the dashboard draws the learner's pipeline -------------------------------------------------------


def test_the_dashboard_runs_the_learners_pipeline_from_start_to_stop(sc, batches, reference):
    dash = Dashboard(sc, source=lambda **_: QueueSource(batches), pipeline=seed_pipeline)
    assert dash.lexicon.disabled and dash.state.disabled, "seed_pipeline takes no lexicon_name and keeps its state"
    assert not dash.window.disabled and not dash.slide.disabled and not dash.top_n.disabled
    dash.window.value, dash.slide.value, dash.top_n.value = 4, 2, 50
    assert dash.start()
    assert dash.window.disabled and dash.stop_button.disabled is False
    try:
        assert dash.wait(len(batches), timeout=TIMEOUT), dash.status_text
    finally:
        dash.stop(graceful=False)  # every batch is in; skip the empty ones still due on a busy machine
    assert dash.run is None and not dash.window.disabled and dash.lexicon.disabled
    assert dash.status_text.endswith(" · stopped at once, without the batches still due · press Start to run again")
    history = dash.history[: len(batches)]
    assert [s.stats for s in history] == [s.stats for s in reference]
    assert [s.top for s in history if s.window_updated] == [s.top for s in reference if s.window_updated]
    assert (history[-1].tweets_total, history[-1].malformed_total) == (3185, 13)
    assert [s.batch for s in history] == list(range(1, len(batches) + 1)), "the dashboard missed a batch"
    assert dash.frames >= 1 and not dash.errors
    assert dash.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert dash.status_text.startswith("stopped")

    # Start again: a new StreamingContext, the same function, a fresh count.
    assert dash.start()
    try:
        assert dash.wait(2, timeout=TIMEOUT), dash.status_text
    finally:
        dash.stop(graceful=False)  # every batch is in; skip the empty ones still due on a busy machine
    # The batches waited for; a later one cut short by the stop without grace may be recorded as counting nothing.
    again = dash.history[:2]
    assert [s.batch for s in again] == [1, 2] and [s.stats for s in again] == [s.stats for s in reference[:2]]


def test_a_pipeline_that_returns_one_stream_is_refused_with_the_reason(sc, batches):
    from pyspark.streaming import StreamingContext

    dash = Dashboard(sc, source=lambda **_: QueueSource(batches), pipeline=lambda lines, window_s, slide_s: lines)
    assert not dash.start()
    assert dash.status_text == (
        "could not start · start: TypeError: the pipeline function must return two DStreams: "
        "(word, (window count, total)) pairs and (name, n) tallies; it returned DStream"
    )
    assert dash.run is None and not dash.start_button.disabled and StreamingContext.getActive() is None


def test_the_controls_follow_the_functions_parameters():
    def with_lexicon(lines, window_s, slide_s, lexicon_name):
        return lines, lines

    def everything(lines, **options):
        return lines, lines

    assert not Dashboard(None, pipeline=with_lexicon).lexicon.disabled
    assert not Dashboard(None, pipeline=everything).lexicon.disabled
    fixed = Dashboard(None, pipeline=lambda lines: (lines, lines))
    assert fixed.window.disabled and fixed.slide.disabled and fixed.lexicon.disabled
    assert not fixed.topic.disabled and not fixed.speed.disabled and not fixed.top_n.disabled
    assert not Dashboard(None).lexicon.disabled and not Dashboard(None).state.disabled  # the kit's own run


# --- the figures: colour-blind-safe, marked, readable on light and dark themes --------------------------


def test_the_palette_is_okabe_ito_and_polarities_differ_by_more_than_colour():
    assert plots.COLOURS == {"positive": "#0072B2", "negative": "#D55E00", "neutral": "#999999"}
    assert len(set(plots.HATCHES.values())) == 3 and len(set(plots.MARKS.values())) == 3
    rows = [("love", 30, "positive"), ("hate", 20, "negative"), ("day", 10, "neutral")]
    fig = plots.bar_top_words(None, rows)
    (ax,) = fig.axes
    assert [b.get_hatch() for b in ax.patches] == [plots.HATCHES[p] for _, _, p in rows]
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["30 +", "20 \u2212", "10 \u00b7"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["+ positive", "\u2212 negative", "\u00b7 neutral"]
    assert fig.get_facecolor() == to_rgba(plots.BACKGROUND) and ax.get_facecolor() == to_rgba(plots.BACKGROUND)


def test_the_dashboard_figure_is_opaque_white(reference):
    png = render(reference[-1], reference, top_rows=20)
    pixels = imread(BytesIO(png))
    assert pixels.shape[2] == 4 and pixels[..., 3].min() == 1.0, "a transparent pixel would vanish on a dark theme"
    assert tuple(pixels[0, 0, :3]) == (1.0, 1.0, 1.0)


def test_the_dashboard_figure_makes_room_for_the_longest_word(reference):
    snap = reference[-1]
    long = replace(snap, top=[replace(snap.top[0], word="#averyveryverylonghashtag2026"), *snap.top[1:]])
    margins = []
    for shown in (snap, long):
        fig = frame(shown, reference, top_rows=20)
        bars = fig.axes[0]
        renderer = fig.canvas.get_renderer()
        assert min(t.get_window_extent(renderer).x0 for t in bars.get_yticklabels()) >= 0  # no word cut off
        margins.append(bars.get_position().x0)
    assert margins[0] < margins[1] <= 0.4  # the margin follows the longest word, up to a cap


def test_a_stop_without_grace_keeps_the_cancelled_batchs_errors_apart():
    published = Publisher()
    snapshots = SparkSnapshots(RunSettings(top_n=5), published)
    snapshots.error("batch stats", RuntimeError("the pipeline broke"))
    snapshots.cancelling = True  # what PipelineRun.stop(graceful=False) sets before stopping
    snapshots.error("batch stats", RuntimeError("cancelled by the stop"))
    snapshots.close()
    assert published.errors == ["batch stats: RuntimeError: the pipeline broke"]
    assert snapshots.stop_errors == ["batch stats: RuntimeError"]


# --- the dashboard draws on its own thread, from any engine's run -----------------------------------------


def test_a_slow_figure_never_holds_up_a_batch(sc, batches, reference):
    """The figure is stuck in its first draw while every batch is counted; then one frame catches up."""
    release, drawing = threading.Event(), threading.Event()

    def stuck(snap, history, rows):
        drawing.set()
        release.wait(TIMEOUT)
        return render(snap, history, rows)

    dash = Dashboard(sc, source=lambda **_: QueueSource(batches), renderer=stuck)
    dash.window.value, dash.slide.value = 4, 2  # the kit's own run, state on the driver
    assert dash.start(), dash.status_text
    try:
        assert dash.wait_until(lambda snap: snap.batch >= len(batches), timeout=TIMEOUT), dash.status_text
        assert drawing.is_set() and dash.frames == 0, "a batch waited for the figure"
        release.set()
        assert dash.wait(len(batches), timeout=TIMEOUT), dash.status_text  # the figure shows the last batch
    finally:
        release.set()
        dash.stop()
    history = dash.history
    assert [s.batch for s in history] == list(range(1, len(history) + 1)) and len(history) >= len(batches)
    assert [s.stats for s in history[: len(batches)]] == [s.stats for s in reference]
    # Each frame draws the newest snapshot: the stuck one, then one per batch at most from the last data batch on.
    assert 2 <= dash.frames <= history[-1].batch - len(batches) + 2
    assert not dash.errors and dash.status_text.startswith(f"stopped · {history[-1].batch} batches")


def slow_pipeline(lines, window_s, slide_s):
    """seed_pipeline with each batch's tallies held up 3 s a partition: 1 s batches fall further behind each batch."""
    current, tallies = seed_pipeline(lines, window_s, slide_s)
    return current, tallies.mapPartitions(lambda part: (time.sleep(3), part)[1])


def test_stop_drops_the_queue_of_a_run_far_behind_and_says_so(sc, batches):
    dash = Dashboard(sc, source=lambda **_: QueueSource(batches), pipeline=slow_pipeline)
    dash.window.value, dash.slide.value = 4, 2
    assert dash.start(), dash.status_text
    try:
        far = STOP_AT_ONCE_BEHIND_BATCHES * dash.batch_s
        assert _poll(lambda: dash.behind_s() > far and " s behind" in dash.status_text), dash.status_text
        done_at_stop = dash.latest.batch
    finally:
        dash.stop()  # what the Stop button calls
    assert dash.run is None and dash.status_text.startswith("stopped · ")
    assert "s behind, the batches still queued were dropped · press Start to run again" in dash.status_text
    # A graceful stop would have processed every batch queued (five and more). Stopping at once, at most three
    # more are counted: one that ended as Stop was pressed, the one in flight, one cut short (it counts nothing).
    assert dash.latest.batch <= done_at_stop + 3, (dash.latest.batch, done_at_stop)
    assert [s.batch for s in dash.history] == list(range(1, dash.latest.batch + 1))


def test_stop_is_graceful_while_the_run_keeps_up(sc, batches, reference):
    dash = Dashboard(sc, source=lambda **_: QueueSource(batches[:2]))  # the kit's run, state on the driver
    dash.window.value, dash.slide.value = 4, 2
    assert dash.start(), dash.status_text
    try:
        assert dash.wait(2, timeout=TIMEOUT), dash.status_text
        assert dash.behind_s() <= STOP_AT_ONCE_BEHIND_BATCHES * dash.batch_s
    finally:
        dash.stop()
    assert "dropped" not in dash.status_text and dash.status_text.startswith("stopped · ")
    assert [s.stats for s in dash.history[:2]] == [s.stats for s in reference[:2]]


class _FakeRun:
    """A run of some other engine: publishes three snapshots when started, as a ``RunFactory`` builds it."""

    made: ClassVar[list[_FakeRun]] = []

    def __init__(self, settings, source, listeners):
        self.settings, self.source, self.listeners = settings, source, list(listeners)
        self.running, self.published, self.errors = False, 0, []
        self.dropped_behind_s = None  # it never drops a batch
        _FakeRun.made.append(self)

    def start(self):
        self.running = True
        for batch in (1, 2, 3):
            snap = Snapshot(batch, 0.0, self.settings.batch_s, Stats(tweets=10), 10 * batch, 0, [], batch == 2)
            for listener in self.listeners:
                listener(snap)
            self.published = batch
        return self

    def wait(self, batches, timeout=120.0):
        return self.published >= batches

    def stop(self):
        self.running = False


class _NotedSource:
    def __init__(self, **values):
        self.values, self.note = values, "three <made-up> batches"

    def stop(self):
        pass


def test_a_run_factory_gets_the_controls_as_settings_in_its_time_unit():
    _FakeRun.made.clear()
    dash = Dashboard(source=_NotedSource, run_factory=_FakeRun, time_unit_s=60, limit=40)
    assert (dash.window.description, dash.slide.description) == ("window, min", "slide, min")
    assert dash.state.disabled and dash.state.layout.display == "none", "where the state lives is the engine's"
    dash.topic.value, dash.window.value, dash.slide.value, dash.speed.value = "climate", 10, 5, 700
    assert dash.start(), dash.status_text
    assert dash.wait(3, timeout=TIMEOUT), dash.status_text
    dash.stop()
    (run,) = _FakeRun.made
    assert run.settings == RunSettings(1.0, 600.0, 300.0, top_n=50, lexicon_name="vader", topic="climate")
    assert run.source.values == {"topic": "climate", "rate": 700.0, "limit": 40}
    assert dash.note.value == "three &lt;made-up&gt; batches"  # what the source reports, escaped
    assert [s.batch for s in dash.history] == [1, 2, 3] and dash.latest.tweets_total == 30
    assert dash.frames >= 1 and dash.image.value[:8] == b"\x89PNG\r\n\x1a\n" and not dash.errors
    assert dash.status_text == "stopped · 3 batches, 30 tweets · press Start to run again" and not run.running


def test_the_scorer_control_offers_what_the_run_factory_takes():
    def lexicon_and_vader(settings, source, listeners):
        return _FakeRun(settings, source, listeners)

    lexicon_and_vader.scorers = ("lexicon", "vader")
    dash = Dashboard(source=_NotedSource, run_factory=lexicon_and_vader)
    assert [name for _, name in dash.scorer.options] == ["lexicon", "vader"] and not dash.scorer.disabled
    lexicon_and_vader.scorers = ("lexicon",)
    dash = Dashboard(source=_NotedSource, run_factory=lexicon_and_vader)
    assert [name for _, name in dash.scorer.options] == ["lexicon"] and dash.scorer.disabled
    dash = Dashboard(source=_NotedSource, run_factory=_FakeRun)  # says nothing: every scorer
    assert [name for _, name in dash.scorer.options] == ["lexicon", "vader", "model"] and not dash.scorer.disabled


def test_the_controls_refuse_a_window_the_dstream_run_cannot_make():
    dash = Dashboard(None)
    dash.window.value, dash.slide.value = 4, 6
    assert not dash.start()
    assert dash.status_text == "cannot start · need 0 < slide <= window, got slide=6 s and window=4 s"
    assert dash.run is None and not dash.start_button.disabled
