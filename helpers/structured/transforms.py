"""The pipeline's DataFrame transforms: tokens, words, lexicon scores, event-time windows, running totals.

    tweets = tokenize(parse(lines))        # + words (every token), tokens (the counted ones)
    words(tweets)                          # one row per counted word, with its tweet's event time
    with_polarity(words(tweets), lexicon_frame(session))   # stream–static join, the lexicon broadcast
    windowed_counts(tweets, WINDOW_S, SLIDE_S, WATERMARK_S)   # withWatermark + groupBy(window(...), "word")
    running_counts(tweets)                 # groupBy("word").count(): the running totals, Spark's state

Each works on a streaming DataFrame as on a batch one (``tweet_scores`` on a batch only).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from pyspark.sql import functions as F

from helpers.infra import spark
from helpers.lexicon import scores as lexicon_scores
from helpers.structured.java_regex import java_pattern
from helpers.structured.parse import TWEET, computed_once
from helpers.text import NEGATORS, stopwords

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

#: Event-time windows of StructuredRun: 30 minutes sliding every 10, late rows dropped 10 minutes on.
WINDOW_S, SLIDE_S, WATERMARK_S = 1800.0, 600.0, 600.0


def tokenize(tweets: DataFrame) -> DataFrame:
    """Add ``words`` (every token in order, '' for a dropped URL, mention or number, as ``text.words``)
    and ``tokens`` (the counted ones: ``text.tokenize``, stopwords and ``rt`` left out) to counted tweets."""
    lowered = F.replace(F.lower(F.col("text")), F.lit("’"), F.lit("'"))
    all_words = computed_once(
        F.when(F.col("status") == TWEET, F.regexp_extract_all(lowered, F.lit(java_pattern()), F.lit(1)))
    )
    return tweets.withColumn("words", all_words).withColumn("tokens", F.filter(F.col("words"), counted))


def counted(word: Column) -> Column:
    """True for a word that ``text.tokenize`` keeps: not a stopword, not ``rt``, not a dropped ''."""
    return ~F.array_contains(spark.per_context("structured.stopwords", lambda: F.lit(sorted(stopwords()))), word)


def words(tweets: DataFrame) -> DataFrame:
    """One row per counted word of every counted tweet: ``event_time``, ``word``."""
    return tweets.where(F.col("status") == TWEET).select("event_time", F.explode("tokens").alias("word"))


def lexicon_frame(session: SparkSession, lexicon_name: str = "default") -> DataFrame:
    """The lexicon as a small DataFrame (``word``, ``score``), for a broadcast join."""
    rows = sorted(lexicon_scores(lexicon_name).items())
    return session.createDataFrame(rows, "word string, score double")


def with_polarity(df: DataFrame, lexicon: DataFrame) -> DataFrame:
    """Add each ``word``'s ``score`` (0.0 if unknown) and ``polarity`` by two broadcast joins with the lexicon.

    As ``lexicon.polarity``: ``#love`` takes ``love``'s score when ``#love`` itself is not listed. Works
    on a streaming DataFrame (a stream–static join) as on a batch.
    """
    exact = F.broadcast(lexicon.select(F.col("word").alias("_w1"), F.col("score").alias("_s1")))
    bare = F.broadcast(lexicon.select(F.col("word").alias("_w2"), F.col("score").alias("_s2")))
    hashtag = F.col("word").startswith("#")
    joined = df.join(exact, F.col("word") == F.col("_w1"), "left").join(
        bare, hashtag & (F.expr("substr(word, 2)") == F.col("_w2")), "left"
    )
    score = F.coalesce(F.col("_s1"), F.when(hashtag, F.col("_s2")), F.lit(0.0))
    return joined.withColumn("score", score).withColumn("polarity", polarity(score)).drop("_w1", "_s1", "_w2", "_s2")


def tweet_scores(tweets: DataFrame, lexicon: DataFrame) -> DataFrame:
    """``(uid, score)`` of every counted tweet with a sentiment word, as ``lexicon.tweet_score`` (batch only).

    The words are exploded with their position, scored by the broadcast join, and folded back per tweet
    in order (``aggregate``): a negator flips a sentiment word at most three words on, and a sentiment
    word uses the negation up. ``tweets`` needs a unique ``uid`` column.
    """
    exploded = tweets.where(F.col("status") == TWEET).select("uid", F.posexplode("words").alias("pos", "word"))
    scored = with_polarity(exploded, lexicon)
    negator = F.col("word").isin(sorted(NEGATORS)) | F.col("word").endswith("n't")
    marks = scored.where(negator | (F.col("score") != 0)).select(
        "uid", F.struct("pos", negator.alias("neg"), "score").alias("m")
    )
    ordered = marks.groupBy("uid").agg(F.array_sort(F.collect_list("m")).alias("marks"))
    return ordered.select("uid", _fold_score(F.col("marks")).alias("score"))


def _fold_score(marks: Column) -> Column:
    """Fold a tweet's ``(pos, neg, score)`` marks, in word order, into its score (``lexicon.tweet_score``)."""
    start = F.struct(F.lit(0.0).alias("total"), F.lit(-4).alias("neg_at"))

    def step(acc: Column, m: Column) -> Column:
        signed = F.when(m["pos"] - acc["neg_at"] <= 3, -m["score"]).otherwise(m["score"])
        return F.when(m["neg"], F.struct(acc["total"].alias("total"), m["pos"].alias("neg_at"))).otherwise(
            F.struct((acc["total"] + signed).alias("total"), F.lit(-4).alias("neg_at"))
        )

    return F.aggregate(marks, start, step, lambda acc: acc["total"])


def _sql_string(text: str) -> str:
    """``text`` as a Spark SQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@cache
def _lexicon_sql(lexicon_name: str) -> tuple[str, list[tuple[str, str]]]:
    """The lexicon as SQL: the list of its words, and ``(score, words with that score)`` per distinct score.

    ``x IN (…)`` with more than a few values is a hash-set lookup in Spark (``InSet``), where a map literal
    would be searched key by key: a lexicon lookup stays cheap inside a row, with no join and no grouping.
    """
    table = lexicon_scores(lexicon_name)
    by_score: dict[float, list[str]] = {}
    for word, score in sorted(table.items()):
        by_score.setdefault(float(score), []).append(_sql_string(word))
    every = ", ".join(_sql_string(w) for w in sorted(table))
    return every, [(f"{score!r}D", ", ".join(words)) for score, words in sorted(by_score.items())]


def word_scores_sql(words_column: str, lexicon_name: str = "default") -> str:
    """SQL for the scores of the tokens in array column ``words_column``, in order, 0.0 if unknown (``#love``
    takes ``love``'s when not listed itself, as ``lexicon.word_score``).

    Two steps, so the plan holds the word list twice in all (``IN`` the whole list, then ``IN`` the words of
    each score), not once per use: the key to look up (the token if listed, else a hashtag's bare word, else
    null), then that key's score. Every micro-batch plans, generates code for and ships this expression to
    its tasks, so its size is paid again each time.
    """
    every, groups = _lexicon_sql(lexicon_name)
    key = f"CASE WHEN w IN ({every}) THEN w WHEN startswith(w, '#') THEN substr(w, 2) END"
    score = "CASE " + " ".join(f"WHEN k IN ({words}) THEN {s}" for s, words in groups) + " ELSE 0.0D END"
    return f"transform(transform({words_column}, w -> {key}), k -> IF(k IS NULL, 0.0D, {score}))"


def word_scores(words_column: str = "words", lexicon_name: str = "default") -> Column:
    """``word_scores_sql`` as a Column, computed once however many later columns read it."""
    return spark.per_context(
        ("structured.word_scores", words_column, lexicon_name),
        lambda: computed_once(F.expr(word_scores_sql(words_column, lexicon_name))),
    )


def tweet_score(words_column: str, scores_column: str) -> Column:
    """``lexicon.tweet_score`` of each tweet's ``words`` whose scores (``word_scores``) are in ``scores_column``
    (as ``tweet_scores``, but row by row: no join, no ``groupBy``), so it can come before a streaming
    aggregation."""
    negators = ", ".join(_sql_string(w) for w in sorted(NEGATORS))
    suffix = _sql_string("n't")
    negated = f"w IN ({negators}) OR endswith(w, {suffix})"
    marks = (
        f"filter(transform({words_column}, (w, i) -> named_struct('pos', i, "
        f"'neg', {negated}, 'score', {scores_column}[i])), "
        "m -> m.neg OR m.score != 0)"
    )
    return _fold_score(F.expr(marks))


def polarity(score: Column) -> Column:
    """``positive``, ``negative`` or ``neutral`` by the sign of ``score`` (``lexicon.polarity``)."""
    return F.when(score > 0, "positive").when(score < 0, "negative").otherwise("neutral")


def windowed_counts(
    tweets: DataFrame, window_s: float = WINDOW_S, slide_s: float = SLIDE_S, watermark_s: float | None = None
) -> DataFrame:
    """``(window, word, count)``: words per event-time window (``window.start``, ``window.end``).

    With ``watermark_s`` (a streaming DataFrame) Spark keeps the counts as state and drops a window's
    rows that arrive once the watermark, the largest ``event_time`` seen minus ``watermark_s``, has
    passed the window's end. The watermark is set on the tweets, before their words are exploded.
    """
    counted = tweets.where((F.col("status") == TWEET) & F.col("event_time").isNotNull())
    if watermark_s is not None:
        counted = counted.withWatermark("event_time", interval(watermark_s))
    return words(counted).groupBy(F.window("event_time", interval(window_s), interval(slide_s)), "word").count()


def interval(seconds: float) -> str:
    """``seconds`` as a Spark interval string (``"1500 milliseconds"``): what ``window`` and triggers take."""
    return f"{round(seconds * 1000)} milliseconds"


# --- the running totals: Spark's state ---------------------------------------------------------------------

#: Marker rows start with a NUL, which no token holds: ``"\0tweet"``, ``"\0malformed"``… per line,
#: ``"\0positive"``/``"\0negative"`` per tweet of that sentiment.
MARK = "\0"


def counted_rows(tweets: DataFrame, lexicon_name: str | None = None) -> DataFrame:
    """One ``word`` row per counted token, and one marker row per line for its status; with a lexicon
    also one marker row per positive or negative tweet, and each row's ``polarity`` (null on markers).

    ``groupBy(...).count()`` over these rows is every running total the kit shows, in one stateful
    aggregation (Spark allows one per query in update mode). With a lexicon, each word is looked up once:
    its score gives its own polarity and, folded with the negators, its tweet's.
    """
    is_tweet = F.col("status") == TWEET
    marks = [F.concat(F.lit(MARK), F.col("status"))]
    if lexicon_name is None:
        tokens = F.when(is_tweet, F.col("tokens")).otherwise(F.array().cast("array<string>"))
        marked = F.concat(F.filter(F.array(*marks), lambda m: m.isNotNull()), tokens)
        return tweets.select(F.explode(marked).alias("word"))
    tweets = tweets.withColumn("_scores", word_scores("words", lexicon_name))
    tweets = tweets.withColumn("_score", computed_once(tweet_score("words", "_scores")))  # used twice below
    score = F.col("_score")
    marks.append(
        F.when(is_tweet & (score > 0), F.lit(MARK + "positive")).when(is_tweet & (score < 0), F.lit(MARK + "negative"))
    )
    row = "struct<word:string,polarity:string>"
    scored = F.filter(F.arrays_zip(F.col("words").alias("w"), F.col("_scores").alias("s")), lambda z: counted(z["w"]))
    tokens = F.transform(scored, lambda z: F.struct(z["w"].alias("word"), polarity(z["s"]).alias("polarity")))
    tokens = F.when(is_tweet, tokens).otherwise(F.array().cast(f"array<{row}>"))
    marked = [F.struct(m.alias("word"), F.lit(None).cast("string").alias("polarity")) for m in marks]
    rows = F.concat(F.filter(F.array(*marked), lambda r: r["word"].isNotNull()), tokens)
    return tweets.select(F.explode(rows).alias("r")).select("r.word", "r.polarity")


def running_counts(tweets: DataFrame, lexicon_name: str | None = None) -> DataFrame:
    """``(word[, polarity], count)``: the running totals of ``counted_rows``, kept by Spark as state on a stream."""
    keys = ["word"] if lexicon_name is None else ["word", "polarity"]
    return counted_rows(tweets, lexicon_name).groupBy(*keys).count()


__all__ = [
    "MARK",
    "SLIDE_S",
    "WATERMARK_S",
    "WINDOW_S",
    "counted",
    "counted_rows",
    "interval",
    "lexicon_frame",
    "polarity",
    "running_counts",
    "tokenize",
    "tweet_score",
    "tweet_scores",
    "windowed_counts",
    "with_polarity",
    "word_scores",
    "word_scores_sql",
    "words",
]
