"""The seeds' inspection work: bulk rows that keep the actions' rules, in few queries."""

import datetime
import random

import pytest

from chibo.oversight import inspection as work
from chibo.oversight.inspection_seeding import seed_inspections
from chibo.oversight.models import (
    STEPS,
    Complaint,
    ComplaintKind,
    DisciplineDecision,
    Inspection,
    InspectionPlan,
)
from chibo.regulations.loader import pack_by_id
from tests.fixtures import make_member

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def seeded(clock, tree, members, system, django_assert_max_num_queries):
    for cell in ("A", "B", "S", "T"):
        for i in range(4):
            make_member(system, tree[cell], f"Đảng viên {cell} {i}")
    with django_assert_max_num_queries(30):
        counts = seed_inspections(tree["P"], TODAY, random.Random(7))
    return counts


def test_the_seed_writes_plans_inspections_complaints_and_discipline(seeded, tree):
    assert seeded["inspection_plans"] == InspectionPlan.objects.count() >= 3
    assert seeded["inspections"] == Inspection.objects.count() >= 8
    assert seeded["discipline"] == DisciplineDecision.objects.count() >= 3
    assert seeded["complaints"] == Complaint.objects.count() >= 3
    assert seeded["overdue_complaints"] >= 1
    assert DisciplineDecision.objects.filter(subject_org__isnull=False).count() == 1
    assert Complaint.objects.filter(kind=ComplaintKind.STATE_NOTICE).count() == 1


def test_the_seeded_rows_keep_the_actions_rules(seeded):
    for inspection in Inspection.objects.select_related("organisation", "plan"):
        days = [getattr(inspection, field) for _step, field, _state in STEPS]
        recorded = [d for d in days if d is not None]
        assert days[: len(recorded)] == recorded == sorted(recorded)
        assert not recorded or recorded[-1] <= TODAY
        assert inspection.plan.organisation_id == inspection.organisation_id
        subject = inspection.subject
        path = subject.path if inspection.subject_org_id else subject.cell.path
        assert path.startswith(inspection.organisation.path)
        assert path != inspection.organisation.path
        if inspection.concluded_on:
            group = "supervision" if inspection.is_supervision else "inspection"
            assert inspection.result in work.RESULTS[group] and inspection.conclusion
    for decision in DisciplineDecision.objects.select_related("decided_by"):
        allowed = work.allowed_forms(decision.decided_by, decision.subject, decision.decided_on)
        assert decision.form in allowed and decision.decided_on <= TODAY
    for complaint in Complaint.objects.select_related("organisation"):
        rules = pack_by_id(complaint.pack_id).discipline
        if complaint.kind == ComplaintKind.DENUNCIATION and complaint.sender:
            level = complaint.organisation.level
            assert complaint.due_on == rules.due_on(complaint.kind, complaint.received_on, level)
        else:
            assert complaint.due_on is None
        assert complaint.handled_on is None or complaint.received_on <= complaint.handled_on


def test_the_seed_gives_the_same_rows_for_the_same_seed(seeded, tree):
    rows = list(Inspection.objects.order_by("pk").values_list("kind", "notice_on", "result"))
    Complaint.objects.all().delete()
    DisciplineDecision.objects.all().delete()
    Inspection.objects.all().delete()
    InspectionPlan.objects.all().delete()
    seed_inspections(tree["P"], TODAY, random.Random(7))
    again = list(Inspection.objects.order_by("pk").values_list("kind", "notice_on", "result"))
    assert again == rows
