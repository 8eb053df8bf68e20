"""The reviews packs (QĐ 366-QĐ/TW with points; QĐ 124-QĐ/TW without): the pack of a year,
their figures, and a broken pack refused with the field named."""

import datetime
import json
from decimal import Decimal

import pytest

from chibo.regulations import loader
from chibo.regulations.loader import PackError, load_packs, pack_in_force

D = datetime.date


def _copy(folder, new_id, source="reviews-2025", **changes):
    """Copy a shipped reviews pack under a new id, with changes at "a__b__c" paths (a value
    of ... deletes the field; a number in the path indexes a list)."""
    data = json.loads((loader.PACKS_DIR / f"{source}.json").read_text(encoding="utf-8"))
    data["id"] = new_id
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = data
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        last = int(last) if last.isdigit() else last
        if value is ...:
            del node[last]
        else:
            node[last] = value
    (folder / f"{new_id}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def test_each_year_has_its_pack():
    assert pack_in_force(D(2024, 12, 31), subject="reviews").id == "reviews-2023"
    assert pack_in_force(D(2025, 8, 29), subject="reviews").id == "reviews-2023"
    assert pack_in_force(D(2025, 8, 30), subject="reviews").id == "reviews-2025"
    assert pack_in_force(D(2026, 12, 31), subject="reviews").id == "reviews-2025"
    with pytest.raises(loader.PackNotFound):
        pack_in_force(D(2023, 10, 3), subject="reviews")


def test_qd_366_gives_30_general_and_70_task_points_and_the_four_levels():
    pack = pack_in_force(D(2025, 12, 31), subject="reviews")
    assert [s.number for s in pack.sources] == ["366-QĐ/TW", "43-HD/BTCTW"]
    rules = pack.review
    assert rules.scored
    assert {g.key: g.max_points for g in rules.groups} == {"general": 30, "tasks": 70}
    for subject in ("member", "organisation"):
        criteria = rules.criteria_of(subject)
        assert sum(c.max_points for c in criteria) == 100
        assert sum(c.max_points for c in criteria if c.group == "general") == 30
    assert [(lv.short, lv.min_points) for lv in rules.levels] == [
        ("HTXSNV", 90),
        ("HTTNV", 70),
        ("HTNV", 50),
        ("KHTNV", 0),
    ]
    excellent = rules.level("excellent")
    assert (excellent.min_on_time_percent, excellent.min_exceeded_percent) == (100, 30)
    assert rules.disciplined_member_level == "not_completed"
    assert rules.collective_disciplined_level == "good"
    assert (rules.quota.level, rules.quota.max_percent) == ("excellent", 20)
    assert [f.key for f in rules.forms] == ["01", "2A", "2B", "2C"]
    assert [f.key for f in rules.forms_for("member")] == ["2A", "2B", "2C"]
    assert "leadership" in [s.key for s in rules.form("2A").sections]
    assert "leadership" not in [s.key for s in rules.form("2B").sections]
    assert {"review.criteria", "review.quota"} <= set(dict(pack.unconfirmed_notes()))


def test_qd_124_scores_no_points_and_caps_the_disciplined_at_completed():
    rules = pack_in_force(D(2024, 12, 31), subject="reviews").review
    assert not rules.scored and rules.groups == () and rules.criteria_of("member") == ()
    assert all(lv.min_points is None for lv in rules.levels)
    assert rules.disciplined_member_level == "completed"


@pytest.mark.parametrize(
    "change, where, what",
    [
        ({"review__groups__0__max": 40}, "review.groups", "give 110 points"),
        ({"review__criteria__member__0__max": 12}, "review.criteria.member", "give 32 points"),
        (
            {"review__criteria__member__0__group": "other"},
            "review.criteria.member[0].group",
            "must be one of general, tasks",
        ),
        (
            {"review__criteria__organisation__1__key": "politics_building"},
            "review.criteria.organisation",
            "each criterion once",
        ),
        ({"review__criteria__member": ...}, "review.criteria.member", "required"),
        ({"review__levels__1__min_points": 95}, "review.levels", "need more points"),
        ({"review__levels__3__key": "failed"}, "review.levels[3].key", "must be one of"),
        ({"review__levels__3": ...}, "review.levels", "four levels in this order"),
        ({"review__levels__0__min_on_time_percent": 101}, "min_on_time_percent", "percent"),
        ({"review__levels__0__min_points": ...}, "review.levels[0].min_points", "required"),
        ({"review__disciplined_member_level": "bad"}, "disciplined_member_level", "one of"),
        ({"review__quota__of_levels": ["good"]}, "review.quota.of_levels", "level the quota"),
        ({"review__quota__max_percent": ...}, "review.quota.max_percent", "required"),
        ({"review__quota__applies_to": ["cell"]}, "review.quota.applies_to", "subjects"),
        ({"review__forms__0__sections": []}, "review.forms[0].sections", "at least one"),
        ({"review__forms__0__subject": "member"}, "review.forms", "organisation has none"),
        ({"review__member_statuses": ["retired"]}, "review.member_statuses", "statuses"),
        ({"review__scored": False}, "review", "no groups or criteria"),
        ({"review__weights": {}}, "review", "unknown field(s) weights"),
    ],
)
def test_a_broken_reviews_pack_is_refused_with_the_field(tmp_path, change, where, what):
    _copy(tmp_path, "broken", **change)
    with pytest.raises(PackError) as exc:
        load_packs([tmp_path])
    message = str(exc.value)
    assert "broken.json" in message and where in message and what in message


def test_a_pack_without_points_gives_no_min_points(tmp_path):
    _copy(tmp_path, "broken", source="reviews-2023", review__levels__0__min_points=90)
    with pytest.raises(PackError, match="scores no points gives no min_points"):
        load_packs([tmp_path])


def test_the_quota_rounds_down():
    quota = pack_in_force(D(2025, 12, 31), subject="reviews").review.quota
    assert [quota.allowed(n) for n in (0, 1, 4, 5, 9, 10, 14, 15, 100)] == [
        0,
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        20,
    ]
    assert Decimal(quota.max_percent) == 20
