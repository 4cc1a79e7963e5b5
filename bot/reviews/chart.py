"""The review post's chart: a team's engagements by audience segment over 12 months, as a
PNG. One horizontal bar per segment in taxonomy order, the period reviewed in a dark shade
and the rest of the 12 months in a light one, its total at the end ("none" for a gap).

Above the bars, a header stacked from the top: the title, the subtitle (the 12 months) and
the legend, each measured and placed below the one before, so none can overlap another
whatever their lengths; the title wraps to the chart's width. The bars take the rest.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.transforms import Transform

PERIOD_COLOUR = "#1d4e89"
EARLIER_COLOUR = "#9ecae1"
GAP_COLOUR = "#b2182b"
SUBTITLE_COLOUR = "#444444"
EARLIER_LABEL = "Earlier in the 12 months"
WIDTH_INCHES = 8.0
DPI = 100
STYLE: dict[Any, Any] = {
    "text.parse_math": False,
    "font.size": 10,
}  # no TeX-like `$...$` read in names
MARGIN_INCHES = 0.15  # around the header
GAP_INCHES = 0.08  # between the header's lines
BAR_INCHES = 0.42
AXIS_INCHES = 0.9  # the x axis, its label and the bottom margin
LABEL_CHARS = 32  # a segment's name wraps beyond this


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
    shade (the light one is "Earlier in the 12 months"). Text is drawn as given."""
    figure = segment_figure(title=title, subtitle=subtitle, bars=bars, period_label=period_label)
    png = BytesIO()
    figure.savefig(png, format="png")
    return png.getvalue()


def segment_figure(
    *, title: str, subtitle: str, bars: Sequence[SegmentBar], period_label: str
) -> Figure:
    """The chart as a matplotlib figure, laid out as `segment_chart` draws it: its texts
    are the title then the subtitle, and it has one legend."""
    # Imported here: matplotlib takes a noticeable time to load, and only posts need it.
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    with rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, 1), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        _draw_bars(axes, bars, period_label)
        header = _stack_header(figure, axes, title, subtitle)
    body = AXIS_INCHES + BAR_INCHES * max(len(bars), 1)
    figure.set_size_inches(WIDTH_INCHES, header + body)
    # The bars, their names and the x axis are laid out below the header.
    engine = figure.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)  # layout="constrained", above
    engine.set(rect=(0, 0, 1, body / (header + body)))
    return figure


def _draw_bars(axes: Axes, bars: Sequence[SegmentBar], period_label: str) -> None:
    from matplotlib.ticker import MaxNLocator

    rows = range(len(bars))
    axes.barh(rows, [bar.in_period for bar in bars], color=PERIOD_COLOUR, label=period_label)
    axes.barh(
        rows,
        [bar.earlier for bar in bars],
        left=[bar.in_period for bar in bars],
        color=EARLIER_COLOUR,
        label=EARLIER_LABEL,
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
    axes.set_yticks(list(rows), [textwrap.fill(bar.segment, LABEL_CHARS) for bar in bars])
    axes.invert_yaxis()  # the taxonomy's first segment at the top
    axes.set_xlim(0, max(top * 1.12, 1))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("Engagements reaching the segment")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _stack_header(figure: Figure, axes: Axes, title: str, subtitle: str) -> float:
    """Place the title, the subtitle and the legend one below the other from the figure's
    top left, each measured as drawn; return the header's height in inches."""
    from matplotlib.transforms import ScaledTranslation

    # mypy: the Agg canvas (FigureCanvasAgg, above) has get_renderer; its base does not.
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    width = (WIDTH_INCHES - 2 * MARGIN_INCHES) * DPI  # in pixels, as extents are

    def below_top(depth: float) -> Transform:
        """`depth` inches below the figure's top, at its left margin: the place holds
        when the figure's height is set afterwards."""
        shift = ScaledTranslation(MARGIN_INCHES, -depth, figure.dpi_scale_trans)
        return figure.transFigure + shift

    depth = MARGIN_INCHES
    heading = figure.text(0, 1, title, va="top", fontsize=12, fontweight="bold")
    _wrap(heading, width, renderer)
    below = figure.text(0, 1, subtitle, va="top", color=SUBTITLE_COLOUR)
    for text in (heading, below):
        text.set_transform(below_top(depth))
        depth += text.get_window_extent(renderer).height / DPI + GAP_INCHES
    legend = figure.legend(
        *axes.get_legend_handles_labels(), loc="upper left", ncols=2, borderpad=0, borderaxespad=0
    )
    legend.set_frame_on(False)
    legend.set_bbox_to_anchor((0, 1), transform=below_top(depth))
    if legend.get_window_extent(renderer).width > width:  # a long period's name
        legend.set_ncols(1)
    return depth + legend.get_window_extent(renderer).height / DPI + MARGIN_INCHES


def _wrap(text: Text, width: float, renderer: RendererBase) -> None:
    """Wrap `text` to lines no wider than `width` pixels."""
    words = text.get_text()
    chars = len(words)
    while chars > 1 and (drawn := text.get_window_extent(renderer).width) > width:
        chars = max(1, int(chars * width / drawn) - 1)
        text.set_text(textwrap.fill(words, chars))
