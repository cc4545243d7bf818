"""Small matplotlib figures for the notebooks: the top words by count, marked by sentiment.

    fig, ax = plt.subplots(figsize=(8, 6))
    plots.bar_top_words(ax, [("bad", 1068, "negative"), ("good", 1047, "positive"), ("day", 980, "neutral")])
    plt.show()

Sentiment is never told by colour alone: the palette is the colour-blind-safe Okabe–Ito one (blue
positive, vermillion negative, grey neutral), each polarity has its own hatching, and every bar is
labelled with its sign. Figures carry an explicit white background and dark text, so they read the
same on JupyterLab's light and dark themes. Other modules import ``COLOURS``, ``HATCHES``, ``MARKS``
and ``style`` from here rather than choosing their own.

Pass ``None`` instead of an axes to get a standalone ``matplotlib.figure.Figure`` that never touches
pyplot's global state: safe to build in a background thread (a ``foreachRDD`` callback), then show it
with ``display(fig)`` or save it with ``fig.savefig(...)``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.patches import Patch

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import SubFigure

    from helpers.dstream.scaling import Batch

#: One colour per polarity, from the Okabe–Ito palette (told apart with every common colour-vision
#: deficiency): blue for positive, vermillion for negative, grey for neutral.
COLOURS: dict[str, str] = {"positive": "#0072B2", "negative": "#D55E00", "neutral": "#999999"}
#: A hatching per polarity, so the bars differ in a grey-scale print or to a reader who cannot tell the colours apart.
HATCHES: dict[str, str] = {"positive": "", "negative": "//", "neutral": ".."}
#: A sign per polarity for labels and tables: "+" positive, "−" negative, "·" neutral.
MARKS: dict[str, str] = {"positive": "+", "negative": "\u2212", "neutral": "\u00b7"}
#: Other series (tweets per second, processing time), also Okabe–Ito: bluish green and reddish purple.
SERIES: dict[str, str] = {"rate": "#009E73", "processing": "#CC79A7"}
#: Explicit background and text colours: a transparent figure with black text vanishes on a dark theme.
BACKGROUND, FOREGROUND = "#FFFFFF", "#222222"


def style(fig: Figure | SubFigure) -> Figure | SubFigure:
    """Give ``fig`` and its axes an opaque white background and dark text (readable on light and dark themes)."""
    fig.set_facecolor(BACKGROUND)
    for ax in fig.axes:
        ax.set_facecolor(BACKGROUND)
        ax.title.set_color(FOREGROUND)
        ax.xaxis.label.set_color(FOREGROUND)
        ax.yaxis.label.set_color(FOREGROUND)
        ax.tick_params(colors=FOREGROUND, which="both")
        for spine in ax.spines.values():
            spine.set_edgecolor(FOREGROUND)
    return fig


def legend_handles() -> list[Patch]:
    """One legend entry per polarity, with its colour, hatching and sign (``+ positive``)."""
    return [
        Patch(facecolor=COLOURS[p], hatch=HATCHES[p], edgecolor=FOREGROUND, label=f"{MARKS[p]} {p}") for p in COLOURS
    ]


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
    """Horizontal bars of ``(word, count, polarity)`` rows, the first row on top, marked by polarity.

    ``polarity`` is ``"positive"``, ``"negative"`` or ``"neutral"`` (what ``lexicon.polarity`` gives);
    it sets each bar's colour and hatching and the sign printed after its count.
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
    bars = ax.barh(
        positions,
        [n for _, n, _ in rows],
        color=[COLOURS[p] for _, _, p in rows],
        hatch=[HATCHES[p] for _, _, p in rows],
        edgecolor=FOREGROUND,
        linewidth=0.5,
    )
    ax.bar_label(bars, labels=[f"{n} {MARKS[p]}" for _, n, p in rows], padding=2, fontsize="small", color=FOREGROUND)
    ax.set_yticks(positions, labels=[label(w) for w, _, _ in rows])
    ax.invert_yaxis()  # the most common word on top
    ax.margins(x=0.12)  # room for the count labels
    ax.set_xlabel("count")
    ax.set_title(title)
    ax.legend(handles=legend_handles(), loc="lower right", facecolor=BACKGROUND, labelcolor=FOREGROUND)
    style(fig)  # type: ignore[arg-type]
    return fig  # type: ignore[return-value]  # an Axes inside a SubFigure gives that SubFigure


def draw_batches(
    axes: Sequence[Axes], runs: Mapping[str, Sequence[Batch]], batch_s: float, flood_per_batch: int | None = None
) -> None:
    """Two axes, one line per run: records per batch, and scheduling delay per batch (notebook 08's floods).

    ``runs`` maps a name to what a ``StreamingListener`` recorded (``helpers.dstream.scaling.Batch``). Lines
    differ by colour (Okabe–Ito), marker and line style, and carry a label, so the plot reads without colour too.
    """
    styles = [("#0072B2", "o", "-"), ("#E69F00", "s", "--"), ("#009E73", "^", ":")]
    records_ax, delay_ax = axes
    for (name, batches), (colour, marker, line) in zip(runs.items(), styles, strict=False):
        numbers = range(1, len(batches) + 1)
        kw = {"color": colour, "marker": marker, "linestyle": line, "markersize": 4, "label": name}
        records_ax.plot(numbers, [b.records for b in batches], **kw)
        delay_ax.plot(numbers, [b.scheduling_s for b in batches], **kw)
    if flood_per_batch:
        records_ax.axhline(flood_per_batch, color="black", linewidth=1, linestyle="-.", label="what the flood sends")
    delay_ax.axhline(batch_s, color="black", linewidth=1, linestyle="-.", label=f"batch interval ({batch_s:g} s)")
    records_ax.set(title="records per batch", xlabel="batch", ylabel="records")
    delay_ax.set(title="scheduling delay", xlabel="batch", ylabel="seconds waiting to start")
    for ax in axes:
        ax.set_facecolor(BACKGROUND)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize="small", loc="upper left")


__all__ = [
    "COLOURS",
    "HATCHES",
    "MARKS",
    "SERIES",
    "bar_top_words",
    "draw_batches",
    "label",
    "legend_handles",
    "style",
]
