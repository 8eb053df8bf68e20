"""The official forms as DOCX downloads: a member's self-review, an organisation's report
(form 01) and the summary of a subtree's levels. Thin, over chibo.reviews.documents; what a
user may not see answers 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone

from chibo.accounts.policy import Perm
from chibo.members.models import Member
from chibo.orgs.models import Organisation
from chibo.orgs.queries import get_visible
from chibo.reviews import documents, queries
from chibo.reviews.actions import in_round, rules_of
from chibo.reviews.models import MemberReview, OrganisationReview, ReviewRound
from chibo.web.helpers import get_or_404


def _docx(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=documents.DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _round(round_id) -> ReviewRound:
    return get_or_404(ReviewRound.objects.select_related("organisation"), pk=round_id)


@login_required
def member_form(request, round_id, member_id):
    """The member's self-review on its form; blank, with the record, before it is written."""
    review_round = _round(round_id)
    member = get_or_404(Member.objects.select_related("cell"), pk=member_id)
    review = (
        MemberReview.objects.filter(round=review_round, member=member)
        .select_related("cell", "proposal_vote", "proposal_meeting", "confirmation")
        .first()
    )
    if review is None:
        reviewed = in_round(review_round, member.cell) and member.status in (
            rules_of(review_round).member_statuses
        )
        if not reviewed:
            raise Http404
        # Who may see it is decided as for the review it will be.
        check = MemberReview(round=review_round, member=member, cell=member.cell)
    else:
        check = review
    if not queries.may_view(request.user, check):
        raise Http404
    body = documents.member_form(review_round, member, review, form_key=request.GET.get("form", ""))
    return _docx(body, documents.member_filename(review_round, member))


@login_required
def org_form(request, round_id, code):
    """Form 01 of an organisation reviewed in the round: for those who see its reviews and
    for the organisation above that decides its level."""
    review_round = _round(round_id)
    org = get_or_404(Organisation.objects.all(), code=code)
    if org.pk == review_round.organisation_id or not in_round(review_round, org):
        raise Http404
    if not queries.may_view_report(request.user, org):
        raise Http404
    review = (
        OrganisationReview.objects.filter(round=review_round, organisation=org)
        .select_related("confirmation")
        .first()
    )
    if review is None and org.closed_on is not None:
        raise Http404
    body = documents.org_form(review_round, org, review)
    return _docx(body, documents.org_filename(review_round, org))


@login_required
def results_document(request, code):
    """The confirmed levels of a subtree for a year (?year=, the latest year with a round by
    default), beside the years before."""
    try:
        org = get_visible(request.user, code, Perm.VIEW_REVIEWS)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc
    years = queries.years_with_rounds(org)
    asked = request.GET.get("year", "")
    if asked:
        try:
            year = int(asked)
        except ValueError as exc:
            raise Http404 from exc
        if year not in years:
            raise Http404
    else:
        year = years[0] if years else timezone.localdate().year
    body = documents.results_document(org, year)
    return _docx(body, documents.results_filename(org, year))
