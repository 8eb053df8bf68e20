"""The monthly roll-up of the meetings of every organisation's subtree.

MonthFigures rows are summaries, never entered: chibo.oversight.rollups writes a cell's rows
from the raw records, and adds the change to the rows of every committee above it, in the
same transaction as the write that changed those records; `chibo rollups verify`
recomputes them. Each column is a count, so that the figures of a subtree over a period
are the sum of its organisation's rows over the months, and shares are ratios of sums.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.orgs.models import Organisation

# The quality levels of every meetings pack, best first (a test keeps the packs to these).
QUALITY_LEVELS = ("good", "fair", "average", "weak")
# Their names, with the meetings held but not scored.
QUALITY_LABELS = {
    "good": _("Good"),
    "fair": _("Fair"),
    "average": _("Average"),
    "weak": _("Weak"),
    "unscored": _("Not scored"),
}


class MonthFigures(models.Model):
    """One month of an organisation's subtree, counted: for a cell, its own meetings; for a
    committee, the sum of the cells under it. A dashboard reads a few of these rows
    whatever the size of the subtree."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # The organisation's path, copied so that the cells' rows of a subtree are summed
    # without a join; rewritten when it moves in the tree.
    path = models.CharField(max_length=255)
    is_cell = models.BooleanField()
    month = models.DateField()  # the first day
    # The month's regular meeting: held (closed or signed), and held on the set day.
    regular_held = models.PositiveIntegerField(default=0)
    regular_on_day = models.PositiveIntegerField(default=0)
    # Thematic meetings held this month; 1 in the month of the quarter's first one, so
    # that summing a quarter's rows counts the cells with at least one.
    thematic_held = models.PositiveIntegerField(default=0)
    thematic_first_in_quarter = models.PositiveIntegerField(default=0)
    meetings_held = models.PositiveIntegerField(default=0)
    # Members expected and present at the meetings held, exempted and temporary excluded.
    attendance_expected = models.PositiveIntegerField(default=0)
    attendance_present = models.PositiveIntegerField(default=0)
    # Meetings held by quality level (scored ones only).
    level_good = models.PositiveIntegerField(default=0)
    level_fair = models.PositiveIntegerField(default=0)
    level_average = models.PositiveIntegerField(default=0)
    level_weak = models.PositiveIntegerField(default=0)
    # Minutes of the meetings held: signed, and signed within the pack's deadline.
    minutes_signed = models.PositiveIntegerField(default=0)
    minutes_on_time = models.PositiveIntegerField(default=0)
    # Resolution tasks due this month, and those done by their due date.
    tasks_due = models.PositiveIntegerField(default=0)
    tasks_on_time = models.PositiveIntegerField(default=0)
    # Candidates admitted by a decision dated this month.
    admissions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month"], name="monthfigures_one_per_month"
            )
        ]
        indexes = [models.Index(fields=["is_cell", "month", "path"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%m/%Y}"


# The counted columns.
COUNTS = (
    "regular_held",
    "regular_on_day",
    "thematic_held",
    "thematic_first_in_quarter",
    "meetings_held",
    "attendance_expected",
    "attendance_present",
    *(f"level_{key}" for key in QUALITY_LEVELS),
    "minutes_signed",
    "minutes_on_time",
    "tasks_due",
    "tasks_on_time",
    "admissions",
)
