"""Objects the transfer tests walk: transfers on the way out of and into cell A, a temporary
stay already under way, and a residence registration with its contact and comment."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chibo.audit.models import AuditEvent
from chibo.meetings.models import Attendance
from chibo.members.models import Member, MembershipPeriod
from chibo.transfers import actions
from chibo.transfers.models import (
    ResidenceComment,
    ResidenceContact,
    ResidenceRegistration,
    Transfer,
)
from chibo.transfers.rules import add_months

DAY = datetime.timedelta(days=1)
CELL_A = {"member_A", "committee_A", "deputy_A", "secretary_A"}
ABOVE_A = {"standing_X", "staff_X", "inspection_X", "admin_P"}
SEE_A = (CELL_A - {"member_A"}) | ABOVE_A
EDIT_A = {"deputy_A", "secretary_A", "staff_X", "admin_P"}
EDIT_X = {"staff_X", "admin_P"}  # S and B are reached from X


def pdf():
    return SimpleUploadedFile("thu.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def world(system, tree, members, users, settings, tmp_path, today):
    settings.MEDIA_ROOT = tmp_path
    out = actions.issue_transfer(
        system,
        members["an"],
        kind="official",
        reason="job",
        event_on=today - 10 * DAY,
        letter_number="12-GGT/CB",
        letter_date=today - 5 * DAY,
        to_org=tree["T"],
        letter_file=pdf(),
    )
    incoming = actions.issue_transfer(
        system,
        members["tung"],
        kind="temporary",
        reason="job",
        event_on=today - 3 * DAY,
        letter_number="7-GGT/CB",
        letter_date=today - 3 * DAY,
        to_org=tree["A"],
        ends_on=add_months(today - 3 * DAY, 6),
    )
    away = actions.issue_transfer(
        system,
        members["duc"],
        kind="temporary",
        reason="training",
        event_on=today - 20 * DAY,
        letter_number="9-GGT/CB",
        letter_date=today - 20 * DAY,
        to_org=tree["B"],
        ends_on=add_months(today - 20 * DAY, 10),
    )
    actions.accept_transfer(system, away, accepted_on=today - 15 * DAY)
    registration = actions.register_residence(
        system,
        members["an"],
        tree["S"],
        address="thôn Lũng Cú, xã Đồng Văn",
        registered_on=today - 400 * DAY,
    )
    actions.record_contact(system, registration, today - 300 * DAY, "Gặp mặt tại nhà văn hóa")
    actions.write_comment(system, registration, year=today.year - 1, text="Gương mẫu nơi cư trú.")
    return {
        "out": out.pk,
        "incoming": incoming.pk,
        "away": away.pk,
        "reg": registration.pk,
    }


def snapshot():
    """Everything a transfer or residence write could change."""
    return (
        list(Transfer.objects.order_by("pk").values()),
        list(Member.objects.order_by("pk").values()),
        list(MembershipPeriod.objects.order_by("pk").values()),
        list(ResidenceRegistration.objects.order_by("pk").values()),
        list(ResidenceContact.objects.order_by("pk").values()),
        list(ResidenceComment.objects.order_by("pk").values()),
        list(Attendance.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )
