"""Opening members' accounts and granting roles."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chibo.accounts import actions
from chibo.accounts.models import Role, User
from chibo.accounts.policy import Perm, can


def test_an_administrator_opens_an_account_that_can_log_in(client, users, members):
    client.force_login(users["admin_P"])
    response = client.post(f"/manage/members/{members['hoa'].pk}/account/", {"username": "hoa"})
    password = response.context["password"]
    assert password and password in response.content.decode()
    hoa = User.objects.get(username="hoa")
    assert hoa.member == members["hoa"]
    assert Role.objects.filter(user=hoa, organisation=members["hoa"].cell, kind="member").exists()
    client.logout()
    assert client.login(username="hoa", password=password)


def test_a_taken_username_is_refused(users, members):
    with pytest.raises(ValidationError) as exc:
        actions.open_account(users["admin_P"], members["hoa"], "member_A")
    assert "username" in exc.value.message_dict


def test_only_administrators_open_accounts(users, members):
    with pytest.raises(PermissionDenied):
        actions.open_account(users["secretary_A"], members["an"], "an")
    assert not User.objects.filter(username="an").exists()


def test_a_cell_role_goes_only_to_a_member_of_that_cell(users, tree):
    with pytest.raises(ValidationError):
        actions.grant_role(users["admin_P"], users["stranger"], tree["A"], "secretary")
    with pytest.raises(ValidationError):
        actions.grant_role(users["admin_P"], users["member_A"], tree["X"], "secretary")
    role = actions.grant_role(users["admin_P"], users["member_A"], tree["A"], "secretary")
    assert role.kind == "secretary"


def test_granting_and_revoking_through_the_page(client, users, tree):
    client.force_login(users["admin_P"])
    response = client.post(
        "/manage/orgs/X/roles/", {"username": "member_A", "kind": "inspection_staff"}
    )
    assert response.status_code == 302
    duc = User.objects.get(username="member_A")
    assert can(duc, Perm.VIEW_AUDIT, tree["A"])
    role = Role.objects.get(user=duc, kind="inspection_staff")
    client.post(f"/manage/roles/{role.pk}/revoke/")
    assert not Role.objects.filter(user=duc, kind="inspection_staff").exists()


def test_users_outside_reach_look_the_same_as_unknown_ones(client, users, tree):
    client.force_login(users["admin_P"])
    outside = client.post(
        "/manage/orgs/X/roles/", {"username": "stranger", "kind": "inspection_staff"}
    )
    unknown = client.post(
        "/manage/orgs/X/roles/", {"username": "nobody", "kind": "inspection_staff"}
    )
    assert outside.context["form"].errors == unknown.context["form"].errors
    assert not Role.objects.filter(user=users["stranger"]).exists()


def test_a_secretary_who_moves_cell_stops_being_secretary(users, members, tree):
    from chibo.members.actions import change_home_cell

    secretary = users["member_A"]
    actions.grant_role(users["admin_P"], secretary, tree["A"], "secretary")
    change_home_cell(users["admin_P"], members["duc"], tree["B"], reason="Chuyển công tác")
    kinds = set(Role.objects.filter(user=secretary).values_list("organisation__code", "kind"))
    assert kinds == {("B", "member")}


def test_an_expelled_member_loses_every_role_and_the_log_in(users, members, tree):
    import datetime

    from chibo.members.actions import end_membership

    end_membership(
        users["admin_P"], members["duc"], "expelled", datetime.date(2026, 1, 5), "12-QĐ/TU"
    )
    user = User.objects.get(username="member_A")
    assert not user.is_active and not user.roles.exists()
    assert not can(user, Perm.VIEW_ORG, tree["A"])


def test_a_member_changes_the_password_they_were_given(client, users):
    client.force_login(users["member_A"])
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw-member_A-123",
            "new_password1": "Lung-Cu-2026-moi",
            "new_password2": "Lung-Cu-2026-moi",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert client.login(username="member_A", password="Lung-Cu-2026-moi")
