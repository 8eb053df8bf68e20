"""The shipped packs load and add up; invalid packs are refused; the pack in force is found."""

import datetime
import json
import shutil
from decimal import Decimal

import pytest

from chibo.orgs.models import Level, Organisation
from chibo.regulations import loader
from chibo.regulations.apps import check_packs
from chibo.regulations.loader import PackError, PackNotFound, load_packs, pack_by_id, pack_for

SHIPPED = loader.PACKS_DIR / "hd42-2025.json"


def test_every_shipped_pack_loads_and_adds_up_to_100():
    packs = [p for p in load_packs() if p.subject == "meetings"]
    assert {p.id for p in packs} >= {"hd42-2025", "nghe-an-2021", "national-2018"}
    for pack in packs:
        assert sum(item.max for item in pack.quality.items) == 100, pack.id
        for item in pack.quality.items:
            assert sum(line.max for line in item.lines) == item.max, (pack.id, item.key)
        assert pack.quality.levels[-1].min == 0
        assert pack.sources and pack.title
    assert check_packs() == []


def test_the_hd42_pack_holds_the_figures_of_the_guidance():
    pack = pack_by_id("hd42-2025")
    assert pack.applies_from == datetime.date(2025, 10, 28) and pack.applies_until is None
    assert pack.is_national and pack.source.number == "42-HD/BTCTW"
    assert pack.meeting.regular_day == 3
    assert pack.meeting.min_minutes(thematic=False) == 90
    assert pack.meeting.min_minutes(thematic=True) == 120
    assert pack.meeting.materials_lead_days == 1
    assert pack.meeting.minutes_sign_deadline_days == 2
    assert pack.meeting.thematic_per_quarter == 1
    assert {i.key: i.max for i in pack.quality.items} == {
        "time": 5,
        "attendance": 5,
        "preparation": 10,
        "conduct": 40,
        "principles": 5,
        "previous_resolution": 30,
        "closing": 5,
    }
    assert [(lv.title, lv.min) for lv in pack.quality.levels] == [
        ("Tốt", 90),
        ("Khá", 70),
        ("Trung bình", 50),
        ("Kém", 0),
    ]
    resolution = pack.votes.threshold("resolution")
    assert (resolution.numerator, resolution.denominator, resolution.strict) == (1, 2, True)
    recognition = pack.votes.threshold("recognition")
    assert (recognition.numerator, recognition.denominator, recognition.strict) == (2, 3, False)
    assert pack.votes.max_failed_recognition_votes == 3
    assert not pack.votes.probationary_members_vote


def test_the_agenda_template_has_the_thematic_item_only_for_a_thematic_meeting():
    meeting = pack_by_id("hd42-2025").meeting
    regular = [item.key for item in meeting.agenda_for(thematic=False)]
    assert regular[0] == "opening" and regular[-1] == "minutes_readback"
    assert "thematic" not in regular
    assert "thematic" in [item.key for item in meeting.agenda_for(thematic=True)]
    opening = meeting.agenda[0]
    assert [s.key for s in opening.steps] == [
        "purpose",
        "guests",
        "minute_taker",
        "attendance",
        "fees",
        "approve_agenda",
    ]


def test_the_nghe_an_pack_is_the_2021_sheet_with_its_unconfirmed_levels():
    pack = pack_by_id("nghe-an-2021")
    assert pack.scope.province == "Nghệ An"
    assert (pack.applies_from, pack.applies_until) == (
        datetime.date(2021, 1, 1),
        datetime.date(2025, 10, 27),
    )
    assert {i.key: i.max for i in pack.quality.items} == {
        "preparation": 20,
        "attendance": 10,
        "conduct": 45,
        "principles": 15,
        "reports": 10,
    }
    assert pack.quality.levels[0].min == 80 and not pack.quality.levels[0].unconfirmed
    flagged = dict(pack.unconfirmed_notes())
    assert "quality.levels.fair" in flagged and "quality.levels.average" in flagged


def test_english_titles_follow_the_active_language():
    from django.utils import translation

    item = pack_by_id("hd42-2025").quality.items[0]
    with translation.override("vi"):
        assert item.label == "Thời gian sinh hoạt"
    with translation.override("en"):
        assert item.label == "Duration"


# Invalid packs.


def _write(folder, name, data):
    (folder / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _hd42(**changes):
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def test_a_rubric_that_does_not_add_up_to_100_is_refused(tmp_path):
    data = _hd42(id="broken")
    data["quality"]["items"][0]["max"] = 6
    data["quality"]["items"][0]["auto"]["bands"][0]["points"] = 6
    _write(tmp_path, "broken", data)
    with pytest.raises(PackError) as exc:
        load_packs([tmp_path])
    assert "broken.json" in str(exc.value)
    assert "quality.items" in str(exc.value) and "101" in str(exc.value)


def test_parts_that_do_not_add_up_to_their_item_are_refused(tmp_path):
    data = _hd42(id="parts")
    data["quality"]["items"][2]["parts"][1]["max"] = 4
    _write(tmp_path, "parts", data)
    with pytest.raises(PackError, match=r"parts\.json: quality\.items\[2\]\.parts: .*9"):
        load_packs([tmp_path])


def test_an_unknown_rule_name_is_refused(tmp_path):
    data = _hd42(id="typo")
    data["quality"]["items"][1]["auto"]["rule"] = "atendance"
    _write(tmp_path, "typo", data)
    with pytest.raises(PackError) as exc:
        load_packs([tmp_path])
    assert "typo.json: quality.items[1].auto.rule: unknown rule 'atendance'" in str(exc.value)


def test_a_band_above_the_item_maximum_is_refused(tmp_path):
    data = _hd42(id="bands")
    data["quality"]["items"][1]["auto"]["bands"][1]["points"] = 7
    _write(tmp_path, "bands", data)
    with pytest.raises(PackError, match=r"bands\.json: quality\.items\[1\]\.auto\.bands\[1\]"):
        load_packs([tmp_path])


def test_two_packs_of_one_scope_in_force_on_the_same_day_are_refused(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "hd42-2025.json")
    _write(tmp_path, "hd42-draft", _hd42(id="hd42-draft", applies_from="2026-01-01"))
    with pytest.raises(PackError) as exc:
        load_packs([tmp_path])
    message = str(exc.value)
    assert "hd42-2025.json" in message and "hd42-draft.json" in message
    assert "applies_from" in message


def test_packs_of_different_provinces_may_overlap(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "hd42-2025.json")
    _write(tmp_path, "ha-giang-2026", _hd42(id="ha-giang-2026", scope={"province": "Hà Giang"}))
    assert len(load_packs([tmp_path])) == 2


def test_an_unknown_field_and_a_wrong_id_are_refused(tmp_path):
    _write(tmp_path, "extra", _hd42(id="extra", aplies_from="2025-10-28"))
    with pytest.raises(PackError, match=r"extra\.json: \(top\): unknown field\(s\) aplies_from"):
        load_packs([tmp_path])
    other = tmp_path / "other"
    other.mkdir()
    _write(other, "named", _hd42(id="not-the-file-name"))
    with pytest.raises(PackError, match=r"named\.json: id: .*must match the file name"):
        load_packs([other])


def test_an_installation_can_add_a_pack_folder(tmp_path, settings):
    _write(tmp_path, "nghe-an-2026", _hd42(id="nghe-an-2026", scope={"province": "Nghệ An"}))
    settings.CHIBO_REGULATION_PACK_DIRS = [tmp_path]
    assert pack_by_id("nghe-an-2026").scope.province == "Nghệ An"


# The pack in force for an organisation.


def _org(parent, code, name, level):
    fields = {"code": code, "name": name, "level": level}
    if parent is None:
        return Organisation.objects.add_root(fields)
    return Organisation.objects.add_child(parent, fields)


@pytest.fixture
def orgs(db):
    central = _org(None, "TW", "Trung ương", Level.CENTRAL)
    nghe_an = _org(central, "P40", "Tỉnh ủy Nghệ An", Level.PROVINCE)
    ha_giang = _org(central, "P02", "Đảng bộ tỉnh Hà Giang", Level.PROVINCE)
    commune = _org(nghe_an, "X1", "Đảng ủy xã Nam Đàn", Level.SUPERIOR)
    cell_na = _org(commune, "S1", "Chi bộ xóm 1", Level.GRASSROOTS_CELL)
    cell_hg = _org(ha_giang, "S2", "Chi bộ thôn Lũng Cú", Level.GRASSROOTS_CELL)
    return {"central": central, "nghe_an": nghe_an, "cell_na": cell_na, "cell_hg": cell_hg}


@pytest.mark.django_db
def test_a_nghe_an_cell_in_2022_is_scored_by_the_2021_provincial_sheet(orgs):
    assert pack_for(orgs["cell_na"], datetime.date(2022, 5, 3)).id == "nghe-an-2021"
    assert pack_for(orgs["nghe_an"], datetime.date(2022, 5, 3)).id == "nghe-an-2021"


@pytest.mark.django_db
def test_the_same_cell_in_2026_is_scored_by_the_national_pack(orgs):
    assert pack_for(orgs["cell_na"], datetime.date(2026, 1, 3)).id == "hd42-2025"


@pytest.mark.django_db
def test_a_cell_of_another_province_in_2022_falls_back_to_the_national_pack(orgs):
    assert pack_for(orgs["cell_hg"], datetime.date(2022, 5, 3)).id == "national-2018"
    assert pack_for(orgs["central"], datetime.date(2022, 5, 3)).id == "national-2018"


@pytest.mark.django_db
def test_the_provincial_pack_ends_the_day_before_hd42(orgs):
    assert pack_for(orgs["cell_na"], datetime.date(2025, 10, 27)).id == "nghe-an-2021"
    assert pack_for(orgs["cell_na"], datetime.date(2025, 10, 28)).id == "hd42-2025"
    # 23:30 UTC on the 27th is already the 28th in Hà Nội.
    evening = datetime.datetime(2025, 10, 27, 23, 30, tzinfo=datetime.UTC)
    assert pack_for(orgs["cell_na"], evening).id == "hd42-2025"


@pytest.mark.django_db
def test_finding_the_pack_costs_one_query_at_most(orgs, django_assert_num_queries):
    cell = orgs["cell_na"]
    with django_assert_num_queries(1):
        pack_for(cell, datetime.date(2022, 5, 3))
    with django_assert_num_queries(0):
        pack_for(cell, datetime.date(2026, 1, 3))


@pytest.mark.django_db
def test_a_setting_maps_a_province_whose_name_does_not_match(orgs, settings):
    orgs["nghe_an"].name = "Đảng bộ NA"
    orgs["nghe_an"].save()
    day = datetime.date(2022, 5, 3)
    assert pack_for(orgs["cell_na"], day).id == "national-2018"
    settings.CHIBO_REGULATION_PROVINCES = {"Nghệ An": "P40"}
    assert pack_for(orgs["cell_na"], day).id == "nghe-an-2021"
    # A mapping is authoritative: a province of that name with another code does not match.
    settings.CHIBO_REGULATION_PROVINCES = {"Nghe An": ["P99"]}
    orgs["nghe_an"].name = "Tỉnh ủy Nghệ An"
    orgs["nghe_an"].save()
    assert pack_for(orgs["cell_na"], day).id == "national-2018"


@pytest.mark.django_db
def test_a_tree_rooted_at_the_province_finds_it_too():
    province = _org(None, "NA", "Thành ủy Vinh", Level.PROVINCE)
    cell = _org(province, "C1", "Chi bộ 1", Level.GRASSROOTS_CELL)
    assert loader.province_of(cell).code == "NA"
    assert loader.province_of(province).code == "NA"


@pytest.mark.django_db
def test_a_date_before_every_pack_has_none(orgs):
    with pytest.raises(PackNotFound, match="S1"):
        pack_for(orgs["cell_na"], datetime.date(2010, 1, 3))


def test_a_pack_in_force_can_be_chosen_without_the_database():
    province = Organisation(code="P40", name="Tỉnh ủy Nghệ An", level=Level.PROVINCE)
    assert loader.pack_in_force(datetime.date(2022, 5, 3), province).id == "nghe-an-2021"
    assert loader.pack_in_force(datetime.date(2022, 5, 3)).id == "national-2018"
    assert pack_by_id("nghe-an-2021").quality.level_for(Decimal("79.5")).key == "fair"


def test_the_system_check_reports_an_invalid_pack(tmp_path, settings):
    data = _hd42(id="zz-broken", scope={"province": "Hà Giang"})
    data["quality"]["levels"] = []
    _write(tmp_path, "zz-broken", data)
    settings.CHIBO_REGULATION_PACK_DIRS = [tmp_path]
    [error] = check_packs()
    assert error.id == "regulations.E001"
    assert "zz-broken.json: quality.levels" in error.msg
