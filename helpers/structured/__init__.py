"""The sentiment pipeline in Structured Streaming: DataFrame functions only, no Python UDF on the hot path.

    lines  = TweetSource(paths.sample_files()).stream(session)    # format("tweets"), or FileSource(...)
    tweets = tokenize(parse(lines))        # status, event_time, words, tokens: one row per line
    words(tweets)                          # one row per counted word, with its tweet's event time
    with_polarity(words(tweets), lexicon_frame(session))   # stream–static join, the lexicon broadcast
    running_counts(tweets)                 # groupBy("word").count(): the running totals, Spark's state
    windowed_counts(tweets, 1800, 600, 600)   # withWatermark + groupBy(window(...), "word").count()

    run = StructuredRun(session, FileSource.from_batches(batches), SETTINGS)
    run.start(); run.finish(); run.stop()          # a bounded run; run.publisher.latest is a Snapshot
    Dashboard(source=tweet_replay, run_factory=run_factory(session), time_unit_s=60)   # the dashboard on it

The state lives in Spark: running totals in a streaming ``groupBy(...).count()`` (update mode), windows
in an event-time windowed aggregation with a watermark (``created_at``, not processing time as in the
DStream pipeline). Both are recoverable from their checkpoints and readable with
``spark.read.format("statestore")``; the driver keeps only the rows Spark emits, for display.

One job a module: ``java_regex`` (Python's regex classes for Java, no Spark), ``parse`` (``configure``
and ``parse_line`` in SQL), ``transforms`` (tokens, words, scores, windows, running totals), ``sources``
(``TweetSource``, ``FileSource``), ``queries`` (checkpoint folders, bounded queries, the state store),
``run`` (``StructuredRun``, ``run_factory``, ``top_from_files``), ``tws`` (notebook 06's
``transformWithState`` processor). This package imports no widget: the dashboard takes ``run_factory``.
"""

from helpers.structured.java_regex import java_pattern
from helpers.structured.parse import BLANK, FILTERED, MALFORMED, TWEET, configure, parse
from helpers.structured.queries import checkpoint_dir, finish, state_counts
from helpers.structured.run import SETTINGS, StructuredRun, run_factory, top_from_files
from helpers.structured.sources import FileSource, StructuredSource, TweetSource, tweet_replay
from helpers.structured.transforms import (
    SLIDE_S,
    WATERMARK_S,
    WINDOW_S,
    lexicon_frame,
    running_counts,
    tokenize,
    tweet_score,
    tweet_scores,
    windowed_counts,
    with_polarity,
    word_scores,
    words,
)

__all__ = [
    "BLANK",
    "FILTERED",
    "MALFORMED",
    "SETTINGS",
    "SLIDE_S",
    "TWEET",
    "WATERMARK_S",
    "WINDOW_S",
    "FileSource",
    "StructuredRun",
    "StructuredSource",
    "TweetSource",
    "checkpoint_dir",
    "configure",
    "finish",
    "java_pattern",
    "lexicon_frame",
    "parse",
    "run_factory",
    "running_counts",
    "state_counts",
    "tokenize",
    "top_from_files",
    "tweet_replay",
    "tweet_score",
    "tweet_scores",
    "windowed_counts",
    "with_polarity",
    "word_scores",
    "words",
]
