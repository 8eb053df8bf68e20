"""The discipline section of regulation packs (Điều lệ Đảng; Quy định 296-QĐ/TW).

A "discipline" pack holds the forms of discipline allowed for each kind of subject (an
organisation, an official member, a probationary member), the forms a cell may decide for
its own members, how long a complaint about discipline or a denunciation may take to
handle, whether anonymous denunciations are handled, and how soon a state body informs the
party organisation that it disciplined a member. Read by loader.read_pack, with the same
checks and error messages as the other sections; see README.md.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from chibo.regulations.loader import _Fields

# Every form a pack may name, the lightest first (chibo.oversight.models.DisciplineForm has
# the same values with their labels).
FORMS = ("reprimand", "warning", "removal_from_post", "expulsion", "dissolution")
# What can be disciplined: an organisation, or a member by their status on the day.
SUBJECT_KINDS = ("organisation", "official_member", "probationary_member")
# Forms that only make sense for one kind of subject, whatever a pack says.
MEMBER_ONLY_FORMS = ("removal_from_post", "expulsion")
ORGANISATION_ONLY_FORMS = ("dissolution",)
# What is received and must be handled within a time: a complaint about a discipline
# decision (khiếu nại kỷ luật), a denunciation (tố cáo).
MATTERS = ("complaint", "denunciation")
UNITS = ("days", "working_days", "months")
# The levels of chibo.orgs.models.Level, for limits that differ by the receiving level.
LEVELS = (
    "central",
    "province",
    "superior",
    "grassroots_committee",
    "grassroots_cell",
    "intermediate",
    "cell",
)


def add_months(day: datetime.date, count: int) -> datetime.date:
    """Return the same day count months later; past the month's end, its last day
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + count
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, eq=False)
class TimeLimit:
    """How long something received may take: a count of days, working days or months after
    the day it was received, the count depending on the receiving organisation's level."""

    within: int
    unit: str
    by_level: Mapping[str, int]

    def count_for(self, level: str) -> int:
        return self.by_level.get(level, self.within)

    def due(self, received_on: datetime.date, level: str) -> datetime.date:
        """Return the last day to handle something received on received_on."""
        count = self.count_for(level)
        if self.unit == "days":
            return received_on + datetime.timedelta(days=count)
        if self.unit == "working_days":
            from chibo.regulations.workdays import add_working_days

            return add_working_days(received_on, count)
        return add_months(received_on, count)


@dataclass(frozen=True, eq=False)
class DisciplineRules:
    forms: Mapping[str, tuple[str, ...]]  # subject kind -> the forms allowed, lightest first
    cell_forms: tuple[str, ...]  # the forms a cell decides for its own members
    handling: Mapping[str, TimeLimit]  # matter -> its time limit
    handle_anonymous_denunciations: bool
    state_body_notice_days: int

    def allowed(self, subject_kind: str) -> tuple[str, ...]:
        try:
            return self.forms[subject_kind]
        except KeyError:
            raise ValueError(f"unknown subject kind {subject_kind!r}: {SUBJECT_KINDS}") from None

    def due_on(self, matter: str, received_on: datetime.date, level: str) -> datetime.date:
        """Return the day by which a matter received by an organisation of that level must
        be handled."""
        try:
            limit = self.handling[matter]
        except KeyError:
            raise ValueError(f"unknown matter {matter!r}: {MATTERS}") from None
        return limit.due(received_on, level)


def _forms(f: _Fields, field: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    forms = f.get(field, list)
    if not forms and not allow_empty:
        f.fail("must list at least one form", field)
    for form in forms:
        if form not in FORMS:
            f.fail(f"unknown form {form!r}; known forms: {', '.join(FORMS)}", field)
    if len(set(forms)) != len(forms):
        f.fail("must name each form once", field)
    return tuple(sorted(forms, key=FORMS.index))


def _time_limit(f: _Fields) -> TimeLimit:
    unit = f.text("unit")
    if unit not in UNITS:
        f.fail(f"must be one of {', '.join(UNITS)}", "unit")
    by_level = f.sub(f.get("by_level", dict, {}), "by_level")
    counts = {}
    for level in by_level.data:
        if level not in LEVELS:
            by_level.fail(f"unknown level; known levels: {', '.join(LEVELS)}", level)
        counts[level] = by_level.integer(level, minimum=1)
    limit = TimeLimit(
        within=f.integer("within", minimum=1), unit=unit, by_level=MappingProxyType(counts)
    )
    f.done()
    return limit


def read_discipline(f: _Fields) -> DisciplineRules:
    forms_f = f.sub(f.get("forms", dict), "forms")
    forms = {}
    for kind in forms_f.data:
        if kind not in SUBJECT_KINDS:
            forms_f.fail(f"unknown subject; known subjects: {', '.join(SUBJECT_KINDS)}", kind)
        forms[kind] = _forms(forms_f, kind)
    for kind in SUBJECT_KINDS:
        if kind not in forms:
            forms_f.fail("is required", kind)
    if wrong := [x for x in forms["organisation"] if x in MEMBER_ONLY_FORMS]:
        forms_f.fail(f"{', '.join(wrong)} only apply to members", "organisation")
    for kind in ("official_member", "probationary_member"):
        if wrong := [x for x in forms[kind] if x in ORGANISATION_ONLY_FORMS]:
            forms_f.fail(f"{', '.join(wrong)} only applies to organisations", kind)
    if extra := set(forms["probationary_member"]) - set(forms["official_member"]):
        forms_f.fail(
            f"{', '.join(sorted(extra))} must be a form for official members too",
            "probationary_member",
        )
    cell_forms = _forms(f, "cell_forms", allow_empty=True)
    if extra := set(cell_forms) - set(forms["official_member"]):
        f.fail(f"{', '.join(sorted(extra))} must be a form for members", "cell_forms")
    handling_f = f.sub(f.get("handling", dict), "handling")
    handling = {}
    for matter in handling_f.data:
        if matter not in MATTERS:
            handling_f.fail(f"unknown matter; known matters: {', '.join(MATTERS)}", matter)
        handling[matter] = _time_limit(handling_f.sub(handling_f.get(matter, dict), matter))
    for matter in MATTERS:
        if matter not in handling:
            handling_f.fail("is required", matter)
    rules = DisciplineRules(
        forms=MappingProxyType(forms),
        cell_forms=cell_forms,
        handling=MappingProxyType(handling),
        handle_anonymous_denunciations=f.get("handle_anonymous_denunciations", bool),
        state_body_notice_days=f.integer("state_body_notice_days", minimum=1),
    )
    f.done()
    return rules
