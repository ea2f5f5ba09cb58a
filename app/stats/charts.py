"""Geometry and wording for the stats page's server-drawn SVG charts, and figure formatting.

The template only places what is computed here, so the charts need no JavaScript and no CDN.
Colours live in the stylesheet (classes ``heat-0`` .. ``heat-4``), so dark mode follows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.services.stats import DayCount

CELL = 11  # heatmap square, px in viewBox units
STEP = 13  # square plus gap
HEAT_LEFT = 30  # room for weekday labels
HEAT_TOP = 18  # room for month labels
MONTH_LABEL_WIDTH = 22
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

BAR_STEP = 22
BAR_WIDTH = 16
PLOT_LEFT = 34
PLOT_TOP = 14
PLOT_HEIGHT = 120
AXIS_BOTTOM = 22


def day_label(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {day:%b %Y}"


def short_day(day: date) -> str:
    return f"{day.day} {day:%b}"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


@dataclass(frozen=True)
class HeatCell:
    x: int
    y: int
    level: int
    day: date
    count: int
    title: str


@dataclass(frozen=True)
class Heatmap:
    width: int
    height: int
    cells: tuple[HeatCell, ...]
    months: tuple[tuple[int, str], ...]  # (x, label)
    weekdays: tuple[tuple[int, str], ...]  # (y of the text baseline, label)
    weeks: int
    total: int
    active_days: int
    busiest: DayCount | None
    label: str


def level(count: int, busiest: int) -> int:
    """0 for no reviews, then 1..4 by quarters of the busiest day (GitHub's buckets)."""
    if count <= 0 or busiest <= 0:
        return 0
    return min(4, max(1, math.ceil(4 * count / busiest)))


def heatmap(days: Sequence[DayCount]) -> Heatmap:
    """A calendar of weeks (columns, Monday on top) by weekday (rows), oldest week on the left."""
    offset = days[0].date.weekday() if days else 0
    busiest_count = max((d.count for d in days), default=0)
    cells = []
    # A month is labelled over the week of its first Monday; the partial month at the left edge
    # only if there is room before the next label.
    months: list[tuple[int, str]] = []
    for index, day in enumerate(days):
        column, row = divmod(index + offset, 7)
        x = HEAT_LEFT + column * STEP
        if row == 0 and day.date.day <= 7:
            months.append((x, day.date.strftime("%b")))
        cells.append(
            HeatCell(
                x=x,
                y=HEAT_TOP + row * STEP,
                level=level(day.count, busiest_count),
                day=day.date,
                count=day.count,
                title=f"{day_label(day.date)}: {plural(day.count, 'review')}",
            )
        )
    if days and (not months or months[0][0] - HEAT_LEFT >= 3 * STEP):
        months.insert(0, (HEAT_LEFT, days[0].date.strftime("%b")))
    weeks = (offset + len(days) + 6) // 7
    total = sum(d.count for d in days)
    active = sum(1 for d in days if d.count)
    busiest = max(days, key=lambda d: (d.count, d.date)) if busiest_count else None
    if days:
        label = (
            f"Calendar of reviews per day from {day_label(days[0].date)} to "
            f"{day_label(days[-1].date)}: {plural(total, 'review')} on {plural(active, 'day')}"
        )
        if busiest is not None:
            label += f"; most in one day {busiest.count:,} on {day_label(busiest.date)}"
    else:
        label = "Calendar of reviews per day: no days"
    width = HEAT_LEFT + weeks * STEP
    if months:  # room for the last month's name when it sits over one of the last weeks
        width = max(width, months[-1][0] + MONTH_LABEL_WIDTH)
    return Heatmap(
        width=width,
        height=HEAT_TOP + 7 * STEP,
        cells=tuple(cells),
        months=tuple(months),
        weekdays=tuple((HEAT_TOP + row * STEP + CELL - 2, WEEKDAYS[row]) for row in (0, 2, 4)),
        weeks=weeks,
        total=total,
        active_days=active,
        busiest=busiest,
        label=label + ".",
    )


@dataclass(frozen=True)
class Bar:
    x: int
    y: float
    width: int
    height: float
    day: date
    count: int
    title: str


@dataclass(frozen=True)
class Forecast:
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, str], ...]  # (x of the tick's centre, label) under the axis
    gridlines: tuple[tuple[float, int], ...]  # (y, value)
    baseline: float
    plot_left: int
    plot_right: int
    total: int
    label: str


def _nice_top(value: int) -> int:
    """A round axis maximum at or above ``value``: 1, 2, 5 or 10 times a power of ten."""
    if value <= 4:
        return max(value, 1)
    magnitude = 10 ** int(math.log10(value))
    for factor in (1, 2, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover


def forecast(days: Sequence[DayCount]) -> Forecast:
    """Bars of cards due per day; day 0 is today and includes everything overdue."""
    top = _nice_top(max((d.count for d in days), default=0))
    baseline = PLOT_TOP + PLOT_HEIGHT
    bars = []
    ticks: list[tuple[float, str]] = []
    for index, day in enumerate(days):
        x = PLOT_LEFT + 4 + index * BAR_STEP
        height = PLOT_HEIGHT * day.count / top
        when = "Today (overdue included)" if index == 0 else day_label(day.date)
        bars.append(
            Bar(
                x=x,
                y=baseline - height,
                width=BAR_WIDTH,
                height=height,
                day=day.date,
                count=day.count,
                title=f"{when}: {plural(day.count, 'card')} due",
            )
        )
        if index == 0:
            ticks.append((x + BAR_WIDTH / 2, "Today"))
        elif index % 7 == 0:
            ticks.append((x + BAR_WIDTH / 2, short_day(day.date)))
    halves = sorted({top, top // 2} - {0}) if top > 1 else [top]
    gridlines = tuple((baseline - PLOT_HEIGHT * value / top, value) for value in halves)
    total = sum(d.count for d in days)
    label = (
        f"Bar chart of cards due per day over the next {len(days)} days: {plural(total, 'card')}"
    )
    if days:
        label += f", {days[0].count:,} of them today (overdue included)"
        busiest = max(days, key=lambda d: (d.count, -d.date.toordinal()))
        if busiest.count:
            label += f"; the busiest day is {day_label(busiest.date)} with {busiest.count:,}"
    plot_right = PLOT_LEFT + 8 + len(days) * BAR_STEP
    return Forecast(
        width=plot_right + 4,
        height=baseline + AXIS_BOTTOM,
        bars=tuple(bars),
        ticks=tuple(ticks),
        gridlines=gridlines,
        baseline=baseline,
        plot_left=PLOT_LEFT,
        plot_right=plot_right,
        total=total,
        label=label + ".",
    )


def duration(ms: int) -> str:
    """Answering time for people: ``0 min``, ``45 s``, ``12 min``, ``3 h 05 min``."""
    seconds = (ms + 500) // 1000  # halves round up, as people do
    if seconds == 0:
        return "0 min"
    if seconds < 60:
        return f"{seconds} s"
    minutes = (seconds + 30) // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"
