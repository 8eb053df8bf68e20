"""Reads of admission cases and probations, scoped to what the user may see, and the deadlines
of a cell or a committee's subtree.

deadlines(org, today) is the one computation of what is due: the pages show it, and the
notifier (a later issue) sends the items whose `remind` is true on the day it runs.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chibo.accounts.policy import Perm, can, org_scope
from chibo.admissions import rules
from chibo.admissions.models import (
    OPEN_PROBATION_STATES,
    OPEN_STAGES,
    PRESENT_STATUSES,
    Candidate,
    DossierItem,
    Probation,
    ProbationState,
)
from chibo.members.models import Status
from chibo.orgs.models import Organisation
from chibo.regulations.loader import PackNotFound, pack_for
from chibo.text import mask

KIND_LABELS = {
    "ceremony": _("Admission ceremony due"),
    "probation_end": _("Probation ends"),
    "review": _("Recognition to be decided"),
    "certificate": _("Course certificate expires"),
}


# Shown masked, as a member's record shows them, unless the user may reveal them in the cell.
MASKED_FIELDS = ("citizen_id", "phone")


def shown(user, candidate: Candidate, field: str) -> str:
    """Return a field of the candidate's record as the user may see it: the citizen ID and
    the phone masked (like Member.citizen_id_masked) without the right to reveal them."""
    value = getattr(candidate, field)
    if field in MASKED_FIELDS and not can(user, Perm.REVEAL_ID, candidate.cell):
        return mask(value, 3, 3)
    return value


def visible_candidates(user, perm: Perm = Perm.LIST_MEMBERS) -> QuerySet[Candidate]:
    """Candidates of the cells where the user may do perm (by default, list the members)."""
    return Candidate.objects.filter(org_scope(user, perm, prefix="cell__")).select_related("cell")


def visible_probations(user) -> QuerySet[Probation]:
    """Probations of the members the user may list, and the user's own."""
    q = org_scope(user, Perm.LIST_MEMBERS, prefix="member__cell__")
    member_id = getattr(user, "member_id", None) if user.is_authenticated else None
    if member_id is not None:
        q |= Q(member_id=member_id)
    return Probation.objects.filter(q).select_related("member__cell", "decided_by")


def with_documents(qs: QuerySet[Candidate]) -> QuerySet[Candidate]:
    return qs.prefetch_related(
        Prefetch("documents", queryset=DossierItem.objects.order_by("position"))
    )


def cell_candidates(cell: Organisation) -> QuerySet[Candidate]:
    """The cell's open cases first, then the closed ones, newest first."""
    return with_documents(cell.candidates.select_related("member")).order_by("-updated_at", "-id")


def cell_probations(cell: Organisation) -> QuerySet[Probation]:
    """The open probations of the cell's members, the soonest to end first."""
    return (
        Probation.objects.filter(
            member__cell=cell,
            member__status=Status.PROBATIONARY,
            state__in=OPEN_PROBATION_STATES,
        )
        .select_related("member__cell", "decided_by")
        .order_by("ends_on", "ceremony_due", "id")
    )


@dataclass(frozen=True)
class Deadline:
    """One date the rules set for a case: its kind, the day, and how near it is."""

    kind: str  # ceremony, probation_end, review, certificate
    due: datetime.date
    days_left: int
    name: str
    cell: Organisation
    candidate_id: int | None = None
    probation_id: int | None = None
    member_id: int | None = None
    horizon: int = 30
    reminder_days: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def days_overdue(self) -> int:
        return -self.days_left

    @property
    def level(self) -> str:
        """overdue, soon (within the pack's first reminder), or later."""
        if self.days_left < 0:
            return "overdue"
        return "soon" if self.days_left <= self.horizon else "later"

    @property
    def remind(self) -> bool:
        """Whether a reminder is due today: on each of the pack's reminder days before, on
        the day itself, and every day once it is overdue."""
        return self.days_left <= 0 or self.days_left in self.reminder_days


def reminder_days(org: Organisation, today: datetime.date) -> tuple[int, ...]:
    """The days before a deadline the membership pack in force reminds on (30 and 7)."""
    try:
        return pack_for(org, today, subject="membership").membership.probation.reminder_days
    except PackNotFound:
        return ()


def probation_deadline(
    probation: Probation, today: datetime.date, reminders: tuple[int, ...] | None = None
) -> Deadline | None:
    """Return the next date the rules set for an open probation, or None when it is over.
    reminders: the pack's reminder days, when the caller has them already."""
    state = probation.state
    if state == ProbationState.AWAITING_CEREMONY:
        kind, due = "ceremony", probation.ceremony_due
    elif state == ProbationState.ON_PROBATION and today <= probation.ends_on:
        kind, due = "probation_end", probation.ends_on
    elif state in OPEN_PROBATION_STATES:
        kind, due = "review", probation.review_due
    else:
        return None
    if reminders is None:
        reminders = reminder_days(probation.member.cell, today)
    return Deadline(
        kind=kind,
        due=due,
        days_left=(due - today).days,
        name=probation.member.full_name,
        cell=probation.member.cell,
        probation_id=probation.pk,
        member_id=probation.member_id,
        horizon=max(reminders, default=0),
        reminder_days=reminders,
    )


def candidate_deadline(
    candidate: Candidate, today: datetime.date, reminders: tuple[int, ...] | None = None
) -> Deadline | None:
    """Return the last day of the candidate's course certificate, while the case is open."""
    item = candidate.certificate
    if not candidate.is_open or item is None or not item.is_present or item.expires_on is None:
        return None
    due = item.expires_on - datetime.timedelta(days=1)
    if reminders is None:
        reminders = reminder_days(candidate.cell, today)
    return Deadline(
        kind="certificate",
        due=due,
        days_left=(due - today).days,
        name=candidate.full_name,
        cell=candidate.cell,
        candidate_id=candidate.pk,
        horizon=max(reminders, default=0),
        reminder_days=reminders,
    )


def deadlines(org: Organisation, today: datetime.date) -> list[Deadline]:
    """Every deadline under org (a cell, or a committee's whole subtree) that is overdue or
    falls within the pack's first reminder: ceremonies due, probations ending, recognitions
    to decide, course certificates expiring before the decision. Soonest first."""
    reminders = reminder_days(org, today)
    horizon = max(reminders, default=0)
    limit = today + datetime.timedelta(days=horizon)
    # A membership ended another way (a transfer out, a removal proposed by the cell) leaves
    # nothing due on its probation.
    probations = Probation.objects.filter(
        member__cell__path__startswith=org.path,
        member__status=Status.PROBATIONARY,
        state__in=OPEN_PROBATION_STATES,
    ).filter(
        Q(state=ProbationState.AWAITING_CEREMONY, ceremony_due__lte=limit)
        | Q(state=ProbationState.ON_PROBATION, ends_on__lte=limit)
        | Q(state__in=[ProbationState.PROPOSED, ProbationState.REFERRED])
    )
    found = [
        probation_deadline(p, today, reminders) for p in probations.select_related("member__cell")
    ]
    # A certificate lasts years: only those dated long enough ago can expire this soon.
    old_enough = rules.add_months(limit, -12)
    candidates = Candidate.objects.filter(
        cell__path__startswith=org.path,
        stage__in=OPEN_STAGES,
        documents__key=rules.CERTIFICATE,
        documents__status__in=PRESENT_STATUSES,
        documents__dated__lte=old_enough,
    ).select_related("cell")
    found += [candidate_deadline(c, today, reminders) for c in with_documents(candidates)]
    # A recognition to decide stays on the list from the end of the probation, however far
    # its review's deadline is.
    return sorted(
        (d for d in found if d is not None and (d.due <= limit or d.kind == "review")),
        key=lambda d: (d.due, d.name),
    )
