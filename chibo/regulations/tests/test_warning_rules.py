"""The "warnings" block of the meetings and membership packs: every rule with its figures
and its source, checked on load."""

import json

import pytest

from chibo.regulations import loader
from chibo.regulations.lifecycle import MEMBERSHIP_WARNING_RULES
from chibo.regulations.loader import MEETING_WARNING_RULES, PackError, load_packs, pack_by_id


@pytest.fixture(autouse=True)
def fresh_cache():
    loader.clear_cache()
    yield
    loader.clear_cache()


def _copy(folder, pack_id, change):
    data = json.loads((loader.PACKS_DIR / f"{pack_id}.json").read_text(encoding="utf-8"))
    change(data)
    (folder / f"{pack_id}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def test_every_meetings_and_membership_pack_gives_every_rule_with_its_source():
    for pack in load_packs():
        if pack.subject not in ("meetings", "membership"):
            assert pack.warnings is None
            continue
        rules = MEETING_WARNING_RULES if pack.subject == "meetings" else MEMBERSHIP_WARNING_RULES
        assert set(pack.warnings) == set(rules)
        documents = {s.number or s.issuer for s in pack.sources}
        for rule in pack.warnings.values():
            assert rule.document in documents
            assert set(rule.figures) == set(rules[rule.key])


def test_the_figures_of_the_shipped_packs():
    meetings = pack_by_id("hd42-2025").warnings
    assert meetings["attendance_low"].figures["min_percent"] == 80
    assert meetings["thematic_missing"].figures["warn_from_month"] == 2
    assert meetings["meeting_missed"].source == "50-CT/TW"
    membership = pack_by_id("membership-2025")
    assert membership.warnings["member_absent"].figures["warn_at_months"] == 2
    assert membership.warnings["member_absent"].source == "Điều lệ Đảng, Điều 8"
    assert membership.membership.removal.absent_months_in_year == 3
    # Chibo's own choices are marked as such
    notes = dict(pack_by_id("hd42-2025").unconfirmed_notes())
    assert "warnings.attendance_low.min_percent" in notes
    assert "warnings.member_absent.warn_at_months" in dict(membership.unconfirmed_notes())


def _no_block(data):
    data.pop("warnings")
    data["unconfirmed"] = {
        k: v for k, v in data["unconfirmed"].items() if not k.startswith("warnings")
    }


def _drop(rule):
    return lambda d: d["warnings"].pop(rule)


def _set(rule, field, value):
    return lambda d: d["warnings"][rule].__setitem__(field, value)


@pytest.mark.parametrize(
    "pack_id, change, where",
    [
        ("hd42-2025", _no_block, "warnings: is required"),
        ("hd42-2025", _drop("attendance_low"), "warnings.attendance_low: is required"),
        (
            "hd42-2025",
            lambda d: d["warnings"].__setitem__("meeting_late", {}),
            "warnings.meeting_late: unknown warning rule 'meeting_late'",
        ),
        (
            "hd42-2025",
            lambda d: d["warnings"]["attendance_low"].pop("min_percent"),
            "warnings.attendance_low.min_percent: is required",
        ),
        (
            "hd42-2025",
            _set("attendance_low", "min_percent", 120),
            "warnings.attendance_low.min_percent: must be at most 100",
        ),
        (
            "hd42-2025",
            _set("thematic_missing", "warn_from_month", 4),
            "warnings.thematic_missing.warn_from_month: must be at most 3",
        ),
        (
            "hd42-2025",
            _set("meeting_missed", "grace_days", -1),
            "warnings.meeting_missed.grace_days: must be at least 0",
        ),
        (
            "hd42-2025",
            _set("materials_late", "lead_days", 1),
            "warnings.materials_late: unknown field(s) lead_days",
        ),
        (
            "hd42-2025",
            _set("tasks_overdue", "source", {"document": "99-HD/TW"}),
            "warnings.tasks_overdue.source.document: '99-HD/TW' must be the number of one of",
        ),
        (
            "hd42-2025",
            _set("tasks_overdue", "source", {"document": "42-HD/BTCTW", "article": "8"}),
            "warnings.tasks_overdue.source: unknown field(s) article",
        ),
        (
            "membership-2025",
            _set("member_absent", "warn_at_months", 4),
            "warnings.member_absent.warn_at_months: must not be above the removal figure (3)",
        ),
        (
            "membership-2025",
            _drop("probation_ending"),
            "warnings.probation_ending: is required",
        ),
    ],
)
def test_a_broken_warnings_block_is_refused_with_the_field(tmp_path, pack_id, change, where):
    _copy(tmp_path, pack_id, change)
    with pytest.raises(PackError) as exc:
        load_packs([tmp_path])
    assert f"{pack_id}.json: {where}" in str(exc.value)
