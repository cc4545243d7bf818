"""Self-checks for notebook 07 (live tweets): the bridged NDJSON files read with Spark, and a filtered-stream rule.

``check.exercise_7_1(answer, folder)`` compares the tweets per language a Spark query counted in ``folder`` with
the same count in plain Python (``helpers.tweets.parse_line`` over every file there);
``check.exercise_7_2((rule, count), folder)`` reads an X API rule and compares the posts of ``folder`` a Spark
filter let through with what the rule lets through, counted in plain Python. Each prints ✓ or ✗ with what is
wrong and why, never the answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.check.base import Verdict, as_pairs, is_number, verdict
from helpers.check.lesson00 import is_rdd, not_answered
from helpers.tweets import parse_line

__all__ = ["exercise_7_1", "exercise_7_2"]

#: The longest rule the check accepts; X's own limit depends on the access level (docs/live-tweets.md).
MAX_RULE = 512


def languages(folder: str | Path) -> Counter[str]:
    """Tweets per language in every file of ``folder``, in plain Python; lines without a language are left out."""
    counts: Counter[str] = Counter()
    for path in sorted(Path(folder).iterdir()):
        if path.is_file() and not path.name.startswith("."):
            for line in path.read_text(encoding="utf-8").splitlines():
                tweet = parse_line(line) if line.strip() else None
                if tweet is not None and tweet.lang:
                    counts[tweet.lang] += 1
    return counts


def exercise_7_1(answer: Any, folder: str | Path | None = None) -> Verdict:
    """Tweets per language of the bridged files in ``folder``, counted by Spark: a dict or (lang, count) rows."""
    if answer is None:
        return not_answered()
    if folder is None or not Path(folder).is_dir():
        return verdict(
            False, "", f"pass the bridge's folder too: check.exercise_7_1(answer, drop.folder), not {folder!r}"
        )
    if is_rdd(answer) or hasattr(answer, "_jdf"):
        return verdict(
            False,
            "",
            "that is a DataFrame, a query Spark has not run yet: start it, wait for it, and collect its rows into "
            "{language: count}",
        )
    if hasattr(answer, "isActive") and hasattr(answer, "awaitTermination"):
        return verdict(False, "", "that is the running query itself: wait for it, then read the rows its sink holds")
    if isinstance(answer, Mapping):  # Spark groups lines without a language under null: the check leaves them out
        answer = {lang: count for lang, count in answer.items() if lang is not None}
    elif isinstance(answer, (list, tuple)):
        answer = [row for row in answer if not (isinstance(row, (list, tuple)) and len(row) == 2 and row[0] is None)]
    pairs = as_pairs(answer, "language", [("en", 12)])
    if isinstance(pairs, str):
        return verdict(False, "", pairs)
    counts: Counter[str] = Counter()
    for lang, count in pairs:
        counts[lang] += count
    truth = languages(folder)
    if counts == truth:
        return verdict(
            True,
            "right: every bridged tweet counted once, per language, the same as plain Python — "
            "the file source reads every file the bridge renamed into the folder",
            "",
        )
    if counts and set(counts) <= set(paths.TOPICS):
        return verdict(False, "", "your keys are topics (the rule's tag): the exercise counts per language, data.lang")
    strange = sorted(set(counts) - set(truth))
    if strange:
        return verdict(False, "", f"{strange[0]!r} is not the language of any bridged tweet: group by data.lang")
    if sum(counts.values()) != sum(truth.values()):
        return verdict(
            False,
            "",
            f"your counts add up to {sum(counts.values()):,} tweets, and the folder holds a different number: read "
            "every file in it (trigger(availableNow=True) reads all that is there when the query starts) and wait "
            "until the query has finished before you collect",
        )
    off = next(lang for lang in sorted(truth) if counts.get(lang) != truth[lang])
    return verdict(False, "", f"the count for {off!r} is not what the files hold: count every tweet once")


def narrow_counts(folder: str | Path) -> dict[str, int]:
    """Bridged posts of ``folder`` that the rule of Exercise 7.2 lets through, and what each slip would count.

    ``right``: English, ``#cupfinal`` among the hashtags, not a repost (the sample writes a repost as "RT @…");
    ``reposts``: the same with reposts; ``any_language``: the same in every language.
    """
    counts = Counter()
    for path in sorted(Path(folder).iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            tweet = parse_line(line) if line.strip() else None
            if tweet is None or "cupfinal" not in (tag.lower() for tag in tweet.hashtags):
                continue
            original = not tweet.text.startswith("RT @")
            counts["right"] += tweet.lang == "en" and original
            counts["reposts"] += tweet.lang == "en"
            counts["any_language"] += original
    return {key: counts[key] for key in ("right", "reposts", "any_language")}


def exercise_7_2(answer: Any, folder: str | Path | None = None) -> Verdict:
    """A rule for English original posts with #cupfinal, and how many bridged posts it lets through (Spark)."""
    if answer is None:
        return not_answered()
    if isinstance(answer, str) or not (isinstance(answer, (list, tuple)) and len(answer) == 2):
        return verdict(
            False,
            "",
            "expected a pair (rule, count): the rule as a string, and the posts it lets through, counted with Spark",
        )
    rule, count = answer
    if not isinstance(rule, str):
        return verdict(False, "", f"expected the rule as one string, got {type(rule).__name__}")
    rule = rule.strip()
    problems = []
    if not re.search(r"(^|[\s(])#\w+", rule):
        problems.append("it matches no hashtag (a hashtag keeps its # in a rule)")
    if not re.search(r"(^|\s)lang:en\b", rule):
        problems.append("it lets posts in every language through: rules have an operator that keeps one language")
    if not re.search(r"(^|\s)-is:retweet\b", rule):
        problems.append("it also matches reposts, billed like any post: rules can exclude them with a negated operator")
    if len(rule) > MAX_RULE:
        problems.append(f"it is {len(rule)} characters; a rule may have at most {MAX_RULE}")
    if rule.count("(") != rule.count(")"):
        problems.append("its brackets do not balance")
    if problems:
        return verdict(False, "", "the rule: " + "; ".join(problems))
    if folder is None or not Path(folder).is_dir():
        return verdict(
            False, "", f"pass the bridge's folder too: check.exercise_7_2(answer, drop.folder), not {folder!r}"
        )
    if is_rdd(answer[1]) or hasattr(count, "_jdf"):
        return verdict(False, "", "the count is a DataFrame, not a number yet: end the query with .count()")
    if not is_number(count) or int(count) != count:
        return verdict(False, "", f"expected the count as a whole number, got {count!r}")
    truth = narrow_counts(folder)
    if count == truth["right"]:
        return verdict(
            True,
            "right: a narrow rule, and Spark agrees with it on the bridged posts — filtering at the source is "
            "cheaper, since X bills every post the stream sends",
            "",
        )
    if count == truth["reposts"] != truth["right"]:
        why = "it counts reposts too: a repost's text starts with 'RT @'"
    elif count == truth["any_language"] != truth["right"]:
        why = "it counts every language: keep data.lang = 'en' only"
    else:
        why = (
            "it is not what the rule lets through: keep English posts (data.lang), with cupfinal among the hashtags "
            "(data.entities.hashtags.tag, or #cupfinal in the text), that are not reposts (text starting 'RT @')"
        )
    return verdict(False, "", f"the rule is right; the Spark count is not: {why}")
