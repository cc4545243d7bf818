"""The per-tweet work every engine shares: parse, filter, tokenize, score, count.

``summarise(lines, "vader")`` turns any batch of raw lines into one ``Summary`` (word counts and the
batch's tweet, malformed and sentiment tallies). The python engine calls it on a whole batch; the
DStream engine calls it once per partition and merges, so both count by the very same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from helpers import lexicon, scorers
from helpers.model import Row, Stats, Summary, rank
from helpers.text import stopwords, words
from helpers.tweets import fields, parse_line


def summarise(
    lines: Iterable[str],
    lexicon_name: str = "default",
    topic: str | None = None,
    lang: str | None = None,
    scorer: str = "lexicon",
) -> Summary:
    """Parse, filter, tokenize and score every line; blank lines are skipped, bad ones counted.

    Takes the lexicon by name (each Spark worker loads and caches it once), so the function can be
    shipped to workers and recovered from a checkpoint without a broadcast variable. ``scorer`` names
    what calls a whole tweet positive or negative (``helpers.scorers``: lexicon, vader or model); word
    counts and word polarities always come from the lexicon.
    """
    table = lexicon.token_scores(lexicon_name)
    caller = None if scorers.check(scorer) == "lexicon" else scorers.tweet_caller(scorer, lexicon_name)
    out = Summary()
    counts, stats = out.words, out.stats
    seen: list[str] = []  # every token, stopwords too: counted in bulk, stopwords removed at the end
    tweets = malformed = positive = negative = 0
    for line in lines:
        if not line or line.isspace():
            continue  # keep-alive
        tweet = fields(line) if type(line) is str else parse_line(line)
        if tweet is None:
            malformed += 1
            continue
        if (topic is not None and tweet[1] != topic) or (lang is not None and tweet[2] != lang):
            continue
        tweets += 1
        all_words = words(tweet[0])
        seen += all_words
        if len(seen) > 100_000:
            counts.update(seen)
            seen.clear()
        score = lexicon.score_tokens(all_words, table) if caller is None else caller(tweet[0], all_words)
        if score > 0:
            positive += 1
        elif score < 0:
            negative += 1
    counts.update(seen)
    for word in stopwords() & counts.keys():
        del counts[word]
    stats.tweets, stats.malformed = tweets, malformed
    stats.positive_tweets, stats.negative_tweets = positive, negative
    stats.neutral_tweets = tweets - positive - negative
    by_polarity = polarity_totals(counts, lexicon_name)
    stats.positive_words = by_polarity["positive"]
    stats.negative_words = by_polarity["negative"]
    stats.neutral_words = by_polarity["neutral"]
    return out


def tweet_sentiment(stats: Stats, scorer: str) -> dict[str, Any]:
    """``{"scorer", "positive", "negative", "neutral"}``: the tweets ``scorer`` called each way (``top --scorer``)."""
    return {
        "scorer": scorer,
        "positive": stats.positive_tweets,
        "negative": stats.negative_tweets,
        "neutral": stats.neutral_tweets,
    }


def polarity_totals(counts: Mapping[str, int], lexicon_name: str = "default") -> dict[str, int]:
    """How many counted words were positive, negative or neutral."""
    scores = lexicon.scores(lexicon_name)
    out = {"positive": 0, "negative": 0, "neutral": 0}
    for word, n in counts.items():
        out[lexicon.polarity(word, scores)] += n
    return out


def current_rows(
    window_counts: Iterable[tuple[str, int]], totals: Mapping[str, int], n: int, lexicon_name: str = "default"
) -> list[Row]:
    """The "current" view: the window's top ``n`` words joined with their running totals and sentiment."""
    scores = lexicon.scores(lexicon_name)
    return [Row(w, c, totals.get(w, 0), lexicon.polarity(w, scores)) for w, c in rank(window_counts, n)]


__all__ = [
    "current_rows",
    "polarity_totals",
    "summarise",
    "tweet_sentiment",
]
