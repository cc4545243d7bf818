"""Whole runs from files to the ``top`` command's JSON: ``top_python`` is ``top --engine python``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from helpers.counting import summarise, tweet_sentiment
from helpers.model import top_json
from helpers.sample import read_lines


def top_python(
    files: Iterable[str | Path],
    n: int = 50,
    lexicon_name: str = "default",
    topic: str | None = None,
    lang: str | None = None,
    scorer: str | None = None,
) -> dict[str, Any]:
    """``top --engine python``: every tweet of the files counted in one pass, as JSON-ready dict.

    With a ``scorer`` the result also holds ``tweet_sentiment``: how many tweets it called positive,
    negative or neither (``counting.tweet_sentiment``).
    """
    summary = summarise(read_lines(files), lexicon_name, topic, lang, scorer or "lexicon")
    out = top_json(summary.stats.tweets, summary.stats.malformed, summary.words.items(), n, lexicon_name)
    if scorer is not None:
        out["tweet_sentiment"] = tweet_sentiment(summary.stats, scorer)
    return out
