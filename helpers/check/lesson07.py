"""Self-checks for notebook 07 (live tweets): the bridged NDJSON files read with Spark, and a filtered-stream rule.

``check.exercise_7_1(answer, folder)`` compares the tweets per language a Spark query counted in ``folder`` with
the same count in plain Python (``helpers.tweets.parse_line`` over every file there);
``check.exercise_7_2(count, folder)`` compares the posts of ``folder`` that a Spark query let through the
lesson's filtered-stream rule (``#cupfinal lang:en -is:retweet``) with the same filter in plain Python. Each prints
✓ or ✗ with what is wrong and why, never the answer.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.check.base import Verdict, as_pairs, is_dataframe, is_number, verdict
from helpers.check.lesson00 import is_rdd, not_answered
from helpers.tweets import parse_line

__all__ = ["exercise_7_1", "exercise_7_2"]

#: Exercise 7.2: the filtered-stream rule the lesson gives, ``#cupfinal lang:en -is:retweet``, as its parts.
RULE_TAG, RULE_LANG = "cupfinal", "en"


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


def _not_values(answer: Any, folder: Any, name: str, run_it: str, read_it: str) -> Verdict | None:
    """The ✗ for a missing folder, a DataFrame or a running query handed in instead of the values, or None."""
    if folder is None or not Path(folder).is_dir():
        return verdict(False, "", f"pass the bridge's folder too: check.{name}(answer, drop.folder), not {folder!r}")
    if is_rdd(answer) or is_dataframe(answer):
        return verdict(False, "", f"that is a DataFrame, a query Spark has not run yet: {run_it}")
    if hasattr(answer, "isActive") and hasattr(answer, "awaitTermination"):
        return verdict(False, "", f"that is the running query itself: wait for it, then {read_it}")
    return None


def exercise_7_1(answer: Any, folder: str | Path | None = None) -> Verdict:
    """Tweets per language of the bridged files in ``folder``, counted by Spark: a dict or (lang, count) rows."""
    if answer is None:
        return not_answered()
    refused = _not_values(
        answer,
        folder,
        "exercise_7_1",
        "start it, wait for it, and collect its rows into {language: count}",
        "read the rows its sink holds",
    )
    if refused is not None:
        return refused
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


def _bridged(folder: str | Path) -> list[dict[str, Any]]:
    """The ``data`` object of every post in the files of ``folder`` (hidden files and bad lines left out)."""
    posts = []
    for path in sorted(Path(folder).iterdir()):
        if path.is_file() and not path.name.startswith("."):
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    data = json.loads(line).get("data") if line.strip() else None
                except (json.JSONDecodeError, AttributeError):
                    continue
                if isinstance(data, dict):
                    posts.append(data)
    return posts


def _tags(post: Mapping[str, Any]) -> list[str]:
    """The ``tag`` of every hashtag of a post (``data.entities.hashtags.tag``)."""
    return [h.get("tag") or "" for h in (post.get("entities") or {}).get("hashtags") or [] if isinstance(h, dict)]


def narrow_counts(posts: list[dict[str, Any]]) -> dict[str, int]:
    """How many ``posts`` the rule of Exercise 7.2 lets through (``right``), and what each common slip counts.

    The rule ``#cupfinal lang:en -is:retweet``: English, ``cupfinal`` among the hashtags whatever its case (X
    matches hashtags without regard to case), and not a repost (the sample writes a repost's text as "RT @…").
    """

    def english(p: Mapping[str, Any]) -> bool:
        return p.get("lang") == RULE_LANG

    def original(p: Mapping[str, Any]) -> bool:
        return not str(p.get("text") or "").startswith("RT @")

    def tagged(p: Mapping[str, Any]) -> bool:
        return RULE_TAG in (t.lower() for t in _tags(p))

    slips = {
        "right": lambda p: english(p) and original(p) and tagged(p),
        "reposts": lambda p: english(p) and tagged(p),
        "any_language": lambda p: original(p) and tagged(p),
        "neither": tagged,
        "case": lambda p: english(p) and original(p) and RULE_TAG.capitalize() in _tags(p),
        "inside_tags": lambda p: english(p) and original(p) and any(RULE_TAG in t.lower() for t in _tags(p)),
        "in_text": lambda p: english(p) and original(p) and RULE_TAG in str(p.get("text") or "").lower(),
    }
    return {name: sum(1 for p in posts if keep(p)) for name, keep in slips.items()}


#: What each slip of Exercise 7.2 means, when its count differs from the right one.
SLIPS = {
    "reposts": "your count keeps reposts: the rule's -is:retweet drops them, and in the sample a repost's text "
    "starts with 'RT @'",
    "any_language": "your count keeps every language: the rule's lang:en keeps English posts only (data.lang)",
    "neither": "your count keeps reposts and every language: the rule has three conditions, all of them needed",
    "case": "your hashtag test misses tags written in another case: X matches hashtags whatever their case, so "
    "compare the tags in lower case (F.lower inside F.exists)",
    "inside_tags": "your hashtag test also matches tags that only contain the word (a longer tag): test each tag "
    "for equality, with F.exists or F.array_contains on data.entities.hashtags.tag",
    "in_text": "your test looks for the word in the text, where it also appears inside other words and tags: test "
    "the hashtags themselves, data.entities.hashtags.tag",
}


def exercise_7_2(answer: Any, folder: str | Path | None = None) -> Verdict:
    """How many bridged posts in ``folder`` the rule ``#cupfinal lang:en -is:retweet`` lets through, counted by a
    Structured Streaming query."""
    if answer is None:
        return not_answered()
    refused = _not_values(
        answer,
        folder,
        "exercise_7_2",
        "write it to the memory sink, wait for the query, and read the count from the table",
        "read the count its sink holds",
    )
    if refused is not None:
        return refused
    if isinstance(answer, (list, tuple)) and len(answer) == 1:
        answer = answer[0]  # a Row(count=…) or [n]
    if not is_number(answer) or int(answer) != answer:
        return verdict(False, "", f"expected the count as a whole number, e.g. table.first()[0]; got {answer!r}")
    posts = _bridged(folder)
    counts = narrow_counts(posts)
    if answer == counts["right"]:
        return verdict(
            True,
            "right: English, tagged, no reposts — Spark counted what the rule lets through; X applies the rule "
            "before it sends (and bills) a post, while your query ran on posts already paid for",
            "",
        )
    for slip, why in SLIPS.items():
        if answer == counts[slip] != counts["right"]:
            return verdict(False, "", why)
    if answer == len(posts):
        return verdict(False, "", "that is every bridged post: filter on the three conditions before you count")
    if answer in wrong_folders(folder):
        return verdict(
            False,
            "",
            "that is not what the bridge's folder holds: read str(drop.folder), the folder the bridge wrote, not "
            "the shipped sample",
        )
    return verdict(
        False,
        "",
        "that is not what the rule lets through: keep English posts (data.lang), with cupfinal among the "
        "hashtags (data.entities.hashtags.tag), that are not reposts (text starting 'RT @'); and read every file "
        "(trigger(availableNow=True)) before you read the sink",
    )


def wrong_folders(folder: str | Path) -> set[int]:
    """What the rule lets through in each of the shipped sample's files and in all of them: a folder read by mistake."""
    here = Path(folder).resolve()
    found, every = set(), 0
    for sample in paths.sample_files():
        if sample.parent.resolve() == here:
            return set()
        posts = [json.loads(line)["data"] for line in sample.read_text(encoding="utf-8").splitlines() if line.strip()]
        n = narrow_counts(posts)["right"]
        found.add(n)
        every += n
    return found | {every}
