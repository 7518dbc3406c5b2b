"""Referrals after their intake: a referral with its decisions (visible to this caller, or refused
as if missing, audited), its decision in force, and its episode's closure as step-down announced it."""

from __future__ import annotations

import uuid
from dataclasses import fields
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from continuum.casework.errors import NotFound
from continuum.contracts.codes import ReasonForClosure
from continuum.persistence.uow import Transaction
from referral.domain import DecisionRecord, ReferralState, may_see_case
from referral.repository.rows import bound, decision_record, prefixed, referral_state, referral_values
from referral.tables import DECISIONS, REFERRALS

_D = "d_"  # the decision columns' prefix where they sit beside the referral's
_REFERRAL_WITH_DECISIONS = (
    select(REFERRALS, *(c.label(_D + c.name) for c in DECISIONS.c))
    .select_from(REFERRALS.outerjoin(DECISIONS, DECISIONS.c.referral_id == REFERRALS.c.id))
    .where(REFERRALS.c.id == bindparam("referral_id"))
    .order_by(DECISIONS.c.decided_at, DECISIONS.c.id)
)
_REFERRAL_WITH_DECISIONS_FOR_UPDATE = _REFERRAL_WITH_DECISIONS.with_for_update(of=REFERRALS)
# The decision record and the referral's decision in force in one statement.
_SAVE_DECISION = (
    update(REFERRALS)
    .where(REFERRALS.c.id == bindparam("referral_id"))
    .add_cte(insert(DECISIONS).values(bound(DECISIONS, _D)).cte())
)
# A decision never touches the episode's closure (step-down's, saved by save_closure).
_DECISION_IN_FORCE = (
    "status",
    "decision",
    "decision_reasons",
    "allocated_team",
    "decided_by",
    "decided_at",
    "decided_within_one_working_day",
    "version",
)
_REFERRAL_OF_CASE = select(REFERRALS.c.id).where(REFERRALS.c.case_id == bindparam("case_id"))
_SAVE_CLOSURE = (
    update(REFERRALS)
    .where(REFERRALS.c.id == bindparam("referral_id"))
    .values(closed_on=bindparam("closed_on"), closure_reason=bindparam("closure_reason", type_=REFERRALS.c.closure_reason.type))
)


def _with_decisions(rows: Any) -> ReferralState:
    return referral_state(rows[0], [decision_record(r, _D) for r in rows if getattr(r, _D + "id") is not None])


async def visible_referral(tx: Transaction, referral_id: uuid.UUID, *, purpose: str, lock: bool = False) -> ReferralState:
    """The referral with its decisions, if the caller may see it (the front door sees every one;
    others their teams', referred or allocated), locked when ``lock``. Otherwise 404, audited."""
    statement = _REFERRAL_WITH_DECISIONS_FOR_UPDATE if lock else _REFERRAL_WITH_DECISIONS
    rows = (await tx.session.execute(statement, {"referral_id": referral_id})).all()
    if not rows or not may_see_case(tx.principal, (rows[0].team, rows[0].allocated_team)):
        tx.audit_refusal("referral.read", subject_type="referral", subject_id=referral_id, purpose=purpose)
        raise NotFound("Referral")
    return _with_decisions(rows)


async def save_decision(tx: Transaction, referral: ReferralState, *, event_id: uuid.UUID) -> None:
    """The referral's decision in force, and the new decision record (announced by ``event_id``)."""
    decision = referral.decision
    assert decision is not None
    values = referral_values(referral)
    record = {f.name: getattr(decision, f.name) for f in fields(DecisionRecord)} | {"event_id": event_id}
    params = {name: values[name] for name in _DECISION_IN_FORCE} | {"referral_id": referral.id}
    await tx.session.execute(_SAVE_DECISION, params | prefixed(record | {"referral_id": referral.id}, _D))


async def referral_of_case(tx: Transaction, case_id: uuid.UUID) -> ReferralState | None:
    """The referral that opened ``case_id`` with its decisions, locked; ``None`` for a case this
    service never opened (step-down closes and reopens episodes: decision 37)."""
    referral_id = (await tx.session.execute(_REFERRAL_OF_CASE, {"case_id": case_id})).scalar_one_or_none()
    if referral_id is None:
        return None
    return _with_decisions((await tx.session.execute(_REFERRAL_WITH_DECISIONS_FOR_UPDATE, {"referral_id": referral_id})).all())


async def save_closure(tx: Transaction, referral: ReferralState) -> None:
    """The episode's closure as step-down announced it (or none, reopened)."""
    closure = referral.closure
    params: dict[str, Any] = {"referral_id": referral.id, "closed_on": None, "closure_reason": None}
    if closure is not None:
        params |= {"closed_on": closure.closed_on, "closure_reason": ReasonForClosure(closure.reason)}
    await tx.session.execute(_SAVE_CLOSURE, params)
