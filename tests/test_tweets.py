"""The parser: every shape it accepts, every kind of malformed line, and never an exception."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from support.awkward_lines import EDGE

from helpers import generate, paths, tweets

STREAM = {
    "data": {
        "id": "1861",
        "text": "Loving #Nimbus5 so far @dev_team",
        "created_at": "2026-11-20T08:00:00.000Z",
        "author_id": "42",
        "lang": "en",
        "edit_history_tweet_ids": ["1861"],
        "entities": {"hashtags": [{"start": 7, "end": 15, "tag": "Nimbus5"}]},
        "public_metrics": {"retweet_count": 3, "reply_count": 0, "like_count": 9, "quote_count": 0},
    },
    "includes": {"users": [{"id": "42", "name": "Ana Dev", "username": "ana_dev"}]},
    "matching_rules": [{"id": "7", "tag": "software_release"}],
}


def test_stream_shape():
    assert tweets.parse_line(json.dumps(STREAM)) == tweets.Tweet(
        id="1861",
        created_at="2026-11-20T08:00:00.000Z",
        lang="en",
        author="ana_dev",
        text="Loving #Nimbus5 so far @dev_team",
        hashtags=("nimbus5",),
        topic="software_release",
        reposts=3,
    )


def test_created_reads_the_utc_stamp_to_the_millisecond():
    parsed = tweets.parse_line(
        json.dumps({**STREAM, "data": {**STREAM["data"], "created_at": "2026-11-20T09:39:58.123Z"}})
    )
    assert parsed is not None and parsed.created == datetime(2026, 11, 20, 9, 39, 58, 123000, tzinfo=UTC)
    with pytest.raises(ValueError, match="Invalid isoformat string: ''"):
        _ = parsed._replace(created_at="").created  # a search item may have none


def test_search_item_with_new_field_names():
    item = {
        "id": "99",
        "text": "so #good",
        "author_id": "5",
        "edit_history_post_ids": ["99"],
        "public_metrics": {"repost_count": 4},
    }
    assert tweets.parse_line(json.dumps(item)) == tweets.Tweet(
        id="99", created_at="", lang=None, author="5", text="so #good", hashtags=("good",), topic=None, reposts=4
    )


def test_long_post_takes_note_tweet_text():
    obj = json.loads(json.dumps(STREAM))
    obj["data"]["note_tweet"] = {"text": "the whole long post " * 30}
    parsed = tweets.parse_line(json.dumps(obj))
    assert parsed is not None and parsed.text == "the whole long post " * 30


def test_bytes_and_crlf_lines():
    line = (json.dumps(STREAM) + "\r\n").encode()
    assert tweets.parse_line(line).id == "1861"


@pytest.mark.parametrize(
    "line",
    [
        '{"data": {"id": "1", "text": "trunc',
        "not json",
        "[1, 2]",
        '"text"',
        "7",
        "null",
        '{"data": {"id": "1"}}',
        '{"data": {"id": "1", "text": ""}}',
        '{"data": {"text": "no id"}}',
        '{"errors": [{"title": "operational-disconnect"}]}',
        '{"data": "x"}',
        "[" * 5000 + "]" * 5000,
        '{"data": {"id": "1", "text": "caf\ufffd"}}',
        b'{"data": {"id": "1", "text": "caf\xe9"}}',
        '{"data": {"id": "1", "text": "' + "a" * 200_000 + '"}}',
    ],
)
def test_malformed_lines_give_none(line):
    assert tweets.parse_line(line) is None


@pytest.mark.parametrize("line", ["", "\r\n", "\n", "   "])
def test_keepalive_lines_are_blank_not_tweets(line):
    assert tweets.is_blank(line)
    assert tweets.parse_line(line) is None


def test_shipped_malformed_file_counts():
    with paths.MALFORMED.open(encoding="utf-8", errors="replace") as fh:
        lines = list(fh)
    blank = sum(tweets.is_blank(x) for x in lines)
    good = sum(tweets.parse_line(x) is not None for x in lines)
    assert (len(lines), blank, good, len(lines) - blank - good) == (20, 2, 5, 13)
    assert paths.MALFORMED.read_bytes().count(b"\r\n") == 20
    assert generate.INVALID_UTF8 in paths.MALFORMED.read_bytes()


def test_every_shipped_tweet_parses_with_its_topic():
    for topic, path in zip(paths.TOPICS, paths.sample_files(), strict=True):
        with path.open(encoding="utf-8") as fh:
            parsed = [tweets.parse_line(line) for line in fh]
        assert len(parsed) == 5200
        assert all(t is not None and t.topic == topic for t in parsed)


def _shipped_lines() -> list[str]:
    out: list[str] = []
    for path in [*paths.sample_files(), paths.MALFORMED]:
        with path.open(encoding="utf-8", errors="replace") as fh:
            out += fh.read().splitlines()
    return out


def test_fields_are_parse_lines_text_topic_and_language_on_every_line():
    """The engines' fast path says None exactly when parse_line does, and reads the same three fields."""
    lines = [*EDGE, *_shipped_lines(), json.dumps(STREAM), json.dumps({**STREAM, "includes": {"users": 5}})]
    differ = []
    for line in lines:
        tweet = tweets.parse_line(line)
        expected = None if tweet is None else (tweet.text, tweet.topic, tweet.lang)
        if tweets.fields(line) != expected:
            differ.append((line[:80], tweets.fields(line), expected))
    assert differ == []
    assert tweets.fields(json.dumps(STREAM)) == ("Loving #Nimbus5 so far @dev_team", "software_release", "en")
    assert tweets.fields(json.dumps({**STREAM, "includes": {"users": 5}})) is None  # from_object trips on it
