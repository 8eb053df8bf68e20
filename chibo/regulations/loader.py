"""Regulation packs: read the JSON files once, check them, and find the pack in force.

A pack (gói quy định) holds the rules that change with new documents: the meeting rules,
the vote thresholds and the meeting-quality rubric, with the documents they come from and
the dates they apply. A meeting is scored by the pack in force on its date; a province can
ship a pack that overrides the national one for its subtree. See README.md for the format.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import get_language

from chibo.text import fold

if TYPE_CHECKING:  # pragma: no cover
    from chibo.regulations.discipline import DisciplineRules
    from chibo.regulations.lifecycle import FeeRules, MembershipRules
    from chibo.regulations.reviews import ReviewRules

PACKS_DIR = Path(__file__).resolve().parent / "packs"
TOTAL_POINTS = Decimal(100)

# Rules that compute an item from the meeting's data. "percent" rules measure a share in
# percent and map it to points through bands (or proportionally); "check" rules are met or
# not: met gives the item's full points, not met gives "otherwise" (0 unless set).
AUTO_RULES: Mapping[str, str] = MappingProxyType(
    {
        "duration": "percent",
        "attendance": "percent",
        "speakers_share": "percent",
        "previous_tasks_done": "percent",
        "materials_posted": "check",
        "minutes_signed_on_time": "check",
    }
)
# Options that only one rule understands.
_RULE_OPTIONS = {"attendance": {"if_unexcused_absence"}, "previous_tasks_done": {"if_no_tasks"}}
VOTE_KINDS_REQUIRED = ("resolution", "recognition")
# What a pack can be about; packs of different subjects apply side by side, each with its
# own dates (the fee rules changed on 1/2/2026, the meeting rules on 28/10/2025).
SUBJECTS = ("meetings", "membership", "fees", "discipline", "reviews")
# The early warnings (chibo.oversight.warnings) a meetings pack must give, each with the
# figures it takes; the membership pack's are in lifecycle.MEMBERSHIP_WARNING_RULES. Figures
# the meeting section already holds (materials_lead_days, minutes_sign_deadline_days,
# thematic_per_quarter) are read from there, never repeated.
MEETING_WARNING_RULES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "meeting_missed": ("grace_days",),
        "meeting_off_day": (),
        "thematic_missing": ("warn_from_month",),
        "attendance_low": ("min_percent",),
        "materials_late": (),
        "minutes_unsigned": (),
        "score_missing": ("grace_days",),
        "tasks_overdue": (),
    }
)
# The range of each warning figure, both ends included.
WARNING_FIGURES: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        "grace_days": (0, 31),
        "warn_from_month": (1, 3),  # the month of the quarter: 1, 2 or 3
        "min_percent": (1, 100),
        "warn_at_months": (1, 12),
        "within_days": (1, 366),
    }
)
AGENDA_SECTIONS = ("opening", "main", "closing")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class PackError(ImproperlyConfigured):
    """A pack file is invalid; the message names the file and the field."""


class PackNotFound(LookupError):
    """No pack is in force for that organisation and date, or no pack has that id."""


class _Titled:
    title: str
    title_en: str

    @property
    def label(self) -> str:
        """Return the title in the active language (packs are Vietnamese; English is optional)."""
        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title


@dataclass(frozen=True)
class Source:
    """A document a pack comes from (văn bản căn cứ)."""

    number: str | None
    date: datetime.date | None
    issuer: str
    title: str = ""
    unconfirmed: bool = False
    note: str = ""

    def __str__(self) -> str:
        parts = [self.number or "?"]
        if self.date:
            parts.append(self.date.strftime("%d/%m/%Y"))
        parts.append(self.issuer)
        return ", ".join(parts)


@dataclass(frozen=True)
class Scope:
    """Where a provincial pack applies: the subtree of the named province."""

    province: str

    @property
    def key(self) -> str:
        return fold(self.province)


@dataclass(frozen=True)
class AgendaStep(_Titled):
    key: str
    title: str
    title_en: str = ""


@dataclass(frozen=True)
class AgendaItem(_Titled):
    key: str
    title: str
    title_en: str
    section: str
    thematic_only: bool = False
    vote: bool = False
    steps: tuple[AgendaStep, ...] = ()


@dataclass(frozen=True)
class MeetingRules:
    """When and how a regular meeting is held."""

    regular_day: int | None  # None: the document fixes no day; the committee's day applies
    min_minutes_regular: int
    min_minutes_with_thematic: int
    materials_lead_days: int
    minutes_sign_deadline_days: int
    thematic_per_quarter: int
    agenda: tuple[AgendaItem, ...]

    def min_minutes(self, thematic: bool) -> int:
        """Return the shortest allowed duration, longer when a thematic topic is held too."""
        return self.min_minutes_with_thematic if thematic else self.min_minutes_regular

    def agenda_for(self, thematic: bool) -> tuple[AgendaItem, ...]:
        """Return the agenda template, with the thematic item only for a thematic meeting."""
        return tuple(item for item in self.agenda if thematic or not item.thematic_only)


@dataclass(frozen=True, eq=False)
class WarningRule:
    """One early-warning rule of a pack: its figures and the document it comes from."""

    key: str
    document: str  # the number of one of the pack's sources (its issuer when it has none)
    part: str  # the article, point or section, when checked against the text; else ""
    figures: Mapping[str, int]

    @property
    def source(self) -> str:
        """Return the citation shown with a warning: "Điều lệ Đảng, Điều 8"."""
        return f"{self.document}, {self.part}" if self.part else self.document


@dataclass(frozen=True)
class Threshold(_Titled):
    """How many of the eligible members must agree: numerator/denominator, strictly or not."""

    kind: str
    numerator: int
    denominator: int
    strict: bool
    title: str
    title_en: str = ""

    def votes_needed(self, eligible: int) -> int:
        """Return the smallest number of votes in favour that meets the threshold."""
        share = self.numerator * eligible
        if self.strict:
            return share // self.denominator + 1
        return -(-share // self.denominator)


@dataclass(frozen=True, eq=False)
class VoteRules:
    eligible: str  # "official": only official members vote; probationary members do not
    probationary_members_vote: bool
    exclude_exempted_absent: bool
    exclude_temporarily_away: bool
    denominator_note: str
    thresholds: Mapping[str, Threshold]
    max_failed_recognition_votes: int

    def threshold(self, kind: str) -> Threshold:
        try:
            return self.thresholds[kind]
        except KeyError:
            raise ValueError(f"unknown vote kind {kind!r}: {sorted(self.thresholds)}") from None

    def eligible_count(
        self, official_members: int, exempted_absent: int = 0, temporarily_away: int = 0
    ) -> int:
        """Return the denominator of a vote: the official members, less those the pack excludes.

        official_members counts every official member of the cell (exempted ones included);
        exempted_absent the exempted members who are not at the meeting; temporarily_away the
        members transferred temporarily to another organisation.
        """
        count = official_members
        if self.exclude_exempted_absent:
            count -= exempted_absent
        if self.exclude_temporarily_away:
            count -= temporarily_away
        return max(count, 0)


@dataclass(frozen=True)
class Band:
    """One step of a banded rule: a share at least (or above) the threshold earns points."""

    threshold: Decimal
    strict: bool
    points: Decimal

    def covers(self, value: Fraction) -> bool:
        limit = Fraction(self.threshold)
        return value > limit if self.strict else value >= limit


@dataclass(frozen=True)
class AutoRule:
    rule: str
    bands: tuple[Band, ...] = ()
    proportional: bool = False
    otherwise: Decimal = Decimal(0)
    if_unexcused_absence: Decimal | None = None
    if_no_tasks: Decimal | None = None

    def points_for(self, percent: Fraction, max_points: Decimal) -> Decimal:
        """Return the points a measured share (in percent) earns under this rule."""
        if self.proportional:
            share = min(max(percent, Fraction(0)), Fraction(100)) / 100
            exact = Fraction(max_points) * share
            return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.1"))
        for band in self.bands:
            if band.covers(percent):
                return band.points
        return Decimal(0)


@dataclass(frozen=True)
class QualityItem(_Titled):
    """An item of the rubric: a group of parts, or a line scored by a rule or by an assessor."""

    key: str
    title: str
    title_en: str
    max: Decimal
    auto: AutoRule | None = None
    manual: bool = False
    parts: tuple[QualityItem, ...] = ()
    note: str = ""

    @property
    def lines(self) -> tuple[QualityItem, ...]:
        """Return what is scored: the parts of a group, or the item itself."""
        return self.parts or (self,)


@dataclass(frozen=True)
class QualityLevel(_Titled):
    key: str
    title: str
    title_en: str
    min: Decimal
    unconfirmed: bool = False
    note: str = ""


@dataclass(frozen=True)
class QualityRubric:
    items: tuple[QualityItem, ...]
    levels: tuple[QualityLevel, ...]  # highest first; the last starts at 0

    @property
    def lines(self) -> tuple[QualityItem, ...]:
        return tuple(line for item in self.items for line in item.lines)

    @property
    def manual_lines(self) -> tuple[QualityItem, ...]:
        return tuple(line for line in self.lines if line.manual)

    def line(self, key: str) -> QualityItem:
        for line in self.lines:
            if line.key == key:
                return line
        raise KeyError(key)

    def level_for(self, total: Decimal | int | float) -> QualityLevel:
        value = Decimal(str(total))
        for level in self.levels:
            if value >= level.min:
                return level
        return self.levels[-1]


@dataclass(frozen=True, eq=False)
class Pack(_Titled):
    id: str
    title: str
    title_en: str
    sources: tuple[Source, ...]
    applies_from: datetime.date
    applies_until: datetime.date | None
    scope: Scope | None  # None: national
    unconfirmed: Mapping[str, str]  # field path -> why the figure is not confirmed
    file: Path
    subject: str = "meetings"  # one of SUBJECTS: which rules the pack holds
    # The sections of the pack's subject; the others are None.
    meeting: MeetingRules | None = None
    votes: VoteRules | None = None
    quality: QualityRubric | None = None
    membership: MembershipRules | None = None
    fees: FeeRules | None = None
    discipline: DisciplineRules | None = None
    review: ReviewRules | None = None
    # The early-warning rules of a meetings or membership pack, by key.
    warnings: Mapping[str, WarningRule] | None = None

    @property
    def source(self) -> Source:
        return self.sources[0]

    @property
    def is_national(self) -> bool:
        return self.scope is None

    def covers(self, on_date: datetime.date) -> bool:
        """Return whether the pack is in force on that date (both ends included)."""
        return self.applies_from <= on_date and (
            self.applies_until is None or on_date <= self.applies_until
        )

    def unconfirmed_notes(self) -> list[tuple[str, str]]:
        """Return every figure or source the pack marks as not confirmed, with its note."""
        notes = list(self.unconfirmed.items())
        notes += [
            (f"sources.{s.number or i}", s.note)
            for i, s in enumerate(self.sources)
            if s.unconfirmed
        ]
        if self.quality is not None:
            notes += [
                (f"quality.levels.{lv.key}", lv.note)
                for lv in self.quality.levels
                if lv.unconfirmed
            ]
        return notes

    def __str__(self) -> str:
        return f"{self.id}: {self.title}"

    def __repr__(self) -> str:
        return f"<Pack {self.id}>"


# Reading and checking a pack file.


class _Fields:
    """The fields of one JSON object, read with the file and path named in every error."""

    def __init__(self, data: Any, file: Path, path: str):
        self.file, self.path = file, path
        if not isinstance(data, dict):
            self.fail("must be an object")
        self.data: dict[str, Any] = data
        self.seen: set[str] = set()

    def fail(self, message: str, field: str | None = None) -> NoReturn:
        where = ".".join(p for p in (self.path, field) if p) or "(top)"
        raise PackError(f"regulation pack {self.file.name}: {where}: {message}")

    def sub(self, data: Any, field: str) -> _Fields:
        return _Fields(data, self.file, f"{self.path}.{field}" if self.path else field)

    def get(self, field: str, kinds: type | tuple[type, ...], default: Any = ...) -> Any:
        self.seen.add(field)
        if field not in self.data or self.data[field] is None:
            if default is ...:
                self.fail("is required", field)
            return default
        value = self.data[field]
        names = kinds if isinstance(kinds, tuple) else (kinds,)
        if isinstance(value, bool) and bool not in names:
            self.fail(f"must be {' or '.join(k.__name__ for k in names)}", field)
        if not isinstance(value, kinds):
            self.fail(f"must be {' or '.join(k.__name__ for k in names)}", field)
        return value

    def text(self, field: str, default: Any = ...) -> str:
        value = self.get(field, str, default)
        if value is not None and default is ... and not value.strip():
            self.fail("must not be empty", field)
        return value

    def number(self, field: str, default: Any = ..., minimum: Decimal = Decimal(0)) -> Decimal:
        value = self.get(field, (int, Decimal), default)
        if value is None:
            return value
        value = Decimal(value)
        if value < minimum:
            self.fail(f"must be at least {minimum}", field)
        return value

    def integer(self, field: str, default: Any = ..., minimum: int = 0) -> int:
        value = self.get(field, int, default)
        if value is not None and value < minimum:
            self.fail(f"must be at least {minimum}", field)
        return value

    def date(self, field: str, default: Any = ...) -> datetime.date:
        value = self.get(field, str, default)
        if value is None:
            return value
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO date (YYYY-MM-DD)", field)

    def key(self, field: str = "key") -> str:
        value = self.text(field)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
            self.fail(f"{value!r} must be snake_case", field)
        return value

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            self.fail(f"unknown field(s) {', '.join(unknown)}")


def _read_source(f: _Fields) -> Source:
    unconfirmed = f.get("unconfirmed", bool, False)
    source = Source(
        number=f.text("number", None if unconfirmed else ...),
        date=f.date("date", None if unconfirmed else ...),
        issuer=f.text("issuer"),
        title=f.text("title", ""),
        unconfirmed=unconfirmed,
        note=f.text("note", ""),
    )
    f.done()
    return source


def _read_meeting(f: _Fields) -> MeetingRules:
    regular_day = f.integer("regular_day", None, minimum=1)
    if regular_day is not None and regular_day > 31:
        f.fail("must be a day of the month (1-31)", "regular_day")
    agenda = []
    for i, raw in enumerate(f.get("agenda", list)):
        a = f.sub(raw, f"agenda[{i}]")
        section = a.text("section")
        if section not in AGENDA_SECTIONS:
            a.fail(f"must be one of {', '.join(AGENDA_SECTIONS)}", "section")
        steps = []
        for j, raw_step in enumerate(a.get("steps", list, [])):
            s = a.sub(raw_step, f"steps[{j}]")
            steps.append(
                AgendaStep(key=s.key(), title=s.text("title"), title_en=s.text("title_en", ""))
            )
            s.done()
        _unique([s.key for s in steps], a, "steps")
        agenda.append(
            AgendaItem(
                key=a.key(),
                title=a.text("title"),
                title_en=a.text("title_en", ""),
                section=section,
                thematic_only=a.get("thematic_only", bool, False),
                vote=a.get("vote", bool, False),
                steps=tuple(steps),
            )
        )
        a.done()
    if not agenda:
        f.fail("must list at least one item", "agenda")
    _unique([a.key for a in agenda], f, "agenda")
    rules = MeetingRules(
        regular_day=regular_day,
        min_minutes_regular=f.integer("min_minutes_regular", minimum=1),
        min_minutes_with_thematic=f.integer("min_minutes_with_thematic", minimum=1),
        materials_lead_days=f.integer("materials_lead_days"),
        minutes_sign_deadline_days=f.integer("minutes_sign_deadline_days"),
        thematic_per_quarter=f.integer("thematic_per_quarter"),
        agenda=tuple(agenda),
    )
    if rules.min_minutes_with_thematic < rules.min_minutes_regular:
        f.fail("must not be shorter than min_minutes_regular", "min_minutes_with_thematic")
    f.done()
    return rules


def read_warnings(
    f: _Fields, rules: Mapping[str, tuple[str, ...]], sources: Sequence[Source]
) -> dict[str, WarningRule]:
    """Read a pack's "warnings" block: every rule of the subject, each with its figures and
    its source, which must be one of the pack's documents."""
    documents = [s.number or s.issuer for s in sources]
    found = {}
    for key in f.data:
        if key not in rules:
            f.fail(f"unknown warning rule {key!r}; known rules: {', '.join(rules)}", key)
        w = f.sub(f.get(key, dict), key)
        src = w.sub(w.get("source", dict), "source")
        document = src.text("document")
        if document not in documents:
            src.fail(
                f"{document!r} must be the number of one of the pack's sources: "
                + ", ".join(documents),
                "document",
            )
        part = src.text("part", "")
        src.done()
        figures = {}
        for name in rules[key]:
            low, high = WARNING_FIGURES[name]
            figures[name] = w.integer(name, minimum=low)
            if figures[name] > high:
                w.fail(f"must be at most {high}", name)
        w.done()
        found[key] = WarningRule(key, document, part, MappingProxyType(figures))
    for key in rules:
        if key not in found:
            f.fail("is required", key)
    return found


def _read_votes(f: _Fields) -> VoteRules:
    eligible = f.text("eligible")
    if eligible != "official":
        f.fail('only "official" is supported: probationary members do not vote', "eligible")
    thresholds = {}
    raw_thresholds = f.sub(f.get("thresholds", dict), "thresholds")
    for kind in raw_thresholds.data:
        t = raw_thresholds.sub(raw_thresholds.get(kind, dict), kind)
        threshold = Threshold(
            kind=kind,
            numerator=t.integer("numerator", minimum=1),
            denominator=t.integer("denominator", minimum=1),
            strict=t.get("strict", bool),
            title=t.text("title"),
            title_en=t.text("title_en", ""),
        )
        if threshold.numerator > threshold.denominator:
            t.fail("numerator must not exceed denominator", "numerator")
        t.done()
        thresholds[kind] = threshold
    for kind in VOTE_KINDS_REQUIRED:
        if kind not in thresholds:
            raw_thresholds.fail("is required", kind)
    rules = VoteRules(
        eligible=eligible,
        probationary_members_vote=f.get("probationary_members_vote", bool),
        exclude_exempted_absent=f.get("exclude_exempted_absent", bool),
        exclude_temporarily_away=f.get("exclude_temporarily_away", bool),
        denominator_note=f.text("denominator_note", ""),
        thresholds=MappingProxyType(thresholds),
        max_failed_recognition_votes=f.integer("max_failed_recognition_votes", minimum=1),
    )
    if rules.probationary_members_vote:
        f.fail(
            "must be false: probationary members do not vote (Điều lệ Đảng)",
            "probationary_members_vote",
        )
    f.done()
    return rules


def _read_bands(f: _Fields, max_points: Decimal) -> tuple[Band, ...]:
    bands = []
    for i, raw in enumerate(f.get("bands", list)):
        b = f.sub(raw, f"bands[{i}]")
        if ("at_least" in b.data) == ("above" in b.data):
            b.fail('needs exactly one of "at_least" and "above"')
        strict = "above" in b.data
        band = Band(
            threshold=b.number("above" if strict else "at_least"),
            strict=strict,
            points=b.number("points"),
        )
        b.done()
        if band.points > max_points:
            b.fail(f"exceeds the item's {max_points} points", "points")
        if bands:
            previous = bands[-1]
            if (band.threshold, band.strict) >= (previous.threshold, previous.strict):
                b.fail("bands must go from the highest threshold down")
            if band.points > previous.points:
                b.fail("a lower band must not earn more points", "points")
        bands.append(band)
    if not bands:
        f.fail("must list at least one band", "bands")
    if bands[0].points != max_points:
        f.fail(f"the top band must earn the item's {max_points} points", "bands[0].points")
    if bands[-1].threshold != 0 or bands[-1].strict:
        f.fail('the last band must be "at_least": 0 so that every value is covered', "bands")
    return tuple(bands)


def _read_auto(f: _Fields, max_points: Decimal) -> AutoRule:
    rule = f.text("rule")
    if rule not in AUTO_RULES:
        f.fail(f"unknown rule {rule!r}; known rules: {', '.join(AUTO_RULES)}", "rule")
    for option in ("if_unexcused_absence", "if_no_tasks"):
        if option in f.data and option not in _RULE_OPTIONS.get(rule, ()):
            f.fail(f"is not an option of rule {rule!r}", option)

    def capped(field: str, default: Any) -> Any:
        value = f.number(field, default)
        if value is not None and value > max_points:
            f.fail(f"exceeds the item's {max_points} points", field)
        return value

    if AUTO_RULES[rule] == "check":
        auto = AutoRule(rule=rule, otherwise=capped("otherwise", Decimal(0)))
    else:
        proportional = f.get("proportional", bool, False)
        if proportional and "bands" in f.data:
            f.fail('give either "bands" or "proportional", not both')
        auto = AutoRule(
            rule=rule,
            bands=() if proportional else _read_bands(f, max_points),
            proportional=proportional,
            if_unexcused_absence=capped("if_unexcused_absence", None),
            if_no_tasks=capped("if_no_tasks", None),
        )
    f.done()
    return auto


def _read_item(f: _Fields, depth: int = 0) -> QualityItem:
    key = f.key()
    max_points = f.number("max", minimum=Decimal(0))
    if max_points <= 0:
        f.fail("must be more than 0", "max")
    kinds = [k for k in ("auto", "manual", "parts") if k in f.data]
    if len(kinds) != 1:
        f.fail('needs exactly one of "auto", "manual" or "parts"')
    auto, manual, parts = None, False, ()
    if kinds == ["auto"]:
        auto = _read_auto(f.sub(f.get("auto", dict), "auto"), max_points)
    elif kinds == ["manual"]:
        manual = f.get("manual", bool)
        if not manual:
            f.fail('must be true (use "auto" for an item data decides)', "manual")
    else:
        if depth:
            f.fail("parts cannot be split further", "parts")
        raw_parts = f.get("parts", list)
        parts = tuple(
            _read_item(f.sub(raw, f"parts[{i}]"), depth + 1) for i, raw in enumerate(raw_parts)
        )
        split = sum((p.max for p in parts), Decimal(0))
        if split != max_points:
            f.fail(f"the parts add up to {split}, not to the item's {max_points} points", "parts")
    item = QualityItem(
        key=key,
        title=f.text("title"),
        title_en=f.text("title_en", ""),
        max=max_points,
        auto=auto,
        manual=manual,
        parts=parts,
        note=f.text("note", ""),
    )
    f.done()
    return item


def _read_quality(f: _Fields) -> QualityRubric:
    items = tuple(
        _read_item(f.sub(raw, f"items[{i}]")) for i, raw in enumerate(f.get("items", list))
    )
    total = sum((item.max for item in items), Decimal(0))
    if total != TOTAL_POINTS:
        f.fail(f"the items add up to {total} points, not {TOTAL_POINTS}", "items")
    _unique([i.key for i in items] + [p.key for i in items for p in i.parts], f, "items")
    levels = []
    for i, raw in enumerate(f.get("levels", list)):
        lv = f.sub(raw, f"levels[{i}]")
        level = QualityLevel(
            key=lv.key(),
            title=lv.text("title"),
            title_en=lv.text("title_en", ""),
            min=lv.number("min"),
            unconfirmed=lv.get("unconfirmed", bool, False),
            note=lv.text("note", ""),
        )
        lv.done()
        if level.min > TOTAL_POINTS:
            lv.fail(f"must not exceed {TOTAL_POINTS}", "min")
        if levels and level.min >= levels[-1].min:
            lv.fail("levels must go from the highest minimum down", "min")
        levels.append(level)
    if not levels or levels[-1].min != 0:
        f.fail("the last level must start at 0 so that every total has a level", "levels")
    _unique([lv.key for lv in levels], f, "levels")
    f.done()
    return QualityRubric(items=items, levels=tuple(levels))


def _unique(keys: list[str], f: _Fields, field: str) -> None:
    seen = set()
    for key in keys:
        if key in seen:
            f.fail(f"key {key!r} is used twice", field)
        seen.add(key)


def read_pack(file: Path) -> Pack:
    """Read and check one pack file; raise PackError naming the file and the field."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PackError(f"regulation pack {file.name}: cannot be read: {exc}") from exc
    f = _Fields(data, file, "")
    pack_id = f.text("id")
    if not _ID.fullmatch(pack_id):
        f.fail(f"{pack_id!r} must be lower case letters, digits and hyphens", "id")
    if pack_id != file.stem:
        f.fail(f"{pack_id!r} must match the file name {file.stem!r}", "id")
    if "source" in data and "sources" in data:
        f.fail('give "source" or "sources", not both')
    raw_sources = f.get("sources", list, None) or [f.get("source", dict)]
    sources = tuple(_read_source(f.sub(raw, f"sources[{i}]")) for i, raw in enumerate(raw_sources))
    raw_scope = f.get("scope", dict, None)
    scope = None
    if raw_scope is not None:
        s = f.sub(raw_scope, "scope")
        scope = Scope(province=s.text("province"))
        s.done()
    unconfirmed = f.get("unconfirmed", dict, {})
    for path, note in unconfirmed.items():
        if path.split(".")[0] not in data or not isinstance(note, str):
            f.fail(f"{path!r} must name a field of the pack and give a note", "unconfirmed")
    from chibo.regulations.lifecycle import read_fees, read_membership, read_membership_warnings

    subject = f.text("subject", "meetings")
    if subject not in SUBJECTS:
        f.fail(f"must be one of {', '.join(SUBJECTS)}", "subject")
    sections: dict[str, Any] = {}
    if subject == "meetings":
        sections["meeting"] = _read_meeting(f.sub(f.get("meeting", dict), "meeting"))
        sections["votes"] = _read_votes(f.sub(f.get("votes", dict), "votes"))
        sections["quality"] = _read_quality(f.sub(f.get("quality", dict), "quality"))
        raw_warnings = f.sub(f.get("warnings", dict), "warnings")
        sections["warnings"] = MappingProxyType(
            read_warnings(raw_warnings, MEETING_WARNING_RULES, sources)
        )
    elif subject == "membership":
        membership = read_membership(f.sub(f.get("membership", dict), "membership"))
        sections["membership"] = membership
        raw_warnings = f.sub(f.get("warnings", dict), "warnings")
        sections["warnings"] = MappingProxyType(
            read_membership_warnings(raw_warnings, sources, membership)
        )
    elif subject == "discipline":
        from chibo.regulations.discipline import read_discipline

        sections["discipline"] = read_discipline(f.sub(f.get("discipline", dict), "discipline"))
    elif subject == "reviews":
        from chibo.regulations.reviews import read_reviews

        sections["review"] = read_reviews(f.sub(f.get("review", dict), "review"))
    else:
        sections["fees"] = read_fees(f.sub(f.get("fees", dict), "fees"))
    pack = Pack(
        id=pack_id,
        title=f.text("title"),
        title_en=f.text("title_en", ""),
        sources=sources,
        applies_from=f.date("applies_from"),
        applies_until=f.date("applies_until", None),
        scope=scope,
        unconfirmed=MappingProxyType(dict(unconfirmed)),
        file=file,
        subject=subject,
        **sections,
    )
    if pack.applies_until is not None and pack.applies_until < pack.applies_from:
        f.fail("must not be before applies_from", "applies_until")
    f.done()
    return pack


def _check_together(packs: Sequence[Pack]) -> None:
    """Refuse two packs with one id, or two packs of one scope in force on the same day."""
    by_id: dict[str, Pack] = {}
    for pack in packs:
        if pack.id in by_id:
            raise PackError(
                f"regulation packs {by_id[pack.id].file} and {pack.file}: id: both are {pack.id!r}"
            )
        by_id[pack.id] = pack
    for i, a in enumerate(packs):
        for b in packs[i + 1 :]:
            same_scope = a.subject == b.subject and (a.scope.key if a.scope else None) == (
                b.scope.key if b.scope else None
            )
            a_end = a.applies_until or datetime.date.max
            b_end = b.applies_until or datetime.date.max
            if same_scope and a.applies_from <= b_end and b.applies_from <= a_end:
                where = a.scope.province if a.scope else "national"
                raise PackError(
                    f"regulation packs {a.file.name} and {b.file.name}: applies_from/applies_until:"
                    f" both apply ({where}) between {max(a.applies_from, b.applies_from)}"
                    f" and {min(a_end, b_end)}"
                )


@functools.cache
def _load(directories: tuple[str, ...]) -> tuple[Pack, ...]:
    packs = [read_pack(file) for d in directories for file in sorted(Path(d).glob("*.json"))]
    _check_together(packs)
    return tuple(sorted(packs, key=lambda p: (p.scope.key if p.scope else "", p.applies_from)))


def pack_directories() -> tuple[str, ...]:
    """Return the shipped pack folder and the installation's own (CHIBO_REGULATION_PACK_DIRS)."""
    extra = getattr(settings, "CHIBO_REGULATION_PACK_DIRS", ())
    return (str(PACKS_DIR), *(str(Path(d)) for d in extra))


def load_packs(directories: Iterable[str | Path] | None = None) -> tuple[Pack, ...]:
    """Return every pack, read and checked once per set of folders, then cached."""
    dirs = pack_directories() if directories is None else tuple(str(d) for d in directories)
    return _load(dirs)


def clear_cache() -> None:
    """Forget the packs read so far (after a pack file changes, or in tests)."""
    _load.cache_clear()


def pack_by_id(pack_id: str) -> Pack:
    """Return the pack with that id: a scored meeting keeps the id of the pack it used."""
    for pack in load_packs():
        if pack.id == pack_id:
            return pack
    raise PackNotFound(f"no regulation pack {pack_id!r}")


# Finding the pack in force.


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def province_of(org):
    """Return the organisation's provincial committee (itself or an ancestor), or None.

    One query: the ancestors are the prefixes of the materialised path.
    """
    from chibo.orgs.models import Level, Organisation

    step = Organisation.steplen
    prefixes = [org.path[:n] for n in range(step, len(org.path) + 1, step)]
    return (
        Organisation.objects.filter(path__in=prefixes, level=Level.PROVINCE)
        .only("id", "code", "name", "path")
        .order_by("-depth")
        .first()
    )


_PROVINCE_PREFIXES = sorted(
    (
        "dang bo tinh",
        "dang bo thanh pho",
        "tinh uy",
        "thanh uy",
        "dang bo",
        "tinh",
        "thanh pho",
        "tp.",
        "tp",
    ),
    key=len,
    reverse=True,
)


def _bare_province_name(name: str) -> str:
    """Return "nghe an" for "Tỉnh ủy Nghệ An", "Đảng bộ tỉnh Nghệ An" or "Nghệ An"."""
    folded = fold(name)
    for prefix in _PROVINCE_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :].strip()
    return folded


def scope_covers(scope: Scope, province) -> bool:
    """Return whether a provincial scope names this provincial committee.

    CHIBO_REGULATION_PROVINCES maps a province's name, as packs write it, to the code (or
    list of codes) of its organisation in this installation; names it does not map are
    matched against the province organisation's name, without "Tỉnh ủy" and diacritics.
    """
    mapping = {fold(k): v for k, v in getattr(settings, "CHIBO_REGULATION_PROVINCES", {}).items()}
    if scope.key in mapping:
        codes = mapping[scope.key]
        return province.code in ((codes,) if isinstance(codes, str) else tuple(codes))
    return _bare_province_name(province.name) == scope.key


def pack_in_force(
    on_date: datetime.date | datetime.datetime,
    province=None,
    *,
    subject: str = "meetings",
    _org_label: str = "",
) -> Pack:
    """Return the pack of a subject in force on that date for a province (or nationally
    when None).

    For callers that already know the province, e.g. a seed that scores thousands of
    meetings of one province: no query.
    """
    day = _as_date(on_date)
    in_force = [p for p in load_packs() if p.subject == subject and p.covers(day)]
    if province is not None:
        for pack in in_force:
            if pack.scope is not None and scope_covers(pack.scope, province):
                return pack
    for pack in in_force:
        if pack.scope is None:
            return pack
    raise PackNotFound(f"no {subject} regulation pack in force on {day.isoformat()}{_org_label}")


def pack_for(org, on_date: datetime.date | datetime.datetime, subject: str = "meetings") -> Pack:
    """Return the pack of a subject in force for the organisation on that date: provincial
    over national."""
    day = _as_date(on_date)
    needs_province = any(
        p.subject == subject and p.scope is not None and p.covers(day) for p in load_packs()
    )
    province = province_of(org) if needs_province else None
    return pack_in_force(day, province, subject=subject, _org_label=f" for {org.code}")
