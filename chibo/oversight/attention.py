"""Members under attention (diện quan tâm, theo dõi, nhắc nhở; seed 000): the cell committee
places a member under attention, monitoring or reminder, with the reason, what the cell
will do, the member of the cell who follows it and the day it is reviewed; it closes the
case with the outcome.

The record is sensitive. Only the cell committee (MANAGE_ATTENTION, which writes) and the
inspection staff above it (VIEW_ATTENTION, which reads) reach it; the administrator does
not. Every answer that shows the list or a case writes an AttentionView row in the same
request: the read functions here log, so a view or endpoint that reads through them cannot
forget. The audit events of the writes name the case by number only, with the dates and
the names of the fields changed, never the member, the kind or the text: the audit log is
read by people who may not read the case.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, require, visible_orgs
from chibo.audit.log import record
from chibo.conflicts import check_version
from chibo.members.models import CURRENT_STATUSES, Member
from chibo.orgs.models import Organisation
from chibo.oversight.models import AttentionCase, AttentionKind, AttentionView, ViewChannel

TEXT_MAX = 2000
EDITABLE = ("kind", "reason", "plan", "follower", "review_on")
VIEWS_SHOWN = 20


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(value: str, field: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: missing})
    if len(value) > TEXT_MAX:
        raise ValidationError(
            {field: _("Keep this to %(max)d characters or fewer.") % {"max": TEXT_MAX}}
        )
    return value


def _check_kind(kind: str) -> str:
    if kind not in AttentionKind.values:
        raise ValidationError({"kind": _("Choose attention, monitoring or reminder.")})
    return kind


def _check_follower(cell: Organisation, member: Member, follower: Member) -> Member:
    if follower.cell_id != cell.pk or not follower.is_current:
        raise ValidationError({"follower": _("Choose a current member of this cell.")})
    if follower.pk == member.pk:
        raise ValidationError({"follower": _("Another member of the cell follows the case.")})
    return follower


def _check_review_on(review_on: datetime.date | None, opened_on: datetime.date):
    if review_on is None:
        raise ValidationError({"review_on": _("Set the day the cell reviews the case.")})
    if review_on < opened_on:
        raise ValidationError(
            {"review_on": _("The review comes after the case is opened, not before.")}
        )
    return review_on


# Writes.


@transaction.atomic
def open_case(
    actor,
    member: Member,
    *,
    kind: str,
    reason: str,
    plan: str,
    follower: Member,
    review_on: datetime.date | None,
    opened_on: datetime.date | None = None,
) -> AttentionCase:
    """Place a current member of the cell under attention, monitoring or reminder. Needs
    MANAGE_ATTENTION on the member's cell; one open case per member."""
    member = Member.objects.select_for_update().select_related("cell").get(pk=member.pk)
    cell = member.cell
    require(actor, Perm.MANAGE_ATTENTION, cell)
    today = timezone.localdate()
    opened_on = opened_on or today
    if not member.is_current:
        raise ValidationError({"member": _("Only a current member of the cell is followed.")})
    current = AttentionCase.objects.filter(member=member, closed_on__isnull=True).first()
    if current is not None:
        raise ValidationError(
            {
                "member": _("%(name)s already has an open case since %(date)s: update that case.")
                % {"name": member.full_name, "date": f"{current.opened_on:%d/%m/%Y}"}
            }
        )
    if opened_on > today:
        raise ValidationError({"opened_on": _("A case is opened today or on an earlier day.")})
    case = AttentionCase.objects.create(
        member=member,
        cell=cell,
        kind=_check_kind(kind),
        reason=_text(reason, "reason", _("Write why the cell follows this member.")),
        plan=_text(plan, "plan", _("Write what the cell will do.")),
        follower=_check_follower(cell, member, follower),
        review_on=_check_review_on(review_on, opened_on),
        opened_on=opened_on,
        opened_by=_user(actor),
    )
    record(actor, "attention.open", cell, case, {"opened_on": opened_on, "review_on": review_on})
    return case


def hand_over_cases(actor, member_ids: list[int], cell: Organisation) -> int:
    """The open cases of members who moved to another home cell go with them: the new
    cell's committee keeps them. Called by chibo.members.actions.move_members in its
    transaction; returns how many cases moved."""
    cases = list(
        AttentionCase.objects.select_for_update()
        .filter(member_id__in=member_ids, closed_on__isnull=True)
        .exclude(cell=cell)
        .select_related("cell")
    )
    for case in cases:
        before = case.cell
        case.cell = cell
        case.version += 1
        case.save(update_fields=["cell", "version"])
        # The audit names only the case and the cells: the record is confidential.
        change = {"cell": [before.code, cell.code]}
        record(actor, "attention.update", before, case, change)
        record(actor, "attention.update", cell, case, change)
    return len(cases)


def _locked(case: AttentionCase) -> AttentionCase:
    return (
        AttentionCase.objects.select_for_update().select_related("cell", "member").get(pk=case.pk)
    )


@transaction.atomic
def update_case(actor, case: AttentionCase, version: int | None = None, **fields) -> AttentionCase:
    """Change an open case's kind, reason, plan, follower or review day. Needs
    MANAGE_ATTENTION on the case's cell."""
    case = _locked(case)
    require(actor, Perm.MANAGE_ATTENTION, case.cell)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if case.closed_on is not None:
        raise ValidationError(_("This case is closed: open a new one if the cell follows again."))
    check_version(case, version)
    checks = {
        "kind": _check_kind,
        "reason": lambda v: _text(v, "reason", _("Write why the cell follows this member.")),
        "plan": lambda v: _text(v, "plan", _("Write what the cell will do.")),
        "follower": lambda v: _check_follower(case.cell, case.member, v),
        "review_on": lambda v: _check_review_on(v, case.opened_on),
    }
    changed = []
    for name, value in fields.items():
        value = checks[name](value)
        before = case.follower_id if name == "follower" else getattr(case, name)
        if before != (value.pk if name == "follower" else value):
            setattr(case, name, value)
            changed.append(name)
    if not changed:
        return case
    case.version += 1
    case.save()
    changes = {"changed": sorted(changed)}
    if "review_on" in changed:
        changes["review_on"] = case.review_on
    record(actor, "attention.update", case.cell, case, changes)
    return case


@transaction.atomic
def close_case(
    actor,
    case: AttentionCase,
    *,
    outcome: str,
    closed_on: datetime.date | None = None,
    version: int | None = None,
) -> AttentionCase:
    """Close an open case with its outcome, on a day between its opening and today. Needs
    MANAGE_ATTENTION on the case's cell."""
    case = _locked(case)
    require(actor, Perm.MANAGE_ATTENTION, case.cell)
    if case.closed_on is not None:
        raise ValidationError(
            _("This case was closed on %(date)s.") % {"date": f"{case.closed_on:%d/%m/%Y}"}
        )
    check_version(case, version)
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("A case is closed today or on an earlier day.")})
    if closed_on < case.opened_on:
        raise ValidationError(
            {
                "closed_on": _("The case was opened on %(date)s: it closes on that day or later.")
                % {"date": f"{case.opened_on:%d/%m/%Y}"}
            }
        )
    case.outcome = _text(outcome, "outcome", _("Write the outcome: what changed for the member."))
    case.closed_on = closed_on
    case.version += 1
    case.save()
    record(actor, "attention.close", case.cell, case, {"closed_on": closed_on})
    return case


# Reads: each one that shows cases logs the view.


def log_view(actor, cell: Organisation, cases, channel: str, case=None) -> AttentionView:
    """Write who saw which cases of the cell, now. `case` is set when one case was shown."""
    return AttentionView.objects.create(
        viewer=_user(actor),
        cell=cell,
        case=case,
        case_ids=[c.pk for c in cases],
        channel=channel,
    )


def list_cases(
    actor, cell: Organisation, *, closed: bool = False, channel: str = ViewChannel.PAGE
) -> list[AttentionCase]:
    """The cell's open cases (or its closed ones), due reviews first; the view is logged.
    Needs VIEW_ATTENTION on the cell."""
    require(actor, Perm.VIEW_ATTENTION, cell)
    rows = AttentionCase.objects.filter(cell=cell, closed_on__isnull=not closed)
    order = ("-closed_on", "-id") if closed else ("review_on", "id")
    cases = list(rows.select_related("cell", "member", "follower").order_by(*order))
    log_view(actor, cell, cases, channel)
    return cases


def visible_cases(user):
    """The cases of the cells where the user may see members under attention."""
    return AttentionCase.objects.filter(cell__in=visible_orgs(user, Perm.VIEW_ATTENTION))


def read_case(actor, case_id: int, channel: str = ViewChannel.PAGE) -> AttentionCase:
    """One case, if the user may see it (else AttentionCase.DoesNotExist); the view is
    logged."""
    case = (
        visible_cases(actor)
        .select_related("cell", "member", "follower", "opened_by")
        .get(pk=case_id)
    )
    log_view(actor, case.cell, [case], channel, case=case)
    return case


def case_views(case: AttentionCase) -> list[AttentionView]:
    """The latest reads of one case: who saw it and when."""
    return list(case.views.select_related("viewer")[:VIEWS_SHOWN])


def cell_views(cell: Organisation) -> list[AttentionView]:
    """The latest reads of the cell's list and cases."""
    return list(AttentionView.objects.filter(cell=cell).select_related("viewer")[:VIEWS_SHOWN])


def cell_members(cell: Organisation):
    """The current members of the cell, who may be placed under attention or follow a case."""
    return Member.objects.filter(cell=cell, status__in=CURRENT_STATUSES).order_by(
        "name_folded", "id"
    )
