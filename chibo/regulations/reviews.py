"""The annual-review section of regulation packs (Quy định 366-QĐ/TW; Hướng dẫn 43-HD/BTCTW).

A "reviews" pack holds how a member or a party organisation is reviewed and classified for a
year: the criteria and their points (30 for general criteria and 70 for task results under
QĐ 366; none under the older QĐ 124, where the level was judged without points), the four
levels with their conditions, the highest level open to someone disciplined in the year, the
quota of "excellent" and the forms with their sections. Read by loader.read_pack, with the
same checks and error messages as the other sections; see README.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING

from django.utils.translation import get_language

from chibo.regulations.loader import TOTAL_POINTS, _Titled

if TYPE_CHECKING:  # pragma: no cover
    from chibo.regulations.loader import _Fields

# The four levels every pack names, best first (chibo.reviews.models.Level has the same keys),
# so that results of different years and packs can be counted together.
LEVELS = ("excellent", "good", "completed", "not_completed")
# Who is reviewed: a member, or a party organisation (a collective).
SUBJECTS = ("member", "organisation")
# Member statuses a pack may name as reviewed (chibo.members.models.Status).
MEMBER_STATUSES = ("official", "probationary", "exempted")
# The task figures a level may require, each a percent of the tasks of the year.
TASK_CONDITIONS = ("min_done_percent", "min_on_time_percent", "min_exceeded_percent")


@dataclass(frozen=True)
class Group(_Titled):
    """A group of criteria with its points: general criteria, task results."""

    key: str
    title: str
    title_en: str
    max_points: Decimal


@dataclass(frozen=True)
class Criterion(_Titled):
    key: str
    title: str
    title_en: str
    group: str
    max_points: Decimal


@dataclass(frozen=True)
class ReviewLevel(_Titled):
    """A level with what it takes: points (None when the pack scores no points) and the share
    of the year's tasks done, done on time and done beyond what was asked."""

    key: str
    short: str  # HTXSNV, HTTNV, HTNV, KHTNV
    title: str
    title_en: str
    min_points: Decimal | None
    min_done_percent: int | None
    min_on_time_percent: int | None
    min_exceeded_percent: int | None

    @property
    def rank(self) -> int:
        """0 for the best level."""
        return LEVELS.index(self.key)


@dataclass(frozen=True)
class Section(_Titled):
    """A part of a form that the reviewed write in their own words."""

    key: str
    title: str
    title_en: str


@dataclass(frozen=True)
class Form(_Titled):
    key: str  # 01, 2A, 2B, 2C
    subject: str  # member or organisation
    title: str
    title_en: str
    who: str  # whom the form is for, as the guidance says it
    who_en: str
    sections: tuple[Section, ...]

    @property
    def who_label(self) -> str:
        if self.who_en and (get_language() or "").startswith("en"):
            return self.who_en
        return self.who


@dataclass(frozen=True)
class Quota:
    """At most max_percent of those rated in of_levels may be rated level, counted per
    deciding organisation (the grassroots organisation for its members and cells)."""

    level: str
    of_levels: tuple[str, ...]
    max_percent: int
    applies_to: tuple[str, ...]

    def allowed(self, base: int) -> int:
        """The most that may be rated level out of base rated in of_levels: rounded down,
        since the quota says "no more than" (5 rated good or above allow 1 excellent; 4
        allow none)."""
        return base * self.max_percent // 100


@dataclass(frozen=True, eq=False)
class ReviewRules:
    scored: bool
    groups: tuple[Group, ...]
    criteria: Mapping[str, tuple[Criterion, ...]]  # subject -> its criteria
    levels: tuple[ReviewLevel, ...]  # best first, all four
    disciplined_member_level: str  # the highest level of a member disciplined in the year
    # The highest level of a collective whose member or subordinate organisation was
    # disciplined in the year.
    collective_disciplined_level: str
    member_statuses: tuple[str, ...]
    quota: Quota
    forms: tuple[Form, ...]

    def level(self, key: str) -> ReviewLevel:
        for level in self.levels:
            if level.key == key:
                return level
        raise KeyError(key)

    def criteria_of(self, subject: str) -> tuple[Criterion, ...]:
        return self.criteria.get(subject, ())

    def forms_for(self, subject: str) -> tuple[Form, ...]:
        return tuple(f for f in self.forms if f.subject == subject)

    def form(self, key: str) -> Form:
        for form in self.forms:
            if form.key == key:
                return form
        raise KeyError(key)


def _titled(f: _Fields) -> dict:
    return {"title": f.text("title"), "title_en": f.text("title_en", "")}


def _percent(f: _Fields, field: str) -> int | None:
    value = f.integer(field, None)
    if value is not None and value > 100:
        f.fail("must be a percent from 0 to 100", field)
    return value


def _read_level(f: _Fields, scored: bool) -> ReviewLevel:
    key = f.key()
    if key not in LEVELS:
        f.fail(f"must be one of {', '.join(LEVELS)}", "key")
    min_points = f.number("min_points", ... if scored else None)
    if min_points is not None:
        if not scored:
            f.fail("a pack that scores no points gives no min_points", "min_points")
        if min_points > TOTAL_POINTS:
            f.fail(f"must be at most {TOTAL_POINTS}", "min_points")
    level = ReviewLevel(
        key=key,
        short=f.text("short"),
        min_points=min_points,
        **{name: _percent(f, name) for name in TASK_CONDITIONS},
        **_titled(f),
    )
    f.done()
    return level


def _read_criteria(f: _Fields, subject: str, groups: dict[str, Group]) -> tuple[Criterion, ...]:
    """The criteria of a member or an organisation, adding up to each group's points."""
    criteria = []
    for i, raw in enumerate(f.get(subject, list)):
        c = f.sub(raw, f"{subject}[{i}]")
        group = c.text("group")
        if group not in groups:
            c.fail(f"must be one of {', '.join(groups)}", "group")
        criteria.append(
            Criterion(
                key=c.key(),
                group=group,
                max_points=c.number("max", minimum=Decimal(1)),
                **_titled(c),
            )
        )
        c.done()
    keys = [c.key for c in criteria]
    if len(set(keys)) != len(keys):
        f.fail("must name each criterion once", subject)
    for group in groups.values():
        total = sum((c.max_points for c in criteria if c.group == group.key), Decimal(0))
        if total != group.max_points:
            f.fail(
                f"the criteria of {group.key} give {total} points; the group has"
                f" {group.max_points}",
                subject,
            )
    return tuple(criteria)


def _read_form(f: _Fields) -> Form:
    subject = f.text("subject")
    if subject not in SUBJECTS:
        f.fail(f"must be one of {', '.join(SUBJECTS)}", "subject")
    sections = []
    for i, raw in enumerate(f.get("sections", list)):
        s = f.sub(raw, f"sections[{i}]")
        sections.append(Section(key=s.key(), **_titled(s)))
        s.done()
    if not sections:
        f.fail("must list at least one section", "sections")
    if len({s.key for s in sections}) != len(sections):
        f.fail("must name each section once", "sections")
    form = Form(
        key=f.text("key"),
        subject=subject,
        who=f.text("who"),
        who_en=f.text("who_en", ""),
        sections=tuple(sections),
        **_titled(f),
    )
    f.done()
    return form


def _level_key(f: _Fields, field: str) -> str:
    value = f.text(field)
    if value not in LEVELS:
        f.fail(f"must be one of {', '.join(LEVELS)}", field)
    return value


def read_reviews(f: _Fields) -> ReviewRules:
    scored = f.get("scored", bool)
    groups: dict[str, Group] = {}
    criteria: dict[str, tuple[Criterion, ...]] = {}
    if scored:
        for i, raw in enumerate(f.get("groups", list)):
            g = f.sub(raw, f"groups[{i}]")
            group = Group(key=g.key(), max_points=g.number("max", minimum=Decimal(1)), **_titled(g))
            g.done()
            if group.key in groups:
                f.fail(f"{group.key!r} is named twice", "groups")
            groups[group.key] = group
        total = sum((g.max_points for g in groups.values()), Decimal(0))
        if total != TOTAL_POINTS:
            f.fail(f"the groups give {total} points; a review counts {TOTAL_POINTS}", "groups")
        by_subject = f.sub(f.get("criteria", dict), "criteria")
        for subject in SUBJECTS:
            criteria[subject] = _read_criteria(by_subject, subject, groups)
        by_subject.done()
    elif "groups" in f.data or "criteria" in f.data:
        f.fail("a pack that scores no points has no groups or criteria")
    levels = tuple(
        _read_level(f.sub(raw, f"levels[{i}]"), scored)
        for i, raw in enumerate(f.get("levels", list))
    )
    if tuple(lv.key for lv in levels) != LEVELS:
        f.fail(f"must give the four levels in this order: {', '.join(LEVELS)}", "levels")
    points = [lv.min_points for lv in levels if lv.min_points is not None]
    if points != sorted(points, reverse=True) or len(set(points)) != len(points):
        f.fail("the better level must need more points", "levels")
    statuses = tuple(f.get("member_statuses", list))
    if not statuses or any(s not in MEMBER_STATUSES for s in statuses):
        f.fail(f"must list statuses among {', '.join(MEMBER_STATUSES)}", "member_statuses")
    q = f.sub(f.get("quota", dict), "quota")
    max_percent = _percent(q, "max_percent")
    if max_percent is None:
        q.fail("is required", "max_percent")
    quota = Quota(
        level=_level_key(q, "level"),
        of_levels=tuple(q.get("of_levels", list)),
        max_percent=max_percent,
        applies_to=tuple(q.get("applies_to", list)),
    )
    if not quota.of_levels or any(x not in LEVELS for x in quota.of_levels):
        q.fail(f"must list levels among {', '.join(LEVELS)}", "of_levels")
    if quota.level not in quota.of_levels:
        q.fail("must include the level the quota limits", "of_levels")
    if any(x not in SUBJECTS for x in quota.applies_to):
        q.fail(f"must list subjects among {', '.join(SUBJECTS)}", "applies_to")
    q.done()
    forms = tuple(
        _read_form(f.sub(raw, f"forms[{i}]")) for i, raw in enumerate(f.get("forms", list))
    )
    if len({form.key for form in forms}) != len(forms):
        f.fail("must name each form once", "forms")
    for subject in SUBJECTS:
        if not any(form.subject == subject for form in forms):
            f.fail(f"must give at least one form for each subject; {subject} has none", "forms")
    rules = ReviewRules(
        scored=scored,
        groups=tuple(groups.values()),
        criteria=MappingProxyType(criteria),
        levels=levels,
        disciplined_member_level=_level_key(f, "disciplined_member_level"),
        collective_disciplined_level=_level_key(f, "collective_disciplined_level"),
        member_statuses=statuses,
        quota=quota,
        forms=forms,
    )
    f.done()
    return rules
