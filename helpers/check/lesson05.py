"""Self-checks for notebook 05 (the Twitter sentiment pipeline)."""

from __future__ import annotations

from helpers import paths
from helpers.analyse import summarise
from helpers.check.base import Verdict, verdict
from helpers.engine import read_lines

__all__ = ["exercise_5_1", "exercise_5_2"]


def _negative_share(topic: str) -> float:
    stats = summarise(read_lines(paths.sample_files([topic]))).stats
    return stats.negative_tweets / stats.tweets


def exercise_5_1(answer: str | None) -> Verdict:
    """Which topic has the largest share of negative tweets over the whole sample?"""
    shares = {t: _negative_share(t) for t in paths.TOPICS}
    best = max(shares, key=shares.__getitem__)
    if answer is None:
        return verdict(False, "", "not answered yet: set answer to a topic name, e.g. 'climate'")
    if answer not in shares:
        return verdict(False, "", f"{answer!r} is not a topic; the topics are {list(paths.TOPICS)}")
    return verdict(
        answer == best,
        f"right: {best} has {shares[best]:.1%} negative tweets",
        f"{answer} has {shares[answer]:.1%} negative tweets, but another topic has more: compare "
        "negative_tweets / tweets per topic (the Stats of each batch add up)",
    )


def exercise_5_2(answer: str | None) -> Verdict:
    """The most frequent negative word in the football topic (over the whole sample)."""
    from helpers import lexicon

    counts = summarise(read_lines(paths.sample_files(["football"])), topic="football").words
    negative = [(w, c) for w, c in counts.items() if lexicon.polarity(w) == "negative"]
    word, count = min(negative, key=lambda wc: (-wc[1], wc[0]))
    if answer is None:
        return verdict(False, "", "not answered yet: set answer to a word, e.g. 'bad'")
    got = str(answer).lower()
    if got in dict(negative):
        detail = f"{got!r} is negative but appears {dict(negative)[got]} times; one appears more often"
    else:
        detail = f"{got!r} is not a negative word in the football tweets (lexicon.polarity says so)"
    return verdict(got == word, f"right: {word!r}, {count} times", detail)
