"""Helpers for the step-down service's tests: API clients per user, the events of the three
producers (handed to the real consumer, through the broker or straight to its handler), and
database reads that prove a refused request changed nothing."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx

from continuum.contracts import (
    ChildRegistered,
    ChildUpdated,
    DecisionOutcome,
    Envelope,
    EventData,
    ReferralDecided,
    ReferralReceived,
    ThresholdLevel,
)
from continuum.contracts.assessment import (
    AssessmentAuthorised,
    AssessmentOutcome,
    AssessmentRoute,
    Section47Concluded,
    Section47Outcome,
    Section47Started,
)
from continuum.contracts.codes import (
    AssessmentFactor,
    PrimaryNeedCode,
    ReasonForClosure,
    ReferralSource,
)
from continuum.contracts.plan import ActionSummary, NextStep, PlanEnded, PlanStarted, PlanType
from continuum.web.auth import mint_dev_token
from continuum_tools.testing import (
    ServiceCases,
    assert_problem,
    child_event,
    eventually,
    send_events,
    unique,
)
from stepdown.settings import StepdownSettings

#: A complete handover, as social care sends it.
HANDOVER: dict[str, Any] = {
    "unmet_needs": "School attendance is still poor",
    "what_has_worked": "Parenting course; weekly visits",
    "same_lead_practitioner": True,
    "family_agreed": True,
}

ACTIONS = ActionSummary(total=5, done=4, in_progress=1, not_started=0, dropped=0)


class Api:
    """An HTTP client for the step-down API, acting as one user."""

    def __init__(self, app: Any, settings: StepdownSettings) -> None:
        self.app = app
        self.settings = settings

    def as_user(self, *roles: str, teams: tuple[str, ...] = ("north",), sub: str | None = None) -> httpx.AsyncClient:
        token = mint_dev_token(self.settings, sub=sub or unique("user"), roles=list(roles), teams=list(teams), sw_qualified=True)
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://stepdown", headers={"Authorization": f"Bearer {token}"}
        )

    def early_help(self) -> httpx.AsyncClient:
        return self.as_user("early_help", teams=("early-help",))

    def manager(self, team: str = "north") -> httpx.AsyncClient:
        return self.as_user("manager", teams=(team,))


def etag(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def nhs_number() -> str:
    """A valid NHS number (modulus 11 check digit) of its own, so a test finds its child's partner
    statuses by it (they are keyed by the NHS number)."""
    while True:
        digits = [random.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def _wrap(data: EventData, source: str, subject: uuid.UUID) -> Envelope[Any]:
    return Envelope.wrap(data, source=source, subject=str(subject), aggregate_version=1)


def decided(
    *,
    outcome: str = "early_help",
    case_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
    team: str = "front-door",
    referral_date: date = date(2026, 10, 1),
    correction_of: uuid.UUID | None = None,
) -> Envelope[Any]:
    case = case_id or uuid.uuid4()
    at = datetime(referral_date.year, referral_date.month, referral_date.day, 10, tzinfo=UTC)
    data = ReferralDecided(
        referral_id=uuid.uuid4(),
        case_id=case,
        child_id=child_id or uuid.uuid4(),
        received_at=at,
        referral_date=referral_date,
        source=ReferralSource.POLICE,
        outcome=DecisionOutcome(outcome),
        team=team,
        decided_by="fd-manager",
        decided_at=at,
        within_one_working_day=True,
        correction_of=correction_of,
    )
    return _wrap(data, "referral", case)


def received(*, case_id: uuid.UUID, child_id: uuid.UUID, at: datetime, team: str | None = "north") -> Envelope[Any]:
    data = ReferralReceived(
        referral_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        received_at=at,
        source=ReferralSource.SCHOOL,
        referrer_agency="Example School",
        suggested_threshold=ThresholdLevel.CHILD_IN_NEED,
        re_referral=True,
        decision_due_at=at,
        team=team,
    )
    return _wrap(data, "referral", case_id)


def authorised(
    *,
    outcome: str = "cin_plan",
    case_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
    team: str = "north",
    referral_date: date = date(2026, 4, 1),
    on: date = date(2026, 5, 20),
    section47_id: uuid.UUID | None = None,
) -> Envelope[Any]:
    case = case_id or uuid.uuid4()
    data = AssessmentAuthorised(
        assessment_id=uuid.uuid4(),
        case_id=case,
        child_id=child_id or uuid.uuid4(),
        referral_id=uuid.uuid4(),
        team=team,
        route=AssessmentRoute.SECTION47 if section47_id else AssessmentRoute.SECTION17,
        section47_id=section47_id,
        lead_practitioner="sw-lead",
        lead_practitioner_role="social_worker",
        authorised_by="manager-1",
        referral_date=referral_date,
        start_date=referral_date,
        authorisation_date=on,
        due_date=on,
        working_days=30,
        within_timescale=True,
        child_seen_date=referral_date,
        child_seen_alone=True,
        factors=[AssessmentFactor("16A")],
        primary_need=PrimaryNeedCode("N1"),
        specialist_assessments=[],
        outcome=AssessmentOutcome(outcome),
        closure_date=None,
        reason_for_closure=None,
    )
    return _wrap(data, "assessment", case)


def plan_ended(
    *,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    next_step: str = "step_down_early_help",
    team: str = "north",
    end_date: date = date(2026, 10, 30),
    unmet_need: bool = True,
    reason_for_closure: ReasonForClosure | None = None,
    plan_type: PlanType = PlanType.CIN,
) -> Envelope[Any]:
    data = PlanEnded(
        plan_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        team=team,
        plan_type=plan_type,
        start_date=date(2026, 6, 1),
        end_date=end_date,
        next_step=NextStep(next_step),
        unmet_need=unmet_need,
        actions=ACTIONS,
        latest_category_of_abuse=None,
        reason_for_closure=reason_for_closure,
    )
    return _wrap(data, "plan", case_id)


def plan_started(
    *, case_id: uuid.UUID, child_id: uuid.UUID, plan_type: PlanType = PlanType.CIN, team: str = "north"
) -> Envelope[Any]:
    data = PlanStarted(
        plan_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        team=team,
        plan_type=plan_type,
        start_date=date(2026, 6, 1),
        approved_by="manager-1",
        initial_category_of_abuse=None,
        next_review_due=date(2026, 7, 13),
        actions=3,
    )
    return _wrap(data, "plan", case_id)


def section47_started(*, case_id: uuid.UUID, child_id: uuid.UUID, team: str = "north") -> Envelope[Any]:
    data = Section47Started(
        section47_id=uuid.uuid4(),
        assessment_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        team=team,
        strategy_discussion_date=date(2026, 4, 2),
        start_date=date(2026, 4, 2),
        icpc_target_date=date(2026, 4, 24),
        started_by="sw-lead",
    )
    return _wrap(data, "assessment", case_id)


def section47_concluded(
    *, case_id: uuid.UUID, child_id: uuid.UUID, icpc_date: date | None = date(2026, 4, 20), team: str = "north"
) -> Envelope[Any]:
    data = Section47Concluded(
        section47_id=uuid.uuid4(),
        assessment_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        team=team,
        start_date=date(2026, 4, 2),
        icpc_target_date=date(2026, 4, 24),
        icpc_date=icpc_date,
        icpc_not_required=icpc_date is None,
        icpc_within_target=True if icpc_date else None,
        outcome=Section47Outcome.NO_CP_PLAN,
        concluded_by="sw-lead",
        concluded_at=datetime(2026, 4, 20, 12, tzinfo=UTC),
    )
    return _wrap(data, "assessment", case_id)


def child_registered(
    child_id: uuid.UUID,
    *,
    version: int = 1,
    nhs_number: str | None = "9434765919",
    date_of_death: date | None = None,
    event_type: type[ChildRegistered] | type[ChildUpdated] = ChildRegistered,
) -> Envelope[Any]:
    data = child_event(child_id, version=version, event_type=event_type, nhs_number=nhs_number, date_of_death=date_of_death)
    return _wrap(data, "referral", child_id)


async def publish(bootstrap: str, topic: str, *messages: Envelope[Any] | tuple[str, bytes], key: str | None = None) -> None:
    """Send events (or raw ``(key, bytes)``) to a topic, as the producing service's relay would."""
    await send_events(bootstrap, topic, *messages, key=key)


class Cases(ServiceCases):
    """Direct access to the service's database and its consumer's handlers (no broker)."""

    async def pending_handover(self, *, team: str = "north", with_child: bool = True) -> dict[str, Any]:
        """A CIN plan ended with a step down to early help (after its assessment): the step-down's
        row, and the NHS number its child was registered with (``nhs_number``)."""
        child, number = uuid.uuid4(), nhs_number()
        a = authorised(child_id=child, team=team)
        if with_child:
            await self.deliver(child_registered(child, nhs_number=number))
        await self.deliver(a)
        await self.deliver(plan_ended(case_id=a.data.case_id, child_id=child, team=team))
        row = await self.row("SELECT * FROM stepdowns WHERE case_id = :c", c=a.data.case_id)
        assert row is not None
        return row | {"nhs_number": number}

    async def partner_statuses(self, nhs_number: str) -> list[dict[str, Any]]:
        """The partner statuses sent for the child with this NHS number (their key), oldest first."""
        rows = await self.rows(
            "SELECT payload FROM outbox WHERE event_type = 'status.changed' AND key = :k ORDER BY seq", k=nhs_number
        )
        return [r["payload"]["data"] for r in rows]

    async def snapshot(self, stepdown_id: uuid.UUID) -> dict[str, Any]:
        """Everything a request on this step-down could change: its row, its case's events, the
        successful audit rows about it, its escalation and step-ups."""
        s = await self.row("SELECT * FROM stepdowns WHERE id = :s", s=stepdown_id)
        assert s is not None
        return {
            "stepdown": s,
            "outbox": await self.scalar("SELECT count(*) FROM outbox WHERE key = :k", k=str(s["case_id"])),
            "audit": await self.scalar(
                "SELECT count(*) FROM audit_log WHERE subject_id = :s AND outcome = 'success'", s=str(stepdown_id)
            ),
            "escalations": await self.scalar("SELECT count(*) FROM escalations WHERE stepdown_id = :s", s=stepdown_id),
            "step_ups": await self.scalar("SELECT count(*) FROM step_ups WHERE stepdown_id = :s", s=stepdown_id),
        }


__all__ = [
    "HANDOVER",
    "Api",
    "Cases",
    "assert_problem",
    "authorised",
    "child_registered",
    "decided",
    "etag",
    "eventually",
    "nhs_number",
    "plan_ended",
    "plan_started",
    "publish",
    "received",
    "section47_concluded",
    "section47_started",
]
