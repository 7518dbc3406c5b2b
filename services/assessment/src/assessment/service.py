"""The assessment service's use cases: load, apply the domain rules, save, audit and write events
to the outbox, all in one unit of work."""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from assessment import domain
from assessment.domain import OPEN_STATUSES, Section47Status, Status
from assessment.schemas import (
    AllocationIn,
    AllocationOut,
    AssessmentOut,
    AuthorisationIn,
    ChildSummary,
    Measures,
    MeasuresOut,
    OutcomeCounts,
    RecordIn,
    ReturnIn,
    ReturnOut,
    Section47ConclusionIn,
    Section47Out,
    Section47StartIn,
    SpecialistAssessmentOut,
    TeamMeasures,
    WorklistItem,
    WorklistPage,
)
from assessment.tables import Allocation, Assessment, Child, Return, Section47
from continuum.access import load_visible
from continuum.auth import Principal, Role, require_sw_qualified_manager
from continuum.calendar import LONDON, working_days_between
from continuum.codes import AssessmentFactor, PrimaryNeedCode
from continuum.contracts import PartnerStatus, ReferralDecided, StatusChanged
from continuum.contracts.assessment import (
    AssessmentAllocated,
    AssessmentAuthorised,
    AssessmentOpened,
    AssessmentOutcome,
    AssessmentOverdue,
    AssessmentReturned,
    AssessmentRoute,
    AssessmentSubmitted,
    AssessmentWithdrawn,
    Section47Concluded,
    Section47Outcome,
    Section47Started,
    SpecialistAssessmentKind,
)
from continuum.contracts.referral import ChildCharacteristics
from continuum.errors import Problem, check_version, forbidden, invalid, not_found
from continuum.pagination import decode_cursor, encode_cursor
from continuum.policy import CouncilPolicy
from continuum.uow import UnitOfWork

_OPEN = [s.value for s in OPEN_STATUSES]


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    """Today in England: a working day begins at midnight London time."""
    return datetime.now(LONDON).date()


# --- the local copy of children -------------------------------------------------------------------


async def copy_child(uow: UnitOfWork, data: ChildCharacteristics, policy: CouncilPolicy) -> None:
    """Keep the local copy of a child's identity; an older version than the one held changes nothing.
    Assessments that opened before the child's identity arrived get their partner status now."""
    values = data.model_dump(exclude={"child_id"}) | {"id": data.child_id, "updated_at": _now()}
    values["sex"] = data.sex.value
    values["ethnicity"] = data.ethnicity.value
    values["disabilities"] = [d.value for d in data.disabilities]
    stmt = pg_insert(Child).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Child.id],
        set_={k: stmt.excluded[k] for k in values if k != "id"},
        where=Child.version < stmt.excluded.version,
    )
    await uow.session.execute(stmt)
    await uow.audit(
        "child.copy", subject_type="child", subject_id=data.child_id, purpose="keep the local copy of the child's identity"
    )
    child = await uow.session.get(Child, data.child_id, populate_existing=True)
    assert child is not None
    waiting = (
        await uow.session.execute(
            select(Assessment)
            .where(Assessment.child_id == data.child_id, Assessment.partner_status_sent.is_(False), Assessment.status.in_(_OPEN))
            .with_for_update()
        )
    ).scalars()
    for assessment in waiting:
        await _publish_partner_status(uow, assessment, child, PartnerStatus.ASSESSMENT, assessment.opened_at, policy)
        assessment.partner_status_sent = True


async def _publish_partner_status(
    uow: UnitOfWork, assessment: Assessment, child: Child, status: PartnerStatus, since: datetime, policy: CouncilPolicy
) -> None:
    """The minimum a partner needs: identifiers it already holds, the status, since when, who to call."""
    team = policy.team(assessment.team)
    await uow.publish(
        StatusChanged(
            nhs_number=child.nhs_number,
            date_of_birth=child.date_of_birth,
            status=status,
            since=since,
            responsible_team=assessment.team,
            team_contact=team.contact if team else policy.front_door_team.contact,
        ),
        subject=str(assessment.case_id),
        aggregate_version=assessment.version,
    )


# --- opening from the front door's decision ------------------------------------------------------


async def open_from_decision(uow: UnitOfWork, data: ReferralDecided, policy: CouncilPolicy) -> Assessment | None:
    """Open the assessment (and, after a strategy discussion, the section 47 enquiry) a decision asks
    for. A decision already acted on opens nothing again; a correction adjusts what it opened."""
    route = domain.route_for(data.outcome)
    existing = (
        await uow.session.execute(select(Assessment).where(Assessment.referral_id == data.referral_id).with_for_update())
    ).scalar_one_or_none()
    if existing is not None:
        if data.correction_of is not None:
            await _apply_correction(uow, existing, data, route)
        return existing
    if route is None:
        return None
    assessment = Assessment(
        id=uuid.uuid4(),
        case_id=data.case_id,
        referral_id=data.referral_id,
        child_id=data.child_id,
        team=data.team,
        route=route.value,
        referral_date=data.referral_date,
        due_date=domain.due_date(data.referral_date),
        status=Status.UNALLOCATED.value,
        opened_at=data.decided_at,
        factors=[],
        specialist_assessments=[],
        partner_status_sent=False,
        version=1,
    )
    uow.session.add(assessment)
    section47 = _new_section47(assessment) if route is AssessmentRoute.SECTION47 else None
    if section47 is not None:
        uow.session.add(section47)
    await uow.session.flush()
    await uow.publish(
        AssessmentOpened(
            assessment_id=assessment.id,
            case_id=assessment.case_id,
            child_id=assessment.child_id,
            referral_id=assessment.referral_id,
            referral_date=assessment.referral_date,
            due_date=assessment.due_date,
            team=assessment.team,
            route=route,
            section47_id=section47.id if section47 else None,
            opened_at=assessment.opened_at,
        ),
        subject=str(assessment.case_id),
        aggregate_version=assessment.version,
    )
    child = await uow.session.get(Child, assessment.child_id)
    if child is not None:
        await _publish_partner_status(uow, assessment, child, PartnerStatus.ASSESSMENT, assessment.opened_at, policy)
        assessment.partner_status_sent = True
    await uow.audit(
        "assessment.open",
        subject_type="assessment",
        subject_id=assessment.id,
        purpose="open an assessment after the front-door decision",
    )
    return assessment


def _new_section47(assessment: Assessment) -> Section47:
    return Section47(
        id=uuid.uuid4(),
        assessment_id=assessment.id,
        case_id=assessment.case_id,
        child_id=assessment.child_id,
        team=assessment.team,
        status=Section47Status.AWAITING_START.value,
        version=1,
    )


async def _apply_correction(
    uow: UnitOfWork, assessment: Assessment, data: ReferralDecided, route: AssessmentRoute | None
) -> None:
    """A corrected front-door decision: withdraw an assessment no longer wanted, follow a change of
    team while nobody holds it yet, and add the section 47 enquiry a strategy discussion needs.
    An authorised assessment is history and stays as it is."""
    if assessment.status == Status.AUTHORISED.value:
        return
    if route is None:
        if assessment.status != Status.WITHDRAWN.value:
            assessment.status = Status.WITHDRAWN.value
            assessment.version += 1
            await uow.publish(
                AssessmentWithdrawn(
                    assessment_id=assessment.id,
                    case_id=assessment.case_id,
                    child_id=assessment.child_id,
                    team=assessment.team,
                    withdrawn_at=datetime.now(UTC),
                    correction_of=data.correction_of,
                ),
                subject=str(assessment.case_id),
                aggregate_version=assessment.version,
            )
            await uow.audit(
                "assessment.withdraw",
                subject_type="assessment",
                subject_id=assessment.id,
                purpose="front-door decision corrected",
            )
        return
    if assessment.status == Status.WITHDRAWN.value:
        assessment.status = (Status.IN_PROGRESS if assessment.lead_practitioner else Status.UNALLOCATED).value
    if assessment.lead_practitioner is None:
        assessment.team = data.team
    if route is AssessmentRoute.SECTION47 and assessment.route != AssessmentRoute.SECTION47.value:
        assessment.route = route.value
        uow.session.add(_new_section47(assessment))
    assessment.version += 1
    await uow.audit(
        "assessment.correct", subject_type="assessment", subject_id=assessment.id, purpose="front-door decision corrected"
    )


# --- reading ------------------------------------------------------------------------------------


def _may_see(principal: Principal, assessment: Assessment) -> bool:
    """Practitioners and managers see their teams' assessments (and the ones they lead); auditors all."""
    return principal.can_see_team(assessment.team) or (
        assessment.lead_practitioner is not None and principal.sub == assessment.lead_practitioner
    )


async def _visible_assessment(uow: UnitOfWork, assessment_id: uuid.UUID, purpose: str, *, lock: bool = False) -> Assessment:
    """Another team's assessment answers 404, not its content; the refusal is audited."""
    return await load_visible(
        uow, Assessment, assessment_id, may_see=_may_see, subject_type="assessment", purpose=purpose, lock=lock
    )


def _section47_out(s47: Section47) -> Section47Out:
    return Section47Out.model_validate(s47, from_attributes=True)


async def _load_view(uow: UnitOfWork, a: Assessment, purpose: str) -> AssessmentOut:
    """The assessment as the API shows it, with its child: a read of the child's record, audited."""
    child = await uow.session.get(Child, a.child_id)
    await uow.audit("child.read", subject_type="child", subject_id=a.child_id, purpose=purpose)
    allocations = (
        await uow.session.execute(select(Allocation).where(Allocation.assessment_id == a.id).order_by(Allocation.allocated_at))
    ).scalars()
    returns = (
        await uow.session.execute(select(Return).where(Return.assessment_id == a.id).order_by(Return.returned_at))
    ).scalars()
    s47 = (await uow.session.execute(select(Section47).where(Section47.assessment_id == a.id))).scalar_one_or_none()
    today = _today()
    is_open = a.status in _OPEN
    return AssessmentOut(
        id=a.id,
        case_id=a.case_id,
        referral_id=a.referral_id,
        child_id=a.child_id,
        child=ChildSummary.model_validate(child, from_attributes=True) if child else None,
        team=a.team,
        route=AssessmentRoute(a.route),
        status=a.status,
        referral_date=a.referral_date,
        due_date=a.due_date,
        working_days_left=domain.working_days_left(a.due_date, today) if is_open else None,
        overdue=is_open and domain.is_overdue(a.due_date, today),
        lead_practitioner=a.lead_practitioner,
        lead_practitioner_role=a.lead_practitioner_role,
        start_date=a.start_date,
        child_seen_date=a.child_seen_date,
        child_seen_alone=a.child_seen_alone,
        factors=list(a.factors),
        primary_need=PrimaryNeedCode(a.primary_need) if a.primary_need else None,
        specialist_assessments=[SpecialistAssessmentOut.model_validate(s) for s in a.specialist_assessments],
        recommendation=AssessmentOutcome(a.recommendation) if a.recommendation else None,
        recommendation_summary=a.recommendation_summary,
        submitted_at=a.submitted_at,
        outcome=AssessmentOutcome(a.outcome) if a.outcome else None,
        authorisation_date=a.authorisation_date,
        authorised_by=a.authorised_by,
        closure_date=a.closure_date,
        closure_reason=a.closure_reason,
        allocations=[AllocationOut.model_validate(x, from_attributes=True) for x in allocations],
        returns=[ReturnOut.model_validate(x, from_attributes=True) for x in returns],
        section47=_section47_out(s47) if s47 else None,
        version=a.version,
    )


async def get_assessment(uow: UnitOfWork, assessment_id: uuid.UUID) -> AssessmentOut:
    async with uow:
        a = await _visible_assessment(uow, assessment_id, "view an assessment")
        await uow.audit("assessment.read", subject_type="assessment", subject_id=a.id, purpose="view an assessment")
        return await _load_view(uow, a, "view an assessment")


# --- allocation ---------------------------------------------------------------------------------


async def allocate(
    uow: UnitOfWork, assessment_id: uuid.UUID, data: AllocationIn, policy: CouncilPolicy, if_match: int | None
) -> AssessmentOut:
    """A social-work-qualified manager allocates the lead practitioner, or reallocates with a reason."""
    principal = uow.principal_or_fail()
    require_sw_qualified_manager(principal, action="allocating a lead practitioner")
    async with uow:
        a = await _visible_assessment(uow, assessment_id, "allocate a lead practitioner", lock=True)
        check_version(a.version, if_match, required=True)
        domain.check_allocation(Status(a.status), a.lead_practitioner, data.lead_practitioner, data.reason)
        social_worker = domain.check_lead_practitioner(
            data.lead_practitioner_role, AssessmentRoute(a.route), policy.lead_practitioners
        )
        now = _now()
        previous = a.lead_practitioner
        uow.session.add(
            Allocation(
                id=uuid.uuid4(),
                assessment_id=a.id,
                lead_practitioner=data.lead_practitioner,
                lead_practitioner_role=data.lead_practitioner_role,
                previous_lead_practitioner=previous,
                reason=data.reason,
                allocated_by=principal.sub,
                allocated_at=now,
            )
        )
        a.lead_practitioner = data.lead_practitioner
        a.lead_practitioner_role = data.lead_practitioner_role
        a.lead_is_social_worker = social_worker
        a.allocated_at = now
        if a.status == Status.UNALLOCATED.value:
            a.status = Status.IN_PROGRESS.value
        a.version += 1
        await uow.session.flush()
        await uow.publish(
            AssessmentAllocated(
                assessment_id=a.id,
                case_id=a.case_id,
                child_id=a.child_id,
                team=a.team,
                lead_practitioner=data.lead_practitioner,
                lead_practitioner_role=data.lead_practitioner_role,
                social_worker=social_worker,
                allocated_by=principal.sub,
                allocated_at=now,
                previous_lead_practitioner=previous,
            ),
            subject=str(a.case_id),
            aggregate_version=a.version,
        )
        action = "assessment.reallocate" if previous else "assessment.allocate"
        await uow.audit(action, subject_type="assessment", subject_id=a.id, purpose="allocate the lead practitioner")
        return await _load_view(uow, a, "allocate the lead practitioner")


# --- the lead practitioner's record -------------------------------------------------------------


def _check_lead(principal: Principal, a: Assessment, action: str) -> None:
    if a.lead_practitioner != principal.sub:
        raise forbidden(f"only the assessment's lead practitioner may {action}")


async def record(uow: UnitOfWork, assessment_id: uuid.UUID, data: RecordIn, if_match: int | None) -> AssessmentOut:
    """The lead practitioner records what the assessment found, a little at a time if need be."""
    principal = uow.principal_or_fail()
    today = _today()
    async with uow:
        a = await _visible_assessment(uow, assessment_id, "record an assessment", lock=True)
        check_version(a.version, if_match, required=True)
        _check_lead(principal, a, "record it")
        changes = data.model_dump(exclude_unset=True)
        domain.check_can_record(Status(a.status))
        if "factors" in changes:
            changes["factors"] = [f.value for f in domain.parse_factors(changes["factors"] or [])]
        if "specialist_assessments" in changes:
            items = data.specialist_assessments or []
            for index, item in enumerate(items):
                domain.check_specialist_date(index, item.date, today)
            changes["specialist_assessments"] = [item.model_dump(mode="json") for item in items]
        domain.check_dates(
            referral_date=a.referral_date,
            today=today,
            start_date=changes.get("start_date", a.start_date),
            child_seen_date=changes.get("child_seen_date", a.child_seen_date),
        )
        for name in ("primary_need", "recommendation"):
            if changes.get(name) is not None:
                changes[name] = changes[name].value
        for name, value in changes.items():
            setattr(a, name, value)
        a.version += 1
        await uow.session.flush()
        await uow.audit("assessment.record", subject_type="assessment", subject_id=a.id, purpose="record the assessment")
        return await _load_view(uow, a, "record the assessment")


def _record_of(a: Assessment, child: Child | None) -> domain.Record:
    return domain.Record(
        start_date=a.start_date,
        child_seen_date=a.child_seen_date,
        child_seen_alone=a.child_seen_alone,
        factors=[AssessmentFactor(f) for f in a.factors],
        primary_need=PrimaryNeedCode(a.primary_need) if a.primary_need else None,
        recommendation=AssessmentOutcome(a.recommendation) if a.recommendation else None,
        recommendation_summary=a.recommendation_summary,
        unborn=child is not None and child.date_of_birth is None and child.expected_date_of_birth is not None,
    )


async def submit(uow: UnitOfWork, assessment_id: uuid.UUID, if_match: int | None) -> AssessmentOut:
    principal = uow.principal_or_fail()
    async with uow:
        a = await _visible_assessment(uow, assessment_id, "submit an assessment", lock=True)
        check_version(a.version, if_match, required=True)
        _check_lead(principal, a, "submit it")
        child = await uow.session.get(Child, a.child_id)
        domain.check_can_submit(Status(a.status), _record_of(a, child))
        now = _now()
        a.status = Status.SUBMITTED.value
        a.submitted_at = now
        a.submitted_by = principal.sub
        a.version += 1
        await uow.session.flush()
        assert a.recommendation is not None
        await uow.publish(
            AssessmentSubmitted(
                assessment_id=a.id,
                case_id=a.case_id,
                child_id=a.child_id,
                team=a.team,
                submitted_by=principal.sub,
                submitted_at=now,
                recommendation=AssessmentOutcome(a.recommendation),
            ),
            subject=str(a.case_id),
            aggregate_version=a.version,
        )
        await uow.audit(
            "assessment.submit", subject_type="assessment", subject_id=a.id, purpose="submit the assessment for authorisation"
        )
        return await _load_view(uow, a, "submit the assessment")


# --- the manager's review -----------------------------------------------------------------------


async def return_assessment(uow: UnitOfWork, assessment_id: uuid.UUID, data: ReturnIn, if_match: int | None) -> AssessmentOut:
    principal = uow.principal_or_fail()
    require_sw_qualified_manager(principal, action="returning an assessment")
    async with uow:
        a = await _visible_assessment(uow, assessment_id, "return an assessment", lock=True)
        check_version(a.version, if_match, required=True)
        domain.check_can_review(Status(a.status))
        now = _now()
        uow.session.add(
            Return(id=uuid.uuid4(), assessment_id=a.id, reasons=data.reasons, returned_by=principal.sub, returned_at=now)
        )
        a.status = Status.IN_PROGRESS.value
        a.submitted_at = None
        a.submitted_by = None
        a.version += 1
        await uow.session.flush()
        await uow.publish(
            AssessmentReturned(
                assessment_id=a.id,
                case_id=a.case_id,
                child_id=a.child_id,
                team=a.team,
                returned_by=principal.sub,
                returned_at=now,
            ),
            subject=str(a.case_id),
            aggregate_version=a.version,
        )
        await uow.audit(
            "assessment.return",
            subject_type="assessment",
            subject_id=a.id,
            purpose="return the assessment to the lead practitioner",
        )
        return await _load_view(uow, a, "return the assessment")


async def authorise(
    uow: UnitOfWork, assessment_id: uuid.UUID, data: AuthorisationIn, policy: CouncilPolicy, if_match: int | None
) -> AssessmentOut:
    """A social-work-qualified manager authorises the submitted assessment and decides the outcome."""
    principal = uow.principal_or_fail()
    require_sw_qualified_manager(principal, action="authorising an assessment")
    async with uow:
        a = await _visible_assessment(uow, assessment_id, "authorise an assessment", lock=True)
        check_version(a.version, if_match, required=True)
        factors = [AssessmentFactor(f) for f in a.factors]
        domain.check_can_review(Status(a.status))
        assert a.start_date is not None and a.primary_need is not None
        domain.check_authorisation(authorisation_date=data.authorisation_date, start_date=a.start_date, today=_today())
        domain.check_primary_need(PrimaryNeedCode(a.primary_need), data.outcome, factors)
        closure = domain.closure_for(data.outcome, data.authorisation_date)
        now = _now()
        a.status = Status.AUTHORISED.value
        a.outcome = data.outcome.value
        a.authorisation_date = data.authorisation_date
        a.authorised_by = principal.sub
        a.authorised_at = now
        a.closure_date = closure.closed_on if closure else None
        a.closure_reason = closure.reason.value if closure else None
        a.version += 1
        await uow.session.flush()
        s47_id = (await uow.session.execute(select(Section47.id).where(Section47.assessment_id == a.id))).scalar_one_or_none()
        working_days = working_days_between(a.referral_date, data.authorisation_date)
        assert a.lead_practitioner is not None and a.lead_practitioner_role is not None
        await uow.publish(
            AssessmentAuthorised(
                assessment_id=a.id,
                case_id=a.case_id,
                child_id=a.child_id,
                referral_id=a.referral_id,
                team=a.team,
                route=AssessmentRoute(a.route),
                section47_id=s47_id,
                lead_practitioner=a.lead_practitioner,
                lead_practitioner_role=a.lead_practitioner_role,
                authorised_by=principal.sub,
                referral_date=a.referral_date,
                start_date=a.start_date,
                authorisation_date=data.authorisation_date,
                due_date=a.due_date,
                working_days=working_days,
                within_timescale=working_days <= domain.ASSESSMENT_WORKING_DAYS,
                child_seen_date=a.child_seen_date,
                child_seen_alone=a.child_seen_alone,
                factors=factors,
                primary_need=PrimaryNeedCode(a.primary_need),
                specialist_assessments=[SpecialistAssessmentKind(s["kind"]) for s in a.specialist_assessments],
                outcome=data.outcome,
                closure_date=a.closure_date,
                reason_for_closure=closure.reason if closure else None,
            ),
            subject=str(a.case_id),
            aggregate_version=a.version,
        )
        if closure is not None:
            child = await uow.session.get(Child, a.child_id)
            if child is not None:
                status = PartnerStatus.CLOSED if data.outcome is AssessmentOutcome.NFA else PartnerStatus.STEPPED_DOWN
                await _publish_partner_status(uow, a, child, status, now, policy)
        await uow.audit("assessment.authorise", subject_type="assessment", subject_id=a.id, purpose="authorise the assessment")
        return await _load_view(uow, a, "authorise the assessment")


# --- section 47 ---------------------------------------------------------------------------------


async def _visible_section47(
    uow: UnitOfWork, section47_id: uuid.UUID, purpose: str, *, lock: bool = False
) -> tuple[Section47, Assessment]:
    stmt = select(Section47).where(Section47.id == section47_id)
    if lock:
        stmt = stmt.with_for_update()
    s47 = (await uow.session.execute(stmt)).scalar_one_or_none()
    assessment = await uow.session.get(Assessment, s47.assessment_id) if s47 else None
    if s47 is None or assessment is None or not _may_see(uow.principal_or_fail(), assessment):
        uow.audit_refusal("section47.read", subject_type="section47", subject_id=section47_id, purpose=purpose)
        raise not_found("Section 47 enquiry")
    return s47, assessment


def _check_section47_actor(principal: Principal, a: Assessment) -> None:
    """Section 47 work is a social worker's: the lead practitioner in a social-work role, or a
    social-work-qualified manager."""
    if principal.has(Role.MANAGER) and principal.sw_qualified:
        return
    if a.lead_practitioner == principal.sub and a.lead_is_social_worker:
        return
    raise Problem(
        403,
        "not-sw-qualified",
        "Section 47 work needs a social worker",
        detail="the lead practitioner (a social worker) or a social-work-qualified manager records section 47 enquiries",
    )


async def get_section47(uow: UnitOfWork, section47_id: uuid.UUID) -> Section47Out:
    async with uow:
        s47, _ = await _visible_section47(uow, section47_id, "view a section 47 enquiry")
        await uow.audit("section47.read", subject_type="section47", subject_id=s47.id, purpose="view a section 47 enquiry")
        return _section47_out(s47)


async def start_section47(uow: UnitOfWork, section47_id: uuid.UUID, data: Section47StartIn, if_match: int | None) -> Section47Out:
    principal = uow.principal_or_fail()
    async with uow:
        s47, a = await _visible_section47(uow, section47_id, "start a section 47 enquiry", lock=True)
        check_version(s47.version, if_match, required=True)
        _check_section47_actor(principal, a)
        domain.check_section47_start(
            Section47Status(s47.status),
            referral_date=a.referral_date,
            strategy_discussion_date=data.strategy_discussion_date,
            start_date=data.start_date,
            today=_today(),
        )
        s47.status = Section47Status.STARTED.value
        s47.strategy_discussion_date = data.strategy_discussion_date
        s47.start_date = data.start_date
        s47.icpc_target_date = domain.icpc_target(data.strategy_discussion_date)
        s47.started_by = principal.sub
        s47.version += 1
        await uow.session.flush()
        await uow.publish(
            Section47Started(
                section47_id=s47.id,
                assessment_id=a.id,
                case_id=s47.case_id,
                child_id=s47.child_id,
                team=s47.team,
                strategy_discussion_date=data.strategy_discussion_date,
                start_date=data.start_date,
                icpc_target_date=s47.icpc_target_date,
                started_by=principal.sub,
            ),
            subject=str(s47.case_id),
            aggregate_version=s47.version,
        )
        await uow.audit("section47.start", subject_type="section47", subject_id=s47.id, purpose="start a section 47 enquiry")
        return _section47_out(s47)


async def conclude_section47(
    uow: UnitOfWork, section47_id: uuid.UUID, data: Section47ConclusionIn, if_match: int | None
) -> Section47Out:
    principal = uow.principal_or_fail()
    async with uow:
        s47, a = await _visible_section47(uow, section47_id, "conclude a section 47 enquiry", lock=True)
        check_version(s47.version, if_match, required=True)
        _check_section47_actor(principal, a)
        domain.check_section47_conclusion(
            Section47Status(s47.status),
            start_date=s47.start_date,
            icpc_date=data.icpc_date,
            icpc_not_required=data.icpc_not_required,
            outcome=data.outcome,
            today=_today(),
        )
        now = _now()
        s47.status = Section47Status.CONCLUDED.value
        s47.icpc_date = data.icpc_date
        s47.icpc_not_required = data.icpc_not_required
        s47.outcome = data.outcome.value
        s47.concluded_by = principal.sub
        s47.concluded_at = now
        s47.version += 1
        await uow.session.flush()
        assert s47.start_date is not None and s47.icpc_target_date is not None
        await uow.publish(
            Section47Concluded(
                section47_id=s47.id,
                assessment_id=a.id,
                case_id=s47.case_id,
                child_id=s47.child_id,
                team=s47.team,
                start_date=s47.start_date,
                icpc_target_date=s47.icpc_target_date,
                icpc_date=data.icpc_date,
                icpc_not_required=data.icpc_not_required,
                icpc_within_target=data.icpc_date <= s47.icpc_target_date if data.icpc_date else None,
                outcome=Section47Outcome(data.outcome),
                concluded_by=principal.sub,
                concluded_at=now,
            ),
            subject=str(s47.case_id),
            aggregate_version=s47.version,
        )
        await uow.audit(
            "section47.conclude", subject_type="section47", subject_id=s47.id, purpose="conclude a section 47 enquiry"
        )
        return _section47_out(s47)


# --- the team worklist --------------------------------------------------------------------------


def _visible_teams(principal: Principal, team: str | None, policy: CouncilPolicy, what: str) -> list[str] | None:
    """The teams a list may show: ``None`` for all. Another team's list answers 404."""
    if team is not None:
        if policy.team(team) is None or not principal.can_see_team(team):
            raise not_found(what)
        return [team]
    return None if principal.sees_all_teams else sorted(principal.teams)


async def worklist(uow: UnitOfWork, policy: CouncilPolicy, *, team: str | None, cursor: str | None, limit: int) -> WorklistPage:
    """Open assessments, fewest working days left first (the most overdue at the top)."""
    principal = uow.principal_or_fail()
    stmt = (
        select(Assessment, Child.given_name, Child.family_name)
        .outerjoin(Child, Child.id == Assessment.child_id)
        .where(Assessment.status.in_(_OPEN))
        .order_by(Assessment.due_date, Assessment.id)
        .limit(limit + 1)
    )
    if cursor:
        due, aid = decode_cursor(cursor, date.fromisoformat)
        stmt = stmt.where((Assessment.due_date > due) | ((Assessment.due_date == due) & (Assessment.id > aid)))
    today = _today()
    async with uow:
        try:
            teams = _visible_teams(principal, team, policy, "Team worklist")
        except Problem:
            uow.audit_refusal("child.list", subject_type="team", subject_id=team, purpose="assessment worklist")
            raise
        if teams is not None:
            stmt = stmt.where(Assessment.team.in_(teams))
        rows = (await uow.session.execute(stmt)).all()
        page, more = rows[:limit], len(rows) > limit
        items = [
            WorklistItem(
                assessment_id=r.Assessment.id,
                case_id=r.Assessment.case_id,
                child_id=r.Assessment.child_id,
                child_name=f"{r.given_name} {r.family_name}" if r.given_name else None,
                team=r.Assessment.team,
                route=AssessmentRoute(r.Assessment.route),
                status=r.Assessment.status,
                lead_practitioner=r.Assessment.lead_practitioner,
                referral_date=r.Assessment.referral_date,
                due_date=r.Assessment.due_date,
                working_days_left=domain.working_days_left(r.Assessment.due_date, today),
                overdue=domain.is_overdue(r.Assessment.due_date, today),
            )
            for r in page
        ]
        for item in items:
            await uow.audit("child.list", subject_type="child", subject_id=item.child_id, purpose="assessment worklist")
        next_cursor = encode_cursor(page[-1].Assessment.due_date, page[-1].Assessment.id) if more and page else None
        return WorklistPage(items=items, next_cursor=next_cursor)


# --- measures -----------------------------------------------------------------------------------


def _measures(rows: Sequence[Any]) -> dict[str, Any]:
    from_referral = [working_days_between(r.referral_date, r.authorisation_date) for r in rows]
    from_start = [working_days_between(r.start_date, r.authorisation_date) for r in rows if r.start_date]
    outcomes = OutcomeCounts()
    for r in rows:
        setattr(outcomes, r.outcome, getattr(outcomes, r.outcome) + 1)
    return {
        "completed": len(rows),
        "median_working_days": float(statistics.median(from_referral)) if from_referral else None,
        "median_working_days_from_start": float(statistics.median(from_start)) if from_start else None,
        "within_45_working_days": (
            round(sum(d <= domain.ASSESSMENT_WORKING_DAYS for d in from_referral) / len(from_referral), 4)
            if from_referral
            else None
        ),
        "outcomes": outcomes,
    }


async def measures(uow: UnitOfWork, policy: CouncilPolicy, *, date_from: date, date_to: date, team: str | None) -> MeasuresOut:
    """Assessments authorised in the range (inclusive): how many, how long, how many in time, outcomes."""
    principal = uow.principal_or_fail()
    if date_to < date_from:
        raise invalid("to", "is before from")
    teams = _visible_teams(principal, team, policy, "Team measures")
    stmt = select(
        Assessment.team, Assessment.referral_date, Assessment.start_date, Assessment.authorisation_date, Assessment.outcome
    ).where(
        Assessment.status == Status.AUTHORISED.value,
        Assessment.authorisation_date >= date_from,
        Assessment.authorisation_date <= date_to,
    )
    if teams is not None:
        stmt = stmt.where(Assessment.team.in_(teams))
    async with uow:
        rows = (await uow.session.execute(stmt)).all()
    by_team: dict[str, list[Any]] = {}
    for r in rows:
        by_team.setdefault(r.team, []).append(r)
    return MeasuresOut(
        date_from=date_from,
        date_to=date_to,
        by_team=[TeamMeasures(team=t, **_measures(team_rows)) for t, team_rows in sorted(by_team.items())],
        **Measures(**_measures(rows)).model_dump(),
    )


# --- timeliness: the overdue scheduler's use case ------------------------------------------------


async def flag_overdue(uow: UnitOfWork, *, today: date, batch_size: int) -> int:
    """Flag open assessments past their due date and write one ``assessment.overdue`` each.

    One statement claims and flags the rows (``UPDATE ... WHERE overdue_notified_at IS NULL ...
    RETURNING``) in the same transaction as the outbox rows. A second replica running at the same
    moment skips rows the first has locked, and the ``IS NULL`` condition, re-checked on the row
    after any lock wait, stops it from flagging a row the first one already flagged: each
    assessment's event is written exactly once. Returns how many were flagged.
    """
    now = _now()
    pending = (
        select(Assessment.id)
        .where(
            Assessment.status.in_(_OPEN),
            Assessment.due_date < today,
            Assessment.overdue_notified_at.is_(None),
        )
        .order_by(Assessment.due_date, Assessment.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        update(Assessment)
        .where(Assessment.id.in_(pending), Assessment.overdue_notified_at.is_(None))
        .values(overdue_notified_at=now)
        .returning(
            Assessment.id,
            Assessment.case_id,
            Assessment.child_id,
            Assessment.team,
            Assessment.lead_practitioner,
            Assessment.due_date,
            Assessment.version,
        )
        .execution_options(synchronize_session=False)
    )
    async with uow:
        rows = (await uow.session.execute(stmt)).all()
        for r in rows:
            await uow.publish(
                AssessmentOverdue(
                    assessment_id=r.id,
                    case_id=r.case_id,
                    child_id=r.child_id,
                    team=r.team,
                    lead_practitioner=r.lead_practitioner,
                    due_date=r.due_date,
                    detected_at=now,
                ),
                subject=str(r.case_id),
                aggregate_version=r.version,
            )
            await uow.audit(
                "assessment.overdue", subject_type="assessment", subject_id=r.id, purpose="flag an assessment past its due date"
            )
        return len(rows)
