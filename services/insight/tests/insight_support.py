"""Helpers for the insight service's tests: API clients per user, the events of the four producers
(handed to the real consumer, through the broker or straight to its handler), and one child's
journey across the services as its events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from continuum.contracts import (
    DecisionOutcome,
    Envelope,
    EventData,
    InformationRequested,
    ReferralDecided,
    ReferralReceived,
    ThresholdLevel,
)
from continuum.contracts.assessment import AssessmentOpened, AssessmentRoute
from continuum.contracts.codes import ReasonForClosure, ReferralSource
from continuum.contracts.stepdown import CaseClosed
from continuum.web.auth import mint_dev_token
from continuum_tools.testing import (
    ServiceCases,
    assert_problem,
    child_event,
    eventually,
    unique,
)
from insight.settings import InsightSettings

#: When the journeys of these tests begin.
START = datetime(2026, 10, 1, 9, tzinfo=UTC)


class Api:
    """An HTTP client for the insight API, acting as one user."""

    def __init__(self, app: Any, settings: InsightSettings) -> None:
        self.app = app
        self.settings = settings

    def as_user(self, *roles: str, teams: tuple[str, ...] = ("north",), sub: str | None = None) -> httpx.AsyncClient:
        token = mint_dev_token(self.settings, sub=sub or unique("user"), roles=list(roles), teams=list(teams), sw_qualified=True)
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://insight", headers={"Authorization": f"Bearer {token}"}
        )


def wrap(data: EventData, source: str, subject: uuid.UUID, *, at: datetime) -> Envelope[Any]:
    """The envelope the producer's relay would publish, its time ``at``."""
    return Envelope.wrap(data, source=source, subject=str(subject), aggregate_version=1).model_copy(update={"time": at})


def child_registered(child_id: uuid.UUID, *, at: datetime = START, version: int = 1) -> Envelope[Any]:
    return wrap(child_event(child_id, version=version, nhs_number=None), "referral", child_id, at=at)


def received(*, case_id: uuid.UUID, child_id: uuid.UUID, at: datetime, team: str | None = "north") -> Envelope[Any]:
    data = ReferralReceived(
        referral_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        received_at=at,
        source=ReferralSource.POLICE,
        referrer_agency="Devon and Cornwall Police",
        suggested_threshold=ThresholdLevel.CHILD_IN_NEED,
        re_referral=False,
        decision_due_at=at + timedelta(days=1),
        team=team,
    )
    return wrap(data, "referral", case_id, at=at)


def decided(
    *, case_id: uuid.UUID, child_id: uuid.UUID, at: datetime, team: str = "north", outcome: str = "assessment"
) -> Envelope[Any]:
    data = ReferralDecided(
        referral_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        received_at=at,
        referral_date=at.date(),
        source=ReferralSource.POLICE,
        outcome=DecisionOutcome(outcome),
        team=team,
        decided_by="fd-manager",
        decided_at=at,
        within_one_working_day=True,
    )
    return wrap(data, "referral", case_id, at=at)


def information_requested(*, case_id: uuid.UUID, at: datetime) -> Envelope[Any]:
    """A request to a partner agency: it names the case, not the child."""
    data = InformationRequested(
        request_id=uuid.uuid4(), referral_id=uuid.uuid4(), case_id=case_id, agency="GP surgery", due_at=at
    )
    return wrap(data, "referral", case_id, at=at)


def assessment_opened(*, case_id: uuid.UUID, child_id: uuid.UUID, at: datetime, team: str = "north") -> Envelope[Any]:
    data = AssessmentOpened(
        assessment_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        referral_id=uuid.uuid4(),
        referral_date=at.date(),
        due_date=at.date() + timedelta(days=63),
        team=team,
        route=AssessmentRoute.SECTION17,
        section47_id=None,
        opened_at=at,
    )
    return wrap(data, "assessment", case_id, at=at)


def case_closed(*, case_id: uuid.UUID, child_id: uuid.UUID, at: datetime, team: str = "north") -> Envelope[Any]:
    data = CaseClosed(
        case_id=case_id,
        child_id=child_id,
        team=team,
        stepdown_id=uuid.uuid4(),
        kind="close",
        referral_date=START.date(),
        closure_date=at.date(),
        reason_for_closure=ReasonForClosure("RC8"),
        referral_nfa=False,
        assessed=True,
        unmet_need=False,
        actions=None,
        closed_at=at,
    )
    return wrap(data, "stepdown", case_id, at=at)


def journey(child_id: uuid.UUID, *, team: str = "north") -> list[Envelope[Any]]:
    """One child's episode across three services, in the order it happened (a day apart), the
    child's identity first."""
    case = uuid.uuid4()
    day = timedelta(days=1)
    return [
        child_registered(child_id, at=START),
        received(case_id=case, child_id=child_id, at=START + day, team=team),
        information_requested(case_id=case, at=START + 2 * day),
        decided(case_id=case, child_id=child_id, at=START + 3 * day, team=team),
        assessment_opened(case_id=case, child_id=child_id, at=START + 4 * day, team=team),
        case_closed(case_id=case, child_id=child_id, at=START + 5 * day, team=team),
    ]


class Cases(ServiceCases):
    """Direct access to the service's database and its consumer's handler (no broker)."""

    async def deliver_all(self, events: list[Envelope[Any]]) -> list[str]:
        return [await self.deliver(e) for e in events]


__all__ = [
    "START",
    "Api",
    "Cases",
    "assert_problem",
    "assessment_opened",
    "case_closed",
    "child_registered",
    "decided",
    "eventually",
    "information_requested",
    "journey",
    "received",
    "wrap",
]
