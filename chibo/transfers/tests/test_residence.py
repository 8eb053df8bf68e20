"""Residence contact (Quy định 213-QĐ/TW): registration with the residential cell where the
member lives, its contacts and yearly comments, what is missing, and what the workplace
cell reads at review time."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from chibo.transfers import actions, queries
from chibo.transfers.models import ResidenceComment
from chibo.transfers.tests.conftest import snapshot

D = datetime.date
DAY = datetime.timedelta(days=1)


def register(actor, member, cell, on=None, **kw):
    on = on or D(2025, 3, 1)
    return actions.register_residence(
        actor, member, cell, address=kw.pop("address", "thôn Lũng Cú"), registered_on=on, **kw
    )


def refused(call, field, contains=""):
    before = snapshot()
    # The reason is asserted in its English wording; the default language is Vietnamese.
    with pytest.raises(ValidationError) as info, translation.override("en"):
        call()
    assert snapshot() == before
    with translation.override("en"):
        message = " ".join(info.value.message_dict[field])
    assert contains in message, message


def test_a_member_of_a_workplace_cell_registers_where_they_live(system, members, tree):
    registration = register(system, members["an"], tree["S"])
    assert registration.is_open and queries.open_registration(members["an"]) == registration


def test_only_a_residential_cell_takes_registrations(system, members, tree):
    refused(lambda: register(system, members["an"], tree["B"]), "cell", "213-QĐ/TW")
    refused(lambda: register(system, members["an"], tree["G"]), "cell", "213-QĐ/TW")


def test_a_member_of_a_residential_cell_does_not_register(system, members, tree):
    refused(lambda: register(system, members["lan"], tree["T"]), "member", "213-QĐ/TW")


def test_the_exempt_groups_are_the_packs(system, members, tree):
    refused(lambda: register(system, members["an"], tree["S"], exempt_group="x"), "exempt_group")
    registration = register(system, members["an"], tree["S"], exempt_group="student")
    assert registration.exempt_group == "student"


def test_moving_ends_the_old_registration(system, members, tree):
    first = register(system, members["an"], tree["S"], on=D(2024, 5, 1))
    refused(lambda: register(system, members["an"], tree["S"]), "cell", "already registered")
    refused(lambda: register(system, members["an"], tree["T"], on=D(2024, 4, 1)), "registered_on")
    second = register(system, members["an"], tree["T"], on=D(2025, 9, 1))
    first.refresh_from_db()
    assert first.ended_on == D(2025, 9, 1) and "Sủng Là" in first.end_reason
    assert queries.open_registration(members["an"]) == second


def test_contacts_and_comments_are_the_residential_cells(system, members, tree, users, today):
    registration = register(system, members["an"], tree["S"], on=D(2025, 3, 1))
    before = snapshot()
    with pytest.raises(PermissionDenied):  # the workplace cell does not write them
        actions.record_contact(users["secretary_A"], registration, D(2025, 4, 1), "Gặp")
    with pytest.raises(PermissionDenied):
        actions.write_comment(users["secretary_A"], registration, year=2025, text="Tốt")
    assert snapshot() == before
    actions.record_contact(users["staff_X"], registration, D(2025, 4, 1), "Gặp mặt")
    refused(lambda: actions.record_contact(system, registration, D(2025, 2, 1), "Trước"), "on")
    refused(lambda: actions.record_contact(system, registration, today + DAY, "Sau"), "on")
    comment = actions.write_comment(
        users["staff_X"], registration, year=2025, text="Gương mẫu", front_opinion="Đồng ý"
    )
    refused(lambda: actions.write_comment(system, registration, year=2024, text="x"), "year")
    refused(
        lambda: actions.write_comment(system, registration, year=today.year + 1, text="x"),
        "year",
    )
    # A correction names the version it was made from; an older one is refused.
    actions.write_comment(system, registration, year=2025, text="Sửa", version=comment.version)
    with pytest.raises(ValidationError):
        actions.write_comment(system, registration, year=2025, text="Cũ", version=1)
    assert ResidenceComment.objects.get().text == "Sửa"


def test_the_residential_cell_sees_who_has_no_comment_for_the_year(system, members, tree):
    an = register(system, members["an"], tree["S"], on=D(2025, 3, 1))
    register(system, members["hoa"], tree["S"], on=D(2025, 3, 1), exempt_group="mobile_worker")
    assert queries.missing_comments(tree["S"], 2025) == [an]  # the exempt one is not asked
    actions.write_comment(system, an, year=2025, text="Tốt")
    assert queries.missing_comments(tree["S"], 2025) == []
    assert queries.missing_comments(tree["S"], 2024) == []  # not registered then


def test_the_workplace_cell_reads_the_comments_at_review_time(system, members, tree, users):
    registration = register(system, members["an"], tree["S"], on=D(2025, 3, 1))
    actions.write_comment(system, registration, year=2025, text="Gương mẫu")
    found = queries.residence_comments_for_review(users["secretary_A"], members["an"], 2025)
    assert [c.text for c in found] == ["Gương mẫu"]
    assert queries.residence_comments_for_review(users["secretary_A"], members["an"], 2024) == []
    with pytest.raises(PermissionDenied):
        queries.residence_comments_for_review(users["member_A"], members["an"], 2025)
    with pytest.raises(PermissionDenied):
        queries.residence_comments_for_review(users["stranger"], members["an"], 2025)


def test_the_registration_ends_when_the_member_leaves(system, members, tree):
    registration = register(system, members["an"], tree["S"], on=D(2025, 3, 1))
    actions.issue_transfer(
        system,
        members["an"],
        kind="official",
        reason="retirement",
        event_on=D(2026, 2, 1),
        letter_number="4",
        letter_date=D(2026, 2, 3),
        outside_name="Đảng bộ phường Ba Đình",
    )
    registration.refresh_from_db()
    assert registration.ended_on == D(2026, 2, 3)


def test_ending_a_registration_needs_a_reason_and_a_day_in_its_time(system, members, tree):
    registration = register(system, members["an"], tree["S"], on=D(2025, 3, 1))
    refused(lambda: actions.end_residence(system, registration, D(2025, 2, 1), "x"), "ended_on")
    refused(lambda: actions.end_residence(system, registration, D(2025, 5, 1), " "), "reason")
    actions.end_residence(system, registration, D(2025, 5, 1), "Chuyển nhà")
    with pytest.raises(ValidationError):
        actions.end_residence(system, registration, D(2025, 6, 1), "Lần nữa")


def test_the_member_does_not_read_the_comment_written_about_them(
    client, system, members, tree, users
):
    """QĐ 213: the comment serves the workplace cell's review; the member's right to see
    their own record does not reach it (page, panel, API, review query)."""
    duc = members["duc"]  # member_A's own record
    registration = register(system, duc, tree["S"], on=D(2025, 3, 1))
    actions.write_comment(system, registration, year=2025, text="Cần gương mẫu hơn")
    with pytest.raises(PermissionDenied):
        queries.residence_comments_for_review(users["member_A"], duc, 2025)
    client.force_login(users["member_A"])
    assert "Cần gương mẫu hơn" not in client.get(f"/members/{duc.pk}/").content.decode()
    for path in (f"/api/v1/members/{duc.pk}/residence", f"/api/v1/residence/{registration.pk}"):
        answer = client.get(path)
        assert answer.status_code == 200 and "Cần gương mẫu hơn" not in answer.content.decode()
    # The workplace cell's secretary reads it on the member's page and through the API.
    client.force_login(users["secretary_A"])
    assert "Cần gương mẫu hơn" in client.get(f"/members/{duc.pk}/").content.decode()
    answer = client.get(f"/api/v1/residence/{registration.pk}").json()
    assert [c["text"] for c in answer["comments"]] == ["Cần gương mẫu hơn"]
