"""Pages of the member registry: list and search, detail, add, edit, change cell, reveal; and
of a member's path: the end of a membership, removal of name (an organisation's list, the
cell's proposal, the committee's decision), training courses, party badges (an
organisation's list for the next award dates), and the corrections members ask for. Every
write goes through chibo.members.actions."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chibo.accounts.policy import Perm, can, visible_members, visible_orgs
from chibo.conflicts import StaleVersion
from chibo.members import actions, queries
from chibo.members.forms import (
    BadgeAwardsForm,
    BadgeForm,
    ChangeCellForm,
    CorrectionAnswerForm,
    CorrectionForm,
    EditMemberForm,
    EndMembershipForm,
    MemberFilterForm,
    MemberForm,
    RemovalDecisionForm,
    RemovalProposalForm,
    RevealForm,
    TrainingForm,
)
from chibo.members.models import (
    ENDING_STATUSES,
    CorrectionRequest,
    Member,
    RemovalProposal,
    Status,
    Training,
)
from chibo.orgs.models import Organisation
from chibo.web.helpers import add_action_errors, get_or_404, paginate
from chibo.web.panels import member_panels


def _member(request, member_id: int, perm: Perm = Perm.VIEW_MEMBER) -> Member:
    try:
        return queries.get_visible(request.user, member_id, perm)
    except Member.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def member_list(request):
    if not can(request.user, Perm.LIST_MEMBERS):
        raise PermissionDenied
    form = MemberFilterForm(request.GET or None)
    org = None
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("org"):
        org = visible_orgs(request.user, Perm.LIST_MEMBERS).filter(code=filters["org"]).first()
        if org is None:
            form.add_error("org", _("No organisation with this code that you may see."))
    members = queries.find(
        request.user,
        text=filters.get("q", ""),
        org=org,
        status=filters.get("status", ""),
        gender=filters.get("gender", ""),
    )
    page = paginate(request, members)
    visible_ids = set()
    if page.object_list:
        # Links only where the user may open the record; one query for the whole page.
        visible_ids = set(
            visible_members(request.user, Perm.VIEW_MEMBER)
            .filter(pk__in=[m.pk for m in page.object_list])
            .values_list("pk", flat=True)
        )
    template = "members/_rows.html" if request.htmx else "members/list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "org": org,
            "openable": visible_ids,
            "may_add": org is not None and org.is_cell and can(request.user, Perm.EDIT_MEMBER, org),
        },
    )


@login_required
def detail(request, member_id):
    member = _member(request, member_id)
    user = request.user
    may_edit = can(user, Perm.EDIT_MEMBER, member.cell)
    may_decide = can(user, Perm.DECIDE_MEMBERSHIP, member)
    is_own = user.member_id == member.pk
    proposals = list(member.removal_proposals.all())
    corrections = []
    if is_own or may_edit:
        corrections = list(member.corrections.all()[:20])
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "periods": member.periods.select_related("organisation"),
            "may_edit": may_edit,
            "may_reveal": can(user, Perm.REVEAL_ID, member),
            "may_open_account": can(user, Perm.MANAGE_ACCOUNTS, member.cell)
            and not hasattr(member, "user"),
            "reveal_form": RevealForm(),
            "panels": member_panels(request, member),
            "ending": getattr(member, "ending", None),
            "trainings": member.trainings.all(),
            "badges": member.badges.all(),
            "proposals": proposals,
            "corrections": corrections,
            "is_own": is_own,
            "may_end": member.is_current and bool(_ending_kinds(user, member)),
            "may_propose": may_edit
            and member.is_current
            and not any(p.outcome == RemovalProposal.Outcome.PENDING for p in proposals),
            "may_decide": may_decide,
        },
    )


@login_required
@require_POST
def reveal(request, member_id):
    member = _member(request, member_id)
    form = RevealForm(request.POST)
    value, error = "", ""
    if form.is_valid():
        try:
            value = actions.reveal_personal(
                request.user, member, form.cleaned_data["field"], form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _("Say why you need to see it.")
    return render(
        request,
        "members/_revealed.html",
        {
            "member": member,
            "value": value,
            "error": error,
            "field": request.POST.get("field", ""),
            "reveal_form": form,
        },
        status=200 if value or not error else 422,
    )


@login_required
def create(request):
    code = request.GET.get("cell") or request.POST.get("cell_code", "")
    cell = get_or_404(visible_orgs(request.user, Perm.EDIT_MEMBER), code=code)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.create_member(request.user, cell, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The member was added."))
            return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/form.html",
        {
            "form": form,
            "cell": cell,
            "title": _("New member of %(name)s") % {"name": cell.name},
        },
    )


@login_required
def edit(request, member_id):
    member = _member(request, member_id)
    if not can(request.user, Perm.EDIT_MEMBER, member.cell):
        raise PermissionDenied
    form = EditMemberForm(request.POST or None, instance=Member.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_member(
                request.user, member, version=request.POST.get("version"), **form.cleaned_data
            )
        except StaleVersion as exc:
            messages.error(request, exc.messages[0])
            member.refresh_from_db()
            form = EditMemberForm(instance=member)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The member was saved."))
            return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/form.html",
        {
            "form": form,
            "member": member,
            "version": member.version,
            "title": _("Edit %(name)s") % {"name": member.full_name},
        },
    )


@login_required
def change_cell(request, member_id):
    member = _member(request, member_id)
    if not can(request.user, Perm.EDIT_MEMBER, member.cell):
        raise PermissionDenied
    form = ChangeCellForm(request.POST or None, initial={"effective_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        cell = visible_orgs(request.user, Perm.EDIT_MEMBER).filter(code=cd["cell"].strip()).first()
        if cell is None:
            form.add_error("cell", _("No cell with this code that you may add members to."))
        else:
            try:
                actions.change_home_cell(
                    request.user, member, cell, cd["effective_on"], cd["reason"]
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("The home cell was changed."))
                return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/form.html",
        {
            "form": form,
            "member": member,
            "pick_org": True,
            "title": _("Change the home cell of %(name)s") % {"name": member.full_name},
        },
    )


# A member's path.


def _year(request) -> int:
    today = timezone.localdate()
    try:
        return min(max(int(request.GET.get("year", today.year)), 1930), today.year)
    except ValueError:
        return today.year


def _ending_kinds(user, member: Member) -> list[Status]:
    """The endings this user may record: a death for the cell's leaders, every ending for the
    committee that decides."""
    if can(user, Perm.DECIDE_MEMBERSHIP, member):
        return list(ENDING_STATUSES)
    if can(user, Perm.EDIT_MEMBER, member.cell):
        return [Status.DECEASED]
    return []


def _form_page(request, form, member, title, **extra):
    return render(
        request,
        "members/form.html",
        {"form": form, "member": member, "title": title, **extra},
    )


@login_required
def end(request, member_id):
    """Record the end of a membership: removal of name, expulsion, leaving, death."""
    member = _member(request, member_id)
    kinds = _ending_kinds(request.user, member)
    if not kinds:
        raise PermissionDenied
    form = EndMembershipForm(
        request.POST or None,
        kinds=kinds,
        initial={
            "effective_on": timezone.localdate(),
            # A death is not decided by anyone; the committee decides the other endings.
            "decided_by": _committee_name(member) if len(kinds) > 1 else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_membership(
                request.user, member, version=request.POST.get("version"), **form.cleaned_data
            )
        except StaleVersion as exc:
            messages.error(request, exc.messages[0])
            return redirect("members:detail", member_id=member.pk)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The end of the membership was recorded."))
            return redirect("members:detail", member_id=member.pk)
    return _form_page(
        request,
        form,
        member,
        _("End the membership of %(name)s") % {"name": member.full_name},
        version=member.version,
    )


def _committee_name(member: Member) -> str:
    parent = Organisation.objects.get_parent(member.cell)
    return parent.name if parent is not None else ""


@login_required
def removals(request, code):
    """Removal of name in an organisation: the members the records point to, the proposals
    waiting for the committee, and the year's decisions."""
    org = get_or_404(visible_orgs(request.user, Perm.VIEW_MEMBER), code=code)
    year = _year(request)
    user = request.user
    candidates = queries.removal_candidates(org, year)
    proposals = list(queries.removal_proposals(org, year))
    rules = queries.membership_rules(org, min(datetime.date(year, 12, 31), timezone.localdate()))
    return render(
        request,
        "members/removals.html",
        {
            "org": org,
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "candidates": candidates,
            "proposals": proposals,
            "rules": rules.removal,
            "may_decide": can(user, Perm.DECIDE_MEMBERSHIP, org),
            "proposable": {
                c.member.pk for c in candidates if can(user, Perm.EDIT_MEMBER, c.member.cell)
            },
        },
    )


@login_required
def propose_removal(request, member_id):
    """The cell's proposal to remove a name, beside what the records show for the year."""
    member = _member(request, member_id)
    if not can(request.user, Perm.EDIT_MEMBER, member.cell):
        raise PermissionDenied
    form = RemovalProposalForm(request.POST or None, initial={"year": _year(request)})
    year = _year(request)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:
            actions.propose_removal(request.user, member, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The proposal was sent to the committee."))
            return redirect("members:detail", member_id=member.pk)
    rules = queries.membership_rules(
        member.cell, min(datetime.date(year, 12, 31), timezone.localdate())
    )
    return render(
        request,
        "members/removal_propose.html",
        {
            "member": member,
            "form": form,
            "year": year,
            "evidence": queries.removal_grounds(member, year),
            "rules": rules.removal,
            "title": _("Propose to remove the name of %(name)s") % {"name": member.full_name},
        },
    )


def _proposal(request, proposal_id) -> RemovalProposal:
    return get_or_404(
        RemovalProposal.objects.filter(
            member__in=visible_members(request.user, Perm.VIEW_MEMBER)
        ).select_related("member", "member__cell", "proposed_by", "decided_by"),
        pk=proposal_id,
    )


@login_required
def decide_removal(request, proposal_id):
    """The committee's decision on a proposal to remove a name."""
    proposal = _proposal(request, proposal_id)
    member = proposal.member
    if not can(request.user, Perm.DECIDE_MEMBERSHIP, member):
        raise PermissionDenied
    form = RemovalDecisionForm(request.POST or None, initial={"effective_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            actions.decide_removal(
                request.user,
                proposal,
                cd["remove"],
                cd["decision_number"],
                cd["note"],
                effective_on=cd["effective_on"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/removal_decide.html",
        {
            "proposal": proposal,
            "member": member,
            "form": form,
            "absent_months": proposal.absent_months,
            "unpaid_months": proposal.unpaid_months,
        },
    )


@login_required
def add_training(request, member_id):
    member = _member(request, member_id)
    if not can(request.user, Perm.EDIT_MEMBER, member.cell):
        raise PermissionDenied
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_training(request.user, member, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The course was recorded."))
            return redirect("members:detail", member_id=member.pk)
    return _form_page(
        request, form, member, _("Add a course of %(name)s") % {"name": member.full_name}
    )


@login_required
@require_POST
def remove_training(request, training_id):
    training = get_or_404(
        Training.objects.filter(member__in=visible_members(request.user, Perm.VIEW_MEMBER)),
        pk=training_id,
    )
    actions.remove_training(request.user, training)
    messages.success(request, _("The course was removed."))
    return redirect("members:detail", member_id=training.member_id)


def _award_date(request, org: Organisation, dates: list[datetime.date]) -> datetime.date:
    """The award date asked for (?on=yyyy-mm-dd), when it is one of the pack's; else the next."""
    try:
        asked = datetime.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return dates[0]
    rules = queries.membership_rules(org, asked).badges
    return asked if (asked.month, asked.day) in rules.award_days else dates[0]


@login_required
def badges(request, code):
    """Party badges in an organisation: who becomes eligible on an award date, with a button
    to award them under one decision, and older members with badges never recorded."""
    org = get_or_404(visible_orgs(request.user, Perm.VIEW_MEMBER), code=code)
    today = timezone.localdate()
    dates = queries.next_award_dates(org, today)
    on = _award_date(request, org, dates)
    may_award = can(request.user, Perm.DECIDE_MEMBERSHIP, org)
    form = BadgeAwardsForm(request.POST or None)
    listing = queries.badge_candidates(org, on)
    if request.method == "POST":
        if not may_award:
            raise PermissionDenied
        picked = set(request.POST.getlist("award"))
        chosen = [c for c in listing.due if f"{c.member.pk}:{c.years}" in picked]
        if not chosen:
            form.add_error(None, _("Tick the members to award."))
        elif form.is_valid():
            try:
                # All the badges of the decision, or none of them.
                with transaction.atomic():
                    for c in chosen:
                        actions.award_badge(
                            request.user,
                            c.member,
                            c.years,
                            on,
                            form.cleaned_data["decision_number"],
                        )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("%(n)s badges were recorded.") % {"n": len(chosen)})
                return redirect(f"{request.path}?on={on.isoformat()}")
    return render(
        request,
        "members/badges.html",
        {
            "org": org,
            "on": on,
            "dates": sorted(set(dates) | {on, listing.previous}),
            "listing": listing,
            "may_award": may_award,
            "form": form,
        },
    )


@login_required
def award_badge(request, member_id):
    member = _member(request, member_id)
    if not can(request.user, Perm.DECIDE_MEMBERSHIP, member):
        raise PermissionDenied
    today = timezone.localdate()
    rules = queries.membership_rules(member.cell, today).badges
    initial = {"years": request.GET.get("years"), "awarded_on": request.GET.get("on")}
    if not initial["awarded_on"]:
        initial["awarded_on"] = queries.next_award_dates(member.cell, today, 1)[0]
    form = BadgeForm(request.POST or None, years=rules.years, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.award_badge(request.user, member, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The badge was recorded."))
            return redirect("members:detail", member_id=member.pk)
    return _form_page(
        request, form, member, _("Award a party badge to %(name)s") % {"name": member.full_name}
    )


@login_required
def corrections(request, code):
    """The corrections the members of a cell (or of a committee's subtree) ask for."""
    org = get_or_404(visible_orgs(request.user, Perm.EDIT_MEMBER), code=code)
    return render(
        request,
        "members/corrections.html",
        {"org": org, "pending": queries.pending_corrections(org)},
    )


@login_required
def ask_correction(request, member_id):
    """A member asks for a correction of their own record and reads the cell's answers."""
    member = _member(request, member_id)
    if request.user.member_id != member.pk:
        raise PermissionDenied
    form = CorrectionForm(request.POST or None, initial={"field": request.GET.get("field")})
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_correction(request.user, member, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Your request was sent to the cell."))
            return redirect("members:ask_correction", member_id=member.pk)
    return render(
        request,
        "members/correction_ask.html",
        {"member": member, "form": form, "requests": member.corrections.all()},
    )


@login_required
def decide_correction(request, correction_id):
    correction = get_or_404(
        CorrectionRequest.objects.filter(
            member__in=visible_members(request.user, Perm.VIEW_MEMBER)
        ).select_related("member", "member__cell", "decided_by"),
        pk=correction_id,
    )
    if not can(request.user, Perm.EDIT_MEMBER, correction.member.cell):
        raise PermissionDenied
    form = CorrectionAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = form.cleaned_data["answer"]
        try:
            if request.POST.get("decision") == "approve":
                actions.approve_correction(request.user, correction, answer)
                done = _("The record was corrected.")
            else:
                actions.refuse_correction(request.user, correction, answer)
                done = _("The member will read your answer.")
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("members:corrections", code=correction.member.cell.code)
    return render(
        request,
        "members/correction_decide.html",
        {"correction": correction, "member": correction.member, "form": form},
    )
