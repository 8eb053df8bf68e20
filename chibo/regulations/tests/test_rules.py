"""Vote thresholds and the meeting-quality score: pure rules, no database."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from chibo.regulations import rules
from chibo.regulations.loader import AUTO_RULES, pack_by_id
from chibo.regulations.rules import MeetingEvidence, level_for, score_meeting, vote_result


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def hd42():
    return pack_by_id("hd42-2025")


@pytest.fixture
def nghe_an():
    return pack_by_id("nghe-an-2021")


# Votes.


def test_a_resolution_needs_more_than_half_of_the_official_members(hd42):
    # given a cell of 12 official members
    # when 6 agree, then the resolution fails: half is not more than half
    six = vote_result(hd42, "resolution", 6, 4, 2, 12)
    assert not six.passed and six.required == 7
    # when 7 agree, it passes
    seven = vote_result(hd42, "resolution", 7, 5, 0, 12)
    assert seven.passed
    assert seven.rule_text == "Quá một nửa số đảng viên chính thức (7/12)"
    assert seven.tally_text == "7/12 tán thành (58,3%)"


def test_recognition_needs_two_thirds_and_two_thirds_exactly_is_enough(hd42):
    assert vote_result(hd42, "recognition", 8, 4, 0, 12).passed
    seven = vote_result(hd42, "recognition", 7, 5, 0, 12)
    assert not seven.passed and seven.required == 8
    assert seven.rule_text == "Ít nhất hai phần ba số đảng viên chính thức (8/12)"
    assert vote_result(hd42, "recognition", 2, 1, 0, 3).passed
    assert vote_result(hd42, "recognition", 6, 0, 3, 9).passed
    assert not vote_result(hd42, "recognition", 5, 0, 4, 9).passed


def test_the_tally_is_written_the_vietnamese_way(hd42):
    result = vote_result(hd42, "resolution", 8, 3, 1, 12)
    assert result.tally_text == "8/12 tán thành (66,7%)"
    assert result.percent == Decimal("66.7")
    assert vote_result(hd42, "resolution", 6, 0, 0, 12).tally_text == "6/12 tán thành (50%)"
    with translation.override("en"):
        assert vote_result(hd42, "resolution", 8, 3, 1, 12).tally_text == "8/12 agree (66.7%)"


def test_members_who_did_not_vote_count_against_the_threshold(hd42):
    # 7 agree, nobody else votes: 7 of 12 is still more than half of the official members
    result = vote_result(hd42, "resolution", 7, 0, 0, 12)
    assert result.passed and result.not_voting == 5
    assert vote_result(hd42, "resolution", 5, 0, 0, 9).passed
    assert not vote_result(hd42, "resolution", 4, 0, 5, 9).passed


def test_more_votes_than_eligible_members_are_refused(hd42):
    with pytest.raises(ValueError, match="Đã kiểm 13 phiếu nhưng chỉ có 12 đảng viên"):
        vote_result(hd42, "resolution", 8, 4, 1, 12)
    with pytest.raises(ValueError, match="không được âm"):
        vote_result(hd42, "resolution", -1, 0, 0, 12)
    with pytest.raises(ValueError, match="Không có đảng viên nào"):
        vote_result(hd42, "resolution", 0, 0, 0, 0)
    with pytest.raises(ValueError, match="unknown vote kind"):
        vote_result(hd42, "election", 1, 0, 0, 2)


def test_the_denominator_leaves_out_absent_exempted_and_temporarily_away_members(hd42):
    # 14 official members: 2 exempted and absent, 1 transferred temporarily elsewhere.
    eligible = hd42.votes.eligible_count(14, exempted_absent=2, temporarily_away=1)
    assert eligible == 11
    assert rules.votes_needed(hd42, "resolution", eligible) == 6


def test_recognition_goes_to_the_superior_committee_after_three_failed_votes(hd42):
    assert not rules.recognition_goes_up(hd42, 2)
    assert rules.recognition_goes_up(hd42, 3)


# Meeting-quality score.

FULL_MARKS = {
    "preparation_content": 5,
    "procedure": 10,
    "current_events_content": 5,
    "discussion_quality": 10,
    "conclusion_quality": 5,
    "principles": 5,
    "previous_resolution_review": 10,
    "readback": 2,
}


def _evidence(**changes):
    fields = {
        "duration_minutes": 95,
        "present": 20,
        "expected": 20,
        "unexcused_absences": 0,
        "materials_days_before": 2,
        "speakers": 11,
        "previous_tasks_total": 4,
        "previous_tasks_done": 4,
        "minutes_signed_days_after": 1,
    }
    fields.update(changes)
    return MeetingEvidence(**fields)


def _line(score, key):
    return next(line for line in score.lines if line.key == key)


def test_every_rule_a_pack_may_name_is_computed():
    assert set(rules._MEASURES) == set(AUTO_RULES)


def test_a_meeting_with_full_marks_is_good(hd42):
    score = score_meeting(hd42, _evidence(), FULL_MARKS)
    assert score.total == 100 and score.max_total == 100
    assert score.complete
    assert (score.level_key, score.level_label) == ("good", "Tốt")
    assert _line(score, "attendance").evidence == "Có mặt 20/20 (100%)"
    assert _line(score, "attendance").auto and not _line(score, "principles").auto


@pytest.mark.parametrize(
    ("present", "expected", "unexcused", "points"),
    [
        (18, 20, 0, 5),  # 90%: full
        (899, 1000, 0, 4),  # 89.9%
        (15, 20, 0, 4),  # 75%
        (749, 1000, 0, 3),  # 74.9%
        (13, 20, 0, 3),  # 65%
        (649, 1000, 0, 0),  # 64.9%
        (19, 20, 1, 0),  # 95% but one absent without reason
    ],
)
def test_attendance_bands(hd42, present, expected, unexcused, points):
    evidence = _evidence(present=present, expected=expected, unexcused_absences=unexcused)
    assert _line(score_meeting(hd42, evidence), "attendance").points == points


def test_attendance_evidence_names_the_share_and_the_unexcused_absences(hd42):
    line = _line(score_meeting(hd42, _evidence(present=18, unexcused_absences=1)), "attendance")
    assert line.evidence == "Có mặt 18/20 (90%); 1 vắng không lý do"


def test_duration_needs_the_minimum_and_more_with_a_thematic_topic(hd42):
    assert _line(score_meeting(hd42, _evidence(duration_minutes=90)), "time").points == 5
    assert _line(score_meeting(hd42, _evidence(duration_minutes=89)), "time").points == 0
    thematic = _line(score_meeting(hd42, _evidence(duration_minutes=100, thematic=True)), "time")
    assert thematic.points == 0
    assert thematic.evidence == "Sinh hoạt 100 phút (yêu cầu tối thiểu 120 phút)"


def test_speakers_share_bands(hd42):
    def points(speakers):
        return _line(score_meeting(hd42, _evidence(speakers=speakers)), "speakers_share").points

    assert (points(11), points(10), points(8), points(6), points(5)) == (10, 7, 7, 4, 0)


def test_materials_released_a_day_ahead_by_the_calendar(hd42):
    tz = datetime.timezone(datetime.timedelta(hours=7))
    starts = datetime.datetime(2026, 1, 3, 8, 0, tzinfo=tz)
    evening_before = _evidence(
        materials_days_before=None,
        starts_at=starts,
        materials_released_at=datetime.datetime(2026, 1, 2, 21, 0, tzinfo=tz),
    )
    assert _line(score_meeting(hd42, evening_before), "materials_posted").points == 5
    same_day = _evidence(
        materials_days_before=None,
        starts_at=starts,
        materials_released_at=datetime.datetime(2026, 1, 3, 7, 0, tzinfo=tz),
    )
    line = _line(score_meeting(hd42, same_day), "materials_posted")
    assert line.points == 0
    assert line.evidence == "Tài liệu phát hành trong ngày sinh hoạt (yêu cầu trước 1 ngày)"
    nothing = _line(score_meeting(hd42, _evidence(materials_days_before=None)), "materials_posted")
    assert nothing.points == 0


def test_previous_tasks_done_are_banded(hd42):
    def points(done, total=5):
        evidence = _evidence(previous_tasks_done=done, previous_tasks_total=total)
        return _line(score_meeting(hd42, evidence), "previous_tasks_done")

    assert [points(n).points for n in (5, 4, 3, 2, 1, 0)] == [20, 16, 12, 8, 4, 0]
    assert points(3).evidence == "Hoàn thành 3/5 nhiệm vụ của nghị quyết kỳ trước (60%)"
    assert points(0, total=0).points == 20


def test_minutes_signed_late_or_not_yet(hd42):
    def line(**changes):
        return _line(score_meeting(hd42, _evidence(**changes)), "minutes_signed_on_time")

    assert line(minutes_signed_days_after=2).points == 3
    assert line(minutes_signed_days_after=3).points == 0
    pending = line(minutes_signed_days_after=None, days_since_meeting=1)
    assert pending.points is None and pending.evidence == "Biên bản chưa ký (hạn 2 ngày)"
    late = line(minutes_signed_days_after=None, days_since_meeting=3)
    assert late.points == 0


def test_a_meeting_without_manual_scores_lists_what_is_missing(hd42):
    score = score_meeting(hd42, _evidence(expected=None), {"principles": 4})
    assert not score.complete
    assert set(score.missing_manual) == set(FULL_MARKS) - {"principles"}
    assert score.missing_evidence == ("attendance",)
    assert _line(score, "procedure").evidence == "Chưa chấm"
    assert _line(score, "attendance").evidence == "Chưa có dữ liệu"
    # 5 + 5 + 10 + 20 + 3 from the data, 4 from the assessor
    assert score.total == 47


def test_a_manual_score_out_of_range_is_refused_with_the_item_named(hd42):
    with pytest.raises(ValueError) as exc:
        score_meeting(hd42, _evidence(), {"conclusion_quality": 6})
    assert "Kết luận rõ ràng" in str(exc.value) and "từ 0 đến 5" in str(exc.value)
    with pytest.raises(ValueError):
        score_meeting(hd42, _evidence(), {"principles": -1})
    with pytest.raises(ValueError, match="không có mục"):
        score_meeting(hd42, _evidence(), {"bogus": 1})
    with pytest.raises(ValueError, match="chấm tự động"):
        score_meeting(hd42, _evidence(), {"attendance": 5})


def test_half_points_are_accepted(hd42):
    score = score_meeting(hd42, _evidence(), {**FULL_MARKS, "principles": Decimal("4.5")})
    assert score.total == Decimal("99.5")


def test_the_old_nghe_an_sheet_calls_85_good_where_hd42_calls_it_fair(hd42, nghe_an):
    assert level_for(nghe_an, 85).title == "Tốt"
    assert level_for(hd42, 85).title == "Khá"
    assert (
        level_for(nghe_an, 80).key == "good" and level_for(nghe_an, Decimal("79.9")).key == "fair"
    )
    assert level_for(hd42, 90).key == "good" and level_for(hd42, 49).key == "weak"


def test_a_2022_meeting_is_scored_by_the_nghe_an_sheet(nghe_an):
    manual = {"preparation_content": 12, "conduct_content": 30, "principles": 13, "reports": 8}
    score = score_meeting(nghe_an, _evidence(present=17, speakers=9), manual)
    # 5 (documents) + 8 (85% present) + 10 (9 of 17 spoke) + 63 from the assessor
    assert score.total == 86
    assert score.complete and score.level_label == "Tốt"
    assert [item.key for item in score.items] == [
        "preparation",
        "attendance",
        "conduct",
        "principles",
        "reports",
    ]
    assert score.items[0].points == 17


def test_evidence_with_impossible_counts_is_refused():
    with pytest.raises(ValueError):
        MeetingEvidence(present=-1)
    with pytest.raises(ValueError):
        MeetingEvidence(previous_tasks_total=2, previous_tasks_done=3)
