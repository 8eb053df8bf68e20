"""Pages of inspection, supervision and discipline: a committee's programme for a year, an
inspection with its steps, complaints and denunciations received, discipline decisions and
the statistics of a subtree. Thin, over chibo.oversight.inspection."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chibo.accounts.policy import Perm, can
from chibo.meetings.models import Meeting
from chibo.members.models import CURRENT_STATUSES, Member
from chibo.orgs.forms import DateInput
from chibo.orgs.models import Organisation
from chibo.orgs.queries import get_visible
from chibo.oversight import inspection as work
from chibo.oversight.models import (
    STEPS,
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
from chibo.oversight.queries import parse_period, recent_periods
from chibo.regulations.loader import pack_by_id
from chibo.web.helpers import add_action_errors, get_or_404, paginate

WHICH = (
    ("open", gettext_lazy("To handle")),
    ("overdue", gettext_lazy("Overdue")),
    ("handled", gettext_lazy("Handled")),
    ("not_handled", gettext_lazy("Recorded only")),
    ("all", gettext_lazy("All")),
)
STEP_CHOICES = (
    ("notice", gettext_lazy("Notice given")),
    ("self_report", gettext_lazy("Self-report received")),
    ("meeting", gettext_lazy("Meeting held")),
)


def _org(request, code) -> Organisation:
    try:
        return get_visible(request.user, code, Perm.VIEW_INSPECTION)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def _year(request) -> int:
    today = timezone.localdate()
    try:
        return min(max(int(request.GET.get("year", "")), work.EARLIEST_YEAR), today.year + 1)
    except ValueError:
        return today.year


def _programme_url(org: Organisation, year: int) -> str:
    return f"{reverse('oversight:inspection_programme', args=[org.code])}?year={year}"


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# Forms.


class SubjectFields(forms.Form):
    """An organisation by its code, or a member of the cell with that code."""

    subject = forms.CharField(
        label=gettext_lazy("Organisation (code)"),
        max_length=40,
        help_text=gettext_lazy("The organisation concerned, or the cell of the member concerned."),
    )
    member = forms.TypedChoiceField(
        label=gettext_lazy("Member"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy("Leave empty when the organisation itself is concerned."),
    )

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.data.get(self.add_prefix("subject")) or self.initial.get("subject") or ""
        cell = Organisation.objects.filter(
            path__startswith=org.path, code=code.strip(), level__in=("cell", "grassroots_cell")
        ).first()
        members = (
            Member.objects.filter(cell=cell, status__in=CURRENT_STATUSES).order_by("name_folded")
            if cell
            else Member.objects.none()
        )
        self.fields["member"].choices = [("", "—")] + [(m.pk, m.full_name) for m in members]

    def subject_of(self, org: Organisation):
        """The subject named, looked for in org's subtree."""
        member = self.cleaned_data.get("member")
        if member:
            return work.find_subject(org, member_id=member)
        return work.find_subject(org, code=self.cleaned_data["subject"])


class PlanForm(forms.Form):
    prefix = "plan"

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=work.EARLIEST_YEAR)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=work.TITLE_MAX)
    approved_on = forms.DateField(
        label=gettext_lazy("Approved on"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Leave empty while the plan is a draft."),
    )


class ApproveForm(forms.Form):
    approved_on = forms.DateField(label=gettext_lazy("Approved on"), widget=DateInput())


class InspectionForm(SubjectFields):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=InspectionKind.choices)
    topic = forms.CharField(
        label=gettext_lazy("Topic"),
        max_length=work.TOPIC_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan = forms.TypedChoiceField(
        label=gettext_lazy("Plan"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        year = timezone.localdate().year
        plans = InspectionPlan.objects.filter(organisation=org, year__gte=year - 1)
        self.fields["plan"].choices = [("", _("Outside the plans"))] + [
            (p.pk, str(p)) for p in plans
        ]
        self.order_fields(["kind", "subject", "member", "topic", "plan"])


class StepForm(forms.Form):
    step = forms.ChoiceField(label=gettext_lazy("Step"), choices=STEP_CHOICES)
    on = forms.DateField(
        label=gettext_lazy("Day"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("For the meeting: the day of the meeting chosen, if any."),
    )
    meeting = forms.TypedChoiceField(
        label=gettext_lazy("Cell meeting"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        if inspection.subject_member_id:
            meetings = Meeting.objects.filter(organisation_id=inspection.subject_member.cell_id)
        else:
            meetings = Meeting.objects.filter(
                organisation__path__startswith=inspection.subject_org.path
            )
        meetings = meetings.select_related("organisation").order_by("-scheduled_at")[:24]
        self.fields["meeting"].choices = [("", "—")] + [
            (
                m.pk,
                f"{m.organisation.name} · {timezone.localtime(m.scheduled_at):%d/%m/%Y} · "
                f"{m.get_kind_display()}",
            )
            for m in meetings
        ]


class ConclusionForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Day of the conclusion"), widget=DateInput())
    result = forms.ChoiceField(label=gettext_lazy("Result"))
    conclusion = forms.CharField(
        label=gettext_lazy("Conclusion"), widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        kind = "supervision" if inspection.is_supervision else "inspection"
        self.fields["result"].choices = [(r, InspectionResult(r).label) for r in work.RESULTS[kind]]


class ComplaintForm(SubjectFields):
    kind = forms.ChoiceField(label=gettext_lazy("What was received"), choices=ComplaintKind.choices)
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=DateInput())
    sender = forms.CharField(
        label=gettext_lazy("From"),
        max_length=work.SENDER_MAX,
        required=False,
        help_text=gettext_lazy(
            "Empty for an anonymous denunciation. Seen only by those who handle it."
        ),
    )
    discipline = forms.TypedChoiceField(
        label=gettext_lazy("Decision complained about"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    state_decided_on = forms.DateField(
        label=gettext_lazy("Day the state body decided"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("For a state body's notice."),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        self.fields["subject"].required = False
        self.fields["subject"].help_text = _(
            "The organisation concerned, or the cell of the member concerned; for a complaint "
            "about a decision chosen below, it may stay empty."
        )
        since = timezone.localdate().replace(month=1, day=1) - datetime.timedelta(days=366)
        decisions = (
            DisciplineDecision.objects.filter(
                decided_by__path__startswith=org.path, decided_on__gte=since
            )
            .select_related("subject_org", "subject_member")
            .order_by("-decided_on")
        )
        self.fields["discipline"].choices = [("", "—")] + [
            (d.pk, f"{d.number} · {d.subject_name} · {d.get_form_display()}") for d in decisions
        ]
        self.order_fields(
            ["kind", "received_on", "sender", "subject", "member", "discipline", "state_decided_on"]
        )

    def subject_of(self, org: Organisation):
        if not self.cleaned_data.get("subject") and not self.cleaned_data.get("member"):
            return None
        return super().subject_of(org)


class HandleForm(forms.Form):
    handled_on = forms.DateField(label=gettext_lazy("Handled on"), widget=DateInput())
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"))
    note = forms.CharField(
        label=gettext_lazy("What was found"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (o, ComplaintOutcome(o).label) for o in work.OUTCOMES[complaint.kind]
        ]


class DecisionForm(SubjectFields):
    form = forms.ChoiceField(
        label=gettext_lazy("Form of discipline"), choices=DisciplineForm.choices
    )
    number = forms.CharField(label=gettext_lazy("Decision number"), max_length=work.NUMBER_MAX)
    decided_on = forms.DateField(label=gettext_lazy("Decided on"), widget=DateInput())
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, org: Organisation, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        self.order_fields(["subject", "member", "form", "number", "decided_on", "reason"])


class AnnulForm(forms.Form):
    annulled_on = forms.DateField(label=gettext_lazy("Annulled on"), widget=DateInput())
    reason = forms.CharField(label=gettext_lazy("Why"), widget=forms.Textarea(attrs={"rows": 3}))


# A committee's programme for a year.


def _programme_page(request, org, year, plan_form=None, status=200):
    may_manage = can(request.user, Perm.MANAGE_INSPECTION, org)
    if may_manage and plan_form is None:
        plan_form = PlanForm(initial={"year": year})
    about = work.inspections_about(org, year).exclude(organisation=org)
    context = {
        "org": org,
        "year": year,
        "years": [year - 1, year + 1],
        "rows": work.programme(org, year),
        "about": paginate(request, about),
        "may_manage": may_manage,
        "may_decide": can(request.user, Perm.DECIDE_DISCIPLINE, org),
        "plan_form": plan_form if may_manage else None,
        "approve_form": ApproveForm(initial={"approved_on": timezone.localdate()}),
    }
    return render(request, "oversight/inspection/programme.html", context, status=status)


@login_required
def programme(request, code):
    """The plans of the year with their inspections, step by step, and the supervision and
    inspection of the organisations and members below by others."""
    org = _org(request, code)
    return _programme_page(request, org, _year(request))


@login_required
@require_POST
def add_plan(request, code):
    org = _org(request, code)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            plan = work.create_plan(request.user, org, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The plan was added."))
            return redirect(_programme_url(org, plan.year))
    year = form.cleaned_data.get("year") or _year(request)
    return _programme_page(request, org, year, plan_form=form, status=400)


@login_required
@require_POST
def approve_plan(request, plan_id):
    plan = get_or_404(work.visible_plans(request.user).select_related("organisation"), pk=plan_id)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            work.approve_plan(
                request.user, plan, form.cleaned_data["approved_on"], _version(request)
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The plan is approved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(_programme_url(plan.organisation, plan.year))


@login_required
def new_inspection(request, code):
    """Open a supervision or an inspection of an organisation below or a member."""
    org = _org(request, code)
    if not can(request.user, Perm.MANAGE_INSPECTION, org):
        raise Http404
    initial = {"subject": request.GET.get("subject", ""), "kind": request.GET.get("kind", "")}
    form = InspectionForm(request.POST or None, org=org, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = InspectionPlan.objects.filter(organisation=org, pk=data["plan"]).first()
        try:
            inspection = work.open_inspection(
                request.user,
                org,
                kind=data["kind"],
                subject=form.subject_of(org),
                topic=data["topic"],
                plan=plan,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The inspection was opened."))
            return redirect("oversight:inspection_detail", inspection_id=inspection.pk)
    if request.method == "POST":
        status = 400
    return render(
        request, "oversight/inspection/new.html", {"org": org, "form": form}, status=status
    )


# One inspection.


def _inspection(request, inspection_id) -> Inspection:
    return get_or_404(
        work.visible_inspections(request.user).select_related(*work.INSPECTION_RELATED),
        pk=inspection_id,
    )


def _inspection_page(request, inspection, step_form=None, conclusion_form=None, status=200):
    may_manage = can(request.user, Perm.MANAGE_INSPECTION, inspection.organisation)
    open_ = may_manage and not inspection.is_concluded
    steps = [
        {"key": step, "label": label, "date": getattr(inspection, field_name)}
        for (step, field_name, _state), label in zip(
            STEPS,
            (_("Notice"), _("Self-report"), _("Meeting"), _("Conclusion")),
            strict=True,
        )
    ]
    next_step = next((s["key"] for s in steps if s["date"] is None), None)
    if open_ and step_form is None and next_step in dict(STEP_CHOICES):
        step_form = StepForm(
            inspection=inspection,
            initial={"step": next_step, "on": timezone.localdate()},
        )
    if open_ and conclusion_form is None and inspection.meeting_on is not None:
        conclusion_form = ConclusionForm(inspection=inspection)
    subject = inspection.subject
    context = {
        "inspection": inspection,
        "org": inspection.organisation,
        "steps": steps,
        "step_form": step_form if open_ else None,
        "conclusion_form": conclusion_form if open_ else None,
        "decisions": inspection.discipline_decisions.select_related("decided_by").order_by(
            "decided_on"
        ),
        "may_see_member": isinstance(subject, Member)
        and can(request.user, Perm.VIEW_MEMBER, subject),
        "may_decide": inspection.is_concluded
        and can(request.user, Perm.DECIDE_DISCIPLINE, inspection.organisation),
    }
    return render(request, "oversight/inspection/detail.html", context, status=status)


@login_required
def inspection_detail(request, inspection_id):
    return _inspection_page(request, _inspection(request, inspection_id))


@login_required
@require_POST
def record_step(request, inspection_id):
    inspection = _inspection(request, inspection_id)
    form = StepForm(request.POST, inspection=inspection)
    if form.is_valid():
        data = form.cleaned_data
        meeting = None
        if data["meeting"]:
            meeting = Meeting.objects.filter(pk=data["meeting"]).first()
        try:
            work.record_step(
                request.user,
                inspection,
                data["step"],
                data["on"],
                meeting=meeting,
                version=_version(request),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The step was recorded."))
            return redirect("oversight:inspection_detail", inspection_id=inspection.pk)
    return _inspection_page(request, inspection, step_form=form, status=400)


@login_required
@require_POST
def conclude(request, inspection_id):
    inspection = _inspection(request, inspection_id)
    form = ConclusionForm(request.POST, inspection=inspection)
    if form.is_valid():
        try:
            work.conclude(request.user, inspection, **form.cleaned_data, version=_version(request))
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The conclusion was recorded."))
            return redirect("oversight:inspection_detail", inspection_id=inspection.pk)
    return _inspection_page(request, inspection, conclusion_form=form, status=400)


# Complaints, denunciations and notices.


@login_required
def complaints(request, code):
    """What the subtree's organisations received, with the due days; the form to record
    what this organisation received."""
    org = _org(request, code)
    may_manage = can(request.user, Perm.MANAGE_INSPECTION, org)
    form = ComplaintForm(request.POST or None, org=org) if may_manage else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            decision = None
            if data["discipline"]:
                decision = DisciplineDecision.objects.filter(pk=data["discipline"]).first()
            try:
                complaint = work.record_complaint(
                    request.user,
                    org,
                    kind=data["kind"],
                    received_on=data["received_on"],
                    sender=data["sender"],
                    summary=data["summary"],
                    subject=form.subject_of(org),
                    discipline=decision,
                    state_decided_on=data["state_decided_on"],
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("It was recorded."))
                return redirect("oversight:inspection_complaint", complaint_id=complaint.pk)
        status = 400
    which = request.GET.get("which", "")
    which = which if which in work.COMPLAINT_FILTERS else "open"
    today = timezone.localdate()
    page = paginate(request, work.complaints_of(org, which, today))
    context = {
        "org": org,
        "page": page,
        "rows": [{"complaint": c, "overdue": c.is_overdue(today)} for c in page],
        "which": which,
        "filters": WHICH,
        "form": form,
    }
    return render(request, "oversight/inspection/complaints.html", context, status=status)


@login_required
def complaint_detail(request, complaint_id):
    """One thing received, and the form to record how it was handled."""
    complaint = get_or_404(
        work.visible_complaints(request.user).select_related(*work.COMPLAINT_RELATED),
        pk=complaint_id,
    )
    may_handle = (
        can(request.user, Perm.MANAGE_INSPECTION, complaint.organisation)
        and complaint.handled_on is None
        and (complaint.to_handle or complaint.kind == ComplaintKind.STATE_NOTICE)
    )
    form = HandleForm(
        request.POST or None,
        complaint=complaint,
        initial={"handled_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        if not can(request.user, Perm.MANAGE_INSPECTION, complaint.organisation):
            raise Http404
        if form.is_valid():
            try:
                work.handle_complaint(
                    request.user, complaint, **form.cleaned_data, version=_version(request)
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The handling was recorded."))
                return redirect("oversight:inspection_complaint", complaint_id=complaint.pk)
        status = 400
    context = {
        "complaint": complaint,
        "org": complaint.organisation,
        "overdue": complaint.is_overdue(timezone.localdate()),
        "days_late": work.notice_days_late(complaint),
        "notice_days": pack_by_id(complaint.pack_id).discipline.state_body_notice_days,
        "form": form if may_handle or request.method == "POST" else None,
        "may_decide": complaint.kind != ComplaintKind.COMPLAINT
        and can(request.user, Perm.DECIDE_DISCIPLINE, complaint.organisation),
    }
    return render(request, "oversight/inspection/complaint.html", context, status=status)


# Discipline.


@login_required
def discipline(request, code):
    """Discipline decisions about the organisations and members of the subtree in a year."""
    org = _org(request, code)
    year = _year(request)
    page = paginate(request, work.decisions_about(org, year))
    context = {
        "org": org,
        "year": year,
        "years": [year - 1, year + 1],
        "page": page,
        "may_decide": can(request.user, Perm.DECIDE_DISCIPLINE, org),
        "annul_form": AnnulForm(initial={"annulled_on": timezone.localdate()}),
        "rows": [
            {
                "decision": d,
                "may_annul": d.is_effective
                and can(request.user, Perm.DECIDE_DISCIPLINE, d.decided_by),
                "end_membership": d.is_effective
                and d.form == DisciplineForm.EXPULSION
                and d.subject_member.is_current
                and can(request.user, Perm.DECIDE_MEMBERSHIP, d.subject_member),
            }
            for d in page
        ],
    }
    return render(request, "oversight/inspection/discipline.html", context)


@login_required
def new_decision(request, code):
    """Record a discipline decision of this organisation; from an inspection or from what
    was received, its subject is filled in."""
    org = _org(request, code)
    if not can(request.user, Perm.DECIDE_DISCIPLINE, org):
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    inspection = complaint = None
    if source.get("inspection"):
        inspection = (
            work.visible_inspections(request.user).filter(pk=_int(source["inspection"])).first()
        )
    if source.get("complaint"):
        complaint = (
            work.visible_complaints(request.user).filter(pk=_int(source["complaint"])).first()
        )
    initial = {"decided_on": timezone.localdate()}
    linked = inspection or complaint
    if linked is not None:
        subject = linked.subject
        if isinstance(subject, Member):
            initial.update(subject=subject.cell.code, member=subject.pk)
        else:
            initial["subject"] = subject.code
    form = DecisionForm(request.POST or None, org=org, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = work.decide_discipline(
                    request.user,
                    org,
                    subject=form.subject_of(org),
                    form=data["form"],
                    number=data["number"],
                    decided_on=data["decided_on"],
                    reason=data["reason"],
                    inspection=inspection,
                    complaint=complaint,
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Decision %(number)s was recorded.") % {"number": decision.number},
                )
                url = reverse("oversight:inspection_discipline", args=[org.code])
                return redirect(f"{url}?year={decision.decided_on.year}#decision-{decision.pk}")
        status = 400
    rules = None
    try:
        pack = work.discipline_rules(org, timezone.localdate(), "decided_on")
        rules = [
            (label, ", ".join(str(DisciplineForm(f).label) for f in pack.discipline.allowed(kind)))
            for kind, label in (
                ("organisation", _("An organisation")),
                ("official_member", _("An official member")),
                ("probationary_member", _("A probationary member")),
            )
        ]
    except ValidationError:
        pack = None
    context = {
        "org": org,
        "form": form,
        "inspection": inspection,
        "complaint": complaint,
        "pack": pack,
        "rules": rules,
    }
    return render(request, "oversight/inspection/decision_form.html", context, status=status)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


@login_required
@require_POST
def annul(request, decision_id):
    decision = get_or_404(
        work.visible_decisions(request.user).select_related("decided_by"), pk=decision_id
    )
    form = AnnulForm(request.POST)
    if form.is_valid():
        try:
            work.annul_discipline(
                request.user, decision, **form.cleaned_data, version=_version(request)
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The decision was annulled."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    back = request.POST.get("next", "")
    if not back.startswith("/orgs/"):
        url = reverse("oversight:inspection_discipline", args=[decision.decided_by.code])
        back = f"{url}?year={decision.decided_on.year}"
    return redirect(back)


# Statistics.


@login_required
def statistics(request, code):
    """How many organisations and members were supervised, inspected and disciplined in a
    period, and what was received and handled."""
    org = _org(request, code)
    today = timezone.localdate()
    status, error = 200, ""
    try:
        period = parse_period(request.GET.get("period") or str(today.year), today)
    except ValidationError as exc:
        period = parse_period(str(today.year), today)
        error, status = exc.message_dict["period"][0], 400
    stats = work.statistics(org, period, today)
    context = {
        "org": org,
        "period": period,
        "periods": recent_periods(today),
        "error": error,
        "stats": stats,
        "forms": [(DisciplineForm(f).label, n) for f, n in stats.by_form.items()],
        "received": [(ComplaintKind(k).label, n) for k, n in stats.received.items()],
    }
    return render(request, "oversight/inspection/statistics.html", context, status=status)
