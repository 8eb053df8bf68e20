"""Inspection, supervision and discipline (Quy định 296-QĐ/TW): the writes and the reads.

A committee plans its year (InspectionPlan), supervises and inspects organisations below it
and members of its subtree (Inspection) step by step — notice, the subject's self-report,
the meeting that reviews it, the conclusion — receives complaints, denunciations and state
bodies' notices (Complaint) with the due day the discipline pack sets, and decides
discipline (DisciplineDecision) in the forms the pack allows for the subject.

Every write checks the permission (MANAGE_INSPECTION, or DECIDE_DISCIPLINE for discipline)
on the organisation that does the work, validates, writes and records the audit event in
one transaction. Reads are scoped by VIEW_INSPECTION: inspections and discipline through the
organisation that did them or their subject; complaints only through the organisation that
received them, since who sent one is confidential.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, org_scope, require
from chibo.audit.log import record
from chibo.conflicts import check_version
from chibo.meetings.models import Meeting
from chibo.members.models import Member, Status
from chibo.orgs.models import Organisation
from chibo.oversight.models import (
    INSPECTION_KINDS,
    STEPS,
    SUPERVISION_KINDS,
    Complaint,
    ComplaintKind,
    ComplaintOutcome,
    DisciplineDecision,
    DisciplineForm,
    Inspection,
    InspectionKind,
    InspectionPlan,
    InspectionResult,
)
from chibo.oversight.queries import Period
from chibo.oversight.rollups import month_end
from chibo.regulations.discipline import DisciplineRules
from chibo.regulations.loader import Pack, PackNotFound, pack_by_id, pack_for

Subject = Organisation | Member

EARLIEST_YEAR = 2000
TITLE_MAX = InspectionPlan._meta.get_field("title").max_length
TOPIC_MAX = Inspection._meta.get_field("topic").max_length
SENDER_MAX = Complaint._meta.get_field("sender").max_length
NUMBER_MAX = DisciplineDecision._meta.get_field("number").max_length
TEXT_MAX = 5000
# The steps recorded one by one; the conclusion has its own action.
RECORDED_STEPS = tuple(step for step, _field, _state in STEPS[:-1])
RESULTS = {
    "supervision": (
        InspectionResult.NOTHING,
        InspectionResult.SHORTCOMINGS,
        InspectionResult.SIGNS_OF_VIOLATION,
    ),
    "inspection": (
        InspectionResult.NOTHING,
        InspectionResult.SHORTCOMINGS,
        InspectionResult.VIOLATION,
    ),
}
OUTCOMES = {
    ComplaintKind.COMPLAINT: (
        ComplaintOutcome.UPHELD,
        ComplaintOutcome.PARTLY_UPHELD,
        ComplaintOutcome.NOT_UPHELD,
    ),
    ComplaintKind.DENUNCIATION: (
        ComplaintOutcome.UPHELD,
        ComplaintOutcome.PARTLY_UPHELD,
        ComplaintOutcome.NOT_UPHELD,
    ),
    ComplaintKind.STATE_NOTICE: (ComplaintOutcome.CONSIDERED,),
}
# What a complaints list can show.
COMPLAINT_FILTERS = ("open", "overdue", "handled", "not_handled", "all")


def _step_label(step: str) -> str:
    return {
        "notice": _("the notice"),
        "self_report": _("the self-report"),
        "meeting": _("the meeting"),
        "conclusion": _("the conclusion"),
    }[step]


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# Checks shared by the writes.


def _text(value, field: str, limit: int, message: str, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = message
    elif len(value) > limit:
        errors[field] = _("Keep it to %(max)d characters or fewer.") % {"max": limit}
    return value


def _past_day(value, field: str, errors: dict, message: str) -> datetime.date | None:
    """A day that has come: today or before."""
    if not isinstance(value, datetime.date):
        errors[field] = message
        return None
    if value > timezone.localdate():
        errors[field] = _("%(date)s has not come yet.") % {"date": _day(value)}
        return None
    return value


def _active(org: Organisation) -> None:
    if org.closed_on is not None:
        raise ValidationError(
            {"organisation": _("%(org)s is closed.") % {"org": org.name}}, code="closed"
        )


def _check_subject(
    org: Organisation, subject, field: str = "subject", *, current: bool = True
) -> Subject:
    """The subject of work by org: an organisation below it, or a member of its subtree,
    current unless said otherwise."""
    if isinstance(subject, Organisation):
        if subject.pk == org.pk or not subject.path.startswith(org.path):
            raise ValidationError(
                {
                    field: _("%(subject)s is not an organisation below %(org)s.")
                    % {"subject": subject.name, "org": org.name}
                }
            )
        return subject
    if isinstance(subject, Member):
        if not subject.cell.path.startswith(org.path):
            raise ValidationError(
                {
                    field: _("%(subject)s is not a member within %(org)s.")
                    % {"subject": subject.full_name, "org": org.name}
                }
            )
        if current and not subject.is_current:
            raise ValidationError(
                {
                    field: _("%(name)s is no longer a current member (%(status)s).")
                    % {"name": subject.full_name, "status": subject.get_status_display()}
                }
            )
        return subject
    raise ValidationError({field: _("Choose the organisation or the member concerned.")})


def find_subject(org: Organisation, code: str = "", member_id: int | None = None) -> Subject:
    """Return the organisation (by code) or the member (by id) a form or a request names,
    looked for in org's subtree; refuse none, both, or one that is not there."""
    code = (code or "").strip()
    if bool(code) == bool(member_id):
        raise ValidationError(
            {"subject": _("Choose either an organisation or a member, not both.")}
            if code
            else {"subject": _("Choose the organisation or the member concerned.")}
        )
    if code:
        found = Organisation.objects.filter(path__startswith=org.path, code=code).first()
        if found is None:
            raise ValidationError(
                {
                    "subject": _("There is no organisation with the code %(code)s within %(org)s.")
                    % {"code": code, "org": org.name}
                }
            )
        return found
    found = (
        Member.objects.filter(cell__path__startswith=org.path, pk=member_id)
        .select_related("cell")
        .first()
    )
    if found is None:
        raise ValidationError(
            {"subject": _("There is no such member within %(org)s.") % {"org": org.name}}
        )
    return found


def _subject_fields(subject: Subject) -> dict:
    if isinstance(subject, Organisation):
        return {"subject_org": subject, "subject_member": None}
    return {"subject_org": None, "subject_member": subject}


def _same_subject(a: Subject, b: Subject) -> bool:
    return type(a) is type(b) and a.pk == b.pk


def _subject_ref(subject: Subject) -> str:
    """The subject as the audit log keeps it."""
    if isinstance(subject, Organisation):
        return f"organisation:{subject.code}"
    return f"member:{subject.pk}"


def discipline_rules(org: Organisation, day: datetime.date, field: str) -> Pack:
    """Return the discipline pack in force for org on day; refuse a day no pack covers."""
    try:
        return pack_for(org, day, subject="discipline")
    except PackNotFound:
        raise ValidationError(
            {field: _("No discipline rules are in force on %(date)s.") % {"date": _day(day)}}
        ) from None


# Plans.


def _plan_year(year, approved_on, errors: dict) -> int | None:
    today = timezone.localdate()
    if not isinstance(year, int) or not EARLIEST_YEAR <= year <= today.year + 1:
        errors["year"] = _("Give a year from %(first)d to %(last)d.") % {
            "first": EARLIEST_YEAR,
            "last": today.year + 1,
        }
        return None
    if isinstance(approved_on, datetime.date) and approved_on.year not in (year - 1, year):
        errors["approved_on"] = _(
            "A plan for %(year)d is approved late in %(before)d or during %(year)d."
        ) % {"year": year, "before": year - 1}
    return year


@transaction.atomic
def create_plan(
    actor, org: Organisation, *, year: int, title: str, approved_on: datetime.date | None = None
) -> InspectionPlan:
    """Add a yearly programme of inspection and supervision for org."""
    require(actor, Perm.MANAGE_INSPECTION, org)
    _active(org)
    errors: dict = {}
    title = _text(title, "title", TITLE_MAX, _("Give the plan a title."), errors)
    year = _plan_year(year, approved_on, errors)
    if approved_on is not None:
        _past_day(approved_on, "approved_on", errors, _("Give the day it was approved."))
    if not errors and InspectionPlan.objects.filter(organisation=org, year=year, title=title):
        errors["title"] = _("%(org)s already has a plan with this title for %(year)d.") % {
            "org": org.name,
            "year": year,
        }
    if errors:
        raise ValidationError(errors)
    plan = InspectionPlan.objects.create(
        organisation=org, year=year, title=title, approved_on=approved_on
    )
    record(
        actor,
        "inspection.plan.create",
        org,
        plan,
        {"year": year, "title": title, "approved_on": approved_on},
    )
    return plan


@transaction.atomic
def approve_plan(
    actor, plan: InspectionPlan, approved_on: datetime.date, version: int | None = None
) -> InspectionPlan:
    """Record the day the committee approved the plan."""
    plan = InspectionPlan.objects.select_for_update().select_related("organisation").get(pk=plan.pk)
    require(actor, Perm.MANAGE_INSPECTION, plan.organisation)
    check_version(plan, version)
    if plan.approved_on is not None:
        raise ValidationError(
            {
                "approved_on": _("This plan was approved on %(date)s.")
                % {"date": _day(plan.approved_on)}
            }
        )
    errors: dict = {}
    _past_day(approved_on, "approved_on", errors, _("Give the day it was approved."))
    _plan_year(plan.year, approved_on, errors)
    if errors:
        raise ValidationError(errors)
    plan.approved_on = approved_on
    plan.version += 1
    plan.save(update_fields=["approved_on", "version"])
    record(
        actor,
        "inspection.plan.approve",
        plan.organisation,
        plan,
        {"approved_on": [None, approved_on]},
    )
    return plan


# Inspections and their steps.


@transaction.atomic
def open_inspection(
    actor,
    org: Organisation,
    *,
    kind: str,
    subject: Subject,
    topic: str,
    plan: InspectionPlan | None = None,
) -> Inspection:
    """Open a supervision or an inspection of an organisation below org or a member of its
    subtree, from one of org's plans or not."""
    require(actor, Perm.MANAGE_INSPECTION, org)
    _active(org)
    errors: dict = {}
    if kind not in InspectionKind.values:
        errors["kind"] = _("Choose the kind of supervision or inspection.")
    topic = _text(topic, "topic", TOPIC_MAX, _("Give the topic: what is looked at."), errors)
    if plan is not None and plan.organisation_id != org.pk:
        errors["plan"] = _("The plan must be one of %(org)s's.") % {"org": org.name}
    try:
        subject = _check_subject(org, subject)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(
        organisation=org, plan=plan, kind=kind, topic=topic, **_subject_fields(subject)
    )
    record(
        actor,
        "inspection.open",
        org,
        inspection,
        {
            "kind": kind,
            "subject": _subject_ref(subject),
            "topic": topic,
            "plan": plan.pk if plan else None,
        },
    )
    return inspection


def _locked(inspection: Inspection) -> Inspection:
    # Only the inspection's row is locked: PostgreSQL locks no row of an outer join.
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("organisation", "subject_org", "subject_member__cell")
        .get(pk=inspection.pk)
    )


def _step_bounds(inspection: Inspection, step: str, on: datetime.date) -> None:
    """Refuse a step whose earlier steps are missing, or whose day is out of order."""
    order = [s for s, _f, _st in STEPS]
    index = order.index(step)
    for earlier, earlier_field, _state in STEPS[:index]:
        if getattr(inspection, earlier_field) is None:
            raise ValidationError(
                {
                    "step": _("Record %(earlier)s before %(step)s.")
                    % {"earlier": _step_label(earlier), "step": _step_label(step)}
                }
            )
    if index:
        before, before_field, _state = STEPS[index - 1]
        if on < getattr(inspection, before_field):
            raise ValidationError(
                {
                    "on": _("%(step)s cannot come before %(earlier)s (%(date)s).")
                    % {
                        "step": _step_label(step).capitalize(),
                        "earlier": _step_label(before),
                        "date": _day(getattr(inspection, before_field)),
                    }
                }
            )
    if index + 1 < len(STEPS):
        after, after_field, _state = STEPS[index + 1]
        later = getattr(inspection, after_field)
        if later is not None and on > later:
            raise ValidationError(
                {
                    "on": _("%(step)s cannot come after %(later)s (%(date)s).")
                    % {
                        "step": _step_label(step).capitalize(),
                        "later": _step_label(after),
                        "date": _day(later),
                    }
                }
            )


def _meeting_of_subject(inspection: Inspection, meeting: Meeting) -> bool:
    cell = meeting.organisation
    if inspection.subject_member_id:
        return cell.pk == inspection.subject_member.cell_id
    return cell.path.startswith(inspection.subject_org.path)


@transaction.atomic
def record_step(
    actor,
    inspection: Inspection,
    step: str,
    on: datetime.date | None,
    *,
    meeting: Meeting | None = None,
    version: int | None = None,
) -> Inspection:
    """Record the day of a step (the notice, the self-report, the meeting), in order; a
    step already recorded may be corrected while the inspection is not concluded. The
    meeting step may name the cell meeting that reviewed the self-report: its day is the
    meeting's."""
    inspection = _locked(inspection)
    require(actor, Perm.MANAGE_INSPECTION, inspection.organisation)
    check_version(inspection, version)
    if step not in RECORDED_STEPS:
        raise ValidationError({"step": _("Choose the notice, the self-report or the meeting.")})
    if inspection.is_concluded:
        raise ValidationError(
            {"step": _("This inspection is concluded: its steps can no longer change.")}
        )
    errors: dict = {}
    if meeting is not None:
        if step != "meeting":
            errors["meeting"] = _("Only the meeting step names a meeting.")
        elif not _meeting_of_subject(inspection, meeting):
            errors["meeting"] = _("The meeting must be one of %(subject)s's cell.") % {
                "subject": inspection.subject_name
            }
        else:
            held = timezone.localtime(meeting.scheduled_at).date()
            if on is not None and on != held:
                errors["on"] = _("The meeting was on %(date)s.") % {"date": _day(held)}
            on = held
    if errors:
        raise ValidationError(errors)
    on = _past_day(on, "on", errors, _("Give the day of this step."))
    if errors:
        raise ValidationError(errors)
    _step_bounds(inspection, step, on)
    field_name = dict((s, f) for s, f, _st in STEPS)[step]
    changes = {field_name: [getattr(inspection, field_name), on]}
    setattr(inspection, field_name, on)
    fields = [field_name, "version"]
    if step == "meeting":
        changes["meeting"] = [inspection.meeting_id, meeting.pk if meeting else None]
        inspection.meeting = meeting
        fields.append("meeting")
    inspection.version += 1
    inspection.save(update_fields=fields)
    record(actor, "inspection.step", inspection.organisation, inspection, changes)
    return inspection


@transaction.atomic
def conclude(
    actor,
    inspection: Inspection,
    *,
    on: datetime.date | None,
    result: str,
    conclusion: str,
    version: int | None = None,
) -> Inspection:
    """Conclude a supervision or an inspection after its meeting. A supervision finds no
    violation itself: it finds signs, and an inspection follows."""
    inspection = _locked(inspection)
    require(actor, Perm.MANAGE_INSPECTION, inspection.organisation)
    check_version(inspection, version)
    if inspection.is_concluded:
        raise ValidationError(
            {
                "on": _("This inspection was concluded on %(date)s.")
                % {"date": _day(inspection.concluded_on)}
            }
        )
    errors: dict = {}
    on = _past_day(on, "on", errors, _("Give the day of the conclusion."))
    allowed = RESULTS["supervision" if inspection.is_supervision else "inspection"]
    if result not in allowed:
        errors["result"] = _("Choose the result: %(results)s.") % {
            "results": ", ".join(str(InspectionResult(r).label) for r in allowed)
        }
    conclusion = _text(conclusion, "conclusion", TEXT_MAX, _("Write the conclusion."), errors)
    if errors:
        raise ValidationError(errors)
    _step_bounds(inspection, "conclusion", on)
    inspection.concluded_on = on
    inspection.result = result
    inspection.conclusion = conclusion
    inspection.version += 1
    inspection.save(update_fields=["concluded_on", "result", "conclusion", "version"])
    record(
        actor,
        "inspection.conclude",
        inspection.organisation,
        inspection,
        {"concluded_on": on, "result": result},
    )
    return inspection


# Complaints, denunciations and state bodies' notices.


def _due(
    rules: DisciplineRules, kind: str, anonymous: bool, received_on, org
) -> datetime.date | None:
    """The day by which it must be handled; none for a state body's notice, or for an
    anonymous denunciation the pack does not handle."""
    if kind == ComplaintKind.STATE_NOTICE:
        return None
    if anonymous and not rules.handle_anonymous_denunciations:
        return None
    return rules.due_on(kind, received_on, org.level)


@transaction.atomic
def record_complaint(
    actor,
    org: Organisation,
    *,
    kind: str,
    received_on: datetime.date | None,
    sender: str,
    summary: str,
    subject: Subject | None = None,
    discipline: DisciplineDecision | None = None,
    state_decided_on: datetime.date | None = None,
) -> Complaint:
    """Record what org received: a complaint about a discipline decision (its subject is the
    decision's when one is named), a denunciation (anonymous ones are recorded and, unless
    the pack says otherwise, not handled), or a state body's notice that it disciplined a
    member. The due day comes from the discipline pack in force on the day received."""
    require(actor, Perm.MANAGE_INSPECTION, org)
    _active(org)
    errors: dict = {}
    if kind not in ComplaintKind.values:
        raise ValidationError({"kind": _("Choose what was received.")})
    received_on = _past_day(received_on, "received_on", errors, _("Give the day it was received."))
    sender = (sender or "").strip()
    if len(sender) > SENDER_MAX:
        errors["sender"] = _("Keep it to %(max)d characters or fewer.") % {"max": SENDER_MAX}
    elif not sender and kind == ComplaintKind.COMPLAINT:
        errors["sender"] = _(
            "A complaint about discipline comes from the one disciplined: give the name."
        )
    elif not sender and kind == ComplaintKind.STATE_NOTICE:
        errors["sender"] = _("Give the state body that sent the notice.")
    summary = _text(summary, "summary", TEXT_MAX, _("Summarise what it says."), errors)
    if discipline is not None:
        if kind != ComplaintKind.COMPLAINT:
            errors["discipline"] = _("Only a complaint is about a discipline decision.")
        elif not discipline.decided_by.path.startswith(org.path):
            errors["discipline"] = _(
                "%(org)s handles complaints about its own decisions and those below it."
            ) % {"org": org.name}
        elif subject is not None and not _same_subject(subject, discipline.subject):
            errors["subject"] = _("The complaint's subject is the one the decision disciplined.")
        elif received_on and received_on < discipline.decided_on:
            errors["received_on"] = _("The decision was made on %(date)s.") % {
                "date": _day(discipline.decided_on)
            }
        subject = subject or discipline.subject
    if kind == ComplaintKind.STATE_NOTICE:
        if subject is not None and not isinstance(subject, Member):
            errors["subject"] = _("A state body's notice concerns a member.")
        if not isinstance(state_decided_on, datetime.date):
            errors["state_decided_on"] = _("Give the day the state body decided.")
        elif received_on and state_decided_on > received_on:
            errors["state_decided_on"] = _("The state body decided before the notice came.")
    elif state_decided_on is not None:
        errors["state_decided_on"] = _("Only a state body's notice has this day.")
    if "subject" not in errors:
        try:
            # An expelled member may still complain about the expulsion.
            subject = _check_subject(org, subject, current=kind != ComplaintKind.COMPLAINT)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    pack = discipline_rules(org, received_on, "received_on")
    complaint = Complaint.objects.create(
        kind=kind,
        organisation=org,
        received_on=received_on,
        sender=sender,
        summary=summary,
        discipline=discipline,
        state_decided_on=state_decided_on,
        pack_id=pack.id,
        due_on=_due(pack.discipline, kind, not sender, received_on, org),
        **_subject_fields(subject),
    )
    # Who sent it stays out of the audit log, which more people read.
    record(
        actor,
        "complaint.record",
        org,
        complaint,
        {
            "kind": kind,
            "subject": _subject_ref(subject),
            "received_on": received_on,
            "anonymous": complaint.is_anonymous,
            "due_on": complaint.due_on,
        },
    )
    return complaint


def notice_days_late(complaint: Complaint) -> int:
    """For a state body's notice: the days beyond the pack's limit it came (0 in time)."""
    if complaint.state_decided_on is None:
        return 0
    limit = pack_by_id(complaint.pack_id).discipline.state_body_notice_days
    return max((complaint.received_on - complaint.state_decided_on).days - limit, 0)


@transaction.atomic
def handle_complaint(
    actor,
    complaint: Complaint,
    *,
    handled_on: datetime.date | None,
    outcome: str,
    note: str,
    version: int | None = None,
) -> Complaint:
    """Record how a complaint, denunciation or notice was handled, and when."""
    complaint = (
        Complaint.objects.select_for_update().select_related("organisation").get(pk=complaint.pk)
    )
    require(actor, Perm.MANAGE_INSPECTION, complaint.organisation)
    check_version(complaint, version)
    if complaint.handled_on is not None:
        raise ValidationError(
            {
                "handled_on": _("This was handled on %(date)s.")
                % {"date": _day(complaint.handled_on)}
            }
        )
    if complaint.kind == ComplaintKind.DENUNCIATION and not complaint.to_handle:
        raise ValidationError(
            {
                "outcome": _("An anonymous denunciation is recorded but not handled (%(pack)s).")
                % {"pack": complaint.pack_id}
            }
        )
    errors: dict = {}
    handled_on = _past_day(handled_on, "handled_on", errors, _("Give the day it was handled."))
    if handled_on and handled_on < complaint.received_on:
        errors["handled_on"] = _("It was received on %(date)s.") % {
            "date": _day(complaint.received_on)
        }
    allowed = OUTCOMES[complaint.kind]
    if outcome not in allowed:
        errors["outcome"] = _("Choose the outcome: %(outcomes)s.") % {
            "outcomes": ", ".join(str(ComplaintOutcome(o).label) for o in allowed)
        }
    note = _text(note, "note", TEXT_MAX, _("Write what was found."), errors)
    if errors:
        raise ValidationError(errors)
    complaint.handled_on = handled_on
    complaint.outcome = outcome
    complaint.outcome_note = note
    complaint.version += 1
    complaint.save(update_fields=["handled_on", "outcome", "outcome_note", "version"])
    record(
        actor,
        "complaint.handle",
        complaint.organisation,
        complaint,
        {"handled_on": handled_on, "outcome": outcome, "late": complaint.is_overdue(handled_on)},
    )
    return complaint


# Discipline.


def subject_kind(subject: Subject, on: datetime.date) -> str:
    """Return the pack's kind of subject: an organisation, or a member official or
    probationary on that day."""
    if isinstance(subject, Organisation):
        return "organisation"
    official = (
        subject.status != Status.PROBATIONARY
        and subject.official_on is not None
        and subject.official_on <= on
    )
    return "official_member" if official else "probationary_member"


def _subject_kind_label(kind: str) -> str:
    return {
        "organisation": _("an organisation"),
        "official_member": _("an official member"),
        "probationary_member": _("a probationary member"),
    }[kind]


def _forms_label(forms) -> str:
    return ", ".join(str(DisciplineForm(f).label).lower() for f in forms)


def _sources(pack: Pack) -> str:
    return "; ".join(s.number or s.issuer for s in pack.sources)


def allowed_forms(org: Organisation, subject: Subject, on: datetime.date) -> tuple[str, ...]:
    """The forms org may decide for the subject on that day under the pack in force."""
    rules = discipline_rules(org, on, "decided_on").discipline
    forms = rules.allowed(subject_kind(subject, on))
    if org.is_cell:
        forms = tuple(f for f in forms if f in rules.cell_forms)
    return forms


def _check_form(org: Organisation, subject: Subject, form: str, on: datetime.date) -> Pack:
    pack = discipline_rules(org, on, "decided_on")
    rules = pack.discipline
    kind = subject_kind(subject, on)
    if form not in DisciplineForm.values:
        raise ValidationError({"form": _("Choose the form of discipline.")})
    allowed = rules.allowed(kind)
    if form not in allowed:
        raise ValidationError(
            {
                "form": _(
                    "%(form)s is not a form of discipline for %(subject)s: only %(allowed)s "
                    "(%(source)s)."
                )
                % {
                    "form": DisciplineForm(form).label,
                    "subject": _subject_kind_label(kind),
                    "allowed": _forms_label(allowed),
                    "source": _sources(pack),
                }
            }
        )
    if org.is_cell and form not in rules.cell_forms:
        raise ValidationError(
            {
                "form": _(
                    "A cell decides only %(allowed)s for its members; %(form)s is for the "
                    "committee above (%(source)s)."
                )
                % {
                    "allowed": _forms_label(rules.cell_forms),
                    "form": str(DisciplineForm(form).label).lower(),
                    "source": _sources(pack),
                }
            }
        )
    return pack


@transaction.atomic
def decide_discipline(
    actor,
    org: Organisation,
    *,
    subject: Subject,
    form: str,
    number: str,
    decided_on: datetime.date | None,
    reason: str,
    inspection: Inspection | None = None,
    complaint: Complaint | None = None,
) -> DisciplineDecision:
    """Record org's decision to discipline an organisation below it or a member of its
    subtree, in a form the discipline pack allows for that subject on that day.

    An expulsion does not end the membership here: the membership ends through
    chibo.members.actions.end_membership (kind expelled), which the committee's organisation
    staff record with the decision's number; a dissolution likewise leaves the closing of
    the organisation to chibo.orgs.
    """
    require(actor, Perm.DECIDE_DISCIPLINE, org)
    _active(org)
    subject = _check_subject(org, subject)
    if isinstance(subject, Organisation) and subject.closed_on is not None:
        raise ValidationError({"subject": _("%(org)s is closed.") % {"org": subject.name}})
    errors: dict = {}
    decided_on = _past_day(decided_on, "decided_on", errors, _("Give the day of the decision."))
    number = _text(number, "number", NUMBER_MAX, _("Give the number of the decision."), errors)
    reason = _text(reason, "reason", TEXT_MAX, _("Give the reason for the discipline."), errors)
    if number and DisciplineDecision.objects.filter(decided_by=org, number=number).exists():
        errors["number"] = _("%(org)s already has a decision numbered %(number)s.") % {
            "org": org.name,
            "number": number,
        }
    if inspection is not None and not _same_subject(inspection.subject, subject):
        errors["inspection"] = _("The inspection is about someone else.")
    if complaint is not None and not _same_subject(complaint.subject, subject):
        errors["complaint"] = _("What was received is about someone else.")
    if decided_on is not None:
        try:
            pack = _check_form(org, subject, form, decided_on)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    decision = DisciplineDecision.objects.create(
        decided_by=org,
        form=form,
        number=number,
        decided_on=decided_on,
        reason=reason,
        pack_id=pack.id,
        inspection=inspection,
        complaint=complaint,
        **_subject_fields(subject),
    )
    record(
        actor,
        "discipline.decide",
        org,
        decision,
        {
            "subject": _subject_ref(subject),
            "form": form,
            "number": number,
            "decided_on": decided_on,
            "inspection": inspection.pk if inspection else None,
            "complaint": complaint.pk if complaint else None,
        },
    )
    return decision


@transaction.atomic
def annul_discipline(
    actor,
    decision: DisciplineDecision,
    *,
    annulled_on: datetime.date | None,
    reason: str,
    version: int | None = None,
) -> DisciplineDecision:
    """Annul a decision (a complaint found it wrong): it no longer counts. Needs
    DECIDE_DISCIPLINE on the deciding organisation, so the committee that decided or one
    above it."""
    decision = (
        DisciplineDecision.objects.select_for_update()
        .select_related("decided_by")
        .get(pk=decision.pk)
    )
    require(actor, Perm.DECIDE_DISCIPLINE, decision.decided_by)
    check_version(decision, version)
    if decision.annulled_on is not None:
        raise ValidationError(
            {
                "annulled_on": _("This decision was annulled on %(date)s.")
                % {"date": _day(decision.annulled_on)}
            }
        )
    errors: dict = {}
    annulled_on = _past_day(annulled_on, "annulled_on", errors, _("Give the day it was annulled."))
    if annulled_on and annulled_on < decision.decided_on:
        errors["annulled_on"] = _("The decision was made on %(date)s.") % {
            "date": _day(decision.decided_on)
        }
    reason = _text(reason, "reason", TEXT_MAX, _("Give the reason for annulling it."), errors)
    if errors:
        raise ValidationError(errors)
    decision.annulled_on = annulled_on
    decision.annul_reason = reason
    decision.version += 1
    decision.save(update_fields=["annulled_on", "annul_reason", "version"])
    record(
        actor,
        "discipline.annul",
        decision.decided_by,
        decision,
        {"annulled_on": [None, annulled_on]},
    )
    return decision


# Reads.


def _scope(user, *prefixes: str) -> Q:
    """Records whose organisation at any of the prefixes the user may view."""
    parts = [org_scope(user, Perm.VIEW_INSPECTION, prefix=prefix) for prefix in prefixes]
    # An empty filter reaches everything (the superuser); or-ing would lose that.
    if not all(parts):
        return Q()
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def visible_plans(user) -> QuerySet[InspectionPlan]:
    return InspectionPlan.objects.filter(_scope(user, "organisation__"))


def visible_inspections(user) -> QuerySet[Inspection]:
    """Inspections the user reaches through the organisation that does them or their
    subject (an organisation, or a member's cell)."""
    return Inspection.objects.filter(
        _scope(user, "organisation__", "subject_org__", "subject_member__cell__")
    )


def visible_complaints(user) -> QuerySet[Complaint]:
    """Only through the organisation that received them: who sent one is confidential."""
    return Complaint.objects.filter(_scope(user, "organisation__"))


def visible_decisions(user) -> QuerySet[DisciplineDecision]:
    return DisciplineDecision.objects.filter(
        _scope(user, "decided_by__", "subject_org__", "subject_member__cell__")
    )


def _about(org: Organisation) -> Q:
    """Records whose subject is in org's subtree (org included)."""
    return Q(subject_org__path__startswith=org.path) | Q(
        subject_member__cell__path__startswith=org.path
    )


INSPECTION_RELATED = ("organisation", "plan", "subject_org", "subject_member", "meeting")
COMPLAINT_RELATED = ("organisation", "subject_org", "subject_member", "discipline")
# The member's cell too: the list asks, row by row, who may end an expelled membership.
DECISION_RELATED = (
    "decided_by",
    "subject_org",
    "subject_member__cell",
    "inspection",
    "complaint",
)


@dataclass
class PlanRows:
    plan: InspectionPlan | None  # None: what org does outside its plans
    inspections: list[Inspection]


def programme(org: Organisation, year: int) -> list[PlanRows]:
    """Org's plans for the year with their inspections, then its inspections of the year
    outside any plan (by the day of their notice, or when they were opened)."""
    plans = list(InspectionPlan.objects.filter(organisation=org, year=year))
    by_plan: dict[int | None, list[Inspection]] = {p.pk: [] for p in plans}
    by_plan[None] = []
    rows = (
        Inspection.objects.filter(organisation=org)
        .filter(
            Q(plan__in=plans)
            | Q(plan__isnull=True, notice_on__year=year)
            | Q(plan__isnull=True, notice_on__isnull=True, created_at__year=year)
        )
        .select_related(*INSPECTION_RELATED)
        .order_by("id")
    )
    for inspection in rows:
        by_plan[inspection.plan_id].append(inspection)
    found = [PlanRows(p, by_plan[p.pk]) for p in plans]
    if by_plan[None]:
        found.append(PlanRows(None, by_plan[None]))
    return found


def inspections_about(org: Organisation, year: int | None = None) -> QuerySet[Inspection]:
    """Inspections done by org's subtree or about it, newest first; of a year when given
    (by the day of the notice, or when opened when none yet)."""
    rows = Inspection.objects.filter(Q(organisation__path__startswith=org.path) | _about(org))
    if year is not None:
        rows = rows.filter(
            Q(notice_on__year=year) | Q(notice_on__isnull=True, created_at__year=year)
        )
    return rows.select_related(*INSPECTION_RELATED).order_by("-id")


def complaints_of(
    org: Organisation, which: str = "", today: datetime.date | None = None
) -> QuerySet[Complaint]:
    """What org's subtree received, newest first: "open" (to handle, not handled; the
    default), "overdue" (open past the due day), "handled", "not_handled" (recorded only),
    or "all"."""
    today = today or timezone.localdate()
    rows = Complaint.objects.filter(organisation__path__startswith=org.path)
    if which == "all":
        pass
    elif which == "handled":
        rows = rows.filter(handled_on__isnull=False)
    elif which == "not_handled":
        rows = rows.filter(due_on__isnull=True, handled_on__isnull=True).exclude(
            kind=ComplaintKind.STATE_NOTICE
        )
    else:
        rows = rows.filter(handled_on__isnull=True).exclude(
            Q(due_on__isnull=True) & ~Q(kind=ComplaintKind.STATE_NOTICE)
        )
        if which == "overdue":
            rows = rows.filter(due_on__lt=today)
    return rows.select_related(*COMPLAINT_RELATED).order_by("-received_on", "-id")


def decisions_about(org: Organisation, year: int | None = None) -> QuerySet[DisciplineDecision]:
    """Discipline decisions about org's subtree (org included), newest first."""
    rows = DisciplineDecision.objects.filter(_about(org))
    if year is not None:
        rows = rows.filter(decided_on__year=year)
    return rows.select_related(*DECISION_RELATED).order_by("-decided_on", "-id")


# What the annual review asks (QĐ 366: not completed when disciplined in the year; a
# collective cannot be excellent when one of its members or units below was).


def _effective_in(year: int) -> QuerySet[DisciplineDecision]:
    return DisciplineDecision.objects.filter(decided_on__year=year, annulled_on__isnull=True)


def discipline_in_year(subject: Subject, year: int) -> QuerySet[DisciplineDecision]:
    """The decisions of the year, not annulled, on the member or the organisation itself."""
    if isinstance(subject, Organisation):
        return _effective_in(year).filter(subject_org=subject)
    return _effective_in(year).filter(subject_member=subject)


def disciplined_in_year(subject: Subject, year: int) -> bool:
    """Whether the member or the organisation itself was disciplined in the year (by a
    decision of that year not annulled)."""
    return discipline_in_year(subject, year).exists()


def disciplined_below_in_year(org: Organisation, year: int) -> bool:
    """Whether a member of org's subtree, or an organisation below org, was disciplined in
    the year."""
    return (
        _effective_in(year)
        .filter(
            Q(subject_member__cell__path__startswith=org.path)
            | Q(subject_org__path__startswith=org.path, subject_org__depth__gt=org.depth)
        )
        .exists()
    )


@dataclass(frozen=True)
class Disciplined:
    organisations: frozenset[int]
    members: frozenset[int]


def disciplined_ids(year: int, root: Organisation | None = None) -> Disciplined:
    """The ids of the organisations and members disciplined in the year, under root: one
    query, for reviewing many at once."""
    rows = _effective_in(year)
    if root is not None:
        rows = rows.filter(_about(root))
    orgs, members = set(), set()
    for org_id, member_id in rows.values_list("subject_org_id", "subject_member_id"):
        if org_id:
            orgs.add(org_id)
        else:
            members.add(member_id)
    return Disciplined(frozenset(orgs), frozenset(members))


# Statistics of a subtree over a period (seed 004, note 7).


@dataclass
class Counted:
    organisations: int = 0
    members: int = 0


@dataclass
class InspectionStatistics:
    """Organisations and members of a subtree supervised, inspected and disciplined in a
    period (each counted once), and what its organisations received."""

    first: datetime.date
    last: datetime.date
    supervised: Counted = field(default_factory=Counted)
    inspected: Counted = field(default_factory=Counted)
    inspected_on_suspicion: Counted = field(default_factory=Counted)
    disciplined: Counted = field(default_factory=Counted)
    # Decisions by form, in the order of DisciplineForm (every form, 0 when none).
    by_form: dict[str, int] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)  # by kind
    not_to_handle: int = 0  # anonymous denunciations recorded only
    handled: int = 0
    handled_about: Counted = field(default_factory=Counted)
    overdue: int = 0


def _distinct(rows) -> Counted:
    return Counted(
        organisations=rows.filter(subject_org__isnull=False)
        .values("subject_org_id")
        .distinct()
        .count(),
        members=rows.filter(subject_member__isnull=False)
        .values("subject_member_id")
        .distinct()
        .count(),
    )


def statistics(org: Organisation, period: Period, today: datetime.date) -> InspectionStatistics:
    """Count, for org's subtree and the period: the organisations and members whose
    supervision or inspection was concluded in it (by anyone), those disciplined (decisions
    of the period not annulled), and what the subtree's organisations received in it — how
    many were handled in the period, and how many of those received were or are late."""
    first, last = period.months[0], month_end(period.months[-1])
    stats = InspectionStatistics(first=first, last=last)
    concluded = Inspection.objects.filter(_about(org), concluded_on__range=(first, last))
    stats.supervised = _distinct(concluded.filter(kind__in=SUPERVISION_KINDS))
    stats.inspected = _distinct(concluded.filter(kind__in=INSPECTION_KINDS))
    stats.inspected_on_suspicion = _distinct(
        concluded.filter(kind=InspectionKind.SUSPECTED_VIOLATION)
    )
    decisions = DisciplineDecision.objects.filter(
        _about(org), decided_on__range=(first, last), annulled_on__isnull=True
    )
    stats.disciplined = _distinct(decisions)
    forms = Counter(decisions.values_list("form", flat=True))
    stats.by_form = {f: forms.get(f, 0) for f in DisciplineForm.values}
    received_by = Complaint.objects.filter(organisation__path__startswith=org.path)
    received = received_by.filter(received_on__range=(first, last))
    kinds = Counter(received.values_list("kind", flat=True))
    stats.received = {k: kinds.get(k, 0) for k in ComplaintKind.values}
    stats.not_to_handle = (
        received.filter(due_on__isnull=True).exclude(kind=ComplaintKind.STATE_NOTICE).count()
    )
    handled = received_by.filter(handled_on__range=(first, last))
    stats.handled = handled.count()
    stats.handled_about = _distinct(handled)
    stats.overdue = received.filter(
        Q(handled_on__isnull=True, due_on__lt=today) | Q(handled_on__gt=F("due_on"))
    ).count()
    return stats
