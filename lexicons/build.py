"""Rebuild the word lists in this folder from the Python packages that ship them.

Usage (from the kit's root): ``.venv/bin/pip install -e '.[lexicons]' && .venv/bin/python lexicons/build.py``
It writes ``vader.tsv``, ``bing.tsv``, ``afinn.tsv`` (``word<TAB>score``) and ``stopwords.txt``; the same
packages give the same bytes. Multi-word entries are left out: the tokenizer yields single tokens.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Contractions the tokenizer keeps whole ("don't") while the source list has only "don". The negated
# ones stay negations for scoring (helpers.text.words keeps stopwords); they are only left out of counts.
CONTRACTIONS = [
    "i'm",
    "i've",
    "i'll",
    "i'd",
    "you're",
    "you've",
    "you'll",
    "you'd",
    "he's",
    "she's",
    "it's",
    "we're",
    "we've",
    "we'll",
    "we'd",
    "they're",
    "they've",
    "they'll",
    "they'd",
    "that's",
    "there's",
    "what's",
    "who's",
    "let's",
    "here's",
    "don't",
    "doesn't",
    "didn't",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "can't",
    "couldn't",
    "won't",
    "wouldn't",
    "shouldn't",
    "haven't",
    "hasn't",
    "hadn't",
]


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{package} is not installed: pip install -e '.[lexicons]'")
    return Path(spec.origin).parent.joinpath(*parts)


def _write(name: str, header: str, scores: dict[str, float]) -> None:
    lines = [f"# {header}"] + [f"{w}\t{s:g}" for w, s in sorted(scores.items())]
    (HERE / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{name}: {len(scores)} words")


def vader() -> dict[str, float]:
    """VADER: word<TAB>mean<TAB>sd<TAB>ratings; words rated 0 on average are neutral, left out."""
    scores = {}
    for line in _package_file("vaderSentiment", "vader_lexicon.txt").read_text("utf-8").splitlines():
        word, mean = line.split("\t")[:2]
        if " " not in word and float(mean) != 0:
            scores[word.lower()] = float(mean)
    return scores


def bing() -> dict[str, float]:
    """Hu & Liu's opinion lexicon as tidytextpy ships it (word,sentiment): +1 or -1."""
    scores = {}
    rows = _package_file("tidytextpy", "dictionary", "bing.csv").read_text("utf-8").splitlines()
    for row in rows[1:]:
        word, sentiment = row.rsplit(",", 1)
        if " " not in word:
            scores[word.lower()] = 1.0 if sentiment == "positive" else -1.0
    return scores


def afinn() -> dict[str, float]:
    """AFINN-165 (English) from the afinn package: word<TAB>integer score from -5 to 5."""
    scores = {}
    text = _package_file("afinn", "data", "AFINN-en-165.txt").read_text("utf-8")
    for line in text.splitlines():
        word, score = line.rsplit("\t", 1)
        if " " not in word:
            scores[word.lower()] = float(score)
    return scores


def stopwords() -> list[str]:
    """NLTK's English stopword list as tidytextpy ships it, plus whole contractions."""
    base = _package_file("tidytextpy", "dictionary", "english.txt").read_text("utf-8").split()
    return sorted(set(base) | set(CONTRACTIONS))


def main() -> None:
    """Write every file this folder's README describes."""
    _write("vader.tsv", "VADER lexicon 3.3.2 (MIT), mean human rating -4..4; see README.md", vader())
    _write("bing.tsv", "Hu & Liu opinion lexicon (CC BY 4.0), +1/-1; see README.md", bing())
    _write("afinn.tsv", "AFINN-165 English (ODbL 1.0), -5..5; see README.md", afinn())
    words = stopwords()
    header = "# NLTK English stopwords (via tidytextpy) plus contractions; see README.md"
    (HERE / "stopwords.txt").write_text("\n".join([header, *words]) + "\n", encoding="utf-8")
    print(f"stopwords.txt: {len(words)} words")


if __name__ == "__main__":
    main()
