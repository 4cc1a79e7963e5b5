"""The review post's chart: a PNG of engagements by audience segment."""

from __future__ import annotations

import struct

from bot.review_chart import SegmentBar, segment_chart

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
