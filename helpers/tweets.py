"""Parse one line of tweet JSON into a small record; anything that is not a tweet gives ``None``.

Accepts the X API v2 filtered-stream shape (``{"data": {...}, "includes": {...}, "matching_rules": [...]}``)
and a bare recent-search item (``{"id", "text", ...}``), both field namings (``retweet_count`` /
``repost_count``, ``edit_history_tweet_ids`` / ``edit_history_post_ids``), and long posts
(``note_tweet.text``). It never raises: engines count a ``None`` from a non-blank line as malformed.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import orjson

#: Lines longer than this are not tweets (a post with all its fields stays well under it).
MAX_LINE_CHARS = 100_000

_HASHTAG = re.compile(r"#(\w+)")


class Tweet(NamedTuple):
    """The fields of a tweet the pipeline uses; small, so it is cheap to ship between Spark workers."""

    id: str
    created_at: str
    lang: str | None
    author: str
    text: str
    hashtags: tuple[str, ...]
    topic: str | None
    reposts: int


def is_blank(line: str | bytes) -> bool:
    """True for a keep-alive line (the stream sends ``\\r\\n`` alone): neither a tweet nor malformed."""
    return not line.strip()


def parse_line(line: str | bytes) -> Tweet | None:
    """The tweet on this line, or ``None`` for a blank, malformed or non-tweet line. Never raises."""
    try:
        if isinstance(line, bytes):
            line = line.decode("utf-8")  # invalid UTF-8 raises here and counts as malformed
        if len(line) > MAX_LINE_CHARS or "\ufffd" in line:  # U+FFFD: bytes a reader could not decode
            return None
        obj = orjson.loads(line)
        return from_object(obj) if isinstance(obj, dict) else None
    except Exception:
        return None


def from_object(obj: dict[str, Any]) -> Tweet | None:
    """Build a record from a decoded stream-shaped object or search item; ``None`` if it is not a tweet."""
    data = obj.get("data")
    if isinstance(data, dict):
        includes = obj.get("includes") or {}
        rules = obj.get("matching_rules") or []
    elif "text" in obj and "id" in obj:
        data, includes, rules = obj, {}, []
    else:
        return None  # stream error objects ({"errors": [...]}) and anything else
    note = data.get("note_tweet")
    text = note.get("text") if isinstance(note, dict) and note.get("text") else data.get("text")
    tweet_id = data.get("id")
    if not isinstance(text, str) or not text or not isinstance(tweet_id, (str, int)):
        return None
    author_id = str(data.get("author_id", ""))
    author = author_id
    for user in includes.get("users") or []:
        if isinstance(user, dict) and str(user.get("id")) == author_id and user.get("username"):
            author = str(user["username"])
            break
    tags = (data.get("entities") or {}).get("hashtags")
    if isinstance(tags, list):
        hashtags = tuple(str(h.get("tag", "")).lower() for h in tags if isinstance(h, dict))
    else:
        hashtags = tuple(t.lower() for t in _HASHTAG.findall(text))
    metrics = data.get("public_metrics") or {}
    reposts = metrics.get("retweet_count", metrics.get("repost_count", 0))
    topic = None
    if rules and isinstance(rules[0], dict) and rules[0].get("tag") is not None:
        topic = str(rules[0]["tag"])
    lang = data.get("lang")
    return Tweet(
        id=str(tweet_id),
        created_at=str(data.get("created_at", "")),
        lang=str(lang) if lang is not None else None,
        author=author,
        text=text,
        hashtags=hashtags,
        topic=topic,
        reposts=int(reposts) if isinstance(reposts, int) else 0,
    )
