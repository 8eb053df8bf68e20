"""Cell meetings (sinh hoạt chi bộ) from plan to signed minutes.

A meeting is planned, prepared (agenda, materials, invitations), held (check-in, opinions,
votes), closed, recorded in minutes that the chair and the minute-taker sign, and scored.
Its resolution's tasks are reviewed at the next meeting.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chibo.members.models import Member
from chibo.orgs.models import Organisation


class Kind(models.TextChoices):
    REGULAR = "regular", _("Regular meeting")
    THEMATIC = "thematic", _("Thematic meeting")
    REGULAR_THEMATIC = "regular_thematic", _("Regular and thematic meeting")
    EXTRAORDINARY = "extraordinary", _("Extraordinary meeting")
    COMMITTEE = "committee", _("Cell committee meeting")


REGULAR_KINDS = (Kind.REGULAR, Kind.REGULAR_THEMATIC)
THEMATIC_KINDS = (Kind.THEMATIC, Kind.REGULAR_THEMATIC)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Held, minutes not signed")
    SIGNED = "signed", _("Minutes signed")
    CANCELLED = "cancelled", _("Cancelled")


def new_checkin_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


class Meeting(models.Model):
    """One meeting of a cell."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("cell"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # The month a regular meeting belongs to (its first day); a moved meeting keeps its month.
    period = models.DateField(_("month"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=255, blank=True, default="")
    moved_reason = models.CharField(
        _("reason for another day"), max_length=500, blank=True, default=""
    )
    topic = models.CharField(_("topic"), max_length=500, blank=True, default="")
    presenter = models.ForeignKey(
        Member,
        verbose_name=_("presenter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    preparer = models.ForeignKey(
        Member,
        verbose_name=_("prepared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chair = models.ForeignKey(
        Member,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    minute_taker = models.ForeignKey(
        Member,
        verbose_name=_("minute-taker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice_sent_at = models.DateTimeField(_("members notified at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    cancelled_reason = models.CharField(max_length=500, blank=True, default="")
    checkin_code = models.CharField(max_length=6, default=new_checkin_code, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["organisation", "scheduled_at"])]
        constraints = [
            # One regular meeting a month per cell; a moved one keeps its month.
            models.UniqueConstraint(
                fields=["organisation", "period"],
                condition=Q(kind__in=["regular", "regular_thematic"]) & ~Q(status="cancelled"),
                name="one_regular_meeting_a_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scheduled_at:%d/%m/%Y} — {self.organisation}"

    @property
    def is_thematic(self) -> bool:
        return self.kind in THEMATIC_KINDS

    @property
    def is_regular(self) -> bool:
        return self.kind in REGULAR_KINDS

    @property
    def duration_minutes(self) -> int | None:
        if self.started_at and self.ended_at:
            return int((self.ended_at - self.started_at).total_seconds() // 60)
        return None


class AgendaItem(models.Model):
    """One item of a meeting's agenda, from the pack's template, editable."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=40, blank=True, default="")
    title = models.CharField(_("title"), max_length=255)
    notes = models.TextField(_("content"), blank=True, default="")
    conclusion = models.TextField(_("conclusion"), blank=True, default="")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT_EXCUSED = "absent_excused", _("Absent with reason")
    ABSENT_UNEXCUSED = "absent_unexcused", _("Absent without reason")
    EXEMPTED = "exempted", _("Exempted")


PRESENT_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class AbsenceRequest(models.TextChoices):
    NONE = "", _("None")
    PENDING = "pending", _("Waiting for the secretary")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class Attendance(models.Model):
    """A member's place in one meeting: invited, checked in, excused or absent."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")
    # Official or probationary when invited: only official members vote.
    was_official = models.BooleanField(default=True)
    # A member of another cell transferred here temporarily (chibo.transfers): invited, checks
    # in and may speak, but is not counted in the cell's membership, attendance, quorum or votes.
    temporary = models.BooleanField(_("takes part temporarily"), default=False)
    status = models.CharField(
        max_length=20, choices=AttendanceStatus.choices, default=AttendanceStatus.EXPECTED
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by_self = models.BooleanField(default=False)
    absence_reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    absence_request = models.CharField(
        max_length=10, choices=AbsenceRequest.choices, blank=True, default=AbsenceRequest.NONE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_row")
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_status_display()}"

    @property
    def is_present(self) -> bool:
        return self.status in PRESENT_STATUSES


class Guest(models.Model):
    """Someone at the meeting who is not a member of the cell."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("position"), max_length=255, blank=True, default="")
    # The higher committee's member who follows this cell (cấp ủy viên phụ trách).
    is_follower = models.BooleanField(_("follows the cell for the higher committee"), default=False)

    def __str__(self) -> str:
        return self.name


class Opinion(models.Model):
    """What a member said, or wrote in advance, on an agenda item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="opinions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="opinions"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="opinions")
    text = models.TextField(_("opinion"))
    prepared = models.BooleanField(_("posted before the meeting"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.member}: {self.text[:40]}"


class VoteKind(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution")
    ADMISSION = "admission", _("Admission of a candidate")
    RECOGNITION = "recognition", _("Recognition as an official member")
    REVIEW = "review", _("Annual review of a member")
    OTHER = "other", _("Other decision")

    @classmethod
    def threshold_of(cls, kind: str) -> str:
        """The pack threshold a vote of this kind needs: admission and recognition have
        their own; every other decision passes as a resolution does."""
        return kind if kind in (cls.ADMISSION, cls.RECOGNITION) else cls.RESOLUTION


class Vote(models.Model):
    """A vote and its result under the pack in force; the rule that decided it is kept."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes"
    )
    subject = models.CharField(_("subject"), max_length=500)
    kind = models.CharField(max_length=20, choices=VoteKind.choices, default=VoteKind.RESOLUTION)
    by_name = models.BooleanField(_("recorded by name"), default=False)
    agree = models.PositiveIntegerField(_("agree"))
    disagree = models.PositiveIntegerField(_("disagree"))
    abstain = models.PositiveIntegerField(_("abstain"))
    eligible = models.PositiveIntegerField(_("eligible"))
    passed = models.BooleanField()
    rule = models.CharField(max_length=255)
    summary = models.CharField(max_length=255)
    pack_id = models.CharField(max_length=60)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.subject}: {self.summary}"


class Ballot(models.Model):
    """One member's choice in a vote recorded by name."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        ABSTAIN = "abstain", _("Abstain")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10, choices=Choice.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "member"], name="one_ballot")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.choice}"


class Task(models.Model):
    """A task of a meeting's resolution, with its assignees, due date and review."""

    class Status(models.TextChoices):
        OPEN = "open", _("Not reviewed yet")
        DONE = "done", _("Done")
        LATE = "late", _("Done late")
        NOT_DONE = "not_done", _("Not done")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=500)
    deliverable = models.CharField(
        _("what is to be delivered"), max_length=500, blank=True, default=""
    )
    due_on = models.DateField(_("due on"))
    assignees = models.ManyToManyField(Member, verbose_name=_("assigned to"), related_name="tasks")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reviewed_in = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_tasks"
    )
    review_note = models.CharField(_("note"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title


def material_path(material: "Material", filename: str) -> str:
    return f"materials/{material.meeting.organisation_id}/{material.meeting_id}/{filename}"


class Material(models.Model):
    """A document for a meeting; members see it once it is released."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to=material_path)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class MaterialOpening(models.Model):
    """The first time a member opened a material."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="openings")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["material", "member"], name="one_opening")]

    def __str__(self) -> str:
        return f"{self.material_id} {self.member_id} {self.opened_at}"


class Minutes(models.Model):
    """The minutes (biên bản) of a meeting: generated from the record, signed, then frozen."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    # The narrative parts the minute-taker writes; everything else comes from the record.
    opening = models.TextField(_("opening"), blank=True, default="")
    summary = models.TextField(_("summary of the discussion"), blank=True, default="")
    conclusion = models.TextField(_("conclusion"), blank=True, default="")
    # Frozen at signing: the canonical content, its hash, and the hash of the cell's previous
    # signed minutes, so that any change behind the application's back breaks the chain.
    content = models.JSONField(null=True, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.meeting)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class Signature(models.Model):
    """The chair's or the minute-taker's signature on the minutes or on an addendum."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MINUTE_TAKER = "minute_taker", _("Minute-taker")

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="signatures")
    addendum = models.ForeignKey(
        "Addendum", null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "role"],
                condition=Q(addendum__isnull=True),
                name="one_signature_per_role",
            ),
            models.UniqueConstraint(
                fields=["addendum", "role"],
                condition=Q(addendum__isnull=False),
                name="one_addendum_signature_per_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member_id} {self.signed_at}"


class Addendum(models.Model):
    """A signed correction to signed minutes; the minutes themselves never change."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField(_("correction"))
    created_at = models.DateTimeField(auto_now_add=True)
    content_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class QualityScore(models.Model):
    """The meeting's quality score under the pack in force on its date."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="score")
    pack_id = models.CharField(max_length=60)
    items = models.JSONField(default=list)
    manual = models.JSONField(default=dict)
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    level = models.CharField(max_length=20, blank=True, default="")
    level_label = models.CharField(max_length=60, blank=True, default="")
    assessor = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    def __str__(self) -> str:
        return f"{self.meeting}: {self.total} {self.level_label}"


class CalendarFeed(models.Model):
    """A member's private iCal feed: whoever holds the token reads the member's meetings."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.member} ({self.created_at:%d/%m/%Y})"
