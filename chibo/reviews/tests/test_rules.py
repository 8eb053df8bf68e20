"""The levels on both sides of every threshold, the conditions on tasks and discipline, the
points' range, and the quota's edge cases."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chibo.regulations.loader import pack_in_force
from chibo.reviews.rules import (
    Tasks,
    check_level,
    clean_points,
    clean_tasks,
    highest_level,
    quota_check,
)

QD366 = pack_in_force(datetime.date(2025, 12, 31), subject="reviews").review
QD124 = pack_in_force(datetime.date(2024, 12, 31), subject="reviews").review
ALL = Tasks(done=100, on_time=100, exceeded=30)


@pytest.fixture(autouse=True)
def english():
    """The actions' messages are read in English here (the pages' tests read Vietnamese)."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "total, level",
    [
        ("100", "excellent"),
        ("90", "excellent"),
        ("89.5", "good"),
        ("70", "good"),
        ("69.5", "completed"),
        ("50", "completed"),
        ("49.5", "not_completed"),
        ("0", "not_completed"),
    ],
)
def test_points_decide_the_level_at_each_threshold(total, level):
    assert highest_level(QD366, Decimal(total), ALL)[0] == level


@pytest.mark.parametrize(
    "tasks, level",
    [
        (Tasks(100, 100, 30), "excellent"),
        (Tasks(100, 100, 29), "good"),  # not enough beyond what was asked
        (Tasks(100, 99, 30), "completed"),  # one task late: not good
        (Tasks(100, 80, 0), "completed"),
        (Tasks(100, 79, 0), "not_completed"),  # more than 20% late
        (Tasks(99, 99, 0), "not_completed"),  # a task not done
    ],
)
def test_the_years_tasks_decide_the_level_at_each_threshold(tasks, level):
    assert highest_level(QD366, Decimal(95), tasks)[0] == level


def test_the_reasons_name_what_is_missing():
    with translation.override("en"):
        best, reasons = highest_level(QD366, Decimal("89.5"), Tasks(100, 100, 10))
    assert best == "good"
    assert reasons["excellent"] == [
        "Excellently completed tasks needs at least 90 points; the review gives 89,5.",
        "Excellently completed tasks needs 30% of the tasks done beyond what was asked; 10% were.",
    ]


def test_disciplined_in_the_year_did_not_complete_under_qd_366_but_completed_under_qd_124():
    assert highest_level(QD366, Decimal(100), ALL, disciplined=True)[0] == "not_completed"
    assert highest_level(QD124, None, ALL, disciplined=True)[0] == "completed"
    assert highest_level(QD124, None, ALL)[0] == "excellent"


def test_a_collective_with_discipline_below_cannot_be_excellent():
    best, reasons = highest_level(QD366, Decimal(98), ALL, disciplined_below=True)
    assert best == "good" and list(reasons) == ["excellent"]
    with pytest.raises(ValidationError) as exc:
        check_level(QD366, "excellent", Decimal(98), ALL, disciplined_below=True)
    assert "level" in exc.value.message_dict
    check_level(QD366, "good", Decimal(98), ALL, disciplined_below=True)
    check_level(QD366, "completed", Decimal(98), ALL)  # a lower level is the cell's judgement


def test_an_unknown_level_is_refused():
    with pytest.raises(ValidationError, match="four levels"):
        check_level(QD366, "outstanding", Decimal(98), ALL)


def _member(**points):
    base = {"politics": 10, "ethics": 10, "discipline": 10, "duties": 50, "member_duties": 20}
    base.update(points)
    return base


def test_points_are_checked_one_by_one_and_totalled():
    points, total = clean_points(QD366, "member", _member(duties="45,5", ethics=8))
    assert total == Decimal("93.5") and points["duties"] == "45.5" and points["ethics"] == "8"
    assert clean_points(QD366, "member", _member())[0]["duties"] == "50"
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        clean_points(
            QD366, "member", _member(politics=11, ethics=-1, duties="abc", member_duties="7.3")
        )
    errors = exc.value.message_dict
    assert errors["points.politics"] == ["“Political thought” takes from 0 to 10 points."]
    assert "points.ethics" in errors and "points.duties" in errors
    assert errors["points.member_duties"] == ["Give whole or half points."]
    with pytest.raises(ValidationError) as exc:
        clean_points(QD366, "member", {**_member(), "charm": 5})
    assert list(exc.value.message_dict) == ["points.charm"]


def test_every_point_is_needed_on_submission_but_not_in_a_draft():
    partial = {"politics": 9}
    with pytest.raises(ValidationError) as exc:
        clean_points(QD366, "member", partial)
    assert len(exc.value.message_dict) == 4
    assert clean_points(QD366, "member", partial, partial=True) == ({"politics": "9"}, None)
    with pytest.raises(ValidationError):
        clean_points(QD366, "member", {"politics": 19}, partial=True)


def test_a_pack_without_points_takes_none():
    assert clean_points(QD124, "member", {}) == ({}, None)
    with pytest.raises(ValidationError, match="no points"):
        clean_points(QD124, "member", {"politics": 5})


def test_task_percents_are_in_range_and_consistent():
    assert clean_tasks(Tasks(90, 80, 10)) == Tasks(90, 80, 10)
    for wrong, field in (
        (Tasks(None, 80, 0), "tasks_done_percent"),
        (Tasks(101, 80, 0), "tasks_done_percent"),
        (Tasks(80, 90, 0), "tasks_on_time_percent"),
        (Tasks(80, 80, 81), "tasks_exceeded_percent"),
    ):
        with pytest.raises(ValidationError) as exc:
            clean_tasks(wrong)
        assert field in exc.value.message_dict


@pytest.mark.parametrize(
    "excellent, good, allowed, broken",
    [
        (0, 0, 0, False),  # nobody well completed: no excellent allowed, none given
        (1, 0, 0, True),  # one excellent alone is 100% of one
        (1, 3, 0, True),  # 4 good or better: 20% is 0.8, rounded down to 0
        (1, 4, 1, False),  # 5: exactly one
        (2, 8, 2, False),  # 10: two
        (3, 11, 2, True),  # 14: 2.8 rounds down to 2
        (3, 12, 3, False),  # 15: three
    ],
)
def test_the_quota_counts_excellent_among_those_rated_good_or_better(
    excellent, good, allowed, broken
):
    check = quota_check(
        QD366, "member", {"excellent": excellent, "good": good, "completed": 7, "not_completed": 1}
    )
    assert (check.base, check.allowed, check.broken) == (excellent + good, allowed, broken)


def test_a_broken_quota_says_its_numbers():
    check = quota_check(QD366, "organisation", {"excellent": 2, "good": 3})
    with translation.override("en"):
        assert check.message() == (
            "2 rated “Excellently completed tasks” out of 5 rated “Well completed tasks” or "
            "better: at most 1 may be (20%, rounded down)."
        )
