"""The annual review and classification of members and party organisations (QĐ 366-QĐ/TW).

A committee opens a round (ReviewRound) for its subtree and a year, under the reviews pack in
force that day; the round keeps its pack for good. Each member writes a self-review on the
form that fits them (MemberReview: 2A, 2B or 2C); the cell discusses it in a meeting and
votes its proposal; the grassroots organisation decides the level. Each organisation below
the committee writes its report (OrganisationReview: form 01), drafted from its year's
records; the standing committee of its immediate superior decides its level. A deciding
organisation confirms its decisions all at once (ReviewConfirmation), which checks the quota
of "excellent"; confirmed decisions are the results.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.meetings.models import Meeting, Vote
from chibo.members.models import Member
from chibo.orgs.models import Organisation


class Level(models.TextChoices):
    """The four levels (chibo.regulations.reviews.LEVELS); a pack gives their titles."""

    EXCELLENT = "excellent", _("Excellently completed tasks")
    GOOD = "good", _("Well completed tasks")
    COMPLETED = "completed", _("Completed tasks")
    NOT_COMPLETED = "not_completed", _("Did not complete tasks")


LEVEL_SHORT = {
    Level.EXCELLENT: "HTXSNV",
    Level.GOOD: "HTTNV",
    Level.COMPLETED: "HTNV",
    Level.NOT_COMPLETED: "KHTNV",
}


class Stage(models.TextChoices):
    """How far a review has gone; a member with no review yet has not started."""

    DRAFT = "draft", _("Self-review being written")
    SUBMITTED = "submitted", _("Self-review submitted")
    PROPOSED = "proposed", _("Proposed by the cell")
    DECIDED = "decided", _("Decided, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")


class ReviewRound(models.Model):
    """A committee's review of its subtree for a year."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="review_rounds"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    pack_id = models.CharField(max_length=60)
    opened_on = models.DateField(_("opened on"))
    self_review_until = models.DateField(_("self-reviews by"))
    proposals_until = models.DateField(_("cell meetings by"))
    decisions_until = models.DateField(_("decisions by"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year", "organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_round_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class _Assessment(models.Model):
    """What a member review and an organisation review share: the self-assessment with its
    points and the year's task figures, the decision and its confirmation."""

    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.DRAFT)
    form = models.CharField(_("form"), max_length=4)
    sections = models.JSONField(default=dict, blank=True)  # section key -> text
    self_points = models.JSONField(default=dict, blank=True)  # criterion key -> points
    self_total = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    self_level = models.CharField(max_length=16, choices=Level.choices, blank=True, default="")
    # The year's tasks as the reviewed report them, in percent of the tasks given.
    tasks_done_percent = models.PositiveSmallIntegerField(_("tasks done (%)"), null=True)
    tasks_on_time_percent = models.PositiveSmallIntegerField(_("tasks done on time (%)"), null=True)
    tasks_exceeded_percent = models.PositiveSmallIntegerField(
        _("tasks done beyond what was asked (%)"), null=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.CharField(
        _("level"), max_length=16, choices=Level.choices, blank=True, default=""
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(_("note"), max_length=1000, blank=True, default="")
    confirmation = models.ForeignKey(
        "ReviewConfirmation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The year's record as it stood when the decision was confirmed; read live until then.
    record = models.JSONField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def is_confirmed(self) -> bool:
        return self.confirmation_id is not None


class MemberReview(_Assessment):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="member_reviews")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="reviews")
    # The member's home cell when the review was last written; it decides who proposes and
    # who decides, and stays as it was once the decision is confirmed.
    cell = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The cell's proposal, voted in a meeting.
    proposed_points = models.JSONField(default=dict, blank=True)
    proposed_total = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    proposed_level = models.CharField(
        _("proposed level"), max_length=16, choices=Level.choices, blank=True, default=""
    )
    cell_comment = models.TextField(_("the cell's comment"), blank=True, default="")
    proposal_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal_vote = models.ForeignKey(
        Vote, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["member__name_folded", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="one_review_a_member")
        ]
        indexes = [models.Index(fields=["round", "level"])]

    def __str__(self) -> str:
        return f"{self.member} {self.round.year}"


class OrganisationReview(_Assessment):
    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="organisation_reviews"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reviews")
    # The report's figures drafted from the year's records, frozen when it is submitted.
    report = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["organisation__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organisation"], name="one_review_an_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.round.year}"


class Subject(models.TextChoices):
    MEMBER = "member", _("Members")
    ORGANISATION = "organisation", _("Organisations")


class ReviewConfirmation(models.Model):
    """A deciding organisation confirms all its decisions of a round for members or for
    organisations at once, within the quota."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="confirmations")
    decider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=12, choices=Subject.choices)
    confirmed_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(default=dict)  # level -> how many

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "decider", "subject"], name="one_confirmation")
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.decider} {self.subject}"


AUDIT_LABELS = {
    "review.open": _("Review round opened"),
    "review.dates": _("Review round dates changed"),
    "review.close": _("Review round closed"),
    "review.self": _("Self-review saved"),
    "review.submit": _("Self-review submitted"),
    "review.propose": _("Level proposed by the cell"),
    "review.report": _("Organisation's report saved"),
    "review.report_submit": _("Organisation's report submitted"),
    "review.decide": _("Level decided"),
    "review.confirm": _("Review decisions confirmed"),
}
