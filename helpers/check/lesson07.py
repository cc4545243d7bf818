"""Self-checks for notebook 07 (live tweets)."""

from __future__ import annotations

import re

from helpers.check.base import Verdict, verdict

__all__ = ["exercise_7_1"]


def exercise_7_1(answer: str | None) -> Verdict:
    """A filtered-stream rule for English original posts about a hashtag: has the hashtag, lang:en, -is:retweet."""
    if answer is None:
        return verdict(False, "", "not answered yet: set answer to a rule, e.g. '#cupfinal lang:en -is:retweet'")
    rule = str(answer).strip()
    problems = []
    if not re.search(r"(^|[\s(])#\w+", rule):
        problems.append("it matches no hashtag (write one with its #, e.g. #cupfinal)")
    if not re.search(r"(^|\s)lang:en\b", rule):
        problems.append("it lets other languages through: add lang:en")
    if not re.search(r"(^|\s)-is:retweet\b", rule):
        problems.append("it also matches reposts, billed like any post: add -is:retweet")
    if len(rule) > 512:
        problems.append(f"it is {len(rule)} characters; a rule may have at most 512")
    if rule.count("(") != rule.count(")"):
        problems.append("its brackets do not balance")
    return verdict(not problems, f"right: {rule!r} is a narrow, cheap rule", "; ".join(problems))
