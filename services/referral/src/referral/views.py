"""What the use cases answer (domain records and rows) as the API shows it (schemas.py), and the
register's conflicts as problem answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from continuum.casework.clock import london_date
from continuum.casework.errors import FieldError
from continuum.web.errors import Problem
from referral.domain import (
    ChildRecord,
    ChildState,
    ContactState,
    DecisionRecord,
    InformationRequestState,
    MatchConflict,
    MatchKind,
    OpenEpisodeConflict,
    ReferralRecord,
    RequestRecord,
    census_queries,
)
from referral.schemas import (
    CensusQueryOut,
    ChildOut,
    ContactItem,
    ContactOut,
    DecisionOut,
    InformationRequestOut,
    PossibleMatch,
    QueueItem,
    ReferralOut,
    ReferralSummary,
    Referrer,
)


def _picked(row: Any, *names: str) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def child_out(child: ChildState, on: date) -> ChildOut:
    """The child's record, with the census queries it raises on ``on`` (the answer's London date)."""
    queries = [CensusQueryOut(rule=q.rule, field=q.field, query=q.query) for q in census_queries(child, on=on)]
    values = {name: getattr(child, name) for name in ChildOut.model_fields if name != "census_queries"}
    return ChildOut.model_validate(values | {"census_queries": queries})


def contact_out(contact: ContactState) -> ContactOut:
    return ContactOut(**_contact_values(contact))


def _contact_values(contact: Any) -> dict[str, Any]:
    names = ("id", "case_id", "referral_id", "child_id", "received_at", "source", "concerns", "team", "stepped_up_from")
    return {name: getattr(contact, name) for name in names} | {
        "referrer": Referrer(name=contact.referrer_name, agency=contact.referrer_agency),
        "recorded_at": contact.recorded_at,
        "became_referral_id": contact.became_referral_id,
    }


def contact_item(row: Any) -> ContactItem:
    """A row of the front door's contacts: a contact, its child's name."""
    return ContactItem(**_contact_values(row), child_name=f"{row.given_name} {row.family_name}")


def _episode_status(closed_on: date | None) -> str:
    return "open" if closed_on is None else "closed"


def decision_out(decision: DecisionRecord) -> DecisionOut:
    return DecisionOut.model_validate(decision, from_attributes=True)


def request_out(request: InformationRequestState, now: datetime) -> InformationRequestOut:
    names = ("id", "agency", "question", "requested_by", "requested_at", "due_at", "answer", "answered_at")
    return InformationRequestOut(**_picked(request, *names), overdue=request.overdue(now))


def child_view(record: ChildRecord) -> ChildOut:
    return child_out(record.child, record.on)


def request_view(record: RequestRecord) -> InformationRequestOut:
    return request_out(record.request, record.at)


def referral_out(record: ReferralRecord) -> ReferralOut:
    """A referral with its child, every decision in order, its information requests and contacts."""
    referral, now = record.referral, record.at
    decisions = [decision_out(d) for d in referral.decisions]
    closed_on = referral.closure.closed_on if referral.closure else None
    return ReferralOut(
        id=referral.id,
        case_id=referral.case_id,
        child=child_out(record.child, record.on),
        received_at=referral.received_at,
        referral_date=referral.referral_date,
        source=referral.source,
        referrer=Referrer(name=referral.referrer_name, agency=referral.referrer_agency),
        concerns=referral.concerns,
        lawful_basis=referral.lawful_basis,
        suggested_threshold=referral.suggested_threshold,
        team=referral.team,
        re_referral=referral.re_referral,
        stepped_up_from=referral.stepped_up_from,
        decision_due_at=referral.decision_due_at,
        overdue=referral.overdue(now),
        status=referral.status,
        decision=decisions[-1] if decisions else None,
        decisions=decisions,
        decided_within_one_working_day=referral.decided_within_one_working_day,
        episode_status=_episode_status(closed_on),
        closed_on=closed_on,
        closure_reason=referral.closure.reason if referral.closure else None,
        information_requests=[request_out(r, now) for r in record.requests],
        contacts=[contact_out(c) for c in record.contacts],
        version=referral.version,
    )


def referral_summary(row: Any) -> ReferralSummary:
    """A referral row (the decision in force is kept on it) as a list shows it."""
    return ReferralSummary(
        **_picked(row, "id", "case_id", "child_id", "received_at", "source", "team", "re_referral", "status"),
        **_picked(row, "allocated_team", "closed_on", "version"),
        referral_date=london_date(row.received_at),
        outcome=row.decision,
        episode_status=_episode_status(row.closed_on),
    )


def queue_item(row: Any, now: datetime) -> QueueItem:
    """A row of the queue: an undecided referral, its child's name and its open requests."""
    return QueueItem(
        **_picked(row, "case_id", "child_id", "received_at", "source", "suggested_threshold", "team", "re_referral"),
        referral_id=row.id,
        child_name=f"{row.given_name} {row.family_name}",
        decision_due_at=row.decision_due_at,
        overdue=now > row.decision_due_at,
        open_information_requests=row.open_requests,
    )


def open_episode_problem(conflict: OpenEpisodeConflict, *, discloses: bool) -> Problem:
    """The 409 for a referral (or a reopening correction) while the child's episode is open
    (census rules 8815, 8820): the open episode named to whoever may see it (the front door sees
    every one); to anyone else the front door's review, naming nothing (decision 34)."""
    if not discloses:
        return match_problem(MatchConflict(MatchKind.FRONT_DOOR_REVIEW, [], fields=(conflict.field,)))
    episode = conflict.episode
    return Problem(
        409,
        "open-episode",
        "This child's episode is still open: a second one would overlap it (census rules 8815, 8820)",
        detail=(
            f"the child's episode (case {episode.case_id}, referral {episode.referral_id}, team "
            f"{episode.allocated_team or episode.team}) is open; pass the information to that team, or close the episode first"
        ),
        errors=[FieldError(conflict.field, "the child has an open episode")],
        extensions={
            "open_episode": {
                "case_id": str(episode.case_id),
                "referral_id": str(episode.referral_id),
                "team": episode.allocated_team or episode.team,
                "referral_date": episode.referral_date.isoformat(),
            }
        },
    )


def match_problem(conflict: MatchConflict, field_prefix: str = "") -> Problem:
    """The 409 for a child that resembles registered ones (decision 20): ``front-door-review``
    names no child; the others list the candidates for the front door to choose from."""
    fields = [field_prefix + name for name in conflict.fields]
    if conflict.kind is MatchKind.FRONT_DOOR_REVIEW:
        return Problem(
            409,
            "front-door-review",
            "This child may already be registered: the front door must review it",
            detail="ask the front door to register the child or to refer the registered child",
            errors=[FieldError(f, "may match a registered child; the front door reviews it") for f in fields],
        )
    candidates = [
        PossibleMatch(
            child_id=c.child_id, la_child_id=c.la_child_id, matched_on=list(c.matched_on), differs_on=list(c.differs_on)
        )
        for c in conflict.candidates
    ]
    extensions = {"candidates": [c.model_dump(mode="json") for c in candidates]}
    if conflict.kind is MatchKind.IDENTITY_CONFLICT:
        return Problem(
            409,
            "identity-conflict",
            "A child with this NHS number or UPN is registered with another name or date of birth",
            detail="check the identity with the referrer; refer the registered child by child_id, or correct it",
            errors=[FieldError(f, "differs from the registered child") for f in fields],
            extensions=extensions,
        )
    return Problem(
        409,
        "possible-match",
        "A child with the same name and date of birth is already registered",
        detail="check the candidates; refer one of them by child_id, or resend with child.confirmed_new = true",
        errors=[FieldError(field_prefix.rstrip(".") or "child", f"possible match: {c.child_id}") for c in candidates],
        extensions=extensions,
    )
