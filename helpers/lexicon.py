"""Sentiment word lists from ``lexicons/``: word → score, a word's polarity, a tweet's score.

``load()`` gives the default lexicon (VADER); ``load("bing")`` or ``load("afinn")`` the others.
Each ``lexicons/<name>.tsv`` holds ``word<TAB>score`` lines; its source and licence sit beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Literal

from helpers.paths import LEXICONS
from helpers.text import NEGATORS, is_negation

Polarity = Literal["positive", "negative", "neutral"]

DEFAULT = "vader"
NAMES: tuple[str, ...] = ("vader", "bing", "afinn")


@cache
def _load(name: str) -> dict[str, float]:
    path = LEXICONS / f"{name}.tsv"
    scores: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, score = line.split("\t")
            scores[word] = float(score)
    return scores


def scores(name: str = "default") -> Mapping[str, float]:
    """The lexicon ``name`` ("default", "vader", "bing" or "afinn"), loaded once per process and shared."""
    key = DEFAULT if name == "default" else name
    if key not in NAMES:
        raise ValueError(f"unknown lexicon {name!r}; choose one of {['default', *NAMES]}")
    return _load(key)


def load(name: str = "default") -> dict[str, float]:
    """The lexicon ``name`` as a new word → score dict of your own (to change, or to broadcast)."""
    return dict(scores(name))


def polarity(word: str, scores: Mapping[str, float] | None = None) -> Polarity:
    """``"positive"``, ``"negative"`` or ``"neutral"`` for a word; ``#love`` takes ``love``'s polarity."""
    score = word_score(word, _load(DEFAULT) if scores is None else scores)
    if not score:
        return "neutral"
    return "positive" if score > 0 else "negative"


def word_score(word: str, scores: Mapping[str, float]) -> float:
    """The score of one token, hashtags looked up without their ``#``; 0.0 when unknown."""
    score = scores.get(word)
    if score is None and word.startswith("#"):
        score = scores.get(word[1:])
    return score or 0.0


@cache
def token_scores(name: str = "default") -> dict[str, float]:
    """Every token with a non-zero ``word_score`` in lexicon ``name`` (``#love`` too), negators left out.

    ``score_tokens`` looks each token up once in this table instead of calling ``word_score`` and
    ``is_negation`` on it: the same sums as ``tweet_score``, several times faster.
    """
    table = scores(name)
    out: dict[str, float] = {}
    for word in table:
        for token in (word, word if word.startswith("#") else "#" + word):
            score = word_score(token, table)
            if score and not is_negation(token):
                out[token] = score
    return out


def score_tokens(words: Iterable[str], table: Mapping[str, float]) -> float:
    """``tweet_score`` with a ``token_scores`` table: sum of scores, a negation flipping the next one."""
    total = 0.0
    negate_for = 0
    for w in words:
        s = table.get(w)
        if s is not None:
            total += -s if negate_for else s
            negate_for = 0
        elif w in NEGATORS or w.endswith("n't"):
            negate_for = 3
        elif negate_for:
            negate_for -= 1
    return total


def lexicon_score(words: Sequence[str], lexicon_name: str = "default", negation: bool = True) -> float:
    """A tweet's score as the pipeline computes it (``score_tokens``); ``negation=False`` leaves out the flip rule."""
    table = token_scores(lexicon_name)
    if negation:
        return score_tokens(words, table)
    return sum(table.get(w, 0.0) for w in words)


def tweet_score(words: Iterable[str], scores: Mapping[str, float]) -> float:
    """Sum of word scores, a negation flipping the next sentiment word within three tokens."""
    total = 0.0
    negate_for = 0
    for w in words:
        if is_negation(w):
            negate_for = 3
            continue
        s = word_score(w, scores)
        if s:
            total += -s if negate_for else s
            negate_for = 0
        elif negate_for:
            negate_for -= 1
    return total


__all__ = [
    "DEFAULT",
    "NAMES",
    "Polarity",
    "lexicon_score",
    "load",
    "polarity",
    "score_tokens",
    "scores",
    "token_scores",
    "tweet_score",
    "word_score",
]
