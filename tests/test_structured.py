"""The Structured Streaming twin agrees with the other engines, line for line and token for token.

- ``top --engine structured`` prints the JSON of ``--engine python`` for the shipped files, in this process
  and through the command line, with filters and other lexicons (``--engine dstream``'s: tests/test_engines.py);
- ``structured.parse`` says of every line what ``helpers.tweets.parse_line`` says, shipped lines and
  hand-made awkward ones; the Java tokenizer finds ``helpers.text``'s tokens in every shipped tweet and
  around every code point; the tweet scores are ``lexicon.tweet_score``'s;
- the streaming runs (file source, the paced tweets source) give per-batch stats that add up to the
  python engine's totals from the state Spark keeps, and their event-time windows are Spark's own
  stateful aggregation with a watermark;
- ``top --engine structured --checkpoint DIR`` leaves its counts readable with ``format("statestore")``
  and a second run on the same DIR reads only the new lines.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from support.awkward_lines import EDGE, HI, st

from helpers import lexicon, paths, structured, text
from helpers.__main__ import main
from helpers.counting import summarise
from helpers.infra import spark
from helpers.model import Stats
from helpers.runs import top
from helpers.sample import batches_of, merged_lines, read_lines
from helpers.settings import RunSettings
from helpers.state import WindowState
from helpers.structured import transforms
from helpers.structured.parse import plain_fields
from helpers.tweets import parse_line

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [*paths.sample_files(), paths.MALFORMED]


@pytest.fixture(scope="module")
def session(sc):
    """The SparkSession on the test context, configured as the pipeline needs."""
    return structured.configure(spark.get_session())


@pytest.fixture(scope="module")
def F(session):
    from pyspark.sql import functions

    return functions


def no_query_left(session):
    assert session.streams.active == [], "a streaming query is still running"


# --- top: three engines, one JSON ------------------------------------------------------------------------


def test_top_json_through_the_cli_and_its_checkpoint(session, tmp_path, capsys):
    """``top --engine structured --checkpoint DIR`` prints the python engine's JSON, in this process over the
    four topic files, then from the command line (a JVM of its own) over those and malformed.ndjson on the same
    DIR: it reads only the new file, and the counts it keeps there (``format("statestore")``) are every word's.

    Per file, ``--engine dstream`` is compared with python in tests/test_engines.py, and its command line's
    bytes with python's in tests/test_cluster.py."""
    checkpoint = tmp_path / "top-checkpoint"
    first = [str(p) for p in paths.sample_files()]
    every = [*first, str(paths.MALFORMED)]
    python = top(first, "python", 50, "default", None, None)
    assert top(first, "structured", 50, "default", None, None, checkpoint=str(checkpoint)) == python
    cli = ["top", "--input", *every, "--top", "50", "--json", "--engine"]
    out = subprocess.run(
        [sys.executable, "-m", "helpers", *cli, "structured", "--checkpoint", str(checkpoint)],
        capture_output=True, text=True, timeout=600, cwd=ROOT, env=dict(os.environ),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    capsys.readouterr()
    assert main([*cli, "python"]) == 0
    assert out.stdout == capsys.readouterr().out  # nothing lost or counted twice, printed alike
    assert json.loads(out.stdout)["malformed"] == 13
    state = {r.word: r["count"] for r in session.read.format("statestore").load(str(checkpoint))
             .select("key.word", "value.count").collect()}  # fmt: skip
    assert (state["\0tweet"], state["\0malformed"]) == (20_805, 13)
    assert {w: n for w, n in state.items() if not w.startswith("\0")} == summarise(read_lines(every)).words
    batches = sorted(int(p.name) for p in (checkpoint / "commits").iterdir() if p.name.isdigit())
    last = json.loads((checkpoint / "offsets" / str(batches[-1])).read_text().splitlines()[-1])
    before = json.loads((checkpoint / "offsets" / str(batches[-2])).read_text().splitlines()[-1])
    assert [f["line"] for f in before["files"]] == [5200] * 4  # the first run stopped after the four files …
    assert [f["line"] for f in last["files"]] == [5200] * 4 + [20]  # … the second read only the new one
    no_query_left(session)


def test_filters_and_another_lexicon(sc, session):
    files = [str(p) for p in paths.sample_files(["climate", "football"])]
    python = top(files, "python", 20, "bing", "climate", "en")
    assert 0 < python["tweets"] < 5200
    assert top(files, "structured", 20, "bing", "climate", "en") == python
    assert top(files, "structured", 20, "afinn", None, "es") == top(files, "python", 20, "afinn", None, "es")


# --- parse: parse_line in SQL --------------------------------------------------------------------------


def _python_view(line):
    tweet = parse_line(line)
    if not line.strip():
        return ("blank", None)
    if tweet is None:
        return ("malformed", None)
    return ("tweet", (tweet.id, tweet.text, tweet.topic, tweet.lang, tweet.created_at or None))


def _spark_view(row):
    if row.status != "tweet":
        return (row.status, None)
    return ("tweet", (row.id, row.text, row.topic, row.lang, row.created_at))


def test_parse_agrees_with_parse_line_on_awkward_lines(session):
    rows = structured.parse(session.createDataFrame([(line,) for line in EDGE], "value string")).collect()
    assert len(rows) == len(EDGE)
    differ = [(line[:80], _spark_view(r), _python_view(line)) for line, r in zip(EDGE, rows, strict=True)
              if _spark_view(r) != _python_view(line)]  # fmt: skip
    assert differ == []
    kinds = [_python_view(line)[0] for line in EDGE]
    assert kinds.count("tweet") > 30 and kinds.count("malformed") > 60 and kinds.count("blank") == 5


#: Lines close to plain ones, where a wrong shortcut on the fast road would show.
DATED = {"id": "1", "text": "hi", "created_at": "2026-11-20T08:00:00.000Z"}
NEAR_PLAIN = [
    *[st({**DATED, "id": i}) for i in (2123687797138128896, 9999999999999999999, 18446744073709551615,
                                        -123456789012345678, -1234567890123456789, "0012", "-0", "true", "[1]")],
    '{"data":{"created_at":"2026","id":-0,"text":"hi"}}', '{"data":{"created_at":"2026","id":1E2,"text":"hi"}}',
    *[st({**DATED, "text": t}) for t in ("5", "-5", "1.5e3", "true", "false", "null", "[1]", "{}", '"q"',
                                          "2026-11-20", "-", "tr", "{a", "[", " 5", "0x1")],
    *[st({**DATED, "text": 5, "note_tweet": {"text": t}}) for t in ("5", "long", "", "true", " ")],
    *[st({**DATED, "created_at": t}) for t in ("5", 5, 1.5, [], {}, "", None)],
    *[st({**DATED, "lang": t}) for t in ("es", "5", 5.5, False, [], {}, "", None)],
    *[st(DATED, matching_rules=r) for r in ([{"tag": "climate"}], [{"tag": "5"}], [{"tag": 5.5}], [{"tag": [1]}],
                                             [{"tag": {}}], [{"tag": "x"}, 5], [5, {"tag": "x"}], [None],
                                             [{"tag": "false"}], None, [{}], [])],
    *[st(DATED, includes=v) for v in (None, {}, {"users": None}, {"users": []}, {"users": [None]},
                                       {"users": [{"id": "1"}, 2]}, {"users": {}}, {"USERS": 5})],
    *[st({**DATED, k: v}) for k in ("entities", "public_metrics") for v in (None, {}, [], 0, "", {"a": [1]})],
    st({"ID": "1", "Text": "hi", **DATED, "id": "2", "text": "x"}), '{"DATA":{"id":"1","text":"hi"}}',
    st(DATED) + st({"id": "2", "text": "bye"})[1:], st(DATED)[:-1] + ',"data":5}',
    '{"data":5,' + st(DATED)[1:], st({**DATED, "like": 1e300}), st({**DATED, "text": "Infinity and beyond"}),
    st(DATED)[:-2] + ',"like":1e999}}', st(DATED)[:-2] + ',"like":' + "9" * 320 + "}}",
    st(DATED) + " ", " " + st(DATED), st(DATED) + "{}", st(DATED) + "}", st({**DATED, "text": 'a"b\\c'}),
    st({**DATED, "text": "été"}), json.dumps({"data": {**DATED, "text": "été"}}, ensure_ascii=False),
    st({**DATED, "text": "a\ud800b"})[:-3] + '\\ud800"}}',
]  # fmt: skip


def _dated(line):
    """An EDGE line in the stream shape with a ``created_at`` (so that it may take the fast road)."""
    for start in ('{"data": {', '{"data":{'):
        if line.startswith(start):
            return start + '"created_at": "2026-11-20T08:00:00.000Z", ' + line[len(start) :]
    return line


def test_the_fast_road_agrees_with_the_exact_one(session):
    """``parse`` reads plain lines by a shortcut (``_plain``); on every line both roads give the same row."""
    tweets = list(read_lines(paths.sample_files()))[::40]
    awkward = EDGE + [_dated(line) for line in EDGE] + NEAR_PLAIN
    lines = awkward + list(read_lines([paths.MALFORMED])) + tweets
    df = session.createDataFrame([(line,) for line in lines], "value string")
    for topic, lang in ((None, None), ("climate", "en")):
        fast = structured.parse(df, topic, lang).collect()
        exact = structured.parse(df, topic, lang, fast=False).collect()
        differ = [(line[:80], f, e) for line, f, e in zip(lines, fast, exact, strict=True) if f != e]
        assert differ == []
    plain = [r._plain is not None for r in plain_fields(df).collect()]
    assert all(plain[-len(tweets) :]), "every generated tweet should take the fast road"
    assert 50 < sum(plain[: len(awkward)]) < len(awkward) - 150


def _known_difference(line):
    """A float, array or object language or topic (see the test below), or an empty ``created_at``
    (which ``_python_view`` shows as None)."""
    try:
        obj = json.loads(line)
        data, rules = obj["data"], obj.get("matching_rules") or [{}]
        odd = (float, list, dict)
        return isinstance(data.get("lang"), odd) or isinstance(rules[0].get("tag"), odd) or data["created_at"] == ""
    except Exception:
        return False


def test_near_plain_lines_agree_with_parse_line(session):
    lines = [line for line in [_dated(line) for line in EDGE] + NEAR_PLAIN if not _known_difference(line)]
    rows = structured.parse(session.createDataFrame([(line,) for line in lines], "value string")).collect()
    differ = [(line[:80], _spark_view(r), _python_view(line)) for line, r in zip(lines, rows, strict=True)
              if _spark_view(r) != _python_view(line)]  # fmt: skip
    assert differ == []


def test_per_context_builds_once_while_a_context_runs(sc, monkeypatch):
    """``spark.per_context`` keeps what it built for the running context; with no classic context (a Spark Connect
    client alone) it builds each time."""
    built = []

    def build():
        built.append(object())
        return built[-1]

    first = spark.per_context("test.key", build)
    assert spark.per_context("test.key", build) is first and len(built) == 1
    assert spark.per_context("test.other key", build) is built[1] is not first
    monkeypatch.setattr(spark, "active_context", lambda: None)
    assert spark.per_context("test.key", build) is built[2] is not first


def test_parse_and_the_lexicon_are_built_once_per_context(session):
    """``parse``'s columns and the lexicon's SQL take thousands of py4j calls to build: a second plan reuses them."""
    df = session.createDataFrame([(st(HI),)], "value string")
    transforms.running_counts(structured.tokenize(structured.parse(df, "climate", "en")), "bing")

    def again():
        raise AssertionError("built again")

    for key in (("structured.parse", "climate", "en", True), "structured.plain_fields", "structured.stopwords",
                ("structured.word_scores", "words", "bing")):  # fmt: skip
        assert spark.per_context(key, again) is not None


def test_parse_known_difference_a_float_rule_tag(session):
    """Python compares ``str(1.5)`` with a topic filter; the SQL version never matches a float tag."""
    line = st(HI, matching_rules=[{"tag": 1.5}])
    row = structured.parse(session.createDataFrame([(line,)], "value string")).first()
    assert parse_line(line).topic == "1.5"
    assert (row.status, row.topic) == ("tweet", None)


@pytest.fixture(scope="module")
def shipped(session, F):
    """Every shipped line parsed and tokenized, with a ``uid``: one cached DataFrame for the tests of parse,
    tokens and scores below."""
    df = structured.tokenize(structured.parse(session.read.text([str(p) for p in SHIPPED])))
    df = df.withColumn("uid", F.monotonically_increasing_id()).cache()
    yield df
    df.unpersist()


def test_parse_agrees_on_every_shipped_line(shipped):
    lines = list(read_lines(SHIPPED))
    rows = shipped.select("status", "id", "text", "topic", "lang", "created_at").collect()
    assert sorted(_spark_view(r) for r in rows) == sorted(_python_view(line) for line in lines)


def test_filters_by_topic_and_language(session, F):
    lines = [
        st({**HI, "lang": "en"}, matching_rules=[{"tag": "climate"}]),
        st({**HI, "lang": "es"}, matching_rules=[{"tag": "climate"}]),
        st({**HI, "lang": "en"}, matching_rules=[{"tag": "football"}]),
        json.dumps({"id": "1", "text": "a search item has no topic", "lang": "en"}),
        "not json",
        "",
    ]
    df = session.createDataFrame([(line,) for line in lines], "value string")
    statuses = [r.status for r in structured.parse(df, topic="climate", lang="en").collect()]
    assert statuses == ["tweet", "filtered", "filtered", "filtered", "malformed", "blank"]


# --- tokens and scores -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_tweets(shipped):
    """Every shipped tweet's text, ``words``, ``tokens``, ``word_scores`` and row-by-row ``tweet_score``, collected
    once."""
    scored = shipped.where("status = 'tweet'").withColumn("scores", structured.word_scores("words"))
    score = structured.tweet_score("words", "scores").alias("score")
    return scored.select("uid", "text", "words", "tokens", "scores", score).collect()


def test_tokens_equal_python_for_every_shipped_tweet(shipped_tweets):
    assert len(shipped_tweets) == 20_805
    for row in shipped_tweets:
        assert row.words == text.words(row.text), row.text
        assert row.tokens == text.tokenize(row.text), row.text


#: Every code point but the surrogates, in blocks of 512 (one row each for the two tests below).
CODE_POINT_BLOCKS = list(batches_of((cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF), 512))


@pytest.mark.slow
def test_the_java_pattern_matches_like_pythons_around_every_code_point(session, F):
    """``java_pattern()`` on raw text (no lower-casing) finds what ``helpers.text._PATTERN`` finds."""
    samples = [
        " ".join(f"a{chr(cp)}b 1{chr(cp)}2 #{chr(cp)}x @{chr(cp)} {chr(cp)}3 www.{chr(cp)}" for cp in block)
        for block in CODE_POINT_BLOCKS
    ]
    df = session.createDataFrame(list(enumerate(samples)), "i int, t string")
    got = df.select("i", F.regexp_extract_all("t", F.lit(structured.java_pattern()), F.lit(1)).alias("w")).collect()
    differ = [r.i for r in got if r.w != text._PATTERN.findall(samples[r.i])]
    assert len(got) == len(samples) and differ == []


@pytest.mark.slow
def test_lower_case_differs_only_on_characters_python_does_not_know(session, F):
    """Spark's ``lower`` (ICU, a newer Unicode) maps a few characters Python 3.11 has never heard of."""
    rows = [(i, [chr(cp) for cp in block]) for i, block in enumerate(CODE_POINT_BLOCKS)]
    df = session.createDataFrame(rows, "i int, c array<string>")
    lowered = df.select("i", F.transform("c", F.lower).alias("l")).collect()  # lower() of each one-character string
    assert len(lowered) == len(rows)
    differ = [cp for r in lowered for cp, low in zip(CODE_POINT_BLOCKS[r.i], r.l, strict=True)
              if low != chr(cp).lower()]  # fmt: skip
    assert all(unicodedata.category(chr(cp)) == "Cn" for cp in differ), [hex(cp) for cp in differ]


def test_tweet_scores_equal_pythons(session, shipped, shipped_tweets):
    scores = lexicon.scores("default")
    got = dict(structured.tweet_scores(shipped, structured.lexicon_frame(session)).collect())
    assert len(shipped_tweets) == 20_805 and 0 < len(got) < len(shipped_tweets)
    for r in shipped_tweets:
        assert got.get(r.uid, 0.0) == lexicon.tweet_score(text.words(r.text), scores), r.text


def test_the_row_by_row_tweet_score_equals_pythons(shipped_tweets):
    """``word_scores`` (a set lookup per word) and ``tweet_score`` (``aggregate`` per row), usable before a
    streaming aggregation."""
    scores = lexicon.scores("default")
    assert any(r.score > 0 for r in shipped_tweets) and any(r.score < 0 for r in shipped_tweets)
    hashtags = [(w, s) for r in shipped_tweets for w, s in zip(r.words, r.scores, strict=True) if w.startswith("#")]
    assert any(s != 0 and w not in scores for w, s in hashtags)  # a hashtag scored by its bare word
    for r in shipped_tweets:
        assert r.scores == [lexicon.word_score(w, scores) for w in r.words], r.text
        assert r.score == lexicon.tweet_score(text.words(r.text), scores), r.text


def test_polarity_join_takes_a_hashtags_word(session):
    df = session.createDataFrame([("#love",), ("love",), ("#hate",), ("#nosuchword",), ("nosuchword",)], "word string")
    got = {r.word: r.polarity for r in structured.with_polarity(df, structured.lexicon_frame(session)).collect()}
    assert got == {w: lexicon.polarity(w) for w in got}
    assert got["#love"] == "positive" and got["#hate"] == "negative" and got["#nosuchword"] == "neutral"


# --- streaming runs -------------------------------------------------------------------------------------------


NOTEBOOK_05_LINES = list(read_lines([paths.MALFORMED])) + list(merged_lines(paths.sample_files()))[:3180]


def test_file_source_batches_equal_the_python_engine(session):
    batches = list(batches_of(NOTEBOOK_05_LINES, 800))  # 4 micro-batches (notebook 05 takes 400 lines a batch)
    reference = WindowState(top_n=10)
    expected = [reference.process(b) for b in batches]
    settings = replace(structured.SETTINGS, top_n=10)
    run = structured.StructuredRun(session, structured.FileSource.from_batches(batches), settings)
    try:
        run.start()
        run.finish(timeout=600)
    finally:
        run.stop()
    assert not run.errors
    got = run.publisher.history
    assert [s.stats for s in got] == [s.stats for s in expected]
    assert (got[-1].tweets_total, got[-1].malformed_total) == (3185, 13)
    assert run.totals == reference.totals and run.lines_total == len(NOTEBOOK_05_LINES)
    whole = summarise(NOTEBOOK_05_LINES).stats
    assert sum_stats(s.stats for s in got) == whole
    no_query_left(session)


def sum_stats(all_stats):
    total = Stats()
    for s in all_stats:
        total.merge(Stats(**vars(s)))
    return total


def test_a_paced_tweet_source_adds_up_to_the_python_totals(session):
    """The dashboard's source: format("tweets"), maxRowsPerTrigger rows every second, totals kept by Spark."""
    sent = list(read_lines([paths.MALFORMED])) + list(merged_lines(paths.sample_files()[1:2]))[:582]
    source = structured.TweetSource.from_lines(sent, rows_per_batch=300, paced=True)
    run = structured.StructuredRun(session, source, replace(structured.SETTINGS, batch_s=1.0))
    try:
        run.start()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and run.lines_total < 600:
            time.sleep(0.2)
    finally:
        run.stop()
    truth = summarise(sent)
    assert run.lines_total == 600 and not run.errors  # 20 lines of malformed.ndjson, 2 of them blank
    history = run.publisher.history
    assert [s.stats.tweets + s.stats.malformed for s in history if s.stats.tweets][:2] == [300, 300]
    assert sum_stats(s.stats for s in history) == truth.stats
    assert run.totals == truth.words
    no_query_left(session)


def test_windows_equal_sparks_stateful_aggregation_with_a_watermark(session, F):
    """Batches out of event-time order: some rows are late, and dropped by both alike. (A micro-batch drops
    rows by the watermark the micro-batch before it ran with: a late batch comes two after a newer one.)"""
    chunks = list(batches_of(list(merged_lines(paths.sample_files(["football"])))[:800], 200))  # ~13 min each
    batches = [chunks[i] for i in (1, 3, 0, 2)]  # the 3rd and the 4th older than the 1st and the 2nd
    window_s, slide_s, watermark_s = 1200, 600, 300
    settings = replace(structured.SETTINGS, window_s=window_s, slide_s=slide_s)
    run = structured.StructuredRun(
        session, structured.FileSource.from_batches(batches), settings, watermark_s=watermark_s
    )
    try:
        run.start()
        run.finish(timeout=600)
    finally:
        run.stop()
    source = structured.FileSource.from_batches(batches)
    native = structured.windowed_counts(
        structured.tokenize(structured.parse(source.stream(session))), window_s, slide_s, watermark_s
    ).select(F.unix_micros("window.start").alias("start"), F.unix_micros("window.end").alias("end"), "word", "count")
    emitted = {}

    def keep(df, batch_id):
        for r in df.collect():
            emitted[(r.start, r.end, r.word)] = r["count"]  # update mode: the newest count wins

    checkpoint = structured.checkpoint_dir()
    query = (
        native.writeStream.outputMode("update").foreachBatch(keep)
        .option("checkpointLocation", str(checkpoint)).trigger(availableNow=True).start()
    )  # fmt: skip
    try:
        structured.finish(query, timeout=600)
    finally:
        source.stop()
        shutil.rmtree(checkpoint, ignore_errors=True)
    dropped = sum(p["stateOperators"][0]["numRowsDroppedByWatermark"] for p in query.recentProgress)
    assert dropped > 0 and run.late_words > 0, "the batches should hold late rows"
    mine = {(a, b, w): n for (a, b), counts in run.windows.items() for w, n in counts.items()}
    assert mine == emitted
    assert run.totals == summarise(line for b in batches for line in b).words  # late rows still counted
    no_query_left(session)


def test_a_run_takes_only_a_structured_source_and_the_lexicon_scorer(session, tmp_path):
    class SocketLike:
        def dstream(self, ssc): ...

        def stop(self): ...

    with pytest.raises(TypeError, match="SocketLike is not a Structured Streaming source"):
        structured.StructuredRun(session, SocketLike())
    source = structured.FileSource(tmp_path)  # not owned: stop() leaves tmp_path to pytest
    with pytest.raises(ValueError, match="with the lexicon only, not 'vader'"):
        structured.StructuredRun(session, source, replace(structured.SETTINGS, scorer="vader"))
    with pytest.raises(ValueError, match="watermark delay cannot be negative"):
        structured.StructuredRun(session, source, watermark_s=-1)


def test_the_run_factory_builds_runs_on_the_live_session(session, tmp_path):
    make_run = structured.run_factory(session, watermark_s=120)
    settings = RunSettings(window_s=600, slide_s=300, top_n=7)
    seen = []
    run = make_run(settings, structured.FileSource(tmp_path), [seen.append])
    assert isinstance(run, structured.StructuredRun) and not run.running
    assert (run.session, run.settings, run.watermark_s) == (session, settings, 120)
    assert run.publisher.listeners == [seen.append]
    assert make_run(settings, structured.FileSource(tmp_path), []).session is session  # reused, not rebuilt
    assert make_run.scorers == ("lexicon",)  # the dashboard offers only these


def test_the_optimizer_barrier_keeps_one_tokenizer_in_the_plan(session, capsys, monkeypatch):
    """Pins ``parse.computed_once`` (an optimizer barrier Spark honours today): with ``tokens`` derived from
    ``words`` and a filter on ``status`` after them, the optimized plan runs the tokenizer's regex once. If a
    Spark upgrade lets Catalyst move expressions across the barrier, this fails before a driver runs out of
    memory on ``parse``'s plan."""
    lines = session.createDataFrame([(line,) for line in read_lines([paths.MALFORMED])], "value string")

    def tokenizer_runs():
        structured.words(structured.tokenize(structured.parse(lines))).explain(mode="extended")
        plan = capsys.readouterr().out
        optimized = plan[plan.index("== Optimized Logical Plan ==") : plan.index("== Physical Plan ==")]
        return optimized.count("(?:https?://|www")

    assert tokenizer_runs() == 1
    monkeypatch.setattr(transforms, "computed_once", lambda col: col)  # tokenize without its barrier …
    assert tokenizer_runs() > 1  # … copies the regex into later columns: the count above can fail


def test_the_dashboard_runs_on_the_structured_pipeline(session):
    from helpers.ui.dashboard import Dashboard

    dash = Dashboard(
        source=structured.tweet_replay, run_factory=structured.run_factory(session), time_unit_s=60, limit=400
    )
    dash.topic.value, dash.speed.value = "football", 1000
    assert dash.window.description == "window, min"
    assert dash.scorer.options == (("word sum (lexicon)", "lexicon"),) and dash.scorer.disabled  # SQL: lexicon only
    assert dash.settings().window_s == dash.window.value * 60
    assert dash.start(), dash.status_text
    try:
        assert dash.wait_until(lambda snap: snap.tweets_total >= 400, timeout=300), dash.status_text
    finally:
        dash.stop()
    latest = dash.latest
    truth = summarise(list(merged_lines(paths.sample_files(["football"])))[:400])
    assert latest.tweets_total == 400 and dash.frames >= 1
    assert all(row.total == truth.words[row.word] for row in latest.top)
    assert not dash.errors and dash.run is None
    no_query_left(session)
