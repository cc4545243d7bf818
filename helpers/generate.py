"""Seeded generator of the shipped sample tweets: same seed, same bytes.

``python -m helpers generate-sample`` rewrites ``data/sample_tweets/`` (four topic files and
``malformed.ndjson``). ``lines(n, seed)`` makes any number of stream-shaped lines for benchmarks.
Every tweet is one line of X API v2 filtered-stream JSON; entity offsets index the text's code points.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from helpers.paths import SAMPLE_TWEETS, TOPICS

SEED = 2026
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
HOURS = 6
PER_TOPIC = 5200
_TWEPOCH_MS = 1288834974657

# Each topic: its subjects, hashtags, and how the share of positive tweets moves over the hours
# (a function of t in [0, 1]) so a live plot tells a story.
_TOPICS: dict[str, dict[str, Any]] = {
    "software_release": {
        "rule": "1861000000000000001",
        "subjects": [
            "Nimbus 5.0",
            "the new Nimbus release",
            "Nimbus 5",
            "the 5.0 update",
            "the new CLI",
            "the upgrade",
            "the release notes",
            "the new installer",
            "the migration guide",
        ],
        "hashtags": ["nimbus5", "release", "devops", "opensource", "python"],
        "story": lambda t: 0.8 - 0.55 * math.exp(-((t - 0.45) ** 2) / 0.01),  # a regression, then a fix
    },
    "football": {
        "rule": "1861000000000000002",
        "subjects": [
            "the final",
            "our keeper",
            "that penalty",
            "the ref",
            "the second half",
            "the midfield",
            "the coach",
            "this match",
            "extra time",
            "the striker",
        ],
        "hashtags": ["cupfinal", "football", "matchday", "var", "goal"],
        "story": lambda t: 0.5 + 0.35 * math.sin(6 * math.pi * t),  # goals swing the mood
    },
    "climate": {
        "rule": "1861000000000000003",
        "subjects": [
            "the summit",
            "the new pledge",
            "the heatwave",
            "the emissions report",
            "the flood defences",
            "the wind farm",
            "the carbon tax",
            "the delegates",
            "the deal",
        ],
        "hashtags": ["climate", "cop31", "climateaction", "netzero", "energy"],
        "story": lambda t: 0.25 + 0.45 * t,  # gloomy start, hope by the end
    },
    "product_launch": {
        "rule": "1861000000000000004",
        "subjects": [
            "the Aurora phone",
            "the new camera",
            "the battery",
            "the keynote",
            "the price",
            "the foldable screen",
            "the preorder site",
            "Aurora",
            "the design",
        ],
        "hashtags": ["aurora", "launch", "tech", "gadgets", "keynote"],
        "story": lambda t: 0.85 - 0.5 * t,  # hype fades as reviews come in
    },
}

_POSITIVE = [
    "love",
    "great",
    "amazing",
    "awesome",
    "happy",
    "excited",
    "brilliant",
    "fantastic",
    "good",
    "nice",
    "best",
    "beautiful",
    "perfect",
    "fun",
    "thanks",
    "wonderful",
    "impressive",
    "win",
    "glad",
    "proud",
    "cool",
    "superb",
    "smooth",
    "hope",
]
_NEGATIVE = [
    "hate",
    "terrible",
    "awful",
    "bad",
    "worst",
    "broken",
    "disappointed",
    "angry",
    "sad",
    "fail",
    "ugly",
    "boring",
    "slow",
    "annoying",
    "useless",
    "horrible",
    "ridiculous",
    "mess",
    "scared",
    "worried",
    "lost",
    "pathetic",
    "frustrated",
    "poor",
]
_NEGATABLE_POS = ["good", "great", "happy", "impressed", "fun", "worth it", "nice"]
_NEGATABLE_NEG = ["bad", "terrible", "broken", "worried", "a disaster"]
_SLANG_POS = [
    "soooo good",
    "luv it",
    "gr8",
    "lol",
    "yesss",
    "omg",
    "so gooood",
    "absolutely loving it",
    "10/10",
    "wooow",
]
_SLANG_NEG = ["smh", "ugh", "nooo", "sooo bad", "meh", "wtf", "cringe", "yikes", "ffs"]
_OPENERS = [
    *[""] * 20,
    "Honestly",
    "Just saw",
    "Watching",
    "Ok so",
    "Thread:",
    "Hot take:",
    "Update:",
    "Me after",
    "Can't believe",
    "Reminder:",
    "Day 2 of",
]
_FILLERS = ["today", "right now", "tbh", "ngl", "again", "this morning", "for real", "so far", "at last", *[""] * 14]
# Zipf-like weights: a few sentiment words are much more common than the rest, as in real posts.
_ZIPF = [1 / (i + 1) for i in range(24)]
_EMOJI_POS = ["😍", "🎉", "🔥", "👏", "😊", "🙌", "❤", "⭐", "👍"]
_EMOJI_NEG = ["😡", "😢", "👎", "😩", "🤦", "💔", "😤"]
_EMOTICONS_POS = [":)", ":-)", ":D", ";)"]
_EMOTICONS_NEG = [":(", ":-(", ":/"]
_FOREIGN = {
    "es": (["me encanta", "increíble", "qué bueno"], ["qué desastre", "horrible", "muy mal"]),
    "fr": (["j'adore", "génial", "trop bien"], ["nul", "quelle horreur", "très déçu"]),
    "de": (["super", "toll gemacht", "sehr gut"], ["schrecklich", "enttäuschend", "so schlecht"]),
    "pt": (["adorei", "muito bom", "incrível"], ["péssimo", "que vergonha", "muito ruim"]),
    "ja": (["最高", "すごい", "楽しい"], ["最悪", "残念", "ひどい"]),
}
_FIRST = [
    "alex",
    "sam",
    "jo",
    "maria",
    "li",
    "omar",
    "nina",
    "ravi",
    "ana",
    "tom",
    "yuki",
    "fatima",
    "leo",
    "zoe",
    "ivan",
    "ines",
    "kofi",
    "mei",
    "noah",
    "sara",
]
_LAST = ["dev", "fc", "green", "tech", "runs", "codes", "fan", "writes", "data", "pix", "eats", "news"]


def _users(rng: random.Random, n: int = 2400) -> list[dict[str, str]]:
    users, seen = [], set()
    while len(users) < n:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        handle = f"{first}_{last}{rng.randint(1, 999)}"
        if handle in seen:
            continue
        seen.add(handle)
        users.append(
            {"id": str(10_000_000 + len(users) * 7919), "name": f"{first.title()} {last.title()}", "username": handle}
        )
    return users


def _snowflake(when: datetime, seq: int) -> str:
    ms = int(when.timestamp() * 1000)
    return str(((ms - _TWEPOCH_MS) << 22) | (seq & 0x3FFFFF))


class _Builder:
    """Accumulates text pieces and the entities whose offsets point into it."""

    def __init__(self) -> None:
        self.text = ""
        self.entities: dict[str, list[dict[str, Any]]] = {"hashtags": [], "mentions": [], "urls": []}

    def add(self, piece: str) -> None:
        if piece:
            self.text += (" " if self.text else "") + piece

    def hashtag(self, tag: str) -> None:
        start = len(self.text) + (1 if self.text else 0)
        self.add(f"#{tag}")
        self.entities["hashtags"].append({"start": start, "end": start + len(tag) + 1, "tag": tag})

    def mention(self, username: str, user_id: str, suffix: str = "") -> None:
        start = len(self.text) + (1 if self.text else 0)
        self.add(f"@{username}{suffix}")
        self.entities["mentions"].append(
            {"start": start, "end": start + len(username) + 1, "username": username, "id": user_id}
        )

    def url(self, rng: random.Random) -> None:
        code = "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
        short = f"https://t.co/{code}"
        start = len(self.text) + (1 if self.text else 0)
        self.add(short)
        path = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))
        self.entities["urls"].append(
            {
                "start": start,
                "end": start + len(short),
                "url": short,
                "expanded_url": f"https://example.org/{path}",
                "display_url": f"example.org/{path}",
            }
        )


def _sentence(rng: random.Random, spec: dict[str, Any], positive: bool) -> str:
    subject = rng.choice(spec["subjects"])
    roll = rng.random()
    if roll < 0.12:  # negation: "not good" counts against
        word = rng.choice(_NEGATABLE_POS if not positive else _NEGATABLE_NEG)
        neg = rng.choice(["not", "never", "isn't", "not", "don't think it's"])
        if neg == "don't think it's":
            return f"I {neg} {word}"
        return f"{subject} {neg} {word}" if neg == "isn't" else f"{subject} is {neg} {word}"
    if roll < 0.25:
        return f"{subject} {rng.choice(_SLANG_POS if positive else _SLANG_NEG)}"
    words = _POSITIVE if positive else _NEGATIVE
    first = rng.choices(words, _ZIPF)[0]
    pattern = rng.randrange(4)
    if pattern == 0:
        return f"{first} {subject}"
    if pattern == 1:
        return f"{subject} is {first}"
    if pattern == 2:
        return f"{subject} is {first} and {rng.choices(words, _ZIPF)[0]}"
    noun = rng.choice(["day", "morning", "moment", "week", "evening", "result", "news", "show"])
    return f"what a {first} {noun}, {subject} {rng.choice(_FILLERS)}".rstrip()


def _tweet(
    rng: random.Random,
    topic: str,
    spec: dict[str, Any],
    when: datetime,
    seq: int,
    users: list[dict[str, str]],
    recent: list[tuple[str, dict[str, str]]],
) -> dict[str, Any]:
    t = (when - START).total_seconds() / (HOURS * 3600)
    positive = rng.random() < spec["story"](t)
    author = rng.choice(users)
    b = _Builder()
    lang = "en"
    note = None
    kind = rng.random()
    if kind < 0.10 and recent:  # a retweet of something said earlier
        body, who = rng.choice(recent)
        b.add("RT")
        b.mention(who["username"], who["id"], suffix=":")
        b.add(body[:200])
    elif kind < 0.16:  # not English
        lang = rng.choice(sorted(_FOREIGN))
        pos, neg = _FOREIGN[lang]
        b.add(f"{rng.choice(pos if positive else neg)} {rng.choice(spec['subjects'])}")
    else:
        b.add(rng.choice(_OPENERS))
        b.add(_sentence(rng, spec, positive))
        if rng.random() < 0.3:
            b.add(_sentence(rng, spec, positive if rng.random() < 0.8 else not positive))
        b.add(rng.choice(_FILLERS))
        recent.append((b.text, author))
        if len(recent) > 50:
            recent.pop(0)
        if rng.random() < 0.08:
            other = rng.choice(users)
            b.add("cc")
            b.mention(other["username"], other["id"])
    for tag in rng.sample(spec["hashtags"], rng.choice([0, 1, 1, 1, 2, 2, 3])):
        b.hashtag(tag)
    if rng.random() < 0.35:
        b.add(rng.choice(_EMOJI_POS if positive else _EMOJI_NEG) * rng.choice([1, 1, 2, 3]))
    elif rng.random() < 0.1:
        b.add(rng.choice(_EMOTICONS_POS if positive else _EMOTICONS_NEG))
    if rng.random() < 0.25:
        b.url(rng)
    if rng.random() < 0.01:  # a long post: the full text is in note_tweet, text is cut at 280
        more = " ".join(_sentence(rng, spec, positive) for _ in range(14))
        note = f"{b.text} {more}"
        b.text = b.text[:270]
        b.entities = {k: [e for e in v if e["end"] <= len(b.text)] for k, v in b.entities.items()}
    tweet_id = _snowflake(when, seq)
    data: dict[str, Any] = {
        "id": tweet_id,
        "text": b.text,
        "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        "author_id": author["id"],
        "lang": lang,
        "edit_history_tweet_ids": [tweet_id],
        "entities": {k: v for k, v in b.entities.items() if v},
        "public_metrics": {
            "retweet_count": int(rng.expovariate(0.3)),
            "reply_count": int(rng.expovariate(0.6)),
            "like_count": int(rng.expovariate(0.05)),
            "quote_count": int(rng.expovariate(1.5)),
        },
    }
    if not data["entities"]:
        del data["entities"]
    if note:
        data["note_tweet"] = {"text": note}
    return {"data": data, "includes": {"users": [author]}, "matching_rules": [{"id": spec["rule"], "tag": topic}]}


def topic_tweets(
    topic: str, n: int = PER_TOPIC, seed: int = SEED, start: datetime = START, hours: float = HOURS
) -> Iterator[dict[str, Any]]:
    """``n`` stream-shaped tweets about ``topic`` in time order, spread over ``hours`` from ``start``."""
    rng = random.Random(f"{seed}:{topic}")
    spec = _TOPICS[topic]
    users = _users(random.Random(f"{seed}:users"))
    offsets = sorted(rng.random() * hours * 3600 for _ in range(n))
    recent: list[tuple[str, dict[str, str]]] = []
    for seq, off in enumerate(offsets):
        when = start + timedelta(milliseconds=int(off * 1000))
        yield _tweet(rng, topic, spec, when, seq, users, recent)


def dumps(obj: dict[str, Any]) -> str:
    """One compact JSON line (no newline), the same bytes for the same object."""
    return orjson.dumps(obj).decode("utf-8")


def lines(n: int, seed: int = SEED) -> Iterator[str]:
    """``n`` tweet lines across all topics (round robin), for benchmarks and tests of any size."""
    per = -(-n // len(TOPICS))
    streams = [topic_tweets(t, per, seed) for t in TOPICS]
    made = 0
    for group in zip(*streams, strict=True):
        for obj in group:
            if made == n:
                return
            yield dumps(obj)
            made += 1


#: A line that is not UTF-8 (Latin-1 "café"): readers decode it to U+FFFD and the parser refuses it.
INVALID_UTF8 = b'{"data": {"id": "9", "text": "caf\xe9 is good"}}'


def malformed_lines() -> list[str]:
    """Every kind of bad line the kit must count and skip, mixed with a few good tweets."""
    good = [dumps(t) for t in topic_tweets("football", 6, seed=7)]
    return [
        good[0],
        "",  # keep-alive
        good[1][: len(good[1]) // 2],  # truncated JSON
        "this is not json at all",
        "[1, 2, 3]",  # JSON, not an object
        '"just a string"',
        "42",
        "null",
        '{"data": {"id": "1", "lang": "en"}}',  # no text
        '{"data": {"id": "2", "text": ""}}',  # empty text
        '{"errors": [{"title": "operational-disconnect", "detail": "This stream has been disconnected"}]}',
        good[2],
        "",
        '{"data": "not an object"}',
        "{" * 2000 + "}" * 2000,  # deeply nested
        good[3],
        '{"data": {"id": 3, "text": "ok',  # unterminated
        good[4],
        good[5],
    ]


def write_sample(out: Path = SAMPLE_TWEETS, seed: int = SEED) -> list[Path]:
    """Write the four topic files and ``malformed.ndjson`` into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for topic in TOPICS:
        path = out / f"{topic}.ndjson"
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            for obj in topic_tweets(topic, PER_TOPIC, seed):
                fh.write(dumps(obj) + "\n")
        written.append(path)
    bad = out / "malformed.ndjson"
    body = "\r\n".join(malformed_lines()).encode("utf-8")
    bad.write_bytes(body + b"\r\n" + INVALID_UTF8 + b"\r\n")
    written.append(bad)
    return written


__all__ = [
    "HOURS",
    "INVALID_UTF8",
    "PER_TOPIC",
    "SEED",
    "START",
    "dumps",
    "lines",
    "malformed_lines",
    "topic_tweets",
    "write_sample",
]
