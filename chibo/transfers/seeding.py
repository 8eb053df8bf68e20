"""Transfers and residence contact for the demo and the province seeds.

The demo plays them through the actions, each step at its moment on the history's Clock:
transfers in transit (one overdue, with its letter expired and past the working days the
rules set), a temporary member taking part in another cell, a member moved officially, one
transferred out of the system and one arriving from outside, a temporary stay already over,
and the residence registrations of members of workplace cells with the residential cells'
contacts and yearly comments (some missing, to show what is missing).

The province writes the same rows in bulk: what the actions would write for the same
choices, with the deadlines computed by the same rules (chibo.transfers.rules) from the pack
in force, and the invitations of planned meetings brought up to date by the meetings' own
sync_invitations. Transfers completed in the past are dated before the twelve months of
meeting history, so the history stays true: the member was in the other cell then.
"""

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from chibo.meetings.actions import sync_invitations
from chibo.meetings.models import Meeting, MeetingStatus
from chibo.members.models import Member, MembershipPeriod, Status
from chibo.orgs.models import CELL_LEVELS, CellType, Organisation
from chibo.regulations.loader import load_packs, pack_in_force
from chibo.transfers import actions, rules
from chibo.transfers.models import (
    Kind,
    Reason,
    ResidenceComment,
    ResidenceContact,
    ResidenceRegistration,
    Transfer,
    TransferStatus,
)

DAY = datetime.timedelta(days=1)
INSERT_BATCH = 1000

OUTSIDE = (
    "Đảng bộ phường Ba Đình, thành phố Hà Nội",
    "Đảng ủy xã Tam Đảo, tỉnh Phú Thọ",
    "Đảng bộ Quân khu 2",
    "Đảng ủy phường Hải Châu, thành phố Đà Nẵng",
)
CONTACT_NOTES = (
    "Gặp mặt đảng viên tại nhà văn hóa thôn, trao đổi tình hình gia đình và việc thực hiện "
    "nghĩa vụ công dân nơi cư trú.",
    "Đồng chí tham gia sinh hoạt với chi bộ nơi cư trú, đóng góp ý kiến về xây dựng nông thôn mới.",
    "Chi ủy thăm hỏi gia đình đảng viên; đồng chí tham gia tổng vệ sinh đường làng.",
    "Đảng viên dự họp khu dân cư, phổ biến chính sách cho bà con.",
)
COMMENTS = (
    "Đồng chí và gia đình gương mẫu chấp hành chủ trương của Đảng, chính sách, pháp luật "
    "của Nhà nước và quy định của địa phương; tích cực tham gia các phong trào ở khu dân cư.",
    "Đồng chí giữ mối liên hệ thường xuyên với chi ủy nơi cư trú, có lối sống giản dị, hòa "
    "đồng với nhân dân; gia đình đạt danh hiệu gia đình văn hóa.",
    "Đồng chí chấp hành tốt quy định nơi cư trú; đề nghị tham gia đầy đủ hơn các buổi họp "
    "khu dân cư.",
)
FRONT_OPINIONS = (
    "Ban công tác Mặt trận thống nhất với nhận xét của chi ủy.",
    "Ban công tác Mặt trận ghi nhận đồng chí gương mẫu, được nhân dân tín nhiệm.",
)


def _letter_number(rng: random.Random, year: int) -> str:
    return f"{rng.randint(10, 399)}-GGT/ĐU-{year}"


def _with_user_flag(cell: Organisation) -> list[Member]:
    """The cell's official and probationary members without a post, each with has_user."""
    rows = list(
        Member.objects.filter(cell=cell, status__in=(Status.OFFICIAL, Status.PROBATIONARY))
        .filter(position="")
        .order_by("id")
    )
    with_user = set(
        Member.objects.filter(pk__in=[m.pk for m in rows], user__isnull=False).values_list(
            "pk", flat=True
        )
    )
    for m in rows:
        m.has_user = m.pk in with_user
    return rows


# The demo, through the actions.


class DemoTransfers:
    """Plays the demo's transfers and residence contact through the actions.

    Works on any tree: the members who move are plain members (no party post, no log-in)
    drawn at random, each sent to another cell of the same commune where there is one; a
    small tree simply gets fewer of the stories below.
    """

    def __init__(self, actor, today: datetime.date, seed: int = 1):
        from chibo.seed import history as h

        self.actor = actor
        self.today = today
        self.rng = random.Random(f"transfers-{seed}")
        self.h = h
        self.counts: dict[str, int] = defaultdict(int)
        self.cells = list(
            Organisation.objects.filter(level__in=CELL_LEVELS, closed_on__isnull=True).order_by(
                "path"
            )
        )
        self.pool = [m for cell in self.cells for m in _with_user_flag(cell) if not m.has_user]
        self.rng.shuffle(self.pool)

    def at(self, clock, day: datetime.date, hour: int = 9) -> None:
        clock.set(self.h.aware(day, datetime.time(hour, 0)))

    def member(self, status: str = Status.OFFICIAL) -> Member | None:
        """The next plain member of that status, or None when the tree has no more."""
        for i, m in enumerate(self.pool):
            if m.status == status:
                return self.pool.pop(i)
        return None

    def elsewhere(self, member: Member, residential: bool | None = None) -> Organisation:
        """Another cell, of the member's commune when there is one."""
        others = [c for c in self.cells if c.pk != member.cell_id]
        if residential is not None:
            typed = [c for c in others if (c.cell_type == CellType.RESIDENTIAL) == residential]
            others = typed or others
        here = next(c for c in self.cells if c.pk == member.cell_id)
        near = [c for c in others if c.path[:12] == here.path[:12]]
        return self.rng.choice(near or others)

    def run(self) -> dict:
        with self.h.Clock() as clock:
            if len(self.cells) > 1:
                self._transfers(clock)
            self._residence(clock)
        return dict(self.counts)

    def _issue(self, clock, member, day, **fields) -> Transfer:
        self.at(clock, day)
        fields.setdefault("letter_number", _letter_number(self.rng, day.year))
        transfer = actions.issue_transfer(self.actor, member, letter_date=day, **fields)
        self.counts["transfers"] += 1
        return transfer

    def _transfers(self, clock) -> None:
        for story in (
            self._in_transit,
            self._overdue,
            self._away,
            self._moved,
            self._out,
            self._training_on_the_way,
            self._back,
            self._cancelled,
        ):
            member = self.member()
            if member is None:
                break
            story(clock, member)
        self._incoming(clock)

    def _in_transit(self, clock, member) -> None:
        """On the way, in time: the letter was issued nine days ago."""
        self._issue(
            clock,
            member,
            self.today - 9 * DAY,
            kind=Kind.OFFICIAL,
            reason=Reason.JOB,
            event_on=self.today - 16 * DAY,
            to_org=self.elsewhere(member),
        )

    def _overdue(self, clock, member) -> None:
        """On the way and overdue: the letter expired and the working days have run out."""
        self._issue(
            clock,
            member,
            self.today - 44 * DAY,
            kind=Kind.OFFICIAL,
            reason=Reason.RESIDENCE,
            event_on=self.today - 110 * DAY,
            to_org=self.elsewhere(member, residential=True),
            note="Đảng viên chưa nộp giấy giới thiệu cho chi bộ nơi đến.",
        )

    def _away(self, clock, member) -> None:
        """A temporary member taking part in another cell: accepted today, seven months."""
        starts = self.today - 12 * DAY
        transfer = self._issue(
            clock,
            member,
            starts,
            kind=Kind.TEMPORARY,
            reason=Reason.JOB,
            event_on=starts,
            ends_on=rules.add_months(starts, 7),
            to_org=self.elsewhere(member),
            note="Biệt phái công tác.",
        )
        self.at(clock, self.today, 8)
        actions.accept_transfer(self.actor, transfer, accepted_on=self.today)

    def _moved(self, clock, member) -> None:
        """A move completed today: the member's home cell is now the other cell."""
        transfer = self._issue(
            clock,
            member,
            self.today - 6 * DAY,
            kind=Kind.OFFICIAL,
            reason=Reason.RESIDENCE,
            event_on=self.today - 30 * DAY,
            to_org=self.elsewhere(member),
        )
        self.at(clock, self.today, 10)
        actions.accept_transfer(self.actor, transfer, accepted_on=self.today)

    def _out(self, clock, member) -> None:
        """Out of the system: retired to live with family in Hà Nội."""
        self._issue(
            clock,
            member,
            self.today - 20 * DAY,
            kind=Kind.OFFICIAL,
            reason=Reason.RETIREMENT,
            event_on=self.today - 35 * DAY,
            outside_name=OUTSIDE[0],
        )

    def _training_on_the_way(self, clock, member) -> None:
        """A temporary transfer for training, the letter issued, not presented yet."""
        starts = self.today + 10 * DAY
        self._issue(
            clock,
            member,
            self.today - 3 * DAY,
            kind=Kind.TEMPORARY,
            reason=Reason.TRAINING,
            event_on=starts,
            ends_on=rules.add_months(starts, 9),
            to_org=self.elsewhere(member),
        )

    def _back(self, clock, member) -> None:
        """A temporary stay that is over: away from eight months ago, back two months ago."""
        starts = self.today - 240 * DAY
        transfer = self._issue(
            clock,
            member,
            starts,
            kind=Kind.TEMPORARY,
            reason=Reason.JOB,
            event_on=starts,
            ends_on=rules.add_months(starts, 8),
            to_org=self.elsewhere(member),
        )
        self.at(clock, starts + 5 * DAY)
        actions.accept_transfer(self.actor, transfer, accepted_on=starts + 5 * DAY)
        self.at(clock, self.today - 60 * DAY)
        actions.end_temporary(self.actor, transfer, ended_on=self.today - 60 * DAY)

    def _cancelled(self, clock, member) -> None:
        """The member stayed after all."""
        transfer = self._issue(
            clock,
            member,
            self.today - 50 * DAY,
            kind=Kind.OFFICIAL,
            reason=Reason.JOB,
            event_on=self.today - 55 * DAY,
            to_org=self.elsewhere(member),
        )
        self.at(clock, self.today - 40 * DAY)
        actions.cancel_transfer(self.actor, transfer, "Đảng viên không chuyển công tác nữa.")

    def _incoming(self, clock) -> None:
        """From outside: a member arrives from another province with the letter."""
        from chibo.seed.names import People

        cell = next((c for c in self.cells if c.cell_type == CellType.RESIDENTIAL), None)
        if cell is None:
            return
        people = People(self.rng, self.today)
        while True:
            fields = people.member(
                mix="town",
                cell_type="residential",
                home=cell.place or cell.name,
                residence=cell.place or cell.name,
            )
            taken = Member.objects.filter(
                Q(citizen_id=fields["citizen_id"])
                | Q(party_card_number=fields["party_card_number"])
            ).exists()
            if not taken:
                break
        self.at(clock, self.today - 4 * DAY)
        actions.record_incoming(
            self.actor,
            cell,
            outside_name=OUTSIDE[1],
            letter_number=_letter_number(self.rng, self.today.year),
            letter_date=self.today - 18 * DAY,
            event_on=self.today - 25 * DAY,
            reason=Reason.RESIDENCE,
            accepted_on=self.today - 4 * DAY,
            member={**fields, "position": ""},
        )
        self.counts["transfers"] += 1

    def _residence(self, clock) -> None:
        """Members of workplace cells register where they live; the residential cells meet
        them and comment once a year (last year for nearly all, this year for some)."""
        rng, today = self.rng, self.today
        orgs = list(Organisation.objects.filter(level__in=CELL_LEVELS, closed_on__isnull=True))
        residential = [o for o in orgs if o.cell_type == CellType.RESIDENTIAL]
        if not residential:
            return
        for cell in orgs:
            if cell.cell_type == CellType.RESIDENTIAL:
                continue
            near = [r for r in residential if r.path[:12] == cell.path[:12]] or residential
            exempt = "armed_forces" if cell.cell_type == CellType.ARMED_FORCES else ""
            for member in Member.objects.filter(
                cell=cell, status__in=(Status.OFFICIAL, Status.PROBATIONARY)
            ).order_by("id"):
                if rng.random() > 0.5:
                    continue
                home = next((r for r in near if r.name.split()[-1] in member.residence), None)
                home = home or rng.choice(near)
                since = max(member.admitted_on + 30 * DAY, today - rng.randint(120, 1100) * DAY)
                if since >= today:
                    continue
                self.at(clock, since)
                registration = actions.register_residence(
                    self.actor,
                    member,
                    home,
                    address=member.residence or home.place or home.name,
                    registered_on=since,
                    exempt_group=exempt or ("mobile_worker" if rng.random() < 0.03 else ""),
                )
                self.counts["registrations"] += 1
                self._contacts(clock, registration, since)

    def _contacts(self, clock, registration, since: datetime.date) -> None:
        rng, today = self.rng, self.today
        day = since + rng.randint(20, 90) * DAY
        while day < today and rng.random() < 0.85:
            self.at(clock, day, 19)
            actions.record_contact(self.actor, registration, day, rng.choice(CONTACT_NOTES))
            self.counts["contacts"] += 1
            day = rules.add_months(day, 6) + rng.randint(-15, 25) * DAY
        if registration.exempt_group:
            return
        for year in range(max(since.year, today.year - 1), today.year + 1):
            written = datetime.date(year, 11, 20) + rng.randint(0, 30) * DAY
            share = 0.9 if year < today.year else 0.35
            if written >= today or rng.random() > share:
                continue
            self.at(clock, written, 15)
            actions.write_comment(
                self.actor,
                registration,
                year=year,
                text=rng.choice(COMMENTS),
                front_opinion=rng.choice(FRONT_OPINIONS),
            )
            self.counts["comments"] += 1


def seed_demo_transfers(actor, today: datetime.date, seed: int = 1) -> dict:
    """Play the demo's transfers and residence contact through the actions; return counts.
    Call after the demo's meeting history."""
    with transaction.atomic():
        return DemoTransfers(actor, today, seed).run()


# The province, in bulk.

# Shares of the province's members.
IN_TRANSIT_SHARE = 0.0015
TEMPORARY_SHARE = 0.001
MOVED_BEFORE_SHARE = 0.005
TRANSFERRED_OUT_SHARE = 0.0005
REGISTERED_SHARE = 0.6


class ProvinceTransfers:
    def __init__(self, today: datetime.date, province: Organisation, seed: int = 1):
        self.today = today
        self.province = province
        self.rng = random.Random(f"transfers-province-{seed}")
        self.counts: dict[str, int] = defaultdict(int)
        self.touched: set[int] = set()  # cells whose planned meetings need new invitations

    def pack(self, day: datetime.date):
        return pack_in_force(day, self.province, subject="membership")

    def run(self) -> dict:
        cells = list(
            Organisation.objects.filter(
                path__startswith=self.province.path, level__in=CELL_LEVELS, closed_on__isnull=True
            ).only("id", "path", "cell_type", "name", "code", "place")
        )
        self.cells = {c.pk: c for c in cells}
        with_user = set(Member.objects.filter(user__isnull=False).values_list("pk", flat=True))
        rows = list(
            Member.objects.filter(
                cell__path__startswith=self.province.path,
                status__in=(Status.OFFICIAL, Status.PROBATIONARY),
            ).values_list("pk", "cell_id", "status", "position", "admitted_on", "residence")
        )
        plain = [r for r in rows if not r[3] and r[0] not in with_user]
        self.rng.shuffle(plain)
        total = len(rows)

        def take(share: float) -> list:
            # At least one of each story, so that a small tree shows them all.
            count = min(max(1, round(share * total)), len(plain))
            return [plain.pop() for _ in range(count)]

        self._in_transit(take(IN_TRANSIT_SHARE))
        self._temporary(take(TEMPORARY_SHARE))
        self._moved_before(take(MOVED_BEFORE_SHARE))
        self._transferred_out(take(TRANSFERRED_OUT_SHARE))
        self._residence(rows)
        for meeting in Meeting.objects.filter(
            organisation_id__in=self.touched,
            status=MeetingStatus.PLANNED,
            notice_sent_at__isnull=False,
        ).select_related("organisation"):
            sync_invitations(meeting)
        return dict(self.counts)

    def other_cell(self, cell_id: int, near: bool = True) -> Organisation:
        """Another cell: most moves stay within the commune-level committee."""
        here = self.cells[cell_id]
        pool = list(self.cells.values())
        if near:
            close = [c for c in pool if c.path[:12] == here.path[:12] and c.pk != cell_id]
            pool = close or pool
        while True:
            cell = self.rng.choice(pool)
            if cell.pk != cell_id:
                return cell

    def _transfer(self, member_id, cell_id, to, kind, reason, event_on, letter_date, **kw):
        pack = self.pack(letter_date)
        return Transfer(
            member_id=member_id,
            kind=kind,
            reason=reason,
            event_on=event_on,
            from_org_id=cell_id,
            to_org=to,
            letter_number=_letter_number(self.rng, letter_date.year),
            letter_date=letter_date,
            present_by=rules.present_by(pack, letter_date) if to is not None else None,
            due_on=rules.official_due(self.pack(letter_date), event_on)
            if kind == Kind.OFFICIAL
            else None,
            pack_id=pack.id,
            **kw,
        )

    def _in_transit(self, picked) -> None:
        rng, today = self.rng, self.today
        transfers = []
        for member_id, cell_id, *_rest in picked:
            letter = today - rng.randint(0, 50) * DAY  # some past the 30 days
            event = letter - rng.randint(0, 80) * DAY
            transfers.append(
                self._transfer(
                    member_id,
                    cell_id,
                    self.other_cell(cell_id, near=rng.random() < 0.7),
                    Kind.OFFICIAL,
                    rng.choice((Reason.JOB, Reason.RESIDENCE, Reason.RETIREMENT)),
                    event,
                    letter,
                    status=TransferStatus.IN_TRANSIT,
                )
            )
        Transfer.objects.bulk_create(transfers, batch_size=INSERT_BATCH)
        self.counts["in_transit"] = len(transfers)

    def _temporary(self, picked) -> None:
        """Accepted today, so that no meeting of the history is touched; the planned meetings
        are invited anew as the action does."""
        rng, today = self.rng, self.today
        transfers = []
        for member_id, cell_id, *_rest in picked:
            letter = today - rng.randint(2, 25) * DAY
            to = self.other_cell(cell_id)
            transfers.append(
                self._transfer(
                    member_id,
                    cell_id,
                    to,
                    Kind.TEMPORARY,
                    rng.choice((Reason.JOB, Reason.TRAINING)),
                    letter,
                    letter,
                    status=TransferStatus.ACTIVE,
                    accepted_on=today,
                    ends_on=rules.add_months(letter, rng.randint(4, 11)),
                )
            )
            self.touched |= {cell_id, to.pk}
        Transfer.objects.bulk_create(transfers, batch_size=INSERT_BATCH)
        self.counts["temporary"] = len(transfers)

    def _moved_before(self, picked) -> None:
        """Official transfers completed before the meeting history: the member came from
        another cell then, and has been in their cell since (as move_members records it)."""
        rng, today = self.rng, self.today
        latest = today - 400 * DAY
        # Within the membership packs' time, so that the deadlines have their rules.
        earliest = min(p.applies_from for p in load_packs() if p.subject == "membership")
        earliest += 60 * DAY
        transfers, periods, updates = [], [], []
        for member_id, cell_id, _status, _post, admitted, _where in picked:
            first = max(admitted + 200 * DAY, earliest)
            if first >= latest:
                continue
            on = first + rng.randint(0, (latest - first).days) * DAY
            letter = on - rng.randint(3, 25) * DAY
            if letter <= admitted:
                continue
            old = self.other_cell(cell_id, near=rng.random() < 0.6)
            transfer = self._transfer(
                member_id,
                old.pk,
                self.cells[cell_id],
                Kind.OFFICIAL,
                rng.choice((Reason.JOB, Reason.RESIDENCE)),
                letter - rng.randint(0, 40) * DAY,
                letter,
                status=TransferStatus.COMPLETED,
                accepted_on=on,
            )
            transfers.append(transfer)
            reason = _("Transferred from %(cell)s, letter %(number)s of %(date)s") % {
                "cell": old.name,
                "number": transfer.letter_number,
                "date": rules.short(letter),
            }
            updates.append((member_id, old.pk, on))
            periods.append(
                MembershipPeriod(
                    member_id=member_id, organisation_id=cell_id, started_on=on, reason=reason[:255]
                )
            )
        # The open period of each becomes the closed one in the old cell; the new one opens.
        for member_id, old_id, on in updates:
            MembershipPeriod.objects.filter(member_id=member_id, ended_on__isnull=True).update(
                organisation_id=old_id, ended_on=on
            )
        MembershipPeriod.objects.bulk_create(periods, batch_size=INSERT_BATCH)
        Transfer.objects.bulk_create(transfers, batch_size=INSERT_BATCH)
        self.counts["moved_before"] = len(transfers)

    def _transferred_out(self, picked) -> None:
        """Out of the system today: status, the period's end, nothing held since."""
        rng, today = self.rng, self.today
        transfers, ids = [], []
        for member_id, cell_id, *_rest in picked:
            transfers.append(
                self._transfer(
                    member_id,
                    cell_id,
                    None,
                    Kind.OFFICIAL,
                    rng.choice((Reason.JOB, Reason.RETIREMENT, Reason.RESIDENCE)),
                    today - rng.randint(5, 40) * DAY,
                    today,
                    outside_name=rng.choice(OUTSIDE),
                    status=TransferStatus.COMPLETED,
                    accepted_on=today,
                )
            )
            ids.append(member_id)
            self.touched.add(cell_id)
        Transfer.objects.bulk_create(transfers, batch_size=INSERT_BATCH)
        for t in transfers:
            MembershipPeriod.objects.filter(member_id=t.member_id, ended_on__isnull=True).update(
                ended_on=today,
                reason=(_("Transferred out to %(name)s") % {"name": t.outside_name})[:255],
            )
        Member.objects.filter(pk__in=ids).update(
            status=Status.TRANSFERRED_OUT, version=F("version") + 1
        )
        self.counts["transferred_out"] = len(transfers)

    def _residence(self, rows) -> None:
        rng, today = self.rng, self.today
        out = set(
            Transfer.objects.filter(
                status=TransferStatus.COMPLETED, to_org__isnull=True, letter_date=today
            ).values_list("member_id", flat=True)
        )
        by_prefix: dict[str, list[Organisation]] = defaultdict(list)
        for cell in self.cells.values():
            if cell.cell_type == CellType.RESIDENTIAL:
                by_prefix[cell.path[:12]].append(cell)
        everywhere = [c for group in by_prefix.values() for c in group]
        registrations = []
        for member_id, cell_id, _status, _post, admitted, where in rows:
            cell = self.cells.get(cell_id)
            if cell is None or cell.cell_type == CellType.RESIDENTIAL or member_id in out:
                continue
            if rng.random() > REGISTERED_SHARE:
                continue
            near = by_prefix.get(cell.path[:12]) or everywhere
            home = rng.choice(near)
            since = max(admitted + 30 * DAY, today - rng.randint(120, 1100) * DAY)
            if since >= today:
                continue
            exempt = "armed_forces" if cell.cell_type == CellType.ARMED_FORCES else ""
            if not exempt and rng.random() < 0.03:
                exempt = "mobile_worker"
            registrations.append(
                ResidenceRegistration(
                    member_id=member_id,
                    cell_id=home.pk,
                    address=where or home.place or home.name,
                    registered_on=since,
                    exempt_group=exempt,
                )
            )
        ResidenceRegistration.objects.bulk_create(registrations, batch_size=INSERT_BATCH)
        contacts, comments = [], []
        for registration in registrations:
            since = registration.registered_on
            day = since + rng.randint(20, 90) * DAY
            while day < today and rng.random() < 0.85:
                contacts.append(
                    ResidenceContact(
                        registration_id=registration.pk, on=day, note=rng.choice(CONTACT_NOTES)
                    )
                )
                day = rules.add_months(day, 6) + rng.randint(-15, 25) * DAY
            if registration.exempt_group:
                continue
            for year in range(max(since.year, today.year - 1), today.year + 1):
                written = datetime.date(year, 11, 20) + rng.randint(0, 30) * DAY
                share = 0.9 if year < today.year else 0.35
                if written >= today or rng.random() > share:
                    continue
                comments.append(
                    ResidenceComment(
                        registration_id=registration.pk,
                        year=year,
                        text=rng.choice(COMMENTS),
                        front_opinion=rng.choice(FRONT_OPINIONS),
                        written_on=written,
                    )
                )
        ResidenceContact.objects.bulk_create(contacts, batch_size=INSERT_BATCH)
        ResidenceComment.objects.bulk_create(comments, batch_size=INSERT_BATCH)
        self.counts["registrations"] = len(registrations)
        self.counts["contacts"] = len(contacts)
        self.counts["comments"] = len(comments)


def seed_province_transfers(province: Organisation, today: datetime.date, seed: int = 1) -> dict:
    """Write the province's transfers and residence contact in bulk; return counts. Call
    after the province's meeting history."""
    with transaction.atomic():
        return ProvinceTransfers(today, province, seed).run()
