"""The results chart drawn on the server as SVG: for each year a bar of 100%, stacked by
level, best at the bottom, so that the share "good or excellent" reads from the baseline up.
The coordinates are computed here, the template draws them (see chibo/oversight/charts.py)."""

from dataclasses import dataclass

from chibo.regulations.rules import format_percent

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 14, 40
GRID = (0, 25, 50, 75, 100)
BAR_MAX = 90  # the widest a bar gets, when there are only one or two years
# The levels' colours, best first: dark and light green, amber, red; strong enough on paper.
COLOURS = {
    "excellent": "#1b5e20",
    "good": "#66bb6a",
    "completed": "#f9a825",
    "not_completed": "#b00020",
}


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    colour: str
    y: float
    height: float
    count: int
    percent: str  # for the title, in the active language


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    width: float
    middle: float
    total: int
    segments: tuple[Segment, ...]


def _y(percent: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - percent / 100), 1)


def stacked_bars(columns: list[tuple[str, dict[str, int]]], levels: list[tuple[str, str]]) -> dict:
    """Return what the template needs to draw one bar per column: columns is a list of
    (label, count by level), levels the (key, label) pairs, best first. A column with no
    one counted has no segment."""
    count = len(columns)
    span = WIDTH - LEFT - RIGHT
    slot = span / count if count else span
    width = round(min(slot * 0.6, BAR_MAX), 1)
    bars = []
    for i, (label, counts) in enumerate(columns):
        x = round(LEFT + slot * i + (slot - width) / 2, 1)
        total = sum(counts.get(key, 0) for key, _label in levels)
        segments = []
        below, base = 0, _y(0)
        for key, level_label in levels:
            n = counts.get(key, 0)
            if not n:
                continue
            below += n
            # Each segment ends where the running share ends, so that rounding leaves no gap.
            top = _y(100 * below / total)
            segments.append(
                Segment(
                    key=key,
                    label=level_label,
                    colour=COLOURS[key],
                    y=top,
                    height=round(base - top, 1),
                    count=n,
                    percent=format_percent(n, total),
                )
            )
            base = top
        bars.append(
            Bar(
                label=label,
                x=x,
                width=width,
                middle=round(x + width / 2, 1),
                total=total,
                segments=tuple(segments),
            )
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": _y(0),
        "label_y": HEIGHT - BOTTOM + 26,
        "grid": [(_y(g), g) for g in GRID],
        "bars": bars,
        "legend": [(key, label, COLOURS[key]) for key, label in levels],
    }
