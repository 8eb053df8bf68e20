"""The seeds' admission data on the fixture tree: the demo's cases played through the
actions, and the province's rows written in bulk as the actions would write them, asked again
through the actions' own rules."""

import datetime

import pytest
from django.conf import settings
from django.utils import translation

from chibo.accounts.actions import open_account
from chibo.admissions import actions, rules, seeding
from chibo.admissions.models import (
    PRESENT_STATUSES as DOCUMENT_PRESENT,
)
from chibo.admissions.models import (
    Candidate,
    DocumentStatus,
    Probation,
    ProbationState,
    Stage,
)
from chibo.admissions.tests.conftest import meeting_in_progress
from chibo.meetings import actions as meeting_actions
from chibo.meetings.models import (
    PRESENT_STATUSES,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Minutes,
    Vote,
    VoteKind,
)
from chibo.members.models import Member, MembershipPeriod, Status
from chibo.regulations.loader import pack_by_id, pack_for
from chibo.regulations.rules import vote_result
from chibo.regulations.workdays import add_working_days
from tests.fixtures import make_member

D = datetime.date
DAY = datetime.timedelta(days=1)


@pytest.fixture
def grown(tree, members, system):
    """Cells A and S with enough official members to vote, and probationary members admitted
    recently in A and T."""
    for name in ("Hà Văn Một", "Hà Văn Hai", "Hà Văn Ba"):
        make_member(system, tree["A"], name)
    for name in ("Giàng Mí Một", "Giàng Mí Hai", "Giàng Mí Ba"):
        make_member(system, tree["S"], name)
    today = datetime.date.today()
    for cell, name, days in ((tree["A"], "Lý Văn Mới", 200), (tree["T"], "Vàng Thị Dự", 15)):
        make_member(
            system,
            cell,
            name,
            status="probationary",
            official_on=None,
            admitted_on=today - datetime.timedelta(days=days),
        )
    # Logins for the officials of A, so that the chair and the minute-taker sign there.
    for member in Member.objects.filter(cell=tree["A"], status="official", user__isnull=True):
        open_account(system, member, f"dv{member.pk}")
    return tree


def test_the_demo_plays_a_case_at_each_stage_through_the_actions(grown, system):
    counts = seeding.seed_demo(system, seed=3)
    assert counts["records"] == 2  # the two admitted recently; Lan's 2010 admission has no pack
    for scenario in (
        "preparing",
        "cell_approved",
        "committee_proposed",
        "awaiting_ceremony",
        "ending_soon",
        "proposed",
        "recognised",
        "referred",
    ):
        assert counts.get(scenario), scenario
    stages = set(Candidate.objects.values_list("stage", flat=True))
    assert stages >= {
        Stage.PREPARING,
        Stage.CELL_APPROVED,
        Stage.COMMITTEE_PROPOSED,
        Stage.ADMITTED,
    }
    states = set(Probation.objects.values_list("state", flat=True))
    assert states >= {
        ProbationState.AWAITING_CEREMONY,
        ProbationState.ON_PROBATION,
        ProbationState.PROPOSED,
        ProbationState.RECOGNISED,
        ProbationState.REFERRED,
    }
    # Every vote was held in a meeting held as the history holds one: closed with nothing
    # missing, some members speaking, scored, and signed where the signers have a login.
    assert not Meeting.objects.filter(status=MeetingStatus.IN_PROGRESS).exists()
    held = Meeting.objects.filter(status__in=(MeetingStatus.CLOSED, MeetingStatus.SIGNED))
    for meeting in held:
        present = meeting.attendance.filter(status__in=PRESENT_STATUSES).count()
        spoke = meeting.opinions.values("member").distinct().count()
        assert 0.25 <= spoke / present <= 0.75
        assert meeting.score.level and meeting.score.assessor_id
        meeting.status = MeetingStatus.IN_PROGRESS
        assert meeting_actions.missing_to_close(meeting) == []
    assert held.filter(organisation=grown["A"], status=MeetingStatus.SIGNED).exists()
    today = datetime.date.today()
    soon = [
        p
        for p in Probation.objects.filter(state=ProbationState.ON_PROBATION)
        if p.ends_on and 0 <= (p.ends_on - today).days <= 30
    ]
    assert soon, "a probation ends within the reminder"
    recognised = Probation.objects.get(state=ProbationState.RECOGNISED)
    assert Member.objects.get(pk=recognised.member_id).official_on == recognised.ends_on


def test_the_province_rows_are_those_the_actions_write(grown, system):
    summary = seeding.seed_province(grown["P"], seed=5)
    assert summary["probations"] == 2 and summary["candidates"] >= 1
    for probation in Probation.objects.select_related("member__cell"):
        member = probation.member
        assert probation.decided_on == member.admitted_on
        assert probation.decided_by == rules.superior_committee(member.cell)
        assert probation.ceremony_due == add_working_days(member.admitted_on, 30)
        if probation.ceremony_on:
            assert probation.ceremony_on <= probation.ceremony_due
            assert probation.ends_on == rules.add_months(probation.ceremony_on, 12)
            assert probation.review_due == add_working_days(probation.ends_on, 30)
            assert probation.state == ProbationState.ON_PROBATION
        else:
            assert probation.state == ProbationState.AWAITING_CEREMONY
    today = datetime.date.today()
    # Without a held meeting in the tree, every case is still preparing its dossier.
    for candidate in Candidate.objects.all():
        assert candidate.stage == Stage.PREPARING and candidate.name_folded
        assert candidate.documents.count() == len(candidate.rules.dossier)
        recorded = candidate.documents.filter(status__in=DOCUMENT_PRESENT).count()
        assert candidate.version == 1 + recorded + candidate.introducers.count()
        # The introducers it has qualify; only missing ones or documents may stop the vote.
        for introducer in candidate.introducers.select_related("member"):
            assert (
                actions._introducer_problem(
                    introducer.member, introducer.known_since, today, candidate.rules
                )
                is None
            )
    # A second run adds no second record for the same members.
    assert seeding.seed_province(grown["P"], seed=5)["probations"] == 0


def test_the_province_seed_reports_its_time(grown):
    assert seeding.seed_province(grown["P"], seed=1)["seconds"] < 5


# The province's later stages, on a tree with a history of held meetings.

TODAY = D(2026, 3, 16)
HELD_DAYS = (100, 70, 40, 12)  # days before TODAY


def held_meeting(clock, system, cell, day, absent=0):
    """A meeting of the cell held and closed through the actions on day, its minutes left
    unsigned: every current member came but `absent` officials, excused."""
    clock(day, 9)
    current = list(Member.objects.filter(cell=cell, status__in=("official", "probationary")))
    away = [m for m in current if m.status == Status.OFFICIAL][1 : 1 + absent]
    meeting = meeting_in_progress(system, cell, day, present=[])
    for member in current:
        if member in away:
            meeting_actions.set_attendance(
                system, meeting, member, AttendanceStatus.ABSENT_EXCUSED, "Đi công tác"
            )
        else:
            meeting_actions.check_in(system, meeting, member)
    present = len([m for m in current if m.status == Status.OFFICIAL and m not in away])
    meeting_actions.record_vote(
        system, meeting, subject="Nghị quyết chi bộ", agree=present, disagree=0, abstain=0
    )
    clock(day, 11)
    return meeting_actions.close_meeting(system, meeting)


@pytest.fixture
def history(tree, members, system, today):
    """Every cell with official members enough to vote and a few meetings held in the last
    months (one signed, which no case may touch); probationary members admitted days ago (A,
    a subordinate cell; T, a grassroots cell) and most of a year ago (in every cell)."""
    for code in ("A", "B", "S", "T"):
        for i in range(3):
            make_member(system, tree[code], f"Hà Văn {code}{i}")
    for cell, days in ((tree["A"], 2), (tree["T"], 30)):
        make_member(
            system,
            cell,
            f"Lý Văn Mới {days}",
            status="probationary",
            official_on=None,
            admitted_on=TODAY - days * DAY,
        )
    for code, days in (("S", 300), ("T", 290), ("B", 280), ("A", 270)):
        make_member(
            system,
            tree[code],
            f"Vàng Thị Dự {code}",
            status="probationary",
            official_on=None,
            admitted_on=TODAY - days * DAY,
            date_of_birth=D(1995, 4, 2),
        )
    for code in ("A", "B", "S", "T"):
        for n, days in enumerate(HELD_DAYS):
            held_meeting(today, system, tree[code], TODAY - days * DAY, absent=n % 2)
    signed = held_meeting(today, system, tree["S"], TODAY - 20 * DAY)
    Meeting.objects.filter(pk=signed.pk).update(status=MeetingStatus.SIGNED)
    today(TODAY)
    return tree


def test_the_province_has_a_case_at_every_stage(history):
    summary = seeding.seed_province(history["P"], seed=2, today=TODAY)
    for stage in (
        "preparing",
        "cell_approved",
        "committee_proposed",
        "admitted",
        "proposed",
        "referred",
        "failed_once",
    ):
        assert summary[stage] >= 1, stage
    assert set(Candidate.objects.values_list("stage", flat=True)) == {
        Stage.PREPARING,
        Stage.CELL_APPROVED,
        Stage.COMMITTEE_PROPOSED,
        Stage.ADMITTED,
    }
    states = set(Probation.objects.values_list("state", flat=True))
    assert states == {
        ProbationState.AWAITING_CEREMONY,
        ProbationState.ON_PROBATION,
        ProbationState.PROPOSED,
        ProbationState.REFERRED,
    }
    admitted = Probation.objects.filter(candidate__isnull=False)
    assert admitted.filter(state=ProbationState.AWAITING_CEREMONY).exists()
    assert Probation.objects.filter(state=ProbationState.ON_PROBATION, failed_votes=1).exists()
    # Every probationary member has one record, and the member count is unchanged.
    assert (
        Probation.objects.count()
        == Member.objects.filter(
            status=Status.PROBATIONARY, admitted_on__gte=D(2021, 7, 30)
        ).count()
    )
    # The votes went into held meetings of the cells whose minutes are not signed.
    votes = Vote.objects.exclude(kind=VoteKind.RESOLUTION)
    assert votes.count() == summary["votes"]
    assert not votes.exclude(meeting__status=MeetingStatus.CLOSED).exists()
    assert_cases_follow_the_rules(Candidate.objects.all(), Probation.objects.all(), TODAY)


def assert_vote_is_the_rules(vote: Vote, cell) -> None:
    """The vote, asked again through the meeting's register and the pack in force."""
    meeting = vote.meeting
    assert meeting.organisation_id == cell.pk
    assert meeting.status == MeetingStatus.CLOSED
    assert not Minutes.objects.filter(meeting=meeting, signed_at__isnull=False).exists()
    assert meeting.started_at <= vote.recorded_at <= meeting.ended_at
    with translation.override(settings.LANGUAGE_CODE):
        again = actions.threshold_needed(meeting, vote.kind)
        result = vote_result(
            again["pack"], vote.kind, vote.agree, vote.disagree, vote.abstain, again["eligible"]
        )
    assert vote.agree + vote.disagree + vote.abstain <= again["present_official"]
    assert (vote.eligible, vote.passed, vote.rule, vote.summary, vote.pack_id) == (
        result.eligible,
        result.passed,
        result.rule_text,
        result.tally_text,
        again["pack"].id,
    )
    assert not vote.by_name and vote.agenda_item_id is None


def assert_cases_follow_the_rules(candidates, probations, today: datetime.date) -> None:
    """Each case as the actions would have left it: the votes decided by the same rules, the
    dossier ready on the day of the vote and of the decision, the dates in order, the
    versions counted step by step."""
    for candidate in candidates.select_related("cell", "member"):
        documents = {d.key: d for d in candidate.documents.all()}
        assert list(documents) == [d.key for d in candidate.rules.dossier]
        recorded = sum(
            1 for k, d in documents.items() if d.is_present and k not in rules.STEP_DOCUMENTS
        )
        steps = recorded + candidate.introducers.count()
        if candidate.stage == Stage.PREPARING:
            assert candidate.version == 1 + steps and not candidate.votes.exists()
            continue
        votes = [cv.vote for cv in candidate.votes.select_related("vote__meeting")]
        assert [v.passed for v in votes] == [True]
        vote = votes[0]
        assert vote.kind == VoteKind.ADMISSION
        assert_vote_is_the_rules(vote, candidate.cell)
        day = actions.meeting_day(vote.meeting)
        assert candidate.cell_voted_on == day
        assert actions.readiness(candidate, day) == {}, candidate
        resolution = documents["cell_resolution"]
        assert (resolution.status, resolution.dated, resolution.note) == (
            DocumentStatus.CHECKED,
            day,
            vote.summary,
        )
        steps += 1
        subordinate = rules.needs_committee_resolution(candidate.cell)
        if candidate.stage == Stage.COMMITTEE_PROPOSED or (
            candidate.stage == Stage.ADMITTED and subordinate
        ):
            assert subordinate
            assert day <= candidate.committee_resolved_on <= today
            committee = documents[rules.COMMITTEE_DOCUMENT]
            assert committee.status == DocumentStatus.CHECKED
            assert committee.reference == candidate.committee_resolution_number
            assert committee.dated == candidate.committee_resolved_on
            steps += 1
        else:
            assert candidate.committee_resolved_on is None
        if candidate.stage == Stage.ADMITTED:
            member, probation = candidate.member, candidate.probation
            assert member.cell_id == candidate.cell_id and member.status == Status.PROBATIONARY
            for key in actions.MEMBER_FIELDS:
                assert (getattr(member, key) or "") == (getattr(candidate, key) or ""), key
            decided = probation.decided_on
            assert decided == member.admitted_on
            assert decided >= (candidate.committee_resolved_on or day)
            problems = actions.readiness(candidate, decided, for_decision=True)
            problems.pop("date_of_birth", None)
            assert problems == {}, candidate
            decision = documents["admission_decision"]
            assert (decision.status, decision.dated, decision.reference) == (
                DocumentStatus.CHECKED,
                decided,
                probation.decision_number,
            )
            assert probation.pack_id == pack_for(candidate.cell, decided, "membership").id
            steps += 1
        assert candidate.version == 1 + steps, candidate
    for probation in probations.select_related("member__cell", "candidate"):
        assert_probation_follows_the_rules(probation)


def assert_probation_follows_the_rules(probation: Probation) -> None:
    member = probation.member
    membership = pack_by_id(probation.pack_id).membership
    assert probation.decided_on == member.admitted_on
    first = MembershipPeriod.objects.filter(member=member).order_by("started_on").first()
    assert first.started_on == member.admitted_on
    assert probation.pack_id == pack_for(member.cell, member.admitted_on, "membership").id
    assert probation.decided_by == rules.superior_committee(member.cell)
    assert probation.ceremony_due == add_working_days(
        probation.decided_on, membership.admission.ceremony_within_working_days
    )
    version = 1
    if probation.ceremony_on is None:
        assert probation.state == ProbationState.AWAITING_CEREMONY
        assert not probation.votes.exists()
        assert probation.version == version
        return
    assert probation.decided_on <= probation.ceremony_on <= probation.ceremony_due
    assert probation.ends_on == rules.add_months(probation.ceremony_on, membership.probation.months)
    assert probation.review_due == add_working_days(
        probation.ends_on, membership.probation.review_within_working_days
    )
    if probation.candidate is not None:
        version += 1  # hold_ceremony after decide_admission
    # The votes replayed through record_recognition_vote's steps.
    state, failed = ProbationState.ON_PROBATION, 0
    for pv in probation.votes.select_related("vote__meeting__organisation"):
        vote = pv.vote
        assert state == ProbationState.ON_PROBATION
        assert vote.kind == VoteKind.RECOGNITION
        assert_vote_is_the_rules(vote, member.cell)
        day = actions.meeting_day(vote.meeting)
        assert day >= probation.ends_on
        if vote.passed:
            state = ProbationState.PROPOSED
        else:
            failed += 1
            if failed >= pack_for(member.cell, day).votes.max_failed_recognition_votes:
                state = ProbationState.REFERRED
        version += 1
    assert (probation.state, probation.failed_votes, probation.version) == (
        state,
        failed,
        version,
    ), probation
