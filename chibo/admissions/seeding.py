"""Admission and probation data for the seeds.

seed_demo: candidates at each stage and probations near their end in a few cells, played
through the actions on the history's Clock (the cell's vote in an extraordinary meeting of
the cell, held and closed), and a probation record for every probationary member the demo
already has. seed_province: in bulk (ProvinceCases), candidates preparing their dossier in
about two cells of five; cases voted by the cell, proposed by the grassroots committee, and
admitted, each with its Vote in a held meeting of the cell whose minutes are not signed;
probations proposed for recognition or referred after failed votes, with their votes; and a
probation record for every probationary member. The rows are those the actions would write
(tallies by chibo.regulations.rules.vote_result under the pack in force on the meeting's
day), with one audit event.
"""

import datetime
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, DateTimeField, Q, Value, When
from django.test.utils import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from chibo.accounts.models import Role, RoleKind, User
from chibo.accounts.policy import Perm, can
from chibo.admissions import actions, rules
from chibo.admissions.models import (
    Candidate,
    CandidateVote,
    DocumentStatus,
    DossierItem,
    Introducer,
    Probation,
    ProbationState,
    ProbationVote,
    Stage,
)
from chibo.audit.log import record
from chibo.meetings import actions as meeting_actions
from chibo.meetings import minutes, scoring
from chibo.meetings.models import (
    PRESENT_STATUSES,
    REGULAR_KINDS,
    Attendance,
    AttendanceStatus,
    Kind,
    Meeting,
    MeetingStatus,
    Signature,
    Vote,
    VoteKind,
)
from chibo.members.models import Member, MembershipPeriod, Status
from chibo.orgs.models import CELL_LEVELS, Level, Organisation
from chibo.regulations.loader import Pack, PackNotFound, pack_in_force
from chibo.regulations.rules import vote_result, votes_needed
from chibo.regulations.workdays import add_working_days
from chibo.seed import history
from chibo.seed.history import Clock, aware
from chibo.seed.names import DEPUTY, SECRETARY, People
from chibo.seed.texts import ABSENCE_REASONS
from chibo.text import fold

DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)
MEETING_START = datetime.time(14, 0)
PRESENCE = 0.88
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
# What the demo's meetings on a member's path say, in the cell's words.
TOPIC = "Xem xét kết nạp đảng viên và công nhận đảng viên chính thức"
OPINIONS = (
    "Quần chúng có lập trường tư tưởng vững vàng, gương mẫu trong công tác, được nhân dân "
    "nơi cư trú tín nhiệm; tôi đồng ý đề nghị kết nạp.",
    "Đề nghị quần chúng tiếp tục học tập nâng cao trình độ lý luận chính trị, tích cực tham "
    "gia công tác đoàn thể.",
    "Trong thời gian dự bị, đồng chí hoàn thành tốt nhiệm vụ được giao, chấp hành nghiêm "
    "Điều lệ Đảng; tôi đề nghị chi bộ công nhận đảng viên chính thức.",
    "Đồng chí cần mạnh dạn hơn trong tự phê bình và phê bình, phát biểu ý kiến trong sinh "
    "hoạt chi bộ.",
    "Hồ sơ đầy đủ, lý lịch đã được thẩm tra rõ ràng; nhận xét của chi ủy nơi cư trú và các "
    "đoàn thể đều tốt.",
)
MINUTES_OPENING = (
    "Đồng chí {chair}, Bí thư chi bộ, khai mạc buổi sinh hoạt, nêu mục đích xem xét công tác "
    "phát triển đảng viên; đồng chí {taker} làm thư ký."
)
MINUTES_SUMMARY = (
    "Chi bộ nghe báo cáo hồ sơ, ý kiến của người giới thiệu và nhận xét của các đoàn thể; "
    "{speakers} đồng chí phát biểu. Chi bộ biểu quyết theo Điều lệ Đảng."
)
MINUTES_CONCLUSION = (
    "Chi bộ thống nhất kết quả biểu quyết; giao chi ủy hoàn thiện hồ sơ, báo cáo cấp ủy "
    "cấp trên xem xét, quyết định."
)
CANDIDATE_FIELDS = (
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "hometown",
    "residence",
    "phone",
    "citizen_id",
    "education",
    "occupation",
)
# What the seeded committees write on their documents.
RESOLUTION = "{n}-NQ/ĐU"
DECISION = "{n}-QĐ/ĐU"


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _candidate_fields(people: People, cell: Organisation) -> dict:
    fields = people.member(
        mix="province",
        cell_type=cell.cell_type,
        home="tỉnh Hà Giang",
        residence=cell.place or "tỉnh Hà Giang",
        status=Status.PROBATIONARY,
    )
    return {k: fields[k] for k in CANDIDATE_FIELDS}


# The demo.


@contextmanager
def _quick_password(users):
    """Let the signers' password be checked quickly while the demo signs, as the meetings'
    history does: PBKDF2 is slow on purpose. The users in hand carry a salted MD5 hash of the
    public demo password; the database keeps theirs."""
    from chibo.seed.demo import DEMO_PASSWORD  # the seed package imports this module

    hashers = [FAST_HASHER, *(x for x in settings.PASSWORD_HASHERS if x != FAST_HASHER)]
    with override_settings(PASSWORD_HASHERS=hashers):
        quick = make_password(DEMO_PASSWORD)
        for user in users:
            user.password = quick
        yield DEMO_PASSWORD


class _DemoCell:
    """A cell with the people its cases need: who keeps the dossier, who runs the meeting,
    who resolves and who decides."""

    def __init__(self, org: Organisation, system: User):
        self.org = org
        self.secretary = (
            User.objects.filter(
                roles__organisation=org, roles__kind=RoleKind.SECRETARY, is_active=True
            ).first()
            or system
        )
        deciders = User.objects.filter(
            roles__kind__in=[RoleKind.STANDING_MEMBER, RoleKind.ORGANISATION_STAFF],
            is_active=True,
        ).order_by("-roles__organisation__depth")
        # The grassroots committee resolves; the superior committee decides.
        self.resolver = next((u for u in deciders if can(u, Perm.DECIDE_MEMBERSHIP, org)), system)
        self.decider = next((u for u in deciders if actions.may_decide(u, org)), system)
        officials = list(Member.objects.filter(cell=org, status=Status.OFFICIAL).order_by("id"))
        self.chair = next((m for m in officials if m.position == SECRETARY), officials[0])
        self.taker = next((m for m in officials if m.position == DEPUTY), officials[-1])
        self.introducers = [m for m in officials if m.position not in (SECRETARY, DEPUTY)][:2]
        if len(self.introducers) < 2:
            self.introducers = officials[:2]
        # The cell's earlier tasks are reviewed by its next regular meeting; an extraordinary
        # meeting before the last one held finds none left to review.
        held = org.meetings.filter(
            kind__in=REGULAR_KINDS, status__in=[MeetingStatus.CLOSED, MeetingStatus.SIGNED]
        ).order_by("-scheduled_at")
        last = held.values_list("scheduled_at", flat=True).first()
        self.last_held = last.date() if last else None


class DemoAdmissions:
    def __init__(self, system: User, rng: random.Random, today: datetime.date):
        self.system = system
        self.rng = rng
        self.today = today
        self.people = People(rng, today)
        self.clock = Clock()
        self.numbers = iter(range(101, 10_000))
        self.counts: dict[str, int] = {}

    def _at(self, day: datetime.date, hour: int = 9) -> None:
        self.clock.set(aware(day, datetime.time(hour, 0)))

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    # Steps.

    def _open(self, cell: _DemoCell, day: datetime.date, youth_union: bool = False, docs=1.0):
        """Open a case on day and bring its dossier; docs is the share of documents in."""
        self._at(day)
        fields = _candidate_fields(self.people, cell.org)
        while Member.objects.filter(citizen_id=fields["citizen_id"]).exists():
            fields = _candidate_fields(self.people, cell.org)
        candidate = actions.create_candidate(cell.secretary, cell.org, **fields)
        items = [
            i
            for i in candidate.documents.all()
            if i.key not in rules.STEP_DOCUMENTS and rules.applies_to(i.key, cell.org)
        ]
        wanted = [
            i
            for i in items
            if i.rule.required
            and not (youth_union and i.key == "introduction_2")
            or youth_union
            and i.key == "youth_union_resolution"
        ]
        for n, item in enumerate(wanted[: round(len(wanted) * docs)]):
            dated = day - _days(self.rng.randint(2, 20))
            if item.key == rules.CERTIFICATE:
                dated = day - _days(self.rng.randint(60, 700))
            actions.set_document(
                cell.secretary,
                candidate,
                item.key,
                status=DocumentStatus.CHECKED if docs == 1.0 else DocumentStatus.SUBMITTED,
                reference=f"{n + 1:02d}" if item.key == rules.CERTIFICATE else "",
                dated=dated,
            )
        for member in cell.introducers[: 1 if youth_union or docs < 1 else 2]:
            since = day - _days(self.rng.randint(400, 3000))
            actions.add_introducer(cell.secretary, candidate, member, since)
        return candidate

    def _meeting(self, cell: _DemoCell, day: datetime.date, votes):
        """An extraordinary meeting of the cell on day, held as the history holds the
        regular ones: most members come (the rest excused), some speak, the votes are taken
        (a callable per vote, given the meeting and the officials present), the cell's
        resolution is voted, the meeting closed, the minutes written, scored and signed."""
        rng, clock = self.rng, self.clock
        starts = aware(day, MEETING_START)
        clock.set(starts - _days(5))
        meeting = meeting_actions.schedule_meeting(
            cell.secretary,
            cell.org,
            kind=Kind.EXTRAORDINARY,
            scheduled_at=starts,
            topic=TOPIC,
        )
        meeting_actions.send_notice(cell.secretary, meeting)
        clock.set(starts)
        meeting_actions.start_meeting(
            cell.secretary, meeting, chair=cell.chair, minute_taker=cell.taker
        )
        rows = list(
            meeting.attendance.filter(status=AttendanceStatus.EXPECTED)
            .select_related("member")
            .order_by("member_id")
        )
        needed = actions.threshold_needed(meeting, VoteKind.RECOGNITION)["needed"]
        leaders = (cell.chair.pk, cell.taker.pk)
        here = [r for r in rows if r.member_id in leaders or rng.random() < PRESENCE]
        away = [r for r in rows if r not in here]
        # The cell's votes on a member need two thirds: a meeting short of them is put off,
        # so the seeded ones have enough.
        while away and sum(1 for r in here if r.was_official) < needed:
            here.append(away.pop(0))
        for i, row in enumerate(here):
            clock.set(starts + i * 15 * SECOND)
            meeting_actions.check_in(cell.secretary, meeting, row.member)
        clock.set(starts + 8 * MINUTE)
        for row in away:
            meeting_actions.set_attendance(
                cell.secretary,
                meeting,
                row.member,
                AttendanceStatus.ABSENT_EXCUSED,
                rng.choice(ABSENCE_REASONS),
            )
        agenda = {item.key: item for item in meeting.agenda.all()}
        speakers = rng.sample(here, max(1, round(rng.uniform(0.3, 0.7) * len(here))))
        for i, row in enumerate(speakers):
            clock.set(starts + (30 + 3 * i) * MINUTE)
            meeting_actions.post_opinion(
                cell.secretary,
                meeting,
                rng.choice(OPINIONS),
                member=row.member,
                agenda_item=agenda.get("discussion"),
            )
        present = sum(1 for r in here if r.was_official)
        clock.set(starts + 70 * MINUTE)
        for vote in votes:
            vote(meeting, present)
        meeting_actions.record_vote(
            cell.secretary,
            meeting,
            subject="Nghị quyết chi bộ về công tác phát triển đảng viên",
            agree=present,
            disagree=0,
            abstain=0,
            agenda_item=agenda.get("conclusion"),
        )
        ends = starts + rng.randint(95, 125) * MINUTE
        clock.set(ends)
        meeting_actions.close_meeting(cell.secretary, meeting)
        self._record(cell, meeting, ends, len(speakers))
        return meeting

    def _record(self, cell: _DemoCell, meeting, ends, speakers: int) -> None:
        """The minutes written, the meeting scored, and the minutes signed the next day by
        the chair and the minute-taker when both have a login (the demo password)."""
        rng, clock = self.rng, self.clock
        clock.set(ends + 2 * MINUTE)
        minutes.edit_minutes(
            cell.secretary,
            meeting,
            version=0,
            opening=MINUTES_OPENING.format(chair=cell.chair.full_name, taker=cell.taker.full_name),
            summary=MINUTES_SUMMARY.format(speakers=speakers),
            conclusion=MINUTES_CONCLUSION,
        )
        clock.set(ends + 5 * MINUTE)
        scoring.name_assessor(cell.secretary, meeting, cell.taker)
        pack = scoring.pack_of(meeting)
        signers = {u.member_id: u for u in User.objects.filter(member__in=[cell.chair, cell.taker])}
        signed = ends + DAY + rng.randint(60, 300) * MINUTE
        will_sign = len(signers) == 2 and clock.reached(signed)
        automatic = history.automatic_points(scoring.score_preview(meeting, {}), will_sign)
        manual = history.manual_points(rng, pack, automatic)
        scoring.save_score(cell.secretary, meeting, manual)
        deadline = pack.meeting.minutes_sign_deadline_days
        if will_sign:
            with _quick_password(signers.values()) as password:
                clock.set(signed - 20 * MINUTE)
                minutes.sign_minutes(
                    signers[cell.taker.pk], meeting, Signature.Role.MINUTE_TAKER, password
                )
                clock.set(signed)
                minutes.sign_minutes(
                    signers[cell.chair.pk], meeting, Signature.Role.CHAIR, password
                )
        elif clock.reached(ends + (deadline + 1) * DAY):
            # Never signed: past the deadline the score is complete without it.
            clock.set(ends + (deadline + 1) * DAY)
            scoring.save_score(cell.secretary, meeting, manual)

    def _admission_vote(self, cell, candidate, day):
        self._meeting(
            cell,
            day,
            [
                lambda m, n: actions.record_admission_vote(
                    cell.secretary, candidate, m, agree=n, disagree=0, abstain=0
                )
            ],
        )

    def _propose(self, cell, candidate, day):
        self._at(day, 15)
        actions.record_committee_resolution(
            cell.resolver,
            candidate,
            number=RESOLUTION.format(n=next(self.numbers)),
            resolved_on=day,
        )

    def _decide(self, cell, candidate, day) -> Probation:
        self._at(day, 16)
        return actions.decide_admission(
            cell.decider, candidate, number=DECISION.format(n=next(self.numbers)), decided_on=day
        )

    def _admitted(self, cell, decided_on: datetime.date) -> Probation:
        """A candidate taken from the dossier to the decision, which falls on decided_on."""
        vote_on = min(decided_on - _days(self.rng.randint(20, 35)), cell.last_held - DAY)
        candidate = self._open(cell, vote_on - _days(self.rng.randint(30, 60)))
        self._admission_vote(cell, candidate, vote_on)
        if rules.needs_committee_resolution(cell.org):
            resolved = min(vote_on + _days(self.rng.randint(5, 12)), decided_on)
            self._propose(cell, candidate, resolved)
        return self._decide(cell, candidate, decided_on)

    def _ceremony(self, cell, probation, held_on):
        self._at(held_on, 10)
        return actions.hold_ceremony(cell.secretary, probation, held_on)

    def _on_probation(self, cell, ends_on: datetime.date) -> Probation:
        """A member whose probation ends on ends_on (the ceremony twelve months before)."""
        ceremony = rules.add_months(ends_on, -12)
        decided = ceremony - _days(self.rng.randint(8, 20))
        while add_working_days(decided, 30) < ceremony:
            decided += DAY
        probation = self._admitted(cell, decided)
        return self._ceremony(cell, probation, ceremony)

    def _recognition_vote(self, cell, probation, day, passed: bool):
        def vote(meeting, present):
            agree = present if passed else present // 2
            actions.record_recognition_vote(
                cell.secretary,
                probation,
                meeting,
                agree=agree,
                disagree=present - agree,
                abstain=0,
            )

        self._meeting(cell, day, [vote])

    # Scenarios, each dated before the cell's last regular meeting where a vote is held.

    def preparing(self, cell, youth_union=False):
        self._open(cell, self.today - _days(self.rng.randint(3, 15)), youth_union, docs=0.6)
        self._count("preparing")

    def cell_approved(self, cell):
        voted = cell.last_held - _days(self.rng.randint(2, 6))
        candidate = self._open(cell, voted - _days(45))
        self._admission_vote(cell, candidate, voted)
        self._count("cell_approved")

    def committee_proposed(self, cell):
        voted = cell.last_held - _days(self.rng.randint(8, 14))
        candidate = self._open(cell, voted - _days(50))
        self._admission_vote(cell, candidate, voted)
        self._propose(cell, candidate, min(voted + _days(10), self.today))
        self._count("committee_proposed")

    def awaiting_ceremony(self, cell):
        self._admitted(cell, self.today - _days(self.rng.randint(5, 12)))
        self._count("awaiting_ceremony")

    def ending_soon(self, cell):
        self._on_probation(cell, self.today + _days(self.rng.randint(4, 25)))
        self._count("ending_soon")

    def proposed(self, cell):
        voted = cell.last_held - _days(9)
        probation = self._on_probation(cell, voted - _days(self.rng.randint(3, 10)))
        self._recognition_vote(cell, probation, voted, passed=True)
        self._count("proposed")

    def recognised(self, cell):
        voted = cell.last_held - _days(20)
        probation = self._on_probation(cell, voted - _days(12))
        self._recognition_vote(cell, probation, voted, passed=True)
        self._at(voted + _days(9), 15)
        actions.decide_recognition(
            cell.decider,
            probation,
            recognised=True,
            number=DECISION.format(n=next(self.numbers)),
            decided_on=voted + _days(9),
        )
        self._count("recognised")

    def referred(self, cell):
        last = cell.last_held - _days(1)
        days = [last - _days(56), last - _days(28), last]
        probation = self._on_probation(cell, days[0] - _days(5))
        for day in days:
            self._recognition_vote(cell, probation, day, passed=False)
        self._count("referred")

    def records_for_earlier_members(self) -> None:
        """A probation record for each probationary member the demo already had: the
        secretary enters the ceremony held within the deadline."""
        for member in Member.objects.filter(
            status=Status.PROBATIONARY, probation__isnull=True
        ).select_related("cell"):
            secretary = (
                User.objects.filter(
                    roles__organisation=member.cell_id, roles__kind=RoleKind.SECRETARY
                ).first()
                or self.system
            )
            try:
                pack = actions.membership_pack(member.cell, member.admitted_on)
            except ValidationError:
                continue  # admitted before any pack: nothing to follow
            due = add_working_days(
                member.admitted_on, pack.membership.admission.ceremony_within_working_days
            )
            held = add_working_days(member.admitted_on, self.rng.randint(3, 25))
            self.clock.set(aware(self.today, datetime.time(8, 0)))
            actions.open_probation(
                secretary,
                member,
                ceremony_on=held if held <= min(due, self.today) else None,
                decision_number=DECISION.format(n=next(self.numbers)),
            )
            self._count("records")

    def run(self, cells: list[Organisation]) -> dict:
        ready = [_DemoCell(c, self.system) for c in cells]
        grassroots = [c for c in ready if not rules.needs_committee_resolution(c.org)]
        subordinate = [c for c in ready if rules.needs_committee_resolution(c.org)]
        for cell in ready:
            cell.last_held = min(cell.last_held or self.today, self.today - _days(3))
        with self.clock:
            self.records_for_earlier_members()
            # The first cell of each kind gets the richest set: it is the one the demo's
            # accounts look at first.
            plan = [
                (grassroots, 0, self.preparing),
                (grassroots, 0, self.ending_soon),
                (grassroots, 0, self.proposed),
                (grassroots, 0, self.recognised),
                (grassroots, 1, self.cell_approved),
                (grassroots, 1, self.referred),
                (grassroots, 1, self.ending_soon),
                (subordinate, 0, self.committee_proposed),
                (subordinate, 0, self.awaiting_ceremony),
                (subordinate, 0, lambda c: self.preparing(c, youth_union=True)),
                (subordinate, 1, self.ending_soon),
            ]
            for group, index, scenario in plan:
                if group:
                    scenario(group[index % len(group)])
        return self.counts


def demo_cells(per_level: int = 2) -> list[Organisation]:
    """The cells the demo's cases are played in, per_level of each kind (grassroots cells,
    subordinate cells) among those with enough official members to vote: first those whose
    commune has a standing committee member's login, then the largest."""
    followed = [
        r.organisation.path
        for r in Role.objects.filter(kind=RoleKind.STANDING_MEMBER).select_related("organisation")
    ]
    chosen = []
    for level in (Level.GRASSROOTS_CELL, Level.CELL):
        ranked = []
        for cell in Organisation.objects.filter(level=level, closed_on__isnull=True):
            officials = cell.members.filter(status=Status.OFFICIAL).count()
            if officials >= 3:
                watched = any(cell.path.startswith(p) for p in followed)
                ranked.append((not watched, -officials, cell.path, cell))
        chosen += [row[-1] for row in sorted(ranked, key=lambda r: r[:3])[:per_level]]
    return chosen


@transaction.atomic
def seed_demo(actor: User, seed: int = 1, today: datetime.date | None = None) -> dict:
    """Play the demo's admission cases through the actions; return how many of each."""
    today = today or timezone.localdate()
    counts = DemoAdmissions(actor, random.Random(seed * 7919 + 4), today).run(demo_cells())
    return counts


# The province, in bulk.

# How many cases the province shows at each later stage: a share of its cells (cases waiting
# for the committee's resolution or the decision) or of its probationary members (recognition
# votes held); at least one of each where the data allow, so that a small tree shows them all.
CANDIDATE_SHARE = 0.4
CELL_APPROVED_SHARE = 0.03
COMMITTEE_PROPOSED_SHARE = 0.03  # of the subordinate cells
PROPOSED_SHARE = 0.015
REFERRED_SHARE = 0.004
FAILED_ONCE_SHARE = 0.004
# A case still open had the cell's vote within these days.
OPEN_VOTE_WITHIN = 90
# Members admitted this recently were admitted through Chibo: their case, from the dossier to
# the decision, is in it, voted in a meeting of the cell's history.
ADMITTED_WITHIN = 60
# Recognition votes: the last one of a case within these days (the committee's decision is
# still to come), a referred case's failed ones over the months before. The members voted on
# are drawn among those admitted longest ago, whose admission then moves back (see
# _recognitions).
LAST_VOTE_WITHIN = {"proposed": 60, "failed_once": 90, "referred": 120}
RECOGNITION_WITHIN = 300
VOTED_ADMITTED_WITHIN = 400
# The working days a cell takes to hold the ceremony of a case admitted through Chibo.
CEREMONY_AFTER = (12, 30)


@dataclass
class _Org:
    pk: int
    path: str
    level: str
    depth: int


def _superiors(orgs: dict[str, _Org]) -> dict[int, int]:
    """Return the committee above each cell's grassroots organisation, by cell id: the rule
    of rules.superior_committee over the whole province at once."""
    by_path = orgs
    out = {}
    for org in by_path.values():
        if org.level not in CELL_LEVELS:
            continue
        grassroots = org
        if org.level == Level.CELL:
            for depth in range(org.depth - 1, 0, -1):
                above = by_path[org.path[: depth * Organisation.steplen]]
                if above.level == Level.GRASSROOTS_COMMITTEE:
                    grassroots = above
                    break
        parent_path = grassroots.path[: (grassroots.depth - 1) * Organisation.steplen]
        out[org.pk] = by_path[parent_path].pk if parent_path in by_path else grassroots.pk
    return out


def seed_province(province: Organisation, seed: int = 1, today: datetime.date | None = None):
    """Write, in bulk, the province's cases at every stage and the probation record of every
    probationary member under it; return counts."""
    started = time.monotonic()
    today = today or timezone.localdate()
    rng = random.Random(seed * 104_729 + 4)
    steps = range(Organisation.steplen, len(province.path), Organisation.steplen)
    above = [province.path[:n] for n in steps]
    orgs = {
        path: _Org(pk, path, level, depth)
        for pk, path, level, depth in Organisation.objects.filter(
            Q(path__startswith=province.path) | Q(path__in=above)
        ).values_list("pk", "path", "level", "depth")
    }
    # The official record is in the installation's language (vote subjects and tallies), as
    # the actions write it when the seed command runs them.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        summary = ProvinceCases(rng, today, province, _superiors(orgs)).run()
    summary["seconds"] = round(time.monotonic() - started, 1)
    record(None, "seed.admissions", province, province, summary)
    return summary


@dataclass
class _Held:
    """A held meeting of a cell whose minutes are not signed: a case's vote can be added to it
    without touching a signed record. eligible and present are what vote_register counts."""

    pk: int
    cell_id: int
    day: datetime.date
    started_at: datetime.datetime
    ended_at: datetime.datetime
    pack: Pack
    eligible: int = 0
    present: int = 0
    added: int = 0  # the votes this seed adds to it

    def needed(self, kind: str) -> int:
        return votes_needed(self.pack, kind, self.eligible)

    def can_pass(self, kind: str) -> bool:
        return self.eligible > 0 and self.present >= self.needed(kind)


@dataclass
class _Cell:
    pk: int
    level: str
    cell_type: str
    place: str
    officials: list[tuple[int, datetime.date]] = field(default_factory=list)
    held: list[_Held] = field(default_factory=list)  # by day

    @property
    def subordinate(self) -> bool:
        return self.level == Level.CELL


class ProvinceCases:
    """The rows the actions leave for each case, computed in memory and written in bulk:
    candidates preparing their dossier (create_candidate, set_document, add_introducer);
    approved by the cell (record_admission_vote, in a held meeting of the cell); proposed by
    the grassroots committee (record_committee_resolution); admitted (decide_admission: the
    province's recently admitted members); and probations (open_probation or decide_admission,
    hold_ceremony, record_recognition_vote: proposed, referred after the failed votes, or
    failed once)."""

    def __init__(self, rng, today, province, superior: dict[int, int]):
        self.rng = rng
        self.today = today
        self.province = province
        self.superior = superior
        self.people = People(rng, today)
        self.membership_packs: dict = {}
        self.meeting_packs: dict = {}
        self.candidates: list[Candidate] = []
        self.items: list[DossierItem] = []
        self.introducers: list[Introducer] = []
        self.votes: list[tuple[Vote, datetime.datetime]] = []
        self.candidate_votes: list[CandidateVote] = []
        self.probations: dict[int, Probation] = {}  # the cases' probations, by member
        self.probation_votes: list[ProbationVote] = []
        self.moved: dict[int, tuple[datetime.date, datetime.date]] = {}  # member: (was, now)
        self.counts = dict.fromkeys(
            (
                "preparing",
                "cell_approved",
                "committee_proposed",
                "admitted",
                "proposed",
                "referred",
                "failed_once",
            ),
            0,
        )

    def run(self) -> dict:
        self._load()
        self._preparing()
        self._open_cases()
        self._admitted()
        self._recognitions()
        return self._write()

    # Reading what the province has.

    def membership(self, day: datetime.date):
        return _pack(self.membership_packs, day, self.province)

    def meeting_pack(self, day: datetime.date) -> Pack:
        if day not in self.meeting_packs:
            self.meeting_packs[day] = pack_in_force(day, self.province)
        return self.meeting_packs[day]

    def _load(self) -> None:
        province = self.province
        self.cells = {
            pk: _Cell(pk, level, cell_type, place)
            for pk, level, cell_type, place in Organisation.objects.filter(
                path__startswith=province.path, level__in=CELL_LEVELS, closed_on__isnull=True
            ).values_list("pk", "level", "cell_type", "place")
        }
        for pk, cell_id, admitted_on in Member.objects.filter(
            cell__path__startswith=province.path, status=Status.OFFICIAL
        ).values_list("pk", "cell_id", "admitted_on"):
            if cell_id in self.cells:
                self.cells[cell_id].officials.append((pk, admitted_on))
        self.taken = set(
            Member.objects.filter(citizen_id__isnull=False).values_list("citizen_id", flat=True)
        )
        self.probationary = list(
            Member.objects.filter(
                cell__path__startswith=province.path,
                status=Status.PROBATIONARY,
                probation__isnull=True,
            )
            .order_by("pk")
            .values("pk", "cell_id", "admitted_on", *actions.MEMBER_FIELDS)
        )
        self._load_meetings()

    def _load_meetings(self) -> None:
        """The cells' held meetings whose minutes are not signed, with the register of each:
        the official members counted and present, as vote_register counts them (no one is
        away on a temporary transfer before the transfers are seeded)."""
        meetings = {}
        rows = (
            Meeting.objects.filter(
                organisation__path__startswith=self.province.path, status=MeetingStatus.CLOSED
            )
            .exclude(kind=Kind.THEMATIC)
            .exclude(minutes__signed_at__isnull=False)
            .values_list("pk", "organisation_id", "scheduled_at", "started_at", "ended_at")
        )
        for pk, cell_id, scheduled_at, started_at, ended_at in rows:
            day = timezone.localtime(scheduled_at).date()
            if cell_id in self.cells and started_at and ended_at and day <= self.today:
                meetings[pk] = _Held(pk, cell_id, day, started_at, ended_at, self.meeting_pack(day))
        official = Q(was_official=True, temporary=False)
        ids = list(meetings)
        for start in range(0, len(ids), 500):
            tallies = (
                Attendance.objects.filter(meeting_id__in=ids[start : start + 500])
                .order_by()
                .values("meeting_id")
                .annotate(
                    official=Count("id", filter=official),
                    exempted=Count("id", filter=official & Q(status=AttendanceStatus.EXEMPTED)),
                    present=Count("id", filter=official & Q(status__in=PRESENT_STATUSES)),
                )
            )
            for row in tallies:
                held = meetings[row["meeting_id"]]
                held.eligible = held.pack.votes.eligible_count(
                    row["official"], exempted_absent=row["exempted"]
                )
                held.present = row["present"]
        for held in sorted(meetings.values(), key=lambda m: (m.started_at, m.pk)):
            self.cells[held.cell_id].held.append(held)

    # Building the rows of one case.

    def _candidate(self, cell: _Cell, fields: dict, pack, stage=Stage.PREPARING) -> Candidate:
        candidate = Candidate(
            cell_id=cell.pk,
            name_folded=fold(fields["full_name"]),
            pack_id=pack.id,
            stage=stage,
            **fields,
        )
        self.candidates.append(candidate)
        return candidate

    def _dossier(self, candidate, cell: _Cell, admission, opened, until, share, checked) -> dict:
        """The items create_candidate makes, with the documents set_document recorded (a
        share of those the vote needs, dated between the opening and until); return them by
        key. Each recorded document counts in the case's version."""
        rng = self.rng
        items = {}
        for position, doc in enumerate(admission.dossier):
            item = DossierItem(candidate=candidate, key=doc.key, position=position)
            applies = doc.key != rules.COMMITTEE_DOCUMENT or cell.subordinate
            wanted = doc.required and doc.key not in rules.STEP_DOCUMENTS and applies
            if wanted and rng.random() < share:
                checked_now = rng.random() < checked
                item.status = DocumentStatus.CHECKED if checked_now else DocumentStatus.SUBMITTED
                item.dated = opened + _days(rng.randint(0, max(0, (until - opened).days)))
                if doc.valid_years:
                    item.dated = opened - _days(rng.randint(30, 900))
                candidate.version += 1
            items[doc.key] = item
        self.items += items.values()
        return items

    def _introducers(self, candidate, cell: _Cell, opened, admission, wanted, asked) -> int:
        """Up to `wanted` of `asked` officials of the cell: those who have worked with the
        candidate long enough on the day the case opened (add_introducer's rule); return how
        many were found."""
        rng = self.rng
        latest = rules.add_months(opened, -admission.introducer_min_months_known)
        found = 0
        for member_id, admitted_on in rng.sample(cell.officials, min(asked, len(cell.officials))):
            since = max(admitted_on, latest - _days(rng.randint(0, 2000)))
            if since <= latest and found < wanted:
                self.introducers.append(
                    Introducer(candidate=candidate, member_id=member_id, known_since=since)
                )
                candidate.version += 1
                found += 1
        return found

    def _vote(self, held: _Held, kind: str, subject: str, passed: bool) -> Vote:
        """The vote record_vote writes, decided by the pack in force on the meeting's day:
        most of those present agree, or too few for the threshold."""
        rng = self.rng
        present, needed = held.present, held.needed(kind)
        if passed:
            disagree = 1 if rng.random() < 0.1 and present - 1 >= needed else 0
            abstain = 1 if rng.random() < 0.1 and present - disagree - 1 >= needed else 0
            agree = present - disagree - abstain
        else:
            agree = rng.randint(max(0, needed - 3), needed - 1)
            rest = present - agree
            disagree = rng.randint((rest + 1) // 2, rest)
            abstain = rest - disagree
        result = vote_result(held.pack, kind, agree, disagree, abstain, held.eligible)
        vote = Vote(
            meeting_id=held.pk,
            subject=subject.strip(),
            kind=kind,
            by_name=False,
            agree=agree,
            disagree=disagree,
            abstain=abstain,
            eligible=result.eligible,
            passed=result.passed,
            rule=result.rule_text,
            summary=result.tally_text,
            pack_id=held.pack.id,
        )
        # Before the resolution's vote, which the history records 20 minutes before the end.
        held.added += 1
        at = held.ended_at - (20 + 2 * held.added) * MINUTE
        if at <= held.started_at:
            at = held.started_at + held.added * SECOND
        self.votes.append((vote, at))
        return vote

    def _voted_case(self, cell: _Cell, fields: dict, held: _Held, opened, checked=1.0):
        """A case opened on `opened`, its dossier and two introducers complete by the cell's
        vote in held, which passed; None when the candidate could not be voted on then."""
        pack = self.membership(opened)
        if pack is None or len(cell.officials) < 2:
            return None
        admission = pack.membership.admission
        age = rules.age_on(fields["date_of_birth"], held.day)
        if not admission.min_age <= age <= admission.max_age:
            return None
        candidate = self._candidate(cell, fields, pack, Stage.CELL_APPROVED)
        mark = (len(self.items), len(self.introducers))
        items = self._dossier(candidate, cell, admission, opened, held.day - DAY, 1.0, checked)
        wanted, asked = admission.introducers, len(cell.officials)
        if self._introducers(candidate, cell, opened, admission, wanted, asked) < wanted:
            # Not enough qualifying introducers: the case was never voted on; drop it.
            self.candidates.pop()
            del self.items[mark[0] :], self.introducers[mark[1] :]
            return None
        subject = gettext("Admission of %(name)s to the Party") % {"name": candidate.full_name}
        vote = self._vote(held, VoteKind.ADMISSION, subject, passed=True)
        self.candidate_votes.append(CandidateVote(candidate=candidate, vote=vote))
        candidate.cell_voted_on = held.day
        resolution = items["cell_resolution"]
        resolution.status, resolution.dated = DocumentStatus.CHECKED, held.day
        resolution.note = vote.summary[: actions.MAX_TEXT]
        candidate.version += 1
        return candidate, items

    def _resolve(self, candidate, items, resolved_on: datetime.date) -> None:
        """The grassroots committee's resolution (record_committee_resolution)."""
        number = RESOLUTION.format(n=self.rng.randint(1, 999))
        candidate.stage = Stage.COMMITTEE_PROPOSED
        candidate.committee_resolution_number = number
        candidate.committee_resolved_on = resolved_on
        item = items[rules.COMMITTEE_DOCUMENT]
        item.status, item.dated, item.reference = DocumentStatus.CHECKED, resolved_on, number
        candidate.version += 1

    def _probation(self, member_id, cell_id, decided_on, number="", candidate=None):
        """The record open_probation (or decide_admission) writes: the decision is the
        admission date, the ceremony within the pack's working days of it (none yet when
        that day is still to come, held by hold_ceremony when the case is Chibo's)."""
        pack = self.membership(decided_on)
        if pack is None:
            return None
        rng, membership = self.rng, pack.membership
        due = add_working_days(decided_on, membership.admission.ceremony_within_working_days)
        days = rng.randint(*CEREMONY_AFTER) if candidate else rng.randint(3, 25)
        held = add_working_days(decided_on, days)
        probation = Probation(
            member_id=member_id,
            candidate=candidate,
            pack_id=pack.id,
            decision_number=number or f"{rng.randint(1, 999)}-QĐ/ĐU",
            decided_on=decided_on,
            decided_by_id=self.superior.get(cell_id),
            ceremony_due=due,
        )
        if held <= min(due, self.today):
            _hold_ceremony(probation, membership, held)
            if candidate is not None:
                probation.version += 1
        return probation

    # The stages.

    def _preparing(self) -> None:
        """Candidates preparing their dossier in about two cells of five, as create_candidate,
        set_document and add_introducer leave them: some documents in, one or two qualifying
        introducers."""
        rng, today = self.rng, self.today
        for cell in self.cells.values():
            if rng.random() >= CANDIDATE_SHARE or len(cell.officials) < 2:
                continue
            opened = today - _days(rng.randint(5, 150))
            pack = self.membership(opened)
            fields = self._fields(cell)
            if fields is None or pack is None:
                continue
            admission = pack.membership.admission
            candidate = self._candidate(cell, fields, pack)
            self._dossier(candidate, cell, admission, opened, today, rng.random(), 0.5)
            wanted = rng.choice((1, 2, 2))
            self._introducers(candidate, cell, opened, admission, wanted, wanted)
            self.counts["preparing"] += 1

    def _fields(self, cell: _Cell) -> dict | None:
        org = Organisation(pk=cell.pk, level=cell.level, cell_type=cell.cell_type, place=cell.place)
        fields = _candidate_fields(self.people, org)
        if fields["citizen_id"] in self.taken:
            return None
        self.taken.add(fields["citizen_id"])
        return fields

    def _open_cases(self) -> None:
        """Cases the cell has voted on, waiting for the grassroots committee's resolution or
        the decision; and, in subordinate cells, cases the committee has proposed."""
        rng, today = self.rng, self.today
        earliest = today - _days(OPEN_VOTE_WITHIN)
        ready = []
        for cell in self.cells.values():
            held = [m for m in cell.held if m.day >= earliest and m.can_pass("admission")]
            if held and len(cell.officials) >= 2:
                ready.append((cell, held))
        rng.shuffle(ready)
        # The committee resolved some days after the vote, by today.
        proposing = [
            (cell, resolvable)
            for cell, held in ready
            if cell.subordinate
            for resolvable in [[m for m in held if m.day <= today - _days(5)]]
            if resolvable
        ]
        subordinate = sum(1 for c in self.cells.values() if c.subordinate)
        proposing = proposing[: _share(COMMITTEE_PROPOSED_SHARE, subordinate, len(proposing))]
        taken = {cell.pk for cell, _held in proposing}
        rest = [(cell, held) for cell, held in ready if cell.pk not in taken]
        approved = rest[: _share(CELL_APPROVED_SHARE, len(self.cells), len(rest))]
        for cell, held in proposing:
            meeting = rng.choice(held)
            case = self._case_voted_in(cell, meeting, checked=0.85)
            if case:
                resolved = min(meeting.day + _days(rng.randint(5, 15)), today)
                self._resolve(*case, resolved)
                self.counts["committee_proposed"] += 1
        for cell, held in approved:
            if self._case_voted_in(cell, rng.choice(held), checked=0.85):
                self.counts["cell_approved"] += 1

    def _case_voted_in(self, cell: _Cell, held: _Held, checked: float):
        fields = self._fields(cell)
        if fields is None:
            return None
        opened = held.day - _days(self.rng.randint(30, 90))
        return self._voted_case(cell, fields, held, opened, checked)

    def _admitted(self) -> None:
        """The province's members admitted in the last weeks, whose case ran in Chibo: the
        cell voted in one of its meetings, the grassroots committee resolved (for a
        subordinate cell), and the decision is their admission date. Some wait for the
        ceremony still."""
        rng, today = self.rng, self.today
        for row in self.probationary:
            decided = row["admitted_on"]
            cell = self.cells.get(row["cell_id"])
            if cell is None or not today - _days(ADMITTED_WITHIN) <= decided <= today:
                continue
            before = 10 if cell.subordinate else 3
            held = [
                m
                for m in cell.held
                if decided - _days(75) <= m.day <= decided - _days(before)
                and m.can_pass("admission")
            ]
            if not held:
                continue
            meeting = rng.choice(held)
            fields = {k: row[k] if row[k] is not None else "" for k in actions.MEMBER_FIELDS}
            opened = meeting.day - _days(rng.randint(30, 90))
            case = self._voted_case(cell, fields, meeting, opened)
            if case is None:
                continue
            candidate, items = case
            if cell.subordinate:
                gap = (decided - meeting.day).days
                self._resolve(candidate, items, meeting.day + _days(rng.randint(3, min(12, gap))))
            number = DECISION.format(n=rng.randint(1, 999))
            candidate.stage = Stage.ADMITTED
            candidate.member_id = row["pk"]
            item = items["admission_decision"]
            item.status, item.dated, item.reference = DocumentStatus.CHECKED, decided, number
            candidate.version += 1
            probation = self._probation(row["pk"], cell.pk, decided, number, candidate)
            self.probations[row["pk"]] = probation
            self.counts["admitted"] += 1

    def _recognitions(self) -> None:
        """Probations voted on by the cell in its last months: proposed for recognition
        (some after a failed vote), referred to the superior committee after the pack's
        failed votes, or failed once and waiting for the next vote. The members are taken
        among those admitted longest ago, and their admission moves back to where the
        probation is over by the first vote: the members of the seed are all admitted within
        the year, and a vote comes only after the twelve months."""
        today = self.today
        latest = today - _days(ADMITTED_WITHIN)
        pool = sorted(
            (
                r
                for r in self.probationary
                if r["pk"] not in self.probations
                and today - _days(VOTED_ADMITTED_WITHIN) <= r["admitted_on"] < latest
                and r["cell_id"] in self.cells
            ),
            key=lambda r: (r["admitted_on"], r["pk"]),
        )
        total = len(self.probationary)
        plan = [
            ("referred", _share(REFERRED_SHARE, total, len(pool))),
            ("failed_once", _share(FAILED_ONCE_SHARE, total, len(pool))),
            ("proposed", _share(PROPOSED_SHARE, total, len(pool))),
        ]
        earliest = today - _days(RECOGNITION_WITHIN)
        for scenario, wanted in plan:
            for row in list(pool):
                if self.counts[scenario] >= wanted:
                    break
                cell = self.cells[row["cell_id"]]
                held = [m for m in cell.held if m.day >= earliest and m.can_pass("recognition")]
                outcomes = self._outcomes(scenario, held)
                if outcomes and self._voted_probation(row, cell, outcomes):
                    pool.remove(row)
                    self.counts[scenario] += 1

    def _outcomes(self, scenario: str, held: list[_Held]) -> list[tuple[_Held, bool]]:
        """The recognition votes of a scenario, as (meeting, passed), in the order held."""
        rng = self.rng
        recent = [m for m in held if m.day >= self.today - _days(LAST_VOTE_WITHIN[scenario])]
        if not recent:
            return []
        if scenario == "referred":
            # Failed votes in the cell's last meetings until the pack in force sends the case up.
            failed, outcomes = 0, []
            for meeting in held[-recent[-1].pack.votes.max_failed_recognition_votes :]:
                failed += 1
                outcomes.append((meeting, False))
                if failed >= meeting.pack.votes.max_failed_recognition_votes:
                    return outcomes if meeting in recent else []
            return []
        meeting = rng.choice(recent)
        if meeting.pack.votes.max_failed_recognition_votes <= 1:
            return [(meeting, True)] if scenario == "proposed" else []
        if scenario == "failed_once":
            return [(meeting, False)]
        # Now and then the cell's first vote failed and a later one passed.
        earlier = [m for m in held if meeting.day - _days(120) <= m.day < meeting.day]
        if earlier and rng.random() < 0.3:
            return [(rng.choice(earlier), False), (meeting, True)]
        return [(meeting, True)]

    def _voted_probation(self, row: dict, cell: _Cell, outcomes) -> bool:
        """The member's probation ended a little before the first vote: the ceremony twelve
        months before that, the decision within the ceremony's working days before it. The
        member's admission moves there (only ever earlier); record_recognition_vote takes the
        votes."""
        rng = self.rng
        first = outcomes[0][0].day
        target = first - _days(rng.randint(0, 20))
        earlier = self.membership(target - _days(366))
        if earlier is None:
            return False
        months = earlier.membership.probation.months
        ceremony = rules.add_months(target, -months)
        decided = ceremony - _days(rng.randint(5, 20))
        pack = self.membership(decided)
        if pack is None or pack.membership.probation.months != months:
            return False
        membership = pack.membership
        working_days = membership.admission.ceremony_within_working_days
        while add_working_days(decided, working_days) < ceremony:
            decided += DAY
        if decided >= row["admitted_on"]:
            return False
        if rules.age_on(row["date_of_birth"], decided) < membership.admission.min_age:
            return False
        probation = Probation(
            member_id=row["pk"],
            pack_id=pack.id,
            decision_number=f"{rng.randint(1, 999)}-QĐ/ĐU",
            decided_on=decided,
            decided_by_id=self.superior.get(cell.pk),
            ceremony_due=add_working_days(decided, working_days),
        )
        _hold_ceremony(probation, membership, ceremony)
        subject = gettext("Recognition of %(name)s as an official member") % {
            "name": row["full_name"]
        }
        for meeting, passed in outcomes:
            vote = self._vote(meeting, VoteKind.RECOGNITION, subject, passed)
            self.probation_votes.append(ProbationVote(probation=probation, vote=vote))
            if passed:
                probation.state = ProbationState.PROPOSED
            else:
                probation.failed_votes += 1
                if probation.failed_votes >= meeting.pack.votes.max_failed_recognition_votes:
                    probation.state = ProbationState.REFERRED
            probation.version += 1
        self.probations[row["pk"]] = probation
        self.moved[row["pk"]] = (row["admitted_on"], decided)
        return True

    # Writing.

    def _write(self) -> dict:
        self._move_admissions()
        Candidate.objects.bulk_create(self.candidates, batch_size=1000)
        DossierItem.objects.bulk_create(self.items, batch_size=2000)
        Introducer.objects.bulk_create(self.introducers, batch_size=2000)
        votes = [vote for vote, _at in self.votes]
        Vote.objects.bulk_create(votes, batch_size=1000)
        # recorded_at is stamped on insert (auto_now_add): set the moment of the meeting.
        for start in range(0, len(self.votes), 250):
            chunk = self.votes[start : start + 250]
            Vote.objects.filter(pk__in=[v.pk for v, _ in chunk]).update(
                recorded_at=Case(
                    *[When(pk=v.pk, then=Value(at)) for v, at in chunk],
                    output_field=DateTimeField(),
                )
            )
        CandidateVote.objects.bulk_create(self.candidate_votes, batch_size=1000)
        probations = self._all_probations()
        Probation.objects.bulk_create(probations, batch_size=1000)
        ProbationVote.objects.bulk_create(self.probation_votes, batch_size=1000)
        return {
            "probations": len(probations),
            "candidates": len(self.candidates),
            **self.counts,
            "votes": len(votes),
            "admissions_moved": len(self.moved),
        }

    def _all_probations(self) -> list[Probation]:
        rows = []
        for row in self.probationary:
            probation = self.probations.get(row["pk"])
            if probation is None:
                probation = self._probation(row["pk"], row["cell_id"], row["admitted_on"])
            if probation is not None:
                rows.append(probation)
        return rows

    def _move_admissions(self) -> None:
        """The new admission date of the members whose recognition was voted, on the member
        and on the period their admission opened."""
        if not self.moved:
            return
        Member.objects.bulk_update(
            [Member(pk=pk, admitted_on=now) for pk, (_was, now) in self.moved.items()],
            ["admitted_on"],
            batch_size=500,
        )
        periods = [
            period
            for period in MembershipPeriod.objects.filter(member_id__in=list(self.moved))
            if period.started_on == self.moved[period.member_id][0]
        ]
        for period in periods:
            period.started_on = self.moved[period.member_id][1]
        MembershipPeriod.objects.bulk_update(periods, ["started_on"], batch_size=500)


def _share(share: float, total: int, available: int) -> int:
    """At least one (when there is one), else the share of the total."""
    return min(available, max(1, round(share * total)))


def _hold_ceremony(probation: Probation, membership, held_on: datetime.date) -> None:
    """What _apply_ceremony sets: the ceremony, the end of the probation and the review's
    deadline."""
    probation.ceremony_on = held_on
    probation.ends_on = rules.add_months(held_on, membership.probation.months)
    probation.review_due = add_working_days(
        probation.ends_on, membership.probation.review_within_working_days
    )
    probation.state = ProbationState.ON_PROBATION


def _pack(cache: dict, day: datetime.date, province: Organisation):
    if day not in cache:
        try:
            cache[day] = pack_in_force(day, province, subject="membership")
        except PackNotFound:
            cache[day] = None
    return cache[day]
