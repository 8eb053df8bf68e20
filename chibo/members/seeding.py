"""Seed data of a member's path that belongs to the registry: training courses, party
badges, the end of some memberships, a removal proposal and a member's correction request.

demo_lifecycle goes through the actions, as users would have entered it. province_lifecycle
writes in bulk the rows those actions write (one audit event records the seed itself, as
chibo.seed.province does): a political-theory course for every member with a theory level,
the badges older members should have had, and a few endings. Both are called by the seeds
after the twelve months of meetings, so that the removal evidence and the endings fall
after the meetings the members attended.
"""

import datetime
import random
from functools import lru_cache

from django.db import transaction
from django.db.models import Count

from chibo.accounts.models import User
from chibo.dates import add_years
from chibo.members import actions, queries
from chibo.members.models import (
    CURRENT_STATUSES,
    Badge,
    Member,
    MembershipEnd,
    MembershipPeriod,
    RemovalGround,
    RemovalProposal,
    Status,
    TheoryLevel,
    Training,
    TrainingKind,
)
from chibo.orgs.models import Organisation
from chibo.regulations.lifecycle import BadgeRules
from chibo.regulations.loader import PackNotFound, load_packs, pack_in_force

INSERT_BATCH = 1000
# Posts whose holders keep their log-in through the seed: never picked for an ending.
LEADER_POSTS = ("Bí thư chi bộ", "Phó Bí thư chi bộ", "Chi ủy viên")

# The course that gives each theory level, and where it is taught.
THEORY_COURSES = {
    TheoryLevel.ELEMENTARY: (
        "Sơ cấp lý luận chính trị",
        "Trung tâm Chính trị huyện",
        datetime.timedelta(days=60),
    ),
    TheoryLevel.INTERMEDIATE: (
        "Trung cấp lý luận chính trị - hành chính",
        "Trường Chính trị tỉnh Hà Giang",
        datetime.timedelta(days=540),
    ),
    TheoryLevel.ADVANCED: (
        "Cao cấp lý luận chính trị",
        "Học viện Chính trị khu vực I",
        datetime.timedelta(days=540),
    ),
    TheoryLevel.BACHELOR: (
        "Cử nhân chính trị",
        "Học viện Chính trị quốc gia Hồ Chí Minh",
        datetime.timedelta(days=1460),
    ),
}
NEW_MEMBER_COURSE = "Bồi dưỡng lý luận chính trị cho đảng viên mới"
DEATH_REASONS = ("Từ trần do tuổi cao, bệnh nặng.", "Từ trần sau thời gian điều trị bệnh.")


def _theory_course(rng: random.Random, member, today: datetime.date):
    """Return (title, institution, started, finished) of the course that gave the member's
    level: after the admission, finished before today."""
    title, institution, length = THEORY_COURSES[member.theory_level]
    earliest = max(member.admitted_on, add_years(member.date_of_birth, 18))
    latest = today - length - datetime.timedelta(days=30)
    if latest <= earliest:
        started = earliest
    else:
        started = earliest + datetime.timedelta(days=rng.randint(0, (latest - earliest).days))
    finished = min(started + length, today)
    return title, institution, started, finished


@lru_cache(maxsize=256)
def _badge_rules(day: datetime.date) -> BadgeRules:
    """The national pack's badge figures on a day; before the first pack, the first one's
    (chibo.members.queries.membership_rules does the same for one organisation)."""
    try:
        return pack_in_force(day, subject="membership").membership.badges
    except PackNotFound:
        first = min(
            (p for p in load_packs() if p.subject == "membership" and p.scope is None),
            key=lambda p: p.applies_from,
        )
        return first.membership.badges


def _award_date(reached: datetime.date) -> datetime.date:
    """The first award day on or after the day a member's party age reaches a badge."""
    rules = _badge_rules(reached)
    for day in rules.award_dates(reached.year) + rules.award_dates(reached.year + 1):
        if day >= reached:
            return day
    raise AssertionError("no award day after " + reached.isoformat())


def due_badges(admitted_on: datetime.date, today: datetime.date):
    """Yield (years, award date) of each badge a member admitted on that day should have
    had by today: each of the pack's years reached, on the next award day."""
    for years in _badge_rules(today).years:
        reached = add_years(admitted_on, years)
        if reached > today:
            break
        awarded = _award_date(reached)
        if awarded <= today:
            yield years, awarded


def _decision_number(awarded: datetime.date, serial: int) -> str:
    return f"{serial}-QĐ/TU ngày {awarded:%d/%m/%Y}"


# The demo, through the actions.


def demo_lifecycle(actor: User, rng: random.Random, today: datetime.date) -> dict:
    """Add to the demo: political-theory courses of the cells' leaders and the course of
    new members, the badges of older members (a few left unrecorded, for the list of badges
    never recorded), a member's pending correction, a pending proposal to remove a name with
    the year's evidence, and a member who died, with the record. Return counts."""
    counts = {"trainings": 0, "badges": 0, "corrections": 0, "proposals": 0, "endings": 0}
    current = Member.objects.filter(status__in=CURRENT_STATUSES).select_related("cell")
    for member in current.exclude(theory_level=TheoryLevel.NONE).filter(position__in=LEADER_POSTS):
        title, institution, started, finished = _theory_course(rng, member, today)
        actions.add_training(
            actor,
            member,
            kind=TrainingKind.POLITICAL_THEORY,
            title=title,
            theory_level=member.theory_level,
            institution=institution,
            started_on=started,
            finished_on=finished,
            certificate_number=f"{rng.randrange(10**5, 10**6)}",
        )
        counts["trainings"] += 1
    for member in current.filter(status=Status.PROBATIONARY):
        started = member.admitted_on + datetime.timedelta(days=rng.randint(10, 60))
        if started > today:
            continue
        actions.add_training(
            actor,
            member,
            kind=TrainingKind.REFRESHER,
            title=NEW_MEMBER_COURSE,
            institution="Trung tâm Chính trị huyện",
            started_on=started,
            finished_on=min(started + datetime.timedelta(days=5), today),
        )
        counts["trainings"] += 1
    serial = 100
    for member in current.order_by("id"):
        badges = list(due_badges(member.admitted_on, today))
        # One older member in ten has no badge entered yet: the badge list shows them.
        if badges and rng.random() < 0.1:
            continue
        for years, awarded in badges:
            serial += 1
            actions.award_badge(actor, member, years, awarded, _decision_number(awarded, serial))
            counts["badges"] += 1
    counts["corrections"] = _demo_correction(rng)
    counts["proposals"] = _demo_removal_proposal(actor, today)
    counts["endings"] = _demo_death(actor, rng, today)
    return counts


def _demo_correction(rng: random.Random) -> int:
    """A member with a log-in asks for the correction of their hometown."""
    user = (
        User.objects.filter(member__status__in=CURRENT_STATUSES, is_active=True)
        .exclude(member__position__in=LEADER_POSTS)
        .select_related("member")
        .order_by("id")
        .first()
    )
    if user is None:
        return 0
    member = user.member
    hometown = "xã Lũng Cú, tỉnh Hà Giang"
    if member.hometown == hometown:
        hometown = "xã Mèo Vạc, tỉnh Hà Giang"
    actions.request_correction(
        user,
        member,
        "hometown",
        hometown,
        "Lý lịch gốc và giấy khai sinh ghi quê quán khác với hồ sơ trên hệ thống.",
    )
    return 1


def _demo_removal_proposal(actor: User, today: datetime.date) -> int:
    """The cell proposes to remove the name of the member the records point to most: the
    most months of absence without reason (or of unpaid fees) in this year or the last."""
    best = None
    for year in (today.year, today.year - 1):
        for cell in Organisation.objects.filter(members__isnull=False).distinct():
            for candidate in queries.removal_candidates(cell, year):
                weight = max(len(candidate.absent_months), len(candidate.unpaid_months))
                if candidate.pending is None and (best is None or weight > best[0]):
                    best = (weight, year, candidate)
    if best is not None:
        _weight, year, candidate = best
        ground = candidate.grounds[0]
        actions.propose_removal(actor, candidate.member, ground, year, "")
        return 1
    # No record reaches the Charter's figure: the cell proposes on the ground it judges,
    # for the member with the most absences without reason, and the evidence is kept.
    from chibo.meetings.models import Attendance, AttendanceStatus

    row = (
        Attendance.objects.filter(
            status=AttendanceStatus.ABSENT_UNEXCUSED,
            member__status=Status.OFFICIAL,
            meeting__scheduled_at__year__gte=today.year - 1,
        )
        .exclude(member__position__in=LEADER_POSTS)
        .values("member_id")
        .annotate(n=Count("id"))
        .order_by("-n", "member_id")
        .first()
    )
    if row is None:
        return 0
    member = Member.objects.get(pk=row["member_id"])
    actions.propose_removal(
        actor,
        member,
        RemovalGround.NO_WILL,
        today.year,
        "Chi bộ đã phân công đồng chí chi ủy viên giúp đỡ từ 12 tháng nay; đồng chí vẫn "
        "thường xuyên vắng sinh hoạt không lý do, không tiến bộ.",
    )
    return 1


def _demo_death(actor: User, rng: random.Random, today: datetime.date) -> int:
    """The oldest member exempted from activity, without a log-in, died a few weeks ago."""
    member = (
        Member.objects.filter(status=Status.EXEMPTED, user__isnull=True)
        .exclude(removal_proposals__outcome=RemovalProposal.Outcome.PENDING)
        .order_by("date_of_birth", "id")
        .first()
    )
    if member is None:
        return 0
    started = member.periods.get(ended_on__isnull=True).started_on
    died = max(today - datetime.timedelta(days=rng.randint(10, 40)), started)
    actions.end_membership(
        actor,
        member,
        Status.DECEASED,
        died,
        decided_by=member.cell.name,
        reason=rng.choice(DEATH_REASONS),
    )
    return 1


# The province, in bulk.


@transaction.atomic
def province_lifecycle(rng: random.Random, today: datetime.date) -> dict:
    """Write the province's training courses, badges and a few endings as the actions
    would; return counts for the seed's own audit event. Three reads of the registry and
    bulk inserts."""
    return {
        "trainings": _province_trainings(rng, today),
        "badges": _province_badges(today),
        "endings": _province_endings(rng, today),
    }


def _province_trainings(rng: random.Random, today: datetime.date) -> int:
    """Each member with a theory level has the finished course that gave it. The level was
    there before the course was entered, so the course raised nothing (as add_training
    records a course of the member's own level)."""
    rows = []
    fields = ("id", "theory_level", "admitted_on", "date_of_birth")
    for member in Member.objects.exclude(theory_level=TheoryLevel.NONE).only(*fields):
        title, institution, started, finished = _theory_course(rng, member, today)
        rows.append(
            Training(
                member_id=member.pk,
                kind=TrainingKind.POLITICAL_THEORY,
                title=title,
                theory_level=member.theory_level,
                institution=institution,
                started_on=started,
                finished_on=finished,
                certificate_number=f"{rng.randrange(10**5, 10**6)}",
            )
        )
    Training.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    return len(rows)


def _province_badges(today: datetime.date) -> int:
    """Members with 30 years of party age or more have the badges they should have had,
    each on the award day after the day they reached it, one decision per award day."""
    first = _badge_rules(today).years[0]
    rows, serials = [], {}
    members = Member.objects.filter(
        status__in=CURRENT_STATUSES, admitted_on__lte=add_years(today, -first)
    ).values_list("id", "admitted_on")
    for member_id, admitted_on in members:
        for years, awarded in due_badges(admitted_on, today):
            serial = serials.setdefault(awarded, 100 + len(serials))
            rows.append(
                Badge(
                    member_id=member_id,
                    years=years,
                    awarded_on=awarded,
                    decision_number=_decision_number(awarded, serial),
                )
            )
    Badge.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    return len(rows)


def _province_endings(rng: random.Random, today: datetime.date) -> int:
    """One member in two hundred of those over 70 died; three members left the party and
    one was expelled, each with its decision. Members with a post or a log-in are left
    alone (the seed's accounts belong to them)."""
    plain = (
        Member.objects.filter(status__in=CURRENT_STATUSES, user__isnull=True)
        .exclude(position__in=LEADER_POSTS)
        .select_related("cell")
    )
    elderly = list(
        plain.filter(date_of_birth__lte=add_years(today, -70))
        .order_by("id")
        .values_list("id", flat=True)
    )
    dead = set(rng.sample(elderly, min(len(elderly), max(1, len(elderly) // 200))))
    working = list(
        plain.filter(status=Status.OFFICIAL, date_of_birth__gte=add_years(today, -50))
        .order_by("id")
        .values_list("id", flat=True)[:2000]
    )
    leaving = rng.sample(working, min(len(working), 4))
    plan = [(pk, Status.DECEASED) for pk in sorted(dead)]
    plan += [(pk, Status.LEFT) for pk in leaving[:3]] + [
        (pk, Status.EXPELLED) for pk in leaving[3:]
    ]
    by_id = {m.pk: m for m in plain.filter(pk__in=[pk for pk, _ in plan])}
    starts = dict(
        MembershipPeriod.objects.filter(
            member_id__in=list(by_id), ended_on__isnull=True
        ).values_list("member_id", "started_on")
    )
    endings, serial = [], 300
    for pk, kind in plan:
        member = by_id[pk]
        day = max(today - datetime.timedelta(days=rng.randint(5, 25)), starts[pk])
        if kind == Status.DECEASED:
            number, decided_by, reason = "", member.cell.name, rng.choice(DEATH_REASONS)
        else:
            serial += 1
            number = f"{serial}-QĐ/ĐU"
            decided_by = Organisation.objects.get_parent(member.cell).name
            reason = (
                "Xin ra khỏi Đảng vì lý do gia đình."
                if kind == Status.LEFT
                else "Vi phạm nghiêm trọng Điều lệ Đảng, bị kỷ luật khai trừ."
            )
        endings.append(
            MembershipEnd(
                member_id=pk,
                kind=kind,
                effective_on=day,
                decision_number=number,
                decided_by=decided_by,
                reason=reason,
                status_before=member.status,
            )
        )
        MembershipPeriod.objects.filter(member_id=pk, ended_on__isnull=True).update(ended_on=day)
        Member.objects.filter(pk=pk).update(status=kind, version=member.version + 1)
    MembershipEnd.objects.bulk_create(endings, batch_size=INSERT_BATCH)
    return len(endings)
