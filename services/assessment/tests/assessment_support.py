"""Helpers for the assessment service's tests: API clients per user, events from the front door
(handed to the real consumer, either through the broker or straight to its handler) and database
snapshots that prove a refused request changed nothing."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx

from assessment.settings import AssessmentSettings
from continuum.contracts import REFERRAL_TOPIC, ChildUpdated, DecisionOutcome, Envelope, ReferralDecided
from continuum.contracts.codes import ReferralSource
from continuum.contracts.plan import ActionSummary, NextStep, PlanEnded, PlanType, StrategyDiscussionRecorded
from continuum.messaging.consumer import EventConsumer
from continuum.persistence.uow import UnitOfWork
from continuum.web.auth import mint_dev_token
from continuum_tools.testing import (
    ServiceCases,
    assert_problem,
    child_event,
    eventually,
    send_events,
    unique,
)

MANAGER_NORTH = {"teams": ("north",), "sw_qualified": True}


class Api:
    """An HTTP client for the assessment API, acting as one user."""

    def __init__(self, app: Any, settings: AssessmentSettings) -> None:
        self.app = app
        self.settings = settings

    def as_user(
        self, *roles: str, teams: tuple[str, ...] = ("north",), sw_qualified: bool = False, sub: str | None = None
    ) -> httpx.AsyncClient:
        token = mint_dev_token(
            self.settings, sub=sub or unique("user"), roles=list(roles), teams=list(teams), sw_qualified=sw_qualified
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://assessment",
            headers={"Authorization": f"Bearer {token}"},
        )

    def manager(self, team: str = "north", *, sw_qualified: bool = True, sub: str | None = None) -> httpx.AsyncClient:
        return self.as_user("manager", teams=(team,), sw_qualified=sw_qualified, sub=sub)


def etag(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def decided(
    *,
    outcome: str = "assessment",
    team: str = "north",
    referral_date: date = date(2026, 11, 20),
    child_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    referral_id: uuid.UUID | None = None,
    correction_of: uuid.UUID | None = None,
    received_at: datetime | None = None,
) -> Envelope[Any]:
    """A front-door decision as the referral service publishes it, received at 10:00 UTC on
    ``referral_date`` unless ``received_at`` says otherwise."""
    case = case_id or uuid.uuid4()
    received = received_at or datetime(referral_date.year, referral_date.month, referral_date.day, 10, 0, tzinfo=UTC)
    data = ReferralDecided(
        referral_id=referral_id or uuid.uuid4(),
        case_id=case,
        child_id=child_id or uuid.uuid4(),
        received_at=received,
        referral_date=referral_date,
        source=ReferralSource.POLICE,
        outcome=DecisionOutcome(outcome),
        team=team,
        decided_by="front-door-manager",
        decided_at=received,
        within_one_working_day=True,
        correction_of=correction_of,
    )
    return Envelope.wrap(data, source="referral", subject=str(case), aggregate_version=2)


def child_registered(
    child_id: uuid.UUID, *, version: int = 1, nhs_number: str | None = "9434765919", **overrides: Any
) -> Envelope[Any]:
    data = child_event(child_id, version=version, nhs_number=nhs_number, **overrides)
    return Envelope.wrap(data, source="referral", subject=str(child_id), aggregate_version=version)


def child_updated(child_id: uuid.UUID, *, version: int, nhs_number: str | None = "9434765919", **overrides: Any) -> Envelope[Any]:
    """A change of the child's identity (``child.updated``), as the referral service publishes it."""
    registered = child_registered(child_id, version=version, nhs_number=nhs_number, **overrides).data
    data = ChildUpdated(**registered.model_dump())
    return Envelope.wrap(data, source="referral", subject=str(child_id), aggregate_version=version)


def nhs_number() -> str:
    """A random NHS number with a correct modulus-11 check digit: partner statuses are keyed by it,
    so a test that reads a child's statuses gives the child its own."""
    while True:
        digits = [random.randint(0, 9) for _ in range(9)]
        remainder = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        check = (11 - remainder) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def plan_ended(
    *,
    case_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
    team: str = "north",
    end_date: date = date(2026, 11, 27),
    next_step: str = "escalate_cp",
    plan_type: str = "cin",
    time: datetime | None = None,
) -> Envelope[Any]:
    """A plan's end as the plan service publishes it (by default a CIN plan ended ``escalate_cp`` on
    Friday 27 November 2026, published at 15:00 UTC that day)."""
    case = case_id or uuid.uuid4()
    data = PlanEnded(
        plan_id=plan_id or uuid.uuid4(),
        case_id=case,
        child_id=child_id or uuid.uuid4(),
        team=team,
        plan_type=PlanType(plan_type),
        start_date=date(2026, 6, 1),
        end_date=end_date,
        next_step=NextStep(next_step),
        unmet_need=False,
        actions=ActionSummary(total=2, done=1, in_progress=1, not_started=0, dropped=0),
        latest_category_of_abuse=None,
    )
    envelope = Envelope.wrap(data, source="plan", subject=str(case), aggregate_version=5)
    at = time or datetime(end_date.year, end_date.month, end_date.day, 15, 0, tzinfo=UTC)
    return envelope.model_copy(update={"time": at})


def strategy_discussion(
    *,
    case_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
    team: str = "north",
    held_on: date = date(2026, 11, 25),
    plan_type: str = "cin",
    recorded_at: datetime | None = None,
) -> Envelope[Any]:
    """A strategy discussion recorded during a plan, as the plan service publishes it (by default held
    on Wednesday 25 November 2026 and recorded at 16:00 UTC that day)."""
    case = case_id or uuid.uuid4()
    data = StrategyDiscussionRecorded(
        plan_id=plan_id or uuid.uuid4(),
        case_id=case,
        child_id=child_id or uuid.uuid4(),
        team=team,
        plan_type=PlanType(plan_type),
        strategy_discussion_date=held_on,
        recorded_by="sw-plan",
        recorded_at=recorded_at or datetime(held_on.year, held_on.month, held_on.day, 16, 0, tzinfo=UTC),
    )
    return Envelope.wrap(data, source="plan", subject=str(case), aggregate_version=6)


async def publish(
    bootstrap: str, *messages: Envelope[Any] | tuple[str, bytes], topic: str = REFERRAL_TOPIC, key: str | None = None
) -> None:
    """Send events (or raw ``(key, bytes)``) to the topic, as the referral service's relay would."""
    await send_events(bootstrap, topic, *messages, key=key)


class Cases(ServiceCases):
    """Direct access to the service's database and its intake consumer's handler (no broker)."""

    @property
    def intake(self) -> EventConsumer:
        consumer: EventConsumer = self.consumer
        return consumer

    async def open(self, *, with_child: bool = True, nhs_number: str = "9434765919", **decision: Any) -> dict[str, Any]:
        """Open an assessment from a front-door decision; returns its row."""
        event = decided(**decision)
        if with_child:
            await self.deliver(child_registered(event.data.child_id, nhs_number=nhs_number))
        await self.deliver(event)
        row = await self.row("SELECT * FROM assessments WHERE referral_id = :r", r=event.data.referral_id)
        assert row is not None
        return row

    async def statuses(self, nhs_number: str) -> list[dict[str, Any]]:
        """The partner statuses written for a child (keyed by its NHS number, not by a case), oldest first."""
        return [e["payload"]["data"] for e in await self.events(nhs_number, "status.changed")]

    async def events_and_statuses(self, case_id: Any, nhs_number: str) -> list[str]:
        """The types of the events written for a case and of the partner statuses of its child, in order."""
        rows = await self.rows("SELECT event_type FROM outbox WHERE key IN (:c, :n) ORDER BY seq", c=str(case_id), n=nhs_number)
        return [r["event_type"] for r in rows]

    @property
    def escalation(self) -> EventConsumer:
        """The escalation consumer (``continuum.plan``), second of the service's consumers."""
        consumer: EventConsumer = self.runtime.consumers[1]
        return consumer

    async def escalate(self, event: Envelope[Any]) -> str:
        """Hand a plan event to the escalation consumer exactly as it would after reading it from Kafka."""
        outcome: str = await self.escalation.handle(event, self.escalation.handlers[event.type])
        return outcome

    def unit_of_work(self) -> UnitOfWork:
        """A unit of work of the service's own (no caller), to save states a test built with the domain."""
        return UnitOfWork(self.runtime.session_factory, source="assessment")

    async def snapshot(self, assessment_id: uuid.UUID) -> dict[str, Any]:
        """Everything a request on this assessment could change: its row, its history rows, its
        section 47 record, the events of its case and the audit rows about it."""
        a = await self.row("SELECT * FROM assessments WHERE id = :a", a=assessment_id)
        assert a is not None
        return {
            "assessment": a,
            "allocations": await self.scalar(
                "SELECT count(*) FROM assessment_allocations WHERE assessment_id = :a", a=assessment_id
            ),
            "returns": await self.scalar("SELECT count(*) FROM assessment_returns WHERE assessment_id = :a", a=assessment_id),
            "section47": await self.row("SELECT * FROM section47_enquiries WHERE assessment_id = :a", a=assessment_id),
            "outbox": await self.scalar("SELECT count(*) FROM outbox WHERE key = :k", k=str(a["case_id"])),
            "audit": await self.scalar(
                "SELECT count(*) FROM audit_log WHERE subject_id = :a AND outcome = 'success'", a=str(assessment_id)
            ),
        }


__all__ = [
    "Api",
    "Cases",
    "assert_problem",
    "child_registered",
    "child_updated",
    "decided",
    "etag",
    "eventually",
    "nhs_number",
    "plan_ended",
    "publish",
    "strategy_discussion",
]


#: A complete record of an assessment's findings, as a practitioner sends it before submitting.
RECORD: dict[str, Any] = {
    "start_date": "2026-11-23",
    "child_seen_date": "2026-11-24",
    "child_seen_alone": True,
    "factors": ["3A", "3B", "4B"],
    "primary_need": "N1",
    "specialist_assessments": [
        {"kind": "gcp2", "date": "2026-11-25", "completed_by": "sw", "score_or_summary": "Level 3 in 2 areas"}
    ],
    "recommendation": "cin_plan",
    "recommendation_summary": "Domestic abuse at home affects the child; a CIN plan is needed.",
}


async def allocated(api: Api, cases: Cases, lead: str, role: str = "social_worker", **decision: Any) -> dict[str, Any]:
    row = await cases.open(**decision)
    async with api.manager(row["team"]) as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": lead, "lead_practitioner_role": role},
            headers=etag(1),
        )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def submitted(api: Api, cases: Cases, lead: str, record: dict[str, Any] | None = None, **decision: Any) -> dict[str, Any]:
    a = await allocated(api, cases, lead, **decision)
    async with api.as_user("practitioner", teams=(a["team"],), sub=lead) as practitioner:
        r = await practitioner.patch(f"/v1/assessments/{a['id']}", json=record or RECORD, headers=etag(a["version"]))
        assert r.status_code == 200, r.text
        r = await practitioner.post(f"/v1/assessments/{a['id']}/submission", headers=etag(r.json()["version"]))
    assert r.status_code == 200, r.text
    return dict(r.json())
