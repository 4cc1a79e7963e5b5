"""The review post's chart: a PNG of engagements by audience segment."""

from __future__ import annotations

import itertools
import struct

import pytest

from bot.reviews.chart import SegmentBar, segment_chart, segment_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header chunk, which must come first."""
    assert png[:8] == PNG_SIGNATURE
    length, kind, width, height = struct.unpack(">I4sII", png[8:24])
    assert (length, kind) == (13, b"IHDR")
    return width, height


def chart(bars: list[SegmentBar], title: str = "Prices: engagements by audience segment") -> bytes:
    return segment_chart(
        title=title, subtitle="May 2026 to April 2027", bars=bars, period_label="April 2027"
    )


def test_a_chart_of_every_segment_is_a_png_of_a_readable_size() -> None:
    bars = [
        SegmentBar("Central government", 3, 9),
        SegmentBar("Devolved and local government", 0, 0),
        SegmentBar("Media", 0, 5),
        SegmentBar("Members of the public", 2, 0),
    ]
    width, height = png_size(chart(bars))
    assert width == 800
    assert 300 <= height <= 500


def test_nine_segments_make_a_taller_chart_and_no_engagement_still_draws() -> None:
    few = png_size(chart([SegmentBar("Media", 1, 1)]))
    nine = png_size(chart([SegmentBar(f"Segment {n}", n, 0) for n in range(9)]))
    assert nine[1] > few[1]
    assert png_size(chart([SegmentBar("Media", 0, 0), SegmentBar("Academia", 0, 0)]))


def test_dollar_signs_are_drawn_as_text() -> None:
    # matplotlib would read "$...$" as TeX; a name like this must not break the chart.
    png = chart([SegmentBar("Costs in $ and $bn", 1, 0)], title="Prices $5 & <b>: engagements")
    assert png_size(png)[0] == 800


TAXONOMY = (
    "central government",
    "devolved and local government",
    "academia and research",
    "media",
    "business and industry",
    "charities and voluntary sector",
    "international bodies",
    "members of the public",
    "internal users",
)
LONGEST_TEAM = "Labour Market and Household Income Statistics Division, Newport and Titchfield"


@pytest.mark.parametrize(
    ("team", "bars", "period_label"),
    [
        ("Prices", [SegmentBar(name, 1, 2) for name in TAXONOMY], "November 2026"),
        ("Prices", [SegmentBar("media", 0, 0)], "November 2026"),
        (
            LONGEST_TEAM,
            [SegmentBar(name, 40, 250) for name in TAXONOMY],
            "September to November 2026",
        ),
        (
            "Prices",
            [SegmentBar(name, 0, 0) for name in TAXONOMY],
            "3 November 2026 to 30 November 2026",
        ),
    ],
    ids=["every segment", "one segment", "longest team name", "weeks, not months"],
)
def test_the_title_subtitle_legend_and_bars_never_overlap(
    team: str, bars: list[SegmentBar], period_label: str
) -> None:
    figure = segment_figure(
        title=f"{team}: engagements by audience segment",
        subtitle="December 2025 to November 2026",  # 12 months: the longest month names
        bars=bars,
        period_label=period_label,
    )
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    title, subtitle = figure.texts[:2]
    assert (title.get_text().replace("\n", " "), subtitle.get_text()) == (
        f"{team}: engagements by audience segment",
        "December 2025 to November 2026",
    )
    boxes = {
        "title": title.get_window_extent(renderer),
        "subtitle": subtitle.get_window_extent(renderer),
        "legend": figure.legends[0].get_window_extent(renderer),
        "bars": figure.axes[0].get_tightbbox(renderer),  # with their names and the x axis
    }
    assert figure.legends[0].get_texts()[0].get_text() == period_label
    for name, box in boxes.items():
        assert figure.bbox.contains(box.x0, box.y0) and figure.bbox.contains(box.x1, box.y1), name
    for (one, box), (other, other_box) in itertools.combinations(boxes.items(), 2):
        assert not box.overlaps(other_box), f"the {one} overlaps the {other}"
