"""The events the plan service consumes, as steps inside the consumer's transaction: an authorised
assessment or a concluded section 47 enquiry drafts a plan (once per case and plan type; the two
meet in one CP plan in either order); the child's identity is copied, and an NHS number it brings
sends the status of the child's active plan to partners; an opened assessment, a drafted plan,
and step-down's closures and reopenings say whether the episode is open (for pre-proceedings)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import ChildRegistered, ChildUpdated
from continuum.contracts.assessment import AssessmentAuthorised, AssessmentOpened, Section47Concluded
from continuum.contracts.plan import PlanType
from continuum.contracts.stepdown import CaseClosed, CaseReopened
from continuum.persistence.child_copy import keep_child_copy
from continuum.persistence.uow import Transaction
from plan import domain, episode_repository, repository
from plan.domain import ChildIdentity, Events, PlanState
from plan.domain.drafting import plan_type_for
from plan.tables import Child
from plan.use_cases.steps import publish_change

PURPOSE = "draft a plan after the assessment"


async def _keep(
    tx: Transaction, existing: PlanState | None, drafted: PlanState | None, events: Events, *, now: datetime, change: str
) -> None:
    """Save what the domain drafted (``None``: nothing asked for, or nothing new): a new plan opens
    what the service knows of its episode."""
    if drafted is None:
        return
    new = existing is None
    if new:
        known = await episode_repository.episode(tx, drafted.case_id)
        episode = domain.episodes.opened(
            known, case_id=drafted.case_id, child_id=drafted.child_id, team=drafted.team, opened_on=None
        )
        await episode_repository.save_episode(tx, episode, at=now)
    await publish_change(tx, drafted, events, change="plan.draft" if new else change, at=now, purpose=PURPOSE, new=new)


async def receive_authorised(tx: Transaction, *, authorised: AssessmentAuthorised, policy: CouncilPolicy) -> None:
    """A CIN plan or child protection outcome drafts the plan with the assessed needs; when the
    case already has that plan open (the conference drafted it), the needs are added to it."""
    plan_type = plan_type_for(authorised.outcome)
    if plan_type is None:
        return
    now = clock.now()
    existing = await repository.open_plan_of(tx, authorised.case_id, plan_type)
    drafted, events = domain.drafting.draft_from_assessment(
        authorised, existing=existing, plan_id=uuid.uuid4(), now=now, today=clock.london_date(now), policy=policy
    )
    await _keep(tx, existing, drafted, events, now=now, change="plan.assessed")


async def receive_concluded(tx: Transaction, *, concluded: Section47Concluded) -> None:
    """A conference that decided a child protection plan drafts it, or gives its date to the CP
    plan the assessment drafted first."""
    now = clock.now()
    existing = await repository.open_plan_of(tx, concluded.case_id, PlanType.CP)
    drafted, events = domain.drafting.draft_from_section47(concluded, existing=existing, plan_id=uuid.uuid4(), now=now)
    await _keep(tx, existing, drafted, events, now=now, change="plan.conference")


async def receive_imported(
    tx: Transaction, casework: AssessmentAuthorised | Section47Concluded, *, opened_on: date | None
) -> None:
    """An imported authorisation or conference (decision 59): its episode is known (open unless a
    closure already arrived), and no plan is drafted: the plan service imports its own plans."""
    known = await episode_repository.episode(tx, casework.case_id)
    episode = domain.episodes.opened(
        known, case_id=casework.case_id, child_id=casework.child_id, team=casework.team, opened_on=opened_on
    )
    if episode != known:
        await episode_repository.save_episode(tx, episode, at=clock.now())


async def receive_child(tx: Transaction, *, child: ChildRegistered | ChildUpdated, policy: CouncilPolicy) -> None:
    """Keep the local copy of the child's identity (an older version changes nothing). When it
    brings an NHS number the copy did not have (or another one), the status of the child's active
    plan goes to partners again, under the number they can match (the kernel's ``keep_child_copy``)."""

    async def announce(tx: Transaction, copy: Child, known_before: str | None) -> Events:
        identity = ChildIdentity(copy.nhs_number, copy.date_of_birth)
        return [
            event
            for plan in await repository.active_plans_of_child(tx, copy.id)
            for event in domain.lifecycle.child_identified(plan, child=identity, known_before=known_before, policy=policy)
        ]

    await keep_child_copy(tx, Child, child, announce=announce)


async def receive_opened(tx: Transaction, *, opened: AssessmentOpened) -> None:
    """An assessment opened: the episode is known, open unless a closure already arrived."""
    known = await episode_repository.episode(tx, opened.case_id)
    episode = domain.episodes.opened(
        known, case_id=opened.case_id, child_id=opened.child_id, team=opened.team, opened_on=opened.referral_date
    )
    await episode_repository.save_episode(tx, episode, at=clock.now())


async def receive_closed(tx: Transaction, *, closed: CaseClosed) -> None:
    """Step-down closed the episode (census CINclosureDate): no new pre-proceedings for it."""
    known = await episode_repository.episode(tx, closed.case_id)
    episode = domain.episodes.closed(
        known, case_id=closed.case_id, child_id=closed.child_id, team=closed.team, closure_date=closed.closure_date
    )
    await episode_repository.save_episode(tx, episode, at=clock.now())


async def receive_reopened(tx: Transaction, *, reopened: CaseReopened) -> None:
    """A corrected closure was withdrawn: the episode is open again."""
    known = await episode_repository.episode(tx, reopened.case_id)
    episode = domain.episodes.reopened(known, closure_date=reopened.closure_date)
    if episode is not None and episode != known:
        await episode_repository.save_episode(tx, episode, at=clock.now())
