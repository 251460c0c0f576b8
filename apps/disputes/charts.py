"""Bar charts drawn on the server as inline SVG: no script, nothing fetched."""

import dataclasses
from collections.abc import Sequence
from datetime import date

_LEFT, _RIGHT, _TOP, _BOTTOM = 36, 28, 12, 24


@dataclasses.dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    centre: float
    value: int
    label: str  # Shown under the bar when ``show_label``; always in the tooltip.
    show_label: bool


@dataclasses.dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclasses.dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    right: int
    plot_bottom: int
    bars: list[Bar]
    ticks: list[Tick]
    maximum: int
    total: int


def _ticks(maximum: int) -> list[int]:
    """0, the top and a middle line, on whole numbers."""
    if maximum <= 0:
        return [0]
    if maximum == 1:
        return [0, 1]
    return sorted({0, maximum // 2, maximum})


def bar_chart(
    series: Sequence[tuple[date, int]],
    *,
    width: int = 760,
    height: int = 220,
    label_every: int = 5,
) -> BarChart:
    """Geometry of a bar per day; the template turns it into SVG elements."""
    plot_bottom = height - _BOTTOM
    plot_height = plot_bottom - _TOP
    maximum = max((value for _, value in series), default=0)
    slot = (width - _LEFT - _RIGHT) / max(len(series), 1)
    scale = plot_height / maximum if maximum else 0.0
    last = len(series) - 1
    bars = []
    for i, (day, value) in enumerate(series):
        bar_height = value * scale
        x = _LEFT + i * slot
        bars.append(
            Bar(
                x=round(x + slot * 0.1, 1),
                y=round(plot_bottom - bar_height, 1),
                width=round(slot * 0.8, 1),
                height=round(bar_height, 1),
                centre=round(x + slot / 2, 1),
                value=value,
                label=day.strftime("%b %d"),
                show_label=(last - i) % label_every == 0,
            )
        )
    return BarChart(
        width=width,
        height=height,
        left=_LEFT,
        right=width - _RIGHT,
        plot_bottom=plot_bottom,
        bars=bars,
        ticks=[
            Tick(y=round(plot_bottom - value * scale, 1), value=value)
            for value in _ticks(maximum)
        ],
        maximum=maximum,
        total=sum(value for _, value in series),
    )
