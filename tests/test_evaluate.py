"""The evaluation against human ratings: the metric definitions, the ratings file, the command line."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from helpers import evaluate, lexicon, ratings
from helpers.__main__ import main
from helpers.text import words

needs_ratings = pytest.mark.skipif(not ratings.available(), reason=ratings.missing_message())


def rated(*pairs: tuple[float, str]) -> list[ratings.Rated]:
    return [ratings.Rated(i + 1, r, t) for i, (r, t) in enumerate(pairs)]


# -- the definitions, on data small enough to work out by hand ---------------------------------------
def test_score_follows_the_definitions_exactly():
    gold = [1, 1, 1, -1, -1]
    calls = [1, 0, -1, -1, 0]  # 2 right, 1 wrong, 2 no call
    s = evaluate.score("x", gold, calls)
    assert (s.n, s.accuracy, s.coverage, s.precision, s.recall) == (5, 2 / 5, 3 / 5, 2 / 3, 2 / 5)
    assert s.f1 == pytest.approx(2 * (2 / 3) * (2 / 5) / (2 / 3 + 2 / 5))
    assert s.default is False


def test_a_scorer_that_never_calls_scores_zero_without_dividing_by_zero():
    s = evaluate.score("silent", [1, -1], [0, 0])
    assert (s.accuracy, s.coverage, s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0, 0.0, 0.0)


def test_score_refuses_calls_that_do_not_match_the_tweets():
    with pytest.raises(ValueError, match=r"^3 calls for 2 rated tweets: score every tweet once$"):
        evaluate.score("x", [1, -1], [1, 1, 1])


def test_gold_leaves_out_the_tweets_rated_exactly_zero():
    rows = rated((2.5, "great"), (0.0, "meh"), (-0.1, "hm"), (0.05, "ok"))
    kept, gold = evaluate.gold_set(rows)
    assert [r.text for r in kept] == ["great", "hm", "ok"]
    assert gold == [1, -1, 1]
    assert evaluate.majority(gold) == 2 / 3
    assert [ratings.gold(r.rating) for r in rows] == ["positive", None, "negative", "positive"]


def test_evaluate_on_given_rows_uses_the_lexicon_and_vader_as_the_pipeline_does():
    rows = rated((2.0, "I love it"), (-2.0, "not good at all"), (-1.0, "the table"), (1.5, "Not bad :)"))
    result = evaluate.evaluate(rows, ["lexicon:vader", "lexicon:vader/no-negation", "vader"])
    by = {s["scorer"]: s for s in result["scorers"]}
    assert result["n"] == 4 and result["majority"] == 0.5
    # with negation: love +, "not good" -, no word, "not bad" + and ":)" +  → 3 right of 4, 3 calls
    assert by["lexicon:vader"]["accuracy"] == 0.75 and by["lexicon:vader"]["coverage"] == 0.75
    assert by["lexicon:vader"]["default"] is True
    # without: "not good" counts as good → wrong; "not bad :)" is bad (-2.5) + :) (+2.0) → wrong
    assert by["lexicon:vader/no-negation"]["accuracy"] == 0.25
    assert by["vader"]["default"] is False


def test_unknown_scorer_names_the_choices():
    with pytest.raises(ValueError, match=r"^unknown scorer\(s\) \['nope'\]; choose from \['lexicon:vader', "):
        evaluate.evaluate(rated((1.0, "x")), ["nope"])


# -- the ratings file: fetched, checked, unpacked; a clear line when it is missing -----------------
def test_missing_ratings_say_what_is_missing_and_how_to_get_it(tmp_path):
    path = tmp_path / "tweets_GroundTruth.txt"
    with pytest.raises(ratings.RatingsMissing) as err:
        ratings.load(path)
    assert str(err.value) == (
        f"the human ratings ({path}) are missing: run `make ratings` "
        "(or `python -m helpers ratings`) once with access to PyPI to fetch them"
    )
    assert "data/ratings/tweets_GroundTruth.txt" in ratings.missing_message()


def test_the_ratings_command_fails_without_network_only_when_asked_directly(monkeypatch, tmp_path):
    def offline(folder=ratings.SDIST_DIR):
        raise ratings.RatingsMissing(ratings.missing_message(tmp_path / "t.txt") + " (pip download failed: offline)")

    monkeypatch.setattr(ratings, "TWEETS", tmp_path / "t.txt")
    monkeypatch.setattr(ratings, "download", offline)
    monkeypatch.setattr(ratings.fetch, "__defaults__", (tmp_path / "t.txt", tmp_path / "sdist"))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["ratings"]) == 1
        assert main(["ratings", "--optional"]) == 0
    assert err.getvalue().count("\n") == 1 and err.getvalue().startswith("error: the human ratings (")
    assert out.getvalue().count("\n") == 1 and out.getvalue().startswith("note: the human ratings (")


def _fake_sdist(folder: Path, body: bytes) -> Path:
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as t:
        info = tarfile.TarInfo(ratings.INNER_FILE)
        info.size = len(body)
        t.addfile(info, io.BytesIO(body))
    outer = folder / ratings.SDIST_NAME
    with tarfile.open(outer, "w:gz") as t:
        info = tarfile.TarInfo(ratings.INNER_TAR)
        info.size = len(inner.getvalue())
        t.addfile(info, io.BytesIO(inner.getvalue()))
    return outer


def test_unpack_takes_the_ratings_out_of_the_nested_tarball(tmp_path):
    body = b"1\t2.5\tgreat day\r\n2\t-1.25\tawful\r\n"
    out = ratings.unpack(_fake_sdist(tmp_path, body), tmp_path / "r" / "t.txt")
    assert out.read_bytes() == body
    assert not (tmp_path / "r" / "t.part").exists()


def test_a_download_with_the_wrong_checksum_is_refused(tmp_path, monkeypatch):
    sdist = _fake_sdist(tmp_path, b"1\t1.0\tx\n")
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    asked = []

    def pip_that_leaves_the_file(cmd, **kwargs):  # a mirror serving another file under the same name
        asked.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(ratings.subprocess, "run", pip_that_leaves_the_file)
    with pytest.raises(ratings.RatingsMissing) as err:
        ratings.download(tmp_path)
    assert asked and asked[0][1:4] == ["-m", "pip", "download"]
    assert str(err.value) == (
        f"{sdist} has SHA-256 {digest}, expected {ratings.SDIST_SHA256}: delete it and run `make ratings` again"
    )


# -- on the real ratings (fetched by `make ratings`; PyPI is reachable in CI) -----------------------
@needs_ratings
def test_the_real_file_has_4200_tweets_and_4196_with_a_human_call():
    rows = ratings.load()
    kept, gold = evaluate.gold_set(rows)
    assert (len(rows), len(kept), sum(g > 0 for g in gold)) == (4200, 4196, 2897)
    assert rows[3] == ratings.Rated(4, 2.857142857, "LMAO, AMAZING!")
    assert ratings.sha256(ratings.SDIST_DIR / ratings.SDIST_NAME) == ratings.SDIST_SHA256


@needs_ratings
def test_evaluate_json_has_the_promised_shape_and_baseline(capsys):
    assert main(["evaluate", "--json", "--scorer", "lexicon:vader", "--scorer", "vader"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["n", "majority", "scorers"]
    assert result["n"] == 4196 and round(result["majority"], 3) == 0.690
    keys = ["scorer", "n", "accuracy", "coverage", "precision", "recall", "f1", "default"]
    assert [list(s) for s in result["scorers"]] == [keys, keys]
    assert [(s["scorer"], s["default"]) for s in result["scorers"]] == [("lexicon:vader", True), ("vader", False)]


@needs_ratings
def test_the_default_scorer_agrees_with_the_slow_reference_tweet_score():
    kept, gold = evaluate.gold_set(ratings.load())
    table = lexicon.scores()
    calls = []
    for r in kept:
        s = lexicon.tweet_score(words(r.text), table)
        calls.append(1 if s > 0 else -1 if s < 0 else 0)
    expected = evaluate.score("lexicon:vader", gold, calls, True)
    got = evaluate.evaluate(names=["lexicon:vader"])["scorers"][0]
    assert got == evaluate.asdict(expected)


@needs_ratings
def test_negation_helps_every_lexicon_and_vader_beats_the_word_sum():
    by = {
        s["scorer"]: s for s in evaluate.evaluate(names=[n for n in evaluate.scorer_table() if n != "model"])["scorers"]
    }
    for name in lexicon.NAMES:
        assert by[f"lexicon:{name}"]["accuracy"] > by[f"lexicon:{name}/no-negation"]["accuracy"]
    assert by["vader"]["accuracy"] > by["lexicon:vader"]["accuracy"]


@needs_ratings
def test_the_stream_shape_carries_the_human_rating_beside_and_parses(tmp_path):
    from helpers.tweets import parse_line

    out = ratings.write_ndjson(tmp_path / "rated.ndjson")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4200
    first = json.loads(lines[0])
    assert first["rating"] == {"mean": 2.726315789, "gold": "positive"}
    tweet = parse_line(lines[0])
    assert tweet is not None and tweet.topic == ratings.TOPIC and tweet.created_at == "2013-09-16T08:00:00.000Z"
    assert parse_line(lines[1]).created_at == "2013-09-16T08:00:02.000Z"
    assert tweet.text == ratings.load()[0].text
