"""Supervision for the seeds: every open cell followed by a member of the committee directly
above it, visits to the cells' held meetings over the last four quarters (some cells left
without a visit, as the coverage page shows), and, in the demo, a few members under
attention.

Rows are written in bulk, as the actions would write them (the same dates, the same
review of the score where the pack provides for it): the province has some 4,300 cells. The
caller records one audit event for the whole seed.

The followers are the committee's own people: the members linked to an account with a
standing-member role on the committee first, then secretaries and deputies of the cells
directly under it (commune and grassroots committee members are often cell secretaries),
each following a few cells other than their own.
"""

import datetime
import random
import time

from django.db import transaction
from django.utils import timezone

from chibo.accounts.models import Role, RoleKind
from chibo.meetings.models import Meeting, MeetingStatus
from chibo.members.models import Member, Status
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.oversight.models import (
    QUALITY_LEVELS,
    AttentionCase,
    AttentionKind,
    FollowAssignment,
    Visit,
)
from chibo.oversight.rollups import month_end, quarter_months
from chibo.oversight.supervision import SCORE_REVIEW_PACKS

QUARTERS = 4  # the current quarter and the three before it
CELLS_PER_FOLLOWER = 3
LEADER_POSTS = ("Bí thư chi bộ", "Phó Bí thư chi bộ")
# The chance that a cell had a visit in a past quarter, and in the quarter in progress.
VISIT_SHARE = 0.75
VISIT_SHARE_NOW = 0.45
REVIEW_SHARE = 0.6  # of visits to a meeting whose score may be reviewed
AGREE_SHARE = 0.85
ATTENTION_CELLS = 4
BATCH = 1000

OBSERVATIONS = (
    "Chi bộ sinh hoạt đúng ngày, đúng giờ; nội dung bám sát nghị quyết của Đảng ủy.",
    "Đảng viên phát biểu sôi nổi; bí thư kết luận rõ, giao việc cụ thể cho từng đồng chí.",
    "Tài liệu gửi trước chậm; đề nghị chi ủy gửi dự thảo nghị quyết trước ít nhất một ngày.",
    "Biên bản ghi chưa đủ ý kiến phát biểu; đề nghị ghi rõ tên người phát biểu và số biểu quyết.",
    "Chưa kiểm điểm kết quả nhiệm vụ tháng trước; đề nghị đưa vào chương trình kỳ sau.",
    "Tỷ lệ đảng viên dự họp thấp; chi ủy cần nắm lý do vắng và nhắc nhở kịp thời.",
    "Sinh hoạt chuyên đề có chuẩn bị tốt, liên hệ được thực tiễn của địa phương.",
    "Làm việc với chi ủy về kế hoạch phát triển đảng viên và công tác thu đảng phí.",
)
SCORE_NOTES = (
    "Phần thảo luận còn ít ý kiến, chưa đạt mức chi bộ tự chấm.",
    "Chưa kiểm điểm nhiệm vụ của nghị quyết kỳ trước.",
    "Chuẩn bị và điều hành tốt hơn mức chi bộ tự đánh giá.",
)
ATTENTION = (
    (
        AttentionKind.REMINDER,
        "Vắng sinh hoạt hai kỳ liên tiếp không báo lý do.",
        "Bí thư gặp trao đổi, nhắc nhở; chi ủy theo dõi việc dự sinh hoạt các kỳ tới.",
    ),
    (
        AttentionKind.MONITORING,
        "Có dư luận về việc vay mượn nhiều nơi, chậm trả nợ.",
        "Chi ủy gặp gỡ nắm tình hình, phối hợp với gia đình; đồng chí theo dõi báo cáo hằng tháng.",
    ),
    (
        AttentionKind.ATTENTION,
        "Gia đình khó khăn, vợ ốm nặng, ảnh hưởng đến công tác và sinh hoạt.",
        "Chi bộ thăm hỏi, vận động giúp đỡ; bố trí nhiệm vụ phù hợp trong thời gian này.",
    ),
    (
        AttentionKind.MONITORING,
        "Bình luận, chia sẻ thông tin chưa kiểm chứng trên mạng xã hội.",
        "Chi ủy nhắc nhở, hướng dẫn quy định về đảng viên sử dụng mạng xã hội; theo dõi.",
    ),
)
OUTCOME = "Đảng viên đã tiến bộ, dự sinh hoạt đầy đủ; chi bộ thống nhất thôi theo dõi."


def _quarter_starts(today: datetime.date) -> list[datetime.date]:
    first = quarter_months(today.replace(day=1))[0]
    starts = [first]
    for _i in range(QUARTERS - 1):
        first = quarter_months((first - datetime.timedelta(days=1)).replace(day=1))[0]
        starts.append(first)
    return starts[::-1]


def _pools(root: Organisation, committees: dict[str, int]) -> dict[int, tuple[list, list]]:
    """For each committee id, its candidate followers as (member id, their cell id): the
    standing members with a member record, and the leaders of the cells directly under it."""
    pools: dict[int, tuple[list, list]] = {pk: ([], []) for pk in committees.values()}
    steplen = Organisation.steplen
    for committee_id, member_id, cell_id in Role.objects.filter(
        kind=RoleKind.STANDING_MEMBER,
        organisation_id__in=list(pools),
        user__member__status=Status.OFFICIAL,
    ).values_list("organisation_id", "user__member_id", "user__member__cell_id"):
        pools[committee_id][0].append((member_id, cell_id))
    leaders = (
        Member.objects.filter(
            cell__path__startswith=root.path,
            cell__level__in=CELL_LEVELS,
            cell__closed_on__isnull=True,
            status=Status.OFFICIAL,
            position__in=LEADER_POSTS,
        )
        .order_by("cell__path", "id")
        .values_list("id", "cell_id", "cell__path")
    )
    for member_id, cell_id, path in leaders:
        committee_id = committees.get(path[:-steplen])
        if committee_id is not None:
            pools[committee_id][1].append((member_id, cell_id))
    return pools


def _followers(rng, cells: list[dict], standing: list, leaders: list) -> list[int | None]:
    """A follower for each of a committee's cells, a few cells each, never their own when
    another is possible: the standing members first, then cell leaders drawn at random."""
    # Two at least, so that neither follows their own cell.
    wanted = max(min(2, len(cells)), round(len(cells) / CELLS_PER_FOLLOWER))
    chosen = standing + rng.sample(leaders, min(len(leaders), max(0, wanted - len(standing))))
    if not chosen:
        return [None] * len(cells)
    followers = []
    for i, cell in enumerate(cells):
        options = [m for m, own in chosen if own != cell["id"]] or [m for m, _own in chosen]
        followers.append(options[i % len(options)])
    return followers


def _meeting_day(scheduled_at, ended_at) -> datetime.date:
    return timezone.localtime(ended_at or scheduled_at).date()


def _held(cell_ids: list[int], first: datetime.date, today: datetime.date) -> dict:
    """The meetings held in the cells since first: {cell id: [(day, id, pack, level)]}."""
    held: dict[int, list[tuple]] = {}
    rows = Meeting.objects.filter(
        organisation_id__in=cell_ids,
        status__in=(MeetingStatus.CLOSED, MeetingStatus.SIGNED),
        scheduled_at__date__gte=first,
        scheduled_at__date__lte=today,
    ).values_list(
        "organisation_id",
        "id",
        "scheduled_at",
        "ended_at",
        "score__pack_id",
        "score__level",
        "score__total",
    )
    for cell_id, meeting_id, scheduled_at, ended_at, pack_id, level, total in rows.iterator():
        reviewable = total is not None and pack_id in SCORE_REVIEW_PACKS and bool(level)
        held.setdefault(cell_id, []).append(
            (_meeting_day(scheduled_at, ended_at), meeting_id, level if reviewable else "")
        )
    return held


def _visit(rng, assignment: FollowAssignment, day, meeting_id, level: str, users) -> Visit:
    visit = Visit(
        assignment=assignment,
        cell_id=assignment.cell_id,
        meeting_id=meeting_id,
        visited_on=day,
        observations=rng.choice(OBSERVATIONS),
        recorded_by_id=users.get(assignment.follower_id),
    )
    if level and rng.random() < REVIEW_SHARE:
        visit.cell_level = level
        if rng.random() < AGREE_SHARE:
            visit.score_agrees = True
        else:
            visit.score_agrees = False
            index = QUALITY_LEVELS.index(level)
            neighbours = [QUALITY_LEVELS[i] for i in (index - 1, index + 1) if 0 <= i < 4]
            visit.proposed_level = rng.choice(neighbours)
            visit.score_note = rng.choice(SCORE_NOTES)
    return visit


@transaction.atomic
def seed_supervision(
    root: Organisation, today: datetime.date, rng: random.Random, *, attention: bool = False
) -> dict:
    """Assign followers to the open cells under root, record their visits over the last four
    quarters, and (attention=True, the demo) place a few members under attention; return
    counts."""
    started = time.monotonic()
    starts = _quarter_starts(today)
    cells = list(
        Organisation.objects.filter(
            path__startswith=root.path, level__in=CELL_LEVELS, closed_on__isnull=True
        )
        .order_by("path")
        .values("id", "path", "founded_on")
    )
    steplen = Organisation.steplen
    parents = {c["path"][:-steplen] for c in cells}
    committees, founded = {}, {}
    for pk, path, founded_on in Organisation.objects.filter(path__in=parents).values_list(
        "id", "path", "founded_on"
    ):
        committees[path] = pk
        founded[pk] = founded_on
    pools = _pools(root, committees)
    users = dict(
        Member.objects.filter(cell__path__startswith=root.path, user__isnull=False).values_list(
            "id", "user__id"
        )
    )
    by_committee: dict[int, list[dict]] = {}
    for cell in cells:
        committee_id = committees.get(cell["path"][:-steplen])
        if committee_id is not None:
            by_committee.setdefault(committee_id, []).append(cell)
    assignments = []
    for committee_id, its_cells in by_committee.items():
        standing, leaders = pools[committee_id]
        for cell, follower in zip(
            its_cells, _followers(rng, its_cells, standing, leaders), strict=True
        ):
            if follower is None:
                continue
            begins = max(d for d in (starts[0], founded[committee_id], cell["founded_on"]) if d)
            assignments.append(
                FollowAssignment(
                    committee_id=committee_id,
                    cell_id=cell["id"],
                    follower_id=follower,
                    started_on=min(begins, today),
                )
            )
    FollowAssignment.objects.bulk_create(assignments, batch_size=BATCH)

    held = _held([a.cell_id for a in assignments], starts[0], today)
    visits = []
    for assignment in assignments:
        meetings = [m for m in held.get(assignment.cell_id, ()) if m[0] >= assignment.started_on]
        for first in starts:
            last = month_end(quarter_months(first)[2])
            share = VISIT_SHARE_NOW if first <= today <= last else VISIT_SHARE
            in_quarter = [m for m in meetings if first <= m[0] <= last]
            if in_quarter and rng.random() < share:
                day, meeting_id, level = rng.choice(in_quarter)
                visits.append(_visit(rng, assignment, day, meeting_id, level, users))
    Visit.objects.bulk_create(visits, batch_size=BATCH)

    cases = _attention_cases(rng, cells, today) if attention else []
    AttentionCase.objects.bulk_create(cases, batch_size=BATCH)
    this_quarter = {v.cell_id for v in visits if v.visited_on >= starts[-1]}
    return {
        "follow_assignments": len(assignments),
        "visits": len(visits),
        "cells_visited_this_quarter": len(this_quarter),
        "attention_cases": len(cases),
        "supervision_seconds": round(time.monotonic() - started, 1),
    }


def _attention_cases(rng, cells: list[dict], today: datetime.date) -> list[AttentionCase]:
    """A member or two under attention in a few cells, those with a secretary's account
    first (where the demo logs in, two members there); the last case closed."""
    cell_ids = [c["id"] for c in cells]
    with_accounts = set(
        Role.objects.filter(kind=RoleKind.SECRETARY, organisation_id__in=cell_ids).values_list(
            "organisation_id", flat=True
        )
    )
    chosen = [c for c in cell_ids if c in with_accounts][:ATTENTION_CELLS]
    others = [c for c in cell_ids if c not in chosen]
    chosen += rng.sample(others, min(len(others), ATTENTION_CELLS - len(chosen)))
    members: dict[int, list[tuple[int, str]]] = {}
    for member_id, cell_id, position in (
        Member.objects.filter(cell_id__in=chosen, status=Status.OFFICIAL)
        .order_by("cell_id", "id")
        .values_list("id", "cell_id", "position")
    ):
        members.setdefault(cell_id, []).append((member_id, position))
    cases = []
    for n, cell_id in enumerate(chosen):
        rows = members.get(cell_id, [])
        leaders = [m for m, post in rows if post in LEADER_POSTS]
        plain = [m for m, post in rows if post not in LEADER_POSTS]
        if not leaders or not plain:
            continue
        for member_id in rng.sample(plain, min(len(plain), 2 - n % 2)):
            kind, reason, plan = ATTENTION[len(cases) % len(ATTENTION)]
            opened_on = today - datetime.timedelta(days=rng.randint(20, 120))
            cases.append(
                AttentionCase(
                    member_id=member_id,
                    cell_id=cell_id,
                    kind=kind,
                    reason=reason,
                    plan=plan,
                    follower_id=rng.choice(leaders),
                    opened_on=opened_on,
                    # The next review: in the coming weeks, or just past (due).
                    review_on=today + datetime.timedelta(days=rng.randint(-7, 60)),
                )
            )
    if len(cases) > 1:
        # The last one ran its course.
        cases[-1].closed_on = cases[-1].review_on = today - datetime.timedelta(days=5)
        cases[-1].outcome = OUTCOME
    return cases
