"""The province's twelve months of meetings, written in bulk.

Playing 50,000 meetings through the actions would take hours, so this module computes the
rows the actions would write and inserts them with bulk_create, a batch of cells at a time:
meetings with the agenda of the pack in force, an attendance row per current member
(probationary members flagged, exempted ones marked), speakers, votes decided by
rules.vote_result, tasks with their assignees and their review at the next meeting, the
quality score by rules.score_meeting on the evidence gather_evidence would find, and the
minutes: drafts, and signed ones frozen with minutes.content_hash and chained per cell as
minutes.sign_minutes chains them, so that `chibo minutes verify` passes.

The cells' years come from the same Planner as the demo's and the per-meeting draws are the
same (chibo.seed.history), so both scales show the same mix.
"""

import datetime
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Least
from django.utils import timezone, translation

from chibo.meetings import minutes as minutes_module
from chibo.meetings.models import (
    PRESENT_STATUSES,
    REGULAR_KINDS,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Kind,
    Material,
    Meeting,
    MeetingStatus,
    Minutes,
    Opinion,
    QualityScore,
    Signature,
    Task,
    Vote,
    VoteKind,
)
from chibo.meetings.scoring import DONE_TASK_STATUSES, _plain_items, _plain_number
from chibo.members.models import CURRENT_STATUSES, Member, Status
from chibo.regulations.loader import Pack, pack_in_force
from chibo.regulations.rules import MeetingEvidence, format_number, score_meeting, vote_result
from chibo.seed import history as h
from chibo.seed.names import COMMITTEE, DEPUTY, SECRETARY
from chibo.seed.texts import THEMATIC_TASK

BATCH_CELLS = 250
INSERT_BATCH = 1000
ROWS_PER_CALL = 5000
ATTENDANCE_FIELDS = (
    "meeting",
    "member",
    "was_official",
    "status",
    "checked_in_at",
    "checked_in_by_self",
    "absence_reason",
    "absence_request",
    "temporary",
)
VOTE_FIELDS = (
    "meeting",
    "agenda_item",
    "subject",
    "kind",
    "by_name",
    "agree",
    "disagree",
    "abstain",
    "eligible",
    "passed",
    "rule",
    "summary",
    "pack_id",
    "recorded_at",
)
SECOND = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)
NOT_SCORED = {"scored": False, "text": "chưa chấm"}


@dataclass
class _Person:
    id: int
    name: str
    folded: str
    status: str
    position: str

    @property
    def official(self) -> bool:
        return self.status != Status.PROBATIONARY


@dataclass
class _Task:
    held: "_Held"
    title: str
    deliverable: str
    due_on: datetime.date
    assignees: list[_Person]
    status: str = Task.Status.OPEN
    note: str = ""
    reviewed_in: "_Held | None" = None
    row: Task | None = None


@dataclass
class _Held:
    """A meeting in the making, with everything the actions would record for it."""

    meeting: Meeting
    slot: h.Slot
    pack: Pack
    attendance: list[tuple[_Person, str, datetime.datetime | None, str]] = field(
        default_factory=list
    )  # member, status, checked in at, absence reason
    speakers: list[tuple[_Person, str, str]] = field(default_factory=list)  # key, text
    votes: list = field(default_factory=list)  # (subject, VoteResult)
    tasks: list[_Task] = field(default_factory=list)
    reviewed: list[_Task] = field(default_factory=list)
    narrative: dict | None = None
    signed_at: datetime.datetime | None = None
    score: QualityScore | None = None
    agenda: tuple[tuple[int, str, str], ...] = ()  # position, key, title
    material: tuple[str, datetime.datetime] | None = None  # title, released at


class ProvinceHistory:
    def __init__(self, rng: random.Random, today: datetime.date, province, cells):
        """cells: (Organisation, name of its parent) for every cell, in tree order."""
        self.rng = rng
        self.today = today
        self.province = province
        self.cells = cells
        self.now = timezone.now()
        self.planner = h.Planner(rng, today)
        self.packs: dict[datetime.date, Pack] = {}
        self.agendas: dict[tuple[str, bool], tuple] = {}
        self.items: dict[tuple[int, str], int] = {}  # agenda item ids by meeting and key
        self.material_file: str | None = None
        self.counts = {"meetings": 0, "attendance": 0, "signed": 0, "scores": 0, "tasks": 0}

    def run(self) -> dict:
        """Write the history of every cell; return the counts of what was written.

        In the installation's language, as the official record (minutes, scores) always is
        and as the seed command's actions would write it.
        """
        with translation.override(settings.LANGUAGE_CODE):
            return self._run()

    def _run(self) -> dict:
        skipping = self.planner.pick(len(self.cells), h.SKIPPING_SHARE)
        lacking = self.planner.pick(len(self.cells), h.LACKING_SHARE)
        for start in range(0, len(self.cells), BATCH_CELLS):
            batch = self.cells[start : start + BATCH_CELLS]
            people = self._people([org.pk for org, _ in batch])
            helds = []
            for i, (org, _parent) in enumerate(batch, start=start):
                year = self.planner.year(
                    org.cell_type, self._rule_day, skips=i in skipping, lacks=i in lacking
                )
                helds += self._cell(org, people.get(org.pk, []), year)
            self._write(batch, helds)
        self._stamp()
        return self.counts

    # Planning and drawing.

    def _pack(self, day: datetime.date) -> Pack:
        if day not in self.packs:
            self.packs[day] = pack_in_force(day, self.province)
        return self.packs[day]

    def _agenda(self, pack: Pack, thematic: bool) -> tuple:
        """Return the agenda schedule_meeting copies from the pack: (position, key, title)."""
        if (pack.id, thematic) not in self.agendas:
            self.agendas[pack.id, thematic] = tuple(
                (i, item.key, item.label)
                for i, item in enumerate(pack.meeting.agenda_for(thematic), start=1)
            )
        return self.agendas[pack.id, thematic]

    def _rule_day(self, first: datetime.date) -> int:
        # The seeded committees set no meeting day of their own: the pack's day applies.
        return self._pack(first).meeting.regular_day or 3

    def _people(self, cell_ids: list[int]) -> dict[int, list[_Person]]:
        people: dict[int, list[_Person]] = {}
        rows = (
            Member.objects.filter(cell_id__in=cell_ids, status__in=CURRENT_STATUSES)
            .order_by("id")
            .values_list("id", "cell_id", "full_name", "name_folded", "status", "position")
        )
        for pk, cell_id, name, folded, status, position in rows:
            people.setdefault(cell_id, []).append(_Person(pk, name, folded, status, position))
        return people

    def _reached(self, moment: datetime.datetime) -> bool:
        return moment <= self.now

    def _cell(self, org, members: list[_Person], year: h.CellYear) -> list[_Held]:
        rng = self.rng
        secretary = next(m for m in members if m.position == SECRETARY)
        deputy = next(m for m in members if m.position == DEPUTY)
        assessor = next((m for m in members if m.position == COMMITTEE), deputy)
        helds, waiting = [], []
        for slot in year.slots:
            starts = slot.starts_at
            pack = self._pack(slot.day)
            meeting = Meeting(
                organisation=org,
                kind=slot.kind,
                status=MeetingStatus.PLANNED,
                period=slot.day.replace(day=1) if slot.kind in REGULAR_KINDS else None,
                scheduled_at=starts,
                place=org.place,
                moved_reason=slot.moved_reason,
                topic=slot.topic,
                presenter_id=rng.choice(members[:4]).id if slot.is_thematic else None,
                preparer_id=secretary.id,
                version=2 if slot.moved_reason else 1,
            )
            held = _Held(meeting, slot, pack, agenda=self._agenda(pack, slot.is_thematic))
            helds.append(held)
            if slot.cancelled_reason:
                meeting.status = MeetingStatus.CANCELLED
                meeting.cancelled_reason = slot.cancelled_reason
                meeting.version += 1
                continue
            if not self._reached(starts - 5 * DAY):
                continue
            meeting.notice_sent_at = starts - 5 * DAY
            meeting.version += 1
            release = h.material_release(rng, starts)
            if release is not None and self._reached(release):
                title = f"{rng.choice(h.MATERIAL_TITLES)} {h.local(starts):%m/%Y}"
                held.material = (title, release)
            expected = [m for m in members if m.status != Status.EXEMPTED]
            exempted = [m for m in members if m.status == Status.EXEMPTED]
            if not self._reached(starts):
                held.attendance = [(m, AttendanceStatus.EXPECTED, None, "") for m in expected]
                held.attendance += [(m, AttendanceStatus.EXEMPTED, None, "") for m in exempted]
                continue
            meeting.status = MeetingStatus.IN_PROGRESS
            meeting.chair_id, meeting.minute_taker_id = secretary.id, deputy.id
            meeting.started_at = starts
            meeting.version += 1
            came = h.turnout(
                rng,
                [m.id for m in expected],
                [m.id for m in exempted],
                (secretary.id, deputy.id),
            )
            present = self._attendance(held, members, came, everyone=slot.held)
            if not slot.held:
                continue  # this month's meeting, in progress
            for task in waiting:
                task.status, task.note = h.task_review(rng)
                task.reviewed_in = held
            held.reviewed, waiting = waiting, []
            count = min(max(1, round(h.speakers_share(rng) * len(present))), len(present))
            keys = {key for _, key, _ in held.agenda}
            weights = {k: w for k, w in h.speech_items(slot.is_thematic).items() if k in keys}
            for member in rng.sample(present, count):
                key = h.weighted(rng, weights)
                held.speakers.append((member, key, h.opinion(rng, key)))
            ends = starts + h.duration_minutes(rng, slot.is_thematic) * MINUTE
            if slot.kind != Kind.THEMATIC:
                self._votes(held)
            held.tasks = self._tasks(held, org.cell_type, year, present)
            waiting = list(held.tasks)
            meeting.status = MeetingStatus.CLOSED
            meeting.ended_at = ends
            meeting.version += 1
            self._record(held, secretary, deputy, assessor, count)
        return helds

    def _attendance(self, held: _Held, members, came: h.Turnout, everyone: bool) -> list:
        starts = held.slot.starts_at
        by_id = {m.id: m for m in members}
        on_time = [m for m in came.here if m not in came.late]
        checked = {m: starts + i * 15 * SECOND for i, m in enumerate(on_time)}
        late = [m for m in came.here if m in came.late]
        checked.update({m: starts + (18 + 4 * i) * MINUTE for i, m in enumerate(late)})
        for member in members:
            if member.id in came.here and (everyone or member.id not in came.late):
                is_late = member.id in came.late
                status = AttendanceStatus.LATE if is_late else AttendanceStatus.PRESENT
                held.attendance.append((member, status, checked[member.id], ""))
            elif everyone and member.id in came.away:
                status, reason = came.away[member.id]
                held.attendance.append((member, status, None, reason))
            elif member.status == Status.EXEMPTED:
                held.attendance.append((member, AttendanceStatus.EXEMPTED, None, ""))
            else:
                held.attendance.append((member, AttendanceStatus.EXPECTED, None, ""))
        return [by_id[m] for m in came.here] if everyone else []

    def _votes(self, held: _Held) -> None:
        pack = held.pack
        official = [(m, s) for m, s, _, _ in held.attendance if m.official]
        exempted_absent = sum(1 for _, s in official if s == AttendanceStatus.EXEMPTED)
        eligible = pack.votes.eligible_count(len(official), exempted_absent=exempted_absent)
        if not eligible:
            return
        present = sum(1 for _, s in official if s in PRESENT_STATUSES)
        needed = pack.votes.threshold(VoteKind.RESOLUTION).votes_needed(eligible)
        day = h.local(held.meeting.scheduled_at)
        subject = f"Nghị quyết chi bộ tháng {day.month}/{day.year}"
        votes = h.vote_counts(self.rng, present, needed)
        for i, (agree, disagree, abstain) in enumerate(votes):
            result = vote_result(pack, VoteKind.RESOLUTION, agree, disagree, abstain, eligible)
            text = subject if i == len(votes) - 1 else f"Dự thảo {subject.lower()}"
            held.votes.append((text, result))

    def _tasks(self, held: _Held, cell_type: str, year: h.CellYear, present) -> list[_Task]:
        rng, slot = self.rng, held.slot
        following = year.next_after(slot)
        next_day = following.day if following else None
        if slot.kind == Kind.THEMATIC:
            chosen = [THEMATIC_TASK] if rng.random() < 0.7 else []
        else:
            chosen = h.tasks_for(rng, cell_type, rng.randint(1, 3))
        pool = [m for m in present if m.official] or present
        return [
            _Task(
                held,
                title,
                deliverable,
                h.due_on(rng, slot.day, next_day),
                rng.sample(pool, min(len(pool), rng.randint(1, 3))),
            )
            for title, deliverable in chosen
        ]

    def _record(self, held: _Held, chair, taker, assessor, speakers: int) -> None:
        """The minutes (signed or not) and the score, as DemoHistory._record leaves them."""
        rng, slot, meeting = self.rng, held.slot, held.meeting
        held.narrative = h.narrative(
            rng,
            chair=chair.name,
            taker=taker.name,
            speakers=speakers,
            kind=slot.kind,
            topic=slot.topic,
        )
        deadline = held.pack.meeting.minutes_sign_deadline_days
        ends = meeting.ended_at
        delay = h.sign_delay(rng)
        signed = None
        if delay is not None:
            signed = h.signing_time(ends, delay)
            if not self._reached(signed):
                signed = None
        on_time = signed is not None and delay <= deadline
        held.signed_at = signed
        if signed is not None:
            scored_at = signed
        elif self._reached(ends + (deadline + 1) * DAY):
            scored_at = ends + (deadline + 1) * DAY
        else:
            scored_at = ends + 5 * MINUTE
        evidence = self._evidence(held, scored_at)
        pack = held.pack
        automatic = h.automatic_points(score_meeting(pack, evidence, {}), on_time)
        manual = h.manual_points(rng, pack, automatic)
        score = score_meeting(pack, evidence, manual)
        items = _plain_items(score)
        held.score = QualityScore(
            meeting=meeting,
            pack_id=pack.id,
            items=items,
            manual={
                line.key: _plain_number(line.points)
                for line in score.lines
                if not line.auto and line.points is not None
            },
            total=score.total if score.complete else None,
            level=score.level_key if score.complete else "",
            level_label=score.level_label if score.complete else "",
            assessor_id=assessor.id,
            scored_at=scored_at,
        )
        if signed is not None:
            meeting.status = MeetingStatus.SIGNED
            meeting.version += 1

    def _evidence(self, held: _Held, at: datetime.datetime) -> MeetingEvidence:
        """What scoring.gather_evidence would find in the record at that moment."""
        meeting = held.meeting
        counted = [(m, s) for m, s, _, _ in held.attendance if s != AttendanceStatus.EXEMPTED]
        present_ids = {m.id for m, s in counted if s in PRESENT_STATUSES}
        unexcused = sum(1 for _, s in counted if s == AttendanceStatus.ABSENT_UNEXCUSED)
        speakers = {m.id for m, _, _ in held.speakers} & present_ids
        done = sum(1 for t in held.reviewed if t.status in DONE_TASK_STATUSES)
        held_on = h.local(meeting.ended_at).date()
        signed_after = None
        if held.signed_at is not None and held.signed_at <= at:
            signed_after = max(0, (h.local(held.signed_at).date() - held_on).days)
        return MeetingEvidence(
            duration_minutes=meeting.duration_minutes,
            thematic=meeting.is_thematic,
            present=len(present_ids),
            expected=len(counted),
            unexcused_absences=unexcused,
            starts_at=meeting.scheduled_at,
            materials_released_at=held.material[1] if held.material else None,
            speakers=len(speakers),
            members_present=len(present_ids),
            previous_tasks_total=len(held.reviewed),
            previous_tasks_done=done,
            minutes_signed_days_after=signed_after,
            days_since_meeting=max(0, (h.local(at).date() - held_on).days),
        )

    # Writing.

    def _write(self, batch, helds: list[_Held]) -> None:
        parents = {org.pk: parent_name for org, parent_name in batch}
        Meeting.objects.bulk_create([x.meeting for x in helds], batch_size=INSERT_BATCH)
        self.counts["meetings"] += len(helds)
        stamp = connection.ops.adapt_datetimefield_value
        _insert(
            AgendaItem,
            ("meeting", "position", "key", "title", "notes", "conclusion"),
            [(x.meeting.pk, *item, "", "") for x in helds for item in x.agenda],
        )
        pks = [x.meeting.pk for x in helds]
        items = AgendaItem.objects.filter(meeting__gte=min(pks), meeting__lte=max(pks))
        for pk, meeting_id, key in items.values_list("id", "meeting_id", "key"):
            self.items[meeting_id, key] = pk
        rows = [
            (x.meeting.pk, m.id, m.official, status, stamp(at), False, reason, "", False)
            for x in helds
            for m, status, at, reason in x.attendance
        ]
        _insert(Attendance, ATTENDANCE_FIELDS, rows)
        self.counts["attendance"] += len(rows)
        _insert(
            Opinion,
            ("meeting", "agenda_item", "member", "text", "prepared", "created_at"),
            [
                (
                    x.meeting.pk,
                    self.items.get((x.meeting.pk, key)),
                    m.id,
                    text,
                    False,
                    stamp(x.meeting.started_at + (30 + 3 * i) * MINUTE),
                )
                for x in helds
                for i, (m, key, text) in enumerate(x.speakers)
            ],
        )
        _insert(
            Vote,
            VOTE_FIELDS,
            [
                (
                    x.meeting.pk,
                    self.items.get((x.meeting.pk, "conclusion")),
                    subject,
                    VoteKind.RESOLUTION.value,
                    False,
                    r.agree,
                    r.disagree,
                    r.abstain,
                    r.eligible,
                    r.passed,
                    r.rule_text,
                    r.tally_text,
                    x.pack.id,
                    stamp(x.meeting.ended_at - 20 * MINUTE),
                )
                for x in helds
                for subject, r in x.votes
            ],
        )
        # One stored file serves every seeded document: the upload action would store a
        # copy of the same bytes for each.
        _insert(
            Material,
            ("meeting", "title", "file", "content_type", "size", "uploaded_at", "released_at"),
            [
                (
                    x.meeting.pk,
                    title,
                    self._material_file(),
                    "application/pdf",
                    len(h.sample_material()),
                    stamp(released - 30 * MINUTE),
                    stamp(released),
                )
                for x in helds
                if x.material
                for title, released in [x.material]
            ],
        )
        tasks = [t for x in helds for t in x.tasks]
        for task in tasks:
            task.row = Task(
                meeting=task.held.meeting,
                title=task.title,
                deliverable=task.deliverable,
                due_on=task.due_on,
                status=task.status,
                reviewed_in=task.reviewed_in.meeting if task.reviewed_in else None,
                review_note=task.note,
            )
        Task.objects.bulk_create([t.row for t in tasks], batch_size=INSERT_BATCH)
        _insert(
            Task.assignees.through,
            ("task", "member"),
            [(t.row.pk, m.id) for t in tasks for m in t.assignees],
        )
        self.counts["tasks"] += len(tasks)
        scores = [x.score for x in helds if x.score is not None]
        QualityScore.objects.bulk_create(scores, batch_size=INSERT_BATCH)
        self.counts["scores"] += len(scores)
        self._minutes([x for x in helds if x.narrative is not None], parents)

    def _minutes(self, helds: list[_Held], parents: dict[int, str]) -> None:
        """Write each held meeting's minutes; freeze, hash and chain the signed ones, cell by
        cell in the order they were signed."""
        tips: dict[int, str] = {}
        signed = sorted(
            (x for x in helds if x.signed_at is not None),
            key=lambda x: (x.meeting.organisation_id, x.signed_at, x.meeting.pk),
        )
        records = {}
        for held in signed:
            cell_id = held.meeting.organisation_id
            content = _content(held, parents[cell_id])
            content = json.loads(minutes_module.canonical_json(content))
            previous = tips.get(cell_id, "")
            digest = minutes_module.content_hash(content, previous)
            tips[cell_id] = digest
            records[held.meeting.pk] = (content, previous, digest)
        rows = []
        for held in helds:
            content, previous, digest = records.get(held.meeting.pk, (None, "", ""))
            rows.append(
                Minutes(
                    meeting=held.meeting,
                    **held.narrative,
                    content=content,
                    content_hash=digest,
                    previous_hash=previous,
                    signed_at=held.signed_at,
                    version=2 if held.signed_at else 1,
                )
            )
        Minutes.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        stamp = connection.ops.adapt_datetimefield_value
        _insert(
            Signature,
            ("minutes", "addendum", "role", "member", "signed_at"),
            [
                (row.pk, None, role, member_id, stamp(at))
                for row in rows
                if row.signed_at is not None
                for role, member_id, at in (
                    (
                        Signature.Role.MINUTE_TAKER.value,
                        row.meeting.minute_taker_id,
                        row.signed_at - 20 * MINUTE,
                    ),
                    (Signature.Role.CHAIR.value, row.meeting.chair_id, row.signed_at),
                )
            ],
        )
        self.counts["signed"] += len(signed)

    def _material_file(self) -> str:
        if self.material_file is None:
            self.material_file = default_storage.save(
                "materials/seed/tai-lieu-sinh-hoat.pdf", ContentFile(h.sample_material())
            )
        return self.material_file

    def _stamp(self) -> None:
        """Date the meetings' creation, which auto_now_add stamped with the time of seeding,
        as schedule_meeting would have: twelve days ahead (never later than now)."""
        now = Value(self.now, output_field=DateTimeField())
        Meeting.objects.update(created_at=Least(F("scheduled_at") - 12 * DAY, now))


def _insert(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows (values in the order of fields, ready for the database) with a plain
    executemany: for the biggest tables bulk_create would spend most of the seed building
    model instances."""
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_CALL):
            cursor.executemany(sql, rows[start : start + ROWS_PER_CALL])


def _content(held: _Held, parent_name: str) -> dict:
    """Return what minutes.minutes_content gives for the meeting once signed, with the
    signatures and the signing time _freeze adds; from memory, without a query."""
    meeting = held.meeting
    day = minutes_module.held_on(meeting)
    local = h.local
    chair = next(m for m, *_ in held.attendance if m.id == meeting.chair_id)
    taker = next(m for m, *_ in held.attendance if m.id == meeting.minute_taker_id)
    rows = sorted(held.attendance, key=lambda r: (r[0].folded, r[0].id))
    expected = [r for r in rows if r[1] != AttendanceStatus.EXEMPTED]
    absent = []
    for member, status, _at, reason in expected:
        if status in (AttendanceStatus.ABSENT_EXCUSED, AttendanceStatus.ABSENT_UNEXCUSED):
            excused = status == AttendanceStatus.ABSENT_EXCUSED
            absent.append({"name": member.name, "excused": excused, "reason": reason})
    positions = {key: position for position, key, _ in held.agenda}
    score = held.score
    if score is None or score.total is None:
        score_block = NOT_SCORED
    else:
        total = Decimal(score.total).quantize(Decimal("0.01"))
        score_block = {
            "scored": True,
            "total": str(total),
            "level": score.level,
            "level_label": score.level_label,
            "pack": score.pack_id,
            "text": f"{format_number(total)} điểm, xếp loại {score.level_label}",
        }
    reviewed = sorted(
        held.reviewed, key=lambda t: (t.held.meeting.scheduled_at, t.due_on, t.row.pk)
    )
    signatures = [
        {"role": Signature.Role.CHAIR.value, "name": chair.name, "signed_at": held.signed_at},
        {
            "role": Signature.Role.MINUTE_TAKER.value,
            "name": taker.name,
            "signed_at": held.signed_at - 20 * MINUTE,
        },
    ]
    return {
        "format": minutes_module.CONTENT_FORMAT,
        "header": {
            "party": minutes_module.PARTY,
            "superior": parent_name,
            "cell": meeting.organisation.name,
            "cell_code": meeting.organisation.code,
            "date_line": minutes_module.date_line(minutes_module._locality(meeting), day),
        },
        "meeting": {
            "id": meeting.pk,
            "kind": meeting.kind,
            "kind_label": str(Kind(meeting.kind).label),
            "topic": meeting.topic,
            "period": meeting.period.isoformat() if meeting.period else None,
            "date": day.isoformat(),
            "scheduled_at": local(meeting.scheduled_at).isoformat(),
        },
        "time": {
            "started_at": local(meeting.started_at).isoformat(),
            "ended_at": local(meeting.ended_at).isoformat(),
            "start": minutes_module.clock(meeting.started_at),
            "end": minutes_module.clock(meeting.ended_at),
        },
        "place": meeting.place,
        "chair": {"id": chair.id, "name": chair.name, "position": chair.position},
        "minute_taker": {"id": taker.id, "name": taker.name, "position": taker.position},
        "guests": [],
        "attendance": {
            "total": len(expected),
            "present": sum(1 for r in rows if r[1] in PRESENT_STATUSES),
            "official_total": sum(1 for r in expected if r[0].official),
            "official_present": sum(1 for r in rows if r[0].official and r[1] in PRESENT_STATUSES),
            "absent": absent,
            "exempted": [r[0].name for r in rows if r[1] == AttendanceStatus.EXEMPTED],
            "late": [r[0].name for r in rows if r[1] == AttendanceStatus.LATE],
        },
        "opening": held.narrative["opening"],
        "reviewed_tasks": [
            {
                "title": t.title,
                "from_meeting": minutes_module.held_on(t.held.meeting).isoformat(),
                "due_on": t.due_on.isoformat(),
                "assignees": sorted(m.name for m in t.assignees),
                "status": t.status,
                "status_label": str(Task.Status(t.status).label),
                "note": t.note,
            }
            for t in reviewed
        ],
        "agenda": [
            {
                "position": position,
                "title": title,
                "notes": "",
                "conclusion": "",
                "speakers": [
                    {"name": m.name, "text": text}
                    for m, said_on, text in held.speakers
                    if said_on == key
                ],
            }
            for position, key, title in held.agenda
        ],
        "other_speakers": [
            {"name": m.name, "text": text} for m, key, text in held.speakers if key not in positions
        ],
        "prepared_opinions": [],
        "summary": held.narrative["summary"],
        "conclusion": held.narrative["conclusion"],
        "votes": [
            {
                "subject": subject,
                "kind": VoteKind.RESOLUTION.value,
                "item": positions.get("conclusion"),
                "summary": r.tally_text,
                "passed": r.passed,
                "rule": r.rule_text,
                "agree": r.agree,
                "disagree": r.disagree,
                "abstain": r.abstain,
                "eligible": r.eligible,
                "by_name": False,
            }
            for subject, r in held.votes
        ],
        "tasks": [
            {
                "title": t.title,
                "deliverable": t.deliverable,
                "due_on": t.due_on.isoformat(),
                "assignees": sorted(m.name for m in t.assignees),
            }
            for t in sorted(held.tasks, key=lambda t: (t.due_on, t.row.pk))
        ],
        "duration_minutes": meeting.duration_minutes,
        "score": score_block,
        "signatures": [{**s, "signed_at": local(s["signed_at"]).isoformat()} for s in signatures],
        "signed_at": local(held.signed_at).isoformat(),
    }
