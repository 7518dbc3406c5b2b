"""Every query of the referral service, and rows <-> domain states.

Reads and writes are SQLAlchemy Core statements built once from the table metadata and bound per
call (no ORM unit of work: building and flushing it was most of an intake's cost, decision
15). An intake's are prebuilt for the driver connection (``continuum.persistence.db.Prebuilt``, decision
29): one write (the child, the referral and the outbox and audit rows the unit of work collected,
``WithCollectedRows``) that looks the register up itself for a child sent as new, and, when the
register holds one like it, the lookup (its matches, each with its referral history) before the
write again (decision 33).
Loads that a caller may not see audit the refusal and answer as if there were no such record.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Row, and_, bindparam, exists, func, insert, literal, or_, select, true, union_all, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError

from continuum.casework.errors import RuleBroken
from continuum.contracts import DecisionOutcome
from continuum.contracts.codes import Disability, ReasonForClosure
from continuum.persistence.db import Prebuilt
from continuum.persistence.uow import Transaction, WithCollectedRows
from continuum.web.errors import Problem, not_found
from referral.domain import (
    SAME_NAME_AND_BIRTH,
    Candidate,
    ChildIdentity,
    ChildState,
    Closure,
    ContactState,
    DecisionRecord,
    Episode,
    InformationRequestState,
    Intake,
    ReferralState,
    ReferralStatus,
    may_see_case,
    sees_every_case,
)
from referral.tables import CHILDREN, CONTACTS, DECISIONS, INFORMATION_REQUESTS, REFERRALS

# --- rows <-> states ------------------------------------------------------------------------------

_IDENTITY = [f.name for f in fields(ChildIdentity)]
_INTAKE = [f.name for f in fields(Intake)]


def _child_state(row: Any) -> ChildState:
    values = {name: getattr(row, name) for name in _IDENTITY}
    disabilities = tuple(Disability(d) for d in row.disabilities)  # an array of codes: no enum column type
    return ChildState(**values | {"disabilities": disabilities}, id=row.id, version=row.version)


def _child_values(child: ChildState, **extra: Any) -> dict[str, Any]:
    values = {name: getattr(child, name) for name in _IDENTITY}
    return values | {"id": child.id, "version": child.version, "disabilities": [d.value for d in child.disabilities]} | extra


def _decision_record(row: Any, prefix: str = "") -> DecisionRecord:
    return DecisionRecord(**{f.name: getattr(row, prefix + f.name) for f in fields(DecisionRecord)})


def _referral_state(row: Any, decisions: Sequence[DecisionRecord] = ()) -> ReferralState:
    closure = Closure(row.closed_on, row.closure_reason) if row.closed_on and row.closure_reason else None
    return ReferralState(
        **{name: getattr(row, name) for name in _INTAKE},
        id=row.id,
        case_id=row.case_id,
        child_id=row.child_id,
        re_referral=row.re_referral,
        decision_due_at=row.decision_due_at,
        status=row.status,
        version=row.version,
        created_by=row.created_by,
        decisions=tuple(decisions),
        decided_within_one_working_day=row.decided_within_one_working_day,
        closure=closure,
    )


def _referral_values(referral: ReferralState) -> dict[str, Any]:
    """The referral row; the decision in force is kept on it too (the queue and the visibility
    rules read ``status`` and ``allocated_team`` there)."""
    current = referral.decision
    return {name: getattr(referral, name) for name in _INTAKE} | {
        "id": referral.id,
        "case_id": referral.case_id,
        "child_id": referral.child_id,
        "re_referral": referral.re_referral,
        "decision_due_at": referral.decision_due_at,
        "status": referral.status,
        "decision": current.outcome if current else None,
        "decision_reasons": current.reasons if current else None,
        "allocated_team": current.team if current else None,
        "decided_by": current.decided_by if current else None,
        "decided_at": current.decided_at if current else None,
        "decided_within_one_working_day": referral.decided_within_one_working_day,
        "closed_on": referral.closure.closed_on if referral.closure else None,
        "closure_reason": referral.closure.reason if referral.closure else None,
        "version": referral.version,
        "created_by": referral.created_by,
    }


def _request_state(row: Any) -> InformationRequestState:
    return InformationRequestState(**{f.name: getattr(row, f.name) for f in fields(InformationRequestState)})


def _request_values(request: InformationRequestState) -> dict[str, Any]:
    return {f.name: getattr(request, f.name) for f in fields(InformationRequestState)}


def _bound(table: Any, prefix: str = "", *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """``VALUES`` of every column of ``table`` bound to a parameter of the same name (prefixed)."""
    return {c.name: bindparam(prefix + c.name, type_=c.type) for c in table.c if c.name not in leave_out}


def _prefixed(values: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {prefix + name: value for name, value in values.items()}


# --- children -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownChild:
    """A registered child with what its referrals say: its episodes (for the one-open-episode rule,
    the teams that may see it, referred or allocated, and when it was referred before, for the
    re-referral rule)."""

    child: ChildState
    episodes: tuple[Episode, ...]

    @property
    def teams(self) -> tuple[str | None, ...]:
        return tuple(team for episode in self.episodes for team in episode.teams)

    @property
    def earlier_referrals(self) -> tuple[datetime, ...]:
        return tuple(episode.received_at for episode in self.episodes)

    @property
    def referral_dates(self) -> tuple[date, ...]:
        return tuple(episode.referral_date for episode in self.episodes)


# The child's referral history (each column of its referrals, in one order), aggregated beside
# each child row (one round trip).
_HISTORY_COLUMNS = ("id", "case_id", "team", "allocated_team", "received_at", "status", "decision", "closed_on")
_HISTORY = (
    select(
        *(
            func.array_agg(aggregate_order_by(REFERRALS.c[name], REFERRALS.c.received_at, REFERRALS.c.id)).label(f"h_{name}")
            for name in _HISTORY_COLUMNS
        )
    )
    .where(REFERRALS.c.child_id == CHILDREN.c.id)
    .lateral("history")
)


def _known_children(where: Any, matched: str) -> Any:
    history = [_HISTORY.c[f"h_{name}"] for name in _HISTORY_COLUMNS]
    return select(CHILDREN, *history, literal(matched).label("matched")).select_from(CHILDREN.join(_HISTORY, true())).where(where)


_CHILD_BY_ID = _known_children(CHILDREN.c.id == bindparam("child_id"), "id")
_LOCK_CHILD = select(CHILDREN.c.id).where(CHILDREN.c.id == bindparam("child_id")).with_for_update()
# A registered child with the NHS number or UPN looked for (the same child), or with the name and
# date of birth (a possible match). Each is looked up on its own index: PostgreSQL keeps a prepared
# statement's generic plan, and one planned for "NHS number OR UPN" on a small register scans it
# whole, a plan that stays as the register grows.
_HAS_NHS_NUMBER = CHILDREN.c.nhs_number == bindparam("nhs_number")
_HAS_UPN = CHILDREN.c.upn == bindparam("upn")
_HAS_NAME_AND_BIRTH = and_(
    func.lower(CHILDREN.c.family_name) == bindparam("family_name"),
    func.lower(CHILDREN.c.given_name) == bindparam("given_name"),
    CHILDREN.c.date_of_birth == bindparam("date_of_birth"),
)
_SAME_NHS_NUMBER = _known_children(_HAS_NHS_NUMBER, "identifier")
_SAME_UPN = _known_children(_HAS_UPN, "identifier")
_SAME_NAME_AND_BIRTH = _known_children(_HAS_NAME_AND_BIRTH, "name")
_SAME_IDENTIFIER = union_all(_SAME_NHS_NUMBER, _SAME_UPN)
_SAME_EITHER = union_all(_SAME_NHS_NUMBER, _SAME_UPN, _SAME_NAME_AND_BIRTH)
# Intake's lookups, run on the driver connection (continuum.persistence.db.Prebuilt): the hot path.
_SAME = {
    (True, True): Prebuilt(_SAME_EITHER),
    (True, False): Prebuilt(_SAME_IDENTIFIER),
    (False, True): Prebuilt(_SAME_NAME_AND_BIRTH),
}
# A new child with the outbox and audit rows collected so far (continuum.persistence.uow.WithCollectedRows).
_INSERT_CHILD = WithCollectedRows(insert(CHILDREN).values(_bound(CHILDREN, leave_out=("created_at", "updated_at"))))
_UPDATE_CHILD = update(CHILDREN).where(CHILDREN.c.id == bindparam("child_id"))


def _known(row: Any) -> KnownChild:
    columns = [getattr(row, f"h_{name}") or () for name in _HISTORY_COLUMNS]
    episodes = tuple(
        Episode(
            referral_id=referral_id,
            case_id=case_id,
            team=team,
            allocated_team=allocated_team,
            received_at=received_at,
            undecided=status == ReferralStatus.RECEIVED.value,
            outcome=DecisionOutcome(decision) if decision is not None else None,
            closed_on=closed_on,
        )
        for referral_id, case_id, team, allocated_team, received_at, status, decision, closed_on in zip(*columns, strict=True)
    )
    return KnownChild(_child_state(row), episodes)


async def child(tx: Transaction, child_id: uuid.UUID) -> ChildState:
    """A child the caller already reached through a visible record (its referral)."""
    row = (await tx.session.execute(_CHILD_BY_ID, {"child_id": child_id})).one()
    return _child_state(row)


async def known_child(tx: Transaction, child_id: uuid.UUID, *, lock: bool = False) -> KnownChild | None:
    """The child with its referral history; ``lock``: locked first (until the unit of work ends),
    and read after the lock is held. A row lock waited for does not refresh the rest of the
    statement's snapshot, so the history is read by a statement of its own: a referral that
    another intake committed while this one waited is in it (the one-open-episode rule needs it)."""
    if lock and (await tx.session.execute(_LOCK_CHILD, {"child_id": child_id})).first() is None:
        return None
    row = (await tx.session.execute(_CHILD_BY_ID, {"child_id": child_id})).first()
    return _known(row) if row is not None else None


async def visible_child(
    tx: Transaction, child_id: uuid.UUID, *, purpose: str, lock: bool = False, refusal: Problem | None = None
) -> KnownChild:
    """The child, if the caller may see it (the front door sees every child; others once it has a
    referral of one of their teams). Otherwise ``refusal`` (404 by default), whether it is missing
    or hidden: the answer never tells which, and the refusal is audited."""
    found = await known_child(tx, child_id, lock=lock)
    if found is None or not may_see_case(tx.principal, found.teams):
        tx.audit_refusal("child.read", subject_type="child", subject_id=child_id, purpose=purpose)
        raise refusal or not_found("Child")
    return found


@dataclass(frozen=True)
class ChildLookup:
    """What the register is searched for when a child is sent as new: the registered child with
    ``identity``'s NHS number or UPN (the same child) and, when ``by_name``, the children with its
    name and date of birth (possible matches)."""

    identity: ChildIdentity
    by_name: bool

    @property
    def by_identifier(self) -> bool:
        return bool(self.identity.nhs_number or self.identity.upn)

    def params(self) -> dict[str, Any]:
        identity = self.identity
        return {
            # a None never matches: NULL = NULL is not true
            "nhs_number": identity.nhs_number,
            "upn": identity.upn,
            "family_name": identity.family_name.lower(),
            "given_name": identity.given_name.lower(),
            "date_of_birth": identity.date_of_birth,
            "by_name": self.by_name,  # read by the guarded write; the lookup has a statement per kind
        }


class RegisteredAlike(Exception):
    """A guarded write of a new child wrote nothing: the register holds a child that the lookup
    finds (see :func:`insert_referral`). Look it up, and let the domain decide what it is."""


async def same_children(tx: Transaction, lookup: ChildLookup) -> tuple[KnownChild | None, list[Candidate]]:
    """What ``lookup`` finds on the register: the same child, and the possible matches (one query)."""
    if not (lookup.by_identifier or lookup.by_name):
        return None, []
    rows = await tx.fetch(_SAME[lookup.by_identifier, lookup.by_name], lookup.params())
    same = next((_known(r) for r in rows if r.matched == "identifier"), None)
    candidates = [Candidate(r.id, r.la_child_id, SAME_NAME_AND_BIRTH) for r in rows if r.matched == "name"]
    return same, candidates


def _already_registered(exc: IntegrityError) -> RuleBroken:
    """The unique index that refused the write says which identifier is another child's."""
    message = str(exc.orig)
    field = "la_child_id" if "la_child_id" in message else "upn" if "uq_children_upn" in message else "nhs_number"
    return RuleBroken(field, "is already registered to another child")


async def insert_child(tx: Transaction, child: ChildState, *, final: bool = False) -> None:
    """The child, with the outbox and audit rows collected so far, in one statement (``final``:
    the caller's last write; see :meth:`continuum.persistence.uow.UnitOfWork.execute`)."""
    try:
        await tx.execute(_INSERT_CHILD, _child_values(child), final=final)
    except IntegrityError as exc:
        raise _already_registered(exc) from exc


async def update_child(tx: Transaction, child: ChildState, *, at: datetime) -> None:
    values = _child_values(child, updated_at=at)
    values["child_id"] = values.pop("id")  # the row to update; its id does not change
    try:
        await tx.session.execute(_UPDATE_CHILD, values)
    except IntegrityError as exc:
        raise _already_registered(exc) from exc


# --- referrals ------------------------------------------------------------------------------------

_NEW_CHILD_VALUES = _bound(CHILDREN, "new_child_", leave_out=("created_at", "updated_at"))
_NEW_CHILD = insert(CHILDREN).values(_NEW_CHILD_VALUES).cte("new_child")
# ... unless the register holds a child that a ChildLookup would find (its parameters, unprefixed).
_NEW_CHILD_UNLESS_ALIKE = (
    insert(CHILDREN)
    .from_select(
        list(_NEW_CHILD_VALUES),
        select(*(value.label(name) for name, value in _NEW_CHILD_VALUES.items())).where(
            ~exists().where(_HAS_NHS_NUMBER),
            ~exists().where(_HAS_UPN),
            ~and_(bindparam("by_name", type_=Boolean()), exists().where(_HAS_NAME_AND_BIRTH)),
        ),
    )
    .cte("new_child")
)
# A referral, with the outbox and audit rows collected so far (continuum.persistence.uow.WithCollectedRows).
_INSERT_REFERRAL = WithCollectedRows(insert(REFERRALS).values(_bound(REFERRALS)))
# ... and a new child with it: the foreign key is checked at the statement's end, so a referral
# whose new child was held back fails the whole statement.
_INSERT_REFERRAL_AND_CHILD = WithCollectedRows(insert(REFERRALS).values(_bound(REFERRALS)).add_cte(_NEW_CHILD))
_INSERT_REFERRAL_AND_CHILD_UNLESS_ALIKE = WithCollectedRows(
    insert(REFERRALS).values(_bound(REFERRALS)).add_cte(_NEW_CHILD_UNLESS_ALIKE)
)
_REFERRAL_OF_NO_CHILD = "fk_referrals_child_id_children"

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
    .add_cte(insert(DECISIONS).values(_bound(DECISIONS, _D)).cte())
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


async def insert_referral(
    tx: Transaction,
    referral: ReferralState,
    *,
    new_child: ChildState | None = None,
    unless_found: ChildLookup | None = None,
    final: bool = False,
) -> None:
    """The referral, with the child registered with it (if new) and the outbox and audit rows
    collected so far, in one statement (``final``: the caller's last write; see
    :meth:`continuum.persistence.uow.UnitOfWork.execute`).

    ``unless_found``: the new child was not looked up first. The statement then writes nothing,
    and :class:`RegisteredAlike` is raised, when the register holds a child that the lookup finds;
    the lookup runs inside the write, so a new child costs one round trip instead of two."""
    values = _referral_values(referral)
    if new_child is None:
        await tx.execute(_INSERT_REFERRAL, values, final=final)
        return
    values |= _prefixed(_child_values(new_child), "new_child_")
    statement = _INSERT_REFERRAL_AND_CHILD
    if unless_found is not None:
        statement, values = _INSERT_REFERRAL_AND_CHILD_UNLESS_ALIKE, values | unless_found.params()
    try:
        await tx.execute(statement, values, final=final)
    except IntegrityError as exc:
        if unless_found is not None and _REFERRAL_OF_NO_CHILD in str(exc.orig):
            raise RegisteredAlike from None
        raise _already_registered(exc) from exc


async def visible_referral(tx: Transaction, referral_id: uuid.UUID, *, purpose: str, lock: bool = False) -> ReferralState:
    """The referral with its decisions, if the caller may see it (the front door sees every one;
    others their teams', referred or allocated), locked when ``lock``. Otherwise 404, audited."""
    statement = _REFERRAL_WITH_DECISIONS_FOR_UPDATE if lock else _REFERRAL_WITH_DECISIONS
    rows = (await tx.session.execute(statement, {"referral_id": referral_id})).all()
    if not rows or not may_see_case(tx.principal, (rows[0].team, rows[0].allocated_team)):
        tx.audit_refusal("referral.read", subject_type="referral", subject_id=referral_id, purpose=purpose)
        raise not_found("Referral")
    decisions = [_decision_record(r, _D) for r in rows if getattr(r, _D + "id") is not None]
    return _referral_state(rows[0], decisions)


async def save_decision(tx: Transaction, referral: ReferralState, *, event_id: uuid.UUID) -> None:
    """The referral's decision in force, and the new decision record (announced by ``event_id``)."""
    decision = referral.decision
    assert decision is not None
    values = _referral_values(referral)
    record = {f.name: getattr(decision, f.name) for f in fields(DecisionRecord)} | {"event_id": event_id}
    params = {name: values[name] for name in _DECISION_IN_FORCE} | {"referral_id": referral.id}
    await tx.session.execute(_SAVE_DECISION, params | _prefixed(record | {"referral_id": referral.id}, _D))


# --- episodes: closed and reopened by step-down ------------------------------------------------------

_REFERRAL_OF_CASE = select(REFERRALS.c.id).where(REFERRALS.c.case_id == bindparam("case_id"))
_SAVE_CLOSURE = (
    update(REFERRALS)
    .where(REFERRALS.c.id == bindparam("referral_id"))
    .values(closed_on=bindparam("closed_on"), closure_reason=bindparam("closure_reason", type_=REFERRALS.c.closure_reason.type))
)


async def referral_of_case(tx: Transaction, case_id: uuid.UUID) -> ReferralState | None:
    """The referral that opened ``case_id`` with its decisions, locked; ``None`` for a case this
    service never opened."""
    referral_id = (await tx.session.execute(_REFERRAL_OF_CASE, {"case_id": case_id})).scalar_one_or_none()
    if referral_id is None:
        return None
    rows = (await tx.session.execute(_REFERRAL_WITH_DECISIONS_FOR_UPDATE, {"referral_id": referral_id})).all()
    return _referral_state(rows[0], [_decision_record(r, _D) for r in rows if getattr(r, _D + "id") is not None])


async def save_closure(tx: Transaction, referral: ReferralState) -> None:
    """The episode's closure as step-down announced it (or none, reopened)."""
    closure = referral.closure
    params: dict[str, Any] = {"referral_id": referral.id, "closed_on": None, "closure_reason": None}
    if closure is not None:
        params |= {"closed_on": closure.closed_on, "closure_reason": ReasonForClosure(closure.reason)}
    await tx.session.execute(_SAVE_CLOSURE, params)


# --- contacts ---------------------------------------------------------------------------------------

_CONTACT_FIELDS = [f.name for f in fields(ContactState)]
_INSERT_CONTACT = insert(CONTACTS)
_CONTACTS_OF_REFERRAL = (
    select(CONTACTS).where(CONTACTS.c.referral_id == bindparam("referral_id")).order_by(CONTACTS.c.received_at, CONTACTS.c.id)
)
_HELD_CONTACTS_OF_CASE = (
    select(CONTACTS)
    .where(
        CONTACTS.c.case_id == bindparam("case_id"),
        CONTACTS.c.stepped_up_from.is_not(None),
        CONTACTS.c.became_referral_id.is_(None),
    )
    .order_by(CONTACTS.c.received_at, CONTACTS.c.id)
    .with_for_update()
)
_CONTACT_BECAME = update(CONTACTS).where(CONTACTS.c.id == bindparam("contact_id")).values(became_referral_id=bindparam("became"))


def _contact_state(row: Any) -> ContactState:
    return ContactState(**{name: getattr(row, name) for name in _CONTACT_FIELDS})


async def insert_contact(tx: Transaction, contact: ContactState) -> None:
    await tx.session.execute(_INSERT_CONTACT, {name: getattr(contact, name) for name in _CONTACT_FIELDS})


async def contacts_of_referral(tx: Transaction, referral_id: uuid.UUID) -> list[ContactState]:
    rows = (await tx.session.execute(_CONTACTS_OF_REFERRAL, {"referral_id": referral_id})).all()
    return [_contact_state(r) for r in rows]


async def held_contacts(tx: Transaction, case_id: uuid.UUID) -> list[ContactState]:
    """The step-ups held on ``case_id``'s episode that have not become referrals, locked."""
    rows = (await tx.session.execute(_HELD_CONTACTS_OF_CASE, {"case_id": case_id})).all()
    return [_contact_state(r) for r in rows]


async def contact_became(tx: Transaction, contact: ContactState, referral_id: uuid.UUID) -> None:
    await tx.session.execute(_CONTACT_BECAME, {"contact_id": contact.id, "became": referral_id})


async def contacts(
    tx: Transaction, *, teams: Sequence[str] | None, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[Row[Any]]:
    """Contacts recorded on episodes of ``teams`` (the episode's referral team or allocated team;
    ``None``: all) that did not become referrals, oldest first, with the child's name:
    ``limit + 1`` rows from the keyset ``after``."""
    statement = (
        select(CONTACTS, CHILDREN.c.given_name, CHILDREN.c.family_name, REFERRALS.c.allocated_team)
        .join(REFERRALS, REFERRALS.c.id == CONTACTS.c.referral_id)
        .join(CHILDREN, CHILDREN.c.id == CONTACTS.c.child_id)
        .where(CONTACTS.c.became_referral_id.is_(None), _seen_by(teams))
        .order_by(CONTACTS.c.received_at, CONTACTS.c.id)
        .limit(limit + 1)
    )
    if after is not None:
        at, cid = after
        statement = statement.where(or_(CONTACTS.c.received_at > at, and_(CONTACTS.c.received_at == at, CONTACTS.c.id > cid)))
    return (await tx.session.execute(statement)).all()


# --- information requests -------------------------------------------------------------------------

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
    return [_request_state(r) for r in rows]


async def information_request(tx: Transaction, referral: ReferralState, request_id: uuid.UUID) -> InformationRequestState:
    """One of the referral's requests, locked for its answer; 404 when it has no such request."""
    row = (await tx.session.execute(_REQUEST, {"request_id": request_id, "referral_id": referral.id})).first()
    if row is None:
        raise not_found("Information request")
    return _request_state(row)


async def insert_information_request(tx: Transaction, request: InformationRequestState) -> None:
    await tx.session.execute(_INSERT_REQUEST, _request_values(request))


async def save_answer(tx: Transaction, request: InformationRequestState) -> None:
    params = {"request_id": request.id, "answer": request.answer, "answered_at": request.answered_at}
    await tx.session.execute(_ANSWER, params | {"recorded_by": request.recorded_by})


# --- lists ------------------------------------------------------------------------------------------

_OPEN_REQUESTS = func.count(INFORMATION_REQUESTS.c.id).filter(INFORMATION_REQUESTS.c.answered_at.is_(None))


def _seen_by(teams: Sequence[str] | None) -> Any:
    """Referrals of ``teams`` (referred or allocated); ``None``: every team's."""
    if teams is None:
        return true()
    return or_(REFERRALS.c.team.in_(teams), REFERRALS.c.allocated_team.in_(teams))


async def queue(
    tx: Transaction, *, teams: Sequence[str] | None, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[Row[Any]]:
    """Undecided referrals of ``teams`` (``None``: all), soonest due first, with the child's name
    and the count of unanswered information requests: ``limit + 1`` rows from the keyset ``after``."""
    statement = (
        select(REFERRALS, CHILDREN.c.given_name, CHILDREN.c.family_name, _OPEN_REQUESTS.label("open_requests"))
        .join(CHILDREN, CHILDREN.c.id == REFERRALS.c.child_id)
        .outerjoin(INFORMATION_REQUESTS, INFORMATION_REQUESTS.c.referral_id == REFERRALS.c.id)
        .where(REFERRALS.c.status == ReferralStatus.RECEIVED)
        .group_by(REFERRALS.c.id, CHILDREN.c.given_name, CHILDREN.c.family_name)
        .order_by(REFERRALS.c.decision_due_at, REFERRALS.c.id)
        .limit(limit + 1)
    )
    if teams is not None:
        statement = statement.where(REFERRALS.c.team.in_(teams))
    if after is not None:
        due, rid = after
        due_col, id_col = REFERRALS.c.decision_due_at, REFERRALS.c.id
        statement = statement.where(or_(due_col > due, and_(due_col == due, id_col > rid)))
    return (await tx.session.execute(statement)).all()


async def referrals_of_child(
    tx: Transaction, child_id: uuid.UUID, *, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[Row[Any]]:
    """The child's referrals the caller may see, oldest first: ``limit + 1`` rows from the keyset
    ``after`` (each with the decision in force, as the referral row keeps it)."""
    principal = tx.principal
    teams = None if sees_every_case(principal) else sorted(principal.teams if principal else ())
    statement = (
        select(REFERRALS)
        .where(REFERRALS.c.child_id == child_id, _seen_by(teams))
        .order_by(REFERRALS.c.received_at, REFERRALS.c.id)
        .limit(limit + 1)
    )
    if after is not None:
        at, rid = after
        at_col, id_col = REFERRALS.c.received_at, REFERRALS.c.id
        statement = statement.where(or_(at_col > at, and_(at_col == at, id_col > rid)))
    return (await tx.session.execute(statement)).all()
