"""What the review of the oversight app found: an attention case follows its member, the
installation's superuser does not read it, and the roll-up follows a change of the set day
and a move under a committee with another day."""

import datetime

from django.contrib.auth import get_user_model

from chibo.accounts.policy import Perm, can
from chibo.members.actions import change_home_cell
from chibo.orgs.actions import move_organisation, update_organisation
from chibo.oversight import attention, rollups
from chibo.oversight.models import AttentionCase, MonthFigures
from chibo.oversight.tests.conftest import hold

D = datetime.date


def test_an_open_attention_case_goes_with_the_member(system, users, members, tree, cell_a):
    duc = members["duc"]
    case = attention.open_case(
        users["secretary_A"],
        duc,
        kind="attention",
        reason="Gia đình khó khăn",
        plan="Chi ủy thăm hỏi",
        follower=members["an"],
        review_on=D(2027, 1, 5),
    )
    change_home_cell(system, duc, tree["B"], reason="Chuyển công tác")
    assert AttentionCase.objects.get(pk=case.pk).cell == tree["B"]


def test_the_superuser_does_not_read_the_attention_list(tree, members):
    root = get_user_model().objects.create_superuser("root", password="pw-root-123")
    assert can(root, Perm.VIEW_OVERSIGHT, tree["A"])
    assert not can(root, Perm.VIEW_ATTENTION, tree["A"])
    assert not can(root, Perm.MANAGE_ATTENTION, tree["A"])


def test_a_new_set_day_recounts_the_cells_below(clock, system, cell_a, tree, users):
    hold(clock, system, cell_a, D(2026, 10, 4), moved_reason="Họp bù")
    assert MonthFigures.objects.get(organisation=cell_a, month=D(2026, 10, 1)).regular_on_day == 0
    update_organisation(users["admin_P"], tree["X"], meeting_day=4)
    assert MonthFigures.objects.get(organisation=cell_a, month=D(2026, 10, 1)).regular_on_day == 1
    assert rollups.verify() == []


def test_a_cell_moved_under_another_set_day_is_recounted(clock, system, cell_a, tree, users):
    hold(clock, system, cell_a, D(2026, 10, 4), moved_reason="Họp bù")
    update_organisation(users["admin_P"], tree["X2"], meeting_day=4)
    move_organisation(users["admin_P"], tree["G"], tree["X2"])
    assert MonthFigures.objects.get(organisation=cell_a, month=D(2026, 10, 1)).regular_on_day == 1
    assert rollups.verify() == []
