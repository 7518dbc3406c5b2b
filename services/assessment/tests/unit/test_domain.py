"""The assessment's domain, pure: the working-day clocks, the census rules, and every transition
(corrections and measures included), with neither a database nor a broker nor a clock."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from assessment import domain
from assessment.domain import (
    Actor,
    AssessmentState,
    ChildIdentity,
    Findings,
    FindingsChange,
    Section47State,
    Section47Status,
    Status,
)
from assessment.domain.policy import LeadPractitionerPolicy, assessment_policy
from continuum.casework.errors import DomainError
from continuum.casework.policy import load_policy
from continuum.contracts import PartnerStatus, ReferralDecided, StatusChanged, StatusWithheld
from continuum.contracts.assessment import (
    AssessmentOutcome,
    AssessmentRoute,
    ReallocationReason,
    Section47Outcome,
    SpecialistAssessmentKind,
)
from continuum.contracts.codes import AssessmentFactor, PrimaryNeedCode, ReasonForClosure, ReferralSource
from continuum.contracts.referral import DecisionOutcome
from continuum.web.errors import problem_for

F = AssessmentFactor
POLICY = load_policy(None)  # the development council's policy file
MANAGER = Actor("manager-1", sw_qualified_manager=True)
LEAD = Actor("sw-1")
CHILD = ChildIdentity("9434765919", date(2016, 3, 14))
RECEIVED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # Friday 20 November 2026
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 26)


def decision(
    outcome: str = "assessment",
    *,
    team: str = "north",
    received_at: datetime = RECEIVED,
    referral_date: date | None = None,
    correction_of: uuid.UUID | None = None,
    like: AssessmentState | None = None,
) -> ReferralDecided:
    """A front-door decision; ``like`` makes it one about that assessment's referral (a correction)."""
    return ReferralDecided(
        referral_id=like.referral_id if like else uuid.uuid4(),
        case_id=like.case_id if like else uuid.uuid4(),
        child_id=like.child_id if like else uuid.uuid4(),
        received_at=received_at,
        referral_date=referral_date or received_at.date(),
        source=ReferralSource.POLICE,
        outcome=DecisionOutcome(outcome),
        team=team,
        decided_by="front-door-manager",
        decided_at=received_at + timedelta(hours=2),
        within_one_working_day=True,
        correction_of=correction_of,
    )


def opened(outcome: str = "assessment", **kw: Any) -> tuple[AssessmentState, Section47State | None]:
    result, _ = domain.open_from_decision(
        decision(outcome, **kw), assessment_id=uuid.uuid4(), section47_id=uuid.uuid4(), child=CHILD, policy=POLICY
    )
    return result.assessment, result.section47


def allocated(state: AssessmentState, role: str = "social_worker", lead: Actor = LEAD) -> AssessmentState:
    new, _ = domain.allocate(
        state,
        by=MANAGER,
        now=NOW,
        lead_practitioner=lead.id,
        role=role,
        reason=None,
        policy=assessment_policy(POLICY).lead_practitioners,
    )
    return new


COMPLETE = FindingsChange(
    start_date=date(2026, 11, 23),
    child_seen_date=date(2026, 11, 24),
    child_seen_alone=True,
    factors=["3A", "16A"],
    primary_need=PrimaryNeedCode.ABUSE_OR_NEGLECT,
    recommendation=AssessmentOutcome.CIN_PLAN,
    recommendation_summary="A summary.",
)


def submitted(state: AssessmentState, changes: FindingsChange = COMPLETE, at: datetime = NOW) -> AssessmentState:
    recorded, _ = domain.record(state, by=LEAD, now=at, changes=changes)
    new, _ = domain.submit(recorded, by=LEAD, now=at, child=CHILD)
    return new


def concluded(s47: Section47State, a: AssessmentState, outcome: Section47Outcome, on: datetime = NOW) -> Section47State:
    started, _ = domain.start_section47(
        s47, assessment=a, by=MANAGER, today=on.date(), strategy_discussion_date=date(2026, 11, 20), start_date=date(2026, 11, 23)
    )
    icpc = {"icpc_date": on.date(), "icpc_not_required": False} if outcome is Section47Outcome.CP_PLAN else {}
    done, _ = domain.conclude_section47(
        started,
        assessment=a,
        by=MANAGER,
        now=on,
        today=on.date(),
        icpc_date=icpc.get("icpc_date"),
        icpc_not_required=bool(icpc.get("icpc_not_required", True)),
        outcome=outcome,
    )
    return done


def authorise(a: AssessmentState, outcome: AssessmentOutcome, *, on: date = TODAY, s47: Section47State | None = None) -> Any:
    return domain.authorise(
        a,
        section47=s47,
        episode_had_section47=s47 is not None and s47.is_current,
        by=MANAGER,
        now=NOW,
        today=TODAY,
        outcome=outcome,
        on=on,
    )


def broken(call: Any, *args: Any, **kw: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kw)
    return caught.value


def status_of(error: DomainError) -> int:
    """The HTTP status the API answers ``error`` with."""
    return problem_for(error).status


def types(events: list[Any]) -> list[str]:
    return [e.event_type for e in events]


# --- the 45-working-day clock ---------------------------------------------------------------------


def test_due_date_is_45_working_days_after_a_plain_referral() -> None:
    # Monday 1 September 2025: no bank holiday until Christmas, so nine weeks exactly.
    assert domain.due_date(date(2025, 9, 1)) == date(2025, 11, 3)


def test_due_date_skips_christmas_boxing_day_substitute_and_new_year() -> None:
    # Friday 20 November 2026: nine weeks would be Friday 22 January 2027, but Christmas Day
    # (Fri 25 Dec), Boxing Day's substitute (Mon 28 Dec, as the 26th is a Saturday) and New
    # Year's Day (Fri 1 Jan) push it three working days on.
    assert domain.due_date(date(2026, 11, 20)) == date(2027, 1, 27)


def test_a_referral_at_the_weekend_runs_from_the_next_working_day() -> None:
    friday, saturday, sunday = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
    assert domain.due_date(saturday) == domain.due_date(sunday) == domain.due_date(friday)


def test_icpc_target_skips_good_friday_and_easter_monday() -> None:
    # Strategy discussion Friday 27 March 2026; Good Friday 3 April and Easter Monday 6 April.
    assert domain.icpc_target(date(2026, 3, 27)) == date(2026, 4, 21)
    # Without a bank holiday, 15 working days from a Friday is the Friday three weeks on...
    assert domain.icpc_target(date(2026, 6, 5)) == date(2026, 6, 26)
    # ...and the spring bank holiday (Monday 25 May 2026) adds one.
    assert domain.icpc_target(date(2026, 5, 8)) == date(2026, 6, 1)


def test_the_easter_span_of_an_assessment() -> None:
    # Monday 2 February 2026: nine weeks is Monday 6 April, Easter Monday; Good Friday (3 April)
    # and Easter Monday move the due date two working days on, to Wednesday 8 April.
    assert domain.due_date(date(2026, 2, 2)) == date(2026, 4, 8)


def test_working_days_left_and_overdue() -> None:
    due = date(2026, 11, 27)  # a Friday
    assert domain.working_days_left(due, date(2026, 11, 23)) == 4
    assert domain.working_days_left(due, due) == 0
    assert not domain.is_overdue(due, due)  # authorised on the due date is within 45
    assert domain.working_days_left(due, date(2026, 11, 30)) == -1  # the Monday after
    assert domain.is_overdue(due, date(2026, 11, 28))  # the Saturday after: past it already
    # Over Christmas, the days left count working days only.
    assert domain.working_days_left(date(2027, 1, 4), date(2026, 12, 24)) == 4


def test_the_referral_date_is_the_london_date_of_the_instant_it_was_received() -> None:
    # 00:30 in London on Thursday 2 July 2026 is 23:30 UTC on Wednesday 1 July.
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    made = decision(received_at=late, referral_date=date(2026, 7, 1))  # a producer that took the UTC date
    assert domain.referral_date_of(made) == date(2026, 7, 2)
    a, _ = opened(received_at=late, referral_date=date(2026, 7, 1))
    assert (a.referral_date, a.due_date) == (date(2026, 7, 2), domain.due_date(date(2026, 7, 2)))
    # In winter London is on UTC: 00:30 is 00:30.
    assert domain.referral_date_of(decision(received_at=datetime(2026, 1, 15, 0, 30, tzinfo=UTC))) == date(2026, 1, 15)


def test_only_assessment_and_strategy_discussion_open_an_assessment() -> None:
    assert domain.route_for(DecisionOutcome.ASSESSMENT) is AssessmentRoute.SECTION17
    assert domain.route_for(DecisionOutcome.STRATEGY_DISCUSSION) is AssessmentRoute.SECTION47
    assert domain.route_for(DecisionOutcome.NFA) is None
    assert domain.route_for(DecisionOutcome.EARLY_HELP) is None
    with pytest.raises(DomainError):
        domain.open_from_decision(
            decision("nfa"), assessment_id=uuid.uuid4(), section47_id=uuid.uuid4(), child=None, policy=POLICY
        )


# --- opening ----------------------------------------------------------------------------------------


def test_opening_publishes_the_assessment_and_tells_partners_when_the_child_is_known() -> None:
    made = decision()
    result, events = domain.open_from_decision(
        made, assessment_id=uuid.uuid4(), section47_id=uuid.uuid4(), child=CHILD, policy=POLICY
    )
    a = result.assessment
    assert (a.status, a.route, a.team, a.version, a.due_date) == (
        Status.UNALLOCATED,
        AssessmentRoute.SECTION17,
        "north",
        1,
        date(2027, 1, 27),
    )
    assert result.section47 is None and a.partner_status_sent
    assert types(events) == ["assessment.opened", "status.changed"]
    status = events[1]
    assert isinstance(status, StatusChanged)
    # Version 2: the day the assessment opened, a public label and contact (never the team's id).
    assert (status.status, status.since, status.responsible_service, status.contact) == (
        PartnerStatus.ASSESSMENT,
        date(2026, 11, 20),
        "Continuum Development Council children's social care",
        "01632 960001",
    )
    unknown, events = domain.open_from_decision(
        made, assessment_id=uuid.uuid4(), section47_id=uuid.uuid4(), child=None, policy=POLICY
    )
    assert types(events) == ["assessment.opened"] and not unknown.assessment.partner_status_sent
    # Known without an NHS number: partners could not match it, so the status is withheld (the
    # partners service logs it, no agency is sent it) and waits for the number.
    nameless, events = domain.open_from_decision(
        made, assessment_id=uuid.uuid4(), section47_id=uuid.uuid4(), child=replace(CHILD, nhs_number=None), policy=POLICY
    )
    assert types(events) == ["assessment.opened", "status.withheld"] and not nameless.assessment.partner_status_sent
    withheld = events[1]
    assert isinstance(withheld, StatusWithheld) and withheld.partition_key() == str(nameless.assessment.child_id)
    assert (withheld.status, withheld.since, withheld.reason) == (PartnerStatus.ASSESSMENT, date(2026, 11, 20), "no_nhs_number")


def test_a_strategy_discussion_opens_an_enquiry_beside_the_assessment() -> None:
    a, s47 = opened("strategy_discussion")
    assert a.route is AssessmentRoute.SECTION47 and s47 is not None
    assert (s47.status, s47.assessment_id, s47.team, s47.version) == (Section47Status.AWAITING_START, a.id, "north", 1)


def test_partners_hear_the_current_status_once_the_childs_identity_arrives() -> None:
    result, _ = domain.open_from_decision(
        decision(), assessment_id=uuid.uuid4(), section47_id=uuid.uuid4(), child=None, policy=POLICY
    )
    told, events = domain.child_identified(result.assessment, child=CHILD, policy=POLICY)
    assert types(events) == ["status.changed"] and told.partner_status_sent and told.version == result.assessment.version
    assert domain.child_identified(told, child=CHILD, policy=POLICY) == (told, [])


def test_point_10_the_assessment_status_is_sent_again_when_the_nhs_number_becomes_known() -> None:
    a, _ = opened()
    waiting = replace(a, partner_status_sent=False)
    # The identity arrives without an NHS number: still nothing a partner could match.
    still, events = domain.child_identified(waiting, child=replace(CHILD, nhs_number=None), policy=POLICY)
    assert events == [] and not still.partner_status_sent
    # The number arrives (child.updated): partners hear "assessment", since the day it opened.
    told, events = domain.child_identified(still, child=CHILD, policy=POLICY)
    assert types(events) == ["status.changed"] and told.partner_status_sent
    told_now = (events[0].nhs_number, events[0].status, events[0].since)
    assert told_now == ("9434765919", PartnerStatus.ASSESSMENT, date(2026, 11, 20))
    # A closed assessment has nothing to announce: it stops waiting.
    closed = replace(waiting, status=Status.AUTHORISED)
    done, events = domain.child_identified(closed, child=CHILD, policy=POLICY)
    assert events == [] and done.partner_status_sent


# --- factors and primary need ---------------------------------------------------------------------


def test_factors_parse_in_order() -> None:
    assert domain.parse_factors(["3A", "4B", "24A"]) == [
        F.DOMESTIC_ABUSE_CHILD,
        F.MENTAL_HEALTH_PARENT_OR_CARER,
        F.CHILD_CRIMINAL_EXPLOITATION,
    ]
    assert domain.parse_factors(["21"]) == [F.NO_FACTORS]


@pytest.mark.parametrize(
    ("codes", "words"),
    [
        (["99Z"], "unknown"),
        (["1D"], "unknown"),  # 1 to 6 take A, B or C only
        (["8A"], "unknown"),  # private fostering starts at 8B
        (["21", "3A"], "cannot be combined"),
        (["3A", "3A"], "more than once"),
    ],
)
def test_bad_factors_are_refused(codes: list[str], words: str) -> None:
    caught = broken(domain.parse_factors, codes)
    assert caught.field == "factors" and words in caught.reason


def test_primary_need_must_agree_with_the_outcome() -> None:
    domain.check_primary_need(PrimaryNeedCode.ABUSE_OR_NEGLECT, AssessmentOutcome.CHILD_PROTECTION, [F.NEGLECT])
    domain.check_primary_need(PrimaryNeedCode.NOT_CHILD_IN_NEED, AssessmentOutcome.NFA, [F.NO_FACTORS])
    domain.check_primary_need(PrimaryNeedCode.NOT_STATED, AssessmentOutcome.EARLY_HELP, [F.NO_FACTORS])
    for need in (PrimaryNeedCode.NOT_STATED, PrimaryNeedCode.NOT_CHILD_IN_NEED):
        for outcome in (AssessmentOutcome.CIN_PLAN, AssessmentOutcome.CHILD_PROTECTION):
            assert broken(domain.check_primary_need, need, outcome, [F.NEGLECT]).field == "primary_need"
    caught = broken(
        domain.check_primary_need, PrimaryNeedCode.ABUSE_OR_NEGLECT, AssessmentOutcome.CHILD_PROTECTION, [F.NO_FACTORS]
    )
    assert caught.field == "factors"


def _findings(**overrides: Any) -> Findings:
    values: dict[str, Any] = {
        "start_date": date(2026, 11, 23),
        "child_seen_date": date(2026, 11, 24),
        "child_seen_alone": True,
        "factors": (F.NEGLECT,),
        "primary_need": PrimaryNeedCode.ABUSE_OR_NEGLECT,
        "recommendation": AssessmentOutcome.CIN_PLAN,
        "recommendation_summary": "a summary",
    } | overrides
    return Findings(**values)


def test_submission_needs_a_complete_record() -> None:
    domain.check_can_submit(Status.IN_PROGRESS, _findings(), unborn=False)
    domain.check_can_submit(Status.IN_PROGRESS, _findings(child_seen_date=None, child_seen_alone=None), unborn=True)
    for missing in ("start_date", "child_seen_date", "primary_need", "recommendation"):
        caught = broken(domain.check_can_submit, Status.IN_PROGRESS, _findings(**{missing: None}), unborn=False)
        assert caught.field == missing
    assert broken(domain.check_can_submit, Status.IN_PROGRESS, _findings(factors=()), unborn=False).field == "factors"
    caught = broken(
        domain.check_can_submit, Status.IN_PROGRESS, _findings(primary_need=PrimaryNeedCode.NOT_CHILD_IN_NEED), unborn=False
    )
    assert caught.field == "primary_need"


def test_submitting_twice_is_a_conflict() -> None:
    caught = broken(domain.check_can_submit, Status.SUBMITTED, _findings(), unborn=False)
    assert status_of(caught) == 409 and caught.slug == "already-submitted"


# --- dates, authorisation and closure -------------------------------------------------------------


def test_dates_are_not_before_the_referral_nor_in_the_future() -> None:
    referral, today = date(2026, 11, 20), date(2026, 11, 26)
    domain.check_dates(referral_date=referral, today=today, start_date=referral, child_seen_date=today)
    for field, value in (
        ("start_date", date(2026, 11, 19)),
        ("start_date", date(2026, 11, 27)),
        ("child_seen_date", date(2026, 11, 1)),
    ):
        values: dict[str, Any] = {"start_date": None, "child_seen_date": None, field: value}
        assert broken(domain.check_dates, referral_date=referral, today=today, **values).field == field


def test_authorisation_date_not_before_the_start() -> None:
    ok = {"today": date(2026, 11, 26), "referral_date": date(2026, 11, 20), "start_date": date(2026, 11, 23)}
    domain.check_authorisation_date(date(2026, 11, 23), **ok)
    assert broken(domain.check_authorisation_date, date(2026, 11, 22), **ok).field == "authorisation_date"


def test_an_authorisation_date_before_the_submission_is_refused() -> None:
    a = submitted(allocated(opened()[0]), at=datetime(2026, 11, 25, 16, 0, tzinfo=UTC))
    caught = broken(authorise, a, AssessmentOutcome.CIN_PLAN, on=date(2026, 11, 24))
    assert caught.field == "authorisation_date" and "submission" in caught.reason
    caught = broken(authorise, a, AssessmentOutcome.CIN_PLAN, on=TODAY + timedelta(days=1))
    assert caught.reason == "is in the future"
    done, _ = authorise(a, AssessmentOutcome.CIN_PLAN, on=date(2026, 11, 25))
    assert done.authorisation.on == date(2026, 11, 25)
    # The submission's date is London's: 23:30 UTC on a summer evening is the next day there.
    assert domain.referral_date_of(decision(received_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC))) == date(2026, 7, 2)


def test_nfa_and_early_help_close_the_episode() -> None:
    on = date(2026, 12, 1)
    plain = {"went_with_section47": False}
    assert domain.closure_for(AssessmentOutcome.NFA, on, **plain) == domain.Closure(on, ReasonForClosure.NFA_AFTER_ASSESSMENT)
    assert domain.closure_for(AssessmentOutcome.EARLY_HELP, on, **plain) == domain.Closure(
        on, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT
    )
    assert domain.closure_for(AssessmentOutcome.CIN_PLAN, on, **plain) is None
    assert domain.closure_for(AssessmentOutcome.CHILD_PROTECTION, on, **plain) is None


def test_rule_2990_rc8_and_rc9_only_without_a_section_47() -> None:
    on = date(2026, 12, 1)
    for outcome in (AssessmentOutcome.NFA, AssessmentOutcome.EARLY_HELP):
        assert domain.closure_for(outcome, on, went_with_section47=True) == domain.Closure(on, ReasonForClosure.SERVICES_CEASED)
    for outcome in (AssessmentOutcome.CIN_PLAN, AssessmentOutcome.CHILD_PROTECTION):
        assert domain.closure_for(outcome, on, went_with_section47=True) is None
    nfa = replace(COMPLETE, factors=["21"], primary_need=PrimaryNeedCode.NOT_CHILD_IN_NEED, recommendation=AssessmentOutcome.NFA)
    # The assessment's own enquiry, concluded without a plan: RC7.
    a, s47 = opened("strategy_discussion")
    assert s47 is not None
    a = submitted(allocated(a), nfa)
    done, events = authorise(a, AssessmentOutcome.NFA, s47=concluded(s47, a, Section47Outcome.NO_CP_PLAN))
    assert events[0].reason_for_closure is ReasonForClosure.SERVICES_CEASED and events[0].section47_id == s47.id
    assert done.authorisation.closure == domain.Closure(TODAY, ReasonForClosure.SERVICES_CEASED)
    # Another of the episode's assessments had one: RC7 too.
    other = submitted(allocated(opened()[0]), nfa)
    _, events = domain.authorise(
        other,
        section47=None,
        episode_had_section47=True,
        by=MANAGER,
        now=NOW,
        today=TODAY,
        outcome=AssessmentOutcome.EARLY_HELP,
        on=TODAY,
    )
    assert events[0].reason_for_closure is ReasonForClosure.SERVICES_CEASED
    # None at all: RC8.
    _, events = authorise(other, AssessmentOutcome.NFA)
    assert events[0].reason_for_closure is ReasonForClosure.NFA_AFTER_ASSESSMENT


# --- lead practitioners and allocation ------------------------------------------------------------


def test_who_may_lead() -> None:
    policy = LeadPractitionerPolicy(social_worker_roles=["social_worker"], section17_roles=["family_support_practitioner"])
    assert domain.check_lead_practitioner("social_worker", AssessmentRoute.SECTION47, policy) is True
    assert domain.check_lead_practitioner("family_support_practitioner", AssessmentRoute.SECTION17, policy) is False
    caught = broken(domain.check_lead_practitioner, "family_support_practitioner", AssessmentRoute.SECTION47, policy)
    assert caught.slug == "not-eligible-lead-practitioner"
    broken(domain.check_lead_practitioner, "receptionist", AssessmentRoute.SECTION17, policy)


def test_reallocation_needs_a_reason() -> None:
    domain.check_allocation(Status.UNALLOCATED, None, "a", None)
    domain.check_allocation(Status.IN_PROGRESS, "a", "b", "a is on leave")
    assert broken(domain.check_allocation, Status.IN_PROGRESS, "a", "b", None).field == "reason"


def test_allocation_puts_the_assessment_in_progress_and_says_so() -> None:
    a = opened()[0]
    new, events = domain.allocate(
        a,
        by=MANAGER,
        now=NOW,
        lead_practitioner="fsp-1",
        role="family_support_practitioner",
        reason=None,
        policy=assessment_policy(POLICY).lead_practitioners,
    )
    assert (new.status, new.version, new.lead.practitioner, new.lead.social_worker) == (Status.IN_PROGRESS, 2, "fsp-1", False)
    assert types(events) == ["assessment.allocated"] and events[0].previous_lead_practitioner is None
    again, events = domain.allocate(
        new,
        by=MANAGER,
        now=NOW,
        lead_practitioner="sw-2",
        role="social_worker",
        reason="leave",
        policy=assessment_policy(POLICY).lead_practitioners,
    )
    assert again.lead.practitioner == "sw-2" and events[0].previous_lead_practitioner == "fsp-1"


def test_only_a_social_work_qualified_manager_allocates_returns_and_authorises() -> None:
    unqualified = Actor("manager-2", sw_qualified_manager=False)
    a = opened()[0]
    caught = broken(
        domain.allocate,
        a,
        by=unqualified,
        now=NOW,
        lead_practitioner="x",
        role="social_worker",
        reason=None,
        policy=assessment_policy(POLICY).lead_practitioners,
    )
    assert (status_of(caught), caught.slug) == (403, "not-sw-qualified")
    s = submitted(allocated(a))
    assert status_of(broken(domain.return_, s, by=unqualified, now=NOW, reasons="x")) == 403
    caught = broken(
        domain.authorise,
        s,
        section47=None,
        episode_had_section47=False,
        by=unqualified,
        now=NOW,
        today=TODAY,
        outcome=AssessmentOutcome.CIN_PLAN,
        on=TODAY,
    )
    assert status_of(caught) == 403


def test_only_the_lead_practitioner_records_and_submits() -> None:
    a = allocated(opened()[0])
    assert status_of(broken(domain.record, a, by=Actor("someone-else"), now=NOW, changes=COMPLETE)) == 403
    assert status_of(broken(domain.submit, a, by=Actor("someone-else"), now=NOW, child=CHILD)) == 403
    assert status_of(broken(domain.record, opened()[0], by=LEAD, now=NOW, changes=COMPLETE)) == 403  # nobody leads it yet


def test_recording_keeps_what_it_does_not_change_and_checks_what_it_does() -> None:
    a = allocated(opened()[0])
    first, _ = domain.record(a, by=LEAD, now=NOW, changes=FindingsChange(start_date=date(2026, 11, 23)))
    assert first.version == a.version + 1
    second, _ = domain.record(first, by=LEAD, now=NOW, changes=FindingsChange(factors=["21"]))
    assert second.findings.start_date == date(2026, 11, 23) and second.findings.factors == (F.NO_FACTORS,)
    cleared, _ = domain.record(second, by=LEAD, now=NOW, changes=FindingsChange(start_date=None))
    assert cleared.findings.start_date is None and cleared.findings.factors == (F.NO_FACTORS,)
    assert broken(domain.record, a, by=LEAD, now=NOW, changes=FindingsChange(factors=["99Z"])).field == "factors"
    late = domain.SpecialistAssessment(SpecialistAssessmentKind.PAMS, date(2027, 1, 1), "x", "y")
    caught = broken(domain.record, a, by=LEAD, now=NOW, changes=FindingsChange(specialist_assessments=[late]))
    assert caught.field == "specialist_assessments.0.date"


def test_point_8_recording_publishes_the_start_the_child_seen_date_and_the_primary_need_when_they_change() -> None:
    a = allocated(opened()[0])
    first, events = domain.record(a, by=LEAD, now=NOW, changes=FindingsChange(start_date=date(2026, 11, 23)))
    assert types(events) == ["assessment.recorded"]
    assert (events[0].start_date, events[0].child_seen_date, events[0].primary_need) == (date(2026, 11, 23), None, None)
    assert (events[0].assessment_id, events[0].recorded_by, events[0].recorded_at) == (a.id, LEAD.id, NOW)
    # Neither the factors nor the narrative are what the census reads of an open assessment: no event.
    second, events = domain.record(
        first, by=LEAD, now=NOW, changes=FindingsChange(factors=["21"], recommendation_summary="Narrative.")
    )
    assert events == []
    # The same values again: no event either.
    _, events = domain.record(second, by=LEAD, now=NOW, changes=FindingsChange(start_date=date(2026, 11, 23)))
    assert events == []
    third, events = domain.record(
        second,
        by=LEAD,
        now=NOW,
        changes=FindingsChange(child_seen_date=date(2026, 11, 24), primary_need=PrimaryNeedCode.ABUSE_OR_NEGLECT),
    )
    assert types(events) == ["assessment.recorded"]
    assert (events[0].start_date, events[0].child_seen_date, events[0].primary_need) == (
        date(2026, 11, 23),
        date(2026, 11, 24),
        PrimaryNeedCode.ABUSE_OR_NEGLECT,
    )
    # Cleared: published, as null.
    _, events = domain.record(third, by=LEAD, now=NOW, changes=FindingsChange(primary_need=None))
    assert types(events) == ["assessment.recorded"] and events[0].primary_need is None
    assert "Narrative" not in str(events[0].model_dump())


def test_point_7_an_authorisation_always_carries_factors_primary_need_and_lead() -> None:
    for route in ("assessment", "strategy_discussion"):
        a, s47 = opened(route)
        a = submitted(allocated(a), replace(COMPLETE, recommendation=AssessmentOutcome.CHILD_PROTECTION))
        enquiry = concluded(s47, a, Section47Outcome.CP_PLAN) if s47 is not None else None
        _, events = authorise(a, AssessmentOutcome.CHILD_PROTECTION, s47=enquiry)
        authorised = events[0]
        assert (tuple(authorised.factors), authorised.primary_need, authorised.lead_practitioner) == (
            (F("3A"), F("16A")),
            PrimaryNeedCode.ABUSE_OR_NEGLECT,
            LEAD.id,
        )
    # A record without them (however it came about) is not authorised.
    a = submitted(allocated(opened()[0]))
    for incomplete in (
        replace(a, findings=replace(a.findings, factors=())),
        replace(a, findings=replace(a.findings, primary_need=None)),
        replace(a, lead=None),
    ):
        assert broken(authorise, incomplete, AssessmentOutcome.CIN_PLAN).slug == "incomplete-assessment"


def test_submission_then_return_then_submission_again() -> None:
    s = submitted(allocated(opened()[0]))
    assert s.status is Status.SUBMITTED and s.submission.by == LEAD.id
    assert status_of(broken(domain.record, s, by=LEAD, now=NOW, changes=COMPLETE)) == 409
    returned, events = domain.return_(s, by=MANAGER, now=NOW, reasons="See the child alone.")
    assert returned.status is Status.IN_PROGRESS and returned.submission is None and types(events) == ["assessment.returned"]
    again, events = domain.submit(returned, by=LEAD, now=NOW, child=CHILD)
    assert again.status is Status.SUBMITTED and types(events) == ["assessment.submitted"]
    assert broken(domain.return_, returned, by=MANAGER, now=NOW, reasons="x").slug == "not-submitted"


def test_authorising_nfa_closes_the_episode_and_leaves_partner_statuses_to_step_down() -> None:
    nfa = FindingsChange(
        start_date=date(2026, 11, 23),
        child_seen_date=date(2026, 11, 24),
        child_seen_alone=True,
        factors=["21"],
        primary_need=PrimaryNeedCode.NOT_CHILD_IN_NEED,
        recommendation=AssessmentOutcome.NFA,
        recommendation_summary="Not in need.",
    )
    done, events = authorise(submitted(allocated(opened()[0]), nfa), AssessmentOutcome.NFA)
    assert done.status is Status.AUTHORISED and done.authorisation.closure == domain.Closure(
        TODAY, ReasonForClosure.NFA_AFTER_ASSESSMENT
    )
    # Point 10: step-down alone announces "closed" (and "stepped_down"), when the episode closes.
    assert types(events) == ["assessment.authorised"]
    assert (events[0].working_days, events[0].within_timescale, events[0].reason_for_closure) == (
        4,
        True,
        ReasonForClosure.NFA_AFTER_ASSESSMENT,
    )
    assert broken(authorise, done, AssessmentOutcome.NFA).slug == "already-authorised"


# --- section 47 -----------------------------------------------------------------------------------


def test_section47_conclusion_rules() -> None:
    started, today = Section47Status.STARTED, date(2026, 11, 26)
    ok: dict[str, Any] = {"start_date": date(2026, 11, 2), "today": today}
    domain.check_section47_conclusion(
        started, icpc_date=date(2026, 11, 20), icpc_not_required=False, outcome=Section47Outcome.CP_PLAN, **ok
    )
    domain.check_section47_conclusion(started, icpc_date=None, icpc_not_required=True, outcome=Section47Outcome.NO_CP_PLAN, **ok)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"icpc_date": None, "icpc_not_required": False, "outcome": Section47Outcome.NO_CP_PLAN}, "icpc_date"),
        ({"icpc_date": date(2026, 11, 20), "icpc_not_required": True, "outcome": Section47Outcome.NO_CP_PLAN}, "icpc_date"),
        ({"icpc_date": date(2026, 11, 1), "icpc_not_required": False, "outcome": Section47Outcome.CP_PLAN}, "icpc_date"),
        ({"icpc_date": None, "icpc_not_required": True, "outcome": Section47Outcome.CP_PLAN}, "outcome"),
    ]
    for values, field in bad:
        assert broken(domain.check_section47_conclusion, started, **values, **ok).field == field


def test_section_47_start_and_conclusion_are_a_social_workers() -> None:
    a, s47 = opened("strategy_discussion")
    assert s47 is not None
    fsp = Actor("fsp-1")
    lead_fsp = replace(a, lead=domain.Lead("fsp-1", "family_support_practitioner", False, NOW))
    args = {"today": TODAY, "strategy_discussion_date": date(2026, 11, 20), "start_date": date(2026, 11, 23)}
    assert broken(domain.start_section47, s47, assessment=lead_fsp, by=fsp, **args).slug == "not-sw-qualified"
    started, events = domain.start_section47(s47, assessment=allocated(a), by=LEAD, **args)
    assert (started.status, started.icpc_target_date, started.version) == (Section47Status.STARTED, date(2026, 12, 11), 2)
    assert types(events) == ["section47.started"]
    assert broken(domain.start_section47, started, assessment=a, by=MANAGER, **args).slug == "section47-already-started"
    done = concluded(s47, a, Section47Outcome.NO_CP_PLAN)
    assert done.status is Section47Status.CONCLUDED and done.concluded_at == NOW


def test_a_section_47_assessment_is_not_authorised_before_its_enquiry_concludes() -> None:
    a, s47 = opened("strategy_discussion")
    assert s47 is not None
    s = submitted(allocated(a))
    caught = broken(authorise, s, AssessmentOutcome.CIN_PLAN, s47=s47)
    assert (caught.field, status_of(caught), caught.slug) == ("section47", 409, "section47-not-concluded")
    done, _ = authorise(s, AssessmentOutcome.CIN_PLAN, s47=concluded(s47, s, Section47Outcome.NO_CP_PLAN))
    assert done.status is Status.AUTHORISED
    # Not before the day the enquiry concluded.
    later = concluded(s47, s, Section47Outcome.NO_CP_PLAN, on=datetime(2026, 11, 26, 9, tzinfo=UTC))
    caught = broken(authorise, s, AssessmentOutcome.CIN_PLAN, s47=later, on=date(2026, 11, 25))
    assert caught.field == "authorisation_date"


def test_the_outcome_of_a_section_47_assessment_follows_its_conference() -> None:
    a, s47 = opened("strategy_discussion")
    assert s47 is not None
    s = submitted(allocated(a))
    cp = concluded(s47, s, Section47Outcome.CP_PLAN)
    for outcome in (AssessmentOutcome.NFA, AssessmentOutcome.EARLY_HELP, AssessmentOutcome.CIN_PLAN):
        assert broken(authorise, s, outcome, s47=cp).field == "outcome"
    done, events = authorise(s, AssessmentOutcome.CHILD_PROTECTION, s47=cp)
    assert done.authorisation.outcome is AssessmentOutcome.CHILD_PROTECTION and events[0].section47_id == s47.id
    no_plan = concluded(s47, s, Section47Outcome.NO_CP_PLAN)
    assert broken(authorise, s, AssessmentOutcome.CHILD_PROTECTION, s47=no_plan).field == "outcome"
    # A section 17 assessment has no enquiry to agree with.
    authorise(submitted(allocated(opened()[0])), AssessmentOutcome.CHILD_PROTECTION)


# --- corrections ----------------------------------------------------------------------------------


def correct(
    a: AssessmentState, s47: Section47State | None, outcome: str, *, team: str = "north", child: ChildIdentity | None = CHILD
) -> tuple[domain.AssessmentAndEnquiry, list[Any]]:
    return domain.apply_corrected_decision(
        a,
        section47=s47,
        decision=decision(outcome, team=team, like=a, correction_of=uuid.uuid4()),
        new_section47_id=uuid.uuid4(),
        now=NOW,
        child=child,
        policy=POLICY,
    )


@pytest.mark.parametrize("first", ["assessment", "strategy_discussion"])
@pytest.mark.parametrize("then", ["assessment", "strategy_discussion"])
@pytest.mark.parametrize("team", ["north", "south"])
def test_a_correction_leaves_the_assessment_as_the_corrected_decision_would_have_opened_it(
    first: str, then: str, team: str
) -> None:
    a, s47 = opened(first)
    result, _ = correct(a, s47, then, team=team)
    fresh, fresh_s47 = opened(then, team=team)
    got = result.assessment
    assert (got.team, got.route, got.status, got.referral_date, got.due_date) == (
        fresh.team,
        fresh.route,
        fresh.status,
        fresh.referral_date,
        fresh.due_date,
    )
    current = result.section47 if result.section47 is not None and result.section47.is_current else None
    if current is None and s47 is not None and then == "strategy_discussion":
        current = s47  # unchanged, still current
    assert (current is not None) == (fresh_s47 is not None)
    if current is not None:
        assert (current.team, current.status) == (team, Section47Status.AWAITING_START)


def test_a_correction_to_another_team_reassigns_the_assessment_and_tells_partners() -> None:
    a, _ = opened()
    result, events = correct(a, None, "assessment", team="south")
    assert types(events) == ["assessment.reassigned", "status.changed"]
    moved = events[0]
    assert (moved.previous_team, moved.team, moved.previous_route, moved.route) == (
        "north",
        "south",
        AssessmentRoute.SECTION17,
        AssessmentRoute.SECTION17,
    )
    assert (events[1].responsible_service, events[1].contact) == (
        "Continuum Development Council children's social care",
        "01632 960002",
    )
    assert result.assessment.version == a.version + 1 and result.assessment.reallocation_required is None
    # Without the child's identity the partner status waits for it, with the new team.
    waiting, events = correct(replace(a, partner_status_sent=False), None, "assessment", team="south", child=None)
    assert types(events) == ["assessment.reassigned"]
    _, told = domain.child_identified(waiting.assessment, child=CHILD, policy=POLICY)
    assert told[0].contact == "01632 960002"


def test_correcting_strategy_discussion_back_to_assessment_withdraws_the_enquiry() -> None:
    a, s47 = opened("strategy_discussion")
    result, events = correct(a, s47, "assessment")
    assert result.assessment.route is AssessmentRoute.SECTION17
    assert result.section47 is not None and result.section47.status is Section47Status.WITHDRAWN
    assert types(events) == ["assessment.reassigned", "section47.withdrawn"]
    assert events[0].section47_id is None and events[1].section47_id == s47.id  # type: ignore[union-attr]


def test_correcting_assessment_to_strategy_discussion_opens_an_enquiry() -> None:
    a, _ = opened()
    result, events = correct(a, None, "strategy_discussion")
    assert result.assessment.route is AssessmentRoute.SECTION47 and result.section47 is not None
    assert result.section47.status is Section47Status.AWAITING_START and result.section47.assessment_id == a.id
    assert types(events) == ["assessment.reassigned"] and events[0].section47_id == result.section47.id


def test_a_correction_to_strategy_discussion_with_a_non_social_worker_lead_requires_a_reallocation() -> None:
    a = allocated(opened()[0], role="family_support_practitioner", lead=Actor("fsp-1"))
    result, events = correct(a, None, "strategy_discussion")
    moved = result.assessment
    assert moved.reallocation_required is ReallocationReason.SECTION47_NEEDS_SOCIAL_WORKER
    assert types(events) == ["assessment.reassigned", "assessment.reallocation_required"]
    assert (events[1].lead_practitioner, events[1].reason) == ("fsp-1", ReallocationReason.SECTION47_NEEDS_SOCIAL_WORKER)
    # Until a manager reallocates, the work waits.
    assert broken(domain.record, moved, by=Actor("fsp-1"), now=NOW, changes=COMPLETE).slug == "reallocation-required"
    # Allocation re-checks the rules: a non-social-worker still may not lead it...
    caught = broken(
        domain.allocate,
        moved,
        by=MANAGER,
        now=NOW,
        lead_practitioner="dap-1",
        role="domestic_abuse_practitioner",
        reason="x",
        policy=assessment_policy(POLICY).lead_practitioners,
    )
    assert caught.slug == "not-eligible-lead-practitioner"
    # ...a social worker may, and the flag clears.
    fixed, _ = domain.allocate(
        moved,
        by=MANAGER,
        now=NOW,
        lead_practitioner="sw-9",
        role="social_worker",
        reason="s47 needs a social worker",
        policy=assessment_policy(POLICY).lead_practitioners,
    )
    assert fixed.reallocation_required is None
    # Corrected back to section 17, the family support practitioner is eligible again.
    back, events = correct(moved, result.section47, "assessment")
    assert back.assessment.reallocation_required is None and "assessment.reallocation_required" not in types(events)


def test_a_correction_to_another_team_with_a_lead_in_place_requires_the_new_team_to_reallocate_or_confirm() -> None:
    a = allocated(opened()[0])
    result, events = correct(a, None, "assessment", team="south")
    moved = result.assessment
    assert moved.reallocation_required is ReallocationReason.TEAM_CHANGED and moved.lead == a.lead
    assert types(events) == ["assessment.reassigned", "assessment.reallocation_required", "status.changed"]
    assert (
        broken(
            domain.allocate,
            moved,
            by=MANAGER,
            now=NOW,
            lead_practitioner=LEAD.id,
            role="social_worker",
            reason=None,
            policy=assessment_policy(POLICY).lead_practitioners,
        ).field
        == "reason"
    )
    confirmed, _ = domain.allocate(
        moved,
        by=MANAGER,
        now=NOW,
        lead_practitioner=LEAD.id,
        role="social_worker",
        reason="keeps the case",
        policy=assessment_policy(POLICY).lead_practitioners,
    )
    assert confirmed.reallocation_required is None and confirmed.lead.practitioner == LEAD.id


def test_a_correction_to_nfa_withdraws_the_assessment_and_its_enquiry_and_a_later_one_reinstates_it() -> None:
    a, s47 = opened("strategy_discussion")
    result, events = correct(a, s47, "nfa")
    assert result.assessment.status is Status.WITHDRAWN and result.section47.status is Section47Status.WITHDRAWN
    assert types(events) == ["assessment.withdrawn", "section47.withdrawn"]
    assert correct(result.assessment, None, "early_help")[1] == []  # already withdrawn
    back, events = correct(result.assessment, None, "strategy_discussion")
    assert back.assessment.status is Status.UNALLOCATED and back.section47 is not None and back.section47.id != s47.id  # type: ignore[union-attr]
    assert types(events) == ["assessment.reassigned", "status.changed"]
    assert (events[0].previous_status, events[0].status) == (Status.WITHDRAWN, Status.UNALLOCATED)
    # Since the day the assessment opened: the correction undid the withdrawal (was: the correction's instant).
    assert events[1].since == date(2026, 11, 20)


def test_a_correction_cannot_undo_a_concluded_enquiry() -> None:
    a, s47 = opened("strategy_discussion")
    assert s47 is not None
    done = concluded(s47, a, Section47Outcome.NO_CP_PLAN)
    for outcome in ("assessment", "nfa"):
        assert broken(correct, a, done, outcome).slug == "section47-concluded"


def test_an_authorised_assessment_and_a_correction_that_changes_nothing_publish_nothing() -> None:
    a = opened()[0]
    assert correct(a, None, "assessment") == (domain.AssessmentAndEnquiry(a), [])
    done, _ = authorise(submitted(allocated(a)), AssessmentOutcome.CIN_PLAN)
    assert correct(done, None, "nfa", team="south") == (domain.AssessmentAndEnquiry(done), [])


# --- timeliness and measures ----------------------------------------------------------------------


def test_an_open_assessment_past_its_due_date_is_flagged_once() -> None:
    a = opened()[0]  # due 27 January 2027
    after = date(2027, 1, 28)
    flagged, events = domain.mark_overdue(a, now=NOW, today=after)
    assert types(events) == ["assessment.overdue"] and flagged.overdue_notified_at == NOW and flagged.version == a.version
    assert domain.mark_overdue(flagged, now=NOW, today=after) == (flagged, [])
    assert broken(domain.mark_overdue, a, now=NOW, today=date(2027, 1, 27)).field == "due_date"
    withdrawn = replace(a, status=Status.WITHDRAWN)
    assert status_of(broken(domain.mark_overdue, withdrawn, now=NOW, today=after)) == 409


def test_measures_count_working_days_from_the_referral_and_the_start() -> None:
    referral, start = date(2024, 1, 2), date(2024, 1, 3)
    rows = [
        domain.Completed("east", referral, start, date(2024, 2, 1), AssessmentOutcome.NFA),  # 22 working days
        domain.Completed("east", referral, start, date(2024, 3, 5), AssessmentOutcome.EARLY_HELP),  # 45
        domain.Completed("west", referral, None, date(2024, 4, 30), AssessmentOutcome.CIN_PLAN),  # 83 (Easter)
    ]
    figures = domain.figures(rows)
    assert (figures.completed, figures.median_working_days, figures.within_45_working_days) == (3, 45.0, round(2 / 3, 4))
    assert figures.median_working_days_from_start == 32.5  # 21 and 44, from the start where recorded
    assert figures.outcomes[AssessmentOutcome.CHILD_PROTECTION] == 0 and figures.outcomes[AssessmentOutcome.NFA] == 1
    by_team = domain.figures_by_team(rows)
    assert list(by_team) == ["east", "west"] and by_team["west"].completed == 1
    assert domain.figures([]) == domain.Figures(0, None, None, None, dict.fromkeys(AssessmentOutcome, 0))
