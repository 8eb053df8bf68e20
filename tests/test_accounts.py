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
    response = client.post("/manage/orgs/X/roles/",
                           {"username": "stranger", "kind": "inspection_staff"})
    assert response.status_code == 302
    stranger = User.objects.get(username="stranger")
    assert can(stranger, Perm.VIEW_AUDIT, tree["A"])
    role = Role.objects.get(user=stranger)
    client.post(f"/manage/roles/{role.pk}/revoke/")
    assert not Role.objects.filter(user=stranger).exists()
