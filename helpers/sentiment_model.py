"""A tweet-sentiment model trained in Spark on the human-rated tweets, scored honestly by cross-validation.

    from helpers import sentiment_model as sm
    frame = sm.rated_frame(spark.get_session(), ratings.load())     # id, text, lexicon, label, fold
    cv = sm.cross_validator(sm.pipeline())                          # tuned by 3-fold CV, fixed seed
    sm.train()            # CV on the rated tweets, save the chosen model (refit on all) and its out-of-fold calls
    sm.load_scorer().margin("not bad at all")                       # the saved model, in plain Python

The pipeline: RegexTokenizer → NGram(2) → unigrams + bigrams → CountVectorizer → IDF, with the kit's
lexicon score beside them (VectorAssembler) → LogisticRegression. ``PythonScorer`` applies a fitted
model in plain Python (vocabulary, IDF weights, coefficients), so the streaming engines' workers can
score tweets with it without a SparkSession; a test proves its calls equal Spark's on every rated tweet.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers import ratings, scorers
from helpers.lexicon import lexicon_score
from helpers.text import words
from helpers.trained_scorer import (
    EXPORT,
    MODEL_DIR,
    TOKEN_PATTERN,
    PythonScorer,
    forget_loaded,
    load_scorer,
    write_atomically,
)

if TYPE_CHECKING:
    from pyspark.ml import Pipeline
    from pyspark.ml.tuning import CrossValidator, CrossValidatorModel
    from pyspark.sql import DataFrame, SparkSession

#: The cross-validation figures, cached beside the model.
CV_CACHE: Path = MODEL_DIR / "cv.json"

SEED = 2014
FOLDS = 3
#: The small grid CrossValidator tries: regularisation strength of the logistic regression.
REG_PARAMS: tuple[float, ...] = (0.01, 0.03)
MIN_DF = 2.0
MAX_ITER = 50


def with_lexicon(rows: Sequence[ratings.Rated]) -> list[tuple[int, str, float, float, int]]:
    """``(id, text, lexicon score, label, fold)`` per rated tweet (rated-0 left out): the model's input table.

    ``lexicon`` is the kit's default tweet score (VADER's word list, the negation rule); ``label`` 1.0
    where people rated it positive; ``fold`` 0 … FOLDS-1 from a seeded shuffle, so the folds never
    depend on Spark's partitioning.
    """
    kept = [r for r in rows if r.rating != 0]
    order = list(range(len(kept)))
    random.Random(SEED).shuffle(order)
    fold = {i: k % FOLDS for k, i in enumerate(order)}
    return [
        (r.id, r.text, lexicon_score(words(r.text)), 1.0 if r.rating > 0 else 0.0, fold[i]) for i, r in enumerate(kept)
    ]


def rated_frame(session: SparkSession, rows: Sequence[ratings.Rated]) -> DataFrame:
    """The rated tweets as a DataFrame: ``id, text, lexicon, label, fold``, in one partition as notebook 09 has it.

    One partition: the cross-validation's fits already run side by side on the cores, and each of a logistic
    regression's 50 iterations is a Spark job that pays per task (84 CPU s in two partitions here, 52 in one).
    """
    schema = "id long, text string, lexicon double, label double, fold int"
    return session.createDataFrame(with_lexicon(rows), schema).coalesce(1)


def pipeline(bigrams: bool = True, lexicon: bool = True) -> Pipeline:
    """tokens → (uni+bi)grams → counts → IDF (+ the lexicon score) → logistic regression, unfitted."""
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import IDF, NGram, RegexTokenizer, SQLTransformer, VectorAssembler
    from pyspark.ml.feature import CountVectorizer as Counts

    stages: list[Any] = [RegexTokenizer(inputCol="text", outputCol="tokens", pattern=TOKEN_PATTERN, gaps=False)]
    if bigrams:
        stages += [
            NGram(n=2, inputCol="tokens", outputCol="bigrams"),
            SQLTransformer(statement="SELECT *, concat(tokens, bigrams) AS terms FROM __THIS__"),
        ]
    else:
        stages.append(SQLTransformer(statement="SELECT *, tokens AS terms FROM __THIS__"))
    stages += [Counts(inputCol="terms", outputCol="counts", minDF=MIN_DF), IDF(inputCol="counts", outputCol="tfidf")]
    stages.append(VectorAssembler(inputCols=["tfidf", "lexicon"] if lexicon else ["tfidf"], outputCol="features"))
    # Not standardized: with standardization the penalty shrinks the lexicon column as hard as any
    # rare bigram, and the cross-validated accuracy fell from about 0.95 to 0.85 (measured).
    stages.append(LogisticRegression(maxIter=MAX_ITER, standardization=False))
    return Pipeline(stages=stages)


def cross_validator(estimator: Pipeline, fold_col: str = "fold") -> CrossValidator:
    """``estimator`` tuned over REG_PARAMS by k-fold CV on ``fold_col``, judged by accuracy, keeping each fold's model.

    ``collectSubModels`` keeps the model fitted without each fold, so every tweet can be called by a
    model that never saw it (``out_of_fold_calls``) at no extra cost.
    """
    from pyspark.ml.evaluation import MulticlassClassificationEvaluator
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

    lr = estimator.getStages()[-1]
    grid = ParamGridBuilder().addGrid(lr.regParam, list(REG_PARAMS)).build()
    evaluator = MulticlassClassificationEvaluator(metricName="accuracy")
    return CrossValidator(
        estimator=estimator,
        estimatorParamMaps=grid,
        evaluator=evaluator,
        foldCol=fold_col,
        seed=SEED,
        collectSubModels=True,
        parallelism=2,  # a fold's two settings fitted side by side, as in notebook 09; the figures do not change
    )


def out_of_fold_calls(cv_model: CrossValidatorModel, frame: DataFrame) -> dict[int, int]:
    """Each tweet's call (1 or -1) by the chosen setting's model fitted without the tweet's fold, by id."""
    from pyspark.sql import functions as F

    best = max(range(len(cv_model.avgMetrics)), key=cv_model.avgMetrics.__getitem__)
    calls: dict[int, int] = {}
    for k, models in enumerate(cv_model.subModels):
        held_out = models[best].transform(frame.filter(F.col("fold") == k))
        for row in held_out.select("id", "prediction").collect():
            calls[row["id"]] = 1 if row["prediction"] == 1.0 else -1
    return calls


def _key(rows: Sequence[ratings.Rated]) -> str:
    text = json.dumps([TOKEN_PATTERN, list(REG_PARAMS), MIN_DF, MAX_ITER, SEED, FOLDS, [tuple(r) for r in rows]])
    return hashlib.sha256(text.encode()).hexdigest()


def train(rows: Sequence[ratings.Rated] | None = None, folder: Path | None = None) -> dict[str, Any]:
    """Cross-validate on the rated tweets, then save the chosen model (Spark and Python forms) and its CV figures.

    Writes ``spark/`` (``PipelineModel.load``), ``scorer.json`` (``load_scorer``) and ``cv.json``: the
    out-of-fold calls, each setting's mean CV accuracy and the setting chosen. Returns the last.
    """
    from helpers.infra import spark

    rows = ratings.load() if rows is None else rows
    folder = MODEL_DIR if folder is None else folder
    kept = [r for r in rows if r.rating != 0]
    owned = spark.active_context() is None
    try:
        frame = rated_frame(spark.get_session("sentiment-model"), kept).cache()
        cv_model = cross_validator(pipeline()).fit(frame)
        result = save(cv_model, frame, kept, folder)
        frame.unpersist()
    finally:
        if owned:
            spark.stop_all()
    return result


def save(
    cv_model: CrossValidatorModel, frame: DataFrame, rows: Sequence[ratings.Rated], folder: Path | None = None
) -> dict[str, Any]:
    """Save a fitted ``cross_validator(pipeline())`` as the pipeline's model scorer, with its out-of-fold calls.

    ``rows``: the rated tweets ``frame`` was made from. Notebook 09 saves the model its learner fitted with it.
    """
    folder = MODEL_DIR if folder is None else folder
    kept = [r for r in rows if r.rating != 0]
    by_id = out_of_fold_calls(cv_model, frame)
    cv_model.bestModel.write().overwrite().save(str(folder / "spark"))
    PythonScorer.from_spark(cv_model.bestModel).save(folder / "scorer.json")
    result = {
        "key": _key(kept),
        "reg_params": list(REG_PARAMS),
        "cv_accuracy": list(cv_model.avgMetrics),
        "chosen": REG_PARAMS[max(range(len(REG_PARAMS)), key=cv_model.avgMetrics.__getitem__)],
        "calls": [by_id[r.id] for r in kept],
    }
    write_atomically(folder / "cv.json", json.dumps(result))
    forget_loaded()
    return result


def cross_validation(rows: Sequence[ratings.Rated] | None = None, folder: Path | None = None) -> dict[str, Any]:
    """The saved CV figures of ``train`` for these rows, training first (minutes of Spark) when absent or stale."""
    rows = ratings.load() if rows is None else rows
    folder = MODEL_DIR if folder is None else folder
    cv_file = folder / "cv.json"
    if cv_file.is_file() and (folder / "scorer.json").is_file():
        cached = json.loads(cv_file.read_text())
        if cached.get("key") == _key([r for r in rows if r.rating != 0]):
            return cached
    return train(rows, folder)


def cross_validated_calls(rows: Sequence[ratings.Rated]) -> list[int]:
    """The model's out-of-fold call for each rated tweet (rated-0 left out), in order (trained once, cached)."""
    return cross_validation(rows)["calls"]


def prepare(name: str) -> str:
    """Check a scorer's name and make sure it can run: ``model`` is trained first (minutes of Spark; needs the
    ratings) when no saved model exists. Returns ``name``."""
    scorers.check(name)
    if name == "model":
        ensure_trained()
    return name


def ensure_trained() -> Path:
    """The exported model, trained on the ratings first (minutes of Spark) if it is not there yet."""
    cross_validation()
    return EXPORT


__all__ = [
    "EXPORT",
    "FOLDS",
    "MODEL_DIR",
    "SEED",
    "TOKEN_PATTERN",
    "PythonScorer",
    "cross_validated_calls",
    "cross_validation",
    "cross_validator",
    "ensure_trained",
    "load_scorer",
    "out_of_fold_calls",
    "pipeline",
    "prepare",
    "rated_frame",
    "save",
    "train",
    "with_lexicon",
]
