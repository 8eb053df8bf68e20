"""Every change to the member registry: add, edit, change home cell, reveal personal data;
the end of a membership (removal of name, expulsion, leaving, death) and the proposals to
remove a name; training courses; party badges; and the corrections members ask for.

A member is always in exactly one home cell: Member.cell is never empty, and every change of
cell closes the open MembershipPeriod and opens the next one in the same transaction. A
membership that ends closes the open period on its date and keeps the member, with the
decision, in the registry. Figures (months of absence, badge years and award days) come from
the membership pack in force (chibo.members.queries.membership_rules).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chibo.accounts.actions import sync_member_roles
from chibo.accounts.policy import Perm, can, require
from chibo.audit.log import acting_user, diff, record
from chibo.conflicts import check_version
from chibo.dates import add_years
from chibo.members.models import (
    CURRENT_STATUSES,
    ENDING_STATUSES,
    Badge,
    CorrectionRequest,
    Member,
    MembershipEnd,
    MembershipPeriod,
    RemovalGround,
    RemovalProposal,
    Status,
    TheoryLevel,
    Training,
    TrainingKind,
    theory_rank,
)
from chibo.orgs.models import Organisation

EDITABLE_FIELDS = (
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "religion",
    "hometown",
    "residence",
    "phone",
    "email",
    "citizen_id",
    "party_card_number",
    "education",
    "qualification",
    "theory_level",
    "occupation",
    "position",
    "admitted_on",
    "official_on",
    "status",
)
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# The Charter admits from 18 (issue 4 checks admissions); the registry also holds members
# admitted under older rules, so it refuses only what cannot be true.
MIN_ADMISSION_AGE = 16
# Changing these is logged with the values masked: the audit log is read by more people.
PERSONAL_FIELDS = ("citizen_id", "phone", "date_of_birth", "residence", "email")


def _check_cell(cell: Organisation) -> None:
    if not cell.is_cell:
        raise ValidationError({"cell": _("Members belong to a cell, not to a committee.")})
    if not cell.is_active:
        raise ValidationError({"cell": _("%(name)s is closed.") % {"name": cell.name}})


def check_member(member: Member) -> None:
    """Validate field formats (model validators) and the rules between fields."""
    for key in ("citizen_id", "party_card_number"):
        if getattr(member, key) == "":
            setattr(member, key, None)
    errors: dict[str, list[str]] = {}
    try:
        member.full_clean(exclude=["cell", "name_folded"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    today = timezone.localdate()
    dob, admitted, official = member.date_of_birth, member.admitted_on, member.official_on

    def refuse(field, message):
        errors.setdefault(field, []).append(message)

    if isinstance(dob, datetime.date) and not EARLIEST_BIRTH <= dob < today:
        refuse("date_of_birth", _("The date of birth must be between 1900 and today."))
        dob = None
    if isinstance(admitted, datetime.date):
        if admitted > today:
            refuse("admitted_on", _("The admission date cannot be in the future."))
        elif isinstance(dob, datetime.date) and admitted < add_years(dob, MIN_ADMISSION_AGE):
            refuse("admitted_on", _("The admission date must be after the member's 16th birthday."))
        if isinstance(official, datetime.date) and official < admitted:
            refuse("official_on", _("The official date cannot be before the admission date."))
    if isinstance(official, datetime.date) and official > today:
        refuse("official_on", _("The official date cannot be in the future."))
    if member.status == Status.PROBATIONARY and official:
        refuse("official_on", _("A probationary member has no official date yet."))
    if member.status == Status.OFFICIAL and not official:
        refuse("official_on", _("An official member needs the official date."))
    if errors:
        raise ValidationError(errors)


def masked_changes(changes: dict) -> dict:
    """Return changes for the audit log with personal values hidden (the log is read by
    more people than the record; admissions log candidates' changes the same way)."""
    return {k: (["•••", "•••"] if k in PERSONAL_FIELDS else v) for k, v in changes.items()}


@transaction.atomic
def create_member(actor, cell: Organisation, **fields) -> Member:
    """Add a member to the registry with cell as their home cell."""
    cell = Organisation.objects.select_for_update().get(pk=cell.pk)
    require(actor, Perm.EDIT_MEMBER, cell)
    _check_cell(cell)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    member = Member(cell=cell, **fields)
    check_member(member)
    member.save()
    MembershipPeriod.objects.create(
        member=member, organisation=cell, started_on=member.admitted_on, reason=_("Admitted")
    )
    record(
        actor,
        "member.create",
        cell,
        member,
        masked_changes({k: [None, v] for k, v in fields.items()}),
    )
    return member


@transaction.atomic
def update_member(actor, member: Member, version: int | None = None, **fields) -> Member:
    """Correct a member's registry fields."""
    # Locked without a join: on PostgreSQL a locked join re-checked after a concurrent
    # change of home cell loses the row (see chibo.transfers).
    member = Member.objects.select_for_update().get(pk=member.pk)
    require(actor, Perm.EDIT_MEMBER, member.cell)
    check_version(member, version)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    # Only a change among the current statuses is an edit. A membership ends through
    # end_membership (with its decision, the committee's right, the end of the home cell's
    # period, and what other apps close with it) or a transfer out of the system; an ended
    # one is not reopened here, which would leave the member in no home cell.
    status = fields.get("status", member.status)
    if status != member.status and status in Status.values:
        if not member.is_current:
            raise ValidationError(
                {
                    "status": _(
                        "The membership of %(name)s has ended (%(status)s): the status is a "
                        "record of that and is not edited."
                    )
                    % {"name": member.full_name, "status": member.get_status_display()}
                }
            )
        if status not in CURRENT_STATUSES:
            raise ValidationError(
                {
                    "status": _(
                        "A membership ends through its own record (removal of name, expulsion, "
                        "leaving or death, with the decision) or a transfer out of the system, "
                        "not by editing the status."
                    )
                }
            )
        # A probationary member becomes official only by the cell's vote and the
        # committee's decision (chibo.admissions), never by an edit of the record.
        if Status.PROBATIONARY in (status, member.status):
            raise ValidationError(
                {
                    "status": _(
                        "A probationary member becomes official through the recognition vote "
                        "of the cell and the committee's decision (Điều lệ Đảng, art. 5), not "
                        "by editing the status."
                    )
                }
            )
    before = {k: getattr(member, k) for k in EDITABLE_FIELDS}
    for key, value in fields.items():
        setattr(member, key, value)
    check_member(member)
    changes = diff(before, {k: getattr(member, k) for k in EDITABLE_FIELDS})
    if not changes:
        return member
    member.version += 1
    member.save()
    if "admitted_on" in changes:
        first = member.periods.order_by("started_on", "id").first()
        if first is not None and first.started_on == changes["admitted_on"][0]:
            first.started_on = member.admitted_on
            first.save(update_fields=["started_on"])
    if "status" in changes:
        sync_member_roles(actor, member)
    record(actor, "member.update", member.cell, member, masked_changes(changes))
    return member


def move_members(actor, members, cell: Organisation, on: datetime.date, reason: str) -> int:
    """Move members to another home cell; return how many moved. Call inside a transaction."""
    _check_cell(cell)
    moved = 0
    moved_ids, cells = [], {cell.pk: cell}
    for member in members.select_for_update():
        if member.cell_id == cell.pk:
            continue
        current = member.periods.filter(ended_on__isnull=True).first()
        if current is not None and on < current.started_on:
            raise ValidationError(
                {
                    "effective_on": _(
                        "%(name)s joined the current cell on %(date)s; "
                        "the change cannot be earlier."
                    )
                    % {
                        "name": member.full_name,
                        "date": date_format(current.started_on, "SHORT_DATE_FORMAT"),
                    }
                }
            )
        MembershipPeriod.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
        MembershipPeriod.objects.create(
            member=member, organisation=cell, started_on=on, reason=reason[:255]
        )
        old_cell = member.cell
        member.cell = cell
        member.version += 1
        member.save(update_fields=["cell", "version", "updated_at"])
        sync_member_roles(actor, member, old_cell_id=old_cell.pk)
        change = {"cell": [old_cell.code, cell.code], "reason": reason[:255]}
        # Recorded on both sides, so the log of either subtree shows the member moving.
        record(actor, "member.leave_cell", old_cell, member, change)
        record(actor, "member.change_cell", cell, member, change)
        moved_ids.append(member.pk)
        cells[old_cell.pk] = old_cell
        moved += 1
    if moved_ids:
        # The fee summaries of the cells left and joined count members at each month's end:
        # rewritten now, in this transaction. Imported here: chibo.fees imports this module.
        from chibo.fees.actions import refresh_for_home_cell_change

        refresh_for_home_cell_change(moved_ids, list(cells.values()), on)
        # An open attention case goes with the member: the new cell's committee keeps it
        # (a merged cell's committee is the same people; a new cell must know).
        from chibo.oversight.attention import hand_over_cases

        hand_over_cases(actor, moved_ids, cell)
    return moved


@transaction.atomic
def change_home_cell(
    actor, member: Member, cell: Organisation, effective_on=None, reason: str = ""
) -> Member:
    """Record that a member's home cell is now another cell (a completed transfer)."""
    # Locked without a join: PostgreSQL re-checks a join after waiting for the lock and loses
    # the row when a concurrent transfer changed the member's cell (chibo.transfers).
    member = Member.objects.select_for_update().get(pk=member.pk)
    cell = Organisation.objects.get(pk=cell.pk)
    require(actor, Perm.EDIT_MEMBER, member.cell)
    require(actor, Perm.EDIT_MEMBER, cell)
    if member.cell_id == cell.pk:
        raise ValidationError({"cell": _("The member is already in this cell.")})
    on = effective_on or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the member changes cell.")})
    move_members(actor, Member.objects.filter(pk=member.pk), cell, on, reason)
    return Member.objects.get(pk=member.pk)


REVEALABLE = ("citizen_id", "phone")


@transaction.atomic
def reveal_personal(actor, member: Member, field: str, reason: str) -> str:
    """Return a masked field in clear, and log who saw it and why."""
    require(actor, Perm.REVEAL_ID, member)
    if field not in REVEALABLE:
        raise ValidationError({"field": _("This field cannot be revealed.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you need to see it.")})
    record(actor, "member.reveal", member.cell, member, {"field": field, "reason": reason[:500]})
    return getattr(member, field) or ""


# The end of a membership.


def _months_text(months: list[datetime.date]) -> str:
    return ", ".join(date_format(m, "m/Y") for m in months) or "—"


def _deciding_committee(cell: Organisation) -> str:
    """The committee that decides on a cell's members: the one directly above the cell."""
    parent = Organisation.objects.get_parent(cell)
    return parent.name if parent is not None else cell.name


@transaction.atomic
def end_membership(
    actor,
    member: Member,
    kind: str,
    effective_on: datetime.date | None,
    decision_number: str = "",
    decided_by: str = "",
    reason: str = "",
    version: int | None = None,
) -> Member:
    """Record that a membership ended: removal of name, expulsion, leaving the party, death.

    The member stays in the registry with the status of the ending; the open membership
    period ends on that date, and so do the member's roles and log-in. A death may be
    recorded by the cell's leaders; the other endings are the committee's decisions.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not (
        can(actor, Perm.EDIT_MEMBER, member.cell) or can(actor, Perm.DECIDE_MEMBERSHIP, member)
    ):
        raise PermissionDenied(_("You do not have permission to do this here."))
    if kind not in ENDING_STATUSES:
        raise ValidationError(
            {
                "kind": _(
                    "Choose how the membership ends: removal of name, expulsion, leaving or death."
                )
            }
        )
    # The cell's leaders record a death; the other endings are decided above the cell.
    if kind != Status.DECEASED:
        require(actor, Perm.DECIDE_MEMBERSHIP, member)
    check_version(member, version)
    if not member.is_current:
        raise ValidationError(
            {
                "kind": _("%(name)s is no longer a current member (%(status)s).")
                % {"name": member.full_name, "status": member.get_status_display()}
            }
        )
    decision_number, decided_by = decision_number.strip(), decided_by.strip()
    errors = {}
    period = member.periods.filter(ended_on__isnull=True).first()
    if not isinstance(effective_on, datetime.date):
        errors["effective_on"] = _("Give the date the membership ends.")
    elif effective_on > timezone.localdate():
        errors["effective_on"] = _("The membership cannot end on a day still to come.")
    elif period is not None and effective_on < period.started_on:
        errors["effective_on"] = _(
            "%(name)s has been in %(cell)s since %(date)s; the membership cannot end earlier."
        ) % {
            "name": member.full_name,
            "cell": period.organisation.name,
            "date": date_format(period.started_on, "SHORT_DATE_FORMAT"),
        }
    if kind != Status.DECEASED and not decision_number:
        errors["decision_number"] = _(
            "Give the number of the decision: only a death is recorded without one."
        )
    if errors:
        raise ValidationError(errors)
    before = member.status
    member.status = kind
    member.version += 1
    member.save(update_fields=["status", "version", "updated_at"])
    MembershipPeriod.objects.filter(member=member, ended_on__isnull=True).update(
        ended_on=effective_on
    )
    ending = MembershipEnd.objects.create(
        member=member,
        kind=kind,
        effective_on=effective_on,
        decision_number=decision_number[:60],
        decided_by=decided_by[:255],
        reason=reason.strip(),
        status_before=before,
    )
    sync_member_roles(actor, member)
    # A proposal still waiting is closed: the membership has ended some other way.
    for proposal in member.removal_proposals.select_for_update().filter(
        outcome=RemovalProposal.Outcome.PENDING
    ):
        proposal.outcome = RemovalProposal.Outcome.WITHDRAWN
        proposal.decided_by = acting_user(actor)
        proposal.decided_at = timezone.now()
        proposal.decision_note = str(Status(kind).label)
        proposal.save(update_fields=["outcome", "decided_by", "decided_at", "decision_note"])
        record(actor, "member.removal_withdraw", member.cell, member, {"proposal": proposal.pk})
    record(
        actor,
        "member.end",
        member.cell,
        member,
        {
            "status": [before, kind],
            "effective_on": effective_on,
            "decision_number": decision_number,
            "decided_by": decided_by,
        },
    )
    # What other apps keep open for a current member closes with the membership, in this
    # transaction: a transfer in transit or a temporary stay, the probation, the invitations
    # to planned meetings, and the fee summaries that counted the member. Imported here, not
    # at the top: those apps import this module.
    from chibo.admissions.actions import close_for_ended_membership as close_probation
    from chibo.fees.actions import refresh_for_ended_membership
    from chibo.meetings.actions import resync_invitations
    from chibo.transfers.actions import close_for_ended_membership as close_transfers

    close_transfers(actor, member, ending)
    close_probation(actor, member, ending)
    resync_invitations(member.cell)
    refresh_for_ended_membership(member)
    return member


# Removal of name (Điều lệ Đảng, art. 8).


@transaction.atomic
def propose_removal(
    actor, member: Member, ground: str, year: int, note: str = ""
) -> RemovalProposal:
    """The cell proposes to remove a member's name. Absences and unpaid fees must be shown by
    the records of the year (the pack's months); the other grounds need the cell's note."""
    from chibo.members.queries import membership_rules, removal_grounds

    member = Member.objects.select_for_update().get(pk=member.pk)
    require(actor, Perm.EDIT_MEMBER, member.cell)
    if ground not in RemovalGround.values:
        raise ValidationError({"ground": _("Choose the ground for removing the name.")})
    if not member.is_current:
        raise ValidationError(
            {
                "ground": _("%(name)s is no longer a current member (%(status)s).")
                % {"name": member.full_name, "status": member.get_status_display()}
            }
        )
    today = timezone.localdate()
    if not isinstance(year, int) or not member.admitted_on.year <= year <= today.year:
        raise ValidationError(
            {
                "year": _("Choose a year from %(first)s to %(last)s.")
                % {"first": member.admitted_on.year, "last": today.year}
            }
        )
    if member.removal_proposals.filter(outcome=RemovalProposal.Outcome.PENDING).exists():
        raise ValidationError(
            {
                "ground": _(
                    "A proposal to remove this member's name already waits for the committee."
                )
            }
        )
    rules = membership_rules(member.cell, min(datetime.date(year, 12, 31), today)).removal
    evidence = removal_grounds(member, year)
    note = note.strip()
    if ground == RemovalGround.ABSENT and len(evidence.absent_months) < rules.absent_months_in_year:
        raise ValidationError(
            {
                "ground": ngettext(
                    "In %(year)s the records show an absence without good reason from a regular "
                    "meeting in %(count)s month (%(months)s); removal of name needs %(needed)s "
                    "months in a year (Điều lệ Đảng, art. 8).",
                    "In %(year)s the records show absences without good reason from regular "
                    "meetings in %(count)s months (%(months)s); removal of name needs %(needed)s "
                    "months in a year (Điều lệ Đảng, art. 8).",
                    len(evidence.absent_months),
                )
                % {
                    "year": year,
                    "count": len(evidence.absent_months),
                    "months": _months_text(evidence.absent_months),
                    "needed": rules.absent_months_in_year,
                }
            }
        )
    if (
        ground == RemovalGround.UNPAID_FEES
        and len(evidence.unpaid_months) < rules.unpaid_fee_months_in_year
    ):
        raise ValidationError(
            {
                "ground": ngettext(
                    "In %(year)s the fee book shows %(count)s unpaid month (%(months)s); "
                    "removal of name needs %(needed)s months in a year (Điều lệ Đảng, art. 8).",
                    "In %(year)s the fee book shows %(count)s unpaid months (%(months)s); "
                    "removal of name needs %(needed)s months in a year (Điều lệ Đảng, art. 8).",
                    len(evidence.unpaid_months),
                )
                % {
                    "year": year,
                    "count": len(evidence.unpaid_months),
                    "months": _months_text(evidence.unpaid_months),
                    "needed": rules.unpaid_fee_months_in_year,
                }
            }
        )
    if ground == RemovalGround.NOT_RECOGNISED and member.status != Status.PROBATIONARY:
        raise ValidationError(
            {"ground": _("Only a probationary member can lose the name for not being recognised.")}
        )
    if ground == RemovalGround.NO_WILL and not note:
        raise ValidationError(
            {
                "note": _(
                    "Say how the cell helped the member: removal for loss of will comes after "
                    "%(months)s months of the cell's help (Điều lệ Đảng, art. 8)."
                )
                % {"months": rules.help_months_before_removal}
            }
        )
    if ground == RemovalGround.NOT_RECOGNISED and not note:
        raise ValidationError({"note": _("Say why the cell did not recognise the member.")})
    try:
        with transaction.atomic():
            proposal = RemovalProposal.objects.create(
                member=member,
                ground=ground,
                year=year,
                evidence=evidence.as_record(),
                note=note,
                proposed_by=acting_user(actor),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "ground": _(
                    "A proposal to remove this member's name already waits for the committee."
                )
            }
        ) from exc
    record(
        actor,
        "member.removal_propose",
        member.cell,
        member,
        {
            "ground": ground,
            "year": year,
            "absent_months": len(evidence.absent_months),
            "unpaid_months": len(evidence.unpaid_months),
        },
    )
    return proposal


@transaction.atomic
def decide_removal(
    actor,
    proposal: RemovalProposal,
    remove: bool,
    decision_number: str = "",
    note: str = "",
    effective_on: datetime.date | None = None,
    decided_by: str = "",
) -> RemovalProposal:
    """The committee decides on a proposal: remove the name (with its decision, through
    end_membership) or keep the member, saying why."""
    # The member first, then the proposal, in the order end_membership locks them; without
    # joins, like update_member.
    member = Member.objects.select_for_update().get(pk=proposal.member_id)
    proposal = RemovalProposal.objects.select_for_update().get(pk=proposal.pk)
    require(actor, Perm.DECIDE_MEMBERSHIP, member)
    if proposal.outcome != RemovalProposal.Outcome.PENDING:
        raise ValidationError(
            {
                "remove": _("This proposal was already decided: %(outcome)s.")
                % {"outcome": proposal.get_outcome_display()}
            }
        )
    note = note.strip()
    if not remove and not note:
        raise ValidationError({"note": _("Say why the name is not removed.")})
    proposal.outcome = (
        RemovalProposal.Outcome.REMOVED if remove else RemovalProposal.Outcome.REJECTED
    )
    proposal.decided_by = acting_user(actor)
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["outcome", "decided_by", "decided_at", "decision_note"])
    if remove:
        end_membership(
            actor,
            member,
            Status.REMOVED,
            effective_on or timezone.localdate(),
            decision_number,
            decided_by or _deciding_committee(member.cell),
            " ".join(x for x in (str(proposal.get_ground_display()) + ".", note) if x),
        )
    record(
        actor,
        "member.removal_decide",
        member.cell,
        member,
        {"outcome": proposal.outcome, "decision_number": decision_number.strip() if remove else ""},
    )
    return proposal


# Training.


def _best_theory_level(member: Member, also: str = "") -> str:
    """The highest level among the member's finished political-theory courses and also."""
    levels = [also] + list(
        member.trainings.filter(
            kind=TrainingKind.POLITICAL_THEORY, finished_on__isnull=False
        ).values_list("theory_level", flat=True)
    )
    return max(levels, key=theory_rank) or TheoryLevel.NONE


@transaction.atomic
def add_training(
    actor,
    member: Member,
    *,
    kind: str,
    title: str,
    started_on: datetime.date | None,
    finished_on: datetime.date | None = None,
    theory_level: str = "",
    institution: str = "",
    certificate_number: str = "",
) -> Training:
    """Record a course the member attended. A finished political-theory course of a higher
    level raises the member's theory level."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    require(actor, Perm.EDIT_MEMBER, member.cell)
    training = Training(
        member=member,
        kind=kind,
        title=(title or "").strip(),
        theory_level=theory_level or "",
        institution=(institution or "").strip(),
        started_on=started_on,
        finished_on=finished_on,
        certificate_number=(certificate_number or "").strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        training.full_clean(exclude=["member"])
    except ValidationError as exc:
        errors.update(exc.message_dict)

    def refuse(field, message):
        errors.setdefault(field, []).append(message)

    today = timezone.localdate()
    if isinstance(started_on, datetime.date):
        earliest = add_years(member.date_of_birth, MIN_ADMISSION_AGE)
        if started_on < earliest:
            refuse(
                "started_on",
                _("A course cannot start before the member's 16th birthday (%(date)s).")
                % {"date": date_format(earliest, "SHORT_DATE_FORMAT")},
            )
        elif started_on > today:
            refuse("started_on", _("Record a course once it has begun."))
        if isinstance(finished_on, datetime.date) and finished_on < started_on:
            refuse("finished_on", _("A course cannot finish before it starts."))
    if isinstance(finished_on, datetime.date) and finished_on > today:
        refuse("finished_on", _("Leave the end empty while the course goes on."))
    if kind == TrainingKind.POLITICAL_THEORY:
        if training.theory_level in ("", TheoryLevel.NONE):
            refuse("theory_level", _("A political-theory course gives a level: choose it."))
    elif training.theory_level:
        refuse("theory_level", _("Only a political-theory course gives a theory level."))
    if errors:
        raise ValidationError(errors)
    changes = {"course": training.title, "kind": kind}
    if (
        kind == TrainingKind.POLITICAL_THEORY
        and finished_on is not None
        and theory_rank(training.theory_level) > theory_rank(member.theory_level)
    ):
        training.previous_theory_level = member.theory_level
        changes["theory_level"] = [member.theory_level, training.theory_level]
        member.theory_level = training.theory_level
        member.version += 1
        member.save(update_fields=["theory_level", "version", "updated_at"])
    training.save()
    record(actor, "member.training_add", member.cell, member, changes)
    return training


@transaction.atomic
def remove_training(actor, training: Training) -> Member:
    """Remove a course entered by mistake. If it raised the member's theory level, the level
    goes back to what the member's other courses (or the level before it) give."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    member = Member.objects.select_for_update().get(pk=training.member_id)
    require(actor, Perm.EDIT_MEMBER, member.cell)
    changes = {"course": training.title, "kind": training.kind}
    gave_level = training.previous_theory_level and member.theory_level == training.theory_level
    training.delete()
    if gave_level:
        level = _best_theory_level(member, training.previous_theory_level)
        if level != member.theory_level:
            changes["theory_level"] = [member.theory_level, level]
            member.theory_level = level
            member.version += 1
            member.save(update_fields=["theory_level", "version", "updated_at"])
    record(actor, "member.training_remove", member.cell, member, changes)
    return member


# Party badges (Huy hiệu Đảng).

# A badge decision is made ahead of the award day, never more than a year ahead.
BADGE_LEAD_DAYS = 366


def _award_days_text(rules) -> str:
    return ", ".join(f"{day}/{month}" for month, day in rules.award_days)


@transaction.atomic
def award_badge(
    actor, member: Member, years: int, awarded_on: datetime.date | None, decision_number: str
) -> Badge:
    """Record the party badge for so many years of party age, awarded on an award day."""
    from chibo.members.queries import badge_reached_on, membership_rules

    member = Member.objects.select_for_update().get(pk=member.pk)
    require(actor, Perm.DECIDE_MEMBERSHIP, member)
    decision_number = (decision_number or "").strip()
    errors = {}
    if not isinstance(awarded_on, datetime.date):
        raise ValidationError({"awarded_on": _("Give the award date.")})
    rules = membership_rules(member.cell, awarded_on).badges
    today = timezone.localdate()
    ending = MembershipEnd.objects.filter(member=member).first()
    if (awarded_on.month, awarded_on.day) not in rules.award_days:
        errors["awarded_on"] = _(
            "Party badges are awarded on %(days)s each year (the regulation pack's award days)."
        ) % {"days": _award_days_text(rules)}
    elif awarded_on > today + datetime.timedelta(days=BADGE_LEAD_DAYS):
        errors["awarded_on"] = _("A badge is recorded at most a year before its award date.")
    elif ending is not None and awarded_on > ending.effective_on:
        errors["awarded_on"] = _("The membership ended on %(date)s, before this award date.") % {
            "date": date_format(ending.effective_on, "SHORT_DATE_FORMAT")
        }
    if years not in rules.years:
        errors["years"] = _("Party badges are for %(list)s years of party age.") % {
            "list": ", ".join(str(y) for y in rules.years)
        }
    elif "awarded_on" not in errors and badge_reached_on(member, years) > awarded_on:
        errors["years"] = _(
            "On %(date)s %(name)s has %(age)s years of party age, counted from the admission "
            "decision (%(admitted)s); the %(years)s-year badge needs %(years)s."
        ) % {
            "date": date_format(awarded_on, "SHORT_DATE_FORMAT"),
            "name": member.full_name,
            "age": member.party_age(awarded_on),
            "admitted": date_format(member.admitted_on, "SHORT_DATE_FORMAT"),
            "years": years,
        }
    if not decision_number:
        errors["decision_number"] = _("Give the number of the award decision.")
    held = member.badges.filter(years=years).first()
    if held is not None and "years" not in errors:
        errors["years"] = _(
            "%(name)s already has the %(years)s-year badge, awarded on %(date)s."
        ) % {
            "name": member.full_name,
            "years": years,
            "date": date_format(held.awarded_on, "SHORT_DATE_FORMAT"),
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            badge = Badge.objects.create(
                member=member,
                years=years,
                awarded_on=awarded_on,
                decision_number=decision_number[:60],
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "years": _("%(name)s already has the %(years)s-year badge.")
                % {"name": member.full_name, "years": years}
            }
        ) from exc
    record(
        actor,
        "member.badge_award",
        member.cell,
        member,
        {"years": years, "awarded_on": awarded_on, "decision_number": decision_number},
    )
    return badge


# Corrections the member asks for.

# Every registry field but the status, which changes only through the member's path.
CORRECTABLE_FIELDS = tuple(f for f in EDITABLE_FIELDS if f != "status")


def parse_field_value(field: str, raw: str):
    """Return the value a member typed for a registry field, as the registry stores it;
    raise ValidationError when it cannot be one (a date that is not a date, an unknown
    choice, a number of the wrong form)."""
    model_field = Member._meta.get_field(field)
    raw = (raw or "").strip()
    if isinstance(model_field, models.DateField):
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(raw, pattern).date()
            except ValueError:
                continue
        raise ValidationError(_("Write the date as dd/mm/yyyy, for example 02/09/1985."))
    if model_field.choices:
        for value, label in model_field.choices:
            if raw == value or raw.casefold() == str(label).casefold():
                return value
        raise ValidationError(
            _("Choose one of: %(choices)s.")
            % {"choices": ", ".join(str(label) for _v, label in model_field.choices)}
        )
    if not raw and model_field.null:
        return None
    if len(raw) > model_field.max_length:
        raise ValidationError(_("At most %(n)s characters.") % {"n": model_field.max_length})
    if raw:
        model_field.run_validators(raw)
    return raw


def _stored(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@transaction.atomic
def request_correction(
    user, member: Member, field: str, requested_value: str, reason: str
) -> CorrectionRequest:
    """A member asks the cell to correct a field of their own record."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not getattr(user, "is_authenticated", False) or user.member_id != member.pk:
        raise PermissionDenied(_("Only the member can ask for a correction of their own record."))
    if field not in CORRECTABLE_FIELDS:
        raise ValidationError({"field": _("Choose a field of your record.")})
    try:
        value = parse_field_value(field, requested_value)
    except ValidationError as exc:
        raise ValidationError({"requested_value": exc.messages}) from exc
    reason = (reason or "").strip()
    errors = {}
    if value in (None, "") and not Member._meta.get_field(field).blank:
        errors["requested_value"] = _("Write the correct value.")
    elif _stored(value) == _stored(getattr(member, field)):
        errors["requested_value"] = _("This is already the value in your record.")
    if not reason:
        errors["reason"] = _("Say why the record is wrong, for example which paper shows it.")
    if member.corrections.filter(field=field, outcome=CorrectionRequest.Outcome.PENDING).exists():
        errors["field"] = _("You already asked to correct this; the cell has not answered yet.")
    if errors:
        raise ValidationError(errors)
    current = getattr(member, field)
    correction = CorrectionRequest.objects.create(
        member=member,
        field=field,
        # The citizen ID is personal: the request keeps it masked, as the page shows it.
        current_value=member.citizen_id_masked if field == "citizen_id" else _stored(current),
        requested_value=_stored(value),
        reason=reason[:500],
    )
    record(user, "member.correction_request", member.cell, member, {"field": field})
    return correction


def _answerable(actor, correction: CorrectionRequest) -> CorrectionRequest:
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    require(actor, Perm.EDIT_MEMBER, correction.member.cell)
    if correction.outcome != CorrectionRequest.Outcome.PENDING:
        raise ValidationError(
            {
                "answer": _("This request was already answered: %(outcome)s.")
                % {"outcome": correction.get_outcome_display()}
            }
        )
    return correction


@transaction.atomic
def approve_correction(actor, correction: CorrectionRequest, answer: str = "") -> CorrectionRequest:
    """The cell approves a member's request: the value is applied through update_member, so
    every rule of the registry applies; a value that breaks one is refused with that rule's
    message and the request stays pending."""
    correction = _answerable(actor, correction)
    try:
        value = parse_field_value(correction.field, correction.requested_value)
        update_member(actor, correction.member, **{correction.field: value})
    except ValidationError as exc:
        raise ValidationError({"requested_value": exc.messages}) from exc
    correction.outcome = CorrectionRequest.Outcome.APPROVED
    correction.decided_by = acting_user(actor)
    correction.decided_at = timezone.now()
    correction.answer = (answer or "").strip()[:500]
    correction.save(update_fields=["outcome", "decided_by", "decided_at", "answer"])
    record(
        actor,
        "member.correction_approve",
        correction.member.cell,
        correction.member,
        {"field": correction.field},
    )
    return correction


@transaction.atomic
def refuse_correction(actor, correction: CorrectionRequest, answer: str) -> CorrectionRequest:
    """The cell refuses a member's request and tells the member why."""
    correction = _answerable(actor, correction)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Tell the member why the record stays as it is.")})
    correction.outcome = CorrectionRequest.Outcome.REFUSED
    correction.decided_by = acting_user(actor)
    correction.decided_at = timezone.now()
    correction.answer = answer[:500]
    correction.save(update_fields=["outcome", "decided_by", "decided_at", "answer"])
    record(
        actor,
        "member.correction_refuse",
        correction.member.cell,
        correction.member,
        {"field": correction.field},
    )
    return correction
