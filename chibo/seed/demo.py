"""The demo: a small, lively corner of the Hà Giang provincial organisation.

Built through the real actions (create_organisation, create_member) so the demo holds
exactly what users would have entered, audit events and history included. Every role has
a login; DEMO_ACCOUNTS is the list the README documents. Twelve months of meetings follow,
also through the actions (chibo.seed.demo_history); the secretary and the deputy of every
cell get a login for signing the minutes, with the same password.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from chibo.accounts.actions import grant_role, open_account
from chibo.accounts.models import CELL_ROLES, RoleKind, User
from chibo.audit.log import record
from chibo.members.actions import create_member
from chibo.members.models import Member, Status
from chibo.orgs.actions import create_organisation
from chibo.orgs.models import Level, Organisation
from chibo.oversight import rollups, warnings
from chibo.seed.names import COMMITTEE, DEPUTY, SECRETARY, People, add_years

# The one password of every demo and province-scale account. Never used outside seeded data.
DEMO_PASSWORD = "chibo-demo"
SYSTEM_USERNAME = "system"


@dataclass(frozen=True)
class Account:
    """A seeded login: its role on one organisation. Cell roles take their member's name."""

    username: str
    role: str
    org_code: str
    full_name: str = ""


DEMO_ACCOUNTS = (
    Account("admin", RoleKind.ADMINISTRATOR, "HG", "Nguyễn Quang Huy"),
    Account("tochuc", RoleKind.ORGANISATION_STAFF, "HG", "Trần Thị Thu Hà"),
    Account("kiemtra", RoleKind.INSPECTION_STAFF, "HG", "Lê Văn Thắng"),
    Account("thuongvu", RoleKind.STANDING_MEMBER, "DV", "Hoàng Văn Khiêm"),
    Account("bithu", RoleKind.SECRETARY, "DV-LC"),
    Account("phobithu", RoleKind.DEPUTY_SECRETARY, "DV-LC"),
    Account("chiuy", RoleKind.CELL_COMMITTEE, "DV-LC"),
    Account("dangvien", RoleKind.MEMBER, "DV-LC"),
)


@dataclass(frozen=True)
class Unit:
    """One organisation of the demo; a cell says how many members it has and who they are."""

    code: str
    parent: str | None
    name: str
    level: str
    cell_type: str = ""
    members: int = 0
    mix: str = ""  # which peoples, see names.MIXES


# Short names for the table below.
CEN, PROV, COMM = Level.CENTRAL, Level.PROVINCE, Level.SUPERIOR
GCOM, GCELL, INTER, CELL = (
    Level.GRASSROOTS_COMMITTEE,
    Level.GRASSROOTS_CELL,
    Level.INTERMEDIATE,
    Level.CELL,
)
# Parents come before their children.
# fmt: off
TREE = tuple(Unit(*row) for row in (
    ("TW", None, "Trung ương", CEN),
    ("HG", "TW", "Tỉnh ủy Hà Giang", PROV),
    ("DV", "HG", "Đảng ủy xã Đồng Văn", COMM),
    ("DV-LC", "DV", "Chi bộ thôn Lũng Cú", GCELL, "residential", 36, "highland"),
    ("DV-ST", "DV", "Chi bộ thôn Sảng Tủng", GCELL, "residential", 26, "highland"),
    ("DV-PC", "DV", "Chi bộ thôn Phố Cáo", GCELL, "residential", 22, "highland"),
    ("DV-YT", "DV", "Chi bộ Trạm Y tế xã Đồng Văn", GCELL, "public_service", 12, "province"),
    ("DV-BP", "DV", "Chi bộ Đồn Biên phòng Lũng Cú", GCELL, "armed_forces", 24, "province"),
    ("MV", "HG", "Đảng ủy xã Mèo Vạc", COMM),
    ("MV-PV", "MV", "Chi bộ thôn Pả Vi Hạ", GCELL, "residential", 32, "highland"),
    ("MV-TL", "MV", "Chi bộ thôn Tả Lủng", GCELL, "residential", 28, "hills"),
    ("MV-TH", "MV", "Chi bộ Trường PTDT Bán trú THCS Pả Vi", GCELL, "school", 18, "province"),
    ("MV-CA", "MV", "Chi bộ Công an xã Mèo Vạc", GCELL, "armed_forces", 14, "province"),
    ("HG1", "HG", "Đảng ủy phường Hà Giang 1", COMM),
    ("HG1-TDP1", "HG1", "Chi bộ tổ dân phố 1", GCELL, "residential", 40, "town"),
    ("HG1-TDP5", "HG1", "Chi bộ tổ dân phố 5", GCELL, "residential", 34, "town"),
    ("HG1-CHE", "HG1", "Chi bộ Công ty Cổ phần Chè Hà Giang", GCELL, "enterprise", 18, "midland"),
    ("CD", "HG1", "Đảng bộ Trường Cao đẳng Hà Giang", GCOM, "school"),
    ("CD-SP", "CD", "Chi bộ Khoa Sư phạm", CELL, "school", 26, "town"),
    ("CD-NL", "CD", "Chi bộ Khoa Nông Lâm", CELL, "school", 16, "midland"),
    ("CD-HC", "CD", "Chi bộ Phòng Hành chính – Tổng hợp", CELL, "agency", 14, "town"),
    ("CD-YT", "CD", "Chi bộ Trạm Y tế trường", CELL, "public_service", 8, "town"),
    ("CD-KTX", "CD", "Chi bộ Khu tập thể giáo viên", CELL, "residential", 12, "town"),
    ("CD-KT", "CD", "Đảng bộ bộ phận Khoa Kỹ thuật – Công nghệ", INTER, "school"),
    ("CD-KT-CK", "CD-KT", "Chi bộ Bộ môn Cơ khí", CELL, "school", 12, "town"),
    ("CD-KT-DT", "CD-KT", "Chi bộ Bộ môn Điện – Điện tử", CELL, "school", 10, "town"),
))
# The commune each part of the tree lies in, and its villages or street blocks.
COMMUNES = {
    "DV": ("xã Đồng Văn", ("Lũng Cú", "Sảng Tủng", "Phố Cáo", "Má Lé", "Lũng Táo", "Sủng Là")),
    "MV": ("xã Mèo Vạc", ("Pả Vi Hạ", "Tả Lủng", "Xín Cái", "Pải Lủng", "Sơn Vĩ")),
    "HG1": ("phường Hà Giang 1", ("tổ dân phố 1", "tổ dân phố 5", "tổ dân phố 7", "tổ dân phố 9")),
}
# fmt: on

PROBATIONARY_SHARE = 0.04
FOUNDED = {
    Level.CENTRAL: datetime.date(1930, 2, 3),
    Level.PROVINCE: datetime.date(1991, 10, 1),
    # The commune-level committees of today were formed when districts were abolished.
    Level.SUPERIOR: datetime.date(2025, 7, 1),
}


def leader_positions(size: int) -> list[str]:
    """Return the party posts of a cell of this size: secretary, deputy, committee members.

    Cells of 9 or more official members elect a cell committee (Điều lệ Đảng, art. 24);
    bigger cells elect a bigger one.
    """
    committee = 0 if size < 9 else 1 if size < 20 else 2 if size < 30 else 3
    return [SECRETARY, DEPUTY, *[COMMITTEE] * committee]


def system_user() -> User:
    """Return the superuser that seeding acts as, creating it with no usable password."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        return User.objects.create_superuser(SYSTEM_USERNAME, email="", password=None)
    if not user.is_superuser:
        raise ValueError(f'A user named "{SYSTEM_USERNAME}" exists and is not a superuser.')
    return user


def taken_usernames(accounts) -> list[str]:
    names = [a.username for a in accounts]
    return sorted(User.objects.filter(username__in=names).values_list("username", flat=True))


def _member_for(role: str, cell: Organisation) -> Member | None:
    """Return the member a cell role belongs to: the secretary for the secretary, and so on."""
    members = cell.members.order_by("id")
    post = {
        RoleKind.SECRETARY: SECRETARY,
        RoleKind.DEPUTY_SECRETARY: DEPUTY,
        RoleKind.CELL_COMMITTEE: COMMITTEE,
    }.get(role)
    if post:
        return members.filter(position=post).first()
    return (
        members.filter(status=Status.OFFICIAL)
        .exclude(position__in=[SECRETARY, DEPUTY, COMMITTEE])
        .first()
    )


def demo_password_hash() -> str:
    """Return the hash every seeded account shares.

    One hash for all: they share the password, and PBKDF2 is slow on purpose. Always PBKDF2,
    so that data seeded with CHIBO_FAST_HASHER=1 still logs in on a server without it.
    """
    return make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")


def create_accounts(actor: User, accounts, password: str | None = None) -> list[dict]:
    """Open the accounts and grant their roles; return rows for the accounts table.

    password: the shared hash (demo_password_hash), when the caller already has it.
    """
    password = password or demo_password_hash()
    rows = []
    for account in accounts:
        org = Organisation.objects.get(code=account.org_code)
        if account.role in CELL_ROLES:
            # A member's account holds the member role on their cell; leaders get theirs on top.
            member = _member_for(account.role, org)
            user, _ = open_account(actor, member, account.username)
            if account.role != RoleKind.MEMBER:
                grant_role(actor, user, org, account.role)
        else:
            family, given = account.full_name.rsplit(" ", 1)
            user = User.objects.create(
                username=account.username, first_name=given, last_name=family
            )
            grant_role(actor, user, org, account.role)
        user.password = password
        user.save(update_fields=["password"])
        rows.append(
            {
                "username": user.username,
                "role": str(RoleKind(account.role).label),
                "organisation": org.name,
                "code": org.code,
                "name": user.get_full_name(),
                "password": DEMO_PASSWORD,
            }
        )
    return rows


class _Builder:
    def __init__(self, actor: User, rng: random.Random, today: datetime.date):
        self.actor = actor
        self.rng = rng
        self.today = today
        self.people = People(rng, today)
        # Probationary members are drawn among those without a party post, about 4% of all.
        plain = [
            (unit.code, i)
            for unit in TREE
            for i in range(len(leader_positions(unit.members)), unit.members)
        ]
        total = sum(unit.members for unit in TREE)
        self.probationary = set(rng.sample(plain, round(PROBATIONARY_SHARE * total)))

    def build(self) -> None:
        orgs: dict[str, Organisation] = {}
        commune_of: dict[str, str | None] = {}
        for unit in TREE:
            parent = orgs.get(unit.parent) if unit.parent else None
            commune = unit.code if unit.code in COMMUNES else commune_of.get(unit.parent)
            commune_of[unit.code] = commune
            org = create_organisation(
                self.actor,
                parent,
                code=unit.code,
                name=unit.name,
                level=unit.level,
                cell_type=unit.cell_type,
                place=_place(unit, commune),
                founded_on=FOUNDED.get(unit.level) or self._after(parent.founded_on),
            )
            orgs[unit.code] = org
            if unit.members:
                self._add_members(org, unit, commune)

    def _after(self, day: datetime.date) -> datetime.date:
        """Return a founding date some years after day, and at least a year ago.

        Cells and grassroots committees are older than the commune-level committees formed
        in 2025, so under those they count from the province's founding instead.
        """
        if day >= FOUNDED[Level.SUPERIOR]:
            day = FOUNDED[Level.PROVINCE]
        return min(add_years(day, self.rng.randint(0, 25)), add_years(self.today, -1))

    def _add_members(self, cell: Organisation, unit: Unit, commune_code: str) -> None:
        commune, villages = COMMUNES[commune_code]
        village = unit.name.removeprefix("Chi bộ ").removeprefix("thôn ")
        posts = leader_positions(unit.members)
        for i in range(unit.members):
            if unit.cell_type == "residential" and village in villages:
                where = village
            else:
                where = self.rng.choice(villages)
            prefix = "" if where.startswith("tổ") else "thôn "
            probationary = (unit.code, i) in self.probationary
            fields = self.people.member(
                mix=unit.mix,
                cell_type=unit.cell_type,
                home=f"{commune}, tỉnh Hà Giang",
                residence=f"{prefix}{where}, {commune}, tỉnh Hà Giang",
                status=Status.PROBATIONARY if probationary else Status.OFFICIAL,
                position=posts[i] if i < len(posts) else "",
                exempt_elderly=True,
            )
            create_member(self.actor, cell, **fields)


def _place(unit: Unit, commune_code: str | None) -> str:
    if unit.level == Level.CENTRAL:
        return "Hà Nội"
    if commune_code:
        return f"{COMMUNES[commune_code][0]}, tỉnh Hà Giang"
    return "tỉnh Hà Giang"


@transaction.atomic
def _demo_lifecycle(actor, seed: int, today) -> dict:
    """The members' paths after the meetings' year, through the actions: candidates and
    probations (their votes need the cells' meetings), transfers and residence contact,
    a year of fees, then courses, badges, corrections and a removal proposal (which reads
    the fee arrears)."""
    from chibo.admissions.seeding import seed_demo as seed_admissions
    from chibo.fees.seeding import seed_demo_fees
    from chibo.members.seeding import demo_lifecycle
    from chibo.oversight.inspection_seeding import seed_inspections
    from chibo.oversight.supervision_seeding import seed_supervision
    from chibo.transfers.seeding import seed_demo_transfers

    province = Organisation.objects.get(code="HG")
    return {
        "admissions": seed_admissions(actor, seed, today),
        "transfers": seed_demo_transfers(actor, today, seed),
        "fees": seed_demo_fees(actor, random.Random(seed), today),
        "records": demo_lifecycle(actor, random.Random(seed), today),
        "inspection": seed_inspections(province, today, random.Random(seed)),
        "supervision": seed_supervision(province, today, random.Random(seed), attention=True),
    }


def seed_demo(seed: int = 1, history: bool = True) -> list[dict]:
    """Build the demo tree, its members, the demo accounts and (unless history is False)
    twelve months of meetings; return the accounts table."""
    from chibo.seed.demo_history import DemoHistory  # it builds on this module

    actor = system_user()
    rng = random.Random(seed)
    today = timezone.localdate()
    builder = _Builder(actor, rng, today)
    builder.build()
    password = demo_password_hash()
    rows = create_accounts(actor, DEMO_ACCOUNTS, password)
    meetings = DemoHistory(actor, rng, today, password).run() if history else 0
    lifecycle = _demo_lifecycle(actor, seed, today) if history else {}
    # The history is written in bulk, beside the actions: its roll-up is counted once here,
    # and the day's warnings are raised as the daily job would.
    rollups.rebuild()
    if history:
        # After the roll-up: the cells' review reports draw their figures from it.
        from chibo.reviews.seeding import seed_demo_reviews

        lifecycle["reviews"] = seed_demo_reviews(actor, today, random.Random(seed))
        warnings.run(today)
    members = sum(unit.members for unit in TREE)
    province = Organisation.objects.get(code="HG")
    record(
        actor,
        "seed.demo",
        province,
        province,
        {"seed": seed, "members": members, "meetings": meetings, **lifecycle},
    )
    return rows
