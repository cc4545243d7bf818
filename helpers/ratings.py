"""The 4,200 human-rated tweets of Hutto & Gilbert (ICWSM 2014), fetched at set-up, never shipped.

    python -m helpers ratings                      # fetch (cached): data/ratings/tweets_GroundTruth.txt
    python -m helpers ratings --ndjson OUT.ndjson  # also write them in the stream shape, rating beside

The file ``tweets_GroundTruth.txt`` (id, mean of 20 ratings from -4 to +4, text; tab-separated) ships
inside the vaderSentiment 3.3.2 source distribution on PyPI (MIT), in
``additional_resources/hutto_ICWSM_2014.tar.gz``; the wheel does not hold it. ``fetch()`` downloads the
sdist with pip into ``data/ratings/sdist/``, checks its SHA-256 and unpacks that one file.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import tarfile
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import orjson

from helpers.paths import DATA, ROOT

RATINGS_DIR: Path = DATA / "ratings"
NDJSON: Path = RATINGS_DIR / "rated.ndjson"
SDIST_DIR: Path = RATINGS_DIR / "sdist"
TWEETS: Path = RATINGS_DIR / "tweets_GroundTruth.txt"
SDIST_NAME = "vaderSentiment-3.3.2.tar.gz"
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER_TAR = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
INNER_FILE = "hutto_ICWSM_2014/tweets_GroundTruth.txt"
#: Lines in the file; a file with another count is a broken download, not the ratings.
LINES = 4200
#: The topic tag (``matching_rules[0].tag``) of the rated tweets replayed in the stream shape.
TOPIC = "rated"
CITATION = (
    'C.J. Hutto and E.E. Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of '
    'Social Media Text", ICWSM-14, 2014 (data: MIT licence, vaderSentiment 3.3.2 sdist)'
)


class Rated(NamedTuple):
    """One rated tweet: its id in the file, the mean of its 20 human ratings (-4 … +4), its text."""

    id: int
    rating: float
    text: str


class RatingsMissing(FileNotFoundError):
    """The ratings file is not there (yet): its message says how to get it."""


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def missing_message(path: Path = TWEETS) -> str:
    """The one line a learner reads when the ratings are absent: what is missing and how to get it."""
    return (
        f"the human ratings ({_relative(path)}) are missing: run `make ratings` "
        "(or `python -m helpers ratings`) once with access to PyPI to fetch them"
    )


def available(path: Path = TWEETS) -> bool:
    """True when the ratings file is present and whole."""
    try:
        return path.is_file() and len(path.read_bytes().splitlines()) == LINES
    except OSError:
        return False


def sha256(path: Path) -> str:
    """The SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(folder: Path = SDIST_DIR) -> Path:
    """The vaderSentiment 3.3.2 sdist in ``folder``, downloaded with pip unless already there and intact."""
    sdist = folder / SDIST_NAME
    if not (sdist.is_file() and sha256(sdist) == SDIST_SHA256):
        folder.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "vaderSentiment==3.3.2"]
        cmd += ["--no-deps", "--no-binary", ":all:", "--dest", str(folder), "--quiet", "--disable-pip-version-check"]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not sdist.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise RatingsMissing(f"{missing_message()} (pip download failed: {last})")
    digest = sha256(sdist)
    if digest != SDIST_SHA256:
        raise RatingsMissing(
            f"{_relative(sdist)} has SHA-256 {digest}, expected {SDIST_SHA256}: delete it and run `make ratings` again"
        )
    return sdist


def unpack(sdist: Path, out: Path = TWEETS) -> Path:
    """Copy ``tweets_GroundTruth.txt`` out of the sdist's nested tarball into ``out`` (written atomically)."""
    with tarfile.open(sdist, "r:gz") as outer:
        inner_bytes = outer.extractfile(INNER_TAR).read()  # type: ignore[union-attr]
    with tarfile.open(fileobj=io.BytesIO(inner_bytes), mode="r:gz") as inner:
        data = inner.extractfile(INNER_FILE).read()  # type: ignore[union-attr]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    return out


def fetch(out: Path = TWEETS, folder: Path = SDIST_DIR) -> Path:
    """The ratings file, fetched and unpacked if missing; nothing is downloaded when it is already there."""
    if available(out):
        return out
    unpack(download(folder), out)
    if not available(out):
        raise RatingsMissing(f"{_relative(out)} was unpacked but does not hold {LINES} lines: delete data/ratings/")
    return out


def load(path: Path = TWEETS) -> list[Rated]:
    """Every rated tweet of the file, in file order (4,200); ``RatingsMissing`` says how to fetch it."""
    if not available(path):
        raise RatingsMissing(missing_message(path))
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            tweet_id, rating, text = line.split("\t", 2)
            rows.append(Rated(int(tweet_id), float(rating), text))
    return rows


#: Stand-ins for notebook 09 when the ratings cannot be fetched (no network): invented tweets with invented
#: mean ratings, so every cell still runs. Their figures mean nothing; `make ratings` gives the real ones.
PRACTICE: tuple[tuple[float, str], ...] = (
    (2.6, "I love this, best day ever :)"),
    (-2.4, "worst service I have ever had"),
    (1.2, "not bad at all, pretty good actually"),
    (-1.5, "this is not good"),
    (2.1, "great game, what a goal!"),
    (-2.8, "I hate mondays so much"),
    (0.9, "thanks for the help"),
    (-1.1, "the penalty was a joke"),
    (1.8, "happy birthday, have a great day"),
    (-2.0, "so sad and tired today :("),
    (1.4, "nice work team"),
    (-0.7, "meh, the update broke my phone"),
    (2.3, "amazing concert last night!"),
    (-1.9, "never buying this again"),
    (0.6, "ok that was fun"),
    (-2.2, "terrible, awful, broken"),
    (1.7, "good luck, you will do great"),
    (-1.3, "I miss the old version"),
    (1.1, "lol that made my day"),
    (-0.9, "not happy with the new design"),
    (2.0, "love love love it"),
    (-1.6, "what a waste of time"),
    (0.8, "cool idea"),
    (-2.5, "the worst, I want my money back"),
)


def lesson_rows(path: Path = TWEETS) -> list[Rated]:
    """Notebook 09's tweets: the real ratings when fetched, else the invented ``PRACTICE`` set (see above)."""
    if available(path):
        return load(path)
    return [Rated(i + 1, r, t) for i, (r, t) in enumerate(PRACTICE)]


def gold(rating: float) -> str | None:
    """The human call: ``"positive"`` for a mean rating above 0, ``"negative"`` below, ``None`` at exactly 0."""
    return "positive" if rating > 0 else "negative" if rating < 0 else None


def stream_lines(
    rows: Iterable[Rated], start: datetime | None = None, spacing_s: float = 2.0, topic: str = TOPIC
) -> list[str]:
    """The rated tweets as NDJSON lines in the kit's stream shape, ``spacing_s`` apart, the rating beside.

    The human rating rides in a top-level ``"rating"`` object (``{"mean", "gold"}``) that the parser
    ignores, so the pipeline scores the text as it would any tweet and a reader can compare the two.
    """
    t0 = start or datetime(2013, 9, 16, 8, 0, tzinfo=UTC)
    lines = []
    for i, row in enumerate(rows):
        created = (t0 + timedelta(seconds=i * spacing_s)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        tweet_id = str(9_000_000_000_000_000_000 + row.id)
        obj = {
            "data": {
                "id": tweet_id,
                "text": row.text,
                "created_at": created,
                "author_id": "0",
                "lang": "en",
                "edit_history_tweet_ids": [tweet_id],
            },
            "matching_rules": [{"id": "1861000000000000099", "tag": topic}],
            "rating": {"mean": row.rating, "gold": gold(row.rating)},
        }
        lines.append(orjson.dumps(obj).decode())
    return lines


def write_ndjson(out: Path, path: Path = TWEETS, spacing_s: float = 2.0) -> Path:
    """Write every rated tweet to ``out`` in the stream shape (see ``stream_lines``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(stream_lines(load(path), spacing_s=spacing_s)) + "\n", encoding="utf-8")
    return out


def _command(args: argparse.Namespace) -> int:
    try:
        path = fetch()
    except RatingsMissing as e:
        if args.optional:  # `make test` and `make lab`: say what is missing, carry on without it
            print(f"note: {e}")
            return 0
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"ratings: {_relative(path)} ({LINES} rated tweets; {CITATION})")
    if args.ndjson:
        out = Path(args.ndjson)
        if not out.is_file() or out.stat().st_mtime < path.stat().st_mtime:
            write_ndjson(out, path, args.spacing)
        print(f"stream shape: {_relative(out)} (human rating beside each tweet)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``ratings`` to the command line."""
    p = sub.add_parser("ratings", help="fetch the 4,200 human-rated tweets (cached), optionally as NDJSON")
    p.add_argument(
        "--ndjson",
        metavar="OUT",
        help=f"also write them in the stream shape (e.g. {_relative(NDJSON)}; rewritten only when stale)",
    )
    p.add_argument("--spacing", type=float, default=2.0, help="seconds between the tweets' timestamps")
    p.add_argument("--optional", action="store_true", help="without network: print what is missing, exit 0")
    p.set_defaults(func=_command)


__all__ = [
    "NDJSON",
    "RATINGS_DIR",
    "TWEETS",
    "Rated",
    "RatingsMissing",
    "available",
    "fetch",
    "gold",
    "lesson_rows",
    "load",
    "missing_message",
    "stream_lines",
    "write_ndjson",
]
