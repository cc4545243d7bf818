"""``helpers.structured.java_regex``: Python's character classes written for Java, checked without a JVM.

A small reader of the generated classes (``\\x{…}`` code points, ranges, nested classes and ``&&``
intersections, the only syntax the generator writes) turns each back into the code points it holds, read
as Java reads it; they must be exactly the ones Python's ``str`` methods accept. ``tests/test_structured.py`` runs the
whole tokenizer in Spark against ``helpers.text`` on every code point (marked slow).
"""

from __future__ import annotations

import re

import pytest

from helpers.structured.java_regex import blank_pattern, code_point_ranges, java_class, java_classes, java_pattern

CODE_POINT = re.compile(r"\\x\{([0-9A-F]+)\}")
#: A set of code points as sorted, disjoint, non-adjacent ``(first, last)`` runs.
Runs = list[tuple[int, int]]


def normalise(runs: Runs) -> Runs:
    """Sorted runs with overlapping or adjacent ones joined."""
    out: Runs = []
    for lo, hi in sorted(runs):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def intersect(a: Runs, b: Runs) -> Runs:
    """The code points in both ``a`` and ``b``."""
    return normalise([(max(x, y), min(p, q)) for x, p in a for y, q in b if max(x, y) <= min(p, q)])


def read_class(text: str, at: int = 0) -> tuple[Runs, int]:
    """The code points of the Java class starting at ``text[at]`` (a '['), and the index after its ']'."""
    assert text[at] == "[", text[at : at + 20]
    at += 1
    union: Runs = []
    left: Runs | None = None  # what comes before a '&&'
    while text[at] != "]":
        if text.startswith("&&", at):
            left, union, at = normalise(union), [], at + 2
        elif text[at] == "[":
            inner, at = read_class(text, at)
            union += inner
        else:
            first = CODE_POINT.match(text, at)
            assert first, text[at : at + 20]
            lo = hi = int(first.group(1), 16)
            at = first.end()
            if text[at] == "-":
                last = CODE_POINT.match(text, at + 1)
                assert last, text[at : at + 20]
                hi, at = int(last.group(1), 16), last.end()
            union.append((lo, hi))
    runs = normalise(union)
    return (runs if left is None else intersect(left, runs)), at + 1


def without_surrogates(runs: Runs) -> Runs:
    """``runs`` less U+D800–U+DFFF (no ``str`` holds a lone surrogate; Python's tests say False there)."""
    return intersect(runs, [(0, 0xD7FF), (0xE000, 0x10FFFF)])


def test_code_point_ranges_are_the_runs_where_the_test_holds():
    assert code_point_ranges(str.isdigit, 0x20, 0x7F) == [(0x30, 0x39)]
    assert code_point_ranges(lambda c: c in "abdz", 0x61, 0x7A) == [(0x61, 0x62), (0x64, 0x64), (0x7A, 0x7A)]
    assert code_point_ranges(lambda c: True, 0x10FFF0) == [(0x10FFF0, 0x10FFFF)]


def test_ascii_comes_first_as_a_plain_list_of_ranges():
    assert java_class(str.isdigit).startswith("[\\x{30}-\\x{39}[")
    runs, _ = read_class(java_class(str.isdigit))
    assert runs[0] == (0x30, 0x39) and runs[1][0] > 0x7F


@pytest.mark.parametrize(
    ("name", "python"),
    [("w", lambda c: c.isalnum() or c == "_"), ("d", str.isdecimal), ("s", str.isspace)],
    ids=["w", "d", "s"],
)
def test_each_java_class_holds_exactly_pythons_code_points(name, python):
    text = java_classes()[name]
    runs, end = read_class(text)
    assert end == len(text)
    assert without_surrogates(runs) == without_surrogates(code_point_ranges(python))


def test_the_patterns_are_built_from_the_classes():
    w, s = java_classes()["w"], java_classes()["s"]
    assert blank_pattern() == f"\\A{s}*\\z"
    assert f"|(\\#{w}+|{w}+(?:['’]{w}+)*" in java_pattern()
    assert java_pattern().count("|(") == 1  # one capturing group: the kept tokens
