"""The membership and fee packs, and working days with the year's public holidays."""

import datetime
import json

import pytest

from chibo.regulations import loader, workdays
from chibo.regulations.apps import check_holidays
from chibo.regulations.loader import PackError, load_packs, pack_by_id, pack_in_force

D = datetime.date


def _copy(folder, pack_id, new_id, **changes):
    data = json.loads((loader.PACKS_DIR / f"{pack_id}.json").read_text(encoding="utf-8"))
    data["id"] = new_id
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value
    (folder / f"{new_id}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def test_the_membership_pack_holds_the_charters_figures():
    rules = pack_in_force(D(2026, 3, 1), subject="membership").membership
    assert (rules.admission.min_age, rules.admission.max_age) == (18, 60)
    assert rules.admission.introducers == 2
    assert rules.admission.introducer_min_months_known == 12
    assert rules.admission.ceremony_within_working_days == 30
    assert rules.admission.document("course_certificate").valid_years == 5
    assert rules.admission.document("introduction_2").alternative == "youth_union_resolution"
    assert rules.probation.months == 12 and rules.probation.review_within_working_days == 30
    assert rules.transfer.official_within_working_days == 60
    assert rules.transfer.present_letter_within_days == 30
    assert rules.removal.absent_months_in_year == 3
    assert rules.badges.years[:3] == (30, 40, 45) and rules.badges.years[-1] == 90
    assert rules.badges.award_dates(2027)[0] == D(2027, 2, 3)
    assert {g.key for g in rules.residence.exempt_groups} == {
        "armed_forces",
        "mobile_worker",
        "student",
    }


def test_the_fee_rules_changed_on_1_february_2026():
    old = pack_in_force(D(2026, 1, 31), subject="fees")
    new = pack_in_force(D(2026, 2, 1), subject="fees")
    assert (old.id, new.id) == ("fees-2010", "fees-2026")
    assert new.source.number == "01-QĐ/TW"
    fees = new.fees
    assert fees.basis("salary").amount(5_310_000) == 53_100
    assert fees.basis("pension").amount(7_250_000) == 36_250
    assert fees.rounded(36_250) == 36_000 and fees.rounded(36_500) == 37_000
    assert fees.reduction_percents == (30, 50, 70) and fees.reduction_max_months == 12
    years = {e.key: e.min_party_years for e in fees.exemptions}
    assert years["party_age_50"] == 50 and years["poor_household"] is None
    assert "party_age_50" not in {e.key for e in old.fees.exemptions}


def test_meeting_packs_are_found_as_before_beside_the_new_subjects():
    assert pack_in_force(D(2026, 3, 1)).id == "hd42-2025"
    assert pack_by_id("membership-2025").subject == "membership"
    assert pack_by_id("hd42-2025").votes.threshold("admission").votes_needed(9) == 6


def test_packs_of_different_subjects_may_overlap_but_not_two_of_one(tmp_path):
    _copy(tmp_path, "fees-2026", "fees-2026")
    _copy(tmp_path, "membership-2025", "membership-2025")
    assert len(load_packs([tmp_path])) == 2
    _copy(tmp_path, "fees-2026", "fees-draft", applies_from="2026-06-01")
    loader.clear_cache()
    with pytest.raises(PackError, match="fees-draft.json"):
        load_packs([tmp_path])


@pytest.mark.parametrize(
    "change, where",
    [
        ({"fees__bases__0__percent": 120}, "fees.bases[0].percent"),
        ({"fees__reduction_percents": [30, 100]}, "fees.reduction_percents"),
        ({"fees__payment_methods": ["cheque"]}, "fees.payment_methods"),
        ({"fees__exemptions__0__min_party_years": 0}, "fees.exemptions[0].min_party_years"),
        ({"fees__exemptions__0__min_party_years": "50"}, "fees.exemptions[0].min_party_years"),
        ({"subject": "fes"}, "subject"),
    ],
)
def test_a_broken_fee_pack_is_refused_with_the_field(tmp_path, change, where):
    _copy(tmp_path, "fees-2026", "broken", **change)
    with pytest.raises(PackError) as exc:
        load_packs([tmp_path])
    assert "broken.json" in str(exc.value) and where in str(exc.value)


@pytest.mark.parametrize(
    "change, where",
    [
        ({"membership__admission__max_age": 10}, "membership.admission.max_age"),
        ({"membership__admission__min_education": "grade 9"}, "membership.admission.min_education"),
        ({"membership__badges__award_days": ["13-01"]}, "award_days[0]"),
        ({"membership__badges__years": [40, 30]}, "membership.badges.years"),
        (
            {"membership__admission__dossier__5__alternative": "nothing"},
            "membership.admission.dossier[5]",
        ),
    ],
)
def test_a_broken_membership_pack_is_refused_with_the_field(tmp_path, change, where):
    _copy(tmp_path, "membership-2025", "broken", **change)
    with pytest.raises(PackError) as exc:
        load_packs([tmp_path])
    assert where in str(exc.value)


# Working days.


def test_weekends_and_tet_are_not_working_days():
    assert workdays.is_working_day(D(2026, 2, 13))  # Friday before Tết Bính Ngọ
    for day in range(14, 23):  # Saturday 14 to Sunday 22 February 2026
        assert not workdays.is_working_day(D(2026, 2, day)), day
    assert workdays.is_working_day(D(2026, 2, 23))


def test_a_make_up_saturday_is_a_working_day():
    assert workdays.is_working_day(D(2025, 4, 26))
    assert not workdays.is_working_day(D(2025, 5, 2))


def test_thirty_working_days_across_tet():
    # Decision on Friday 30 January 2026: 30 working days skip the five days of Tết.
    assert workdays.add_working_days(D(2026, 1, 30), 30) == D(2026, 3, 20)
    assert workdays.working_days_between(D(2026, 1, 30), D(2026, 3, 20)) == 30
    # Without Tết the same count ends a week earlier.
    assert workdays.add_working_days(D(2026, 5, 4), 30) == D(2026, 6, 15)


def test_deadlines_across_a_month_end_and_the_national_day():
    # Friday 28 August 2026 + 3 working days: Monday 31, then 1 and 2 September are off.
    assert workdays.add_working_days(D(2026, 8, 28), 3) == D(2026, 9, 4)
    assert workdays.working_days_between(D(2026, 3, 20), D(2026, 3, 20)) == 0


def test_a_year_with_no_list_counts_weekends_and_the_fixed_holidays(settings):
    assert not workdays.is_working_day(D(2031, 9, 2))
    assert workdays.is_working_day(D(2031, 9, 3))


def test_an_installation_adds_a_year_and_the_check_asks_for_next_years_list(
    tmp_path, settings, monkeypatch
):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: D(2027, 11, 1))
    workdays.clear_cache()
    assert [w.id for w in check_holidays()] == ["regulations.W002"]
    (tmp_path / "holidays.json").write_text(
        json.dumps(
            {
                "years": {
                    "2028": {
                        "days_off": [{"date": "2028-01-03", "name": "Nghỉ bù Tết Dương lịch"}],
                        "make_up_days": [],
                    }
                }
            }
        ),
        "utf-8",
    )
    settings.CHIBO_REGULATION_PACK_DIRS = [str(tmp_path)]
    try:
        assert check_holidays() == []
        assert not workdays.is_working_day(D(2028, 1, 3))
    finally:
        workdays.clear_cache()


def test_a_broken_holiday_list_is_an_error(tmp_path, settings):
    (tmp_path / "holidays.json").write_text(
        json.dumps({"years": {"2028": {"days_off": [{"date": "2029-01-01", "name": "x"}]}}}),
        "utf-8",
    )
    settings.CHIBO_REGULATION_PACK_DIRS = [str(tmp_path)]
    try:
        assert [e.id for e in check_holidays()] == ["regulations.E002"]
    finally:
        workdays.clear_cache()
