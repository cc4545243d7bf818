"""Python's ``\\w``, ``\\d`` and ``\\s`` as Java regex classes, and ``helpers.text``'s tokenizer for Java.

    java_pattern()    # for ``regexp_extract_all(lower(text), java_pattern(), 1)``: text.words' tokens
    blank_pattern()   # a line that is empty or only whitespace, as ``str.isspace`` sees it

Pure Python (no Spark): the classes are generated from this Python's own Unicode tables, code point for
code point, so Spark's regex engine splits text exactly where ``helpers.text`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

#: A run of code points ``(first, last)``, both included.
CodePointRange = tuple[int, int]


def code_point_ranges(holds: Callable[[str], bool], lo: int = 0, hi: int = 0x10FFFF) -> list[CodePointRange]:
    """The runs of code points from ``lo`` to ``hi`` for whose character ``holds(char)`` is true."""
    out: list[CodePointRange] = []
    start = None
    for cp in range(lo, hi + 1):
        if holds(chr(cp)):
            if start is None:
                start = cp
        elif start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, hi))
    return out


def _code_point(cp: int) -> str:
    """One code point written for Java's regex engine: ``\\x{1F600}``."""
    return f"\\x{{{cp:X}}}"


def _listed_ranges(ranges: Sequence[CodePointRange]) -> str:
    """The inside of a Java class listing every range: ``\\x{41}-\\x{5A}\\x{5F}…``."""
    return "".join(_code_point(a) if a == b else f"{_code_point(a)}-{_code_point(b)}" for a, b in ranges)


def _nested_class(ranges: Sequence[CodePointRange]) -> str:
    """A Java class for many ranges, nested by halves: a character is tested against ~20 ranges, not 700.

    (Java tests a flat ``[a-bc-d…]`` range by range, which made the tokenizer ten times slower.)
    """
    if len(ranges) <= 6:
        return f"[{_listed_ranges(ranges)}]"
    half = len(ranges) // 2
    left, right = ranges[:half], ranges[half:]
    left_span = f"{_code_point(left[0][0])}-{_code_point(left[-1][1])}"
    right_span = f"{_code_point(right[0][0])}-{_code_point(right[-1][1])}"
    return f"[[{left_span}&&{_nested_class(left)}][{right_span}&&{_nested_class(right)}]]"


def java_class(holds: Callable[[str], bool]) -> str:
    """The Java class of every code point for which ``holds(char)`` is true in this Python (ASCII tested first)."""
    return f"[{_listed_ranges(code_point_ranges(holds, 0, 0x7F))}{_nested_class(code_point_ranges(holds, 0x80))}]"


@cache
def java_classes() -> dict[str, str]:
    """Python's ``\\w``, ``\\d`` and ``\\s`` (for ``str`` patterns) as Java classes, code point for code point.

    Java's ``(?U)\\w`` is close but not the same: it takes combining marks (so Hindi words stay whole,
    where Python splits them) and leaves out ``²`` or ``½``. Generated here from Python's tables.
    """
    return {
        "w": java_class(lambda c: c.isalnum() or c == "_"),
        "d": java_class(str.isdecimal),
        "s": f"[{_listed_ranges(code_point_ranges(str.isspace))}]",
    }


@cache
def java_pattern() -> str:
    """``helpers.text``'s tokenizer for Java's regex engine (``regexp_extract_all(…, 1)``), same matches."""
    classes = java_classes()
    w, d, s = classes["w"], classes["d"], classes["s"]
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


__all__ = ["blank_pattern", "code_point_ranges", "java_class", "java_classes", "java_pattern"]
