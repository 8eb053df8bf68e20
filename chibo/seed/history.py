"""Twelve months of cell meetings for the seeds: the plan of each cell's year and the draws
for each meeting, shared by the demo and the province.

The plan (Planner): which months a cell skips, which meetings are moved and why, when the
quarter's thematic meeting is held (with the regular meeting, or on its own later in the
month), and which quarter a careless cell holds none. The draws for one meeting (turnout,
speakers, votes, task reviews, how late the minutes are signed, the assessor's points) are
the same at both scales, so the demo and the province show the same mix.

The demo plays its history through the actions (chibo.seed.demo_history); a meeting of last
March happened last March: while the history is played, Clock makes timezone.now() answer
the moment of each step, so the actions stamp their rows (started_at, checked_in_at, audit
events, signatures) with it. The province writes the same rows in bulk
(chibo.seed.province_history).
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from chibo.meetings.models import AttendanceStatus, Kind
from chibo.seed.texts import (
    ABSENCE_REASONS,
    CANCELLED_REASONS,
    COMMON_TASKS,
    COMMON_TOPICS,
    MINUTES_CONCLUSIONS,
    MINUTES_OPENING,
    MINUTES_SUMMARIES,
    MINUTES_THEMATIC_CONCLUSION,
    MINUTES_THEMATIC_SUMMARY,
    MINUTES_TOPIC_SENTENCE,
    MOVED_REASONS,
    OPINIONS,
    REVIEW_NOTES,
    TASKS,
    TET_REASON,
    TOPICS,
)

LOCAL = ZoneInfo(settings.TIME_ZONE)
MONTHS = 12

# The share of cells that skip a month (one, sometimes two) and that hold no thematic
# meeting in one quarter; at least one cell of each, so the demo always shows them.
SKIPPING_SHARE = 0.3
LACKING_SHARE = 0.2
MOVED_SHARE = 0.08
COMBINED_THEMATIC_SHARE = 0.6
# Months a meeting is most often skipped: Tết, the summer harvest, the flood season.
SKIP_WEIGHTS = {2: 4, 7: 2, 8: 2, 9: 2}
# When cells meet: villages in the evening after the fields, offices in the afternoon.
START_TIMES = {
    "residential": datetime.time(19, 30),
    "armed_forces": datetime.time(8, 0),
}
OFFICE_START = datetime.time(14, 0)
# How the minutes are signed: days after the meeting, or None for never (left unsigned).
SIGN_DELAYS = {0: 40, 1: 30, 2: 15, 3: 4, 5: 2, None: 9}
TASK_REVIEWS = {"done": 72, "late": 18, "not_done": 10}
# When the meeting's documents are released, in days before it: with the notice (five days
# ahead), later but in time (HD 42 asks for one day ahead), on the day itself (too late for
# the score), or never (None: the secretary brings paper).
MATERIAL_RELEASES = {5: 48, 3: 12, 1: 10, 0: 12, None: 18}
MATERIAL_TITLES = ("Dự thảo nghị quyết chi bộ", "Báo cáo tình hình tháng", "Tài liệu sinh hoạt")
# The level the assessor's points aim at; a level the automatic lines put out of reach
# falls to the next one.
LEVEL_WEIGHTS = {"good": 40, "fair": 44, "average": 14, "weak": 2}


def month_window(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """Return the first days of the count months ending with today's month, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _month_end(first: datetime.date) -> int:
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return (following - datetime.timedelta(days=1)).day


def aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=LOCAL)


def start_time(cell_type: str) -> datetime.time:
    return START_TIMES.get(cell_type, OFFICE_START)


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Slot:
    """One meeting in a cell's year: its kind, the day the rule gives and the day it is held."""

    kind: str
    day: datetime.date
    start: datetime.time
    rule_day: datetime.date | None = None  # a regular meeting's day by the rule
    moved_reason: str = ""
    topic: str = ""
    cancelled_reason: str = ""  # planned, then cancelled: the month is skipped
    current: bool = False  # this month's meeting: planned, or in progress

    @property
    def starts_at(self) -> datetime.datetime:
        return aware(self.day, self.start)

    @property
    def is_thematic(self) -> bool:
        return self.kind in (Kind.THEMATIC, Kind.REGULAR_THEMATIC)

    @property
    def held(self) -> bool:
        return not self.current and not self.cancelled_reason


@dataclass
class CellYear:
    """A cell's meetings over the window, in time order."""

    slots: list[Slot] = field(default_factory=list)

    def next_after(self, slot: Slot) -> Slot | None:
        """Return the meeting after this one that is held or at least opened, if any."""
        later = [s for s in self.slots if s.starts_at > slot.starts_at and not s.cancelled_reason]
        return later[0] if later else None


class Planner:
    """Draws each cell's year: skipped months, moved meetings, thematic meetings."""

    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng = rng
        self.today = today
        self.months = month_window(today)

    def pick(self, count: int, share: float) -> set[int]:
        """Return which of count cells get a trait: about share of them, at least one."""
        chosen = {i for i in range(count) if self.rng.random() < share}
        return chosen or {self.rng.randrange(count)}

    def year(
        self,
        cell_type: str,
        rule_day: Callable[[datetime.date], int],
        *,
        skips: bool,
        lacks: bool,
    ) -> CellYear:
        """Plan a cell's year. rule_day(first day of a month) gives the regular meeting day."""
        rng = self.rng
        current = self.months[-1]
        start = start_time(cell_type)
        skipped = self._skipped_months() if skips else set()
        topics = list(TOPICS.get(cell_type, ()) + COMMON_TOPICS)
        rng.shuffle(topics)
        regular: dict[datetime.date, Slot] = {}
        for first in self.months:
            day = first.replace(day=min(rule_day(first), _month_end(first)))
            slot = Slot(Kind.REGULAR, day, start, rule_day=day, current=first == current)
            if first in skipped:
                if rng.random() < 0.35:
                    reason = CANCELLED_REASONS[1] if first.month == 2 else CANCELLED_REASONS[0]
                    slot.cancelled_reason = reason
                else:
                    continue  # not even planned: the month simply has no meeting
            elif first != current and rng.random() < MOVED_SHARE:
                shift = rng.randint(1, 6)
                slot.day = day.replace(day=min(day.day + shift, _month_end(first)))
                slot.moved_reason = TET_REASON if first.month == 2 else rng.choice(MOVED_REASONS)
            regular[first] = slot
        thematic = self._thematic(regular, topics, start, lacks)
        slots = sorted([*regular.values(), *thematic], key=lambda s: s.starts_at)
        return CellYear(slots)

    def _skipped_months(self) -> set[datetime.date]:
        candidates = self.months[:-1]
        weights = [SKIP_WEIGHTS.get(m.month, 1) for m in candidates]
        count = 2 if self.rng.random() < 0.2 else 1
        chosen = set()
        while len(chosen) < count:
            chosen.add(self.rng.choices(candidates, weights=weights)[0])
        return chosen

    def _thematic(self, regular: dict, topics: list[str], start, lacks: bool) -> list[Slot]:
        """Give each quarter one thematic meeting, combined with the regular one or separate;
        a lacking cell holds none in one full quarter of the past."""
        rng = self.rng
        current = self.months[-1]
        quarters: dict[tuple[int, int], list[datetime.date]] = {}
        for first in self.months:
            quarters.setdefault(quarter_of(first), []).append(first)
        full = [q for q, months in quarters.items() if len(months) == 3 and current not in months]
        lacking = rng.choice(full) if lacks and full else None
        separate = []
        for quarter, months in quarters.items():
            if quarter == lacking:
                continue
            held = [m for m in months if m in regular and regular[m].held]
            topic = topics.pop() if topics else rng.choice(COMMON_TOPICS)
            if not held:
                if current in months and not regular[current].cancelled_reason:
                    regular[current].kind, regular[current].topic = Kind.REGULAR_THEMATIC, topic
                continue
            first = rng.choice(held)
            slot = regular[first]
            if rng.random() < COMBINED_THEMATIC_SHARE:
                slot.kind, slot.topic = Kind.REGULAR_THEMATIC, topic
            else:
                day = first.replace(day=min(rng.randint(14, 22), _month_end(first)))
                separate.append(Slot(Kind.THEMATIC, day, start, topic=topic))
        return separate


# Draws for one meeting, the same at both scales.


def absent_share(rng: random.Random) -> float:
    """Return the share of expected members absent: mostly 5-15%, now and then a quarter."""
    return rng.triangular(0.0, 0.25, 0.09)


def duration_minutes(rng: random.Random, thematic: bool) -> int:
    """Return how long a meeting lasts: long enough, except now and then a hurried one."""
    minimum = 120 if thematic else 90
    if rng.random() < 0.08:
        return rng.randint(minimum - 30, minimum - 5)
    return rng.randint(minimum + 5, minimum + 50)


def speakers_share(rng: random.Random) -> float:
    return rng.uniform(0.3, 0.7)


def opinion(rng: random.Random, key: str) -> str:
    return rng.choice(OPINIONS.get(key) or OPINIONS["discussion"])


def speech_items(thematic: bool) -> dict[str, int]:
    """Return the agenda items speakers speak on, with their weights."""
    items = {"previous_resolution": 2, "current_events": 2, "member_tasks": 3, "discussion": 5}
    if thematic:
        items["thematic"] = 6
    return items


def tasks_for(rng: random.Random, cell_type: str, count: int) -> list[tuple[str, str]]:
    return rng.sample(list(TASKS.get(cell_type, ()) + COMMON_TASKS), count)


def due_on(rng: random.Random, day: datetime.date, next_day: datetime.date | None):
    """Return a task's due date: before the next meeting, which reviews it."""
    if next_day is None:
        next_day = day + datetime.timedelta(days=30)
    gap = max((next_day - day).days, 2)
    return day + datetime.timedelta(days=rng.randint(max(1, gap - 12), gap - 1))


def task_review(rng: random.Random) -> tuple[str, str]:
    status = weighted(rng, TASK_REVIEWS)
    return status, rng.choice(REVIEW_NOTES[status])


def material_release(rng: random.Random, starts: datetime.datetime):
    """Return when the meeting's document is released, or None when it never is."""
    days = weighted(rng, MATERIAL_RELEASES)
    if days is None:
        return None
    if days == 0:
        return starts - datetime.timedelta(hours=1)
    if days == 1:
        # The evening before by the calendar, whatever time the meeting starts.
        return datetime.datetime.combine(
            local(starts).date() - datetime.timedelta(days=1), datetime.time(17, 0), LOCAL
        )
    return starts - datetime.timedelta(days=days)


def sample_material() -> bytes:
    """Return a one-page PDF with Vietnamese text, made once: the seeds' meeting document."""
    global _SAMPLE_PDF
    if _SAMPLE_PDF is None:
        from weasyprint import HTML

        _SAMPLE_PDF = HTML(
            string='<html lang="vi"><body style="font-family: serif">'
            "<h1>Dự thảo nghị quyết chi bộ</h1><p>Tài liệu gửi đảng viên nghiên cứu trước"
            " buổi sinh hoạt: kết quả tháng trước, nhiệm vụ tháng tới, ý kiến góp ý.</p>"
            "</body></html>"
        ).write_pdf()
    return _SAMPLE_PDF


_SAMPLE_PDF: bytes | None = None


def sign_delay(rng: random.Random) -> int | None:
    return weighted(rng, SIGN_DELAYS)


def vote_counts(rng: random.Random, present_official: int, needed: int) -> list[tuple[int, ...]]:
    """Return the votes on the resolution as (agree, disagree, abstain): mostly one that
    passes; now and then a first draft falls short and an amended one passes."""
    votes = []
    if present_official >= needed + 2 and rng.random() < 0.03:
        agree = needed - 1
        disagree = rng.randint(1, present_official - agree)
        votes.append((agree, disagree, present_official - agree - disagree))
    disagree = 1 if rng.random() < 0.12 else 0
    abstain = 1 if rng.random() < 0.1 else 0
    if present_official - disagree - abstain < needed:
        disagree = abstain = 0
    votes.append((present_official - disagree - abstain, disagree, abstain))
    return votes


def manual_points(rng: random.Random, pack, automatic: Decimal) -> dict[str, Decimal]:
    """Return the assessor's points for the pack's manual lines, in half points: enough for
    a total in the band of a level drawn from LEVEL_WEIGHTS, given what the automatic lines
    earn. A level out of reach falls to the next one; the lowest band starts ten points
    under the one above it (a meeting is weak, not absurd)."""
    lines = list(pack.quality.manual_lines)
    half = Decimal("0.5")
    room = sum((line.max for line in lines), Decimal(0))
    reachable = automatic + room
    levels = list(pack.quality.levels)  # highest first
    key = weighted(rng, LEVEL_WEIGHTS)
    index = next((i for i, level in enumerate(levels) if level.key == key), len(levels) - 1)
    while index < len(levels) - 1 and levels[index].min > reachable:
        index += 1
    high = levels[index - 1].min - half if index > 0 else reachable
    low = levels[index].min if index < len(levels) - 1 else high - 10
    low, high = max(low, automatic), max(min(high, reachable), automatic)
    drawn = Decimal(str(rng.uniform(float(low), float(high))))
    target = min(max((drawn / half).to_integral_value() * half, low), high)
    give = max(target - automatic, Decimal(0))
    points = {}
    for line in lines:
        share = line.max * give / room if room else Decimal(0)
        points[line.key] = (share / half).to_integral_value(rounding=ROUND_FLOOR) * half
    left = give - sum(points.values(), Decimal(0))
    order = lines[:]
    rng.shuffle(order)
    while left >= half:
        room_left = [line for line in order if points[line.key] + half <= line.max]
        if not room_left:
            break
        for line in room_left:
            if left >= half:
                points[line.key] += half
                left -= half
    return points


def local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, LOCAL)


class Clock:
    """While active, timezone.now() answers the clock's moment instead of the real time.

    The actions stamp what they record with timezone.now() (started_at, checked_in_at, the
    audit log, auto_now_add fields); setting the clock before each step dates the seeded
    history as if the secretary had entered it then. Never later than the real time.
    """

    def __init__(self):
        self._real = timezone.now
        self.limit = self._real()
        self.moment = self.limit

    def __enter__(self):
        timezone.now = self._now
        return self

    def __exit__(self, *exc):
        timezone.now = self._real

    def _now(self) -> datetime.datetime:
        return self.moment

    def set(self, moment: datetime.datetime) -> datetime.datetime:
        self.moment = min(moment, self.limit).astimezone(datetime.UTC)
        return self.moment

    def reached(self, moment: datetime.datetime) -> bool:
        """Return whether a moment is already in the past (seeding never writes the future)."""
        return moment <= self.limit


def narrative(
    rng: random.Random,
    *,
    chair: str,
    taker: str,
    speakers: int,
    kind: str,
    topic: str = "",
) -> dict[str, str]:
    """Return the minute-taker's opening, summary and conclusion of a meeting."""
    summary = rng.choice(MINUTES_SUMMARIES).format(speakers=speakers)
    conclusion = rng.choice(MINUTES_CONCLUSIONS)
    if kind == Kind.THEMATIC:
        summary = MINUTES_THEMATIC_SUMMARY.format(topic=topic, speakers=speakers)
        conclusion = MINUTES_THEMATIC_CONCLUSION
    elif kind == Kind.REGULAR_THEMATIC:
        summary += " " + MINUTES_TOPIC_SENTENCE.format(topic=topic)
    return {
        "opening": MINUTES_OPENING.format(chair=chair, taker=taker),
        "summary": summary,
        "conclusion": conclusion,
    }


def automatic_points(score, minutes_on_time: bool) -> Decimal:
    """Return what a meeting's automatic lines earn, counting the "minutes signed on time"
    line (still open at the meeting) as it will turn out."""
    total = Decimal(0)
    for line in score.lines:
        if line.auto and line.points is not None:
            total += line.points
        elif line.auto and line.rule == "minutes_signed_on_time" and minutes_on_time:
            total += line.max_points
    return total


@dataclass
class Turnout:
    """Who comes to a meeting: the absent with their status and reason, those present (in
    check-in order), and which of them come late."""

    away: dict[int, tuple[str, str]]
    here: list[int]
    late: set[int]


def turnout(
    rng: random.Random,
    expected: list[int],
    exempted: list[int],
    leaders: tuple[int, ...],
    requests: dict[int, bool] | None = None,
) -> Turnout:
    """Decide who comes. expected: the members expected (ids), exempted: those exempted
    (one in ten comes anyway); leaders (chair, minute-taker) always come; requests: the
    secretary's answer to each member who asked to be excused."""
    requests = requests or {}
    came_exempted = [m for m in exempted if rng.random() < 0.1]
    away: dict[int, tuple[str, str]] = {}
    for member in expected:
        answer = requests.get(member)
        if answer is True:
            away[member] = (AttendanceStatus.ABSENT_EXCUSED, "")
        elif answer is False and rng.random() < 0.5:
            away[member] = (AttendanceStatus.ABSENT_UNEXCUSED, "")
    others = [m for m in expected if m not in away and m not in leaders]
    missing = round(absent_share(rng) * len(expected)) - len(away)
    for member in rng.sample(others, max(0, min(missing, len(others)))):
        if rng.random() < 0.15:
            away[member] = (AttendanceStatus.ABSENT_UNEXCUSED, "")
        else:
            away[member] = (AttendanceStatus.ABSENT_EXCUSED, rng.choice(ABSENCE_REASONS))
    here = [m for m in expected if m not in away] + came_exempted
    late = {m for m in here if rng.random() < 0.06} - set(leaders)
    return Turnout(away, here, late)


def signing_time(ends: datetime.datetime, delay: int) -> datetime.datetime:
    """Return when minutes signed delay days after the meeting are signed: right after the
    meeting on the day itself, else in the morning of that day."""
    if not delay:
        return ends + datetime.timedelta(minutes=30)
    day = local(ends).date() + datetime.timedelta(days=delay)
    return aware(day, datetime.time(9, 30))
