"""The demo's twelve months of meetings, played through the actions a secretary uses.

Each cell's secretary acts (the secretary's account is opened where the demo has none), the
chair is the secretary and the minute-taker the deputy, who both sign the minutes. Members
with an account ask to be excused and post opinions in advance themselves; the secretary
records everyone else. Every step runs at its moment on the history's Clock.
"""

import datetime
import random
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.test.utils import override_settings

from chibo.accounts.actions import grant_role, open_account
from chibo.accounts.models import RoleKind, User
from chibo.meetings import actions, minutes, scoring
from chibo.meetings.models import AttendanceStatus, Kind, Meeting, Signature
from chibo.members.models import CURRENT_STATUSES, Member
from chibo.orgs.models import CELL_LEVELS, Organisation
from chibo.seed import history as h
from chibo.seed.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, TREE, Account
from chibo.seed.names import COMMITTEE, DEPUTY, SECRETARY
from chibo.seed.texts import ABSENCE_REASONS, FOLLOWERS, PREPARED_OPINIONS, THEMATIC_TASK

SECOND = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)
# The usernames of the accounts opened for the secretaries and deputies of the other cells.
LEADER_USERNAMES = {SECRETARY: "bithu.{code}", DEPUTY: "phobithu.{code}"}
LEADER_ROLES = {SECRETARY: RoleKind.SECRETARY, DEPUTY: RoleKind.DEPUTY_SECRETARY}
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def history_accounts() -> list[Account]:
    """Return the accounts the history opens (the secretaries and deputies of the cells the
    demo accounts leave out), to check before seeding that none of the names is taken."""
    demo = {(a.role, a.org_code) for a in DEMO_ACCOUNTS}
    return [
        Account(pattern.format(code=unit.code.lower()), LEADER_ROLES[post], unit.code)
        for unit in TREE
        if unit.members
        for post, pattern in LEADER_USERNAMES.items()
        if (LEADER_ROLES[post], unit.code) not in demo
    ]


@contextmanager
def _quick_password_checks():
    """Let signing check the demo password quickly; yield the password's quick hash.

    sign_minutes re-checks the signer's password, as it must. With PBKDF2 (a quarter of a
    second by design) the demo's few hundred signatures would take minutes, so while the
    history is played the signers' accounts hold a salted MD5 hash of the public demo
    password and MD5 leads the hashers, as CHIBO_FAST_HASHER does for the tests. Inside
    the seed's transaction only: run() gives every signer the shared PBKDF2 hash back.
    """
    hashers = [FAST_HASHER, *(x for x in settings.PASSWORD_HASHERS if x != FAST_HASHER)]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield make_password(DEMO_PASSWORD)


class _Cell:
    """A cell with the people its meetings need."""

    def __init__(self, org: Organisation, members: list[Member], users: dict[int, User]):
        self.org = org
        self.parent = Organisation.objects.get_parent(org)
        self.members = members
        self.secretary = next(m for m in members if m.position == SECRETARY)
        self.deputy = next(m for m in members if m.position == DEPUTY)
        committee = [m for m in members if m.position == COMMITTEE]
        self.assessor = committee[0] if committee else self.deputy
        self.users = users
        self.actor: User | None = None


class DemoHistory:
    def __init__(self, system: User, rng: random.Random, today: datetime.date, password: str):
        self.system = system
        self.rng = rng
        self.today = today
        self.password = password  # the shared hash of the demo password
        self.clock = h.Clock()
        self.meetings = 0
        self.quick = ""  # the demo password's quick hash while the history is played
        self.signers: set[int] = set()

    def run(self) -> int:
        """Play the history of every cell; return how many meetings it put in the plans."""
        cells = list(Organisation.objects.filter(level__in=CELL_LEVELS).order_by("path"))
        planner = h.Planner(self.rng, self.today)
        skipping = planner.pick(len(cells), h.SKIPPING_SHARE)
        lacking = planner.pick(len(cells), h.LACKING_SHARE)
        followers: dict[int, str] = {}
        with _quick_password_checks() as self.quick:
            for i, org in enumerate(cells):
                cell = self._cell(org)
                year = planner.year(
                    org.cell_type,
                    lambda first, org=org: actions.rule_day(org, first),
                    skips=i in skipping,
                    lacks=i in lacking,
                )
                parent = cell.parent
                follower = followers.setdefault(parent.pk, FOLLOWERS[len(followers) % 8])
                with self.clock:
                    for slot in year.slots:
                        self._meeting(cell, year, slot, follower)
        # Every signer's account gets the shared PBKDF2 hash back.
        User.objects.filter(pk__in=self.signers).update(password=self.password)
        return self.meetings

    # People.

    def _cell(self, org: Organisation) -> _Cell:
        members = list(Member.objects.filter(cell=org, status__in=CURRENT_STATUSES).order_by("id"))
        users = {u.member_id: u for u in User.objects.filter(member__in=members)}
        cell = _Cell(org, members, users)
        for member in (cell.secretary, cell.deputy):
            if member.pk not in users:
                users[member.pk] = self._open(org, member)
            user = users[member.pk]
            user.password = self.quick
            user.save(update_fields=["password"])
            self.signers.add(user.pk)
        cell.actor = users[cell.secretary.pk]
        return cell

    def _open(self, org: Organisation, member: Member) -> User:
        """Open the account a chair or minute-taker needs to sign, with the post's role."""
        username = LEADER_USERNAMES[member.position].format(code=org.code.lower())
        user, _ = open_account(self.system, member, username)
        grant_role(self.system, user, org, LEADER_ROLES[member.position])
        return user

    # One meeting.

    def _meeting(self, cell: _Cell, year: h.CellYear, slot: h.Slot, follower: str) -> None:
        clock, rng = self.clock, self.rng
        starts = slot.starts_at
        clock.set(starts - 12 * DAY)
        meeting = actions.schedule_meeting(
            cell.actor,
            cell.org,
            kind=slot.kind,
            scheduled_at=h.aware(slot.rule_day or slot.day, slot.start),
            topic=slot.topic,
            presenter=rng.choice(cell.members[:4]) if slot.is_thematic else None,
            preparer=cell.secretary,
        )
        self.meetings += 1
        if slot.moved_reason:
            clock.set(starts - 8 * DAY)
            meeting = actions.update_meeting(
                cell.actor,
                meeting,
                version=meeting.version,
                scheduled_at=starts,
                moved_reason=slot.moved_reason,
            )
        if slot.cancelled_reason:
            clock.set(starts - 3 * DAY)
            actions.cancel_meeting(cell.actor, meeting, slot.cancelled_reason)
            return
        if not clock.reached(starts - 5 * DAY):
            return  # planned; the notice goes out five days before
        clock.set(starts - 5 * DAY)
        actions.send_notice(cell.actor, meeting)
        release = h.material_release(rng, starts)
        early = release is not None and release <= starts - 3 * DAY
        if early:
            self._materials(cell, meeting, release)
        requests = self._before(cell, meeting, starts)
        if release is not None and not early and clock.reached(release):
            self._materials(cell, meeting, release)
        if not clock.reached(starts):
            return
        clock.set(starts)
        actions.start_meeting(cell.actor, meeting, chair=cell.secretary, minute_taker=cell.deputy)
        if rng.random() < 0.35:
            parent = cell.parent
            actions.add_guest(
                cell.actor,
                meeting,
                follower,
                f"Cấp ủy viên phụ trách chi bộ, {parent.name}",
                is_follower=True,
            )
        present = self._attendance(cell, meeting, starts, requests, everyone=not slot.current)
        if slot.current:
            return  # in progress: the rest is still to be recorded
        agenda = {item.key: item for item in meeting.agenda.all()}
        clock.set(starts + 25 * MINUTE)
        for task in actions.open_tasks_before(meeting):
            status, note = h.task_review(rng)
            actions.review_task(cell.actor, meeting, task, status, note)
        speakers = self._speakers(cell, meeting, present, agenda, starts, slot.is_thematic)
        ends = starts + h.duration_minutes(rng, slot.is_thematic) * MINUTE
        clock.set(ends - 20 * MINUTE)
        if slot.kind != Kind.THEMATIC:
            self._vote(cell, meeting, agenda, slot)
        self._tasks(cell, meeting, year, slot, present)
        clock.set(ends)
        actions.close_meeting(cell.actor, meeting)
        self._record(cell, meeting, slot, ends, speakers)

    def _materials(self, cell: _Cell, meeting: Meeting, release) -> None:
        """Upload and release the meeting's document; some members open it before."""
        clock, rng = self.clock, self.rng
        clock.set(release - 30 * MINUTE)
        upload = ContentFile(h.sample_material(), name="tai-lieu.pdf")
        title = f"{rng.choice(h.MATERIAL_TITLES)} {h.local(meeting.scheduled_at):%m/%Y}"
        material = actions.upload_material(cell.actor, meeting, title, upload)
        clock.set(release)
        actions.release_materials(cell.actor, meeting)
        material.refresh_from_db()
        for i, user in enumerate(cell.users.values()):
            if user.pk != cell.actor.pk and rng.random() < 0.6:
                clock.set(release + (40 + 17 * i) * MINUTE)
                actions.open_material(user, material)

    def _before(self, cell: _Cell, meeting: Meeting, starts) -> dict[int, bool]:
        """Members with an account ask to be excused or post an opinion in advance; return
        the secretary's answers to the requests, by member."""
        clock, rng = self.clock, self.rng
        answers = {}
        chair_and_taker = (cell.secretary.pk, cell.deputy.pk)
        for member_id, user in cell.users.items():
            if member_id not in chair_and_taker and rng.random() < 0.25:
                clock.set(starts - 3 * DAY + len(answers) * 7 * MINUTE)
                actions.request_absence(user, meeting, rng.choice(ABSENCE_REASONS))
                answers[member_id] = rng.random() < 0.85
        for i, (member_id, accept) in enumerate(answers.items()):
            clock.set(starts - 2 * DAY + i * MINUTE)
            member = next(m for m in cell.members if m.pk == member_id)
            actions.decide_absence(cell.actor, meeting, member, accept)
        for i, (member_id, user) in enumerate(cell.users.items()):
            if member_id not in answers and rng.random() < 0.25:
                clock.set(starts - DAY + i * 13 * MINUTE)
                actions.post_opinion(user, meeting, rng.choice(PREPARED_OPINIONS))
        return answers

    def _attendance(self, cell: _Cell, meeting, starts, requests, everyone: bool) -> list:
        """Check members in, late ones later; record the absent with or without a reason.
        Return the members present. everyone False: only those on time are in yet."""
        clock = self.clock
        rows = {r.member_id: r for r in meeting.attendance.select_related("member")}
        exempted = sorted(m for m, r in rows.items() if r.status == AttendanceStatus.EXEMPTED)
        expected = sorted(m for m in rows if m not in exempted)
        leaders = (cell.secretary.pk, cell.deputy.pk)
        came = h.turnout(self.rng, expected, exempted, leaders, requests)
        for i, member_id in enumerate(m for m in came.here if m not in came.late):
            clock.set(starts + i * 15 * SECOND)
            actions.check_in(cell.actor, meeting, rows[member_id].member)
        if not everyone:
            return []
        clock.set(starts + 8 * MINUTE)
        for member_id, (status, reason) in sorted(came.away.items()):
            actions.set_attendance(cell.actor, meeting, rows[member_id].member, status, reason)
        for i, member_id in enumerate(m for m in came.here if m in came.late):
            clock.set(starts + (18 + 4 * i) * MINUTE)
            actions.check_in(cell.actor, meeting, rows[member_id].member, late=True)
        return [rows[m].member for m in came.here]

    def _speakers(self, cell, meeting, present, agenda, starts, thematic) -> int:
        clock, rng = self.clock, self.rng
        count = min(max(1, round(h.speakers_share(rng) * len(present))), len(present))
        weights = {k: w for k, w in h.speech_items(thematic).items() if k in agenda}
        for i, member in enumerate(rng.sample(present, count)):
            clock.set(starts + (30 + 3 * i) * MINUTE)
            key = h.weighted(rng, weights)
            actions.post_opinion(
                cell.actor, meeting, h.opinion(rng, key), member=member, agenda_item=agenda[key]
            )
        return count

    def _vote(self, cell: _Cell, meeting: Meeting, agenda: dict, slot: h.Slot) -> None:
        register = actions.vote_register(meeting)
        if not register["eligible"]:
            return
        month = h.local(meeting.scheduled_at)
        subject = f"Nghị quyết chi bộ tháng {month.month}/{month.year}"
        votes = h.vote_counts(self.rng, register["present_official"], register["needed"])
        for i, (agree, disagree, abstain) in enumerate(votes):
            actions.record_vote(
                cell.actor,
                meeting,
                subject=subject if i == len(votes) - 1 else f"Dự thảo {subject.lower()}",
                agree=agree,
                disagree=disagree,
                abstain=abstain,
                agenda_item=agenda.get("conclusion"),
            )

    def _tasks(self, cell: _Cell, meeting: Meeting, year, slot: h.Slot, present) -> None:
        rng = self.rng
        following = year.next_after(slot)
        next_day = following.day if following else None
        if slot.kind == Kind.THEMATIC:
            tasks = [THEMATIC_TASK] if rng.random() < 0.7 else []
        else:
            tasks = h.tasks_for(rng, cell.org.cell_type, rng.randint(1, 3))
        pool = [m for m in present if m.status != "probationary"] or present
        for title, deliverable in tasks:
            actions.add_task(
                cell.actor,
                meeting,
                title=title,
                deliverable=deliverable,
                due_on=h.due_on(rng, slot.day, next_day),
                assignees=rng.sample(pool, min(len(pool), rng.randint(1, 3))),
            )

    def _record(self, cell: _Cell, meeting: Meeting, slot: h.Slot, ends, speakers: int):
        """Write the minutes, score the meeting, and sign the minutes (most within the
        deadline, some late, some never); the score waits for the signatures' line."""
        clock, rng = self.clock, self.rng
        taker = cell.users[cell.deputy.pk]
        clock.set(ends + 2 * MINUTE)
        text = h.narrative(
            rng,
            chair=cell.secretary.full_name,
            taker=cell.deputy.full_name,
            speakers=speakers,
            kind=slot.kind,
            topic=slot.topic,
        )
        minutes.edit_minutes(taker, meeting, version=0, **text)
        clock.set(ends + 5 * MINUTE)
        scoring.name_assessor(cell.actor, meeting, cell.assessor)
        pack = scoring.pack_of(meeting)
        deadline = pack.meeting.minutes_sign_deadline_days
        delay = h.sign_delay(rng)
        signed = None
        if delay is not None:
            signed = h.signing_time(ends, delay)
        on_time = signed is not None and delay <= deadline and clock.reached(signed)
        manual = h.manual_points(
            rng, pack, h.automatic_points(scoring.score_preview(meeting, {}), on_time)
        )
        scoring.save_score(cell.actor, meeting, manual)
        if signed is not None and clock.reached(signed):
            clock.set(signed - 20 * MINUTE)
            minutes.sign_minutes(taker, meeting, Signature.Role.MINUTE_TAKER, DEMO_PASSWORD)
            clock.set(signed)
            minutes.sign_minutes(cell.actor, meeting, Signature.Role.CHAIR, DEMO_PASSWORD)
        elif clock.reached(ends + (deadline + 1) * DAY):
            # Never signed: once the deadline has passed the score is complete without it.
            clock.set(ends + (deadline + 1) * DAY)
            scoring.save_score(cell.actor, meeting, manual)
