"""Pure rules over a pack: vote results, the meeting-quality score and its level.

No database: the meetings app gathers the counts and the evidence, these functions decide.
Titles and level names come from the pack (Vietnamese, English when the pack gives it);
the few sentences built here go through gettext.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chibo.regulations.loader import Pack, QualityItem, QualityLevel

# Votes (biểu quyết).


@dataclass(frozen=True)
class VoteResult:
    """The outcome of a vote and the rule that decided it."""

    kind: str
    agree: int
    disagree: int
    abstain: int
    eligible: int
    required: int  # votes in favour needed
    passed: bool
    rule: str  # "Quá một nửa số đảng viên chính thức"
    rule_text: str  # "Quá một nửa số đảng viên chính thức (7/12)"
    tally_text: str  # "8/12 tán thành (66,7%)"
    percent: Decimal  # share of the eligible members in favour, one decimal

    @property
    def not_voting(self) -> int:
        return self.eligible - self.agree - self.disagree - self.abstain


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(_("Vote counts must be whole numbers."))
    if value < 0:
        raise ValueError(_("Vote counts cannot be negative."))
    return value


def votes_needed(pack: Pack, kind: str, eligible: int) -> int:
    """Return how many votes in favour a vote of that kind needs (the quorum to show live)."""
    return pack.votes.threshold(kind).votes_needed(eligible)


def vote_result(
    pack: Pack, kind: str, agree: int, disagree: int, abstain: int, eligible: int
) -> VoteResult:
    """Decide a vote of kind "resolution" or "recognition" (or another kind the pack lists).

    eligible is the denominator: the official members the pack counts (see
    VoteRules.eligible_count); probationary members are never in it.
    """
    threshold = pack.votes.threshold(kind)
    agree, disagree, abstain = _count(agree), _count(disagree), _count(abstain)
    eligible = _count(eligible)
    if eligible == 0:
        raise ValueError(_("No member is eligible to vote."))
    cast = agree + disagree + abstain
    if cast > eligible:
        raise ValueError(
            _("%(cast)s votes were counted but only %(eligible)s members may vote.")
            % {"cast": cast, "eligible": eligible}
        )
    required = threshold.votes_needed(eligible)
    return VoteResult(
        kind=kind,
        agree=agree,
        disagree=disagree,
        abstain=abstain,
        eligible=eligible,
        required=required,
        passed=agree >= required,
        rule=threshold.label,
        rule_text=f"{threshold.label} ({required}/{eligible})",
        tally_text=_("%(agree)s/%(eligible)s agree (%(percent)s)")
        % {"agree": agree, "eligible": eligible, "percent": format_percent(agree, eligible)},
        percent=_one_decimal(Fraction(agree * 100, eligible)),
    )


def recognition_goes_up(pack: Pack, failed_votes: int) -> bool:
    """Return whether a recognition case goes to the superior committee after failed votes."""
    return failed_votes >= pack.votes.max_failed_recognition_votes


# Numbers as the active language writes them: 66,7% in Vietnamese, 66.7% in English.


def _one_decimal(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def format_number(value: Decimal | int | Fraction) -> str:
    """Return a number with at most one decimal, without a trailing zero: 5, 2,5, 66,7."""
    text = f"{_one_decimal(Fraction(value)):f}"
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


def format_percent(part: int, whole: int) -> str:
    """Return part/whole as a percentage: format_percent(8, 12) == "66,7%" in Vietnamese."""
    return format_number(Fraction(part * 100, whole)) + "%"


# The meeting-quality score (đánh giá chất lượng sinh hoạt chi bộ).


@dataclass(frozen=True)
class MeetingEvidence:
    """What the meetings app knows about one meeting; None means not known (yet).

    present and expected count the members expected at the meeting, exempted members
    excluded. Materials: give materials_released_at and starts_at, or materials_days_before
    (calendar days between release and the meeting); neither means nothing was released.
    minutes_signed_days_after is None while the minutes are unsigned; days_since_meeting
    then tells whether the signing deadline has passed.
    """

    duration_minutes: int | None = None
    thematic: bool = False
    present: int | None = None
    expected: int | None = None
    unexcused_absences: int = 0
    starts_at: datetime.datetime | None = None
    materials_released_at: datetime.datetime | None = None
    materials_days_before: int | None = None
    speakers: int | None = None
    members_present: int | None = None  # for the share of speakers; defaults to present
    previous_tasks_total: int | None = None
    previous_tasks_done: int | None = None
    minutes_signed_days_after: int | None = None
    days_since_meeting: int | None = None

    def __post_init__(self):
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                if field.name != "materials_days_before":
                    raise ValueError(_("%(field)s cannot be negative.") % {"field": field.name})
        if (
            self.previous_tasks_done is not None
            and self.previous_tasks_total is not None
            and self.previous_tasks_done > self.previous_tasks_total
        ):
            raise ValueError(_("More tasks done than the previous resolution set."))

    def days_materials_before(self) -> int | None:
        """Return the calendar days between the release of the materials and the meeting."""
        if self.materials_days_before is not None:
            return self.materials_days_before
        if self.materials_released_at is None or self.starts_at is None:
            return None
        return (_local_date(self.starts_at) - _local_date(self.materials_released_at)).days


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


@dataclass(frozen=True)
class ScoredLine:
    """One scored line of the rubric: a part of an item, or an item without parts."""

    key: str
    title: str
    item_key: str  # the top-level item it belongs to
    max_points: Decimal
    points: Decimal | None  # None: not scored yet (manual score or evidence missing)
    auto: bool
    rule: str | None
    evidence: str

    @property
    def scored(self) -> bool:
        return self.points is not None


@dataclass(frozen=True)
class ScoredItem:
    key: str
    title: str
    max_points: Decimal
    points: Decimal  # the sum of the scored lines
    lines: tuple[ScoredLine, ...]


@dataclass(frozen=True)
class MeetingScore:
    pack_id: str
    items: tuple[ScoredItem, ...]
    total: Decimal
    max_total: Decimal
    level: QualityLevel
    missing_manual: tuple[str, ...]  # keys of manual lines the assessor has not scored
    missing_evidence: tuple[str, ...]  # keys of automatic lines without the data they need

    @property
    def lines(self) -> tuple[ScoredLine, ...]:
        return tuple(line for item in self.items for line in item.lines)

    @property
    def complete(self) -> bool:
        return not self.missing_manual and not self.missing_evidence

    @property
    def level_key(self) -> str:
        return self.level.key

    @property
    def level_label(self) -> str:
        """Return the level's name as the pack writes it ("Tốt", "Khá", ...)."""
        return self.level.title


# Each automatic rule returns the share it measured in percent (or whether a check is met),
# and the evidence to show; None when the data is missing.
_Measure = tuple[Fraction | bool | None, str]


def _no_data() -> str:
    return _("No data yet")


def _duration(pack: Pack, e: MeetingEvidence) -> _Measure:
    minimum = pack.meeting.min_minutes(e.thematic)
    if e.duration_minutes is None:
        return None, _no_data()
    text = _("Lasted %(minutes)s minutes (at least %(minimum)s required)") % {
        "minutes": e.duration_minutes,
        "minimum": minimum,
    }
    return Fraction(e.duration_minutes * 100, minimum), text


def _attendance(pack: Pack, e: MeetingEvidence) -> _Measure:
    if e.present is None or not e.expected:
        return None, _no_data()
    text = _("Present %(present)s/%(expected)s (%(percent)s)") % {
        "present": e.present,
        "expected": e.expected,
        "percent": format_percent(e.present, e.expected),
    }
    if e.unexcused_absences:
        text += "; " + _("%(count)s absent without reason") % {"count": e.unexcused_absences}
    return Fraction(e.present * 100, e.expected), text


def _speakers_share(pack: Pack, e: MeetingEvidence) -> _Measure:
    present = e.members_present if e.members_present is not None else e.present
    if e.speakers is None or not present:
        return None, _no_data()
    text = _("%(speakers)s of %(present)s members present spoke (%(percent)s)") % {
        "speakers": e.speakers,
        "present": present,
        "percent": format_percent(e.speakers, present),
    }
    return Fraction(e.speakers * 100, present), text


def _previous_tasks_done(pack: Pack, e: MeetingEvidence) -> _Measure:
    if e.previous_tasks_total is None or (e.previous_tasks_total and e.previous_tasks_done is None):
        return None, _no_data()
    if e.previous_tasks_total == 0:
        return Fraction(100), _("The previous resolution set no tasks")
    done = e.previous_tasks_done or 0
    text = _("%(done)s/%(total)s tasks of the previous resolution done (%(percent)s)") % {
        "done": done,
        "total": e.previous_tasks_total,
        "percent": format_percent(done, e.previous_tasks_total),
    }
    return Fraction(done * 100, e.previous_tasks_total), text


def _materials_posted(pack: Pack, e: MeetingEvidence) -> _Measure:
    lead = pack.meeting.materials_lead_days
    if e.materials_released_at is not None and e.starts_at is None:
        return None, _no_data()
    days = e.days_materials_before()
    if days is None:
        return False, _("No documents were released before the meeting")
    if days <= 0:
        text = ngettext(
            "Documents released on the day of the meeting (%(lead)s day before required)",
            "Documents released on the day of the meeting (%(lead)s days before required)",
            lead,
        ) % {"lead": lead}
    else:
        text = ngettext(
            "Documents released %(days)s day before (%(lead)s required)",
            "Documents released %(days)s days before (%(lead)s required)",
            days,
        ) % {"days": days, "lead": lead}
    return days >= lead, text


def _minutes_signed_on_time(pack: Pack, e: MeetingEvidence) -> _Measure:
    deadline = pack.meeting.minutes_sign_deadline_days
    days = e.minutes_signed_days_after
    if days is not None:
        if days == 0:
            text = _("Minutes signed on the day of the meeting")
        else:
            text = ngettext(
                "Minutes signed %(days)s day after the meeting (deadline %(deadline)s)",
                "Minutes signed %(days)s days after the meeting (deadline %(deadline)s)",
                days,
            ) % {"days": days, "deadline": deadline}
        return days <= deadline, text
    if e.days_since_meeting is not None and e.days_since_meeting > deadline:
        text = ngettext(
            "Minutes not signed within %(deadline)s day",
            "Minutes not signed within %(deadline)s days",
            deadline,
        ) % {"deadline": deadline}
        return False, text
    text = ngettext(
        "Minutes not signed yet (deadline %(deadline)s day)",
        "Minutes not signed yet (deadline %(deadline)s days)",
        deadline,
    ) % {"deadline": deadline}
    return None, text


_MEASURES: Mapping[str, Callable[[Pack, MeetingEvidence], _Measure]] = {
    "duration": _duration,
    "attendance": _attendance,
    "speakers_share": _speakers_share,
    "previous_tasks_done": _previous_tasks_done,
    "materials_posted": _materials_posted,
    "minutes_signed_on_time": _minutes_signed_on_time,
}


def _auto_points(pack: Pack, line: QualityItem, e: MeetingEvidence) -> tuple[Decimal | None, str]:
    auto = line.auto
    assert auto is not None
    measured, evidence = _MEASURES[auto.rule](pack, e)
    if measured is None:
        return None, evidence
    if isinstance(measured, bool):
        return (line.max if measured else auto.otherwise), evidence
    if auto.rule == "previous_tasks_done" and e.previous_tasks_total == 0:
        return (line.max if auto.if_no_tasks is None else auto.if_no_tasks), evidence
    points = auto.points_for(measured, line.max)
    if auto.rule == "attendance" and e.unexcused_absences and auto.if_unexcused_absence is not None:
        points = min(points, auto.if_unexcused_absence)
    return points, evidence


def _manual_points(line: QualityItem, value: object) -> Decimal:
    out_of_range = ValueError(
        _("%(item)s: the score must be between 0 and %(max)s.")
        % {"item": line.label, "max": format_number(line.max)}
    )
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise out_of_range
    try:
        points = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise out_of_range from None
    if not points.is_finite() or not 0 <= points <= line.max:
        raise out_of_range
    return points


def score_meeting(
    pack: Pack, evidence: MeetingEvidence, manual: Mapping[str, object] | None = None
) -> MeetingScore:
    """Score a meeting under the pack's rubric.

    manual maps the key of each manually scored line to the assessor's points (None or
    absent: not scored yet). Automatic lines are computed from the evidence. Unscored lines
    count 0 in the total and are listed in missing_manual or missing_evidence.
    """
    manual = dict(manual or {})
    lines_by_key = {line.key: line for line in pack.quality.lines}
    for key in manual:
        line = lines_by_key.get(key)
        if line is None:
            raise ValueError(_("The rubric has no item %(key)s.") % {"key": key})
        if not line.manual:
            raise ValueError(
                _("%(item)s is scored from the meeting's data.") % {"item": line.label}
            )
    items, missing_manual, missing_evidence = [], [], []
    for item in pack.quality.items:
        scored = []
        for line in item.lines:
            if line.manual:
                value = manual.get(line.key)
                points = None if value is None else _manual_points(line, value)
                text = "" if points is not None else _("Not scored yet")
                if points is None:
                    missing_manual.append(line.key)
            else:
                points, text = _auto_points(pack, line, evidence)
                if points is None:
                    missing_evidence.append(line.key)
            scored.append(
                ScoredLine(
                    key=line.key,
                    title=line.label,
                    item_key=item.key,
                    max_points=line.max,
                    points=points,
                    auto=not line.manual,
                    rule=line.auto.rule if line.auto else None,
                    evidence=text,
                )
            )
        items.append(
            ScoredItem(
                key=item.key,
                title=item.label,
                max_points=item.max,
                points=sum((s.points for s in scored if s.points is not None), Decimal(0)),
                lines=tuple(scored),
            )
        )
    total = sum((i.points for i in items), Decimal(0))
    return MeetingScore(
        pack_id=pack.id,
        items=tuple(items),
        total=total,
        max_total=sum((i.max_points for i in items), Decimal(0)),
        level=level_for(pack, total),
        missing_manual=tuple(missing_manual),
        missing_evidence=tuple(missing_evidence),
    )


def level_for(pack: Pack, total: Decimal | int | float) -> QualityLevel:
    """Return the quality level (Tốt, Khá, Trung bình, Kém) a total reaches under the pack."""
    return pack.quality.level_for(total)
