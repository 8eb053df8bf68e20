"""Reorganisation of the tree: move, merge, split, close, with history kept."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.audit.models import AuditEvent
from chibo.members.models import Member, MembershipPeriod
from chibo.orgs import actions
from chibo.orgs.models import Level, Organisation, OrgChange


def fresh(org):
    return Organisation.objects.get(pk=org.pk)


def test_it_moves_a_subtree_and_keeps_its_history(tree, members, users):
    # given a grassroots committee G under commune X with two cells
    staff = users["admin_P"]
    # when G moves to commune X2
    actions.move_organisation(staff, tree["G"], tree["X2"], datetime.date(2025, 7, 1), "QĐ 294")
    # then the whole subtree is under X2 and the members came along
    g, a = fresh(tree["G"]), fresh(tree["A"])
    assert Organisation.objects.get_parent(g).code == "X2"
    assert a.path.startswith(g.path) and g.path.startswith(fresh(tree["X2"]).path)
    assert Member.objects.get(pk=members["an"].pk).cell_id == a.pk
    change = OrgChange.objects.get(organisation=g, kind=OrgChange.Kind.MOVED)
    assert change.before["parent"] == "X" and change.after["parent"] == "X2"
    assert change.effective_on == datetime.date(2025, 7, 1)
    assert AuditEvent.objects.filter(action="org.move", organisation=g, actor=staff).exists()
    assert not Organisation.objects.find_problems()[0]


def test_it_refuses_to_move_an_organisation_under_its_own_descendant(tree, users):
    with pytest.raises(ValidationError) as exc:
        actions.move_organisation(users["admin_P"], tree["X"], tree["G"])
    assert "new_parent" in exc.value.message_dict
    assert Organisation.objects.get_parent(fresh(tree["X"])).code == "P"


def test_it_refuses_a_move_that_breaks_the_levels(tree, users):
    # A subordinate cell cannot stand directly under a commune committee.
    with pytest.raises(ValidationError):
        actions.move_organisation(users["admin_P"], tree["A"], tree["X2"])
    assert Organisation.objects.get_parent(fresh(tree["A"])).code == "G"


def test_staff_cannot_move_what_lies_outside_their_subtree(tree, users):
    with pytest.raises(PermissionDenied):
        actions.move_organisation(users["staff_X"], tree["T"], tree["X"])
    with pytest.raises(PermissionDenied):
        # Staff of X may not move X itself: that needs the right over the province.
        actions.move_organisation(users["staff_X"], tree["X"], tree["P2"])
    assert Organisation.objects.get_parent(fresh(tree["T"])).code == "X2"


def test_merging_cells_moves_members_and_closes_the_old_cell(tree, members, users):
    # when cell B merges into cell A
    target = actions.merge_organisations(
        users["staff_X"], tree["B"], tree["A"], datetime.date(2026, 1, 1)
    )
    # then Hoa is now in A, with her history kept, and B is closed with a pointer to A
    b = fresh(tree["B"])
    hoa = Member.objects.get(pk=members["hoa"].pk)
    assert target.code == "A" and hoa.cell_id == tree["A"].pk
    assert b.closed_on == datetime.date(2026, 1, 1) and b.successor_id == tree["A"].pk
    periods = list(MembershipPeriod.objects.filter(member=hoa).order_by("started_on"))
    assert [p.organisation.code for p in periods] == ["B", "A"]
    assert periods[0].ended_on == datetime.date(2026, 1, 1) and periods[1].ended_on is None
    assert OrgChange.objects.filter(organisation=b, kind="merged_into", other=tree["A"]).exists()
    assert OrgChange.objects.filter(organisation=tree["A"], kind="absorbed").exists()


def test_merging_committees_moves_their_cells(tree, members, users, system):
    g2 = actions.create_organisation(
        system, tree["X"], code="G2", name="Đảng ủy Công ty Chè", level=Level.GRASSROOTS_COMMITTEE
    )
    c = actions.create_organisation(system, g2, code="C1", name="Chi bộ Sản xuất", level=Level.CELL)
    actions.merge_organisations(users["staff_X"], g2, tree["G"])
    assert Organisation.objects.get_parent(fresh(c)).code == "G"
    assert fresh(g2).closed_on is not None
    assert not Organisation.objects.find_problems()[0]


def test_it_refuses_to_merge_a_cell_into_a_committee(tree, members, users):
    with pytest.raises(ValidationError):
        actions.merge_organisations(users["staff_X"], tree["B"], tree["G"])
    assert fresh(tree["B"]).closed_on is None
    assert Member.objects.get(pk=members["hoa"].pk).cell_id == tree["B"].pk


def test_splitting_a_cell_creates_a_sibling_with_the_chosen_members(tree, members, users):
    new = actions.split_organisation(
        users["staff_X"],
        tree["A"],
        code="A2",
        name="Chi bộ Giáo viên 2",
        member_ids=[members["duc"].pk],
        effective_on=datetime.date(2026, 2, 1),
    )
    assert Organisation.objects.get_parent(new).code == "G" and new.level == Level.CELL
    assert Member.objects.get(pk=members["duc"].pk).cell_id == new.pk
    assert Member.objects.get(pk=members["an"].pk).cell_id == tree["A"].pk
    assert OrgChange.objects.filter(organisation=new, kind="split_from", other=tree["A"]).exists()


def test_a_split_with_members_of_another_cell_changes_nothing(tree, members, users):
    before = Organisation.objects.count()
    with pytest.raises(ValidationError):
        actions.split_organisation(
            users["staff_X"],
            tree["A"],
            code="A2",
            name="Chi bộ mới",
            member_ids=[members["hoa"].pk],
        )
    assert Organisation.objects.count() == before
    assert Member.objects.get(pk=members["hoa"].pk).cell_id == tree["B"].pk


def test_a_cell_with_members_cannot_be_closed(tree, members, users):
    with pytest.raises(ValidationError):
        actions.close_organisation(users["staff_X"], tree["A"])
    assert fresh(tree["A"]).closed_on is None


def test_renaming_keeps_the_old_name_in_history(tree, users):
    actions.update_organisation(
        users["secretary_A"], tree["A"], version=1, name="Chi bộ Giáo viên THPT"
    )
    change = OrgChange.objects.get(organisation=tree["A"], kind="renamed")
    assert change.before["name"] == "Chi bộ Giáo viên"
    assert change.after["name"] == "Chi bộ Giáo viên THPT"


def test_a_stale_edit_is_refused(tree, users):
    actions.update_organisation(users["admin_P"], tree["A"], version=1, place="Đồng Văn")
    with pytest.raises(ValidationError) as exc:
        actions.update_organisation(users["secretary_A"], tree["A"], version=1, place="Khác")
    assert exc.value.code == "conflict"
    assert fresh(tree["A"]).place == "Đồng Văn"


def test_the_meeting_day_is_inherited_from_above(tree, users):
    actions.update_organisation(users["admin_P"], tree["X"], meeting_day=4)
    assert fresh(tree["A"]).effective_meeting_day() == 4
    assert fresh(tree["T"]).effective_meeting_day() == 3
    with pytest.raises(ValidationError) as exc:
        actions.update_organisation(users["admin_P"], tree["A"], meeting_day=31)
    assert "meeting_day" in exc.value.message_dict


def test_a_duplicate_code_is_refused_in_vietnamese(tree, users, client):
    client.force_login(users["staff_X"])
    response = client.post("/orgs/G/new/", {"code": "A", "name": "Chi bộ trùng", "level": "cell"})
    assert response.status_code == 200
    assert "Đã có tổ chức khác mang mã này." in response.content.decode()
    assert Organisation.objects.filter(name="Chi bộ trùng").count() == 0


def test_the_move_page_moves_and_shows_the_history(tree, users, client):
    client.force_login(users["admin_P"])
    response = client.post(
        "/orgs/G/move/", {"new_parent": "X2", "effective_on": "2026-03-01", "note": "Sáp nhập xã"}
    )
    assert response.status_code == 302
    page = client.get("/orgs/G/").content.decode()
    assert "Sáp nhập xã" in page and "01/03/2026" in page


def test_splitting_a_committee_moves_the_chosen_cells(tree, members, users):
    new = actions.split_organisation(
        users["staff_X"],
        tree["G"],
        code="G2",
        name="Đảng ủy Trường THCS",
        child_ids=[tree["B"].pk],
    )
    assert new.level == Level.GRASSROOTS_COMMITTEE
    assert Organisation.objects.get_parent(fresh(tree["B"])).code == "G2"
    assert Member.objects.get(pk=members["hoa"].pk).cell_id == tree["B"].pk
    assert not Organisation.objects.find_problems()[0]


def test_a_merge_leaves_members_who_left_on_the_old_cells_record(tree, members, users):
    from chibo.members.actions import end_membership

    end_membership(users["admin_P"], members["hoa"], "deceased", datetime.date(2026, 1, 5))
    actions.merge_organisations(users["staff_X"], tree["B"], tree["A"])
    assert Member.objects.get(pk=members["hoa"].pk).cell_id == tree["B"].pk


def test_committees_merge_only_into_their_own_level(tree, users):
    with pytest.raises(ValidationError):
        actions.merge_organisations(users["admin_P"], tree["X2"], tree["G"])
    assert fresh(tree["X2"]).closed_on is None


def test_a_merge_dated_before_members_joined_changes_nothing(tree, members, users):
    with pytest.raises(ValidationError) as exc:
        actions.merge_organisations(
            users["staff_X"], tree["B"], tree["A"], datetime.date(2000, 1, 1)
        )
    assert "effective_on" in exc.value.message_dict
    assert fresh(tree["B"]).closed_on is None
    assert Member.objects.get(pk=members["hoa"].pk).cell_id == tree["B"].pk


def test_codes_that_would_break_addresses_are_refused(tree, users):
    with pytest.raises(ValidationError) as exc:
        actions.create_organisation(
            users["admin_P"], tree["G"], code="X/1", name="Chi bộ gạch chéo", level=Level.CELL
        )
    assert "code" in exc.value.message_dict


def test_a_garbled_version_is_treated_as_stale(client, users, tree):
    client.force_login(users["admin_P"])
    response = client.post("/orgs/A/edit/", {"name": "Tên khác", "version": "abc"})
    assert response.status_code == 200
    assert fresh(tree["A"]).name == "Chi bộ Giáo viên"
