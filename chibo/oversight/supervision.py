"""Following cells: a standing committee assigns its members to follow the cells of its
subtree (Chỉ thị 50-CT/TW: higher committee members follow and attend the cells'
meetings); each follower sees their cells' schedules and records visits, with observations
and, where the rules allow it, a review of the cell's own quality score. Coverage tells a
committee which cells of its subtree had a visit in a quarter.

Writes check the policy, validate, write and record the audit event in one transaction;
reads are plain functions over the records, called after the views checked the reach.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can, require, visible_orgs
from chibo.audit.log import record
from chibo.meetings.models import Meeting, MeetingStatus, QualityScore
from chibo.members.models import Member, Status
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.oversight.models import (
    ACTIVE_STATES,
    QUALITY_LEVELS,
    EarlyWarning,
    FollowAssignment,
    Visit,
)
from chibo.oversight.queries import Period, parse_period
from chibo.oversight.rollups import month_end
from chibo.text import fold

# The packs under which the follower may say whether they agree with the score the cell
# gave its meeting. Chỉ thị 50-CT/TW and Hướng dẫn 42-HD/BTCTW have the cell score its own
# meetings and the committee above follow the cells and take the scores as a basis for
# classifying them; that the follower who attended records agreement or a proposed level is
# Chibo's reading of HD 42, not confirmed from the official text. The older sheets
# (national-2018, nghe-an-2021) are not listed: their visits carry observations only. A
# pack flag would replace this list when a pack states it.
SCORE_REVIEW_PACKS = frozenset({"hd42-2025"})

# A follower attends a meeting once it has begun.
VISITABLE = (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED, MeetingStatus.SIGNED)
OBSERVATIONS_MAX = 5000
NOTE_MAX = Visit._meta.get_field("score_note").max_length
UPCOMING = 3  # meetings of each followed cell shown ahead
VISITABLE_SHOWN = 12  # recent meetings offered on the visit form
OPTIONS_LIMIT = 30


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _own_member_id(actor) -> int | None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return None
    return actor.member_id


def meeting_day(meeting: Meeting) -> datetime.date:
    """The day the meeting was held: the day it ended, else the day it was planned."""
    return timezone.localtime(meeting.ended_at or meeting.scheduled_at).date()


# Assigning and ending.


def _check_committee(committee: Organisation) -> None:
    if committee.is_cell:
        raise ValidationError(_("A cell has no followers of its own to assign: a committee does."))
    if committee.closed_on is not None:
        raise ValidationError(_("This committee is closed."))


def _check_cell(committee: Organisation, cell: Organisation) -> None:
    if not cell.is_cell:
        raise ValidationError({"cell": _("Choose a cell: followers are assigned to cells.")})
    if cell.pk == committee.pk or not cell.path.startswith(committee.path):
        raise ValidationError(
            {"cell": _("This cell is not under %(committee)s.") % {"committee": committee.name}}
        )
    if cell.closed_on is not None:
        raise ValidationError({"cell": _("This cell is closed.")})


def _check_follower(committee: Organisation, follower: Member) -> None:
    # The committee's members are official members of its own organisation (Điều lệ Đảng:
    # probationary members do not stand for election).
    if follower.status != Status.OFFICIAL:
        raise ValidationError(
            {"follower": _("The follower must be an official member of the party.")}
        )
    if not follower.cell.path.startswith(committee.path):
        raise ValidationError(
            {
                "follower": _("The follower must be a member of %(committee)s.")
                % {"committee": committee.name}
            }
        )


@transaction.atomic
def assign_follower(
    actor,
    committee: Organisation,
    cell: Organisation,
    follower: Member,
    started_on: datetime.date | None = None,
) -> FollowAssignment:
    """Assign a committee member to follow a cell of the committee's subtree from a day
    (today by default). A current follower of the cell for this committee is replaced: their
    assignment ends the day before. Needs ASSIGN_FOLLOWERS on the committee."""
    require(actor, Perm.ASSIGN_FOLLOWERS, committee)
    today = timezone.localdate()
    started_on = started_on or today
    _check_committee(committee)
    _check_cell(committee, cell)
    follower = Member.objects.select_related("cell").get(pk=follower.pk)
    _check_follower(committee, follower)
    if started_on > today:
        raise ValidationError({"started_on": _("The assignment cannot start in the future.")})
    current = (
        FollowAssignment.objects.select_for_update()
        .filter(committee=committee, cell=cell, ended_on__isnull=True)
        .select_related("follower")
        .first()
    )
    replaced = ""
    if current is not None:
        if current.follower_id == follower.pk:
            raise ValidationError(
                {"follower": _("This member already follows the cell for this committee.")}
            )
        if started_on <= current.started_on:
            raise ValidationError(
                {
                    "started_on": _(
                        "%(name)s follows this cell since %(date)s: the new follower starts "
                        "after that day."
                    )
                    % {"name": current.follower.full_name, "date": f"{current.started_on:%d/%m/%Y}"}
                }
            )
        _end(actor, current, started_on - datetime.timedelta(days=1))
        replaced = current.follower.full_name
    assignment = FollowAssignment.objects.create(
        committee=committee,
        cell=cell,
        follower=follower,
        started_on=started_on,
        assigned_by=_user(actor),
    )
    changes = {"cell": cell.code, "follower": follower.full_name, "started_on": started_on}
    if replaced:
        changes["replaced"] = replaced
    record(actor, "follow.assign", committee, assignment, changes)
    return assignment


def _end(actor, assignment: FollowAssignment, ended_on: datetime.date) -> None:
    if ended_on < assignment.started_on:
        raise ValidationError(
            {
                "ended_on": _("The assignment began on %(date)s: it cannot end before.")
                % {"date": f"{assignment.started_on:%d/%m/%Y}"}
            }
        )
    last = assignment.visits.aggregate(last=Max("visited_on"))["last"]
    if last is not None and last > ended_on:
        raise ValidationError(
            {
                "ended_on": _("A visit was recorded on %(date)s: the assignment ends after it.")
                % {"date": f"{last:%d/%m/%Y}"}
            }
        )
    assignment.ended_on = ended_on
    assignment.save(update_fields=["ended_on"])
    record(
        actor,
        "follow.end",
        assignment.committee,
        assignment,
        {
            "cell": assignment.cell.code,
            "follower": assignment.follower.full_name,
            "ended_on": ended_on,
        },
    )


@transaction.atomic
def end_following(
    actor, assignment: FollowAssignment, ended_on: datetime.date | None = None
) -> FollowAssignment:
    """End a current assignment on a day (today by default), its last day of following.
    Needs ASSIGN_FOLLOWERS on the committee."""
    assignment = (
        FollowAssignment.objects.select_for_update()
        .select_related("committee", "cell", "follower")
        .get(pk=assignment.pk)
    )
    require(actor, Perm.ASSIGN_FOLLOWERS, assignment.committee)
    if assignment.ended_on is not None:
        raise ValidationError(
            _("This assignment already ended on %(date)s.")
            % {"date": f"{assignment.ended_on:%d/%m/%Y}"}
        )
    ended_on = ended_on or timezone.localdate()
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("Write the day it ended: today or before.")})
    _end(actor, assignment, ended_on)
    return assignment


# Visits.


def may_record_visit(user, assignment: FollowAssignment) -> bool:
    """The follower, and whoever may assign followers for the committee."""
    own = _own_member_id(user)
    if own is not None and own == assignment.follower_id:
        return True
    return can(user, Perm.ASSIGN_FOLLOWERS, assignment.committee)


def score_of(meeting: Meeting) -> QualityScore | None:
    try:
        return meeting.score
    except QualityScore.DoesNotExist:
        return None


def may_review_score(meeting: Meeting | None) -> bool:
    """Whether a visit to this meeting may carry a review of its score: the meeting has a
    complete score, given under a pack that provides for the review."""
    if meeting is None:
        return False
    score = score_of(meeting)
    return score is not None and score.total is not None and score.pack_id in SCORE_REVIEW_PACKS


def _check_review(meeting, score_agrees, proposed_level: str, score_note: str) -> str:
    """Validate a review of the meeting's score; return the level the cell gave."""
    score = score_of(meeting) if meeting is not None else None
    if score is None or score.total is None:
        raise ValidationError(
            {"score_agrees": _("Only a meeting with a complete quality score can be reviewed.")}
        )
    if score.pack_id not in SCORE_REVIEW_PACKS:
        raise ValidationError(
            {
                "score_agrees": _(
                    "The rules this meeting was scored under (%(pack)s) do not provide for a "
                    "review of the score by the follower."
                )
                % {"pack": score.pack_id}
            }
        )
    if score_agrees is None:
        raise ValidationError(
            {"score_agrees": _("Say whether you agree with the level the cell gave.")}
        )
    if score_agrees:
        if proposed_level:
            raise ValidationError(
                {"proposed_level": _("Propose a level only when you do not agree.")}
            )
    else:
        if proposed_level not in QUALITY_LEVELS:
            raise ValidationError(
                {"proposed_level": _("Choose the level you think the meeting deserves.")}
            )
        if proposed_level == score.level:
            raise ValidationError(
                {"proposed_level": _("This is the level the cell gave: choose another one.")}
            )
        if not score_note:
            raise ValidationError({"score_note": _("Say why the level should be different.")})
    if len(score_note) > NOTE_MAX:
        raise ValidationError(
            {"score_note": _("Keep the note to %(max)d characters or fewer.") % {"max": NOTE_MAX}}
        )
    return score.level


@transaction.atomic
def record_visit(
    actor,
    assignment: FollowAssignment,
    *,
    observations: str,
    visited_on: datetime.date | None = None,
    meeting: Meeting | None = None,
    score_agrees: bool | None = None,
    proposed_level: str = "",
    score_note: str = "",
) -> Visit:
    """Record a visit to the assignment's cell, to one of its meetings (the visit's day is
    the meeting's) or not; with a review of the meeting's score when given. Allowed to the
    follower and to whoever may assign followers for the committee."""
    assignment = (
        FollowAssignment.objects.select_for_update()
        .select_related("committee", "cell", "follower")
        .get(pk=assignment.pk)
    )
    if not may_record_visit(actor, assignment):
        raise PermissionDenied(_("You do not have permission to do this here."))
    today = timezone.localdate()
    observations = (observations or "").strip()
    proposed_level = (proposed_level or "").strip()
    score_note = (score_note or "").strip()
    if meeting is not None:
        meeting = Meeting.objects.select_related("score").get(pk=meeting.pk)
        if meeting.organisation_id != assignment.cell_id:
            raise ValidationError({"meeting": _("Choose a meeting of the cell you follow.")})
        if meeting.status not in VISITABLE:
            raise ValidationError({"meeting": _("This meeting has not been held.")})
        held_on = meeting_day(meeting)
        if visited_on is not None and visited_on != held_on:
            raise ValidationError(
                {
                    "visited_on": _("The meeting was held on %(date)s.")
                    % {"date": f"{held_on:%d/%m/%Y}"}
                }
            )
        visited_on = held_on
        if Visit.objects.filter(assignment=assignment, meeting=meeting).exists():
            raise ValidationError({"meeting": _("Your visit to this meeting is already recorded.")})
    if visited_on is None:
        raise ValidationError({"visited_on": _("Write the day of the visit.")})
    if visited_on > today:
        raise ValidationError({"visited_on": _("A visit is recorded once it has taken place.")})
    if visited_on < assignment.started_on or (
        assignment.ended_on is not None and visited_on > assignment.ended_on
    ):
        raise ValidationError(
            {"visited_on": _("The day of the visit is outside the time of the assignment.")}
        )
    if not observations:
        raise ValidationError({"observations": _("Write what you observed.")})
    if len(observations) > OBSERVATIONS_MAX:
        raise ValidationError(
            {
                "observations": _("Keep the observations to %(max)d characters or fewer.")
                % {"max": OBSERVATIONS_MAX}
            }
        )
    cell_level = ""
    if score_agrees is not None or proposed_level or score_note:
        cell_level = _check_review(meeting, score_agrees, proposed_level, score_note)
    visit = Visit.objects.create(
        assignment=assignment,
        cell=assignment.cell,
        meeting=meeting,
        visited_on=visited_on,
        observations=observations,
        score_agrees=score_agrees if cell_level else None,
        cell_level=cell_level,
        proposed_level=proposed_level,
        score_note=score_note,
        recorded_by=_user(actor),
    )
    changes = {"follower": assignment.follower.full_name, "visited_on": visited_on}
    if meeting is not None:
        changes["meeting"] = meeting.pk
    if cell_level:
        changes["score_agrees"] = score_agrees
        changes["proposed_level"] = proposed_level
    record(actor, "visit.record", assignment.cell, visit, changes)
    return visit


# Reads.


def visible_assignments(user):
    """The assignments the user may see: those of committees they oversee, and their own."""
    q = Q(committee__in=visible_orgs(user, Perm.VIEW_OVERSIGHT))
    own = _own_member_id(user)
    if own is not None:
        q |= Q(follower_id=own)
    return FollowAssignment.objects.filter(q).select_related("committee", "cell", "follower")


def committee_assignments(committee: Organisation, *, ended: bool = False):
    """The committee's assignments, current ones (or ended ones), by cell name."""
    rows = FollowAssignment.objects.filter(committee=committee, ended_on__isnull=not ended)
    return rows.select_related("cell", "follower", "follower__cell").order_by(
        "cell__name_folded", "-started_on", "id"
    )


def cells_without_follower(committee: Organisation):
    """The open cells of the committee's subtree that no one follows for it."""
    followed = FollowAssignment.objects.filter(committee=committee, ended_on__isnull=True)
    return (
        Organisation.objects.filter(
            path__startswith=committee.path, level__in=CELL_LEVELS, closed_on__isnull=True
        )
        .exclude(pk__in=followed.values("cell_id"))
        .order_by("name_folded")
    )


def follower_options(committee: Organisation, text: str):
    """Official members of the committee's subtree whose name matches, for the picker."""
    folded = fold(text[:100])
    if not folded:
        return Member.objects.none()
    return (
        Member.objects.filter(
            cell__path__startswith=committee.path,
            status=Status.OFFICIAL,
            name_folded__contains=folded,
        )
        .select_related("cell")
        .order_by("name_folded", "id")[:OPTIONS_LIMIT]
    )


def picked_member_id(text: str) -> int | None:
    """The member number a picker's text ends with ("Nguyễn Văn An · Chi bộ … · #12")."""
    match = re.search(r"#?(\d+)\s*$", text or "")
    return int(match[1]) if match else None


@dataclass
class FollowedCell:
    """A cell its follower follows: what comes next, and the follower's last visit."""

    assignment: FollowAssignment
    upcoming: list[Meeting] = field(default_factory=list)
    last_visit: Visit | None = None
    visits: int = 0
    # The cell's open warnings about its meetings (not those naming a member): the
    # follower is one of the people a warning must reach.
    warnings: list[tuple[str, str]] = field(default_factory=list)


def following(member_id: int | None, now: datetime.datetime | None = None) -> list[FollowedCell]:
    """The member's current assignments, each with its cell's next meetings (planned, not
    cancelled) and the member's last visit there; a fixed number of queries."""
    if member_id is None:
        return []
    now = now or timezone.now()
    assignments = list(
        FollowAssignment.objects.filter(follower_id=member_id, ended_on__isnull=True)
        .select_related("committee", "cell")
        .order_by("cell__name_folded", "id")
    )
    rows = {a.pk: FollowedCell(a) for a in assignments}
    by_cell: dict[int, list[FollowedCell]] = {}
    for row in rows.values():
        by_cell.setdefault(row.assignment.cell_id, []).append(row)
    upcoming = Meeting.objects.filter(
        organisation_id__in=list(by_cell),
        scheduled_at__gte=now - datetime.timedelta(hours=12),
        status__in=(MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS),
    ).order_by("scheduled_at", "id")
    for meeting in upcoming:
        for row in by_cell[meeting.organisation_id]:
            if len(row.upcoming) < UPCOMING:
                row.upcoming.append(meeting)
    visits = Visit.objects.filter(assignment_id__in=list(rows)).select_related("meeting")
    for visit in visits.order_by("visited_on", "id"):
        row = rows[visit.assignment_id]
        row.last_visit = visit
        row.visits += 1
    from chibo.oversight.warnings import RULE_LABELS, describe  # it reads this app's models

    open_warnings = EarlyWarning.objects.filter(
        organisation_id__in=list(by_cell), state__in=ACTIVE_STATES, member__isnull=True
    ).order_by("-raised_on", "id")
    for warning in open_warnings:
        for row in by_cell[warning.organisation_id]:
            row.warnings.append(
                (str(RULE_LABELS.get(warning.rule, warning.rule)), describe(warning))
            )
    return list(rows.values())


def visitable_meetings(assignment: FollowAssignment, today: datetime.date) -> list[Meeting]:
    """The cell's meetings held during the assignment that it has no visit to yet, latest
    first: what the visit form offers."""
    last = assignment.ended_on or today
    visited = Visit.objects.filter(assignment=assignment, meeting__isnull=False)
    return list(
        Meeting.objects.filter(
            organisation_id=assignment.cell_id,
            status__in=VISITABLE,
            scheduled_at__date__range=(assignment.started_on, last),
        )
        .exclude(pk__in=visited.values("meeting_id"))
        .select_related("score")
        .order_by("-scheduled_at", "-id")[:VISITABLE_SHOWN]
    )


def visits_in(org: Organisation, first: datetime.date | None = None, last=None):
    """The visits to the cells of org's subtree, latest first, between two days if given."""
    rows = Visit.objects.filter(cell__path__startswith=org.path)
    if first is not None:
        rows = rows.filter(visited_on__gte=first)
    if last is not None:
        rows = rows.filter(visited_on__lte=last)
    return rows.select_related(
        "cell", "meeting", "assignment__follower", "assignment__committee"
    ).order_by("-visited_on", "-id")


def parse_quarter(text: str | None, today: datetime.date) -> Period:
    """Read a quarter written 2026-Q4; None or "" gives the current one."""
    if not (text or "").strip():
        return Period("quarter", today.year, (today.month - 1) // 3 + 1)
    period = parse_period(text, today)
    if period.kind != "quarter":
        raise ValidationError({"quarter": _("Write the quarter like this: 2026-Q4.")})
    return period


def quarter_days(quarter: Period) -> tuple[datetime.date, datetime.date]:
    months = quarter.months
    return months[0], month_end(months[-1])


@dataclass
class CellCoverage:
    cell: Organisation
    visits: int = 0
    last_visited_on: datetime.date | None = None
    followers: list[str] = field(default_factory=list)


@dataclass
class Coverage:
    """The cells of a subtree open during a quarter, and which of them had a visit."""

    quarter: Period
    cells: list[CellCoverage]

    @property
    def visited(self) -> list[CellCoverage]:
        return [c for c in self.cells if c.visits]

    @property
    def uncovered(self) -> list[CellCoverage]:
        return [c for c in self.cells if not c.visits]

    @property
    def without_follower(self) -> int:
        return sum(1 for c in self.cells if not c.followers)


def coverage(org: Organisation, quarter: Period) -> Coverage:
    """Which cells of org's subtree (open at some time in the quarter) had a visit from a
    follower of any committee above during the quarter, with their current followers: three
    queries, whatever the size of the subtree."""
    first, last = quarter_days(quarter)
    cells = {
        c.pk: CellCoverage(c)
        for c in Organisation.objects.filter(path__startswith=org.path, level__in=CELL_LEVELS)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=last))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=first))
        .only("code", "name", "name_folded", "path", "level", "closed_on")
        .order_by("name_folded", "id")
    }
    for line in (
        Visit.objects.filter(cell__path__startswith=org.path, visited_on__range=(first, last))
        .values("cell_id")
        .order_by()
        .annotate(n=Count("id"), last=Max("visited_on"))
    ):
        if line["cell_id"] in cells:
            cells[line["cell_id"]].visits = line["n"]
            cells[line["cell_id"]].last_visited_on = line["last"]
    for cell_id, name in (
        FollowAssignment.objects.filter(cell__path__startswith=org.path, ended_on__isnull=True)
        .order_by("follower__name_folded")
        .values_list("cell_id", "follower__full_name")
    ):
        if cell_id in cells:
            cells[cell_id].followers.append(name)
    return Coverage(quarter, list(cells.values()))
