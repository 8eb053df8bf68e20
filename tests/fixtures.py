"""Shared fixtures: a small tree built through the real actions, and a user for every role.

The tree:
    C      Central (root)
    P      Tỉnh ủy Hà Giang (province)             P2  another province (for strangers)
    X      Đảng ủy xã Đồng Văn (superior)          X2  Đảng ủy xã Mèo Vạc (superior)
    G      Đảng ủy trường THPT (grassroots committee)
    A, B   Chi bộ Giáo viên / Chi bộ Hành chính (subordinate cells of G)
    S      Chi bộ thôn Lũng Cú (grassroots cell under X)
    T      Chi bộ thôn Sủng Là (grassroots cell under X2)
"""

import datetime

import pytest

from chibo.accounts.models import Role, RoleKind, User
from chibo.members.actions import create_member
from chibo.orgs.actions import create_organisation
from chibo.orgs.models import Level


@pytest.fixture
def system(db):
    return User.objects.create_superuser("system", password="x-system-password-1")


def make_member(actor, cell, name, **extra):
    fields = {
        "full_name": name,
        "gender": "male",
        "date_of_birth": datetime.date(1980, 5, 17),
        "admitted_on": datetime.date(2010, 3, 2),
        "official_on": datetime.date(2011, 3, 2),
        "status": "official",
        "education": "12/12",
    }
    fields.update(extra)
    return create_member(actor, cell, **fields)


@pytest.fixture
def tree(system):
    def org(parent, code, name, level, **kw):
        return create_organisation(system, parent, code=code, name=name, level=level, **kw)

    c = org(None, "C", "Trung ương", Level.CENTRAL)
    p = org(c, "P", "Tỉnh ủy Hà Giang", Level.PROVINCE)
    p2 = org(c, "P2", "Tỉnh ủy Lào Cai", Level.PROVINCE)
    x = org(p, "X", "Đảng ủy xã Đồng Văn", Level.SUPERIOR)
    x2 = org(p, "X2", "Đảng ủy xã Mèo Vạc", Level.SUPERIOR)
    g = org(x, "G", "Đảng ủy Trường THPT Đồng Văn", Level.GRASSROOTS_COMMITTEE, cell_type="school")
    a = org(g, "A", "Chi bộ Giáo viên", Level.CELL, cell_type="school")
    b = org(g, "B", "Chi bộ Hành chính", Level.CELL, cell_type="agency")
    s = org(x, "S", "Chi bộ thôn Lũng Cú", Level.GRASSROOTS_CELL, cell_type="residential")
    t = org(x2, "T", "Chi bộ thôn Sủng Là", Level.GRASSROOTS_CELL, cell_type="residential")
    return {"C": c, "P": p, "P2": p2, "X": x, "X2": x2, "G": g, "A": a, "B": b, "S": s, "T": t}


@pytest.fixture
def members(tree, system):
    return {
        "an": make_member(
            system, tree["A"], "Nguyễn Văn An", citizen_id="001080012345", phone="0912345678"
        ),
        "duc": make_member(system, tree["A"], "Đỗ Minh Đức"),
        "hoa": make_member(system, tree["B"], "Trần Thị Hoa", gender="female"),
        "lan": make_member(
            system,
            tree["S"],
            "Lò Thị Lan",
            gender="female",
            status="probationary",
            official_on=None,
        ),
        "tung": make_member(system, tree["T"], "Vàng Mí Tủng"),
    }


# Each role the access test walks: (role kind, organisation code), plus a stranger with none.
ROLE_CASES = {
    "member_A": (RoleKind.MEMBER, "A"),
    "committee_A": (RoleKind.CELL_COMMITTEE, "A"),
    "deputy_A": (RoleKind.DEPUTY_SECRETARY, "A"),
    "secretary_A": (RoleKind.SECRETARY, "A"),
    "standing_X": (RoleKind.STANDING_MEMBER, "X"),
    "staff_X": (RoleKind.ORGANISATION_STAFF, "X"),
    "inspection_X": (RoleKind.INSPECTION_STAFF, "X"),
    "admin_P": (RoleKind.ADMINISTRATOR, "P"),
    "stranger": (None, None),
}


@pytest.fixture
def users(tree, members):
    made = {}
    for name, (kind, code) in ROLE_CASES.items():
        user = User.objects.create_user(name, password="pw-" + name + "-123")
        if kind is not None:
            Role.objects.create(user=user, organisation=tree[code], kind=kind)
        made[name] = user
    made["member_A"].member = members["duc"]
    made["member_A"].save()
    return made
