"""Requests for information to partner agencies about a referral, and their answers."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, insert, select, update

from continuum.casework.errors import NotFound
from continuum.persistence.uow import Transaction
from referral.domain import InformationRequestState, ReferralState
from referral.repository.rows import request_state, request_values
from referral.tables import INFORMATION_REQUESTS

_INSERT_REQUEST = insert(INFORMATION_REQUESTS)
_REQUESTS_OF = (
    select(INFORMATION_REQUESTS)
    .where(INFORMATION_REQUESTS.c.referral_id == bindparam("referral_id"))
    .order_by(INFORMATION_REQUESTS.c.requested_at, INFORMATION_REQUESTS.c.id)
)
_REQUEST = (
    select(INFORMATION_REQUESTS)
    .where(INFORMATION_REQUESTS.c.id == bindparam("request_id"), INFORMATION_REQUESTS.c.referral_id == bindparam("referral_id"))
    .with_for_update()
)
_ANSWER = (
    update(INFORMATION_REQUESTS)
    .where(INFORMATION_REQUESTS.c.id == bindparam("request_id"))
    .values(answer=bindparam("answer"), answered_at=bindparam("answered_at"), recorded_by=bindparam("recorded_by"))
)


async def information_requests(tx: Transaction, referral_id: uuid.UUID) -> list[InformationRequestState]:
    rows = (await tx.session.execute(_REQUESTS_OF, {"referral_id": referral_id})).all()
    return [request_state(r) for r in rows]


async def information_request(tx: Transaction, referral: ReferralState, request_id: uuid.UUID) -> InformationRequestState:
    """One of the referral's requests, locked for its answer; 404 when it has no such request."""
    row = (await tx.session.execute(_REQUEST, {"request_id": request_id, "referral_id": referral.id})).first()
    if row is None:
        raise NotFound("Information request")
    return request_state(row)


async def insert_information_request(tx: Transaction, request: InformationRequestState) -> None:
    await tx.session.execute(_INSERT_REQUEST, request_values(request))


async def save_answer(tx: Transaction, request: InformationRequestState) -> None:
    params = {"request_id": request.id, "answer": request.answer, "answered_at": request.answered_at}
    await tx.session.execute(_ANSWER, params | {"recorded_by": request.recorded_by})
