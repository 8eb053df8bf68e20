"""`chibo warnings run` and `chibo warnings list`: counts, the JSON list, and bad input."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from chibo.meetings.models import Kind, Meeting, MeetingStatus
from chibo.oversight.models import EarlyWarning, WarningState
from chibo.oversight.tests.test_warnings import at

D = datetime.date


@pytest.fixture
def recorded(tree, members, settings):
    """October and November looked at; A met on 3 October only."""
    settings.CHIBO_WARNINGS_FROM = "2026-10-01"
    Meeting.objects.create(
        organisation=tree["A"],
        kind=Kind.REGULAR,
        status=MeetingStatus.SIGNED,
        period=D(2026, 10, 1),
        scheduled_at=at(D(2026, 10, 3)),
        started_at=at(D(2026, 10, 3)),
        ended_at=at(D(2026, 10, 3), 10),
    )
    return tree


def chibo(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("warnings", *args, stdout=out)
    return out.getvalue()


def test_run_prints_the_counts_of_each_rule_and_is_idempotent(recorded):
    first = chibo("run", "--date", "2026-11-20", "--org", "G")
    assert "meeting_missed: 3 raised, 0 still open, 0 resolved" in first
    assert "Warnings on 2026-11-20: " in first
    assert set(EarlyWarning.objects.values_list("organisation__code", flat=True)) == {"A", "B"}
    second = chibo("run", "--date", "2026-11-20", "--org", "G")
    assert "meeting_missed: 0 raised, 3 still open, 0 resolved" in second


def test_list_prints_the_warnings_as_json(recorded):
    chibo("run", "--date", "2026-11-20")
    rows = json.loads(chibo("list", "--org", "A", "--json"))
    assert [r["subject"] for r in rows if r["rule"] == "meeting_missed"] == ["2026-11"]
    row = next(r for r in rows if r["rule"] == "meeting_missed")
    assert row["title"] == "Monthly meeting not held"
    assert row["organisation"] == {"code": "A", "name": "Chi bộ Giáo viên"}
    assert row["member"] is None and row["source"] == "50-CT/TW"
    assert row["message"] == "No regular meeting was held in 11/2026."
    assert row["evidence"]["month"] == "2026-11" and row["state"] == "open"
    assert row["raised_on"] == "2026-11-20" and row["resolved_on"] is None and row["note"] == ""
    assert set(row) == {
        "id", "rule", "title", "organisation", "member", "subject", "source", "evidence",
        "message", "state", "note", "raised_on", "resolved_on",
    }  # fmt: skip


def test_list_filters_by_state(recorded):
    chibo("run", "--date", "2026-11-20")
    EarlyWarning.objects.filter(organisation__code="B").update(
        state=WarningState.RESOLVED, resolved_on=D(2026, 11, 20)
    )
    assert {r["organisation"]["code"] for r in json.loads(chibo("list", "--json"))} == {
        "A",
        "S",
        "T",
    }
    resolved = json.loads(chibo("list", "--state", "resolved", "--json"))
    assert {r["organisation"]["code"] for r in resolved} == {"B"}
    assert resolved[0]["resolved_on"] == "2026-11-20"
    assert (
        len(json.loads(chibo("list", "--state", "all", "--json"))) == EarlyWarning.objects.count()
    )


def test_list_prints_one_line_a_warning(recorded):
    chibo("run", "--date", "2026-11-20", "--org", "A")
    lines = chibo("list").splitlines()
    assert len(lines) == EarlyWarning.objects.count() > 1
    assert "A\tOpen\tMonthly meeting not held\tNo regular meeting was held in 11/2026." in lines
    assert all(line.startswith("A\tOpen\t") for line in lines)


@pytest.mark.parametrize(
    "args, text",
    [
        (("run", "--org", "NOPE"), "No organisation has the code NOPE."),
        (("list", "--org", "NOPE"), "No organisation has the code NOPE."),
        (("run", "--date", "20/11/2026"), "Enter the date as YYYY-MM-DD"),
        (("run", "--date", "2026-02-30"), "Enter the date as YYYY-MM-DD"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(recorded, args, text):
    with pytest.raises(CommandError, match=text):
        chibo(*args)
    assert not EarlyWarning.objects.exists()


def test_an_unknown_state_is_refused(recorded):
    with pytest.raises(CommandError, match="invalid choice"):
        chibo("list", "--state", "closed")
