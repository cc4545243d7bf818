"""Tweet scorers by name: what makes a whole tweet positive, negative or neither.

    caller = tweet_caller("vader")
    caller("Not sooo good :(", words("Not sooo good :("))   # → -1, 0 or 1

``lexicon`` (the default) sums the words of a lexicon (``--lexicon``) with the negation rule, exactly as
``helpers.counting.summarise`` always has; ``vader`` runs VADER's full rules (the vaderSentiment library,
compound score, ±0.05 as VADER documents); ``model`` the logistic regression trained in Spark on the
human-rated tweets (``helpers.sentiment_model``), applied in plain Python (``helpers.trained_scorer``) so any
engine's workers can use it.
Scorers are passed by name, so a function shipped to Spark workers loads each one once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from helpers import lexicon

#: The scorers the pipeline can use for its tweet tallies (``--scorer``); the first is the default.
NAMES: tuple[str, ...] = ("lexicon", "vader", "model")
DEFAULT = "lexicon"
#: VADER's documented thresholds on its compound score: above +0.05 positive, below -0.05 negative.
VADER_THRESHOLD = 0.05

#: ``caller(text, words) → 1, -1 or 0``: a tweet's call (words: ``helpers.text.words(text)``).
Caller = Callable[[str, Sequence[str]], int]


def call(score: float, threshold: float = 0.0) -> int:
    """1 where ``score`` is above ``threshold``, -1 where below ``-threshold``, 0 (no call) otherwise."""
    return 1 if score > threshold else -1 if score < -threshold else 0


def check(name: str) -> str:
    """``name`` if it is a scorer the pipeline knows; a ValueError naming the choices otherwise."""
    if name not in NAMES:
        raise ValueError(f"unknown scorer {name!r}; choose one of {list(NAMES)}")
    return name


@cache
def _vader() -> Any:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as e:  # pragma: no cover - a dependency of the kit
        raise ImportError("the vader scorer needs vaderSentiment: pip install 'vaderSentiment==3.3.2'") from e
    return SentimentIntensityAnalyzer()


def vader_compound(text: str) -> float:
    """VADER's compound score of ``text`` (-1 … +1), with every rule (negation, boosters, caps, "but", emoticons)."""
    return float(_vader().polarity_scores(text)["compound"])


@cache
def tweet_caller(name: str = DEFAULT, lexicon_name: str = "default") -> Caller:
    """The call function of scorer ``name`` (loaded once per process; ``model`` must have been trained)."""
    check(name)
    if name == "lexicon":
        table = lexicon.token_scores(lexicon_name)
        return lambda text, words: call(lexicon.score_tokens(words, table))
    if name == "vader":
        analyzer = _vader()
        return lambda text, words: call(analyzer.polarity_scores(text)["compound"], VADER_THRESHOLD)
    from helpers.trained_scorer import load_scorer

    scorer = load_scorer()
    return lambda text, words: call(scorer.margin(text))


__all__ = [
    "DEFAULT",
    "NAMES",
    "VADER_THRESHOLD",
    "Caller",
    "call",
    "check",
    "tweet_caller",
    "vader_compound",
]
