"""The referral service's use cases: load, apply the domain rules, save, audit and write events
to the outbox, all in one unit of work."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError

from continuum.access import load_visible
from continuum.auth import Principal, Role
from continuum.codes import ReferralSource, Sex
from continuum.contracts import (
    ChildRegistered,
    ChildUpdated,
    InformationReceived,
    InformationRequested,
    PartnerStatus,
    ReferralDecided,
    ReferralReceived,
    StatusChanged,
    ThresholdLevel,
)
from continuum.errors import FieldError, Problem, RuleBroken, check_version, invalid, not_found
from continuum.pagination import decode_cursor, encode_cursor
from continuum.policy import CouncilPolicy
from continuum.uow import UnitOfWork, request_fingerprint
from referral import domain
from referral.schemas import (
    Agency,
    ChildIn,
    ChildOut,
    ChildPatch,
    CorrectionIn,
    DecisionIn,
    DecisionOut,
    InformationAnswerIn,
    InformationRequestIn,
    InformationRequestOut,
    LawfulBasis,
    PossibleMatch,
    QueueItem,
    QueuePage,
    ReferralIn,
    ReferralOut,
    Referrer,
)
from referral.tables import Child, Decision, InformationRequest, Referral


def _now() -> datetime:
    return datetime.now(UTC)


def _check_team(policy: CouncilPolicy, team: str, field: str = "team") -> None:
    if policy.team(team) is None:
        known = ", ".join(t.id for t in policy.teams)
        raise invalid(field, f"unknown team {team!r}; the council's teams are: {known}")


# --- children -----------------------------------------------------------------------------------


def child_out(child: Child) -> ChildOut:
    return ChildOut.model_validate(child, from_attributes=True)


def _child_event_data(child: Child) -> dict[str, Any]:
    return {
        "child_id": child.id,
        "la_child_id": child.la_child_id,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth": child.date_of_birth,
        "expected_date_of_birth": child.expected_date_of_birth,
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "disabilities": child.disabilities,
        "upn": child.upn,
        "nhs_number": child.nhs_number,
        "postcode": child.postcode,
        "version": child.version,
    }


def _check_child(values: ChildIn | Child, today: date, field_prefix: str = "") -> None:
    try:
        domain.check_child_identity(
            date_of_birth=values.date_of_birth,
            expected_date_of_birth=values.expected_date_of_birth,
            sex=Sex(values.sex),
            upn=values.upn,
            nhs_number=values.nhs_number,
            postcode=values.postcode,
            today=today,
        )
    except RuleBroken as exc:
        raise exc.problem(field_prefix) from exc


# Intake's statements are built once and bound per request: building them is most of the cost.
_SAME_CHILD = select(Child).where(or_(Child.nhs_number == bindparam("nhs_number"), Child.upn == bindparam("upn"))).limit(1)
_SAME_NAME_AND_BIRTH = select(Child.id, Child.la_child_id).where(
    func.lower(Child.family_name) == bindparam("family_name"),
    func.lower(Child.given_name) == bindparam("given_name"),
    Child.date_of_birth == bindparam("date_of_birth"),
)
_EARLIER_REFERRALS = select(Referral.received_at).where(Referral.child_id == bindparam("child_id"))
_CHILD_TEAMS = select(Referral.team, Referral.allocated_team).where(Referral.child_id == bindparam("child_id"))


async def _find_same_child(uow: UnitOfWork, data: ChildIn) -> Child | None:
    """The same NHS number or UPN is the same child."""
    if not (data.nhs_number or data.upn):
        return None
    params = {"nhs_number": data.nhs_number, "upn": data.upn}  # a None never matches: NULL = NULL is not true
    return (await uow.session.execute(_SAME_CHILD, params)).scalar_one_or_none()


async def possible_matches(uow: UnitOfWork, data: ChildIn) -> list[PossibleMatch]:
    """Children with the same name and date of birth: offered to a person, never merged."""
    if data.date_of_birth is None:
        return []
    params = {"family_name": data.family_name.lower(), "given_name": data.given_name.lower(), "date_of_birth": data.date_of_birth}
    rows = (await uow.session.execute(_SAME_NAME_AND_BIRTH, params)).all()
    return [
        PossibleMatch(child_id=r.id, la_child_id=r.la_child_id, matched_on=["given_name", "family_name", "date_of_birth"])
        for r in rows
    ]


def _sees_every_child(principal: Principal | None) -> bool:
    """The front door works across the council, so it sees every registered child (and so do
    auditors, admins and services); a consumer acting for the service has no principal."""
    return principal is None or principal.sees_all_teams or principal.has(Role.FRONT_DOOR)


async def _may_see_child(uow: UnitOfWork, child: Child) -> bool:
    """Others see a child once it has a referral of one of their teams (referred or allocated)."""
    principal = uow.principal
    if _sees_every_child(principal):
        return True
    assert principal is not None
    teams = (await uow.session.execute(_CHILD_TEAMS, {"child_id": child.id})).all()
    return any(principal.can_see_team(t) for row in teams for t in row)


def _front_door_review(uow: UnitOfWork, candidates: list[uuid.UUID], field: str) -> Problem:
    """A match the caller may not see: the answer names no child, the refusal is audited."""
    for candidate in candidates:
        uow.audit_refusal("child.match", subject_type="child", subject_id=candidate, purpose="registration matched a child")
    return Problem(
        409,
        "front-door-review",
        "This child may already be registered: the front door must review it",
        detail="ask the front door to register the child or to refer the registered child",
        errors=[FieldError(field, "may match a registered child; the front door reviews it")],
    )


async def _match_registered(uow: UnitOfWork, same: Child, data: ChildIn, field_prefix: str) -> Child:
    """``data`` has the NHS number or UPN of ``same``: the same child, if the caller may see it and
    the identity agrees; otherwise a conflict for the front door, never a silent attach."""
    if not await _may_see_child(uow, same):
        raise _front_door_review(uow, [same.id], field_prefix + "nhs_number")
    differs = domain.identity_differences(
        registered=(same.given_name, same.family_name, same.date_of_birth),
        given=(data.given_name, data.family_name, data.date_of_birth),
    )
    if differs:
        purpose = "identifier matched, identity differs"
        uow.audit_refusal("child.match", subject_type="child", subject_id=same.id, purpose=purpose, outcome="disclosed")
        candidate = PossibleMatch(
            child_id=same.id, la_child_id=same.la_child_id, matched_on=["nhs_number_or_upn"], differs_on=differs
        )
        raise Problem(
            409,
            "identity-conflict",
            "A child with this NHS number or UPN is registered with another name or date of birth",
            detail="check the identity with the referrer; refer the registered child by child_id, or correct it",
            errors=[FieldError(field_prefix + name, "differs from the registered child") for name in differs],
            extensions={"candidates": [candidate.model_dump(mode="json")]},
        )
    await uow.audit("child.read", subject_type="child", subject_id=same.id, purpose="registration matched a registered child")
    return same


async def _register_child(
    uow: UnitOfWork, data: ChildIn, *, case_id: uuid.UUID | None, field_prefix: str = ""
) -> tuple[Child, bool]:
    """Register ``data`` or return the child it already is. Returns (child, created)."""
    _check_child(data, _now().date(), field_prefix)
    same = await _find_same_child(uow, data)
    if same is not None:
        return await _match_registered(uow, same, data, field_prefix), False
    sees_candidates = _sees_every_child(uow.principal)
    # Only whoever may see the candidates may decide that none of them is this child.
    if not (data.confirmed_new and sees_candidates):
        matches = await possible_matches(uow, data)
        if matches and not sees_candidates:
            raise _front_door_review(uow, [m.child_id for m in matches], field_prefix + "given_name")
        if matches:
            for m in matches:
                uow.audit_refusal(
                    "child.match", subject_type="child", subject_id=m.child_id, purpose="possible match", outcome="disclosed"
                )
            raise Problem(
                409,
                "possible-match",
                "A child with the same name and date of birth is already registered",
                detail="check the candidates; refer one of them by child_id, or resend with child.confirmed_new = true",
                errors=[FieldError(field_prefix.rstrip(".") or "child", f"possible match: {m.child_id}") for m in matches],
                extensions={"candidates": [m.model_dump(mode="json") for m in matches]},
            )
    child = Child(id=uuid.uuid4(), version=1, **data.model_dump(exclude={"confirmed_new"}))
    uow.session.add(child)
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        field = field_prefix + ("la_child_id" if "la_child_id" in str(exc.orig) else "nhs_number")
        raise invalid(field, "is already registered to another child") from exc
    await uow.publish(
        ChildRegistered(**_child_event_data(child)), subject=str(case_id or child.id), aggregate_version=child.version
    )
    await uow.audit("child.register", subject_type="child", subject_id=child.id, purpose="register a child")
    return child, True


async def register_child(uow: UnitOfWork, data: ChildIn) -> tuple[ChildOut, bool]:
    async with uow:
        child, created = await _register_child(uow, data, case_id=None)
        return child_out(child), created


async def _visible_child(uow: UnitOfWork, child_id: uuid.UUID, purpose: str) -> Child:
    """A child is visible to the front door, and to whoever may see one of its referrals' teams."""
    child = await uow.session.get(Child, child_id)
    if child is None or not await _may_see_child(uow, child):
        uow.audit_refusal("child.read", subject_type="child", subject_id=child_id, purpose=purpose)
        raise not_found("Child")
    return child


async def get_child(uow: UnitOfWork, child_id: uuid.UUID) -> ChildOut:
    async with uow:
        child = await _visible_child(uow, child_id, "view a child's record")
        await uow.audit("child.read", subject_type="child", subject_id=child.id, purpose="view a child's record")
        return child_out(child)


async def update_child(uow: UnitOfWork, child_id: uuid.UUID, patch: ChildPatch, if_match: int | None) -> ChildOut:
    async with uow:
        child = await _visible_child(uow, child_id, "update a child's record")
        await uow.session.refresh(child, with_for_update=True)
        check_version(child.version, if_match, required=True)
        for name, value in patch.model_dump(exclude_unset=True).items():
            setattr(child, name, value)
        _check_child(child, _now().date())
        child.version += 1
        child.updated_at = _now()
        try:
            await uow.session.flush()
        except IntegrityError as exc:
            # The unique index says which identifier clashed (a null where none may be is refused
            # by ChildPatch before it gets here).
            field = "upn" if "uq_children_upn" in str(exc.orig) else "nhs_number"
            raise invalid(field, "is already registered to another child") from exc
        await uow.publish(ChildUpdated(**_child_event_data(child)), subject=str(child.id), aggregate_version=child.version)
        await uow.audit("child.update", subject_type="child", subject_id=child.id, purpose="update a child's record")
        return child_out(child)


# --- referrals ----------------------------------------------------------------------------------


def _referral_out(referral: Referral, child: Child, decisions: list[Decision], requests: list[InformationRequest]) -> ReferralOut:
    now = _now()
    current = decisions[-1] if decisions else None
    return ReferralOut(
        id=referral.id,
        case_id=referral.case_id,
        child=child_out(child),
        received_at=referral.received_at,
        source=ReferralSource(referral.source),
        referrer=Referrer(name=referral.referrer_name, agency=referral.referrer_agency),
        concerns=referral.concerns,
        lawful_basis=LawfulBasis(referral.lawful_basis),
        suggested_threshold=ThresholdLevel(referral.suggested_threshold),
        team=referral.team,
        re_referral=referral.re_referral,
        stepped_up_from=referral.stepped_up_from,
        decision_due_at=referral.decision_due_at,
        overdue=referral.status == "received" and now > referral.decision_due_at,
        status=referral.status,
        decision=DecisionOut.model_validate(current, from_attributes=True) if current else None,
        decided_within_one_working_day=referral.decided_within_one_working_day,
        closed_on=referral.closed_on,
        closure_reason=referral.closure_reason,
        information_requests=[_request_out(r, now) for r in requests],
        version=referral.version,
    )


def _request_out(r: InformationRequest, now: datetime) -> InformationRequestOut:
    return InformationRequestOut(
        id=r.id,
        agency=Agency(r.agency),
        question=r.question,
        requested_by=r.requested_by,
        requested_at=r.requested_at,
        due_at=r.due_at,
        answer=r.answer,
        answered_at=r.answered_at,
        overdue=r.answered_at is None and now > r.due_at,
    )


async def _load_view(uow: UnitOfWork, referral: Referral, purpose: str) -> ReferralOut:
    """The referral as the API shows it, with its child: a read of the child's record, audited."""
    child = await uow.session.get(Child, referral.child_id)
    assert child is not None
    await uow.audit("child.read", subject_type="child", subject_id=child.id, purpose=purpose)
    decisions = list(
        (
            await uow.session.execute(
                select(Decision).where(Decision.referral_id == referral.id).order_by(Decision.decided_at, Decision.id)
            )
        ).scalars()
    )
    requests = list(
        (
            await uow.session.execute(
                select(InformationRequest)
                .where(InformationRequest.referral_id == referral.id)
                .order_by(InformationRequest.requested_at)
            )
        ).scalars()
    )
    return _referral_out(referral, child, decisions, requests)


def _partner_status(child: Child, status: PartnerStatus, since: datetime, team: str, policy: CouncilPolicy) -> StatusChanged:
    contact = policy.team(team)
    return StatusChanged(
        nhs_number=child.nhs_number,
        date_of_birth=child.date_of_birth,
        status=status,
        since=since,
        responsible_team=team,
        team_contact=contact.contact if contact else policy.front_door_team.contact,
    )


async def receive_referral(
    uow: UnitOfWork,
    data: ReferralIn,
    policy: CouncilPolicy,
    *,
    idempotency_key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Receive a referral over the API. Returns (status code, body) so that a replayed
    ``Idempotency-Key`` answers exactly what the first request answered."""
    principal = uow.principal_or_fail()
    fingerprint = uow_fingerprint(data)
    scope = f"referrals:{principal.sub}"
    async with uow:
        if idempotency_key:
            stored = await uow.replayed_response(scope=scope, key=idempotency_key, fingerprint=fingerprint)
            if stored is not None:
                # A replay answers with the child's record again: it is a read like any other.
                purpose = "Idempotency-Key replay"
                await uow.audit("referral.read", subject_type="referral", subject_id=stored.body["id"], purpose=purpose)
                await uow.audit("child.read", subject_type="child", subject_id=stored.body["child"]["id"], purpose=purpose)
                return stored.status_code, stored.body
        referral, child = await open_referral(uow, data, policy)
        # A new referral has no decisions or information requests yet: no need to read them back.
        body = _referral_out(referral, child, [], []).model_dump(mode="json")
        if idempotency_key:
            await uow.remember_response(scope=scope, key=idempotency_key, fingerprint=fingerprint, status_code=201, body=body)
        return 201, body


async def open_referral(
    uow: UnitOfWork, data: ReferralIn, policy: CouncilPolicy, *, stepped_up_from: uuid.UUID | None = None
) -> tuple[Referral, Child]:
    """Open a case (episode) for a referral inside the caller's unit of work."""
    _check_team(policy, data.team)
    domain.check_received_at(data.received_at, _now())
    # Chosen first so that a new child's child.registered is keyed by this case too, and so reaches
    # consumers before the case's referral.received (Kafka keeps order per key only).
    case_id = uuid.uuid4()
    if data.child_id is not None:
        found = await uow.session.get(Child, data.child_id)
        # Referring a registered child needs sight of the child (the front door has it): otherwise
        # it answers as if there were no such child, and the refusal is audited.
        if found is None or not await _may_see_child(uow, found):
            uow.audit_refusal("child.read", subject_type="child", subject_id=data.child_id, purpose="refer a registered child")
            raise invalid("child_id", "no child is registered with this id")
        await uow.audit("child.read", subject_type="child", subject_id=found.id, purpose="refer a registered child")
        child, new_child = found, False
    else:
        assert data.child is not None
        child, new_child = await _register_child(uow, data.child, case_id=case_id, field_prefix="child.")
    # A child registered just now has no earlier referrals to look for.
    earlier = [] if new_child else list((await uow.session.execute(_EARLIER_REFERRALS, {"child_id": child.id})).scalars())
    principal = uow.principal
    referral = Referral(
        id=uuid.uuid4(),
        case_id=case_id,
        child_id=child.id,
        received_at=data.received_at,
        source=data.source.value,
        referrer_name=data.referrer.name,
        referrer_agency=data.referrer.agency,
        concerns=data.concerns,
        lawful_basis=data.lawful_basis.value,
        suggested_threshold=data.suggested_threshold.value,
        team=data.team,
        re_referral=domain.is_re_referral(data.received_at, earlier),
        decision_due_at=domain.decision_due_at(data.received_at),
        stepped_up_from=stepped_up_from,
        status="received",
        version=1,
        created_by=principal.sub if principal else f"service:{uow.source}",
    )
    uow.session.add(referral)
    await uow.session.flush()
    case = str(referral.case_id)
    await uow.publish(
        ReferralReceived(
            referral_id=referral.id,
            case_id=referral.case_id,
            child_id=child.id,
            received_at=referral.received_at,
            source=data.source,
            referrer_agency=referral.referrer_agency,
            suggested_threshold=data.suggested_threshold,
            re_referral=referral.re_referral,
            decision_due_at=referral.decision_due_at,
            team=referral.team,
            stepped_up_from=stepped_up_from,
        ),
        subject=case,
        aggregate_version=referral.version,
    )
    status = _partner_status(child, PartnerStatus.REFERRED, referral.received_at, referral.team, policy)
    await uow.publish(status, subject=case, aggregate_version=referral.version)
    await uow.audit("referral.receive", subject_type="referral", subject_id=referral.id, purpose="receive a referral")
    return referral, child


def uow_fingerprint(data: ReferralIn) -> str:
    return request_fingerprint(data.model_dump(mode="json"))


async def _visible_referral(uow: UnitOfWork, referral_id: uuid.UUID, purpose: str, *, lock: bool = False) -> Referral:
    """Another team's referral answers 404, not its content; the refusal is audited."""
    return await load_visible(uow, Referral, referral_id, may_see=_may_see, subject_type="referral", purpose=purpose, lock=lock)


def _may_see(principal: Principal, referral: Referral) -> bool:
    """The front door works across the council; practitioners and managers see their teams'."""
    if principal.sees_all_teams or principal.has(Role.FRONT_DOOR):
        return True
    return principal.can_see_team(referral.team) or principal.can_see_team(referral.allocated_team)


async def get_referral(uow: UnitOfWork, referral_id: uuid.UUID) -> ReferralOut:
    async with uow:
        referral = await _visible_referral(uow, referral_id, "view a referral")
        await uow.audit("referral.read", subject_type="referral", subject_id=referral.id, purpose="view a referral")
        return await _load_view(uow, referral, "view a referral")


async def _record_decision(
    uow: UnitOfWork,
    referral: Referral,
    data: DecisionIn,
    policy: CouncilPolicy,
    *,
    corrects: Decision | None,
    correction_reason: str | None,
) -> None:
    principal = uow.principal_or_fail()
    now = _now()
    decision = Decision(
        id=uuid.uuid4(),
        referral_id=referral.id,
        outcome=data.outcome.value,
        reasons=data.reasons,
        team=data.team,
        decided_by=principal.sub,
        decided_at=now,
        corrects=corrects.id if corrects else None,
        correction_reason=correction_reason,
    )
    uow.session.add(decision)
    closure = domain.closure_for(data.outcome, referral.received_at.date())
    referral.status = "decided"
    referral.decision = data.outcome.value
    referral.decision_reasons = data.reasons
    referral.allocated_team = data.team
    referral.decided_by = principal.sub
    referral.decided_at = now
    if corrects is None:
        referral.decided_within_one_working_day = domain.within_decision_timescale(now, referral.decision_due_at)
    referral.closed_on = closure.closed_on if closure else None
    referral.closure_reason = closure.reason.value if closure else None
    referral.version += 1
    await uow.session.flush()
    child = await uow.session.get(Child, referral.child_id)
    assert child is not None
    case = str(referral.case_id)
    decided = await uow.publish(
        ReferralDecided(
            referral_id=referral.id,
            case_id=referral.case_id,
            child_id=referral.child_id,
            received_at=referral.received_at,
            referral_date=referral.received_at.date(),
            source=ReferralSource(referral.source),
            outcome=data.outcome,
            team=data.team,
            decided_by=principal.sub,
            decided_at=now,
            within_one_working_day=bool(referral.decided_within_one_working_day),
            correction_of=corrects.event_id if corrects else None,
            closed_on=referral.closed_on,
        ),
        subject=case,
        aggregate_version=referral.version,
    )
    decision.event_id = decided.id  # so that a later correction can name the event it corrects
    if closure is not None:
        await uow.publish(
            _partner_status(child, PartnerStatus.CLOSED, now, data.team, policy), subject=case, aggregate_version=referral.version
        )
    action = "referral.correct_decision" if corrects else "referral.decide"
    await uow.audit(action, subject_type="referral", subject_id=referral.id, purpose="front-door decision")


async def decide(
    uow: UnitOfWork, referral_id: uuid.UUID, data: DecisionIn, policy: CouncilPolicy, if_match: int | None
) -> ReferralOut:
    _check_team(policy, data.team)
    async with uow:
        referral = await _visible_referral(uow, referral_id, "front-door decision", lock=True)
        check_version(referral.version, if_match, required=False)
        domain.check_can_decide(referral.status)
        await _record_decision(uow, referral, data, policy, corrects=None, correction_reason=None)
        return await _load_view(uow, referral, "front-door decision")


async def correct_decision(
    uow: UnitOfWork, referral_id: uuid.UUID, data: CorrectionIn, policy: CouncilPolicy, if_match: int | None
) -> ReferralOut:
    _check_team(policy, data.team)
    async with uow:
        referral = await _visible_referral(uow, referral_id, "correct a front-door decision", lock=True)
        check_version(referral.version, if_match, required=False)
        domain.check_can_correct(referral.status, data.outcome, data.team, referral.decision, referral.allocated_team)
        current = (
            await uow.session.execute(
                select(Decision)
                .where(Decision.referral_id == referral.id)
                .order_by(Decision.decided_at.desc(), Decision.id.desc())
                .limit(1)
            )
        ).scalar_one()
        await _record_decision(uow, referral, data, policy, corrects=current, correction_reason=data.correction_reason)
        return await _load_view(uow, referral, "correct a front-door decision")


# --- information requests ------------------------------------------------------------------------


async def request_information(uow: UnitOfWork, referral_id: uuid.UUID, data: InformationRequestIn) -> InformationRequestOut:
    principal = uow.principal_or_fail()
    now = _now()
    if data.due_at.tzinfo is None:
        raise invalid("due_at", "give a time zone (e.g. 2026-11-26T16:00:00Z)")
    if data.due_at <= now:
        raise invalid("due_at", "must be in the future")
    async with uow:
        referral = await _visible_referral(uow, referral_id, "request partner information")
        request = InformationRequest(
            id=uuid.uuid4(),
            referral_id=referral.id,
            agency=data.agency.value,
            question=data.question,
            requested_by=principal.sub,
            requested_at=now,
            due_at=data.due_at,
        )
        uow.session.add(request)
        await uow.session.flush()
        await uow.publish(
            InformationRequested(
                request_id=request.id,
                referral_id=referral.id,
                case_id=referral.case_id,
                agency=request.agency,
                due_at=request.due_at,
            ),
            subject=str(referral.case_id),
            aggregate_version=referral.version,
        )
        await uow.audit(
            "information.request",
            subject_type="referral",
            subject_id=referral.id,
            purpose=f"request information from {request.agency}",
        )
        return _request_out(request, now)


async def record_information(
    uow: UnitOfWork, referral_id: uuid.UUID, request_id: uuid.UUID, data: InformationAnswerIn
) -> InformationRequestOut:
    principal = uow.principal_or_fail()
    now = _now()
    async with uow:
        referral = await _visible_referral(uow, referral_id, "record partner information")
        request = (
            await uow.session.execute(
                select(InformationRequest)
                .where(InformationRequest.id == request_id, InformationRequest.referral_id == referral.id)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if request is None:
            raise not_found("Information request")
        if request.answered_at is not None:
            raise Problem(
                409, "already-answered", "This request already has its answer", errors=[FieldError("answer", "already recorded")]
            )
        request.answer = data.answer
        request.answered_at = now
        request.recorded_by = principal.sub
        await uow.session.flush()
        await uow.publish(
            InformationReceived(
                request_id=request.id,
                referral_id=referral.id,
                case_id=referral.case_id,
                agency=request.agency,
                received_at=now,
                on_time=now <= request.due_at,
            ),
            subject=str(referral.case_id),
            aggregate_version=referral.version,
        )
        await uow.audit(
            "information.record",
            subject_type="referral",
            subject_id=referral.id,
            purpose=f"record information from {request.agency}",
        )
        return _request_out(request, now)


# --- the front-door queue -----------------------------------------------------------------------


async def front_door_queue(uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int) -> QueuePage:
    """Undecided referrals, soonest due first, overdue ones marked."""
    principal = uow.principal_or_fail()
    whole_front_door = principal.sees_all_teams or principal.has(Role.FRONT_DOOR)
    now = _now()
    stmt = (
        select(
            Referral,
            Child.given_name,
            Child.family_name,
            func.count(InformationRequest.id).filter(InformationRequest.answered_at.is_(None)).label("open_requests"),
        )
        .join(Child, Child.id == Referral.child_id)
        .outerjoin(InformationRequest, InformationRequest.referral_id == Referral.id)
        .where(Referral.status == "received")
        .group_by(Referral.id, Child.given_name, Child.family_name)
        .order_by(Referral.decision_due_at, Referral.id)
        .limit(limit + 1)
    )
    if team is not None:
        stmt = stmt.where(Referral.team == team)
    elif not whole_front_door:
        stmt = stmt.where(Referral.team.in_(principal.teams))
    if cursor:
        due, rid = decode_cursor(cursor, datetime.fromisoformat)
        stmt = stmt.where((Referral.decision_due_at > due) | ((Referral.decision_due_at == due) & (Referral.id > rid)))
    async with uow:
        if team is not None and not (whole_front_door or principal.can_see_team(team)):
            uow.audit_refusal("child.list", subject_type="team", subject_id=team, purpose="front-door queue")
            raise not_found("Team queue")
        rows = (await uow.session.execute(stmt)).all()
        page, more = rows[:limit], len(rows) > limit
        items = [
            QueueItem(
                referral_id=r.Referral.id,
                case_id=r.Referral.case_id,
                child_id=r.Referral.child_id,
                child_name=f"{r.given_name} {r.family_name}",
                received_at=r.Referral.received_at,
                source=ReferralSource(r.Referral.source),
                suggested_threshold=r.Referral.suggested_threshold,
                team=r.Referral.team,
                re_referral=r.Referral.re_referral,
                decision_due_at=r.Referral.decision_due_at,
                overdue=now > r.Referral.decision_due_at,
                open_information_requests=r.open_requests,
            )
            for r in page
        ]
        for item in items:
            await uow.audit("child.list", subject_type="child", subject_id=item.child_id, purpose="front-door queue")
        next_cursor = encode_cursor(page[-1].Referral.decision_due_at, page[-1].Referral.id) if more and page else None
        return QueuePage(items=items, next_cursor=next_cursor)
