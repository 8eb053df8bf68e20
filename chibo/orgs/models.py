"""The organisation tree: committees and cells from the Central level down."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from chibo.text import fold


class Level(models.TextChoices):
    """Where an organisation stands in the Party's structure."""

    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Provincial committee")
    SUPERIOR = "superior", _("Commune-level or other committee")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Grassroots committee")
    GRASSROOTS_CELL = "grassroots_cell", _("Grassroots cell")
    INTERMEDIATE = "intermediate", _("Intermediate committee")
    CELL = "cell", _("Subordinate cell")


CELL_LEVELS = (Level.GRASSROOTS_CELL, Level.CELL)
GRASSROOTS_LEVELS = (Level.GRASSROOTS_COMMITTEE, Level.GRASSROOTS_CELL)

# Which levels may stand directly under which. Depth is not fixed: a commune committee may
# sit under another upper committee, an intermediate committee under another one.
ALLOWED_PARENTS: dict[str, tuple[str | None, ...]] = {
    Level.CENTRAL: (None,),
    Level.PROVINCE: (Level.CENTRAL,),
    Level.SUPERIOR: (Level.PROVINCE, Level.SUPERIOR),
    Level.GRASSROOTS_COMMITTEE: (Level.CENTRAL, Level.PROVINCE, Level.SUPERIOR),
    Level.GRASSROOTS_CELL: (Level.CENTRAL, Level.PROVINCE, Level.SUPERIOR),
    Level.INTERMEDIATE: (Level.GRASSROOTS_COMMITTEE, Level.INTERMEDIATE),
    Level.CELL: (Level.GRASSROOTS_COMMITTEE, Level.INTERMEDIATE),
}


class CellType(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    AGENCY = "agency", _("Agency")
    PUBLIC_SERVICE = "public_service", _("Public-service unit")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    ARMED_FORCES = "armed_forces", _("Armed forces")
    OTHER = "other", _("Other")


class Organisation(MP_Node):
    """A party organisation (tổ chức đảng): a committee (đảng bộ) or a cell (chi bộ)."""

    steplen = 4
    node_order_by = []

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        # Codes stand in page addresses: letters, digits, dot, dash and underscore only.
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9._-]+$",
                _("Use only letters without marks, digits, dots, dashes and underscores."),
            )
        ],
    )
    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    cell_type = models.CharField(
        _("type"), max_length=20, choices=CellType.choices, blank=True, default=""
    )
    place = models.CharField(_("place"), max_length=255, blank=True, default="")
    # Day of the month of the regular meeting; empty means "as the level above sets it".
    meeting_day = models.PositiveSmallIntegerField(_("meeting day"), null=True, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def is_cell(self) -> bool:
        return self.level in CELL_LEVELS

    @property
    def kind(self) -> str:
        """Return "cell" or "committee" (chi bộ or đảng bộ)."""
        return "cell" if self.is_cell else "committee"

    @property
    def is_grassroots(self) -> bool:
        return self.level in GRASSROOTS_LEVELS

    @property
    def is_active(self) -> bool:
        return self.closed_on is None

    def effective_meeting_day(self, default: int = 3) -> int:
        """Return the regular meeting day set here or on the nearest ancestor."""
        if self.meeting_day:
            return self.meeting_day
        for ancestor in reversed(
            list(Organisation.objects.get_ancestors(self).only("meeting_day"))
        ):
            if ancestor.meeting_day:
                return ancestor.meeting_day
        return default


class OrgChange(models.Model):
    """One step of an organisation's history: founded, renamed, moved, merged, split, closed."""

    class Kind(models.TextChoices):
        FOUNDED = "founded", _("Founded")
        RENAMED = "renamed", _("Renamed")
        MOVED = "moved", _("Moved")
        MERGED_INTO = "merged_into", _("Merged into another organisation")
        ABSORBED = "absorbed", _("Took in a merged organisation")
        SPLIT_OFF = "split_off", _("Part split off into a new organisation")
        SPLIT_FROM = "split_from", _("Created by a split")
        CLOSED = "closed", _("Closed")
        EDITED = "edited", _("Details changed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    effective_on = models.DateField(_("effective on"))
    other = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the organisation looked like before: name, parent code and path, so that reports of a
    # past period can follow the tree as it was.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("organisation change")
        verbose_name_plural = _("organisation changes")

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_kind_display()} {self.effective_on}"
