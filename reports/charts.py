"""Matplotlib charts as deterministic SVG data URIs, in one colour-blind-safe palette."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; reports run in workers and servers

import matplotlib.pyplot as plt  # noqa: E402  (must follow the backend choice)
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.typing import RcKeyType  # noqa: E402

from reports.wording import score  # noqa: E402  (the one rounding rule of every report)

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form of
# colour-vision deficiency. Lines and points use it in this order.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
# ColorBrewer RdBu (colour-blind safe, diverging): disagree = red side, agree = blue side.
RDBU = {
    4: ("#ca0020", "#f4a582", "#92c5de", "#0571b0"),
    5: ("#ca0020", "#f4a582", "#d9d9d9", "#92c5de", "#0571b0"),
    6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
    7: ("#b2182b", "#ef8a62", "#fddbc7", "#d9d9d9", "#d1e5f0", "#67a9cf", "#2166ac"),
}
# The heatmap colours how good a score is (direction applied), worse = red, better = blue.
HEAT_CMAP = ListedColormap(
    ["#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"])
SUPPRESSED_FILL = "#e0e0e0"
INK = "#222222"

STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text (WeasyPrint draws it with the page's fonts)
    "svg.hashsalt": "lentera",  # stable ids: the same data gives the same bytes
    "svg.id": "chart",
    "font.family": "DejaVu Sans",
    "font.size": 7.5,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.frameon": False,
}


def _svg_uri(fig: Figure, tight: bool = False) -> str:
    """Serialise and close `fig`; return an ``image/svg+xml`` data URI.

    `tight` fits the picture to its labels, at the price of drawing the figure twice; the
    per-unit charts (drawn for every unit of a batch) use fixed margins instead.
    """
    buffer = io.BytesIO()
    extra: dict[str, Any] = {"bbox_inches": "tight", "pad_inches": 0.03} if tight else {}
    with plt.rc_context(STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, **extra)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width_mm: float, height_mm: float) -> Figure:
    """A new figure of the given printed size, with the report style."""
    # a bare Figure, not pyplot's: no figure manager to register and close in long batches
    with plt.rc_context(STYLE):
        return Figure(figsize=(width_mm / 25.4, height_mm / 25.4))


def trend_chart(wave_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
                events: Sequence[tuple[str, str]] = (), y_label: str = "0-100",
                event_label: str = "training") -> str:
    """Lines of 0-100 scores over waves; dashed verticals mark training events by wave."""
    with plt.rc_context(STYLE):
        fig = _figure(170, 52)
        ax = fig.add_axes((0.07, 0.18, 0.6, 0.75))
        x = np.arange(len(wave_labels))
        for (name, values), colour in zip(series, _cycle(len(series)), strict=True):
            y = np.array([np.nan if v is None else v for v in values], dtype=float)
            ax.plot(x, y, marker="o", markersize=3, linewidth=1.4, color=colour,
                    label=_wrap_lines(name, 30), clip_on=False)  # scores lie in 0..100
        # an event is drawn between the wave before it and the first wave after it
        marked = sorted({wave_labels.index(w) - 0.5 for w, _ in events if w in wave_labels})
        for position in marked:
            ax.axvline(position, color="#555555", linestyle=(0, (3, 2)), linewidth=0.8)
        if marked:
            ax.plot([], [], color="#555555", linestyle=(0, (3, 2)), linewidth=0.8,
                    label=event_label)
        ax.set_xticks(x, list(wave_labels))
        ax.set_xlim(-0.6 if marked and marked[0] < 0 else -0.3, max(len(x) - 0.7, 0.3))
        ax.set_ylim(0, 100)
        ax.set_yticks([0, 25, 50, 75, 100])
        # no tick marks: every SVG element costs WeasyPrint time in every unit report
        ax.tick_params(left=False, bottom=False)
        ax.set_ylabel(y_label)
        ax.grid(axis="y", color="#dddddd", linewidth=0.5)
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=6.8)
        return _svg_uri(fig)


def _cycle(n: int) -> list[str]:
    """`n` colours from the Okabe-Ito palette (repeating when there are more than eight)."""
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def diverging_bars(labels: Sequence[str], shares: Sequence[Sequence[float]],
                   option_labels: Sequence[str]) -> str:
    """Diverging stacked bars: disagree categories left of zero, agree categories right.

    With an odd number of options the middle one is split half left, half right.
    """
    data = np.asarray(shares, dtype=float) * 100
    n_items, points = data.shape
    colours = RDBU.get(points) or _cycle(points)
    height = 16 + 6.2 * n_items
    labels = [_wrap(label, 70) for label in labels]
    # room for the longest label: about 1.25 mm per character at 6.3 pt (DejaVu Sans)
    margin = min(0.55, (6 + 1.25 * max(len(label) for label in labels)) / 170)
    with plt.rc_context(STYLE):
        fig = _figure(170, height)
        ax = fig.add_axes((margin, 8 / height, 0.98 - margin, 1 - 17 / height))
        half = points // 2
        left = -data[:, :half].sum(axis=1)
        if points % 2:
            left -= data[:, half] / 2
        y = np.arange(n_items)[::-1].astype(float)
        handles = []
        # one PolyCollection per category instead of a Rectangle artist per bar: the same
        # picture at a fraction of the drawing cost (this chart is drawn for every unit)
        for j in range(points):
            right = left + data[:, j]
            verts = [((a, b - 0.36), (a, b + 0.36), (c, b + 0.36), (c, b - 0.36))
                     for a, b, c in zip(left, y, right, strict=True)]
            # clip_on=False: the bars lie inside the axes anyway, and a clip path per bar
            # costs WeasyPrint time
            ax.add_collection(PolyCollection(verts, facecolors=colours[j], edgecolors="white",
                                             linewidths=0.4, clip_on=False))
            handles.append(Patch(facecolor=colours[j], label=option_labels[j]))
            left = right
        ax.set_ylim(-0.6, n_items - 0.4)
        ax.axvline(0, color=INK, linewidth=0.6)
        ax.set_yticks(y, labels, fontsize=6.3)
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"])
        ax.tick_params(left=False, bottom=False)  # fewer SVG elements to draw (see trend)
        ax.spines["left"].set_visible(False)
        # centred on the figure, not the axes: long item labels push the axes to the right
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=points,
                   fontsize=6, handlelength=1, columnspacing=0.8)
        return _svg_uri(fig)


def _wrap_lines(text: str, width: int) -> str:
    """Break `text` into lines of at most `width` characters at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _wrap(text: str, width: int) -> str:
    """Shorten long item texts for axis labels (the full text is in the table)."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


HEATMAP_ROWS = 25  # rows per heatmap picture; larger organisations get several pictures


def heatmap(row_labels: Sequence[str], col_labels: Sequence[str],
            scores: Sequence[Sequence[float | None]], higher_better: Sequence[bool],
            suppressed_label: str, verdicts: Sequence[Sequence[str]] | None = None) -> str:
    """Units x dimensions of 0-100 scores, suppressed cells hatched grey.

    With ``verdicts`` ("better" / "worse" / "" per cell: the evidence standard against the
    rest of the organisation) only clear cells are coloured, blue = better, red = worse, and
    the others stay white, so that no colour suggests a difference the data do not support.
    Without, colour = how good the score is (direction applied).
    """
    values = np.array([[np.nan if v is None else v for v in row] for row in scores], dtype=float)
    good = np.where(np.asarray(higher_better, dtype=bool)[None, :], values, 100 - values)
    if verdicts is not None:
        code = np.array(verdicts, dtype=object)
        good = np.where(code == "better", 95.0, np.where(code == "worse", 5.0, np.nan))
    n_rows, n_cols = values.shape
    height = 30 + 3.9 * n_rows  # 25 rows fill a landscape A4 page (HEATMAP_ROWS)
    with plt.rc_context(STYLE):
        fig = _figure(180, height)
        ax = fig.add_axes((0.24, 2 / height, 0.75, 1 - 30 / height))
        ax.imshow(np.ma.masked_invalid(good), cmap=HEAT_CMAP, vmin=0, vmax=100, aspect="auto",
                  interpolation="nearest")
        ax.set_xlim(-0.5, n_cols - 0.5)
        ax.set_ylim(n_rows - 0.5, -0.5)
        for r in range(n_rows):
            for c in range(n_cols):
                _heat_cell(ax, r, c, values[r, c], good[r, c], suppressed_label)
        ax.set_xticks(range(n_cols), [_wrap(c, 28) for c in col_labels], rotation=55,
                      ha="left", rotation_mode="anchor", fontsize=6)
        ax.xaxis.tick_top()
        ax.set_yticks(range(n_rows), list(row_labels), fontsize=6.3)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        return _svg_uri(fig, tight=True)


def _heat_cell(ax: Axes, r: int, c: int, value: float, good: float, suppressed_label: str) -> None:
    """Write one cell: its rounded score, or a hatched grey box with the suppression mark."""
    if math.isnan(value):
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor=SUPPRESSED_FILL,
                               hatch="////", edgecolor="#b0b0b0", linewidth=0))
        ax.text(c, r, suppressed_label, ha="center", va="center", fontsize=5.5, color="#555555")
        return
    colour = "white" if good < 20 or good > 80 else INK
    ax.text(c, r, score(value, "en"), ha="center", va="center", fontsize=6, color=colour)


def score_distribution(labels: Sequence[str], unit_scores: Sequence[Sequence[float]],
                       org_scores: Sequence[float | None]) -> str:
    """One row per dimension: each shown unit's score as a dot, the organisation as a bar."""
    n = len(labels)
    height = 14 + 5.5 * n
    with plt.rc_context(STYLE):
        fig = _figure(170, height)
        ax = fig.add_axes((0.30, 9 / height, 0.66, 1 - 12 / height))
        rng = np.random.default_rng(0)  # fixed jitter: deterministic output
        for i, scores in enumerate(unit_scores):
            y = n - 1 - i
            jitter = rng.uniform(-0.18, 0.18, size=len(scores))
            ax.scatter(scores, y + jitter, s=6, color=OKABE_ITO[0], alpha=0.75, linewidths=0)
            org = org_scores[i]
            if org is not None:
                ax.plot([org] * 2, [y - 0.35, y + 0.35], color=OKABE_ITO[5],
                        linewidth=1.6)
        ax.set_yticks(range(n)[::-1], [_wrap(label, 40) for label in labels], fontsize=6.3)
        ax.set_xlim(0, 100)
        ax.set_ylim(-0.6, n - 0.4)
        ax.grid(axis="x", color="#dddddd", linewidth=0.5)
        ax.tick_params(axis="y", length=0)
        return _svg_uri(fig, tight=True)


def difference_chart(labels: Sequence[str], estimates: Sequence[float | None],
                     lows: Sequence[float | None], highs: Sequence[float | None],
                     x_label: str = "difference") -> str:
    """Differences with their 95% intervals, one row per label, against a line at 0 (a row
    without an estimate is left empty)."""
    def values(seq: Sequence[float | None]) -> Any:
        return np.array([np.nan if v is None else v for v in seq], dtype=float)

    est, low, high = values(estimates), values(lows), values(highs)
    rows_mm, bottom_mm, top_mm = 8.0 * max(len(labels), 1), 11.0, 2.0
    height = rows_mm + bottom_mm + top_mm  # fixed margins in mm: room for the axis label
    with plt.rc_context(STYLE):
        fig = _figure(170, height)
        ax = fig.add_axes((0.3, bottom_mm / height, 0.66, rows_mm / height))
        y = np.arange(len(labels))[::-1]
        ax.axvline(0.0, color="#555555", linewidth=0.8)
        ax.hlines(y, low, high, color=OKABE_ITO[0], linewidth=1.6)
        ax.plot(est, y, "o", color=OKABE_ITO[0], markersize=4)
        span = np.nanmax(np.abs(np.r_[low, high, 1.0]))
        ax.set_xlim(-1.1 * span, 1.1 * span)
        ax.set_yticks(y, [_wrap(label, 30) for label in labels])
        ax.set_ylim(-0.6, len(labels) - 0.4)
        ax.tick_params(left=False)
        ax.set_xlabel(x_label)
        ax.grid(axis="x", color="#dddddd", linewidth=0.5)
        return _svg_uri(fig)
