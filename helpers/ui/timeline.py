"""Which batches does each window cover? The geometry of window and slide, and a picture of it.

    w, s = timeline.in_batches(batch_s=1, window_s=3, slide_s=2)   # (3, 2): whole batches, or a ValueError
    state.window_spans(8, w, s)                                    # [(1, 2), (2, 4), (4, 6), (6, 8)]
    fig = timeline.draw_timeline(None, 1, 3, 2, batches=8)         # batches on top, one bar per window

The batch interval (``StreamingContext(sc, 1)``) is how often Spark cuts the stream into an RDD; a
window spans several of those batches and moves on by whole batches. Windows end at multiples of the
slide counted from the start of the stream, so the first ones cover fewer batches (nothing came before).
Every figure is a ``matplotlib.figure.Figure`` that never touches pyplot, so a widget callback can
build one in any thread; pass an axes instead of ``None`` to draw into a figure of your own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers.dstream.pipeline import check_window
from helpers.state import window_spans

if TYPE_CHECKING:
    from matplotlib.axes import Axes

BATCH_COLOUR = "#9ecae1"
EMPTY_COLOUR = "#f0f0f0"
WINDOW_COLOUR = "#fd8d3c"


def in_batches(batch_s: float, window_s: float, slide_s: float) -> tuple[int, int]:
    """Window length and slide as numbers of batches; a clear ValueError for a choice Spark would reject."""
    check_window(batch_s, window_s, slide_s)
    return round(window_s / batch_s), round(slide_s / batch_s)


def _title(batch_s: float, window_s: float, slide_s: float, window: int, slide: int) -> str:
    def n(k: int) -> str:
        return f"{k} batch" if k == 1 else f"{k} batches"

    return f"batch interval {batch_s:g} s  ·  window {window_s:g} s = {n(window)}  ·  slide {slide_s:g} s = {n(slide)}"


def draw_timeline(
    ax: Axes | None,
    batch_s: float,
    window_s: float,
    slide_s: float,
    batches: int = 8,
    tail: bool = False,
    labels: Sequence[str] | None = None,
) -> Figure:
    """Batches as boxes along a time axis, and under them one bar per window over the batches it covers.

    ``batches`` boxes hold data; with ``tail`` the empty batches that follow are drawn too (dashed),
    until the last data batch has left the window. ``labels`` (one per window) replace the default
    "batches 1–3" text, e.g. with each window's count. The dashed part of a bar before time 0 is the
    window's full length: the first windows cover fewer batches because nothing came before.
    Raises ValueError (with the reason) for a window Spark would reject.
    """
    window, slide = in_batches(batch_s, window_s, slide_s)
    spans = window_spans(batches, window, slide, tail)
    if labels is not None and len(labels) != len(spans):
        raise ValueError(f"{len(labels)} labels for {len(spans)} windows")
    shown = max([batches, *(last for _, last in spans)])
    if ax is None:
        fig = Figure(figsize=(9, 1.3 + 0.32 * (len(spans) + 1)), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    for k in range(1, shown + 1):  # the batches, on the top row
        data = k <= batches
        ax.add_patch(
            Rectangle(
                ((k - 1) * batch_s, -0.4),
                batch_s,
                0.8,
                facecolor=BATCH_COLOUR if data else EMPTY_COLOUR,
                edgecolor="#333333",
                linestyle="-" if data else "--",
            )
        )
        ax.text((k - 0.5) * batch_s, 0, str(k), ha="center", va="center", fontsize=8)
    for row, (first, last) in enumerate(spans, start=1):
        end = last * batch_s
        start = end - window_s
        if start < 0:  # the part of the window before the stream started: nothing to cover
            ax.add_patch(Rectangle((start, row - 0.3), -start, 0.6, fill=False, edgecolor="#999999", linestyle=":"))
        real = max(start, 0.0)
        ax.add_patch(Rectangle((real, row - 0.3), end - real, 0.6, facecolor=WINDOW_COLOUR, edgecolor="#7f2704"))
        ax.axvline(end, color="#7f2704", linewidth=0.6, linestyle=":", zorder=0)
        if labels is not None:
            text = labels[row - 1]
        else:
            text = f"batch {first}" if first == last else f"batches {first}–{last}"
        ax.text(end + 0.1 * batch_s, row, text, va="center", fontsize=8)
    ax.set_xlim(min(0.0, batch_s * slide - window_s) - 0.2 * batch_s, (shown + 2.5) * batch_s)
    ax.set_ylim(len(spans) + 0.7, -0.7)
    rows = range(1, len(spans) + 1)
    ax.set_yticks([0, *rows], labels=["batches", *(f"window {i}" for i in rows)])
    ax.set_xlabel("seconds since the stream started (a window is computed at its right end)")
    ax.set_title(_title(batch_s, window_s, slide_s, window, slide), fontsize=10)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return fig  # type: ignore[return-value]  # an Axes inside a SubFigure gives that SubFigure


def draw_window_counts(
    ax: Axes | None,
    batch_s: float,
    spans: Sequence[tuple[int, int]],
    counts: Sequence[int],
    what: str = "tweets",
    per_batch: Sequence[int] | None = None,
) -> Figure:
    """One bar per window, centred on the time it is computed (its last batch's end), as high as its count.

    ``per_batch`` (one count per data batch) adds each batch's own count as grey steps, to compare:
    a window adds up several batches, so its bars are higher and move more smoothly.
    """
    if len(spans) != len(counts):
        raise ValueError(f"{len(counts)} counts for {len(spans)} windows")
    if ax is None:
        fig = Figure(figsize=(9, 3), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ends = [last * batch_s for _, last in spans]
    ax.bar(ends, counts, width=0.6 * batch_s, color=WINDOW_COLOUR, edgecolor="#7f2704", label="window")
    if len(counts) <= 24:
        for x, n in zip(ends, counts, strict=True):
            ax.text(x, n, f"{n:,}", ha="center", va="bottom", fontsize=7)
    if per_batch is not None:
        xs = [k * batch_s for k in range(len(per_batch) + 1)]
        ax.stairs(per_batch, xs, color="#555555", linewidth=1.2, label="one batch")
    ax.set_xlim(left=0)
    ax.set_xlabel("seconds since the stream started")
    ax.set_ylabel(what)
    ax.set_title(f"{what} per window", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig  # type: ignore[return-value]


__all__ = ["draw_timeline", "draw_window_counts", "in_batches"]
