"""This app's part of the member's and the organisation's pages (see chibo/web/panels.py):
the member's confirmed levels by year and their open review, and the organisation's
annual review."""

from django.urls import reverse
from django.utils.translation import gettext as _

from chibo.accounts.policy import Perm, can
from chibo.reviews import queries
from chibo.reviews.actions import rules_of
from chibo.reviews.models import Stage


def member_panel(request, member) -> dict | None:
    """For the member and those who see the reviews of their cell."""
    user = request.user
    own = user.member_id is not None and user.member_id == member.pk
    if not (own or can(user, Perm.VIEW_REVIEWS, member.cell)):
        return None
    results = []
    for review in queries.member_results(member):
        level = rules_of(review.round).level(review.level)
        results.append({"year": review.round.year, "title": level.label, "short": level.short})
    stages = dict(Stage.choices)
    open_reviews = [
        {
            "year": review_round.year,
            "stage": stages[review.stage] if review else _("Not started"),
            "url": reverse("reviews:member_review", args=[review_round.pk, member.pk]),
        }
        for review_round, review in queries.open_reviews_of(member)
    ]
    if not results and not open_reviews:
        return None
    return {"results": results, "open": open_reviews}


def org_links(request, org) -> list[tuple[str, str]]:
    if not can(request.user, Perm.VIEW_REVIEWS, org):
        return []
    return [(_("Annual review"), reverse("reviews:org_reviews", args=[org.code]))]
