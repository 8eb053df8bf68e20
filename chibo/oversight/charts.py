"""Charts drawn on the server as SVG: the coordinates are computed here, the template draws
them. No script, nothing to download: the page stays light on an old phone."""

from dataclasses import dataclass
from fractions import Fraction

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 30, 14, 40
GRID = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class Series:
    key: str  # also the CSS class that colours the line
    label: str
    points: str  # "x,y x,y …" for a polyline; months without a figure break nothing
    dots: list[tuple[float, float, str]]  # x, y, the value as text for the title


def _x(i: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return round(LEFT + (span * i / (count - 1) if count > 1 else span / 2), 1)


def _y(percent: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - percent / 100), 1)


def percent_chart(labels: list[str], lines: list[tuple[str, str, list[Fraction | None]]]) -> dict:
    """Return what the template needs to draw percentages over the months: lines is a list
    of (key, label, [ratio or None per month])."""
    count = len(labels)
    series = []
    for key, label, ratios in lines:
        dots = [
            (_x(i, count), _y(float(r) * 100), f"{float(r) * 100:.0f}%")
            for i, r in enumerate(ratios)
            if r is not None
        ]
        series.append(Series(key, label, " ".join(f"{x},{y}" for x, y, _t in dots), dots))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "grid": [(_y(g), g) for g in GRID],
        # Every other month is named, the last always: twelve labels do not fit a phone.
        "labels": [
            (_x(i, count), HEIGHT - BOTTOM + 26, text)
            for i, text in enumerate(labels)
            if (count - 1 - i) % 2 == 0
        ],
        "series": series,
    }
