"""Pages of admission and probation: a cell's candidates and probationers, a candidate's
dossier and steps, a probation, and the deadlines of a cell or a committee's subtree.
Every write goes through chibo.admissions.actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts.policy import Perm, can, visible_members, visible_orgs
from chibo.admissions import actions, forms, queries, rules
from chibo.admissions.models import Candidate, Probation, ProbationState, Stage
from chibo.conflicts import StaleVersion
from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import Meeting, MeetingStatus, VoteKind
from chibo.members.models import Member, Status
from chibo.regulations.loader import PackNotFound, pack_for
from chibo.web.helpers import add_action_errors, get_or_404


def _cell(request, code, perm: Perm):
    cell = get_or_404(visible_orgs(request.user, perm), code=code)
    if not cell.is_cell:
        raise Http404
    return cell


def _candidate(request, candidate_id) -> Candidate:
    return get_or_404(queries.visible_candidates(request.user), pk=candidate_id)


def _probation(request, probation_id) -> Probation:
    return get_or_404(queries.visible_probations(request.user), pk=probation_id)


def _meetings_in_progress(cell):
    return Meeting.objects.filter(organisation=cell, status=MeetingStatus.IN_PROGRESS).order_by(
        "scheduled_at"
    )


def _introducer_choices(cell):
    """The cell's official members: introducers work with the candidate, most often in the
    same cell (the API takes any official member within reach)."""
    return Member.objects.filter(cell=cell, status=Status.OFFICIAL).select_related("cell")


@login_required
def cell_cases(request, code):
    """The cell's candidates with their stage, and its probationary members with the next
    date the rules set for each."""
    cell = _cell(request, code, Perm.LIST_MEMBERS)
    today = timezone.localdate()
    reminder_days = queries.reminder_days(cell, today)
    candidates = [
        (c, queries.candidate_deadline(c, today, reminder_days))
        for c in queries.cell_candidates(cell)
    ]
    probations = [
        (p, queries.probation_deadline(p, today, reminder_days))
        for p in queries.cell_probations(cell)
    ]
    without_record = (
        Member.objects.filter(cell=cell, status=Status.PROBATIONARY, probation__isnull=True)
        if can(request.user, Perm.EDIT_MEMBER, cell)
        else Member.objects.none()
    )
    return render(
        request,
        "admissions/cell.html",
        {
            "cell": cell,
            "open_candidates": [(c, d) for c, d in candidates if c.is_open],
            "closed_candidates": [(c, d) for c, d in candidates if not c.is_open],
            "probations": probations,
            "without_record": without_record,
            "may_edit": can(request.user, Perm.EDIT_MEMBER, cell),
            "open_form": forms.OpenProbationForm(),
        },
    )


@login_required
def create(request, code):
    cell = _cell(request, code, Perm.EDIT_MEMBER)
    form = forms.CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate = actions.create_candidate(request.user, cell, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The case is open. Complete the dossier."))
            return redirect("admissions:candidate", candidate_id=candidate.pk)
    return render(
        request,
        "admissions/form.html",
        {"cell": cell, "form": form, "title": _("New candidate in %(name)s") % {"name": cell.name}},
    )


@login_required
def edit(request, candidate_id):
    candidate = _candidate(request, candidate_id)
    if not can(request.user, Perm.EDIT_MEMBER, candidate.cell):
        raise PermissionDenied
    form = forms.CandidateForm(request.POST or None, instance=candidate)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in actions.CANDIDATE_FIELDS}
        try:
            actions.update_candidate(
                request.user, candidate, version=request.POST.get("version"), **fields
            )
        except StaleVersion as exc:
            messages.error(request, exc.messages[0])
            return redirect("admissions:edit", candidate_id=candidate.pk)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The record was saved."))
            return redirect("admissions:candidate", candidate_id=candidate.pk)
    return render(
        request,
        "admissions/form.html",
        {
            "cell": candidate.cell,
            "form": form,
            "version": candidate.version,
            "title": _("Correct the record of %(name)s") % {"name": candidate.full_name},
        },
    )


def _vote_panels(meetings, kind: str) -> list[dict]:
    """Each meeting in progress with how many votes in favour the kind of vote needs now."""
    return [
        {"meeting": m, **actions.threshold_needed(m, kind)}
        for m in meetings
        if m.attendance.exists()
    ]


@login_required
def candidate(request, candidate_id):
    """A candidate: the stage, the dossier and introducers for those who keep them, the votes,
    and the next step for whoever may take it. Cell members see the name and stage only."""
    case = _candidate(request, candidate_id)
    cell = case.cell
    user = request.user
    personal = can(user, Perm.VIEW_MEMBER, cell)
    may_edit = can(user, Perm.EDIT_MEMBER, cell)
    # The grassroots committee resolves (its right reaches the cell); only the superior
    # committee decides.
    may_resolve = can(user, Perm.DECIDE_MEMBERSHIP, cell)
    may_decide = actions.may_decide(user, cell)
    may_run = can(user, Perm.RUN_MEETINGS, cell)
    today = timezone.localdate()
    meetings = _meetings_in_progress(cell) if may_run else Meeting.objects.none()
    documents = [
        (item, forms.DocumentForm(prefix=f"doc-{item.key}", initial=_doc_initial(item)))
        for item in case.documents.all()
        if rules.applies_to(item.key, cell)
    ]
    context = {
        "case": case,
        "cell": cell,
        "personal": personal,
        "phone": queries.shown(user, case, "phone"),
        "may_edit": may_edit and case.is_open,
        "may_keep_dossier": (may_edit or may_resolve) and case.is_open,
        "may_resolve": may_resolve,
        "may_decide": may_decide,
        "may_run": may_run,
        "documents": documents if personal else [],
        "step_documents": rules.STEP_DOCUMENTS,
        "introducers": case.introducers.select_related("member__cell"),
        "introducers_needed": actions.introducers_needed(case),
        "votes": [cv.vote for cv in case.votes.select_related("vote__meeting")],
        "needs_committee": rules.needs_committee_resolution(cell),
        "readiness": actions.readiness(case, today) if personal and case.is_open else {},
        "deadline": queries.candidate_deadline(case, today),
        "probation": getattr(case, "probation", None) if case.stage == Stage.ADMITTED else None,
    }
    if may_edit and case.stage == Stage.PREPARING:
        context["introducer_form"] = forms.IntroducerForm(members=_introducer_choices(cell))
    if may_run and case.stage == Stage.PREPARING:
        context["vote_form"] = forms.VoteForm(meetings=meetings)
        context["vote_panels"] = _vote_panels(meetings, VoteKind.ADMISSION)
    if may_resolve:
        context["committee_form"] = forms.CommitteeForm()
    if may_decide:
        context["decision_form"] = forms.DecisionForm()
    if may_edit and case.is_open:
        context["close_form"] = forms.CloseForm()
    return render(request, "admissions/candidate.html", context)


def _doc_initial(item) -> dict:
    return {
        "status": item.status,
        "reference": item.reference,
        "dated": item.dated,
        "note": item.note,
    }


def _post(request, obj, form, run, success, back):
    """Handle one of the page's forms: validate, call the action, come back to the page."""
    if form is not None and not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    else:
        try:
            run(form.cleaned_data if form is not None else {})
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, success)
    return redirect(back, obj.pk)


def _case_post(request, candidate_id, perm, form_class, run, success, **kwargs):
    """A form of the candidate's page. perm (a Perm on the cell, or a check of the user and
    the cell) is checked first (403); the action checks again."""
    case = _candidate(request, candidate_id)
    if isinstance(perm, Perm):
        allowed = can(request.user, perm, case.cell)
    else:
        allowed = perm is None or perm(request.user, case.cell)
    if not allowed:
        raise PermissionDenied
    form = form_class(request.POST, request.FILES, **kwargs) if form_class else None
    return _post(request, case, form, lambda cd: run(case, cd), success, "admissions:candidate")


@login_required
@require_POST
def add_introducer(request, candidate_id):
    return _case_post(
        request,
        candidate_id,
        Perm.EDIT_MEMBER,
        forms.IntroducerForm,
        lambda case, cd: actions.add_introducer(
            request.user, case, cd["member"], cd["known_since"]
        ),
        _("The introducer was added."),
        members=_introducer_choices(_candidate(request, candidate_id).cell),
    )


@login_required
@require_POST
def remove_introducer(request, candidate_id, introducer_id):
    def run(case, cd):
        introducer = get_or_404(case.introducers.all(), pk=introducer_id)
        actions.remove_introducer(request.user, case, introducer)

    return _case_post(
        request, candidate_id, Perm.EDIT_MEMBER, None, run, _("The introducer was removed.")
    )


@login_required
@require_POST
def document(request, candidate_id, key):
    case = _candidate(request, candidate_id)
    user = request.user
    if not (can(user, Perm.EDIT_MEMBER, case.cell) or can(user, Perm.DECIDE_MEMBERSHIP, case.cell)):
        raise PermissionDenied
    form = forms.DocumentForm(request.POST, request.FILES, prefix=f"doc-{key}")

    def run(cd):
        actions.set_document(
            user,
            case,
            key,
            status=cd["status"],
            reference=cd["reference"],
            dated=cd["dated"],
            note=cd["note"],
            upload=cd["file"],
        )

    return _post(request, case, form, run, _("The document was recorded."), "admissions:candidate")


@login_required
def document_file(request, candidate_id, key):
    """A scan of the dossier, served only here so that access is checked."""
    case = _candidate(request, candidate_id)
    if not can(request.user, Perm.VIEW_MEMBER, case.cell):
        raise PermissionDenied
    item = get_or_404(case.documents.exclude(file=""), key=key)
    extension = meeting_actions.ACCEPTED_TYPES[item.content_type]
    return FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=extension == "docx",
        filename=f"{slugify(case.full_name) or 'ho-so'}-{key}.{extension}",
    )


@login_required
@require_POST
def vote(request, candidate_id):
    case = _candidate(request, candidate_id)
    return _case_post(
        request,
        candidate_id,
        Perm.RUN_MEETINGS,
        forms.VoteForm,
        lambda case, cd: actions.record_admission_vote(
            request.user,
            case,
            cd["meeting"],
            agree=cd["agree"],
            disagree=cd["disagree"],
            abstain=cd["abstain"],
        ),
        _("The vote was recorded."),
        meetings=_meetings_in_progress(case.cell),
    )


@login_required
@require_POST
def committee(request, candidate_id):
    return _case_post(
        request,
        candidate_id,
        Perm.DECIDE_MEMBERSHIP,
        forms.CommitteeForm,
        lambda case, cd: actions.record_committee_resolution(
            request.user, case, number=cd["number"], resolved_on=cd["resolved_on"]
        ),
        _("The grassroots committee's resolution was recorded."),
    )


@login_required
@require_POST
def decide(request, candidate_id):
    return _case_post(
        request,
        candidate_id,
        actions.may_decide,
        forms.DecisionForm,
        lambda case, cd: actions.decide_admission(
            request.user,
            case,
            number=cd["number"],
            decided_on=cd["decided_on"],
            signer=cd["signer"],
        ),
        _("The admission was decided. The ceremony is now due."),
    )


@login_required
@require_POST
def close(request, candidate_id):
    return _case_post(
        request,
        candidate_id,
        Perm.EDIT_MEMBER,
        forms.CloseForm,
        lambda case, cd: actions.close_case(request.user, case, cd["reason"]),
        _("The case was closed."),
    )


@login_required
def probation(request, probation_id):
    """A probation: the decision, the ceremony, the end, the votes and the outcome."""
    record = _probation(request, probation_id)
    member = record.member
    cell = member.cell
    user = request.user
    may_run = can(user, Perm.RUN_MEETINGS, cell)
    open_ = record.is_open and member.status == Status.PROBATIONARY
    context = {
        "record": record,
        "member": member,
        "may_see_member": can(user, Perm.VIEW_MEMBER, member),
        "votes": [pv.vote for pv in record.votes.select_related("vote__meeting")],
        "deadline": queries.probation_deadline(record, timezone.localdate()),
        "max_failed": _max_failed(cell),
    }
    if open_ and record.state == ProbationState.AWAITING_CEREMONY:
        if can(user, Perm.EDIT_MEMBER, cell):
            context["ceremony_form"] = forms.CeremonyForm()
    if open_ and record.state == ProbationState.ON_PROBATION and may_run:
        meetings = _meetings_in_progress(cell)
        context["vote_form"] = forms.VoteForm(meetings=meetings)
        context["vote_panels"] = _vote_panels(meetings, VoteKind.RECOGNITION)
    decider = actions.decider_of(record)
    # The committee decides once the cell has voted: recognition after a passed vote,
    # removal after a failed one, either for a case referred up.
    voted = record.state in (ProbationState.PROPOSED, ProbationState.REFERRED) or (
        record.state == ProbationState.ON_PROBATION and record.failed_votes
    )
    if open_ and voted and actions.may_decide(user, cell):
        context["recognition_form"] = forms.RecognitionForm()
    context["decider"] = decider
    return render(request, "admissions/probation.html", context)


def _max_failed(cell) -> int | None:
    try:
        return pack_for(cell, timezone.localdate()).votes.max_failed_recognition_votes
    except PackNotFound:
        return None


def _probation_post(request, probation_id, allowed, form_class, run, success, **kwargs):
    """A form of the probation's page. allowed(user, record) is checked first (403); the
    action checks again."""
    record = _probation(request, probation_id)
    if not allowed(request.user, record):
        raise PermissionDenied
    form = form_class(request.POST, **kwargs)
    return _post(request, record, form, lambda cd: run(record, cd), success, "admissions:probation")


@login_required
@require_POST
def ceremony(request, probation_id):
    return _probation_post(
        request,
        probation_id,
        lambda user, r: can(user, Perm.EDIT_MEMBER, r.member.cell),
        forms.CeremonyForm,
        lambda record, cd: actions.hold_ceremony(request.user, record, cd["held_on"]),
        _("The ceremony was recorded. The probation has begun."),
    )


@login_required
@require_POST
def recognition_vote(request, probation_id):
    record = _probation(request, probation_id)
    return _probation_post(
        request,
        probation_id,
        lambda user, r: can(user, Perm.RUN_MEETINGS, r.member.cell),
        forms.VoteForm,
        lambda record, cd: actions.record_recognition_vote(
            request.user,
            record,
            cd["meeting"],
            agree=cd["agree"],
            disagree=cd["disagree"],
            abstain=cd["abstain"],
        ),
        _("The vote was recorded."),
        meetings=_meetings_in_progress(record.member.cell),
    )


@login_required
@require_POST
def recognition(request, probation_id):
    return _probation_post(
        request,
        probation_id,
        lambda user, r: actions.may_decide(user, r.member.cell),
        forms.RecognitionForm,
        lambda record, cd: actions.decide_recognition(
            request.user,
            record,
            recognised=cd["recognised"],
            number=cd["number"],
            decided_on=cd["decided_on"],
            reason=cd["reason"],
        ),
        _("The decision was recorded."),
    )


@login_required
@require_POST
def open_probation(request, member_id):
    """Start the probation record of a probationary member admitted before the case was kept."""
    member = get_or_404(visible_members(request.user, Perm.EDIT_MEMBER), pk=member_id)
    form = forms.OpenProbationForm(request.POST)
    if form.is_valid():
        try:
            record = actions.open_probation(request.user, member, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The probation record was opened."))
            return redirect("admissions:probation", record.pk)
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("admissions:cell", member.cell.code)


@login_required
def deadlines(request, code):
    """What is due in a cell or in a committee's whole subtree: overdue first, then soon."""
    org = get_or_404(visible_orgs(request.user, Perm.LIST_MEMBERS), code=code)
    today = timezone.localdate()
    items = queries.deadlines(org, today)
    return render(
        request,
        "admissions/deadlines.html",
        {
            "org": org,
            "today": today,
            "overdue": [d for d in items if d.level == "overdue"],
            "soon": [d for d in items if d.level != "overdue"],
        },
    )
