"""The table: one row per measure, its target and whether it was met (and by how much it was missed)."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.machine import GIB


@dataclass
class Row:
    """One line of the results table."""

    measure: str
    size: str = ""
    result: str = ""
    ratio: str = ""
    equal: str = ""
    target: str = ""
    met: str = ""


HEADER = ("#", "measure", "tweets", "result", "× python", "= python", "target", "met?")


def table(rows: list[tuple[str, Row]]) -> str:
    """A markdown table (also readable as plain text): ``rows`` are ``(number, Row)``."""
    cells = [HEADER] + [(n, r.measure, r.size, r.result, r.ratio, r.equal, r.target, r.met) for n, r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]

    def line(values: tuple[str, ...]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    out = [line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(c) for c in cells[1:]]
    return "\n".join(out)


def rate(tweets_per_s: float) -> str:
    return f"{tweets_per_s:,.0f} tweets/s"


def size(n: int) -> str:
    """``100k``, ``1M``, ``2.5M``."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    if n >= 1000:
        return f"{n / 1000:g}k"
    return str(n)


def at_least(value: float, target: float, unit: str = "×", fmt: str = "{:.2f}") -> str:
    """``yes`` or ``no: 0.85× (29% short)`` for a "≥ target" goal."""
    if value >= target:
        return "yes"
    short = 1 - value / target
    return f"no: {fmt.format(value)}{unit} ({short:.0%} short)"


def at_most(value: float, target: float, unit: str = " s", fmt: str = "{:.1f}", strict: bool = False) -> str:
    """``yes`` or ``no: 12.3 s (2.3 s over)`` for a "≤ target" (or "< target") goal."""
    if value < target or (value == target and not strict):
        return "yes"
    return f"no: {fmt.format(value)}{unit} ({fmt.format(value - target)}{unit} over)"


def gib(n_bytes: float) -> str:
    return f"{n_bytes / GIB:.2f} GiB"
