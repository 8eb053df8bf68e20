"""`chibo stats`: counts of a subtree, as JSON for scripts and as text for people."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chibo.orgs.actions import close_organisation, create_organisation
from chibo.orgs.models import Level


def stats(*args) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_it_counts_a_province_subtree(members):
    # given the fixture tree: under P, two communes, a grassroots committee with two cells and
    # two grassroots cells; five members, one of them probationary
    # when
    [result] = json.loads(stats("--org", "P", "--json"))
    # then
    assert result["code"] == "P" and result["level"] == "province"
    orgs = result["organisations"]
    assert orgs["by_level"] == {
        "central": 0,
        "province": 0,
        "superior": 2,
        "grassroots_committee": 1,
        "grassroots_cell": 2,
        "intermediate": 0,
        "cell": 2,
    }
    assert orgs["total"] == 7
    assert orgs["by_kind"] == {"committee": 3, "cell": 4}
    assert orgs["grassroots"] == 3
    assert result["members"]["total"] == 5
    assert result["members"]["current"] == 5
    assert result["members"]["by_status"]["official"] == 4
    assert result["members"]["by_status"]["probationary"] == 1
    assert result["members"]["by_status"]["expelled"] == 0


def test_without_a_code_it_counts_every_root(members):
    results = json.loads(stats("--json"))

    assert [r["code"] for r in results] == ["C"]
    assert results[0]["organisations"]["total"] == 9
    assert results[0]["organisations"]["by_level"]["province"] == 2
    assert results[0]["members"]["total"] == 5


def test_it_counts_several_subtrees_and_a_single_cell(members):
    results = json.loads(stats("--org", "X", "--org", "A", "--json"))

    x, a = results
    assert x["organisations"]["by_kind"] == {"committee": 1, "cell": 3}
    assert x["members"]["total"] == 4
    assert a["organisations"]["total"] == 0
    assert a["members"]["total"] == 2


def test_closed_organisations_are_not_counted(tree, system):
    empty = create_organisation(
        system, tree["X2"], code="E", name="Chi bộ thôn Cũ", level=Level.GRASSROOTS_CELL
    )
    close_organisation(system, empty)

    [result] = json.loads(stats("--org", "X2", "--json"))

    assert result["organisations"]["by_level"]["grassroots_cell"] == 1


def test_the_text_output_names_the_subtree_and_its_figures(members):
    out = stats("--org", "P")

    assert out.startswith("Tỉnh ủy Hà Giang (P)")
    assert str(Level.GRASSROOTS_COMMITTEE.label) in out
    assert ": 5" in out and ": 7" in out


def test_an_unknown_code_is_an_error(tree):
    with pytest.raises(CommandError, match="NOPE"):
        stats("--org", "NOPE", "--json")


@pytest.mark.django_db
def test_an_empty_database_has_no_roots():
    assert json.loads(stats("--json")) == []
    assert stats().strip()
