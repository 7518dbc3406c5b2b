"""Helpers for the step-down service's tests: API clients per user, the events of the three
producers (handed to the real consumer, through the broker or straight to its handler), and
database reads that prove a refused request changed nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx

from continuum.auth import mint_dev_token
from continuum.codes import AssessmentFactor, Disability, Ethnicity, PrimaryNeedCode, ReasonForClosure, ReferralSource, Sex
from continuum.contracts import ChildRegistered, DecisionOutcome, Envelope, EventData, ReferralDecided
from continuum.contracts.assessment import AssessmentAuthorised, AssessmentOutcome, AssessmentRoute
from continuum.contracts.plan import ActionSummary, NextStep, PlanEnded, PlanType
from continuum.testing import ServiceCases, assert_problem, eventually, remember_personal_data, send_events, unique
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


def authorised(
    *,
    outcome: str = "cin_plan",
    case_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
    team: str = "north",
    referral_date: date = date(2026, 4, 1),
    on: date = date(2026, 5, 20),
) -> Envelope[Any]:
    case = case_id or uuid.uuid4()
    data = AssessmentAuthorised(
        assessment_id=uuid.uuid4(),
        case_id=case,
        child_id=child_id or uuid.uuid4(),
        referral_id=uuid.uuid4(),
        team=team,
        route=AssessmentRoute.SECTION17,
        section47_id=None,
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
) -> Envelope[Any]:
    data = PlanEnded(
        plan_id=uuid.uuid4(),
        case_id=case_id,
        child_id=child_id,
        team=team,
        plan_type=PlanType.CIN,
        start_date=date(2026, 6, 1),
        end_date=end_date,
        next_step=NextStep(next_step),
        unmet_need=unmet_need,
        actions=ACTIONS,
        latest_category_of_abuse=None,
        reason_for_closure=reason_for_closure,
    )
    return _wrap(data, "plan", case_id)


def child_registered(child_id: uuid.UUID, *, version: int = 1, nhs_number: str | None = "9434765919") -> Envelope[Any]:
    given, family = unique("Given").replace("-", ""), unique("Family").replace("-", "")
    remember_personal_data(given, family)
    data = ChildRegistered(
        child_id=child_id,
        la_child_id=unique("LA"),
        given_name=given,
        family_name=family,
        date_of_birth=date(2016, 3, 14),
        expected_date_of_birth=None,
        sex=Sex.FEMALE,
        ethnicity=Ethnicity.WHITE_BRITISH,
        disabilities=[Disability.NONE],
        upn=None,
        nhs_number=nhs_number,
        postcode="EX1 1AA",
        version=version,
    )
    return _wrap(data, "referral", child_id)


async def publish(bootstrap: str, topic: str, *messages: Envelope[Any] | tuple[str, bytes], key: str | None = None) -> None:
    """Send events (or raw ``(key, bytes)``) to a topic, as the producing service's relay would."""
    await send_events(bootstrap, topic, *messages, key=key)


class Cases(ServiceCases):
    """Direct access to the service's database and its consumer's handlers (no broker)."""

    async def pending_handover(self, *, team: str = "north", with_child: bool = True) -> dict[str, Any]:
        """A CIN plan ended with a step down to early help (after its assessment): the step-down's row."""
        child = uuid.uuid4()
        a = authorised(child_id=child, team=team)
        if with_child:
            await self.deliver(child_registered(child))
        await self.deliver(a)
        await self.deliver(plan_ended(case_id=a.data.case_id, child_id=child, team=team))
        row = await self.row("SELECT * FROM stepdowns WHERE case_id = :c", c=a.data.case_id)
        assert row is not None
        return row

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
    "plan_ended",
    "publish",
]
