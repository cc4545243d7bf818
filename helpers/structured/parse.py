"""``helpers.tweets.parse_line`` in SQL expressions: what each line of a stream is, and the tweet's fields.

    configure(session)                      # the session settings ``parse`` relies on
    parse(lines, topic=None, lang=None)     # value, status, id, created_at, event_time, lang, topic, text

A plain tweet line takes a fast road (``parse_json`` to validate, a fixed ``from_json`` schema to read),
every other line the exact one (Spark 4's VARIANT type tells a JSON string from a number, which
``from_json`` cannot). No Python UDF: every step runs inside the JVM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import functions as F

from helpers.infra import spark
from helpers.structured.java_regex import blank_pattern
from helpers.tweets import MAX_LINE_CHARS

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

#: What ``parse`` says about each line (blank lines are neither tweets nor malformed).
BLANK, MALFORMED, TWEET, FILTERED = "blank", "malformed", "tweet", "filtered"

_I64_MAX, _U64_MAX = 2**63 - 1, 2**64 - 1


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
    # Session-wide, not per query: Spark reads the limit when it generates code for a plan and has no
    # per-DataFrame setting. Lowering it only makes Spark split an over-long generated method into one
    # per projection, which HotSpot then compiles; for the learner's own queries in the same session
    # (small plans, short methods) nothing changes.
    session.conf.set("spark.sql.codegen.hugeMethodLimit", "8000")
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.shuffle.partitions", str(spark.SHUFFLE_PARTITIONS))
    return session


def _json_at(v: Column, path: str) -> Column:
    """The JSON value at ``path`` of a VARIANT: SQL NULL when absent, a variant null for ``null``."""
    return F.variant_get(v, path, "variant")


def _json_kind(v: Column) -> Column:
    """``missing``, ``null``, ``object``, or the type of any other value: ``STRING``, ``BIGINT``,
    ``DECIMAL(p,s)``, ``DOUBLE``, ``BOOLEAN``, ``ARRAY<…>``. (An object is told by a cheap cast to a
    struct of one field, so its whole schema is never built.)"""
    is_object = F.try_variant_get(v, "$", "struct<k: variant>").isNotNull()
    return (
        F.when(v.isNull(), F.lit("missing"))
        .when(F.is_variant_null(v), F.lit("null"))
        .when(is_object, F.lit("object"))
        .otherwise(F.schema_of_variant(v))
    )


def _is_number(kind: Column) -> Column:
    return (kind == "BIGINT") | (kind == "DOUBLE") | kind.startswith("DECIMAL")


def _is_int(v: Column, kind: Column) -> Column:
    """A Python ``int`` after ``orjson.loads``: integers up to 2**64 - 1 (beyond, orjson makes a float).

    Spark keeps integers above 2**63 - 1 as DECIMAL(p,0), the type it also gives ``5.0``; the value
    range tells them apart (``9223372036854775808.0`` would pass: one case not worth a regex).
    """
    big = F.try_variant_get(v, "$", "decimal(20,0)")
    low, high = F.lit(str(_I64_MAX)).cast("decimal(20,0)"), F.lit(str(_U64_MAX)).cast("decimal(20,0)")
    in_u64 = F.coalesce((big > low) & (big <= high), F.lit(False))
    return (kind == "BIGINT") | (kind.startswith("DECIMAL(") & kind.endswith(",0)") & in_u64)


def _python_truthy(v: Column, kind: Column) -> Column:
    """Python's ``bool()`` of the decoded value: false for missing, null, "", 0, false, [] and {}."""
    return F.coalesce(
        F.when(kind.isin("missing", "null"), F.lit(False))
        .when(kind == "object", F.schema_of_variant(v) != "OBJECT<>")
        .when(kind == "STRING", F.try_variant_get(v, "$", "string") != "")
        .when(kind == "BOOLEAN", F.try_variant_get(v, "$", "boolean"))
        .when(kind.startswith("ARRAY"), F.size(F.try_variant_get(v, "$", "array<variant>")) > 0)
        .otherwise(F.try_variant_get(v, "$", "double") != 0),
        F.lit(False),
    )


def _python_str(v: Column, kind: Column) -> Column:
    """Python's ``str()`` of a string, boolean or integer value (NULL for other kinds: see ``parse``)."""
    return (
        F.when(kind == "STRING", F.try_variant_get(v, "$", "string"))
        .when(kind == "BOOLEAN", F.when(F.try_variant_get(v, "$", "boolean"), "True").otherwise("False"))
        .when(_is_int(v, kind), F.try_variant_get(v, "$", "string"))
    )


def computed_once(col: Column) -> Column:
    """``col``, behind an optimizer barrier: computed once in its own projection, never copied into later ones.

    Without it a filter on ``status`` (``words``, ``windowed_counts``…) is pushed down through every
    step of ``parse``, each column replaced by its formula, many times over, until the plan fills the
    driver's memory; and ``tokens`` would run the tokenizer's regex a second time. Spark moves nothing
    across a projection holding a nondeterministic expression; the partition id (never negative) is
    the cheapest one.

    This leans on how Catalyst treats nondeterministic expressions today (hack H4 of the code review):
    ``tests/test_structured.py::test_the_optimizer_barrier_keeps_one_tokenizer_in_the_plan`` pins it, so a
    Spark upgrade that moves expressions across it fails there first.
    """
    return F.when(F.spark_partition_id() >= 0, col)


def _matches_filter(value: Column, wanted: str | None) -> Column:
    return F.lit(True) if wanted is None else F.coalesce(value == F.lit(wanted), F.lit(False))


#: Numbers orjson refuses because they overflow a double (1e400); cheap test first, exact one after.
_BIG_NUMBER_HINT = "[0-9][eE][+]?0*[1-9][0-9]{2}|[0-9]{309}"
_JSON_STRING = '"(?:[^"\\\\]|\\\\.)*"'
_JSON_NUMBER = "-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"


def _overflows(value: Column) -> Column:
    """True if a number outside the JSON strings rounds to infinity as a double."""
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


def _was_json_string(text: Column) -> Column:
    """True if ``from_json`` read ``text`` from a JSON string: any other value it writes as its JSON text."""
    first = F.substring(text, 1, 1)
    return ~(
        first.isin("{", "[", '"')
        | text.isin("true", "false")
        | (first.isin("-", *"0123456789") & text.rlike(_RAW_NUMBER))
    )


def plain_fields(lines: DataFrame) -> DataFrame:
    """``lines`` with a ``_plain`` column: a plain tweet line's fields, read cheaply, or NULL (the exact road's lines).

    One ``parse_json`` validates the line as step 1 of ``parse`` does, one ``from_json`` reads the
    fields (a number or ``true`` read into a string field comes back as its JSON text, which
    ``_was_json_string`` rules out). Plain: valid UTF-8 of at most 100,000 bytes with no U+FFFD, one JSON
    object and nothing after it, no number beyond a double's range (``parse_json`` makes it
    ±Infinity), ``data`` an object with a string ``id`` (or an integer below 10**19), a string
    ``created_at``, a string, null or no ``lang``, a non-empty string text (``note_tweet.text`` when
    it is a non-empty string, else ``text``), ``entities`` and ``public_metrics`` objects, null or
    absent, ``includes`` an object (whose ``users`` is a list of objects, null or absent), null or
    absent, ``matching_rules`` a list of objects, null or absent, and the first rule's ``tag`` a
    string, null or absent. ``parse_line`` reads every such line as a tweet with these very fields;
    the tests check that both roads agree on every awkward line.
    """
    read, plain = spark.per_context("structured.plain_fields", _plain_columns)
    step = lines.select("*", read)
    return step.select(*lines.columns, plain)


def _plain_columns() -> tuple[Column, Column]:
    """``plain_fields``' two columns: ``_read`` (the line read by ``from_json`` if valid) and ``_plain``."""
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
    read_column = computed_once(F.when(F.coalesce(valid, F.lit(False)), read)).alias("_read")
    data = c("_read.data")
    note, text0, tweet_id = data["note_tweet"]["text"], data["text"], data["id"]
    use_note = F.coalesce(note != "", F.lit(False))
    text = F.when(use_note, note).otherwise(text0)
    tag = F.try_element_at(c("_read.matching_rules"), F.lit(1))["tag"]
    plain = (
        c("_read").isNotNull()
        & c("_read._corrupt").isNull()
        & F.when(use_note, _was_json_string(note)).otherwise(_was_json_string(text0) & (text0 != ""))
        & (_was_json_string(tweet_id) | tweet_id.rlike(_PLAIN_INT))
        & _was_json_string(data["created_at"])
        & (data["lang"].isNull() | _was_json_string(data["lang"]))
        & (tag.isNull() | _was_json_string(tag))
    )
    fields = F.struct(
        tweet_id.alias("id"),
        data["created_at"].alias("created_at"),
        data["lang"].alias("lang"),
        tag.alias("topic"),
        text.alias("text"),
    )
    return read_column, computed_once(F.when(F.coalesce(plain, F.lit(False)), fields)).alias("_plain")


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
    duplicate keys need it. Plain tweet lines take the fast road (``plain_fields``), all others the steps
    of ``_parse_steps``; ``fast=False`` sends every line down the steps (the tests compare both roads).
    """
    # 0. a plain tweet's fields by the fast road (``plain_fields``); every other line goes the exact road
    step = plain_fields(lines) if fast else lines
    for columns in spark.per_context(("structured.parse", topic, lang, fast), lambda: _parse_steps(topic, lang, fast)):
        step = step.select(*columns)
    return step


def _parse_steps(topic: str | None, lang: str | None, fast: bool) -> list[tuple[Column | str, ...]]:
    """The columns of each ``select`` of ``parse``, in order: built once per context (``spark.per_context``)."""
    steps: list[tuple[Column | str, ...]] = []

    def select(*columns: Column | str) -> None:
        steps.append(columns)

    value, c = F.col("value"), F.col
    if fast:
        plain = c("_plain")
        line = F.when(plain.isNull(), value)
    else:
        plain, line = F.lit(None).cast(_PLAIN_TYPE), value
    # 1. the line as text and as one JSON document
    select(
        value,
        plain.alias("_plain"),
        line.rlike(blank_pattern()).alias("_blank"),
        (F.is_valid_utf8(line) & ~line.contains("\ufffd") & (F.char_length(line) <= MAX_LINE_CHARS)).alias("_line_ok"),
        F.try_parse_json(F.concat(F.lit('{"v":'), line, F.lit("}"))).alias("_doc"),
        (F.json_array_length(F.concat(F.lit("["), line, F.lit("]"))) == 1).alias("_one_value"),
        _overflows(line).alias("_overflow"),
    )
    # 2. the stream shape ({"data": {...}, ...}) or a bare search item ({"id", "text", ...})
    select("*", _json_at(c("_doc"), "$.v").alias("_obj"), _json_at(c("_doc"), "$.v.data").alias("_stream_data"))
    select("*", (_json_kind(c("_stream_data")) == "object").alias("_stream"))
    select(
        "*",
        (~c("_stream") & _json_at(c("_obj"), "$.text").isNotNull() & _json_at(c("_obj"), "$.id").isNotNull()).alias(
            "_search"
        ),
        F.when(c("_stream"), c("_stream_data")).otherwise(c("_obj")).alias("_data"),
    )
    # 3. every field from_object reads, and its JSON kind
    select(
        "*",
        *[_json_at(c("_obj"), path).alias(f"_json_{name}") for name, path in _TOP_FIELDS.items()],
        *[_json_at(c("_data"), path).alias(f"_json_{name}") for name, path in _DATA_FIELDS.items()],
    )
    names = [*_TOP_FIELDS, *_DATA_FIELDS]
    select("*", *[_json_kind(c(f"_json_{n}")).alias(f"_kind_{n}") for n in names])

    def json_of(name: str) -> Column:
        return c(f"_json_{name}")

    def kind_of(name: str) -> Column:
        return c(f"_kind_{name}")

    # 4. the text (note_tweet.text when it is truthy), and what Python would trip over
    use_note = (kind_of("note") == "object") & _python_truthy(json_of("note_text"), kind_of("note_text"))
    select(
        "*",
        F.when(use_note, json_of("note_text")).otherwise(json_of("text0")).alias("_json_text"),
        F.when(use_note, kind_of("note_text")).otherwise(kind_of("text0")).alias("_kind_text"),
    )
    stream = c("_stream")
    trips = (
        (
            stream & _python_truthy(json_of("includes"), kind_of("includes")) & (kind_of("includes") != "object")
        )  # .get on a non-dict
        | (
            stream
            & (kind_of("includes") == "object")
            & _python_truthy(json_of("users"), kind_of("users"))
            & (_is_number(kind_of("users")) | (kind_of("users") == "BOOLEAN"))
        )  # iterating over a number or true
        | (
            stream
            & _python_truthy(json_of("rules"), kind_of("rules"))
            & ~(kind_of("rules").startswith("ARRAY") | (kind_of("rules") == "STRING"))
        )
        | (_python_truthy(json_of("entities"), kind_of("entities")) & (kind_of("entities") != "object"))
        | (_python_truthy(json_of("metrics"), kind_of("metrics")) & (kind_of("metrics") != "object"))
    )
    text = F.try_variant_get(json_of("text"), "$", "string")
    valid = (
        c("_line_ok")
        & c("_doc").isNotNull()
        & c("_one_value")
        & ~c("_overflow")
        & (stream | c("_search"))
        & (kind_of("text") == "STRING")
        & (F.coalesce(text, F.lit("")) != "")
        & (kind_of("id").isin("STRING", "BOOLEAN") | _is_int(json_of("id"), kind_of("id")))
        & ~trips
    )
    tagged = (
        stream
        & kind_of("rules").startswith("ARRAY")
        & (kind_of("rule0") == "object")
        & ~kind_of("tag").isin("missing", "null")
    )
    select(
        "*",
        F.coalesce(valid, F.lit(False)).alias("_exact_valid"),
        text.alias("_exact_text"),
        F.when(tagged, _python_str(json_of("tag"), kind_of("tag"))).alias("_exact_topic"),
        _python_str(json_of("lang"), kind_of("lang")).alias("_exact_lang"),
        F.when(kind_of("created") == "null", F.lit("None"))  # str(None), as Python writes it
        .when(
            kind_of("created") != "missing",
            F.coalesce(
                _python_str(json_of("created"), kind_of("created")),
                F.try_variant_get(json_of("created"), "$", "string"),
            ),
        )
        .alias("_exact_created_at"),
        _python_str(json_of("id"), kind_of("id")).alias("_exact_id"),
    )
    # 5. the verdict, and the tweet's fields
    is_plain = c("_plain").isNotNull()

    def field(name: str) -> Column:
        return F.when(is_plain, c("_plain")[name]).otherwise(c(f"_exact_{name}"))

    select("*", *[field(name).alias(f"_field_{name}") for name in ("id", "created_at", "lang", "topic", "text")])
    status = (
        F.when(~is_plain & c("_blank"), F.lit(BLANK))
        .when(~is_plain & ~c("_exact_valid"), F.lit(MALFORMED))
        .when(~(_matches_filter(c("_field_topic"), topic) & _matches_filter(c("_field_lang"), lang)), F.lit(FILTERED))
        .otherwise(F.lit(TWEET))
    )
    select("*", computed_once(status).alias("status"))
    parsed = c("status").isin(TWEET, FILTERED)
    select(
        value,
        "status",
        F.when(parsed, c("_field_id")).alias("id"),
        F.when(parsed, c("_field_created_at")).alias("created_at"),
        F.when(parsed, F.try_to_timestamp(c("_field_created_at"))).alias("event_time"),
        F.when(parsed, c("_field_lang")).alias("lang"),
        F.when(parsed, c("_field_topic")).alias("topic"),
        F.when(parsed, c("_field_text")).alias("text"),
    )

    return steps


__all__ = ["BLANK", "FILTERED", "MALFORMED", "TWEET", "computed_once", "configure", "parse", "plain_fields"]
