"""Contacts: a referral that arrived for a child whose episode was still open, recorded on that
episode instead of opening a second one (census rules 8815, 8820; decision 34)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from continuum.casework.clock import london_date
from referral.domain.episodes import Episode
from referral.domain.referrals import Intake


@dataclass(frozen=True, kw_only=True)
class ContactState(Intake):
    """A referral received while the child's episode was open, recorded on that episode instead of
    opening a second one (a step-up from early help; the API answers 409 to a person instead).
    ``became_referral_id``: the referral it opened once the episode closed, when it had come after
    the closure (the two events crossed on their way here)."""

    id: uuid.UUID
    case_id: uuid.UUID
    referral_id: uuid.UUID
    child_id: uuid.UUID
    created_by: str
    recorded_at: datetime
    became_referral_id: uuid.UUID | None = None

    @property
    def held(self) -> bool:
        """A step-up still waiting on the episode (it may become a referral when it closes)."""
        return self.stepped_up_from is not None and self.became_referral_id is None


def record_contact(intake: Intake, *, episode: Episode, child_id: uuid.UUID, by: str, now: datetime) -> ContactState:
    """A referral for a child with an open episode, recorded on that episode (no event: nothing
    opens or changes for the other services)."""
    return ContactState(
        **vars(intake),
        id=uuid.uuid4(),
        case_id=episode.case_id,
        referral_id=episode.referral_id,
        child_id=child_id,
        created_by=by,
        recorded_at=now,
    )


def released_by_closure(contact: ContactState, closed_on: date) -> bool:
    """A held step-up becomes a referral when the episode it waits on closes no later than the day
    it was requested: it came after the closure, and only the events' order made it look otherwise.
    One requested while the episode was open stays a contact on it."""
    return contact.held and london_date(contact.received_at) >= closed_on
