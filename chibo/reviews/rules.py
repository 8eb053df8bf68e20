"""The review pack's rules applied to one assessment: points in range, the highest level
the points, the year's tasks and discipline allow, and the quota of "excellent".

Pure functions over chibo.regulations.reviews.ReviewRules: the actions call them before a
write, the pages call them to show why a level is out of reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.regulations.reviews import LEVELS, ReviewLevel, ReviewRules

POINT_STEP = Decimal("0.5")


@dataclass(frozen=True)
class Tasks:
    """The year's tasks in percent: done at all, done on time, done beyond what was asked."""

    done: int | None = None
    on_time: int | None = None
    exceeded: int | None = None

    @classmethod
    def of(cls, assessment) -> Tasks:
        return cls(
            assessment.tasks_done_percent,
            assessment.tasks_on_time_percent,
            assessment.tasks_exceeded_percent,
        )


def clean_points(
    rules: ReviewRules, subject: str, raw: dict | None, *, partial: bool = False
) -> tuple[dict, Decimal | None]:
    """Check each criterion's points (0 to its maximum, in half points) and return them as
    text by criterion with their total; a pack that scores no points takes none. A partial
    set (a draft) may leave criteria out, and then has no total."""
    raw = raw or {}
    if not rules.scored:
        if any(v not in (None, "") for v in raw.values()):
            raise ValidationError({"points": _("This year's review gives no points.")})
        return {}, None
    criteria = rules.criteria_of(subject)
    known = {c.key for c in criteria}
    errors: dict[str, str] = {}
    for key in raw:
        if key not in known:
            errors[f"points.{key}"] = _("There is no such criterion.")
    points: dict[str, str] = {}
    total = Decimal(0)
    missing = False
    for criterion in criteria:
        value = raw.get(criterion.key)
        field = f"points.{criterion.key}"
        if value is None or value == "":
            if partial:
                missing = True
                continue
            errors[field] = _("Give the points for “%(criterion)s”.") % {
                "criterion": criterion.label
            }
            continue
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            errors[field] = _("Write the points as a number, e.g. 8 or 8,5.")
            continue
        if not number.is_finite() or not 0 <= number <= criterion.max_points:
            errors[field] = _("“%(criterion)s” takes from 0 to %(max)s points.") % {
                "criterion": criterion.label,
                "max": _number(criterion.max_points),
            }
            continue
        if number % POINT_STEP:
            errors[field] = _("Give whole or half points.")
            continue
        points[criterion.key] = f"{number.normalize():f}" if number else "0"
        total += number
    if errors:
        raise ValidationError(errors)
    return points, None if missing else total


def clean_tasks(values: Tasks) -> Tasks:
    """Each figure is a percent from 0 to 100; on time and beyond cannot exceed done."""
    errors = {}
    for name in ("done", "on_time", "exceeded"):
        value = getattr(values, name)
        if value is None:
            errors[f"tasks_{name}_percent"] = _("Give a percent from 0 to 100.")
        elif not 0 <= value <= 100:
            errors[f"tasks_{name}_percent"] = _("A percent is from 0 to 100.")
    if not errors:
        if values.on_time > values.done:
            errors["tasks_on_time_percent"] = _(
                "Tasks done on time cannot be more than the tasks done."
            )
        if values.exceeded > values.done:
            errors["tasks_exceeded_percent"] = _(
                "Tasks done beyond what was asked cannot be more than the tasks done."
            )
    if errors:
        raise ValidationError(errors)
    return values


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value else "0"
    return text.replace(".", ",")


def level_problems(
    rules: ReviewRules,
    level: ReviewLevel,
    total: Decimal | None,
    tasks: Tasks,
    *,
    disciplined: bool = False,
    disciplined_below: bool = False,
) -> list[str]:
    """Why level is out of reach: each condition it needs that is not met."""
    problems = []
    if level.min_points is not None and (total is None or total < level.min_points):
        problems.append(
            _("%(level)s needs at least %(min)s points; the review gives %(total)s.")
            % {
                "level": level.label,
                "min": _number(level.min_points),
                "total": _number(total) if total is not None else "0",
            }
        )
    checks = (
        (
            level.min_done_percent,
            tasks.done,
            _("%(level)s needs %(min)s%% of the tasks done; %(got)s%% were."),
        ),
        (
            level.min_on_time_percent,
            tasks.on_time,
            _("%(level)s needs %(min)s%% of the tasks done on time; %(got)s%% were."),
        ),
        (
            level.min_exceeded_percent,
            tasks.exceeded,
            _("%(level)s needs %(min)s%% of the tasks done beyond what was asked; %(got)s%% were."),
        ),
    )
    for minimum, got, message in checks:
        if minimum is not None and (got or 0) < minimum:
            problems.append(message % {"level": level.label, "min": minimum, "got": got or 0})
    if disciplined and level.rank < LEVELS.index(rules.disciplined_member_level):
        problems.append(
            _("Disciplined in the year: the highest level is “%(max)s”.")
            % {"max": rules.level(rules.disciplined_member_level).label}
        )
    if disciplined_below and level.rank < LEVELS.index(rules.collective_disciplined_level):
        problems.append(
            _(
                "A member or an organisation below was disciplined in the year: the highest "
                "level is “%(max)s”."
            )
            % {"max": rules.level(rules.collective_disciplined_level).label}
        )
    return problems


def highest_level(
    rules: ReviewRules,
    total: Decimal | None,
    tasks: Tasks,
    *,
    disciplined: bool = False,
    disciplined_below: bool = False,
) -> tuple[str, dict[str, list[str]]]:
    """Return the best level whose conditions hold, and the reasons each better level fails.
    The last level ("did not complete") always holds."""
    reasons: dict[str, list[str]] = {}
    for level in rules.levels:
        problems = level_problems(
            rules,
            level,
            total,
            tasks,
            disciplined=disciplined,
            disciplined_below=disciplined_below,
        )
        if not problems or level.key == LEVELS[-1]:
            return level.key, reasons
        reasons[level.key] = problems
    raise AssertionError("a pack always has the four levels")  # pragma: no cover


def check_level(
    rules: ReviewRules,
    key: str,
    total: Decimal | None,
    tasks: Tasks,
    *,
    field: str = "level",
    disciplined: bool = False,
    disciplined_below: bool = False,
) -> None:
    """Refuse a level the conditions do not allow, with the reasons."""
    if key not in LEVELS:
        raise ValidationError({field: _("Choose one of the four levels.")})
    best, reasons = highest_level(
        rules, total, tasks, disciplined=disciplined, disciplined_below=disciplined_below
    )
    if LEVELS.index(key) < LEVELS.index(best):
        raise ValidationError({field: reasons[key]})


@dataclass(frozen=True)
class QuotaCheck:
    """How many are rated at the quota's level out of those in its base, and how many may be."""

    level: str
    of_level: str  # the lowest level of the base: "rated good or better"
    rated: int
    base: int
    allowed: int
    max_percent: int
    applies: bool

    @property
    def broken(self) -> bool:
        return self.applies and self.rated > self.allowed

    def message(self) -> str:
        return _(
            "%(rated)s rated “%(level)s” out of %(base)s rated “%(of)s” or better: at most "
            "%(allowed)s may be (%(percent)s%%, rounded down)."
        ) % {
            "rated": self.rated,
            "level": level_labels()[self.level],
            "base": self.base,
            "of": level_labels()[self.of_level],
            "allowed": self.allowed,
            "percent": self.max_percent,
        }


def level_labels() -> dict[str, str]:
    """The levels' names in the active language."""
    from chibo.reviews.models import Level

    return {key: str(label) for key, label in Level.choices}


def quota_check(rules: ReviewRules, subject: str, counts: dict[str, int]) -> QuotaCheck:
    """The quota over a deciding organisation's levels, counted by level."""
    quota = rules.quota
    base = sum(counts.get(key, 0) for key in quota.of_levels)
    return QuotaCheck(
        level=quota.level,
        of_level=max(quota.of_levels, key=LEVELS.index),
        rated=counts.get(quota.level, 0),
        base=base,
        allowed=quota.allowed(base),
        max_percent=quota.max_percent,
        applies=subject in quota.applies_to,
    )
