"""Small matplotlib figures for the notebooks: the top words by count, coloured by sentiment.

    fig, ax = plt.subplots(figsize=(8, 6))
    plots.bar_top_words(ax, [("bad", 1068, "negative"), ("good", 1047, "positive"), ("day", 980, "neutral")])
    plt.show()

Pass ``None`` instead of an axes to get a standalone ``matplotlib.figure.Figure`` that never touches
pyplot's global state: safe to build in a background thread (a ``foreachRDD`` callback), then show it
with ``display(fig)`` or save it with ``fig.savefig(...)``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.patches import Patch

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: One colour per polarity: green for positive, red for negative, grey for neutral.
COLOURS: dict[str, str] = {"positive": "#2ca02c", "negative": "#d62728", "neutral": "#9e9e9e"}


@lru_cache(maxsize=1024)
def _has_glyph(char: str) -> bool:
    """True if matplotlib's default font can draw ``char`` (DejaVu Sans has no emoji, no CJK)."""
    from matplotlib.font_manager import FontProperties, findfont, get_font

    font = get_font(findfont(FontProperties()))
    return font.get_char_index(ord(char)) != 0


def label(word: str) -> str:
    """``word`` as the default font can draw it: a character it lacks becomes its name in brackets.

    ``label("👎")`` → ``"[thumbs down sign]"``. This keeps matplotlib's "Glyph … missing from font"
    warnings out of the notebook while still saying which token the bar is for.
    """
    parts = []
    for char in word:
        if _has_glyph(char):
            parts.append(char)
        else:
            parts.append(f"[{unicodedata.name(char, f'U+{ord(char):04X}').lower()}]")
    return "".join(parts)


def bar_top_words(
    ax: Axes | None,
    rows: Sequence[tuple[str, int, str]],
    title: str = "Top words by count",
) -> Figure:
    """Horizontal bars of ``(word, count, polarity)`` rows, the first row on top, coloured by polarity.

    ``polarity`` is ``"positive"``, ``"negative"`` or ``"neutral"`` (what ``lexicon.polarity`` gives).
    Draws on ``ax`` and returns its figure; with ``ax=None`` builds and returns a new ``Figure``.
    """
    unknown = sorted({p for _, _, p in rows} - COLOURS.keys())
    if unknown:
        raise ValueError(f"unknown polarity {unknown}: use one of {list(COLOURS)}")
    if ax is None:
        fig = Figure(figsize=(8, 1 + 0.3 * max(len(rows), 5)), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    positions = range(len(rows))
    ax.barh(positions, [n for _, n, _ in rows], color=[COLOURS[p] for _, _, p in rows])
    ax.set_yticks(positions, labels=[label(w) for w, _, _ in rows])
    ax.invert_yaxis()  # the most common word on top
    ax.set_xlabel("count")
    ax.set_title(title)
    ax.legend(handles=[Patch(color=c, label=p) for p, c in COLOURS.items()], loc="lower right")
    return fig  # type: ignore[return-value]  # an Axes inside a SubFigure gives that SubFigure
