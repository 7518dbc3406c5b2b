"""Rows <-> domain states, shared by the repository's modules: the tables' columns are named like
the states' fields, so each conversion is a walk over the fields."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by

from continuum.contracts import DecisionOutcome
from continuum.contracts.codes import Disability
from referral.domain import (
    ChildIdentity,
    ChildState,
    Closure,
    DecisionRecord,
    Episode,
    InformationRequestState,
    Intake,
    ReferralState,
    ReferralStatus,
)
from referral.tables import CHILDREN, REFERRALS

_IDENTITY = [f.name for f in fields(ChildIdentity)]
_INTAKE = [f.name for f in fields(Intake)]
#: A referral's fields kept in its row's columns of the same name, as they are.
_REFERRAL_COLUMNS = [
    *_INTAKE,
    "id",
    "case_id",
    "child_id",
    "re_referral",
    "decision_due_at",
    "status",
    "version",
    "created_by",
    "decided_within_one_working_day",
    "import_current_stage",
]


def child_state(row: Any) -> ChildState:
    values = {name: getattr(row, name) for name in _IDENTITY}
    disabilities = tuple(Disability(d) for d in row.disabilities)  # an array of codes: no enum column type
    return ChildState(**values | {"disabilities": disabilities}, id=row.id, version=row.version)


def child_values(child: ChildState, **extra: Any) -> dict[str, Any]:
    values = {name: getattr(child, name) for name in _IDENTITY}
    return values | {"id": child.id, "version": child.version, "disabilities": [d.value for d in child.disabilities]} | extra


def decision_record(row: Any, prefix: str = "") -> DecisionRecord:
    return DecisionRecord(**{f.name: getattr(row, prefix + f.name) for f in fields(DecisionRecord)})


def referral_state(row: Any, decisions: Sequence[DecisionRecord] = ()) -> ReferralState:
    closure = Closure(row.closed_on, row.closure_reason) if row.closed_on and row.closure_reason else None
    return ReferralState(**{name: getattr(row, name) for name in _REFERRAL_COLUMNS}, decisions=tuple(decisions), closure=closure)


def referral_values(referral: ReferralState) -> dict[str, Any]:
    """The referral row; the decision in force is kept on it too (the queue and the visibility
    rules read ``status`` and ``allocated_team`` there)."""
    current = referral.decision
    return {name: getattr(referral, name) for name in _REFERRAL_COLUMNS} | {
        "decision": current.outcome if current else None,
        "decision_reasons": current.reasons if current else None,
        "allocated_team": current.team if current else None,
        "decided_by": current.decided_by if current else None,
        "decided_at": current.decided_at if current else None,
        "closed_on": referral.closure.closed_on if referral.closure else None,
        "closure_reason": referral.closure.reason if referral.closure else None,
    }


def request_state(row: Any) -> InformationRequestState:
    return InformationRequestState(**{f.name: getattr(row, f.name) for f in fields(InformationRequestState)})


def request_values(request: InformationRequestState) -> dict[str, Any]:
    return {f.name: getattr(request, f.name) for f in fields(InformationRequestState)}


#: Columns only the import path writes (decision 59): the live statements leave them out (null).
IMPORT_ONLY = ("imported_from",)


def bound(table: Any, prefix: str = "", *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """``VALUES`` of every column of ``table`` bound to a parameter of the same name (prefixed),
    but those in ``leave_out`` and those only the import path writes (:data:`IMPORT_ONLY`)."""
    skipped = (*leave_out, *IMPORT_ONLY)
    return {c.name: bindparam(prefix + c.name, type_=c.type) for c in table.c if c.name not in skipped}


def seen_by(teams: Sequence[str] | None) -> Any:
    """Referrals of ``teams`` (referred or allocated); ``None``: every team's."""
    if teams is None:
        return true()
    return or_(REFERRALS.c.team.in_(teams), REFERRALS.c.allocated_team.in_(teams))


def prefixed(values: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {prefix + name: value for name, value in values.items()}


# --- a child with its referral history -----------------------------------------------------------


@dataclass(frozen=True)
class KnownChild:
    """A registered child with what its referrals say: its episodes (for the one-open-episode rule,
    the teams that may see it, referred or allocated, and when it was referred before, for the
    re-referral rule)."""

    child: ChildState
    episodes: tuple[Episode, ...]

    # The child's id, subject and version: a change of the child is a change of this aggregate
    # (continuum.persistence.change.Versioned).
    @property
    def id(self) -> uuid.UUID:
        return self.child.id

    @property
    def subject(self) -> str:
        return self.child.subject

    @property
    def version(self) -> int:
        return self.child.version

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
_HISTORY_COLUMNS = (
    "id",
    "case_id",
    "team",
    "allocated_team",
    "received_at",
    "status",
    "decision",
    "closed_on",
    "import_current_stage",
)
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


def known_children(where: Any, matched: str) -> Any:
    """Children ``where`` says, each with its referral history and ``matched`` (why it was found)."""
    history = [_HISTORY.c[f"h_{name}"] for name in _HISTORY_COLUMNS]
    return select(CHILDREN, *history, literal(matched).label("matched")).select_from(CHILDREN.join(_HISTORY, true())).where(where)


def known(row: Any) -> KnownChild:
    """A row of :func:`known_children` as the child and its episodes."""
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
            import_current_stage=current_stage,
        )
        for referral_id, case_id, team, allocated_team, received_at, status, decision, closed_on, current_stage in zip(
            *columns, strict=True
        )
    )
    return KnownChild(child_state(row), episodes)
