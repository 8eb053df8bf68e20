"""Rules kept on the registry's models: general education as the party's forms write it."""

import pytest
from django.core.exceptions import ValidationError

from chibo.members.models import Education, education_level
from chibo.regulations.lifecycle import EDUCATION_LEVELS
from tests.fixtures import make_member


@pytest.mark.parametrize(
    "text, level",
    [
        ("12/12", "upper_secondary"),
        ("9/12", "lower_secondary"),
        (" 11 / 12 ", "lower_secondary"),
        ("8/12", "primary"),
        ("5/12", "primary"),
        ("4/12", "none"),
        ("10/10", "upper_secondary"),  # the North's ten-year system, to 1981
        ("7/10", "lower_secondary"),
        ("6/10", "primary"),
        ("7/9", "lower_secondary"),  # the nine-year system, to 1956
        ("13/12", None),
        ("9/11", None),
        ("lớp 9", None),
        ("", None),
    ],
)
def test_general_education_is_read_as_the_forms_write_it(text, level):
    assert education_level(text) == level


def test_a_member_with_education_not_in_the_forms_notation_is_refused(system, tree):
    with pytest.raises(ValidationError) as refused:
        make_member(system, tree["A"], "Hà Văn Học", education="hết cấp 2")
    assert "education" in refused.value.message_dict


def test_the_packs_education_levels_are_the_registrys():
    assert EDUCATION_LEVELS == tuple(Education.values)
