"""The repository keeps every field of the domain's states: what is saved is what is loaded."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

from assessment_support import Cases, decided

from assessment import domain, repository
from assessment.domain import Actor, ChildIdentity, FindingsChange, SpecialistAssessment
from assessment.domain.policy import assessment_policy
from continuum.casework.policy import load_policy
from continuum.contracts.assessment import AssessmentOutcome, Section47Outcome, SpecialistAssessmentKind
from continuum.contracts.codes import PrimaryNeedCode

POLICY = load_policy(None)
NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
TODAY = date(2026, 11, 26)


async def test_a_state_saved_is_the_state_loaded(cases: Cases) -> None:
    manager, lead = Actor("manager", sw_qualified_manager=True), Actor("sw-round-trip")
    event = decided(outcome="strategy_discussion").data
    opened, _ = domain.open_from_decision(
        event, assessment_id=uuid.uuid4(), section47_id=uuid.uuid4(), child=ChildIdentity("9434765919", None), policy=POLICY
    )
    async with cases.unit_of_work() as tx:
        await repository.insert_opened(tx, opened)
    a, s47 = opened.assessment, opened.section47
    assert s47 is not None
    a, _ = domain.allocate(
        a,
        by=manager,
        now=NOW,
        lead_practitioner=lead.id,
        role="social_worker",
        reason=None,
        policy=assessment_policy(POLICY).lead_practitioners,
    )
    changes = FindingsChange(
        start_date=date(2026, 11, 23),
        child_seen_date=date(2026, 11, 24),
        child_seen_alone=False,
        factors=["3A", "16A"],
        primary_need=PrimaryNeedCode.ABUSE_OR_NEGLECT,
        specialist_assessments=[SpecialistAssessment(SpecialistAssessmentKind.GRADED_CARE_PROFILE_2, TODAY, "sw", "Level 3")],
        recommendation=AssessmentOutcome.CHILD_PROTECTION,
        recommendation_summary="A summary.",
    )
    a, _ = domain.record(a, by=lead, now=NOW, changes=changes)
    a, _ = domain.submit(a, by=lead, now=NOW, child=None)
    s47, _ = domain.start_section47(
        s47, assessment=a, by=manager, today=TODAY, strategy_discussion_date=date(2026, 11, 20), start_date=date(2026, 11, 23)
    )
    s47, _ = domain.conclude_section47(
        s47,
        assessment=a,
        by=manager,
        now=NOW,
        today=TODAY,
        icpc_date=TODAY,
        icpc_not_required=False,
        outcome=Section47Outcome.CP_PLAN,
    )
    a, _ = domain.authorise(
        a,
        section47=s47,
        by=manager,
        now=NOW,
        today=TODAY,
        outcome=AssessmentOutcome.CHILD_PROTECTION,
        on=TODAY,
        episode_had_section47=True,
    )
    a = replace(a, overdue_notified_at=NOW)
    async with cases.unit_of_work() as tx:
        await repository.save_assessment(tx, a)
        await repository.save_section47(tx, s47)
    async with cases.unit_of_work() as tx:
        assert await repository.by_referral(tx, event.referral_id) == a
        assert await repository.current_section47(tx, a.id) == s47
