"""The sentiment pipeline in Structured Streaming: DataFrame functions only, no Python UDF on the hot path.

    lines  = TweetSource(paths.sample_files()).stream(session)    # format("tweets"), or FileSource(...)
    tweets = tokenize(parse(lines))        # status, event_time, words, tokens: one row per line
    words(tweets)                          # one row per counted word, with its tweet's event time
    with_polarity(words(tweets), lexicon_frame(session))   # stream–static join, the lexicon broadcast
    running_counts(tweets)                 # groupBy("word").count(): the running totals, Spark's state
    windowed_counts(tweets, 1800, 600, 600)   # withWatermark + groupBy(window(...), "word").count()

    run = StructuredRun(session, FileSource.from_batches(batches), window_s=1800, slide_s=600)
    run.start(); run.finish(); run.stop()          # a bounded run (availableNow) …
    run.sink.latest                                # … feeding the same Snapshot as the DStream sink

``top_from_files(session, files, n, checkpoint=DIR)`` is ``python -m helpers top --engine structured
--checkpoint DIR``: the same JSON as the python and dstream engines, the totals read back from the
query's state store. ``parse`` is ``helpers.tweets.parse_line`` in SQL expressions: a plain tweet line
takes a fast road (``parse_json`` to validate, a fixed ``from_json`` schema to read), every other line
the exact one (Spark 4's VARIANT type tells a JSON string from a number, which ``from_json`` cannot);
``tokenize`` is ``helpers.text``'s regex translated for Java, its character classes generated from
Python's own.

The state lives in Spark: running totals in a streaming ``groupBy(...).count()`` (update mode), windows
in an event-time windowed aggregation with a watermark (``created_at``, not processing time as in the
DStream pipeline): Spark drops a window's rows that arrive once the watermark (the largest event time
seen, minus the delay) has passed its end, and forgets the window. Both are recoverable from their
checkpoints and readable with ``spark.read.format("statestore")``. The driver keeps only the rows Spark
emits, for display.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.infra import spark
from helpers.lexicon import scores as lexicon_scores
from helpers.model import Stats, top_json
from helpers.sinks import Listener, SnapshotSink
from helpers.text import NEGATORS, stopwords
from helpers.tweets import MAX_LINE_CHARS

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql.streaming import StreamingQuery

#: Event-time windows of StructuredRun: 30 minutes sliding every 10, late rows dropped 10 minutes on.
WINDOW_S, SLIDE_S, WATERMARK_S = 1800.0, 600.0, 600.0

#: What ``parse`` says about each line (blank lines are neither tweets nor malformed).
BLANK, MALFORMED, TWEET, FILTERED = "blank", "malformed", "tweet", "filtered"

_I64_MAX, _U64_MAX = 2**63 - 1, 2**64 - 1


# --- the session ---------------------------------------------------------------------------------------


def configure(session: SparkSession) -> SparkSession:
    """Settings the pipeline relies on; safe to call again.

    - ``spark.sql.variant.allowDuplicateKeys``: ``{"a": 1, "a": 2}`` is valid JSON to Python (the last
      value wins) and to ``from_json``; the VARIANT parser refuses it unless told otherwise.
    - ``spark.sql.session.timeZone=UTC``: windows print in UTC, as the tweets' ``created_at``.
    - ``spark.sql.codegen.hugeMethodLimit=8000``: ``parse``'s generated code is too long for HotSpot to
      compile (it interprets any method over 8,000 bytes, which made every row four times slower);
      at this limit Spark falls back to compiling each projection on its own.
    """
    session.conf.set("spark.sql.variant.allowDuplicateKeys", "true")
    session.conf.set("spark.sql.codegen.hugeMethodLimit", "8000")
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.shuffle.partitions", str(spark.SHUFFLE_PARTITIONS))
    return session


# --- Java regular expressions equivalent to Python's ---------------------------------------------------


def _ranges(pred: Any, lo: int = 0, hi: int = 0x10FFFF) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = None
    for cp in range(lo, hi + 1):
        if pred(chr(cp)):
            if start is None:
                start = cp
        elif start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, hi))
    return out


def _x(cp: int) -> str:
    return f"\\x{{{cp:X}}}"


def _flat(ranges: Sequence[tuple[int, int]]) -> str:
    return "".join(_x(a) if a == b else f"{_x(a)}-{_x(b)}" for a, b in ranges)


def _tree(ranges: Sequence[tuple[int, int]]) -> str:
    """A Java class for many ranges, nested by halves: a character is tested against ~20 ranges, not 700.

    (Java tests a flat ``[a-bc-d…]`` range by range, which made the tokenizer ten times slower.)
    """
    if len(ranges) <= 6:
        return f"[{_flat(ranges)}]"
    half = len(ranges) // 2
    left, right = ranges[:half], ranges[half:]
    return (
        f"[[{_x(left[0][0])}-{_x(left[-1][1])}&&{_tree(left)}][{_x(right[0][0])}-{_x(right[-1][1])}&&{_tree(right)}]]"
    )


def _java_class(pred: Any) -> str:
    """The Java class of every code point for which ``pred(char)`` holds in this Python (ASCII tested first)."""
    return f"[{_flat(_ranges(pred, 0, 0x7F))}{_tree(_ranges(pred, 0x80))}]"


@cache
def java_classes() -> dict[str, str]:
    """Python's ``\\w``, ``\\d`` and ``\\s`` (for ``str`` patterns) as Java classes, code point for code point.

    Java's ``(?U)\\w`` is close but not the same: it takes combining marks (so Hindi words stay whole,
    where Python splits them) and leaves out ``²`` or ``½``. Generated here from Python's tables.
    """
    return {
        "w": _java_class(lambda c: c.isalnum() or c == "_"),
        "d": _java_class(str.isdecimal),
        "s": f"[{_flat(_ranges(str.isspace))}]",
    }


@cache
def java_pattern() -> str:
    """``helpers.text``'s tokenizer for Java's regex engine (``regexp_extract_all(…, 1)``), same matches."""
    c = java_classes()
    w, d, s = c["w"], c["d"], c["s"]
    not_s = "[^" + s[1:]
    return (
        f"(?:https?://|www\\.){not_s}+"  # URLs: dropped
        f"|@{w}+"  # @mentions: dropped
        f"|{d}+(?:[.,:/]{d}+)*(?!{w}|['’])"  # pure numbers: dropped
        f"|(\\#{w}+"  # hashtags, kept with their '#'
        f"|{w}+(?:['’]{w}+)*"  # words, with inner apostrophes
        "|[:;=][-o*']?[)\\](\\[dp/\\\\|]"  # emoticons
        "|[\\x{1F300}-\\x{1FAFF}\\x{2600}-\\x{27BF}\\x{2B50}\\x{2764}])"  # emoji, one token each
    )


@cache
def blank_pattern() -> str:
    """A line that is empty or only whitespace as Python's ``str.isspace`` sees it (``\\x1c``… included)."""
    return "\\A" + java_classes()["s"] + "*\\z"


# --- parse: helpers.tweets.parse_line in SQL ---------------------------------------------------------------


def _f() -> Any:
    from pyspark.sql import functions

    return functions


def _get(v: Column, path: str) -> Column:
    """The JSON value at ``path`` of a VARIANT: SQL NULL when absent, a variant null for ``null``."""
    return _f().variant_get(v, path, "variant")


def _kind(v: Column) -> Column:
    """``missing``, ``null``, ``object``, or the type of any other value: ``STRING``, ``BIGINT``,
    ``DECIMAL(p,s)``, ``DOUBLE``, ``BOOLEAN``, ``ARRAY<…>``. (An object is told by a cheap cast to a
    struct of one field, so its whole schema is never built.)"""
    F = _f()
    is_object = F.try_variant_get(v, "$", "struct<k: variant>").isNotNull()
    return (
        F.when(v.isNull(), F.lit("missing"))
        .when(F.is_variant_null(v), F.lit("null"))
        .when(is_object, F.lit("object"))
        .otherwise(F.schema_of_variant(v))
    )


def _number(kind: Column) -> Column:
    return (kind == "BIGINT") | (kind == "DOUBLE") | kind.startswith("DECIMAL")


def _is_int(v: Column, kind: Column) -> Column:
    """A Python ``int`` after ``orjson.loads``: integers up to 2**64 - 1 (beyond, orjson makes a float).

    Spark keeps integers above 2**63 - 1 as DECIMAL(p,0), the type it also gives ``5.0``; the value
    range tells them apart (``9223372036854775808.0`` would pass: one case not worth a regex).
    """
    F = _f()
    big = F.try_variant_get(v, "$", "decimal(20,0)")
    low, high = F.lit(str(_I64_MAX)).cast("decimal(20,0)"), F.lit(str(_U64_MAX)).cast("decimal(20,0)")
    in_u64 = F.coalesce((big > low) & (big <= high), F.lit(False))
    return (kind == "BIGINT") | (kind.startswith("DECIMAL(") & kind.endswith(",0)") & in_u64)


def _truthy(v: Column, kind: Column) -> Column:
    """Python's ``bool()`` of the decoded value: false for missing, null, "", 0, false, [] and {}."""
    F = _f()
    return F.coalesce(
        F.when(kind.isin("missing", "null"), F.lit(False))
        .when(kind == "object", F.schema_of_variant(v) != "OBJECT<>")
        .when(kind == "STRING", F.try_variant_get(v, "$", "string") != "")
        .when(kind == "BOOLEAN", F.try_variant_get(v, "$", "boolean"))
        .when(kind.startswith("ARRAY"), F.size(F.try_variant_get(v, "$", "array<variant>")) > 0)
        .otherwise(F.try_variant_get(v, "$", "double") != 0),
        F.lit(False),
    )


def _py_str(v: Column, kind: Column) -> Column:
    """Python's ``str()`` of a string, boolean or integer value (NULL for other kinds: see ``parse``)."""
    F = _f()
    return (
        F.when(kind == "STRING", F.try_variant_get(v, "$", "string"))
        .when(kind == "BOOLEAN", F.when(F.try_variant_get(v, "$", "boolean"), "True").otherwise("False"))
        .when(_is_int(v, kind), F.try_variant_get(v, "$", "string"))
    )


def _once(col: Column) -> Column:
    """``col``, behind an optimizer barrier: computed once in its own projection, never copied into later ones.

    Without it a filter on ``status`` (``words``, ``windowed_counts``…) is pushed down through every
    step of ``parse``, each column replaced by its formula, many times over, until the plan fills the
    driver's memory; and ``tokens`` would run the tokenizer's regex a second time. Spark moves nothing
    across a projection holding a nondeterministic expression; the partition id (never negative) is
    the cheapest one.
    """
    F = _f()
    return F.when(F.spark_partition_id() >= 0, col)


def _equals(value: Column, wanted: str | None) -> Column:
    F = _f()
    return F.lit(True) if wanted is None else F.coalesce(value == F.lit(wanted), F.lit(False))


#: Numbers orjson refuses because they overflow a double (1e400); cheap test first, exact one after.
_BIG_NUMBER_HINT = "[0-9][eE][+]?0*[1-9][0-9]{2}|[0-9]{309}"
_JSON_STRING = '"(?:[^"\\\\]|\\\\.)*"'
_JSON_NUMBER = "-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"


def _overflows(value: Column) -> Column:
    """True if a number outside the JSON strings rounds to infinity as a double."""
    F = _f()
    numbers = F.regexp_extract_all(F.regexp_replace(value, _JSON_STRING, '""'), F.lit(_JSON_NUMBER), F.lit(0))
    infinite = F.exists(numbers, lambda n: F.abs(n.cast("double")) == F.lit(float("inf")))
    return F.when(value.rlike(_BIG_NUMBER_HINT), F.coalesce(infinite, F.lit(False))).otherwise(F.lit(False))


#: The fields ``from_object`` reads, by where they sit: in the stream shape's top level, or in ``data``.
_TOP_FIELDS = {
    "includes": "$.includes",
    "users": "$.includes.users",
    "rules": "$.matching_rules",
    "rule0": "$.matching_rules[0]",
    "tag": "$.matching_rules[0].tag",
}
_DATA_FIELDS = {
    "note": "$.note_tweet",
    "note_text": "$.note_tweet.text",
    "text0": "$.text",
    "id": "$.id",
    "lang": "$.lang",
    "created": "$.created_at",
    "entities": "$.entities",
    "metrics": "$.public_metrics",
}


#: The fast road's fields of a plain tweet line (NULL for every other line).
_PLAIN_TYPE = "struct<id: string, created_at: string, lang: string, topic: string, text: string>"

#: What the fast road reads of a line with ``from_json`` (a container of another kind sets ``_corrupt``).
_PLAIN_SCHEMA = (
    "struct<data: struct<id: string, text: string, created_at: string, lang: string, note_tweet: struct<text: string>,"
    " entities: struct<>, public_metrics: struct<>>, includes: struct<users: array<struct<>>>,"
    " matching_rules: array<struct<tag: string>>, _corrupt: string>"
)
#: An id whose digits Python prints the same whether the JSON held a string or an integer (orjson reads
#: integers from -2**63 to 2**64 - 1 as ``int``: every 19-digit one fits, every negative 18-digit one).
_PLAIN_INT = "^(?:0|[1-9][0-9]{0,18}|-[1-9][0-9]{0,17})$"
#: How ``from_json`` writes a number read into a string field.
_RAW_NUMBER = "^-?[0-9]+(?:[.][0-9]+)?(?:[eE][-+]?[0-9]+)?$"


def _from_string(text: Column) -> Column:
    """True if ``from_json`` read ``text`` from a JSON string: any other value it writes as its JSON text."""
    F = _f()
    first = F.substring(text, 1, 1)
    return ~(
        first.isin("{", "[", '"')
        | text.isin("true", "false")
        | (first.isin("-", *"0123456789") & text.rlike(_RAW_NUMBER))
    )


def _plain(lines: DataFrame) -> DataFrame:
    """``lines`` with ``_plain``: a plain tweet line's fields, read cheaply, or NULL (the exact road's lines).

    One ``parse_json`` validates the line as step 1 of ``parse`` does, one ``from_json`` reads the
    fields (a number or ``true`` read into a string field comes back as its JSON text, which
    ``_from_string`` rules out). Plain: valid UTF-8 of at most 100,000 bytes with no U+FFFD, one JSON
    object and nothing after it, no number beyond a double's range (``parse_json`` makes it
    ±Infinity), ``data`` an object with a string ``id`` (or an integer below 10**19), a string
    ``created_at``, a string, null or no ``lang``, a non-empty string text (``note_tweet.text`` when
    it is a non-empty string, else ``text``), ``entities`` and ``public_metrics`` objects, null or
    absent, ``includes`` an object (whose ``users`` is a list of objects, null or absent), null or
    absent, ``matching_rules`` a list of objects, null or absent, and the first rule's ``tag`` a
    string, null or absent. ``parse_line`` reads every such line as a tweet with these very fields;
    the tests check that both roads agree on every awkward line.
    """
    F = _f()
    value, c = F.col("value"), F.col
    cheap = (
        value.startswith("{")
        & value.endswith("}")
        & (F.octet_length(value) <= MAX_LINE_CHARS)  # bytes >= characters
        & F.is_valid_utf8(value)
        & ~value.contains("\ufffd")
    )
    # one JSON value and nothing after it, as step 1 of ``parse`` tells; a number beyond a double's
    # range is parsed as ±Infinity, which to_json writes out (the only JSON the VARIANT is used for)
    doc = F.try_parse_json(F.concat(F.lit('{"v":'), value, F.lit("}")))
    valid = (
        cheap
        & (F.json_array_length(F.concat(F.lit("["), value, F.lit("]"))) == 1)
        & ~F.to_json(doc).contains("Infinity")
    )
    read = F.from_json(value, _PLAIN_SCHEMA, {"columnNameOfCorruptRecord": "_corrupt"})
    step = lines.select("*", _once(F.when(F.coalesce(valid, F.lit(False)), read)).alias("_pj"))
    data = c("_pj.data")
    note, text0, tweet_id = data["note_tweet"]["text"], data["text"], data["id"]
    use_note = F.coalesce(note != "", F.lit(False))
    text = F.when(use_note, note).otherwise(text0)
    tag = F.try_element_at(c("_pj.matching_rules"), F.lit(1))["tag"]
    plain = (
        c("_pj").isNotNull()
        & c("_pj._corrupt").isNull()
        & F.when(use_note, _from_string(note)).otherwise(_from_string(text0) & (text0 != ""))
        & (_from_string(tweet_id) | tweet_id.rlike(_PLAIN_INT))
        & _from_string(data["created_at"])
        & (data["lang"].isNull() | _from_string(data["lang"]))
        & (tag.isNull() | _from_string(tag))
    )
    fields = F.struct(
        tweet_id.alias("id"),
        data["created_at"].alias("created_at"),
        data["lang"].alias("lang"),
        tag.alias("topic"),
        text.alias("text"),
    )
    return step.select(*lines.columns, _once(F.when(F.coalesce(plain, F.lit(False)), fields)).alias("_plain"))


def parse(lines: DataFrame, topic: str | None = None, lang: str | None = None, fast: bool = True) -> DataFrame:
    """One row per line of ``lines`` (a ``value`` column, streaming or not) with what ``parse_line`` makes of it.

    Columns: ``value``, ``status`` (``blank``, ``malformed``, ``tweet``, or ``filtered`` by ``topic`` /
    ``lang``), ``id``, ``created_at``, ``event_time`` (a timestamp, NULL if ``created_at`` is not one),
    ``lang``, ``topic``, ``text``. Malformed is every non-blank line ``parse_line`` returns None for:
    not UTF-8, a U+FFFD, over 100,000 characters, not one JSON value (trailing text is caught by
    parsing the line inside ``{"v": …}`` and inside ``[…]``: no trailing text survives both), not an
    object, no tweet shape, no non-empty string text (``note_tweet.text`` first when truthy), an id
    that is neither a string nor an integer, or a field Python would trip over (``"includes": 5``).

    Built in steps, one ``select`` each, so every value is computed once (a single expression would
    repeat the shared parts many times over). Known differences, all on lines no tweet source writes:
    JSON nested deeper than 999 levels (Spark refuses from 1000, orjson from 1025), a number written
    with more than 1000 characters, and a topic or language given as a float, array or object (Python
    compares its ``str()``; here it never matches a filter). Call ``configure(session)`` first:
    duplicate keys need it. Plain tweet lines take the fast road (``_plain``), all others the steps
    below; ``fast=False`` sends every line down the steps (the tests compare both roads).
    """
    F = _f()
    value, c = F.col("value"), F.col
    # 0. a plain tweet's fields by the fast road; every other line (``line``) goes the exact road below
    if fast:
        lines = _plain(lines)
        plain = c("_plain")
        line = F.when(plain.isNull(), value)
    else:
        plain, line = F.lit(None).cast(_PLAIN_TYPE), value
    # 1. the line as text and as one JSON document
    step = lines.select(
        value,
        plain.alias("_plain"),
        line.rlike(blank_pattern()).alias("_blank"),
        (F.is_valid_utf8(line) & ~line.contains("\ufffd") & (F.char_length(line) <= MAX_LINE_CHARS)).alias("_line_ok"),
        F.try_parse_json(F.concat(F.lit('{"v":'), line, F.lit("}"))).alias("_doc"),
        (F.json_array_length(F.concat(F.lit("["), line, F.lit("]"))) == 1).alias("_one_value"),
        _overflows(line).alias("_overflow"),
    )
    # 2. the stream shape ({"data": {...}, ...}) or a bare search item ({"id", "text", ...})
    step = step.select("*", _get(c("_doc"), "$.v").alias("_obj"), _get(c("_doc"), "$.v.data").alias("_data_v"))
    step = step.select("*", (_kind(c("_data_v")) == "object").alias("_stream"))
    step = step.select(
        "*",
        (~c("_stream") & _get(c("_obj"), "$.text").isNotNull() & _get(c("_obj"), "$.id").isNotNull()).alias("_search"),
        F.when(c("_stream"), c("_data_v")).otherwise(c("_obj")).alias("_data"),
    )
    # 3. every field from_object reads, and its JSON kind
    step = step.select(
        "*",
        *[_get(c("_obj"), path).alias(f"_{name}") for name, path in _TOP_FIELDS.items()],
        *[_get(c("_data"), path).alias(f"_{name}") for name, path in _DATA_FIELDS.items()],
    )
    names = [*_TOP_FIELDS, *_DATA_FIELDS]
    step = step.select("*", *[_kind(c(f"_{n}")).alias(f"_k_{n}") for n in names])

    def v(name: str) -> Column:
        return c(f"_{name}")

    def k(name: str) -> Column:
        return c(f"_k_{name}")

    # 4. the text (note_tweet.text when it is truthy), and what Python would trip over
    use_note = (k("note") == "object") & _truthy(v("note_text"), k("note_text"))
    step = step.select(
        "*",
        F.when(use_note, v("note_text")).otherwise(v("text0")).alias("_text_v"),
        F.when(use_note, k("note_text")).otherwise(k("text0")).alias("_k_text"),
    )
    stream = c("_stream")
    trips = (
        (stream & _truthy(v("includes"), k("includes")) & (k("includes") != "object"))  # .get on a non-dict
        | (
            stream
            & (k("includes") == "object")
            & _truthy(v("users"), k("users"))
            & (_number(k("users")) | (k("users") == "BOOLEAN"))
        )  # iterating over a number or true
        | (stream & _truthy(v("rules"), k("rules")) & ~(k("rules").startswith("ARRAY") | (k("rules") == "STRING")))
        | (_truthy(v("entities"), k("entities")) & (k("entities") != "object"))
        | (_truthy(v("metrics"), k("metrics")) & (k("metrics") != "object"))
    )
    text = F.try_variant_get(v("text_v"), "$", "string")
    valid = (
        c("_line_ok")
        & c("_doc").isNotNull()
        & c("_one_value")
        & ~c("_overflow")
        & (stream | c("_search"))
        & (k("text") == "STRING")
        & (F.coalesce(text, F.lit("")) != "")
        & (k("id").isin("STRING", "BOOLEAN") | _is_int(v("id"), k("id")))
        & ~trips
    )
    tagged = stream & k("rules").startswith("ARRAY") & (k("rule0") == "object") & ~k("tag").isin("missing", "null")
    step = step.select(
        "*",
        F.coalesce(valid, F.lit(False)).alias("_o_valid"),
        text.alias("_o_text"),
        F.when(tagged, _py_str(v("tag"), k("tag"))).alias("_o_topic"),
        _py_str(v("lang"), k("lang")).alias("_o_lang"),
        F.when(k("created") == "null", F.lit("None"))  # str(None), as Python writes it
        .when(
            k("created") != "missing",
            F.coalesce(_py_str(v("created"), k("created")), F.try_variant_get(v("created"), "$", "string")),
        )
        .alias("_o_created_at"),
        _py_str(v("id"), k("id")).alias("_o_id"),
    )
    # 5. the verdict, and the tweet's fields
    is_plain = c("_plain").isNotNull()

    def field(name: str) -> Column:
        return F.when(is_plain, c("_plain")[name]).otherwise(c(f"_o_{name}"))

    step = step.select(
        "*", *[field(name).alias(f"_f_{name}") for name in ("id", "created_at", "lang", "topic", "text")]
    )
    status = (
        F.when(~is_plain & c("_blank"), F.lit(BLANK))
        .when(~is_plain & ~c("_o_valid"), F.lit(MALFORMED))
        .when(~(_equals(c("_f_topic"), topic) & _equals(c("_f_lang"), lang)), F.lit(FILTERED))
        .otherwise(F.lit(TWEET))
    )
    step = step.select("*", _once(status).alias("status"))
    parsed = c("status").isin(TWEET, FILTERED)
    return step.select(
        value,
        "status",
        F.when(parsed, c("_f_id")).alias("id"),
        F.when(parsed, c("_f_created_at")).alias("created_at"),
        F.when(parsed, F.try_to_timestamp(c("_f_created_at"))).alias("event_time"),
        F.when(parsed, c("_f_lang")).alias("lang"),
        F.when(parsed, c("_f_topic")).alias("topic"),
        F.when(parsed, c("_f_text")).alias("text"),
    )


# --- tokenize, words, the lexicon ----------------------------------------------------------------------


def tokenize(tweets: DataFrame) -> DataFrame:
    """Add ``words`` (every token in order, '' for a dropped URL, mention or number, as ``text.words``)
    and ``tokens`` (the counted ones: ``text.tokenize``, stopwords and ``rt`` left out) to counted tweets."""
    F = _f()
    lowered = F.replace(F.lower(F.col("text")), F.lit("’"), F.lit("'"))
    all_words = _once(F.when(F.col("status") == TWEET, F.regexp_extract_all(lowered, F.lit(java_pattern()), F.lit(1))))
    stop = F.lit(sorted(stopwords()))
    return tweets.withColumn("words", all_words).withColumn(
        "tokens", F.filter(F.col("words"), lambda w: ~F.array_contains(stop, w))
    )


def words(tweets: DataFrame) -> DataFrame:
    """One row per counted word of every counted tweet: ``event_time``, ``word``."""
    F = _f()
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
    F = _f()
    exact = F.broadcast(lexicon.select(F.col("word").alias("_w1"), F.col("score").alias("_s1")))
    bare = F.broadcast(lexicon.select(F.col("word").alias("_w2"), F.col("score").alias("_s2")))
    hashtag = F.col("word").startswith("#")
    joined = df.join(exact, F.col("word") == F.col("_w1"), "left").join(
        bare, hashtag & (F.expr("substr(word, 2)") == F.col("_w2")), "left"
    )
    score = F.coalesce(F.col("_s1"), F.when(hashtag, F.col("_s2")), F.lit(0.0))
    polarity = F.when(score > 0, "positive").when(score < 0, "negative").otherwise("neutral")
    return joined.withColumn("score", score).withColumn("polarity", polarity).drop("_w1", "_s1", "_w2", "_s2")


def tweet_scores(tweets: DataFrame, lexicon: DataFrame) -> DataFrame:
    """``(uid, score)`` of every counted tweet with a sentiment word, as ``lexicon.tweet_score`` (batch only).

    The words are exploded with their position, scored by the broadcast join, and folded back per tweet
    in order (``aggregate``): a negator flips a sentiment word at most three words on, and a sentiment
    word uses the negation up. ``tweets`` needs a unique ``uid`` column.
    """
    F = _f()
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
    F = _f()
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


def word_score_sql(x: str, lexicon_name: str = "default") -> str:
    """SQL for the score of token ``x`` (``#love`` takes ``love``'s when not listed itself), 0.0 if unknown."""
    every, groups = _lexicon_sql(lexicon_name)

    def case(y: str) -> str:
        return "CASE " + " ".join(f"WHEN {y} IN ({words}) THEN {score}" for score, words in groups) + " END"

    bare = f"substr({x}, 2)"
    return (
        f"CASE WHEN {x} IN ({every}) THEN {case(x)} "
        f"WHEN startswith({x}, '#') AND {bare} IN ({every}) THEN {case(bare)} ELSE 0.0D END"
    )


def tweet_score(words_column: str, lexicon_name: str = "default") -> Column:
    """``lexicon.tweet_score`` of each tweet's ``words`` (as ``tweet_scores``, but row by row: no join, no
    ``groupBy``), so it can come before a streaming aggregation."""
    F = _f()
    negators = ", ".join(_sql_string(w) for w in sorted(NEGATORS))
    suffix = _sql_string("n't")
    negated = f"w IN ({negators}) OR endswith(w, {suffix})"
    marks = (
        f"filter(transform({words_column}, (w, i) -> named_struct('pos', i, "
        f"'neg', {negated}, 'score', {word_score_sql('w', lexicon_name)})), "
        "m -> m.neg OR m.score != 0)"
    )
    return _fold_score(F.expr(marks))


def word_score(column: str, lexicon_name: str = "default") -> Column:
    """The score of the token in ``column`` (``word_score_sql`` as a Column)."""
    return _f().expr(word_score_sql(column, lexicon_name))


def windowed_counts(
    tweets: DataFrame, window_s: float = WINDOW_S, slide_s: float = SLIDE_S, watermark_s: float | None = None
) -> DataFrame:
    """``(window, word, count)``: words per event-time window (``window.start``, ``window.end``).

    With ``watermark_s`` (a streaming DataFrame) Spark keeps the counts as state and drops a window's
    rows that arrive once the watermark, the largest ``event_time`` seen minus ``watermark_s``, has
    passed the window's end. The watermark is set on the tweets, before their words are exploded.
    """
    F = _f()
    counted = tweets.where((F.col("status") == TWEET) & F.col("event_time").isNotNull())
    if watermark_s is not None:
        counted = counted.withWatermark("event_time", _duration(watermark_s))
    return words(counted).groupBy(F.window("event_time", _duration(window_s), _duration(slide_s)), "word").count()


def _duration(seconds: float) -> str:
    return f"{round(seconds * 1000)} milliseconds"


# --- the running totals: Spark's state ---------------------------------------------------------------------

#: Marker rows start with a NUL, which no token holds: ``"\0tweet"``, ``"\0malformed"``… per line,
#: ``"\0positive"``/``"\0negative"`` per tweet of that sentiment.
MARK = "\0"


def counted_rows(tweets: DataFrame, lexicon_name: str | None = None) -> DataFrame:
    """One ``word`` row per counted token, and one marker row per line for its status; with a lexicon
    also one marker row per positive or negative tweet, and each row's ``polarity`` (null on markers).

    ``groupBy(...).count()`` over these rows is every running total the kit shows, in one stateful
    aggregation (Spark allows one per query in update mode).
    """
    F = _f()
    is_tweet = F.col("status") == TWEET
    tokens = F.when(is_tweet, F.col("tokens")).otherwise(F.array().cast("array<string>"))
    marks = [F.concat(F.lit(MARK), F.col("status"))]
    if lexicon_name is not None:
        tweets = tweets.withColumn("_score", tweet_score("words", lexicon_name))  # computed once, used twice
        score = F.col("_score")
        marks.append(
            F.when(is_tweet & (score > 0), F.lit(MARK + "positive")).when(
                is_tweet & (score < 0), F.lit(MARK + "negative")
            )
        )
    marked = F.concat(F.filter(F.array(*marks), lambda m: m.isNotNull()), tokens)
    rows = tweets.select(F.explode(marked).alias("word"))
    if lexicon_name is None:
        return rows
    score = word_score("word", lexicon_name)
    polarity = F.when(score > 0, "positive").when(score < 0, "negative").otherwise("neutral")
    return rows.withColumn("polarity", F.when(~F.col("word").startswith(MARK), polarity))


def running_counts(tweets: DataFrame, lexicon_name: str | None = None) -> DataFrame:
    """``(word[, polarity], count)``: the running totals of ``counted_rows``, kept by Spark as state on a stream."""
    keys = ["word"] if lexicon_name is None else ["word", "polarity"]
    return counted_rows(tweets, lexicon_name).groupBy(*keys).count()


def state_counts(session: SparkSession, checkpoint: str | Path) -> dict[str, int]:
    """The counts ``running_counts`` left in a query's checkpoint, read with ``format("statestore")``.

    Empty when no micro-batch was committed yet (there is no state to read).
    """
    if not any(p.name.isdigit() for p in (Path(checkpoint) / "commits").glob("*")):
        return {}
    state = session.read.format("statestore").load(str(checkpoint))
    return {r[0]: r[1] for r in state.select("key.word", "value.count").collect()}


# --- sources ------------------------------------------------------------------------------------------------


class FileSource:
    """Structured Streaming's file source: text lines of the files in ``folder``, ``files_per_batch`` a batch.

    Bounded: the query runs with ``trigger(availableNow=True)``, takes every file there and stops.
    ``from_files`` and ``from_batches`` stage the files in a new folder, their modification times one
    second apart, so the batches come in the order given (Spark takes files oldest first).
    """

    def __init__(self, folder: str | Path, files_per_batch: int = 1, owned: bool = False) -> None:
        self.folder = Path(folder)
        self.files_per_batch = files_per_batch
        self._owned = owned

    @classmethod
    def from_files(cls, files: Iterable[str | Path]) -> FileSource:
        """One batch per file, in order (a file named twice is read twice, as the other engines do)."""
        paths = [Path(f) for f in files]
        folder = Path(tempfile.mkdtemp(prefix="lab-structured-in-"))
        for i, path in enumerate(paths):
            shutil.copyfile(path, folder / f"{i:05d}-{path.name}")
        return cls(_in_order(folder), owned=True)

    @classmethod
    def from_batches(cls, batches: Iterable[Sequence[str]]) -> FileSource:
        """One batch per list of lines, in order."""
        folder = Path(tempfile.mkdtemp(prefix="lab-structured-in-"))
        for i, batch in enumerate(batches):
            (folder / f"{i:05d}.ndjson").write_text("".join(f"{line}\n" for line in batch), encoding="utf-8")
        return cls(_in_order(folder), owned=True)

    def __len__(self) -> int:
        return -(-len(self.files()) // self.files_per_batch)

    def files(self) -> list[Path]:
        """The files Spark will read, in order."""
        return sorted(p for p in self.folder.iterdir() if p.is_file() and not p.name.startswith((".", "_")))

    def stream(self, session: SparkSession) -> DataFrame:
        """``readStream.text(folder)``: a streaming DataFrame of one ``value`` column."""
        return session.readStream.option("maxFilesPerTrigger", self.files_per_batch).text(str(self.folder))

    def trigger(self, batch_s: float) -> dict[str, Any]:
        """Every file there, in as many batches as needed, then stop."""
        return {"availableNow": True}

    def stop(self) -> None:
        """Delete the folder if ``from_files`` or ``from_batches`` made it."""
        if self._owned:
            shutil.rmtree(self.folder, ignore_errors=True)


def _in_order(folder: Path) -> Path:
    """Give the files of ``folder`` modification times a second apart, in name order (none in the future)."""
    now = time.time()
    names = sorted(folder.iterdir())
    for i, path in enumerate(names):
        stamp = now - len(names) + i
        os.utime(path, (stamp, stamp))
    return folder


class TweetSource:
    """The kit's ``format("tweets")`` source on files: replayable, in order, resumable from a checkpoint.

    ``rows_per_batch`` caps a micro-batch (``maxRowsPerTrigger``); ``paced`` runs a micro-batch every
    ``batch_s`` seconds (a replay at ``rows_per_batch / batch_s`` tweets a second), otherwise the query takes
    what is there (``availableNow``) and stops. ``from_lines`` stages lines in a file of its own.
    """

    def __init__(
        self, files: Iterable[str | Path], rows_per_batch: int | None = None, paced: bool = False, owned: bool = False
    ) -> None:
        self.paths = [Path(f).resolve() for f in files]
        self.rows_per_batch, self.paced, self._owned = rows_per_batch, paced, owned

    @classmethod
    def from_lines(cls, lines: Iterable[str], rows_per_batch: int | None = None, paced: bool = False) -> TweetSource:
        """The lines, staged in a new file (deleted by ``stop``)."""
        folder = Path(tempfile.mkdtemp(prefix="lab-structured-in-"))
        path = folder / "tweets.ndjson"
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        return cls([path], rows_per_batch, paced, owned=True)

    def stream(self, session: SparkSession) -> DataFrame:
        """``readStream.format("tweets")``: a streaming DataFrame of one ``value`` column."""
        reader = session.readStream.format("tweets").option("path", ",".join(str(p) for p in self.paths))
        if self.rows_per_batch:
            reader = reader.option("maxRowsPerTrigger", self.rows_per_batch)
        return reader.load()

    def trigger(self, batch_s: float) -> dict[str, Any]:
        """Paced: a micro-batch every ``batch_s`` seconds; otherwise what is there, then stop."""
        return {"processingTime": _duration(batch_s)} if self.paced else {"availableNow": True}

    def stop(self) -> None:
        """Delete the staged file if ``from_lines`` made it."""
        if self._owned:
            shutil.rmtree(self.paths[0].parent, ignore_errors=True)


def tweet_replay(dash: Any) -> TweetSource:
    """The Structured dashboard's source, from its controls: the sample (one topic or all, merged in time
    order, ``dash.limit`` lines at most) at ``dash.speed`` tweets a second through ``format("tweets")``."""
    from helpers import paths
    from helpers.sample import merged_lines

    topic = dash.topic.value or None
    lines = merged_lines(paths.sample_files([topic]) if topic else paths.sample_files())
    if dash.limit is not None:
        lines = itertools.islice(lines, dash.limit)
    rows = max(1, round(float(dash.speed.value) * dash.batch_s))
    dash.note.value = f"replaying the shipped sample ({topic or 'all topics'}) at {dash.speed.value} tweets/s"
    return TweetSource.from_lines(lines, rows_per_batch=rows, paced=True)


def as_source(source: Any) -> Any:
    """``source`` if it is a Structured source (it has ``stream(session)``); else a TypeError that says why."""
    if hasattr(source, "stream"):
        return source
    raise TypeError(
        f"{type(source).__name__} is not a Structured Streaming source (it needs a stream(session)); "
        "use TweetSource or FileSource: a socket cannot replay what a restarted query needs"
    )


# --- data for notebook 06 -------------------------------------------------------------------------------

#: The late-data example: tweets held back from the first 10 minutes, and the batches around them.
LATE_FROM, LATE_UNTIL = "2026-11-20T08:00", "2026-11-20T08:10"


def late_example(topic: str = "football") -> list[list[str]]:
    """Three micro-batches of one topic's tweets in which some arrive late (plain Python, no Spark).

    1. tweets created 08:10–09:00;  2. 09:00–09:20;  3. the ones created 08:00–08:10, held back until
    now, with 09:20–09:40. With 10-minute windows and a 10-minute watermark, the third batch's early
    tweets come after the watermark has passed the end of their window (08:10).
    """
    from helpers import paths
    from helpers.sample import read_lines
    from helpers.tweets import parse_line

    def created(line: str) -> str:
        tweet = parse_line(line)
        return tweet.created_at if tweet is not None else ""

    lines = sorted(read_lines(paths.sample_files([topic])), key=created)

    def between(start: str, end: str) -> list[str]:
        return [line for line in lines if start <= created(line) < end]

    day = LATE_FROM[:11]
    return [
        between(LATE_UNTIL, f"{day}09:00"),
        between(f"{day}09:00", f"{day}09:20"),
        between(LATE_FROM, LATE_UNTIL) + between(f"{day}09:20", f"{day}09:40"),
    ]


# --- queries: start, finish, stop ------------------------------------------------------------------------


def checkpoint_dir() -> Path:
    """A fresh checkpoint folder for one query (never a global ``spark.sql.streaming.checkpointLocation``:
    re-running a named memory-sink query would then fail)."""
    return spark.checkpoint_dir(prefix="lab-structured-checkpoint-")


def to_memory(df: DataFrame, name: str, mode: str = "append", trigger: dict[str, Any] | None = None) -> StreamingQuery:
    """Start ``df`` into the in-memory table ``name`` (``session.table(name)``) in output ``mode``.

    Default trigger: ``availableNow`` (a bounded run on a file source). Its own checkpoint folder, so
    the same cell can run again.
    """
    return (
        df.writeStream.format("memory")
        .queryName(name)
        .outputMode(mode)
        .option("checkpointLocation", str(checkpoint_dir()))
        .trigger(**(trigger or {"availableNow": True}))
        .start()
    )


def finish(query: StreamingQuery, timeout: float = 300.0) -> None:
    """Wait for a bounded query (``availableNow``) to end; raise its error, or TimeoutError."""
    if not query.awaitTermination(timeout):
        stop_query(query)
        raise TimeoutError(f"query {query.name or query.id} did not finish in {timeout:g} s")
    error = query.exception()
    if error is not None:
        raise RuntimeError(f"query {query.name or query.id} failed: {error}")


#: Stopping queries between micro-batches lives in ``helpers.infra.spark`` (``stop_all`` uses it too).
stop_query, stop_queries = spark.stop_query, spark.stop_queries


# --- the run: Spark keeps the state, foreachBatch hands its updates to a Snapshot ---------------------------


def current_window(max_event_us: int, window_s: float, slide_s: float) -> tuple[int, int]:
    """``(start, end)`` in microseconds of the window ending soonest after ``max_event_us`` that holds it:
    the last ``window_s`` of event time, as Spark's ``window()`` lays windows out (from the epoch)."""
    w, s = round(window_s * 1e6), round(slide_s * 1e6)
    start = (max_event_us // s) * s
    while start - s + w > max_event_us:
        start -= s
    return start, start + w


def _micros(stamp: str | None) -> int | None:
    """A progress report's event time (``2026-11-20T09:39:58.000Z``) in microseconds since the epoch."""
    if not stamp:
        return None
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return int(when.timestamp()) * 1_000_000 + when.microsecond


@dataclass
class StructuredRun:
    """One run of the Structured Streaming pipeline: two queries whose state Spark keeps, and a ``SnapshotSink``.

    The same life cycle as ``helpers.dstream.runner.StreamRun`` (``start()``, ``wait(batches)``, ``stop()``,
    ``.sink``, ``.running``), so the dashboard and the command line drive either.

    - the totals query: ``running_counts`` (tweets, malformed lines, sentiment, every word) in update
      mode; its ``foreachBatch`` receives the totals Spark updated and turns them into a snapshot;
    - the windows query: ``windowed_counts`` with ``withWatermark`` in update mode (event time,
      ``created_at``); Spark drops late rows and forgets closed windows, ``foreachBatch`` receives the
      windows it updated.

    The driver keeps only copies of the rows Spark emitted, for display (``totals``, ``windows``); a
    batch's stats are the change in Spark's totals. The watermark, the newest event time and the rows
    dropped as late are Spark's, from the windows query's progress. Both checkpoints go under
    ``checkpoint`` (``totals/``, ``windows/``; a fresh folder, deleted by ``stop``, when not given).
    With ``counts_only`` (tweets, malformed lines and words) only the totals query runs.
    """

    session: SparkSession
    source: Any
    batch_s: float = 1.0
    window_s: float = WINDOW_S
    slide_s: float = SLIDE_S
    top_n: int = 50
    lexicon_name: str = "default"
    topic: str | None = None
    lang: str | None = None
    listeners: list[Listener] = field(default_factory=list)
    totals_top: int = 0
    watermark_s: float = WATERMARK_S
    counts_only: bool = False
    checkpoint: str | Path | None = None
    query: StreamingQuery | None = field(default=None, init=False)
    windows_query: StreamingQuery | None = field(default=None, init=False)
    sink: SnapshotSink = field(init=False)
    totals: Counter[str] = field(default_factory=Counter, init=False)
    windows: dict[tuple[int, int], Counter[str]] = field(default_factory=dict, init=False)
    lines_total: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if not 0 < self.slide_s <= self.window_s:
            raise ValueError(f"need 0 < slide <= window, got slide={self.slide_s:g} s and window={self.window_s:g} s")
        if self.watermark_s < 0:
            raise ValueError(f"the watermark delay cannot be negative, got {self.watermark_s:g} s")
        self.source = as_source(self.source)
        self.sink = SnapshotSink(self.top_n, self.batch_s, self.lexicon_name, self.listeners)
        if self.totals_top:
            self.sink.totals_top_n = self.totals_top
        self._root: Path | None = None
        self._stopping = threading.Event()
        self._shown: dict[str, int] = {}  # Spark's latest count of every key it emitted (markers included)
        self._progress: dict[int, dict[str, Any]] = {}  # the windows query's progress, by batch id
        self._lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------------------------------------
    def start(self) -> StructuredRun:
        """Build both queries on the source and start them."""
        configure(self.session)
        self._root = Path(self.checkpoint) if self.checkpoint is not None else checkpoint_dir()
        trigger = self.source.trigger(self.batch_s)
        lexicon = None if self.counts_only else self.lexicon_name
        if not self.counts_only:
            F = _f()
            tweets = tokenize(parse(self.source.stream(self.session), self.topic, self.lang))
            windows = windowed_counts(tweets, self.window_s, self.slide_s, self.watermark_s).select(
                F.unix_micros(F.col("window.start")).alias("start"),
                F.unix_micros(F.col("window.end")).alias("end"),
                "word",
                "count",
            )
            self.windows_query = (
                windows.writeStream.outputMode("update")
                .foreachBatch(self._on_windows)
                .option("checkpointLocation", str(self._root / "windows"))
                .trigger(**trigger)
                .start()
            )
        tweets = tokenize(parse(self.source.stream(self.session), self.topic, self.lang))
        self.query = (
            running_counts(tweets, lexicon)
            .writeStream.outputMode("update")
            .foreachBatch(self._on_totals)
            .option("checkpointLocation", str(self._root / "totals"))
            .trigger(**trigger)
            .start()
        )
        return self

    def wait(self, batches: int, timeout: float = 120.0) -> bool:
        """Wait until ``batches`` micro-batches are done; False if ``timeout`` seconds pass first."""
        return self.sink.wait_for(batches, timeout)

    def finish(self, timeout: float = 300.0) -> StructuredRun:
        """Wait for a bounded run (``availableNow``) to end by itself; raise if it failed or timed out."""
        if self.query is None:
            raise RuntimeError("start() the run first")
        for query in (self.windows_query, self.query):
            if query is not None:
                finish(query, timeout)
        self._keep_progress()
        return self

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self.query is not None

    def stop(self) -> None:
        """Stop both queries between two micro-batches, then the source; safe to call twice."""
        self._stopping.set()
        self._keep_progress()
        for name in ("windows_query", "query"):
            query = getattr(self, name)
            if query is not None and query.isActive:
                stop_query(query)
            setattr(self, name, None)
        self.source.stop()
        self.sink.close()
        if self.checkpoint is None and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    # -- what Spark reports -------------------------------------------------------------------------------
    def _keep_progress(self) -> None:
        """Copy the windows query's recent progress reports (asked outside the lock: a py4j call can wait
        on the query, whose micro-batch may be waiting on this lock in ``_on_totals``)."""
        query = self.windows_query
        reports = query.recentProgress if query is not None else []
        with self._lock:
            for p in reports:
                self._progress[p["batchId"]] = p

    def _event_time(self, key: str) -> int | None:
        with self._lock:
            stamps = [_micros(p.get("eventTime", {}).get(key)) for p in self._progress.values()]
        return max((us for us in stamps if us is not None), default=None)

    @property
    def max_event_us(self) -> int | None:
        """The newest event time Spark has seen (microseconds), None before the first tweet."""
        return self._event_time("max")

    @property
    def watermark(self) -> datetime:
        """Spark's watermark after the last micro-batch, as a UTC datetime."""
        return datetime.fromtimestamp((self._event_time("watermark") or 0) / 1e6, UTC)

    @property
    def late_words(self) -> int:
        """Word rows Spark dropped as late (``numRowsDroppedByWatermark``) over the run."""
        self._keep_progress()
        with self._lock:
            return sum(s["numRowsDroppedByWatermark"] for p in self._progress.values() for s in p["stateOperators"])

    @property
    def _current(self) -> tuple[int, int] | None:
        """The window to show: of the windows Spark emitted, the one ending soonest that holds the newest tweet."""
        newest = self.max_event_us
        if newest is None:
            return None
        with self._lock:
            holding = [span for span in self.windows if span[0] <= newest < span[1]]
        return min(holding, key=lambda span: span[1], default=None)

    @property
    def current(self) -> tuple[datetime, datetime] | None:
        """The event-time window the snapshots show, as UTC datetimes (None before the first tweet)."""
        span = self._current
        if span is None:
            return None
        return tuple(datetime.fromtimestamp(us / 1e6, UTC) for us in span)  # type: ignore[return-value]

    def window_table(self) -> dict[tuple[datetime, datetime], Counter[str]]:
        """Every window's word counts as Spark last emitted them (closed windows included), by UTC bounds."""

        def utc(us: int) -> datetime:
            return datetime.fromtimestamp(us / 1e6, UTC)

        with self._lock:
            return {(utc(a), utc(b)): Counter(c) for (a, b), c in sorted(self.windows.items())}

    # -- per micro-batch, in each query's thread ---------------------------------------------------------
    def _on_windows(self, batch: DataFrame, batch_id: int) -> None:
        try:
            rows = batch.collect()
        except Exception as e:  # reported (unless we are stopping); the stream goes on
            if not self._stopping.is_set():
                self.sink.error("windows micro-batch", e)
            rows = []
        with self._lock:
            for r in rows:  # update mode: Spark sends a window's new count each time it changes
                self.windows.setdefault((r["start"], r["end"]), Counter())[r["word"]] = r["count"]

    def _on_totals(self, batch: DataFrame, batch_id: int) -> None:
        now, started = datetime.now(UTC), time.perf_counter()
        try:
            rows = batch.collect()
        except Exception as e:  # a failed batch is reported (unless we are stopping), the stream goes on
            if not self._stopping.is_set():
                self.sink.error("micro-batch", e)
            rows = []
        change: Counter[str] = Counter()
        by_polarity: Counter[str] = Counter()
        for r in rows:
            key, count = r["word"], r["count"]
            delta = count - self._shown.get(key, 0)
            self._shown[key] = count
            if key.startswith(MARK):
                change[key[1:]] += delta
            else:
                self.totals[key] = count
                if not self.counts_only:
                    by_polarity[r["polarity"]] += delta
        tweets = change[TWEET]
        stats = Stats(tweets=tweets, malformed=change[MALFORMED])
        if not self.counts_only:
            stats = Stats(
                tweets=tweets,
                malformed=change[MALFORMED],
                positive_tweets=change["positive"],
                negative_tweets=change["negative"],
                neutral_tweets=tweets - change["positive"] - change["negative"],
                positive_words=by_polarity["positive"],
                negative_words=by_polarity["negative"],
                neutral_words=by_polarity["neutral"],
            )
        self.lines_total += sum(change[k] for k in (BLANK, MALFORMED, TWEET, FILTERED))
        current = None
        if not self.counts_only:
            self._keep_progress()
        span = None if self.counts_only else self._current
        if span is not None:
            with self._lock:
                shown = dict(self.windows.get(span, {}))
            current = [(w, (c, self.totals.get(w, 0))) for w, c in shown.items() if c > 0]
        totals = self.totals.items() if self.totals_top else None
        self.sink.record(now, stats, started, current, totals)


#: About how many bytes of input ``top_from_files`` puts in one micro-batch with the file source.
TOP_BATCH_BYTES = 64 * 2**20


def top_from_files(
    session: SparkSession,
    files: Iterable[str | Path],
    n: int = 50,
    lexicon_name: str = "default",
    topic: str | None = None,
    lang: str | None = None,
    timeout: float = 600.0,
    checkpoint: str | Path | None = None,
    source: str = "tweets",
    batch_bytes: int = TOP_BATCH_BYTES,
) -> dict[str, Any]:
    """``top --engine structured``: the files through one bounded query whose running counts Spark keeps.

    The same JSON as ``helpers.runs.top_python`` and ``helpers.dstream.runner.top_dstream``. The query is
    ``running_counts`` in update mode into the ``noop`` sink; the totals are then read from its state
    store (``format("statestore")``). With ``checkpoint`` the query keeps its checkpoint there: a later
    call with the same folder (and the same ``topic``/``lang``) reads only lines it has not read yet and
    prints the totals over everything read. ``source``: ``"tweets"`` (the kit's Python source, which can
    resume) or ``"files"`` (Spark's text file source over staged copies, whole files of about
    ``batch_bytes`` a micro-batch; no ``checkpoint``).
    """
    names = [str(Path(f).resolve()) for f in files]
    if source == "tweets":
        if len(set(names)) < len(names):
            raise ValueError("the structured engine reads each file once: name every file once")
        lines = session.readStream.format("tweets").option("path", ",".join(names)).load()
        staged = None
    elif source == "files":
        if checkpoint is not None:
            raise ValueError("a checkpoint needs the tweets source (the file source reads staged copies)")
        staged = FileSource.from_files(names)
        average = sum(p.stat().st_size for p in staged.files()) / max(len(names), 1)
        staged.files_per_batch = max(1, int(batch_bytes // max(average, 1)))
        lines = staged.stream(session)
    else:
        raise ValueError(f"source must be 'tweets' or 'files', not {source!r}")
    configure(session)
    root = Path(checkpoint) if checkpoint is not None else checkpoint_dir()
    try:
        query = (
            running_counts(tokenize(parse(lines, topic, lang)))
            .writeStream.format("noop")
            .outputMode("update")
            .option("checkpointLocation", str(root))
            .trigger(availableNow=True)
            .start()
        )
        finish(query, timeout)
        counts = state_counts(session, root)
    finally:
        if staged is not None:
            staged.stop()
        if checkpoint is None:
            shutil.rmtree(root, ignore_errors=True)
    tally = {key[1:]: counts.pop(key) for key in list(counts) if key.startswith(MARK)}
    return top_json(tally.get(TWEET, 0), tally.get(MALFORMED, 0), counts.items(), n, lexicon_name)


# --- the dashboard of notebook 05 on this pipeline -------------------------------------------------------


@cache
def _dashboard_class() -> type:
    from helpers.dstream.runner import StreamRun
    from helpers.ui.dashboard import Dashboard

    class StructuredDashboard(Dashboard):
        """Notebook 05's dashboard running a ``StructuredRun``: window and slide are minutes of event time.

        ``Dashboard.start`` builds a ``StreamRun`` from its controls; this subclass swaps it, as it is
        assigned, for a ``StructuredRun`` with the same settings (until the dashboard takes a run factory).
        """

        def __init__(
            self,
            session: SparkSession | None = None,
            source: Any = tweet_replay,
            batch_s: float = 1.0,
            limit: int | None = None,
            history: int = 120,
            watermark_s: float = WATERMARK_S,
        ) -> None:
            self.session, self.watermark_s = session, watermark_s
            super().__init__(None, source=source, batch_s=batch_s, limit=limit, history=history)
            self.window.description, self.slide.description = "window, min", "slide, min"
            self.window.value, self.slide.value = round(WINDOW_S / 60), round(SLIDE_S / 60)

        @property
        def run(self) -> Any:
            return self.__dict__.get("_structured_run")

        @run.setter
        def run(self, value: Any) -> None:
            if isinstance(value, StreamRun):
                value.sink.close()
                session = self.session
                if session is None or session.sparkContext is not spark.active_context():
                    session = self.session = spark.get_session("dashboard")
                value = StructuredRun(
                    session,
                    value.source,
                    value.batch_s,
                    value.window_s * 60,
                    value.slide_s * 60,
                    value.top_n,
                    value.lexicon_name,
                    value.topic,
                    value.lang,
                    value.listeners,
                    value.totals_top,
                    self.watermark_s,
                )
            self.__dict__["_structured_run"] = value

    return StructuredDashboard


def dashboard(
    session: SparkSession | None = None,
    batch_s: float = 1.0,
    limit: int | None = None,
    history: int = 120,
    watermark_s: float = WATERMARK_S,
) -> Any:
    """Notebook 05's dashboard (controls, live figure, status line) on the Structured Streaming pipeline.

    The sample replayed through the kit's ``format("tweets")`` source at the speed control's rate (a
    socket could not replay after a failure); window and slide are minutes of event time.
    ``dash.start()``, ``dash.wait_until(...)``, ``dash.stop()`` as in notebook 05.
    """
    return _dashboard_class()(session, batch_s=batch_s, limit=limit, history=history, watermark_s=watermark_s)


__all__ = [
    "BLANK",
    "FILTERED",
    "LATE_FROM",
    "LATE_UNTIL",
    "MALFORMED",
    "MARK",
    "SLIDE_S",
    "TWEET",
    "WATERMARK_S",
    "WINDOW_S",
    "FileSource",
    "StructuredRun",
    "TweetSource",
    "as_source",
    "blank_pattern",
    "checkpoint_dir",
    "configure",
    "counted_rows",
    "current_window",
    "dashboard",
    "finish",
    "java_classes",
    "java_pattern",
    "late_example",
    "lexicon_frame",
    "parse",
    "running_counts",
    "state_counts",
    "stop_queries",
    "stop_query",
    "to_memory",
    "tokenize",
    "top_from_files",
    "tweet_replay",
    "tweet_score",
    "tweet_scores",
    "windowed_counts",
    "with_polarity",
    "word_score",
    "word_score_sql",
    "words",
]
