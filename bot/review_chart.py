"""The review post's chart: a team's engagements by audience segment over 12 months, as a
PNG. One horizontal bar per segment in taxonomy order, the period reviewed in a dark shade
and the rest of the 12 months in a light one, its total at the end ("none" for a gap).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

PERIOD_COLOUR = "#1d4e89"
EARLIER_COLOUR = "#9ecae1"
GAP_COLOUR = "#b2182b"
WIDTH_INCHES = 8.0
DPI = 100


@dataclass(frozen=True)
class SegmentBar:
    segment: str
    in_period: int
    earlier: int  # in the rest of the chart's 12 months

    @property
    def total(self) -> int:
        return self.in_period + self.earlier


def segment_chart(
    *, title: str, subtitle: str, bars: Sequence[SegmentBar], period_label: str
) -> bytes:
    """The chart as PNG bytes: `title` and `subtitle` above, `period_label` naming the dark
    shade (the light one is "Earlier in the 12 months"). Text is drawn as given: no
    TeX-like `$...$` is read in it."""
    # Imported here: matplotlib takes a noticeable time to load, and only posts need it.
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with rc_context({"text.parse_math": False, "font.size": 10}):
        figure = Figure(figsize=(WIDTH_INCHES, 1.6 + 0.42 * max(len(bars), 1)), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        rows = range(len(bars))
        labels = [bar.segment for bar in bars]
        axes.barh(rows, [bar.in_period for bar in bars], color=PERIOD_COLOUR, label=period_label)
        axes.barh(
            rows,
            [bar.earlier for bar in bars],
            left=[bar.in_period for bar in bars],
            color=EARLIER_COLOUR,
            label="Earlier in the 12 months",
        )
        top = max((bar.total for bar in bars), default=0)
        for row, bar in zip(rows, bars, strict=True):
            axes.text(
                bar.total + top * 0.01 + 0.05,
                row,
                str(bar.total) if bar.total else "none",
                va="center",
                color="black" if bar.total else GAP_COLOUR,
            )
        axes.set_yticks(list(rows), labels)
        axes.invert_yaxis()  # the taxonomy's first segment at the top
        axes.set_xlim(0, max(top * 1.12, 1))
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("Engagements reaching the segment")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=2, frameon=False)
        figure.suptitle(title, x=0.02, ha="left", fontsize=12, fontweight="bold")
        axes.set_title(subtitle, loc="left", fontsize=10, color="#444444")
        figure.tight_layout()
        png = BytesIO()
        figure.savefig(png, format="png")
    return png.getvalue()
