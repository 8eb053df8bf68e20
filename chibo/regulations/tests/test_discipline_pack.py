"""The discipline pack (QĐ 296-QĐ/TW, Điều lệ Đảng): its figures, a broken pack refused with
the field named, and time limits counted in days, working days or months."""

import datetime
import json

import pytest

from chibo.regulations import loader
from chibo.regulations.discipline import TimeLimit, add_months
from chibo.regulations.loader import PackError, load_packs, pack_by_id, pack_in_force

D = datetime.date


def _copy(folder, new_id, **changes):
    """Copy the shipped discipline pack under a new id, with changes at "a__b__c" paths
    (a value of ... deletes the field)."""
    data = json.loads((loader.PACKS_DIR / "discipline-2025.json").read_text(encoding="utf-8"))
    data["id"] = new_id
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = data
        for key in parents:
            node = node[key]
        if value is ...:
            del node[last]
        else:
            node[last] = value
    (folder / f"{new_id}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def test_the_discipline_pack_holds_the_forms_and_the_time_limits():
    pack = pack_in_force(D(2026, 3, 1), subject="discipline")
    assert pack.id == "discipline-2025" and pack.applies_from == D(2025, 5, 30)
    assert [s.number for s in pack.sources] == ["296-QĐ/TW", "Điều lệ Đảng"]
    rules = pack.discipline
    assert rules.allowed("organisation") == ("reprimand", "warning", "dissolution")
    assert rules.allowed("official_member") == (
        "reprimand",
        "warning",
        "removal_from_post",
        "expulsion",
    )
    assert rules.allowed("probationary_member") == ("reprimand", "warning")
    assert rules.cell_forms == ("reprimand", "warning")
    assert rules.state_body_notice_days == 5
    assert rules.handle_anonymous_denunciations is False
    denunciation = rules.handling["denunciation"]
    assert (denunciation.within, denunciation.unit) == (90, "working_days")
    assert denunciation.count_for("province") == 90 and denunciation.count_for("central") == 180
    noted = dict(pack.unconfirmed_notes())
    assert {"discipline.handling", "discipline.cell_forms"} <= set(noted)
    with pytest.raises(ValueError):
        rules.allowed("member")


def test_no_discipline_pack_before_regulation_296():
    with pytest.raises(loader.PackNotFound):
        pack_in_force(D(2025, 5, 29), subject="discipline")
    assert pack_by_id("discipline-2025").subject == "discipline"
    # The meeting packs are found as before.
    assert pack_in_force(D(2026, 3, 1)).subject == "meetings"


@pytest.mark.parametrize(
    "change, where, what",
    [
        (
            {"discipline__forms__organisation": ["reprimand", "expulsion"]},
            "discipline.forms.organisation",
            "only apply to members",
        ),
        (
            {"discipline__forms__probationary_member": ["reprimand", "dissolution"]},
            "discipline.forms.probationary_member",
            "only applies to organisations",
        ),
        (
            {
                "discipline__forms__official_member": ["reprimand", "warning"],
                "discipline__forms__probationary_member": ["reprimand", "expulsion"],
            },
            "discipline.forms.probationary_member",
            "for official members too",
        ),
        (
            {"discipline__forms__official_member": ["reprimand", "censure"]},
            "discipline.forms.official_member",
            "unknown form 'censure'",
        ),
        (
            {"discipline__forms__official_member": ["warning", "warning"]},
            "discipline.forms.official_member",
            "each form once",
        ),
        ({"discipline__forms__organisation": ...}, "discipline.forms.organisation", "required"),
        ({"discipline__forms__candidate": ["warning"]}, "discipline.forms.candidate", "unknown"),
        ({"discipline__cell_forms": ["dissolution"]}, "discipline.cell_forms", "for members"),
        (
            {"discipline__handling__denunciation__unit": "weeks"},
            "discipline.handling.denunciation.unit",
            "must be one of",
        ),
        (
            {"discipline__handling__complaint__within": 0},
            "discipline.handling.complaint.within",
            "at least 1",
        ),
        (
            {"discipline__handling__complaint__by_level": {"district": 60}},
            "discipline.handling.complaint.by_level.district",
            "unknown level",
        ),
        ({"discipline__handling__complaint": ...}, "discipline.handling.complaint", "required"),
        ({"discipline__handling__appeal": {"within": 3, "unit": "days"}}, "handling.appeal", ""),
        ({"discipline__state_body_notice_days": 0}, "state_body_notice_days", "at least 1"),
        (
            {"discipline__handle_anonymous_denunciations": "no"},
            "discipline.handle_anonymous_denunciations",
            "must be bool",
        ),
        ({"discipline__limitation_years": 5}, "discipline", "unknown field(s) limitation_years"),
        ({"discipline": ..., "unconfirmed": {}}, "discipline", "required"),
    ],
)
def test_a_broken_discipline_pack_is_refused_with_the_field(tmp_path, change, where, what):
    _copy(tmp_path, "broken", **change)
    with pytest.raises(PackError) as exc:
        load_packs([tmp_path])
    message = str(exc.value)
    assert "broken.json" in message and where in message and what in message


def test_two_national_discipline_packs_may_not_apply_on_one_day(tmp_path):
    _copy(tmp_path, "discipline-2025")
    assert [p.id for p in load_packs([tmp_path])] == ["discipline-2025"]
    _copy(tmp_path, "discipline-draft", applies_from="2026-01-01")
    loader.clear_cache()
    with pytest.raises(PackError, match="discipline-draft.json"):
        load_packs([tmp_path])


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 12, 31), 1, D(2027, 1, 31)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 2, 28), 1, D(2026, 3, 28)),
    ],
)
def test_a_month_later_stops_at_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


def test_a_time_limit_in_days_working_days_or_months():
    received = D(2026, 8, 28)  # a Friday; 31 August works, 1 and 2 September are off
    assert TimeLimit(3, "days", {}).due(received, "superior") == D(2026, 8, 31)
    assert TimeLimit(3, "working_days", {}).due(received, "superior") == D(2026, 9, 4)
    assert TimeLimit(1, "months", {"central": 2}).due(received, "central") == D(2026, 10, 28)
