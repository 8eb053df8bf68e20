"""The fee arithmetic: percent and fixed bases, rounding, reductions and their end,
exemptions, the pack change on 1/2/2026, months, and never a float."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chibo.fees.arithmetic import (
    BasisTerm,
    ExemptionTerm,
    ReductionTerm,
    Terms,
    add_months,
    month_end,
    month_fee,
    month_label,
    months_between,
    months_count,
    parse_month,
    remit_amount,
    round_half_up,
)
from chibo.regulations.loader import pack_by_id, pack_in_force

JAN, FEB, MAR = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)
OLD, NEW = pack_by_id("fees-2010"), pack_by_id("fees-2026")


def fee(terms, month):
    pack = pack_in_force(month, None, subject="fees")
    return month_fee(terms, month, pack.fees, pack.id)


def salary(income, start=JAN, **extra):
    return Terms(bases=(BasisTerm("salary", income, start),), **extra)


def test_one_percent_of_the_salary_rounded_half_up_to_a_thousand():
    assert fee(salary(5_000_000), MAR).amount == 50_000
    assert fee(salary(5_850_000), MAR).amount == 59_000  # 58,500 rounds up
    assert fee(salary(5_849_900), MAR).amount == 58_000  # 58,499 rounds down
    assert fee(salary(5_850_000), MAR).base == 58_500


def test_a_pension_pays_half_a_percent():
    terms = Terms(bases=(BasisTerm("pension", 4_200_000, JAN),))
    assert fee(terms, MAR).amount == 21_000
    terms = Terms(bases=(BasisTerm("pension", 4_300_000, JAN),))
    assert fee(terms, MAR).amount == 22_000  # 21,500 rounds up


def test_the_sickness_allowance_pays_one_percent():
    terms = Terms(bases=(BasisTerm("sickness_allowance", 3_000_000, JAN),))
    assert fee(terms, MAR).amount == 30_000


def test_a_fixed_amount_ignores_the_income_and_follows_the_pack_of_the_month():
    student = Terms(bases=(BasisTerm("student", None, datetime.date(2025, 9, 1)),))
    assert fee(student, JAN).amount == 3_000 and fee(student, JAN).pack_id == "fees-2010"
    assert fee(student, FEB).amount == 5_000 and fee(student, FEB).pack_id == "fees-2026"
    no_insurance = Terms(bases=(BasisTerm("no_insurance", None, JAN),))
    assert (fee(no_insurance, JAN).amount, fee(no_insurance, FEB).amount) == (5_000, 10_000)


def test_the_pack_changes_on_the_first_of_february_2026():
    # A month takes the pack in force on its first day: January 2026 the old one, even
    # though the new rules were signed on 3/2/2026 and apply from 1/2/2026.
    assert pack_in_force(datetime.date(2026, 1, 31), None, subject="fees").id == "fees-2010"
    assert pack_in_force(FEB, None, subject="fees").id == "fees-2026"
    assert fee(salary(5_850_000), JAN).pack_id == "fees-2010"
    assert fee(salary(5_850_000), FEB).pack_id == "fees-2026"


def test_no_fee_before_the_first_basis_and_the_latest_basis_applies():
    terms = Terms(bases=(BasisTerm("salary", 5_000_000, FEB), BasisTerm("pension", 4_000_000, MAR)))
    assert fee(terms, JAN) is None
    assert fee(terms, FEB).amount == 50_000
    assert (fee(terms, MAR).basis, fee(terms, MAR).amount) == ("pension", 20_000)
    assert fee(terms, datetime.date(2027, 6, 1)).amount == 20_000


@pytest.mark.parametrize("percent, expected", [(30, 42_000), (50, 30_000), (70, 18_000)])
def test_a_reduction_applies_before_the_rounding(percent, expected):
    # 5,950,000 → 59,500; less 30% = 41,650 → 42,000; less 50% = 29,750 → 30,000;
    # less 70% = 17,850 → 18,000.
    terms = salary(5_950_000, reductions=(ReductionTerm(percent, FEB, MAR),))
    assert fee(terms, FEB).amount == expected
    assert fee(terms, FEB).reduction == percent


def test_a_reduction_ends_with_its_last_month():
    terms = salary(6_000_000, reductions=(ReductionTerm(50, FEB, MAR),))
    assert [fee(terms, m).amount for m in (JAN, FEB, MAR, datetime.date(2026, 4, 1))] == [
        60_000,
        30_000,
        30_000,
        60_000,
    ]


def test_a_fixed_amount_is_reduced_and_rounded_too():
    terms = Terms(
        bases=(BasisTerm("no_insurance", None, JAN),),
        reductions=(ReductionTerm(30, FEB, FEB),),
    )
    assert fee(terms, FEB).amount == 7_000


def test_an_exemption_makes_the_fee_zero_while_it_lasts():
    terms = salary(6_000_000, exemptions=(ExemptionTerm("serious_illness", FEB, MAR),))
    assert [fee(terms, m).amount for m in (JAN, FEB, MAR, datetime.date(2026, 4, 1))] == [
        60_000,
        0,
        0,
        60_000,
    ]
    assert fee(terms, FEB).is_exempt and fee(terms, FEB).exemption == "serious_illness"
    assert fee(terms, FEB).base == 60_000


def test_an_exemption_exempts_only_under_a_pack_that_has_the_ground():
    # 50 years of party age is a ground from Quy định 01-QĐ/TW (1/2/2026), not before.
    terms = salary(6_000_000, exemptions=(ExemptionTerm("party_age_50", JAN, None),))
    assert fee(terms, JAN).amount == 60_000
    assert fee(terms, FEB).amount == 0
    assert fee(terms, datetime.date(2030, 1, 1)).amount == 0  # open-ended


def test_the_exemption_wins_over_a_reduction():
    terms = salary(
        6_000_000,
        exemptions=(ExemptionTerm("poor_household", FEB, None),),
        reductions=(ReductionTerm(50, FEB, MAR),),
    )
    assert fee(terms, FEB).amount == 0


@given(
    income=st.integers(min_value=1, max_value=10**11),
    percent=st.sampled_from([0, 30, 50, 70]),
    basis=st.sampled_from(["salary", "pension", "sickness_allowance"]),
)
def test_every_fee_is_a_whole_number_of_thousands_never_a_float(income, percent, basis):
    reductions = (ReductionTerm(percent, JAN, MAR),) if percent else ()
    terms = Terms(bases=(BasisTerm(basis, income, JAN),), reductions=reductions)
    for month in (JAN, FEB):
        result = fee(terms, month)
        assert type(result.amount) is int and type(result.base) is int
        assert result.amount % 1000 == 0
        exact = Decimal(result.base) * (100 - percent) / 100
        assert abs(result.amount - exact) <= 500


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([1, 5, 100, 1000]))
def test_rounding_agrees_with_the_packs_own_rounding_on_whole_amounts(amount, step):
    rules = NEW.fees
    expected = amount if step <= 1 else (amount + step // 2) // step * step
    assert round_half_up(amount, step) == expected
    if step == rules.round_to:
        assert round_half_up(amount, step) == rules.rounded(amount)


def test_the_share_remitted_is_rounded_down_to_the_dong():
    assert remit_amount(59_000, 50) == 29_500
    assert remit_amount(59_001, 50) == 29_500
    assert remit_amount(100_000, 33) == 33_000
    assert type(remit_amount(1, 50)) is int


def test_months():
    assert add_months(datetime.date(2026, 11, 1), 3) == datetime.date(2027, 2, 1)
    assert add_months(JAN, -1) == datetime.date(2025, 12, 1)
    assert month_end(FEB) == datetime.date(2026, 2, 28)
    assert month_end(datetime.date(2028, 2, 1)) == datetime.date(2028, 2, 29)
    assert month_end(datetime.date(2026, 12, 1)) == datetime.date(2026, 12, 31)
    assert months_between(datetime.date(2025, 11, 15), datetime.date(2026, 1, 31)) == [
        datetime.date(2025, 11, 1),
        datetime.date(2025, 12, 1),
        JAN,
    ]
    assert months_count(datetime.date(2026, 3, 1), datetime.date(2027, 2, 1)) == 12
    assert parse_month("2026-05") == parse_month("05/2026") == parse_month("5/2026")
    assert month_label(datetime.date(2026, 5, 1)) == "05/2026"
    for bad in ("2026-13", "2026-00", "1999-05", "May 2026", "", "2026-5-1"):
        with pytest.raises(ValueError):
            parse_month(bad)


def test_the_old_pack_keeps_its_figures():
    # A month computed under the old pack stays so: the pack is data, closed at 31/1/2026.
    assert OLD.applies_until == datetime.date(2026, 1, 31)
    assert OLD.fees.bases["student"].fixed == 3_000
    assert {e.key for e in OLD.fees.exemptions} == {"poor_household", "serious_illness"}
