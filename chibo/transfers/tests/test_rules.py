"""The deadlines and limits of transfers, with dates around Tết, public holidays and month
ends; every figure is the membership pack's."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from chibo.regulations.loader import pack_in_force
from chibo.regulations.workdays import working_days_between
from chibo.transfers import rules

D = datetime.date


@pytest.fixture
def pack():
    return pack_in_force(D(2026, 1, 5), subject="membership")


def test_the_figures_come_from_the_pack(pack):
    t = pack.membership.transfer
    assert (t.official_within_working_days, t.present_letter_within_days) == (60, 30)
    assert (t.temporary_min_months, t.temporary_max_months, t.training_max_months) == (3, 12, 24)
    assert rules.transfer_source(pack) == "294-QĐ/TW"
    assert rules.residence_source(pack) == "213-QĐ/TW"


def test_an_official_transfer_is_due_sixty_working_days_after_the_event_skipping_tet(pack):
    # Friday 13/2/2026; Tết is 16–20/2, Hùng Kings' day 27/4, then 30/4 and 1/5.
    due = rules.official_due(pack, D(2026, 2, 13))
    assert due == D(2026, 5, 20)
    assert working_days_between(D(2026, 2, 13), due) == 60
    # Without the holidays it would have been two weeks earlier.
    assert (due - D(2026, 2, 13)).days > 60 * 7 // 5 + 10


def test_a_due_day_never_falls_on_a_weekend_or_a_holiday(pack):
    for start in (D(2025, 12, 31), D(2026, 1, 30), D(2026, 2, 27), D(2026, 8, 31)):
        due = rules.official_due(pack, start)
        assert due.weekday() < 5
        assert working_days_between(start, due) == 60


def test_the_letter_is_presented_within_thirty_calendar_days(pack):
    # The deadline counts calendar days, across a month end and Tết alike.
    assert rules.present_by(pack, D(2026, 1, 31)) == D(2026, 3, 2)
    assert rules.present_by(pack, D(2026, 2, 10)) == D(2026, 3, 12)
    rules.check_presented_in_time(pack, D(2026, 1, 31), D(2026, 3, 2), D(2026, 3, 2))
    with pytest.raises(ValidationError) as refused:
        rules.check_presented_in_time(pack, D(2026, 1, 31), D(2026, 3, 2), D(2026, 3, 3))
    message = refused.value.message_dict["accepted_on"][0]
    assert "30" in message and "02/03/2026" in message and "294-QĐ/TW" in message


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 12, 15), 12, D(2027, 12, 15)),
    ],
)
def test_months_are_added_to_the_month_end(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_a_temporary_transfer_lasts_from_three_months_to_under_a_year(pack):
    start = D(2025, 11, 30)
    rules.check_temporary_length(pack, "job", start, D(2026, 2, 28))  # exactly 3 months
    rules.check_temporary_length(pack, "job", start, D(2026, 11, 29))  # under 12 months
    for ends in (D(2026, 2, 27), D(2026, 11, 30), D(2027, 1, 1)):
        with pytest.raises(ValidationError) as refused:
            rules.check_temporary_length(pack, "job", start, ends)
        message = refused.value.message_dict["ends_on"][0]
        assert "3" in message and "12" in message and "294-QĐ/TW" in message


def test_a_temporary_transfer_for_training_lasts_up_to_two_years(pack):
    start = D(2026, 2, 28)
    rules.check_temporary_length(pack, "training", start, D(2028, 2, 28))
    with pytest.raises(ValidationError) as refused:
        rules.check_temporary_length(pack, "training", start, D(2028, 2, 29))
    assert "24" in refused.value.message_dict["ends_on"][0]


def test_the_residential_cell_meets_a_registered_member_every_six_months(pack):
    assert rules.next_contact_due(pack, D(2026, 8, 31)) == D(2027, 2, 28)
