"""What the use cases answer: domain states gathered as a caller reads them, with the instant they
were read at (which the census queries and the "overdue" flags are worked out on). ``views.py``
turns each into its API model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from continuum.casework.clock import london_date
from referral.domain.children import ChildState
from referral.domain.contacts import ContactState
from referral.domain.information import InformationRequestState
from referral.domain.referrals import ReferralState


@dataclass(frozen=True)
class ChildRecord:
    """A child's record as read on ``on`` (a London date); ``created``: registered just now."""

    child: ChildState
    on: date
    created: bool = False


@dataclass(frozen=True)
class ReferralRecord:
    """A referral with its child, its information requests and the contacts held on its episode."""

    referral: ReferralState
    child: ChildState
    at: datetime
    requests: Sequence[InformationRequestState] = ()
    contacts: Sequence[ContactState] = ()

    @property
    def on(self) -> date:
        return london_date(self.at)


@dataclass(frozen=True)
class RequestRecord:
    """An information request as read at ``at`` (overdue or not)."""

    request: InformationRequestState
    at: datetime
