"""Pages of a cell's meetings: the plan, the meeting page for members, and the secretary's
screens to prepare and hold it. Every write goes through chibo.meetings.actions."""

import datetime
from functools import partial

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts.policy import Perm, can, visible_orgs
from chibo.conflicts import StaleVersion
from chibo.meetings import actions, calendar, documents, forms, minutes, queries, scoring
from chibo.meetings.models import Addendum, Meeting, QualityScore
from chibo.members.models import CURRENT_STATUSES, Member
from chibo.web.helpers import add_action_errors, get_or_404


def _meeting(request, meeting_id) -> Meeting:
    try:
        return queries.visible_meetings(request.user).get(pk=meeting_id)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc


def _cell_members(cell):
    return Member.objects.filter(cell=cell, status__in=CURRENT_STATUSES).order_by("name_folded")


def _may_run(request, meeting_or_cell) -> bool:
    cell = getattr(meeting_or_cell, "organisation", meeting_or_cell)
    return can(request.user, Perm.RUN_MEETINGS, cell)


@login_required
def plan(request, code):
    """The cell's meetings of a year: the plan, what was held, and what is next."""
    cell = get_or_404(visible_orgs(request.user, Perm.VIEW_MEETINGS), code=code)
    if not cell.is_cell:
        raise Http404
    today = timezone.localdate()
    try:
        year = min(max(int(request.GET.get("year", today.year)), 2000), 2100)
    except ValueError:
        year = today.year
    meetings = list(queries.cell_meetings(cell).filter(scheduled_at__year=year))
    may_run = _may_run(request, cell)
    schedule_form = forms.ScheduleForm(members=_cell_members(cell)) if may_run else None
    return render(
        request,
        "meetings/plan.html",
        {
            "cell": cell,
            "year": year,
            "meetings": meetings,
            "quarters": queries.thematic_by_quarter(meetings, year, today),
            "may_run": may_run,
            "schedule_form": schedule_form,
            "plan_form": forms.PlanYearForm(initial={"year": year}),
        },
    )


@login_required
@require_POST
def plan_year(request, code):
    cell = get_or_404(visible_orgs(request.user, Perm.RUN_MEETINGS), code=code)
    form = forms.PlanYearForm(request.POST)
    if form.is_valid():
        try:
            made = actions.plan_year(request.user, cell, form.cleaned_data["year"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("%(n)s meetings were added to the plan.") % {"n": len(made)}
            )
        return redirect(f"/orgs/{cell.code}/meetings/?year={form.cleaned_data['year']}")
    return redirect("meetings:plan", code=cell.code)


@login_required
def schedule(request, code):
    cell = get_or_404(visible_orgs(request.user, Perm.RUN_MEETINGS), code=code)
    form = forms.ScheduleForm(request.POST or None, members=_cell_members(cell))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.schedule_meeting(request.user, cell, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The meeting is in the plan."))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/form.html",
        {
            "cell": cell,
            "form": form,
            "title": _("Schedule a meeting of %(name)s") % {"name": cell.name},
        },
    )


def _fee_report_link(request, meeting: Meeting) -> str:
    """The agenda's fee report (the opening's "fees" step): the cell's sheet of the month
    before a regular meeting, for those who may see the cell's fees."""
    if not meeting.is_regular or not can(request.user, Perm.VIEW_FEES, meeting.organisation):
        return ""
    day = actions._local_day(meeting.scheduled_at).replace(day=1)
    last = day - datetime.timedelta(days=1)
    return reverse("fees:month", args=[meeting.organisation.code, last.year, last.month])


@login_required
def detail(request, meeting_id):
    """The meeting page: what a member needs before and during it, and the secretary's
    controls for each stage."""
    meeting = _meeting(request, meeting_id)
    may_run = _may_run(request, meeting)
    member_id = getattr(request.user, "member_id", None)
    own = meeting.attendance.filter(member_id=member_id).first() if member_id else None
    context = {
        "meeting": meeting,
        "may_run": may_run,
        "own": own,
        "agenda": meeting.agenda.all(),
        "guests": meeting.guests.all(),
        "opinions": meeting.opinions.select_related("member", "agenda_item"),
        "votes": meeting.votes.all(),
        "tasks": meeting.tasks.prefetch_related("assignees"),
        "materials": meeting.materials.annotate(opened=Count("openings")),
        "absence_form": forms.AbsenceForm(),
        "opinion_form": forms.OpinionForm(),
        "code_form": forms.CheckInCodeForm(),
        "fee_report": _fee_report_link(request, meeting),
    }
    if may_run:
        members = _cell_members(meeting.organisation)
        context.update(
            {
                "rows": queries.attendance_rows(meeting),
                "register": actions.vote_register(meeting) if meeting.attendance.exists() else None,
                "previous_tasks": [
                    (task, forms.ReviewForm(prefix=f"review{task.pk}"))
                    for task in actions.open_tasks_before(meeting)
                ],
                "reviewed_tasks": meeting.reviewed_tasks.prefetch_related("assignees"),
                "missing": actions.missing_to_close(meeting)
                if meeting.status == "in_progress"
                else [],
                "checkin_qr": _checkin_qr(request, meeting)
                if meeting.status == "in_progress"
                else "",
                "start_form": forms.StartForm(
                    members=members,
                    initial={"chair": meeting.chair_id, "minute_taker": meeting.minute_taker_id},
                ),
                "agenda_form": forms.AgendaItemForm(),
                "guest_form": forms.GuestForm(),
                "speaker_form": forms.SpeakerForm(meeting=meeting),
                "vote_form": forms.VoteForm(initial={"kind": "resolution", "abstain": 0}),
                "named_vote_form": forms.NamedVoteForm(initial={"kind": "resolution"}),
                "voters": [
                    r
                    for r in queries.attendance_rows(meeting)
                    if r.was_official and r.is_present and not r.temporary
                ],
                "task_form": forms.TaskForm(members=members),
                "cancel_form": forms.CancelForm(),
                "material_form": forms.MaterialForm(),
            }
        )
    return render(request, "meetings/detail.html", context)


def _checkin_qr(request, meeting) -> str:
    """A QR code of the check-in page with the code filled in, for phones in the room."""
    url = request.build_absolute_uri(
        reverse("meetings:check_in_code", args=[meeting.pk]) + f"?code={meeting.checkin_code}"
    )
    # segno writes the SVG itself from the URL; nothing the user typed goes into it.
    return mark_safe(segno.make(url, error="m").svg_inline(scale=5, title=_("Check-in code")))


def _post(
    request,
    meeting_id,
    form_class,
    run,
    success,
    *,
    run_only=True,
    back="meetings:detail",
    **form_kwargs,
):
    """Handle one of the meeting's forms: validate, call the action, come back to `back`.

    run_only=False leaves the permission to the action (a member's own request, a signer
    who is not on the cell committee)."""
    meeting = _meeting(request, meeting_id)
    if run_only and not _may_run(request, meeting):
        raise PermissionDenied
    form = form_class(request.POST, **form_kwargs) if form_class else None
    if form is not None and not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    else:
        try:
            run(meeting, form.cleaned_data if form else {})
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, success)
    return redirect(back, meeting_id=meeting.pk)


@login_required
@require_POST
def send_notice(request, meeting_id):
    return _post(
        request,
        meeting_id,
        None,
        lambda m, cd: actions.send_notice(request.user, m),
        _("The members were invited."),
    )


@login_required
@require_POST
def cancel(request, meeting_id):
    return _post(
        request,
        meeting_id,
        forms.CancelForm,
        lambda m, cd: actions.cancel_meeting(request.user, m, cd["reason"]),
        _("The meeting was cancelled."),
    )


@login_required
@require_POST
def add_agenda_item(request, meeting_id):
    return _post(
        request,
        meeting_id,
        forms.AgendaItemForm,
        lambda m, cd: actions.save_agenda_item(request.user, m, **cd),
        _("The agenda was saved."),
    )


@login_required
@require_POST
def add_guest(request, meeting_id):
    return _post(
        request,
        meeting_id,
        forms.GuestForm,
        lambda m, cd: actions.add_guest(request.user, m, **cd),
        _("The guest was added."),
    )


@login_required
@require_POST
def request_absence(request, meeting_id):
    return _post(
        request,
        meeting_id,
        forms.AbsenceForm,
        lambda m, cd: actions.request_absence(request.user, m, cd["reason"]),
        _("Your request was sent to the secretary."),
        run_only=False,
    )


@login_required
@require_POST
def decide_absence(request, meeting_id, member_id):
    accept = request.POST.get("accept") == "1"
    return _post(
        request,
        meeting_id,
        None,
        lambda m, cd: actions.decide_absence(
            request.user, m, get_or_404(m.organisation.members, pk=member_id), accept
        ),
        _("The request was decided."),
    )


@login_required
@require_POST
def post_opinion(request, meeting_id):
    return _post(
        request,
        meeting_id,
        forms.OpinionForm,
        lambda m, cd: actions.post_opinion(request.user, m, cd["text"]),
        _("Your opinion was posted."),
        run_only=False,
    )


@login_required
@require_POST
def start(request, meeting_id):
    meeting = _meeting(request, meeting_id)
    return _post(
        request,
        meeting_id,
        forms.StartForm,
        lambda m, cd: actions.start_meeting(request.user, m, **cd),
        _("The meeting has started. Check-in is open."),
        members=_cell_members(meeting.organisation),
    )


@login_required
@require_POST
def check_in(request, meeting_id, member_id):
    """The secretary's check-in button; answers the row alone when htmx asks."""
    meeting = _meeting(request, meeting_id)
    if not _may_run(request, meeting):
        raise PermissionDenied
    member = get_or_404(Member.objects.filter(attendance__meeting=meeting), pk=member_id)
    error = ""
    try:
        row = actions.check_in(request.user, meeting, member, late=request.POST.get("late") == "1")
    except ValidationError as exc:
        error = " ".join(exc.messages)
        row = meeting.attendance.select_related("member").get(member=member)
    if request.htmx:
        # The row, and the live count of who is present, swapped in out of band.
        context = {
            "row": row,
            "meeting": meeting,
            "error": error,
            "oob": True,
            "register": actions.vote_register(meeting),
        }
        return render(request, "meetings/_check_in_answer.html", context)
    if error:
        messages.error(request, error)
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
@require_POST
def set_attendance(request, meeting_id, member_id):
    meeting = _meeting(request, meeting_id)
    member = get_or_404(Member.objects.filter(attendance__meeting=meeting), pk=member_id)
    return _post(
        request,
        meeting_id,
        forms.AttendanceForm,
        lambda m, cd: actions.set_attendance(request.user, m, member, cd["status"], cd["reason"]),
        _("Attendance was recorded."),
    )


@login_required
def check_in_with_code(request, meeting_id):
    """The member's own check-in on a phone, with the code shown in the room."""
    meeting = _meeting(request, meeting_id)
    form = forms.CheckInCodeForm(
        request.POST or None, initial={"code": request.GET.get("code", "")[:6]}
    )
    row = None
    if request.method == "POST" and form.is_valid():
        try:
            row = actions.check_in_with_code(request.user, meeting, form.cleaned_data["code"])
        except ValidationError as exc:
            add_action_errors(form, exc)
    return render(request, "meetings/check_in.html", {"meeting": meeting, "form": form, "row": row})


@login_required
@require_POST
def record_speaker(request, meeting_id):
    meeting = _meeting(request, meeting_id)
    return _post(
        request,
        meeting_id,
        forms.SpeakerForm,
        lambda m, cd: actions.post_opinion(
            request.user, m, cd["text"], member=cd["member"], agenda_item=cd["agenda_item"]
        ),
        _("The opinion was recorded."),
        meeting=meeting,
    )


@login_required
@require_POST
def record_vote(request, meeting_id):
    return _post(
        request,
        meeting_id,
        forms.VoteForm,
        lambda m, cd: actions.record_vote(request.user, m, **cd),
        _("The vote was recorded."),
    )


@login_required
@require_POST
def add_task(request, meeting_id):
    meeting = _meeting(request, meeting_id)
    return _post(
        request,
        meeting_id,
        forms.TaskForm,
        lambda m, cd: actions.add_task(
            request.user,
            m,
            title=cd["title"],
            deliverable=cd["deliverable"],
            due_on=cd["due_on"],
            assignees=list(cd["assignees"]),
        ),
        _("The task was assigned."),
        members=_cell_members(meeting.organisation),
    )


@login_required
@require_POST
def review_task(request, meeting_id, task_id):
    meeting = _meeting(request, meeting_id)
    task = get_or_404(actions.open_tasks_before(meeting), pk=task_id)
    return _post(
        request,
        meeting_id,
        partial(forms.ReviewForm, prefix=f"review{task.pk}"),
        lambda m, cd: actions.review_task(request.user, m, task, cd["status"], cd["note"]),
        _("The task was reviewed."),
    )


@login_required
@require_POST
def close(request, meeting_id):
    return _post(
        request,
        meeting_id,
        None,
        lambda m, cd: actions.close_meeting(request.user, m),
        _("The meeting is closed. The minutes can now be completed and signed."),
    )


@login_required
def score(request, meeting_id):
    """The quality score: automatic lines with their evidence, the assessor's lines to fill."""
    meeting = _meeting(request, meeting_id)
    stored = QualityScore.objects.filter(meeting=meeting).select_related("assessor").first()
    may_score = scoring.may_score(request.user, meeting)
    manual = None
    errors = {}
    if request.method == "POST":
        if not may_score:
            raise PermissionDenied
        manual = {
            k.removeprefix("line-"): v
            for k, v in request.POST.items()
            if k.startswith("line-") and v.strip()
        }
        try:
            scoring.save_score(request.user, meeting, manual, request.POST.get("version"))
        except StaleVersion as exc:
            messages.error(request, exc.messages[0])
            return redirect("meetings:score", meeting_id=meeting.pk)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, _("The score was saved."))
            return redirect("meetings:score", meeting_id=meeting.pk)
    try:
        preview = scoring.score_preview(meeting, manual)
    except (ValidationError, ValueError):
        preview = scoring.score_preview(meeting)
    members = _cell_members(meeting.organisation)
    return render(
        request,
        "meetings/score.html",
        {
            "meeting": meeting,
            "stored": stored,
            "preview": preview,
            "may_score": may_score,
            "may_run": _may_run(request, meeting),
            "errors": errors,
            "manual": manual or {},
            "assessor_form": forms.AssessorForm(
                members=members, initial={"assessor": stored.assessor_id if stored else None}
            ),
        },
    )


@login_required
@require_POST
def name_assessor(request, meeting_id):
    meeting = _meeting(request, meeting_id)
    form = forms.AssessorForm(request.POST, members=_cell_members(meeting.organisation))
    if form.is_valid():
        try:
            scoring.name_assessor(request.user, meeting, form.cleaned_data["assessor"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The assessor was named."))
    return redirect("meetings:score", meeting_id=meeting.pk)


@login_required
def my_calendar(request):
    """The member's private calendar address, to add their meetings to a phone's calendar."""
    member = request.user.member
    if member is None:
        raise Http404
    if request.method == "POST":
        calendar.reset_feed_token(request.user, member)
        messages.success(request, _("A new address was made; the old one no longer works."))
        return redirect("meetings:my_calendar")
    url = request.build_absolute_uri(
        reverse("meetings:calendar_feed", args=[calendar.feed_token_for(member)])
    )
    return render(request, "meetings/my_calendar.html", {"url": url})


@login_required
def minutes_page(request, meeting_id):
    """The minutes: the narrative to write, what is missing, the signatures, the documents."""
    meeting = _meeting(request, meeting_id)
    may_run = _may_run(request, meeting)
    state = minutes.signing_state(meeting, request.user)
    current = state["minutes"]
    form = forms.MinutesForm(
        request.POST or None,
        initial={
            "opening": current.opening if current else "",
            "summary": current.summary if current else "",
            "conclusion": current.conclusion if current else "",
        },
    )
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied
        if form.is_valid():
            try:
                minutes.edit_minutes(
                    request.user, meeting, version=request.POST.get("version"), **form.cleaned_data
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The minutes were saved."))
                return redirect("meetings:minutes", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/minutes.html",
        {
            "meeting": meeting,
            "state": state,
            "form": form,
            "may_run": may_run,
            "sign_forms": [forms.SignForm(initial={"role": role}) for role in state["can_sign_as"]],
            "addenda": current.addenda.all() if current else [],
            "addendum_form": forms.AddendumForm(),
            "own_member_id": getattr(request.user, "member_id", None),
        },
    )


@login_required
@require_POST
def sign_minutes(request, meeting_id):
    return _post(
        request,
        meeting_id,
        forms.SignForm,
        lambda m, cd: minutes.sign_minutes(request.user, m, cd["role"], cd["password"]),
        _("You signed the minutes."),
        run_only=False,
        back="meetings:minutes",
    )


@login_required
@require_POST
def add_addendum(request, meeting_id):
    return _post(
        request,
        meeting_id,
        forms.AddendumForm,
        lambda m, cd: minutes.add_addendum(request.user, m, cd["text"]),
        _("The correction was added. The chair and the minute-taker sign it."),
        run_only=False,
        back="meetings:minutes",
    )


@login_required
@require_POST
def sign_addendum(request, meeting_id, addendum_id):
    def run(meeting, cd):
        addendum = get_or_404(Addendum.objects.filter(minutes__meeting=meeting), pk=addendum_id)
        return minutes.sign_addendum(request.user, addendum, cd["role"], cd["password"])

    return _post(
        request,
        meeting_id,
        forms.SignForm,
        run,
        _("You signed the correction."),
        run_only=False,
        back="meetings:minutes",
    )


@login_required
def minutes_file(request, meeting_id, extension):
    """The minutes as PDF or DOCX; a draft until both have signed."""
    if extension not in ("pdf", "docx"):
        raise Http404
    meeting = _meeting(request, meeting_id)
    if extension == "pdf":
        body, content_type = documents.minutes_pdf(meeting), "application/pdf"
    else:
        body = documents.minutes_docx(meeting)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.filename(meeting, extension)}"'
    )
    return response


@login_required
def edit(request, meeting_id):
    """Move a planned meeting (with the reason), or change its place or topic."""
    meeting = _meeting(request, meeting_id)
    if not _may_run(request, meeting):
        raise PermissionDenied
    form = forms.EditMeetingForm(
        request.POST or None,
        initial={
            "scheduled_at": timezone.localtime(meeting.scheduled_at),
            "place": meeting.place,
            "topic": meeting.topic,
            "moved_reason": meeting.moved_reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_meeting(
                request.user, meeting, version=request.POST.get("version"), **form.cleaned_data
            )
        except StaleVersion as exc:
            messages.error(request, exc.messages[0])
            return redirect("meetings:edit", meeting_id=meeting.pk)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return render(
        request,
        "meetings/form.html",
        {
            "cell": meeting.organisation,
            "form": form,
            "version": meeting.version,
            "title": _("Change the meeting of %(date)s")
            % {"date": timezone.localtime(meeting.scheduled_at).strftime("%d/%m/%Y")},
        },
    )


@login_required
@require_POST
def upload_material(request, meeting_id):
    meeting = _meeting(request, meeting_id)
    if not _may_run(request, meeting):
        raise PermissionDenied
    form = forms.MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.upload_material(
                request.user, meeting, form.cleaned_data["title"], form.cleaned_data["file"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The document was attached. Release it when it is ready for the members."),
            )
    else:
        messages.error(request, _("Choose a file."))
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
@require_POST
def release_materials(request, meeting_id):
    return _post(
        request,
        meeting_id,
        None,
        lambda m, cd: actions.release_materials(request.user, m),
        _("The documents were released to the members."),
    )


@login_required
def material(request, meeting_id, material_id):
    """A document, served only through here so that access is checked and opening noted."""
    meeting = _meeting(request, meeting_id)
    item = get_or_404(meeting.materials.all(), pk=material_id)
    actions.open_material(request.user, item)
    extension = actions.ACCEPTED_TYPES[item.content_type]
    return FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=extension == "docx",
        filename=f"{slugify(item.title) or 'tai-lieu'}.{extension}",
    )


@login_required
@require_POST
def edit_agenda_item(request, meeting_id, item_id):
    """Change an agenda item's title and content, or remove it ("remove" in the form)."""
    meeting = _meeting(request, meeting_id)
    item = get_or_404(meeting.agenda.all(), pk=item_id)
    if request.POST.get("remove"):
        return _post(
            request,
            meeting_id,
            None,
            lambda m, cd: actions.remove_agenda_item(request.user, m, item),
            _("The item was removed from the agenda."),
        )
    return _post(
        request,
        meeting_id,
        partial(forms.AgendaItemForm, prefix=f"item{item.pk}"),
        lambda m, cd: actions.save_agenda_item(request.user, m, item=item, **cd),
        _("The agenda was saved."),
    )


@login_required
@require_POST
def record_vote_by_name(request, meeting_id):
    """A vote recorded member by member: each present official member's choice."""
    ballots = {}
    for key, choice in request.POST.items():
        if key.startswith("ballot-") and key[7:].isdigit() and choice:
            ballots[int(key[7:])] = choice
    return _post(
        request,
        meeting_id,
        forms.NamedVoteForm,
        lambda m, cd: actions.record_vote(
            request.user, m, subject=cd["subject"], kind=cd["kind"], ballots=ballots
        ),
        _("The vote was recorded."),
    )
