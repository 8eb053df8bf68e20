"""Inspection, supervision and discipline for the seeds: a yearly plan for some committees,
inspections at every step (some concluded), a few denunciations (one past its due day, some
anonymous) and a state body's notice, and a few discipline decisions on members and one on
an organisation.

Written in bulk, as the actions would write them: steps in order and never after today, a
form the pack allows for the subject on the day, due days from the discipline pack in force
on the day received. One query per committee chosen, so a province seeds as fast as the demo.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from chibo.members.models import Member, Status
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.oversight.inspection import OUTCOMES, RESULTS, subject_kind
from chibo.oversight.models import (
    STEPS,
    SUPERVISION_KINDS,
    Complaint,
    ComplaintKind,
    DisciplineDecision,
    DisciplineForm,
    Inspection,
    InspectionKind,
    InspectionPlan,
)
from chibo.regulations.loader import Pack, PackNotFound, pack_for

# The committees with a plan: the root and at most this many others.
PLANNING_COMMITTEES = 10
INSPECTIONS_PER_PLAN = 4
TOPICS = (
    "Việc chấp hành nguyên tắc tập trung dân chủ, quy chế làm việc",
    "Thực hiện Chỉ thị 50-CT/TW về nâng cao chất lượng sinh hoạt chi bộ",
    "Việc thu, nộp, quản lý và sử dụng đảng phí",
    "Việc tu dưỡng, rèn luyện đạo đức, lối sống của đảng viên",
    "Thực hiện nghị quyết của chi bộ về phát triển kinh tế thôn",
    "Việc giữ mối liên hệ với chi ủy và nhân dân nơi cư trú",
)
REASONS = (
    "Vi phạm quy định về những điều đảng viên không được làm",
    "Không chấp hành sự phân công của tổ chức đảng",
    "Vi phạm quy định về quản lý, sử dụng đất đai",
)
DENUNCIATIONS = (
    "Phản ánh đảng viên sử dụng đất công sai mục đích",
    "Tố cáo đảng viên thiếu trung thực trong kê khai tài sản",
    "Phản ánh việc lấy ý kiến nhân dân không đúng quy định",
)
CONCLUSION = "Kết luận của đoàn kiểm tra đã được thông báo đến tổ chức đảng và đảng viên."


@dataclass(frozen=True)
class _Org:
    pk: int
    path: str
    level: str


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _pack_on(root: Organisation, day: datetime.date) -> Pack | None:
    try:
        return pack_for(root, day, subject="discipline")
    except PackNotFound:
        return None


def _members_below(rng: random.Random, cells: list[_Org], count: int) -> list[Member]:
    """Up to count current members from a few of the cells: one query."""
    chosen = rng.sample(cells, min(len(cells), 6))
    members = list(
        Member.objects.filter(
            cell_id__in=[c.pk for c in chosen],
            status__in=(Status.OFFICIAL, Status.PROBATIONARY),
        )
        .only("id", "status", "official_on", "cell_id")
        .order_by("id")[:60]
    )
    return rng.sample(members, min(len(members), count))


def _inspection(rng, committee, kind, subject, topic, first, today) -> Inspection:
    """An inspection that went as far as a random step, its days in order up to today."""
    fields: dict = {}
    day = _day_between(rng, first, today)
    for _step, field, _state in STEPS[: rng.choice((0, 1, 2, 3, 4, 4, 4))]:
        if day > today:
            break
        fields[field] = day
        day += datetime.timedelta(days=rng.randint(3, 15))
    if "concluded_on" in fields:
        results = RESULTS["supervision" if kind in SUPERVISION_KINDS else "inspection"]
        # Most find nothing or shortcomings; some find signs of violation, or a violation.
        fields["result"] = rng.choice((results[0], results[1], results[1], results[2]))
        fields["conclusion"] = CONCLUSION
    if isinstance(subject, Member):
        fields["subject_member"] = subject
    else:
        fields["subject_org_id"] = subject.pk
    return Inspection(organisation_id=committee.pk, kind=kind, topic=topic, **fields)


def _received(
    rng, pack, org, kind, received_on, member, sender, summary, today, state_decided_on=None
) -> Complaint:
    """What org received: a denunciation due by the pack (none when anonymous and the pack
    does not handle those), handled within 5–20 days when those have passed."""
    due = None
    if kind == ComplaintKind.DENUNCIATION and (
        sender or pack.discipline.handle_anonymous_denunciations
    ):
        due = pack.discipline.due_on(kind, received_on, org.level)
    complaint = Complaint(
        kind=kind,
        organisation_id=org.pk,
        received_on=received_on,
        sender=sender,
        subject_member=member,
        summary=summary,
        state_decided_on=state_decided_on,
        pack_id=pack.id,
        due_on=due,
    )
    handled_on = received_on + datetime.timedelta(days=rng.randint(5, 20))
    if (due or kind == ComplaintKind.STATE_NOTICE) and handled_on <= today:
        complaint.handled_on = handled_on
        complaint.outcome = rng.choice(OUTCOMES[kind])
        complaint.outcome_note = "Đã xác minh, kết luận và thông báo kết quả."
    return complaint


@transaction.atomic
def seed_inspections(root: Organisation, today: datetime.date, rng: random.Random) -> dict:
    """Seed the work of inspection and supervision under root up to today; return counts."""
    pack = _pack_on(root, today)
    orgs = [
        _Org(*row)
        for row in Organisation.objects.filter(path__startswith=root.path, closed_on__isnull=True)
        .order_by("path")
        .values_list("pk", "path", "level")
    ]
    cells = [o for o in orgs if o.level in CELL_LEVELS and o.pk != root.pk]
    # Committees with a cell below them: the cells' ancestors' paths.
    step = Organisation.steplen
    above_cells = {c.path[:n] for c in cells for n in range(step, len(c.path), step)}
    committees = [o for o in orgs if o.level not in CELL_LEVELS and o.path in above_cells]
    if pack is None or not committees:
        return {"inspection_plans": 0, "inspections": 0, "complaints": 0, "discipline": 0}
    first = max(datetime.date(today.year, 1, 2), pack.applies_from)
    if (today - first).days < 30:
        first = max(today - datetime.timedelta(days=30), pack.applies_from)
    head, others = committees[0], committees[1:]
    planners = [head, *rng.sample(others, min(len(others), PLANNING_COMMITTEES))]

    plans: list[InspectionPlan] = []
    plan_of: list[int] = []  # the index in plans of each inspection's plan
    inspections: list[Inspection] = []
    decisions: list[DisciplineDecision] = []
    complaints: list[Complaint] = []
    kinds = list(InspectionKind)
    for number, committee in enumerate(planners, start=1):
        below = [c for c in cells if c.path.startswith(committee.path)]
        plans.append(
            InspectionPlan(
                organisation_id=committee.pk,
                year=today.year,
                title=f"Chương trình kiểm tra, giám sát năm {today.year}",
                approved_on=first,
            )
        )
        members = _members_below(rng, below, INSPECTIONS_PER_PLAN - 1)
        for i, subject in enumerate([rng.choice(below), *members]):
            kind = kinds[(number + i) % len(kinds)]
            topic = TOPICS[(number + i) % len(TOPICS)]
            inspections.append(_inspection(rng, committee, kind, subject, topic, first, today))
            plan_of.append(len(plans) - 1)
        if not members:
            continue
        decided_on = _day_between(rng, first, today)
        decided_pack = _pack_on(root, decided_on)
        if decided_pack is not None:
            allowed = decided_pack.discipline.allowed(subject_kind(members[-1], decided_on))
            decisions.append(
                DisciplineDecision(
                    decided_by_id=committee.pk,
                    subject_member=members[-1],
                    # Not an expulsion: the seeds' memberships would have to end with it.
                    form=rng.choice([f for f in allowed if f != DisciplineForm.EXPULSION]),
                    number=f"{number}-QĐ/UBKT",
                    decided_on=decided_on,
                    reason=REASONS[number % len(REASONS)],
                    pack_id=decided_pack.id,
                )
            )
        received_on = _day_between(rng, first, today)
        received_pack = _pack_on(root, received_on)
        if received_pack is not None:
            complaints.append(
                _received(
                    rng,
                    received_pack,
                    committee,
                    ComplaintKind.DENUNCIATION,
                    received_on,
                    members[0],
                    # Every third one anonymous: recorded, not handled.
                    "" if number % 3 == 0 else "Một nhóm quần chúng ở thôn",
                    DENUNCIATIONS[number % len(DENUNCIATIONS)],
                    today,
                )
            )

    # By the head committee: a warning to a cell below, a denunciation left past its due
    # day, and a state body's notice about a member already disciplined.
    decided_on = _day_between(rng, first, today)
    decided_pack = _pack_on(root, decided_on)
    if decided_pack is not None and cells:
        decisions.append(
            DisciplineDecision(
                decided_by_id=head.pk,
                subject_org_id=rng.choice([c for c in cells if c.path.startswith(head.path)]).pk,
                form=DisciplineForm.WARNING,
                number=f"{len(planners) + 1}-QĐ/UBKT",
                decided_on=decided_on,
                reason="Buông lỏng lãnh đạo, để nhiều đảng viên vi phạm kéo dài",
                pack_id=decided_pack.id,
            )
        )
    member = next((d.subject_member for d in decisions if d.subject_member_id), None)
    late_on = today - datetime.timedelta(days=200)
    late_pack = _pack_on(root, late_on)
    if member is not None and late_pack is not None:
        late = _received(
            rng,
            late_pack,
            head,
            ComplaintKind.DENUNCIATION,
            late_on,
            member,
            "Ông Lý Văn Páo, thôn Lũng Cú",
            DENUNCIATIONS[0],
            today,
        )
        late.handled_on, late.outcome, late.outcome_note = None, "", ""
        complaints.append(late)
    if member is not None:
        notice_on = _day_between(rng, first, today)
        complaints.append(
            _received(
                rng,
                _pack_on(root, notice_on) or pack,
                head,
                ComplaintKind.STATE_NOTICE,
                notice_on,
                member,
                "Ủy ban nhân dân xã",
                "Thông báo quyết định kỷ luật hành chính đối với công chức là đảng viên",
                today,
                state_decided_on=notice_on - datetime.timedelta(days=rng.randint(2, 8)),
            )
        )

    InspectionPlan.objects.bulk_create(plans)
    for inspection, index in zip(inspections, plan_of, strict=True):
        inspection.plan_id = plans[index].pk
    Inspection.objects.bulk_create(inspections)
    DisciplineDecision.objects.bulk_create(decisions)
    Complaint.objects.bulk_create(complaints)
    return {
        "inspection_plans": len(plans),
        "inspections": len(inspections),
        "concluded": sum(1 for i in inspections if i.concluded_on),
        "complaints": len(complaints),
        "overdue_complaints": sum(1 for c in complaints if c.is_overdue(today)),
        "discipline": len(decisions),
    }
