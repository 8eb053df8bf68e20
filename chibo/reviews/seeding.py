"""The annual review in the seeds: last year's review complete, this year's open.

seed_demo_reviews: the demo's standing committee (its commune-level committee) reviews its
subtree through the actions, on the history's Clock. Last year's round: every member writes
the self-review on the form that fits them, each cell discusses its members in a review
meeting in December and votes each proposal, the cells submit their reports (form 01), the
grassroots organisations decide and confirm their members' levels within the quota, the
committee decides and confirms the cells' levels, and closes the round in January. This
year's round: opened in November, some self-reviews submitted (not the demo member's own,
so that their home page asks for it), a couple of proposals voted in each cell's meeting in
progress, nothing decided.

seed_province_reviews: the same two rounds over a province, written in bulk as the actions
would leave them (stages, versions, points that reach the level, the quota per deciding
organisation), with no action per member: last year's every member and organisation decided
and confirmed, the round closed; this year's with about 30% of the self-reviews submitted.

Levels follow seed 004: over 92% of members "well completed" or better, some 17-18%
"excellent", as many "excellent" as the quota lets each deciding organisation have.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from chibo.accounts.models import RoleKind, User
from chibo.meetings import actions as meeting_actions
from chibo.meetings import minutes, scoring
from chibo.meetings.models import (
    PRESENT_STATUSES,
    Attendance,
    AttendanceStatus,
    Kind,
    Meeting,
    MeetingStatus,
    Task,
)
from chibo.members.models import Member, Status
from chibo.orgs.models import CELL_LEVELS, GRASSROOTS_LEVELS, Organisation
from chibo.oversight.inspection import disciplined_ids
from chibo.regulations.reviews import LEVELS, ReviewRules
from chibo.reviews import actions
from chibo.reviews.models import (
    MemberReview,
    OrganisationReview,
    ReviewConfirmation,
    ReviewRound,
    Stage,
    Subject,
)
from chibo.reviews.queries import reviewed_members
from chibo.reviews.records import HELD
from chibo.reviews.rules import Tasks, clean_points
from chibo.seed import history
from chibo.seed.demo import DEMO_ACCOUNTS
from chibo.seed.history import Clock, aware
from chibo.seed.names import COMMITTEE, DEPUTY, SECRETARY
from chibo.seed.texts import ABSENCE_REASONS

EXCELLENT, GOOD, COMPLETED, NOT_COMPLETED = LEVELS
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)
LEADER_POSTS = (SECRETARY, DEPUTY, COMMITTEE)
BATCH = 2000

# What the seeded reviews give for each level: points in half points (the pack's criteria
# add up to 100, i.e. 200 halves) and the year's tasks in percent (done, on time, beyond).
POINT_HALVES = {
    EXCELLENT: (180, 197),
    GOOD: (150, 179),
    COMPLETED: (110, 139),
    NOT_COMPLETED: (70, 99),
}
TASK_RANGES = {
    EXCELLENT: ((100, 100), (100, 100), (30, 60)),
    GOOD: ((100, 100), (100, 100), (0, 25)),
    COMPLETED: ((100, 100), (80, 95), (0, 10)),
    NOT_COMPLETED: ((70, 90), (40, 65), (0, 0)),
}
# Of the members the cell rates "well completed", the share who asked for "excellent".
SELF_EXCELLENT_SHARE = 0.15
# The province's shares: members rated "completed" and "did not complete" (besides the
# disciplined), organisations rated "completed", and how often a deciding organisation uses
# one "excellent" less than the quota allows.
COMPLETED_SHARE = 0.06
NOT_COMPLETED_SHARE = 0.004
ORG_COMPLETED_SHARE = 0.05
QUOTA_SPARED_SHARE = 0.2
# This year's round in the province: submitted self-reviews, and drafts.
SUBMITTED_SHARE = 0.30
DRAFT_SHARE = 0.05
# This year's round in the demo.
DEMO_SUBMITTED_SHARE = 0.45
DEMO_DRAFT_SHARE = 0.1
DEMO_PROPOSALS_PER_CELL = 2

# Forms 2A/2B/2C: leaders and managers; cadres, civil and public servants; the others.
LEADING_WORDS = (
    "Trưởng phòng",
    "Trưởng khoa",
    "Trưởng bộ phận",
    "Hiệu trưởng",
    "Chánh",
    "Chỉ huy",
    "Chính trị viên",
    "Đội trưởng",
    "Quản đốc",
    "Giám đốc",
    "Điều dưỡng trưởng",
)
SERVANTS = (
    "Giáo viên",
    "Công chức",
    "Viên chức",
    "Chuyên viên",
    "Bác sĩ",
    "Điều dưỡng",
    "Y sĩ",
    "Dược sĩ",
    "Kỹ thuật viên",
    "Sĩ quan",
    "Quân nhân chuyên nghiệp",
    "Hạ sĩ quan",
    "Nhân viên",
)

# fmt: off
MEMBER_TEXTS = {
    "politics_ethics": (
        "Luôn giữ vững lập trường tư tưởng chính trị, trung thành với mục tiêu, lý tưởng của "
        "Đảng; lối sống giản dị, lành mạnh; chấp hành nghiêm nguyên tắc tập trung dân chủ.",
        "Kiên định đường lối của Đảng; giữ gìn phẩm chất đạo đức, đoàn kết, gần gũi quần chúng; "
        "chấp hành tốt sự phân công của tổ chức.",
        "Chấp hành nghiêm chủ trương của Đảng, chính sách, pháp luật của Nhà nước; trung thực, "
        "thẳng thắn; tác phong làm việc đúng giờ, có kế hoạch.",
    ),
    "duties": (
        "Hoàn thành các nhiệm vụ được giao đúng tiến độ, bảo đảm chất lượng; tham gia đầy đủ "
        "sinh hoạt chi bộ, đóng đảng phí đúng quy định.",
        "Tham gia đầy đủ sinh hoạt chi bộ; thực hiện tốt nhiệm vụ chi bộ phân công và nghĩa vụ "
        "công dân nơi cư trú.",
    ),
    "leadership": (
        "Lãnh đạo đơn vị hoàn thành các chỉ tiêu được giao trong năm; giữ gìn đoàn kết nội bộ, "
        "phát huy dân chủ trong cơ quan, đơn vị.",
        "Chỉ đạo đơn vị phụ trách hoàn thành kế hoạch năm; không để xảy ra vi phạm, khiếu kiện.",
    ),
    "commitment": (
        "Thực hiện tốt bản cam kết tu dưỡng, rèn luyện, phấn đấu đầu năm.",
        "Thực hiện đầy đủ các nội dung đã cam kết; tích cực học tập và làm theo tư tưởng, đạo "
        "đức, phong cách Hồ Chí Minh.",
    ),
    "shortcomings": (
        "Có lúc chưa mạnh dạn tự phê bình và phê bình; việc nghiên cứu nghị quyết còn hạn chế.",
        "Đôi khi sắp xếp công việc chưa khoa học, một số việc hoàn thành còn sát thời hạn.",
    ),
    "remedies": (
        "Tăng cường học tập, nghiên cứu nghị quyết; mạnh dạn tự phê bình và phê bình.",
        "Sắp xếp thời gian hợp lý, chủ động hơn trong công việc được giao.",
    ),
}
WEAK_TEXTS = {
    "shortcomings": (
        "Tham gia sinh hoạt chi bộ chưa đầy đủ; một số nhiệm vụ được giao hoàn thành chậm.",
    ),
    "remedies": (
        "Khắc phục ngay việc vắng sinh hoạt; hoàn thành đúng hạn nhiệm vụ chi bộ phân công.",
    ),
}
ORG_TEXTS = {
    "leadership": (
        "Chi bộ lãnh đạo hoàn thành các chỉ tiêu nghị quyết năm; đời sống của nhân dân, cán bộ "
        "từng bước được nâng lên.",
        "Lãnh đạo thực hiện tốt nhiệm vụ chính trị của đơn vị; các chỉ tiêu chủ yếu đều đạt và "
        "vượt kế hoạch.",
    ),
    "party_building": (
        "Duy trì sinh hoạt chi bộ định kỳ hằng tháng, mỗi quý một chuyên đề; thực hiện kiểm "
        "tra, giám sát theo chương trình; thu nộp đảng phí đầy đủ.",
        "Nội dung sinh hoạt bám sát nghị quyết cấp trên; quản lý, phân công nhiệm vụ cho đảng "
        "viên cụ thể; làm tốt công tác tạo nguồn phát triển đảng viên.",
    ),
    "shortcomings": (
        "Chất lượng một số buổi sinh hoạt chưa cao; tỷ lệ đảng viên phát biểu còn ít.",
        "Sinh hoạt chuyên đề còn chậm so với kế hoạch; tài liệu gửi trước chưa đều.",
    ),
    "remedies": (
        "Đổi mới nội dung sinh hoạt; gửi tài liệu trước ít nhất một ngày; phân công nhiệm vụ "
        "cụ thể cho từng đảng viên.",
    ),
}
# The province's parts are short: JSON keeps Vietnamese letters escaped, six bytes each, and
# there are a hundred thousand reviews.
SHORT_TEXTS = {
    "politics_ethics": "Giữ vững lập trường, phẩm chất đạo đức.",
    "duties": "Hoàn thành nhiệm vụ được giao.",
    "leadership": "Đơn vị hoàn thành kế hoạch năm.",
    "commitment": "Thực hiện tốt cam kết đầu năm.",
    "party_building": "Sinh hoạt chi bộ đều đặn.",
    "shortcomings": "Có lúc chưa mạnh dạn phê bình.",
    "remedies": "Mạnh dạn tự phê bình và phê bình.",
}
CELL_COMMENTS = {
    EXCELLENT: "Đồng chí gương mẫu, hoàn thành vượt mức nhiệm vụ được giao; chi bộ nhất trí đề "
               "nghị xếp loại hoàn thành xuất sắc nhiệm vụ.",
    GOOD: "Đồng chí hoàn thành tốt nhiệm vụ được giao, tham gia đầy đủ sinh hoạt chi bộ.",
    COMPLETED: "Đồng chí hoàn thành nhiệm vụ; còn vắng một số buổi sinh hoạt, cần khắc phục "
               "trong năm tới.",
    NOT_COMPLETED: "Đồng chí chưa hoàn thành nhiệm vụ được giao, vắng nhiều buổi sinh hoạt; chi "
                   "bộ đề nghị xếp loại không hoàn thành nhiệm vụ.",
}
OPINIONS = (
    "Đề nghị đồng chí phát huy ưu điểm, tiếp tục gương mẫu trong công tác và nơi cư trú.",
    "Bản kiểm điểm nêu đủ các nội dung; đề nghị đồng chí nói rõ hơn hạn chế và nguyên nhân.",
    "Tôi nhất trí với mức tự xếp loại của đồng chí; đề nghị chi bộ biểu quyết.",
    "Đề nghị các đồng chí đảng viên lớn tuổi tiếp tục tham gia sinh hoạt đều đặn.",
    "Chi ủy đã chuẩn bị báo cáo kiểm điểm chu đáo; tôi nhất trí với các hạn chế đã nêu.",
)
TOPIC = "Kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm {year}"
RESOLUTION = "Nghị quyết chi bộ về kết quả kiểm điểm, đánh giá, xếp loại năm {year}"
MINUTES_OPENING = (
    "Đồng chí {chair}, Bí thư chi bộ, khai mạc hội nghị kiểm điểm, đánh giá, xếp loại chất "
    "lượng năm {year}; đồng chí {taker} làm thư ký."
)
MINUTES_SUMMARY = (
    "Chi bộ nghe báo cáo kiểm điểm của chi ủy và bản tự kiểm điểm của từng đảng viên; "
    "{speakers} đồng chí phát biểu góp ý. Chi bộ biểu quyết đề nghị mức xếp loại đối với từng "
    "đảng viên."
)
MINUTES_CONCLUSION = (
    "Chi bộ thống nhất kết quả biểu quyết; giao chi ủy hoàn thiện hồ sơ, báo cáo cấp ủy cấp "
    "trên xem xét, quyết định."
)
# fmt: on


# The rounds' years and dates.


def review_years(today: datetime.date) -> tuple[int, int]:
    """The year whose review is complete, and the year whose review is open: this year's is
    opened in November; before that, last year's is still under way."""
    current = today.year if today.month >= 11 else today.year - 1
    return current - 1, current


@dataclass(frozen=True)
class Calendar:
    opened_on: datetime.date
    self_review_until: datetime.date
    proposals_until: datetime.date
    decisions_until: datetime.date
    closed_on: datetime.date | None = None


def past_calendar(year: int) -> Calendar:
    """Opened on 1 December, decided by 10 January, closed on 15 January."""
    return Calendar(
        datetime.date(year, 12, 1),
        datetime.date(year, 12, 10),
        datetime.date(year, 12, 20),
        datetime.date(year + 1, 1, 10),
        datetime.date(year + 1, 1, 15),
    )


def open_calendar(year: int, today: datetime.date) -> Calendar:
    """Opened on 20 November (or a few days ago, early in November; on 1 December for last
    year's review still under way), each step two weeks or so after the one before."""
    if year == today.year:
        opened = min(datetime.date(year, 11, 20), today - 5 * DAY)
    else:
        opened = datetime.date(year, 12, 1)
    return Calendar(opened, opened + 15 * DAY, opened + 30 * DAY, opened + 50 * DAY)


# Levels, points and texts.


def plan_levels(
    rules: ReviewRules, ranked: list, *, caps: dict, completed: int, spare: int = 0
) -> dict:
    """Levels for what one organisation decides, given best first: each capped one no higher
    than its cap (the disciplined), the `completed` lowest of the others "completed", then
    "excellent" from the top as far as the quota allows (less `spare`), "good" for the rest."""
    levels = {k: cap for k, cap in caps.items() if LEVELS.index(cap) > LEVELS.index(GOOD)}
    free = [k for k in ranked if k not in levels]
    low = min(completed, len(free))
    top = free[: len(free) - low]
    for key in free[len(free) - low :]:
        levels[key] = COMPLETED
    # The quota: "excellent" out of those rated "good" or better.
    allowed = max(rules.quota.allowed(len(top)) - spare, 0)
    for key in top:
        if allowed and caps.get(key, EXCELLENT) == EXCELLENT:
            levels[key] = EXCELLENT
            allowed -= 1
        else:
            levels[key] = GOOD
    return levels


@lru_cache(maxsize=4096)
def _cleaned(rules: ReviewRules, subject: str, halves: tuple[int, ...]):
    criteria = rules.criteria_of(subject)
    raw = {c.key: str(Decimal(h) / 2) for c, h in zip(criteria, halves, strict=True)}
    return clean_points(rules, subject, raw)


def points_for(rules: ReviewRules, subject: str, level: str, rng: random.Random):
    """Criterion points (as the actions store them) and their total within the level's
    range; none when the pack scores no points."""
    if not rules.scored:
        return {}, None
    criteria = rules.criteria_of(subject)
    most = [int(c.max_points * 2) for c in criteria]
    low, high = POINT_HALVES[level]
    missing = sum(most) - min(rng.randint(low, high), sum(most))
    lost = [missing * m // sum(most) for m in most]
    for _ in range(missing - sum(lost)):
        i = rng.choice([i for i, m in enumerate(most) if lost[i] < m])
        lost[i] += 1
    points, total = _cleaned(rules, subject, tuple(m - n for m, n in zip(most, lost, strict=True)))
    return dict(points), total


def tasks_for(level: str, rng: random.Random) -> Tasks:
    done, on_time, exceeded = (rng.randint(*r) for r in TASK_RANGES[level])
    return Tasks(done=done, on_time=min(on_time, done), exceeded=min(exceeded, done))


def form_for(rules: ReviewRules, occupation: str, position: str) -> str:
    """2A for leaders and managers, 2B for cadres and public servants, 2C for the others
    (farmers, workers, the retired); the pack's first member form when it has none of them."""
    keys = [f.key for f in rules.forms_for("member")]
    if any(word in position for word in LEADING_WORDS):
        key = "2A"
    elif occupation in SERVANTS:
        key = "2B"
    else:
        key = "2C"
    return key if key in keys else keys[0]


def sections_for(rules, subject: str, form: str, level: str, rng, *, draft=False, short=False):
    """The form's parts in the reviewed's words (short: a phrase each); a draft has only the
    first two written."""
    texts = ORG_TEXTS if subject == "organisation" else MEMBER_TEXTS
    weak = subject == "member" and level in (COMPLETED, NOT_COMPLETED)
    form_def = next(f for f in rules.forms_for(subject) if f.key == form)
    sections = {}
    for i, section in enumerate(form_def.sections):
        if short:
            text = SHORT_TEXTS.get(section.key, "Đã thực hiện.")
        else:
            pool = (WEAK_TEXTS if weak and section.key in WEAK_TEXTS else texts).get(section.key)
            text = rng.choice(pool) if pool else "Đã thực hiện theo hướng dẫn."
        sections[section.key] = "" if draft and i >= 2 else text
    return sections


# The demo, through the actions.


def _leader(org: Organisation, kind: str = RoleKind.SECRETARY) -> User | None:
    return (
        User.objects.filter(roles__organisation=org, roles__kind=kind, is_active=True)
        .order_by("id")
        .first()
    )


def _standing_account():
    """The demo's standing-committee account and its committee."""
    account = next(a for a in DEMO_ACCOUNTS if a.role == RoleKind.STANDING_MEMBER)
    member_account = next(a for a in DEMO_ACCOUNTS if a.role == RoleKind.MEMBER)
    return (
        User.objects.get(username=account.username),
        Organisation.objects.get(code=account.org_code),
        User.objects.filter(username=member_account.username).first(),
    )


class _DemoReviews:
    def __init__(self, system: User, today: datetime.date, rng: random.Random):
        self.system = system
        self.today = today
        self.rng = rng
        self.clock = Clock()
        self.manager, self.committee, member_user = _standing_account()
        self.own_member_id = member_user.member_id if member_user else None
        self.counts: Counter = Counter()

    def _at(self, day: datetime.date, hour: int = 9, minute: int = 0) -> None:
        self.clock.set(aware(day, datetime.time(hour, minute)))

    def _moment(self, first: datetime.date, last: datetime.date) -> None:
        days = max((last - first).days, 0)
        self._at(
            first + self.rng.randint(0, days) * DAY,
            self.rng.randint(7, 21),
            self.rng.randint(0, 59),
        )

    def _cells(self, review_round: ReviewRound) -> list[Organisation]:
        return list(
            Organisation.objects.filter(
                path__startswith=self.committee.path,
                level__in=CELL_LEVELS,
                closed_on__isnull=True,
                members__status__in=actions.rules_of(review_round).member_statuses,
            )
            .distinct()
            .order_by("path")
        )

    def _writer(self, member: Member, secretary: User | None) -> User:
        """The member writes their own self-review when they have a login; otherwise a cell
        leader enters it for them."""
        user = User.objects.filter(member=member, is_active=True).first()
        return user or secretary or self.system

    # Last year's round, to the end.

    def past(self, year: int) -> None:
        cal = past_calendar(year)
        self._at(cal.opened_on, 8)
        review_round = actions.open_round(
            self.manager,
            self.committee,
            year=year,
            self_review_until=cal.self_review_until,
            proposals_until=cal.proposals_until,
            decisions_until=cal.decisions_until,
            today=cal.opened_on,
        )
        rules = actions.rules_of(review_round)
        cells = self._cells(review_round)
        members = {
            c.pk: list(reviewed_members(review_round, c).filter(cell=c).order_by("id"))
            for c in cells
        }
        # What each grassroots organisation decides: the members of its cells.
        groups: dict[int, tuple[Organisation, list[Organisation]]] = {}
        for cell in cells:
            decider = actions.member_decider(cell)
            groups.setdefault(decider.pk, (decider, []))[1].append(cell)
        merit = self._merit([m for group in members.values() for m in group], year)
        levels = self._plan(rules, groups.values(), members, merit, year)
        reviews: dict[int, MemberReview] = {}
        for cell in cells:
            secretary = _leader(cell)
            for member in members[cell.pk]:
                self._moment(cal.opened_on + DAY, cal.self_review_until - DAY)
                level = levels[member.pk]
                asks = (
                    EXCELLENT
                    if level == GOOD and self.rng.random() < SELF_EXCELLENT_SHARE
                    else level
                )
                reviews[member.pk] = self._self_review(
                    self._writer(member, secretary), review_round, rules, member, asks
                )
        for cell in cells:
            self._review_meeting(cell, review_round, rules, members[cell.pk], reviews, levels, cal)
        org_levels = self._org_levels(rules, cells, year)
        for cell in cells:
            self._moment(cal.proposals_until - 2 * DAY, cal.proposals_until)
            self._report(cell, review_round, rules, org_levels[cell.pk])
        self._decide_members(review_round, groups.values(), members, reviews, levels, cal)
        self._decide_cells(review_round, cells, org_levels, cal)
        self._at(cal.closed_on, 10)
        actions.close_round(self.manager, review_round, today=cal.closed_on)
        self.counts["past_members"] = len(reviews)
        self.counts["past_cells"] = len(cells)

    def _merit(self, members: list[Member], year: int) -> dict[int, float]:
        """How well each member did in the year: the share of meetings they came to, less
        for tasks late or not done, more for the cell's leaders, and a little luck."""
        ids = [m.pk for m in members]
        came = {
            row["member"]: row["here"] / row["n"]
            for row in Attendance.objects.filter(
                member__in=ids,
                temporary=False,
                meeting__status__in=HELD,
                meeting__scheduled_at__year=year,
            )
            .values("member")
            .annotate(n=Count("id"), here=Count("id", filter=Q(status__in=PRESENT_STATUSES)))
        }
        slips = dict(
            Task.objects.filter(
                assignees__in=ids,
                due_on__year=year,
                status__in=(Task.Status.LATE, Task.Status.NOT_DONE),
            )
            .values_list("assignees")
            .annotate(n=Count("id"))
        )
        return {
            m.pk: came.get(m.pk, 0.9)
            - 0.1 * slips.get(m.pk, 0)
            + (0.1 if m.position in LEADER_POSTS else 0)
            - (0.1 if m.status == Status.PROBATIONARY else 0)
            + self.rng.uniform(0, 0.2)
            for m in members
        }

    def _plan(self, rules, groups, members, merit, year) -> dict[int, str]:
        """Each grassroots organisation's levels: the disciplined (or, when none was, the
        weakest member of the round) "did not complete", one or two "completed" in each
        cell, "excellent" as far as the quota allows."""
        disciplined = disciplined_ids(year, self.committee).members
        everyone = sorted((m for g in members.values() for m in g), key=lambda m: merit[m.pk])
        failing = {m.pk for m in everyone if m.pk in disciplined}
        if not failing and everyone:
            plain = [m for m in everyone if m.position not in LEADER_POSTS] or everyone
            failing = {plain[0].pk}
        caps = {pk: rules.disciplined_member_level for pk in failing}
        levels: dict[int, str] = {}
        for _decider, cells in groups:
            group = [m for cell in cells for m in members[cell.pk]]
            sizes = [len(members[cell.pk]) for cell in cells]
            completed = sum(0 if n < 5 else 1 if n < 15 else self.rng.choice((1, 2)) for n in sizes)
            ranked = [m.pk for m in sorted(group, key=lambda m: -merit[m.pk])]
            levels.update(
                plan_levels(
                    rules,
                    ranked,
                    caps={k: v for k, v in caps.items() if k in ranked},
                    completed=completed,
                )
            )
        return levels

    def _self_review(self, writer, review_round, rules, member, level, *, draft=False):
        form = form_for(rules, member.occupation, member.position)
        points, _total = points_for(rules, "member", level, self.rng)
        if draft:
            points = dict(list(points.items())[:2])
        return actions.save_self_review(
            writer,
            review_round,
            member,
            form=form,
            sections=sections_for(rules, "member", form, level, self.rng, draft=draft),
            points=points,
            tasks=None if draft else tasks_for(level, self.rng),
            self_level="" if draft else level,
            submit=not draft,
        )

    def _review_meeting(self, cell, review_round, rules, members, reviews, levels, cal):
        """The cell's review meeting in December: the members discussed, each proposal voted,
        the cell's resolution, the meeting closed, its minutes written and scored (left
        unsigned: signing now would put them after the cell's later signed minutes)."""
        rng, clock = self.rng, self.clock
        secretary_user = _leader(cell) or self.system
        people = list(cell.members.filter(position__in=(SECRETARY, DEPUTY)).order_by("id"))
        chair = next((m for m in people if m.position == SECRETARY), members[0])
        taker = next((m for m in people if m.position == DEPUTY), members[-1])
        day = self._free_day(cell, cal.self_review_until + DAY, cal.proposals_until - DAY)
        starts = aware(day, history.start_time(cell.cell_type))
        clock.set(starts - 8 * DAY)
        meeting = meeting_actions.schedule_meeting(
            secretary_user,
            cell,
            kind=Kind.EXTRAORDINARY,
            scheduled_at=starts,
            topic=TOPIC.format(year=review_round.year),
            preparer=chair,
        )
        clock.set(starts - 5 * DAY)
        meeting_actions.send_notice(secretary_user, meeting)
        clock.set(starts)
        meeting_actions.start_meeting(secretary_user, meeting, chair=chair, minute_taker=taker)
        rows = list(
            meeting.attendance.filter(status=AttendanceStatus.EXPECTED)
            .select_related("member")
            .order_by("member_id")
        )
        needed = meeting_actions.vote_register(meeting)["needed"]
        leaders = (chair.pk, taker.pk)
        here = [r for r in rows if r.member_id in leaders or rng.random() < 0.9]
        away = [r for r in rows if r not in here]
        while away and sum(1 for r in here if r.was_official) < needed:
            here.append(away.pop(0))
        for i, row in enumerate(here):
            clock.set(starts + i * 15 * SECOND)
            meeting_actions.check_in(secretary_user, meeting, row.member)
        clock.set(starts + 8 * MINUTE)
        for row in away:
            meeting_actions.set_attendance(
                secretary_user,
                meeting,
                row.member,
                AttendanceStatus.ABSENT_EXCUSED,
                rng.choice(ABSENCE_REASONS),
            )
        agenda = {item.key: item for item in meeting.agenda.all()}
        speakers = rng.sample(here, max(1, round(rng.uniform(0.3, 0.7) * len(here))))
        for i, row in enumerate(speakers):
            clock.set(starts + (20 + 2 * i) * MINUTE)
            meeting_actions.post_opinion(
                secretary_user,
                meeting,
                rng.choice(OPINIONS),
                member=row.member,
                agenda_item=agenda.get("discussion"),
            )
        present = meeting_actions.vote_register(meeting)["present_official"]
        for i, member in enumerate(members):
            clock.set(starts + (40 + i) * MINUTE)
            level = levels[member.pk]
            disagree = 1 if level != GOOD and rng.random() < 0.3 and present > needed else 0
            actions.propose_member_level(
                secretary_user,
                reviews[member.pk],
                meeting,
                points=points_for(rules, "member", level, rng)[0],
                tasks=tasks_for(level, rng),
                level=level,
                comment=CELL_COMMENTS[level],
                agree=present - disagree,
                disagree=disagree,
                abstain=0,
            )
        ends = starts + (45 + len(members) + rng.randint(10, 25)) * MINUTE
        clock.set(ends - 5 * MINUTE)
        meeting_actions.record_vote(
            secretary_user,
            meeting,
            subject=RESOLUTION.format(year=review_round.year),
            agree=present,
            disagree=0,
            abstain=0,
            agenda_item=agenda.get("conclusion"),
        )
        clock.set(ends)
        meeting_actions.close_meeting(secretary_user, meeting)
        clock.set(ends + 2 * MINUTE)
        minutes.edit_minutes(
            secretary_user,
            meeting,
            version=0,
            opening=MINUTES_OPENING.format(
                chair=chair.full_name, taker=taker.full_name, year=review_round.year
            ),
            summary=MINUTES_SUMMARY.format(speakers=len(speakers)),
            conclusion=MINUTES_CONCLUSION,
        )
        clock.set(ends + 5 * MINUTE)
        scoring.name_assessor(secretary_user, meeting, taker)
        pack = scoring.pack_of(meeting)
        automatic = history.automatic_points(scoring.score_preview(meeting, {}), False)
        manual = history.manual_points(rng, pack, automatic)
        scoring.save_score(secretary_user, meeting, manual)
        # Never signed: past the deadline the score is complete without it.
        clock.set(ends + (pack.meeting.minutes_sign_deadline_days + 1) * DAY)
        scoring.save_score(secretary_user, meeting, manual)
        self.counts["review_meetings"] += 1

    def _free_day(self, cell, first: datetime.date, last: datetime.date) -> datetime.date:
        """A day in the window, not a Sunday, when the cell holds no other meeting."""
        taken = {
            timezone.localtime(m, meeting_actions.LOCAL).date()
            for m in cell.meetings.values_list("scheduled_at", flat=True)
        }
        days = [
            first + n * DAY
            for n in range((last - first).days + 1)
            if first + n * DAY not in taken and (first + n * DAY).weekday() != 6
        ]
        return self.rng.choice(days) if days else first

    def _org_levels(self, rules, cells, year) -> dict[int, str]:
        """The cells' levels: "excellent" for those with the most meetings scored "good", as
        far as the quota lets the committee, "good" for the others; a cell disciplined, or
        with a member disciplined, no higher than the pack allows."""
        disciplined = disciplined_ids(year, self.committee)
        good = dict(
            Meeting.objects.filter(
                organisation__in=cells,
                status__in=HELD,
                scheduled_at__year=year,
                score__level="good",
            )
            .values_list("organisation")
            .annotate(n=Count("id"))
        )
        ranked = [c.pk for c in sorted(cells, key=lambda c: -good.get(c.pk, 0))]
        caps = {}
        for cell in cells:
            if cell.pk in disciplined.organisations:
                caps[cell.pk] = rules.disciplined_member_level
            elif Member.objects.filter(cell=cell, pk__in=disciplined.members).exists():
                caps[cell.pk] = rules.collective_disciplined_level
        return plan_levels(rules, ranked, caps=caps, completed=0)

    def _report(self, cell, review_round, rules, level) -> OrganisationReview:
        form = rules.forms_for("organisation")[0].key
        return actions.save_report(
            _leader(cell) or self.system,
            review_round,
            cell,
            sections=sections_for(rules, "organisation", form, level, self.rng),
            points=points_for(rules, "organisation", level, self.rng)[0],
            tasks=tasks_for(level, self.rng),
            self_level=level,
            submit=True,
        )

    def _decide_members(self, review_round, groups, members, reviews, levels, cal) -> None:
        """Each grassroots organisation decides its members' levels as the cells proposed
        them (a grassroots cell through its secretary, a committee through the standing
        committee above, the demo having no login there), then confirms them all."""
        for decider, cells in groups:
            user = (_leader(decider) if decider.level in CELL_LEVELS else None) or self.manager
            for member in (m for cell in cells for m in members[cell.pk]):
                self._moment(cal.proposals_until + DAY, cal.proposals_until + 8 * DAY)
                actions.decide(user, reviews[member.pk], level=levels[member.pk])
            self._moment(cal.proposals_until + 9 * DAY, cal.proposals_until + 10 * DAY)
            actions.confirm(user, review_round, decider, Subject.MEMBER)
            self.counts["confirmations"] += 1

    def _decide_cells(self, review_round, cells, org_levels, cal) -> None:
        """The committee decides its cells' levels and confirms them."""
        for cell in cells:
            self._moment(cal.decisions_until - 8 * DAY, cal.decisions_until - 4 * DAY)
            review = OrganisationReview.objects.get(round=review_round, organisation=cell)
            actions.decide(self.manager, review, level=org_levels[cell.pk])
        self._moment(cal.decisions_until - 3 * DAY, cal.decisions_until)
        actions.confirm(self.manager, review_round, self.committee, Subject.ORGANISATION)
        self.counts["confirmations"] += 1

    # This year's round, open.

    def current(self, year: int) -> None:
        cal = open_calendar(year, self.today)
        self._at(cal.opened_on, 8)
        review_round = actions.open_round(
            self.manager,
            self.committee,
            year=year,
            self_review_until=cal.self_review_until,
            proposals_until=cal.proposals_until,
            decisions_until=cal.decisions_until,
            today=cal.opened_on,
        )
        rules = actions.rules_of(review_round)
        disciplined = disciplined_ids(year, self.committee).members
        now = self.clock.limit  # the real time: the meetings in progress vote today
        last = min(self.today - DAY, cal.self_review_until)
        for cell in self._cells(review_round):
            secretary = _leader(cell)
            submitted = []
            for member in reviewed_members(review_round, cell).filter(cell=cell).order_by("id"):
                if member.pk == self.own_member_id:
                    continue  # the demo member's home page asks for theirs
                draw = self.rng.random()
                if draw >= DEMO_SUBMITTED_SHARE + DEMO_DRAFT_SHARE:
                    continue
                level = rules.disciplined_member_level if member.pk in disciplined else GOOD
                if level == GOOD and self.rng.random() < 0.2:
                    level = EXCELLENT
                self._moment(cal.opened_on, last)
                draft = draw >= DEMO_SUBMITTED_SHARE
                review = self._self_review(
                    self._writer(member, secretary), review_round, rules, member, level, draft=draft
                )
                self.counts["current_drafts" if draft else "current_submitted"] += 1
                if not draft:
                    submitted.append((review, level))
            meeting = cell.meetings.filter(status=MeetingStatus.IN_PROGRESS).first()
            if meeting is None or secretary is None:
                continue
            present = meeting_actions.vote_register(meeting)["present_official"]
            for review, level in submitted[:DEMO_PROPOSALS_PER_CELL]:
                self.clock.set(now - self.rng.randint(5, 60) * MINUTE)
                actions.propose_member_level(
                    secretary,
                    review,
                    meeting,
                    points=points_for(rules, "member", level, self.rng)[0],
                    tasks=tasks_for(level, self.rng),
                    level=level,
                    comment=CELL_COMMENTS[level],
                    agree=present,
                    disagree=0,
                    abstain=0,
                )
                self.counts["current_proposed"] += 1


def seed_demo_reviews(system: User, today: datetime.date, rng: random.Random) -> dict:
    """Seed the demo's review of last year (complete) and of this year (open) through the
    actions; a round the committee already has is left alone. Return counts."""
    seeder = _DemoReviews(system, today, rng)
    past, current = review_years(today)
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE), seeder.clock:
        if actions.overlapping_round(seeder.committee, past) is None:
            seeder.past(past)
        if actions.overlapping_round(seeder.committee, current) is None:
            seeder.current(current)
    return dict(seeder.counts)


# The province, in bulk.


@dataclass(frozen=True)
class _Org:
    pk: int
    path: str
    depth: int
    level: str


class _Moments:
    """Random moments between two days, drawn from a few hundred made once."""

    def __init__(self, rng: random.Random, first: datetime.date, last: datetime.date):
        days = max((last - first).days, 0)
        self.rng = rng
        self.pool = [
            aware(
                first + rng.randint(0, days) * DAY,
                datetime.time(rng.randint(7, 21), rng.randint(0, 59)),
            )
            for _ in range(300)
        ]

    def __call__(self) -> datetime.datetime:
        return self.rng.choice(self.pool)


def _manager(root: Organisation) -> User | None:
    """Who opens the rounds: a standing member or organisation staff of root."""
    return (
        User.objects.filter(
            roles__organisation=root,
            roles__kind__in=(RoleKind.STANDING_MEMBER, RoleKind.ORGANISATION_STAFF),
            is_active=True,
        )
        .order_by("id")
        .first()
    )


def _ancestors(path: str) -> list[str]:
    step = Organisation.steplen
    return [path[:n] for n in range(step, len(path), step)]


class _ProvinceReviews:
    def __init__(self, root: Organisation, today: datetime.date, rng: random.Random):
        self.root = root
        self.today = today
        self.rng = rng
        self.manager = _manager(root)
        self.orgs = [
            _Org(*row)
            for row in Organisation.objects.filter(
                path__startswith=root.path, closed_on__isnull=True
            )
            .order_by("path")
            .values_list("pk", "path", "depth", "level")
        ]
        by_path = {o.path: o for o in self.orgs}
        # The grassroots organisation that decides each cell's members.
        self.decider: dict[int, int] = {}
        for org in self.orgs:
            if org.level in CELL_LEVELS:
                chain = [by_path[p] for p in _ancestors(org.path) if p in by_path] + [org]
                grassroots = [o for o in chain if o.level in GRASSROOTS_LEVELS]
                self.decider[org.pk] = (grassroots[-1] if grassroots else org).pk
        self.counts: Counter = Counter()

    def _round(self, year: int, cal: Calendar) -> tuple[ReviewRound, ReviewRules]:
        pack = actions.pack_for_year(self.root, year)
        review_round = ReviewRound.objects.create(
            organisation=self.root,
            year=year,
            pack_id=pack.id,
            opened_on=cal.opened_on,
            self_review_until=cal.self_review_until,
            proposals_until=cal.proposals_until,
            decisions_until=cal.decisions_until,
            closed_on=cal.closed_on,
            opened_by=self.manager,
            version=1 if cal.closed_on is None else 2,
        )
        return review_round, pack.review

    def _members(self, statuses):
        """The reviewed members, grassroots organisation by grassroots organisation: their
        cells lie under it, so ordered by path they come together."""
        rows = (
            Member.objects.filter(cell__path__startswith=self.root.path, status__in=statuses)
            .order_by("cell__path", "id")
            .values_list("pk", "cell_id", "status", "position", "occupation", "admitted_on")
            .iterator(chunk_size=5000)
        )
        group: list = []
        current = None
        for row in rows:
            decider = self.decider.get(row[1])
            if decider is None:
                continue
            if decider != current and group:
                yield current, group
                group = []
            current = decider
            group.append(row)
        if group:
            yield current, group

    def run(self, past: int | None, current: int | None) -> None:
        rng = self.rng
        done = current_round = None
        if past is not None:
            cal = past_calendar(past)
            done = _PastRows(self, *self._round(past, cal), cal)
        if current is not None:
            cal_now = open_calendar(current, self.today)
            current_round, current_rules = self._round(current, cal_now)
            disciplined_now = disciplined_ids(current, self.root).members
            submitted = _Moments(rng, cal_now.opened_on, min(self.today, cal_now.self_review_until))
        if done is None and current_round is None:
            return
        statuses = (done.rules if done is not None else current_rules).member_statuses
        batch: list[MemberReview] = []
        for decider, group in self._members(statuses):
            if done is not None:
                # A member admitted after the year reviewed has no year to review.
                year_end = datetime.date(past, 12, 31)
                batch += done.members(decider, [row for row in group if row[5] <= year_end])
            if current_round is not None:
                for pk, cell_id, _status, position, occupation, _admitted in group:
                    draw = rng.random()
                    if draw >= SUBMITTED_SHARE + DRAFT_SHARE:
                        continue
                    draft = draw >= SUBMITTED_SHARE
                    level = (
                        current_rules.disciplined_member_level if pk in disciplined_now else GOOD
                    )
                    if level == GOOD and rng.random() < 0.2:
                        level = EXCELLENT
                    batch.append(
                        _self_row(
                            current_rules,
                            current_round,
                            pk,
                            cell_id,
                            occupation,
                            position,
                            level,
                            rng,
                            submitted(),
                            draft=draft,
                        )
                    )
                    self.counts["current_drafts" if draft else "current_submitted"] += 1
            if len(batch) >= BATCH:
                MemberReview.objects.bulk_create(batch, batch_size=BATCH)
                batch = []
        MemberReview.objects.bulk_create(batch, batch_size=BATCH)
        if done is not None:
            done.organisations()
            done.finish()
            self.counts.update(done.counts)


def _self_row(rules, review_round, pk, cell_id, occupation, position, level, rng, at, *, draft):
    """A member's self-review as save_self_review leaves it: submitted, or a draft."""
    form = form_for(rules, occupation, position)
    sections = sections_for(rules, "member", form, level, rng, draft=draft, short=True)
    if draft:
        return MemberReview(
            round=review_round,
            member_id=pk,
            cell_id=cell_id,
            form=form,
            sections=sections,
            version=2,
        )
    points, total = points_for(rules, "member", level, rng)
    tasks = tasks_for(level, rng)
    return MemberReview(
        round=review_round,
        member_id=pk,
        cell_id=cell_id,
        stage=Stage.SUBMITTED,
        form=form,
        sections=sections,
        self_points=points,
        self_total=total,
        self_level=level,
        tasks_done_percent=tasks.done,
        tasks_on_time_percent=tasks.on_time,
        tasks_exceeded_percent=tasks.exceeded,
        submitted_at=at,
        version=2,
    )


class _PastRows:
    """Last year's round as the actions leave it once closed: every self-review submitted,
    proposed, decided and confirmed, each decider's confirmation counting its levels. The
    frozen `record` of a member's review and `report` of an organisation's are left empty
    here: drafting them is a query each, too slow for 78,000 of them (the pages read the
    year's records live when nothing is frozen)."""

    def __init__(self, seeder: _ProvinceReviews, review_round, rules, cal: Calendar):
        self.seeder = seeder
        self.round = review_round
        self.rules = rules
        self.rng = seeder.rng
        self.counts: Counter = Counter()
        year = review_round.year
        self.disciplined = disciplined_ids(year, seeder.root)
        self.submitted = _Moments(self.rng, cal.opened_on + DAY, cal.self_review_until)
        self.proposed = _Moments(self.rng, cal.self_review_until + DAY, cal.proposals_until)
        self.decided = _Moments(self.rng, cal.proposals_until + DAY, cal.decisions_until - 3 * DAY)
        self.confirmed_window = (cal.decisions_until - 2 * DAY, cal.decisions_until)
        self.confirmed = _Moments(self.rng, *self.confirmed_window)
        # The confirmations, made first so the reviews can point at them; counted at the end.
        cells = Member.objects.filter(
            cell__path__startswith=seeder.root.path, status__in=rules.member_statuses
        ).values_list("cell_id", flat=True)
        deciders = sorted({seeder.decider[c] for c in cells.distinct() if c in seeder.decider})
        made = ReviewConfirmation.objects.bulk_create(
            ReviewConfirmation(round=review_round, decider_id=pk, subject=Subject.MEMBER)
            for pk in deciders
        )
        self.member_confirmations = {c.decider_id: c for c in made}
        self.level_counts: dict[int, Counter] = defaultdict(Counter)

    def members(self, decider: int, group: list) -> list[MemberReview]:
        rules, rng = self.rules, self.rng
        disciplined = self.disciplined.members
        caps = {row[0]: rules.disciplined_member_level for row in group if row[0] in disciplined}
        for row in group:
            if row[0] not in caps and rng.random() < NOT_COMPLETED_SHARE:
                caps[row[0]] = NOT_COMPLETED
        merit = {
            row[0]: rng.random()
            + (0.25 if row[3] in LEADER_POSTS else 0)
            - (0.3 if row[2] == Status.PROBATIONARY else 0)
            for row in group
        }
        ranked = sorted(merit, key=lambda pk: -merit[pk])
        completed = sum(1 for _ in group if rng.random() < COMPLETED_SHARE)
        spare = 1 if rng.random() < QUOTA_SPARED_SHARE else 0
        levels = plan_levels(rules, ranked, caps=caps, completed=completed, spare=spare)
        confirmation = self.member_confirmations[decider]
        rows = []
        for pk, cell_id, _status, position, occupation, _admitted in group:
            level = levels[pk]
            asks = EXCELLENT if level == GOOD and rng.random() < SELF_EXCELLENT_SHARE else level
            row = _self_row(
                rules,
                self.round,
                pk,
                cell_id,
                occupation,
                position,
                asks,
                rng,
                self.submitted(),
                draft=False,
            )
            points, total = (
                (row.self_points, row.self_total)
                if asks == level
                else (points_for(rules, "member", level, rng))
            )
            tasks = Tasks.of(row) if asks == level else tasks_for(level, rng)
            row.proposed_points = points
            row.proposed_total = total
            row.proposed_level = level
            row.tasks_done_percent = tasks.done
            row.tasks_on_time_percent = tasks.on_time
            row.tasks_exceeded_percent = tasks.exceeded
            row.cell_comment = "" if level == GOOD else CELL_COMMENTS[level]
            row.proposed_at = self.proposed()
            row.level = level
            row.decided_at = self.decided()
            row.confirmation = confirmation
            row.stage = Stage.CONFIRMED
            row.version = 5  # submitted, proposed, decided, confirmed
            rows.append(row)
            self.level_counts[confirmation.pk][level] += 1
        self.counts["past_members"] += len(rows)
        return rows

    def organisations(self) -> None:
        """Every open organisation below the root, decided by the one directly above it."""
        seeder, rules, rng = self.seeder, self.rules, self.rng
        step = Organisation.steplen
        by_path = {o.path: o for o in seeder.orgs}
        disciplined_orgs = self.disciplined.organisations
        member_cells = Member.objects.filter(pk__in=self.disciplined.members).values_list(
            "cell__path", flat=True
        )
        below = {p for path in member_cells for p in [*_ancestors(path), path]}
        below |= {p for o in seeder.orgs if o.pk in disciplined_orgs for p in _ancestors(o.path)}
        children: dict[str, list[_Org]] = defaultdict(list)
        for org in seeder.orgs:
            if org.depth > seeder.root.depth:
                children[org.path[:-step]].append(org)
        form = rules.forms_for("organisation")[0].key
        deciders = [by_path[p] for p in sorted(children) if p in by_path]
        made = ReviewConfirmation.objects.bulk_create(
            ReviewConfirmation(round=self.round, decider_id=d.pk, subject=Subject.ORGANISATION)
            for d in deciders
        )
        rows = []
        for decider, confirmation in zip(deciders, made, strict=True):
            group = children[decider.path]
            caps = {}
            for org in group:
                if org.pk in disciplined_orgs:
                    caps[org.pk] = rules.disciplined_member_level
                elif org.path in below:
                    caps[org.pk] = rules.collective_disciplined_level
            ranked = [o.pk for o in group]
            rng.shuffle(ranked)
            completed = sum(1 for _ in group if rng.random() < ORG_COMPLETED_SHARE)
            levels = plan_levels(rules, ranked, caps=caps, completed=completed)
            for org in group:
                level = levels[org.pk]
                points, total = points_for(rules, "organisation", level, rng)
                tasks = tasks_for(level, rng)
                rows.append(
                    OrganisationReview(
                        round=self.round,
                        organisation_id=org.pk,
                        stage=Stage.CONFIRMED,
                        form=form,
                        sections=sections_for(rules, "organisation", form, level, rng, short=True),
                        self_points=points,
                        self_total=total,
                        self_level=level,
                        tasks_done_percent=tasks.done,
                        tasks_on_time_percent=tasks.on_time,
                        tasks_exceeded_percent=tasks.exceeded,
                        submitted_at=self.submitted(),
                        level=level,
                        decided_at=self.decided(),
                        confirmation=confirmation,
                        version=4,  # submitted, decided, confirmed
                    )
                )
                self.level_counts[confirmation.pk][level] += 1
        OrganisationReview.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["past_organisations"] = len(rows)

    def finish(self) -> None:
        """Each confirmation's counts and moment, as confirm() records them."""
        confirmations = list(ReviewConfirmation.objects.filter(round=self.round))
        for confirmation in confirmations:
            counts = self.level_counts.get(confirmation.pk, Counter())
            confirmation.counts = {key: counts.get(key, 0) for key in LEVELS}
            confirmation.confirmed_at = self.confirmed()
            confirmation.confirmed_by = self.seeder.manager
        ReviewConfirmation.objects.bulk_update(
            confirmations, ["counts", "confirmed_at", "confirmed_by"], batch_size=500
        )
        self.counts["confirmations"] = len(confirmations)


@transaction.atomic
def seed_province_reviews(root: Organisation, today: datetime.date, rng: random.Random) -> dict:
    """Seed root's review of last year (confirmed, closed) and of this year (open) in bulk;
    a year some round already covers is left alone. Return counts and the seconds taken."""
    started = time.monotonic()
    past, current = review_years(today)
    seeder = _ProvinceReviews(root, today, rng)
    seeder.run(
        past if actions.overlapping_round(root, past) is None else None,
        current if actions.overlapping_round(root, current) is None else None,
    )
    return {**seeder.counts, "seconds": round(time.monotonic() - started, 1)}
