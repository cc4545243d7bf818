"""The trained sentiment model applied in plain Python: what the ``model`` scorer runs on every engine's workers.

``load_scorer().margin("not bad at all")`` reads the exported model (``sentiment_model.train`` writes it)
and scores a text with its vocabulary, IDF weights and coefficients, no SparkSession needed; a test proves
its calls equal Spark's on every rated tweet.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from helpers import ratings
from helpers.lexicon import lexicon_score
from helpers.text import words

if TYPE_CHECKING:
    from pyspark.ml import PipelineModel

#: Where the fitted model lives: Spark's own format (``PipelineModel.load``) and the plain-Python export.
MODEL_DIR: Path = ratings.RATINGS_DIR / "model"
SPARK_MODEL: Path = MODEL_DIR / "spark"
EXPORT: Path = MODEL_DIR / "scorer.json"

#: Tokens for Spark's RegexTokenizer (Java regex) that Python's ``re`` reads the same way: ASCII words
#: with inner apostrophes, emoticons, and ! and ? (the tokenizer lower-cases the text first).
TOKEN_PATTERN = r"[a-z0-9]+(?:'[a-z0-9]+)*|[:;=][-o']?[()\[\]dp/|]|[!?]"


@dataclass(frozen=True)
class PythonScorer:
    """A fitted model applied in plain Python: the same margin as Spark's ``rawPrediction[1]``."""

    vocabulary: dict[str, int]
    idf: list[float]
    coefficients: list[float]
    intercept: float
    bigrams: bool
    lexicon: bool

    def margin(self, text: str) -> float:
        """The logistic regression's margin for ``text``: above 0 positive, below 0 negative."""
        tokens = re.findall(TOKEN_PATTERN, text.lower())
        terms = tokens + ([f"{a} {b}" for a, b in pairwise(tokens)] if self.bigrams else [])
        total = self.intercept
        for term, n in Counter(terms).items():
            i = self.vocabulary.get(term)
            if i is not None:
                total += self.coefficients[i] * n * self.idf[i]
        if self.lexicon:
            total += self.coefficients[-1] * lexicon_score(words(text))
        return total

    @classmethod
    def from_spark(cls, model: PipelineModel) -> PythonScorer:
        """Read the vocabulary, IDF weights and coefficients out of a fitted ``pipeline()``."""
        stages = model.stages
        names = [type(s).__name__ for s in stages]
        vocab = stages[names.index("CountVectorizerModel")].vocabulary
        idf = stages[names.index("IDFModel")].idf.toArray().tolist()
        lr = stages[-1]
        lexicon = "lexicon" in stages[names.index("VectorAssembler")].getInputCols()
        return cls(
            {t: i for i, t in enumerate(vocab)},
            idf,
            lr.coefficients.toArray().tolist(),
            float(lr.intercept),
            "NGram" in names,
            lexicon,
        )

    def save(self, path: Path = EXPORT) -> Path:
        """Write the scorer as JSON (what ``load_scorer`` reads)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        data = {"vocabulary": vocab, "idf": self.idf, "coefficients": self.coefficients}
        data |= {"intercept": self.intercept, "bigrams": self.bigrams, "lexicon": self.lexicon}
        write_atomically(path, json.dumps(data))
        return path


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a notebook and a test may train at once (``make test -n 2``)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def missing_model_message() -> str:
    """What to do when the pipeline is asked for the model scorer before one was trained."""
    return (
        f"no trained model at {EXPORT.relative_to(ratings.ROOT)}: run `python -m helpers evaluate --scorer model` "
        "to train it (needs the ratings: `make ratings`)"
    )


def load_scorer(path: Path | None = None) -> PythonScorer:
    """The saved model as a ``PythonScorer`` (read once per process); FileNotFoundError says how to train one."""
    return _load_scorer(EXPORT if path is None else path)


@cache
def _load_scorer(path: Path) -> PythonScorer:
    if not path.is_file():
        raise FileNotFoundError(missing_model_message())
    data = json.loads(path.read_text())
    vocab = {t: i for i, t in enumerate(data["vocabulary"])}
    return PythonScorer(vocab, data["idf"], data["coefficients"], data["intercept"], data["bigrams"], data["lexicon"])


def forget_loaded() -> None:
    """Drop the scorer read so far, so the next ``load_scorer`` reads the file a new training wrote."""
    _load_scorer.cache_clear()


__all__ = [
    "EXPORT",
    "MODEL_DIR",
    "SPARK_MODEL",
    "TOKEN_PATTERN",
    "PythonScorer",
    "forget_loaded",
    "load_scorer",
    "missing_model_message",
    "write_atomically",
]
