"""Tweet scorers: the default leaves every engine as it was; vader and model drive top, stream and the
dashboard's run; the model's plain-Python scorer calls every rated tweet exactly as Spark does; notebook 09's
own cells build the same frame, pipeline and cross-validation as ``sentiment_model``."""

from __future__ import annotations

import json
import math
import re

import pytest
from support.notebooks import cells_starting

from helpers import paths, ratings, scorers, sentiment_model
from helpers.__main__ import main
from helpers.counting import summarise
from helpers.dstream.runner import StreamRun
from helpers.model import Stats
from helpers.runs import top
from helpers.sample import batches_of, read_lines
from helpers.settings import RunSettings
from helpers.sources.queue import QueueSource
from helpers.tweets import parse_line

FOOTBALL = paths.SAMPLE_TWEETS / "football.ndjson"
needs_ratings = pytest.mark.skipif(not ratings.available(), reason=ratings.missing_message())


def by_hand(lines: list[str], score) -> tuple[int, int, int]:
    """(positive, negative, neither) tweets, each called by ``score(text)`` → 1, -1 or 0."""
    calls = [score(t.text) for t in map(parse_line, lines) if t is not None]
    return calls.count(1), calls.count(-1), calls.count(0)


def test_call_thresholds():
    assert [scorers.call(s) for s in (0.3, 0.0, -0.01)] == [1, 0, -1]
    assert [scorers.call(s, scorers.VADER_THRESHOLD) for s in (0.05, 0.0501, -0.05, -0.0501)] == [0, 1, 0, -1]


def test_unknown_scorer_names_the_choices():
    with pytest.raises(ValueError, match=r"^unknown scorer 'bert'; choose one of \['lexicon', 'vader', 'model'\]$"):
        summarise([], scorer="bert")


def test_the_default_scorer_changes_nothing():
    lines = list(read_lines([FOOTBALL]))
    a, b = summarise(lines), summarise(lines, scorer="lexicon")
    assert a.stats == b.stats and a.words == b.words
    assert (a.stats.positive_tweets, a.stats.negative_tweets, a.stats.neutral_tweets) != (0, 0, 0)


def test_vader_tallies_tweets_by_vaders_compound_and_keeps_the_word_counts():
    lines = list(read_lines([FOOTBALL]))
    lexicon_run, vader_run = summarise(lines), summarise(lines, scorer="vader")
    assert vader_run.words == lexicon_run.words  # words and their polarity still come from the lexicon
    expected = by_hand(lines, lambda text: scorers.call(scorers.vader_compound(text), 0.05))
    s = vader_run.stats
    assert (s.positive_tweets, s.negative_tweets, s.neutral_tweets) == expected
    assert expected != (
        lexicon_run.stats.positive_tweets,
        lexicon_run.stats.negative_tweets,
        lexicon_run.stats.neutral_tweets,
    )


def test_top_prints_the_scorers_tally_only_when_asked(capsys):
    assert main(["top", "--input", str(FOOTBALL), "--top", "5", "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert "tweet_sentiment" not in plain
    assert main(["top", "--input", str(FOOTBALL), "--top", "5", "--json", "--scorer", "vader"]) == 0
    scored = json.loads(capsys.readouterr().out)
    tally = scored.pop("tweet_sentiment")
    assert scored == plain
    lines = list(read_lines([FOOTBALL]))
    pos, neg, neither = by_hand(lines, lambda text: scorers.call(scorers.vader_compound(text), 0.05))
    assert tally == {"scorer": "vader", "positive": pos, "negative": neg, "neutral": neither}


def test_the_structured_engine_says_it_cannot_take_another_scorer(capsys):
    assert main(["top", "--engine", "structured", "--input", str(FOOTBALL), "--scorer", "vader"]) == 2
    assert capsys.readouterr().err == (
        "error: --scorer: the structured engine scores tweets in Spark SQL with the lexicon only; "
        "use --engine python or dstream\n"
    )


@pytest.mark.spark
@pytest.mark.parametrize("scorer", ["lexicon", "vader"])
def test_dstream_top_with_a_scorer_equals_python(sc, scorer):
    files = [str(FOOTBALL)]
    python = top(files, "python", 20, "default", None, None, scorer=scorer)
    dstream = top(files, "dstream", 20, "default", None, None, scorer=scorer)
    assert dstream == python and python["tweet_sentiment"]["scorer"] == scorer


@pytest.mark.spark
def test_the_dashboards_run_tallies_tweets_with_the_chosen_scorer(sc):
    lines = list(read_lines([FOOTBALL]))[:1200]
    run = StreamRun(sc, QueueSource(batches_of(lines, 400)), RunSettings(1.0, 2.0, 1.0, 10, scorer="vader"))
    run.start()
    try:
        assert run.wait(3, timeout=300)
    finally:
        run.stop()
    total = Stats()
    for snap in run.publisher.history:
        total.merge(snap.stats)
    expected = by_hand(lines, lambda text: scorers.call(scorers.vader_compound(text), 0.05))
    assert (total.positive_tweets, total.negative_tweets, total.neutral_tweets) == expected
    assert not run.errors


@pytest.mark.spark
def test_stream_runs_with_a_scorer(sc, capsys, monkeypatch):
    import helpers.dstream.runner
    from helpers.infra import spark

    monkeypatch.setattr(spark, "stop_all", lambda jvm=True: None)  # keep the session's context for later tests

    runs = []

    class Recorded(helpers.dstream.runner.StreamRun):
        def start(self):
            runs.append(self)
            return super().start()

    monkeypatch.setattr(helpers.dstream.runner, "StreamRun", Recorded)
    args = ["stream", "--input", str(FOOTBALL), "--rate", "400", "--batches", "3", "--no-clear"]
    assert main([*args, "--scorer", "vader", "--window", "2", "--slide", "1"]) == 0
    out = capsys.readouterr()
    assert [r.settings.scorer for r in runs] == ["vader"]  # how many tweets arrive in 3 s depends on the machine's load
    assert re.search(r"^stopped after \d+ batches, \d+ tweets, 0 malformed lines skipped$", out.out, re.M)
    assert out.err == ""  # no scorer error from any batch


# -- the model: trained in Spark on the ratings (once, cached in data/ratings/model/) ---------------------
@pytest.fixture(scope="module")
def model():
    if not ratings.available():
        pytest.skip(ratings.missing_message())
    return sentiment_model.cross_validation()


@needs_ratings
@pytest.mark.spark
def test_the_python_scorer_calls_every_rated_tweet_as_spark_does(sc, model):
    from pyspark.ml import PipelineModel

    from helpers.infra import spark

    session = spark.get_session()
    saved = PipelineModel.load(str(sentiment_model.MODEL_DIR / "spark"))
    frame = sentiment_model.rated_frame(session, ratings.load())
    got = saved.transform(frame).select("text", "rawPrediction", "prediction").collect()
    scorer = sentiment_model.load_scorer()
    assert len(got) == 4196
    for row in got:
        margin = scorer.margin(row["text"])
        assert math.isclose(margin, row["rawPrediction"][1], rel_tol=1e-9, abs_tol=1e-9), row["text"]
        assert (margin > 0) == (row["prediction"] == 1.0)


@needs_ratings
def test_the_models_cross_validated_accuracy_beats_the_default_lexicon(model):
    from helpers import evaluate

    result = evaluate.evaluate(names=["lexicon:vader", "model"])
    lexicon_acc, model_acc = (s["accuracy"] for s in result["scorers"])
    assert model_acc > lexicon_acc
    assert model_acc == pytest.approx(sum(model["cv_accuracy"]) / len(model["cv_accuracy"]), abs=0.02)
    assert max(model["cv_accuracy"]) == pytest.approx(model_acc, abs=0.005)  # out-of-fold calls = CV figure


@needs_ratings
def test_the_model_scorer_drives_top(model):
    files = [str(FOOTBALL)]
    result = top(files, "python", 5, "default", None, None, scorer="model")
    scorer = sentiment_model.load_scorer()
    lines = list(read_lines(files))
    pos, neg, neither = by_hand(lines, lambda text: scorers.call(scorer.margin(text)))
    assert result["tweet_sentiment"] == {"scorer": "model", "positive": pos, "negative": neg, "neutral": neither}


@needs_ratings
@pytest.mark.spark
def test_the_model_scorer_drives_the_dstream_run(sc, model):
    files = [str(FOOTBALL)]
    assert top(files, "dstream", 5, "default", None, None, scorer="model") == top(
        files, "python", 5, "default", None, None, scorer="model"
    )


@pytest.mark.spark
def test_the_dashboards_scorer_control_reaches_its_run(sc):
    from helpers.ui.dashboard import Dashboard

    lines = list(read_lines([FOOTBALL]))[:800]
    dash = Dashboard(sc, source=lambda **_: QueueSource(batches_of(lines, 400)))
    dash.window.value, dash.slide.value = 2, 1
    assert dash.scorer.value == "lexicon" and dash.scorer.options[1] == ("VADER's rules", "vader")
    dash.scorer.value = "vader"
    assert dash.start()
    try:
        assert dash.scorer.disabled and dash.run.settings.scorer == "vader"
        assert dash.wait(2, timeout=300)
        total = Stats()
        for snap in dash.history:
            total.merge(snap.stats)
    finally:
        dash.stop()
    expected = by_hand(lines, lambda text: scorers.call(scorers.vader_compound(text), 0.05))
    assert (total.positive_tweets, total.negative_tweets, total.neutral_tweets) == expected
    assert not dash.scorer.disabled and not dash.errors


# -- notebook 09 writes the model in plain Spark; sentiment_model packages the same lines ---------------------
NOTEBOOK_09 = "09_how_good_is_the_sentiment.ipynb"


def params(stage) -> dict:
    """A pipeline stage's settings by name (every param with a value or a default), its type included."""
    return {"type": type(stage).__name__, **{p.name: v for p, v in stage.extractParamMap().items()}}


@pytest.mark.spark
def test_notebook_09s_frame_pipeline_and_cross_validation_are_sentiment_models(sc, capsys):
    """Run notebook 09's own cells (the rated tweets' frame, the pipeline, the cross-validator), then compare them
    with what ``python -m helpers evaluate`` trains through ``sentiment_model``: same rows in the same single
    partition, same stages with the same settings, same grid and folds. Change one side and this fails."""
    cells = cells_starting(
        NOTEBOOK_09, "import matplotlib", "REAL = ", "frame = ", "tokenizer = ", "features = ", "grid = Param"
    )
    names: dict = {}
    for cell in cells:
        exec(cell, names)  # the notebook's imports, its rows, then its Spark lines
    capsys.readouterr()  # frame.show's table
    session, rows = names["session"], names["rows"]
    assert len(rows) == (4200 if ratings.available() else 24)  # the notebook says "the 4,200 rated tweets"

    frame, packaged = names["frame"], sentiment_model.rated_frame(session, rows)
    assert frame.schema == packaged.schema
    assert frame.rdd.getNumPartitions() == packaged.rdd.getNumPartitions() == 1
    assert frame.collect() == packaged.collect()

    mine, theirs = names["model_pipeline"].getStages(), sentiment_model.pipeline().getStages()
    assert [params(s) for s in mine] == [params(s) for s in theirs]

    cv, packaged_cv = names["cv"], sentiment_model.cross_validator(sentiment_model.pipeline())
    for getter in ("getFoldCol", "getSeed", "getCollectSubModels", "getParallelism", "getNumFolds"):
        assert getattr(cv, getter)() == getattr(packaged_cv, getter)(), getter
    assert params(cv.getEvaluator()) == params(packaged_cv.getEvaluator())
    grid = [{p.name: v for p, v in m.items()} for m in cv.getEstimatorParamMaps()]
    assert grid == [{p.name: v for p, v in m.items()} for m in packaged_cv.getEstimatorParamMaps()]
    assert grid == [{"regParam": r} for r in sentiment_model.REG_PARAMS]
    frame.unpersist()
