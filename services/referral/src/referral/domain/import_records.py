"""What a council's history brings the referral service (decision 59): a child of its CIN census
returns with its episodes' referrals, as sent, and the first checks of it (its census codes, its
episodes' own rules); :mod:`referral.domain.imports` turns it into the register's state and events.

What the live rules about *now* say does not apply (a referral is received and decided on its real
day, not today), except that nothing is dated after today. What the return cannot say is filled
the same way for every imported referral (no referrer's name, no narrative). A child without
names is recorded with :data:`NAME_NOT_KNOWN` (``child.registered`` requires names) until the
council's records are matched (a live change of the child). One open episode per child is not
checked here: an episode's closure is step-down's to import, after this.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, TypeVar

from continuum.casework.errors import Invalid
from continuum.casework.imports import Imported, module_key
from continuum.contracts import DecisionOutcome, EventData
from continuum.contracts.codes import Disability, Ethnicity, PrimaryNeedCode, ReferralSource, Sex, UPNUnknownReason
from continuum.contracts.codes.base import CensusCode, validate_code_list
from referral.domain.children import ChildIdentity, ChildState
from referral.domain.episodes import REFERRAL_NFA_OUTCOMES

#: The given or family name of an imported child whose name the council has not sent (a census
#: return carries none): a readable placeholder, never a real person's name.
NAME_NOT_KNOWN = "Not known"
Code = TypeVar("Code", bound=CensusCode)


@dataclass(frozen=True, kw_only=True)
class ImportedEpisode:
    """An episode's referral as the return shows it, with the front door's decision (the command
    derives it) and whether the referral is the open episode's current stage (``current_status``)."""

    referral_date: date
    source: str
    referral_nfa: bool
    decision: DecisionOutcome
    current_status: bool = False
    #: Census PrimaryNeedCode as the return gives it for the episode (text, checked here): carried
    #: on the front door's decision, so an episode without an assessment keeps it.
    primary_need: str | None = None


@dataclass(frozen=True, kw_only=True)
class ImportedChild:
    """A child's part of a council's history, as sent: census codes as text (checked here, so that
    a bad code refuses this child alone), names, NHS number and postcode when the council has them."""

    la_child_id: str
    upn: str | None = None
    former_upn: str | None = None
    upn_unknown_reason: str | None = None
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    sex: str
    ethnicity: str | None
    disabilities: tuple[str, ...] = ()
    date_of_death: date | None = None
    given_name: str | None = None
    family_name: str | None = None
    nhs_number: str | None = None
    postcode: str | None = None
    team: str
    episodes: tuple[ImportedEpisode, ...]

    def child_values(self) -> dict[str, Any]:
        """The child's record as remembered (plain JSON): everything but its episodes and team."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("episodes", "team")}
        return _plain(values)

    def episode_values(self, episode: ImportedEpisode) -> dict[str, Any]:
        """An episode's referral as remembered (plain JSON), with the team it was referred to."""
        return _plain({f.name: getattr(episode, f.name) for f in fields(episode)} | {"team": self.team})


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    def one(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, tuple):
            return [one(v) for v in value]
        return value

    return {name: one(value) for name, value in values.items()}


@dataclass(frozen=True, kw_only=True)
class HeldReferral:
    """A referral imported before, as its row stands (its decision in force)."""

    id: uuid.UUID
    source: ReferralSource
    outcome: DecisionOutcome | None
    team: str


@dataclass(frozen=True)
class ImportedEvent:
    """An event of an imported fact: its data, the key and version it is published under, and its
    real instant, derived id and source file."""

    data: EventData
    subject: str
    version: int
    imported: Imported


def referral_id_of(la: str, la_child_id: str, referral_date: date) -> uuid.UUID:
    """An imported episode's referral id (its module key: the referral starts on its date)."""
    return module_key(la, "referral", la_child_id, referral_date, referral_date)


def _code(code_list: type[Code], value: str, field: str) -> Code:
    try:
        return code_list(value)
    except ValueError:
        raise Invalid(field, f"{value!r} is not a census {code_list.__name__} code") from None


def _ethnicity(value: str | None) -> Ethnicity:
    if value is None:
        raise Invalid("ethnicity", "is missing: the census needs the child's ethnicity (NOBT when not obtained, REFU if refused)")
    return _code(Ethnicity, value, "ethnicity")


def identity_of(record: ImportedChild, *, held: ChildState | None = None) -> ChildIdentity:
    """The child's identity from its imported record, each code checked against the DfE's list.
    Names, NHS number and postcode not sent keep what the register holds (a child imported again
    keeps what the council matched since); names never known are :data:`NAME_NOT_KNOWN`."""
    try:
        disabilities = validate_code_list(
            Disability, list(record.disabilities) or [Disability.NONE.value], item="disability", exclusive=Disability.NONE
        )
    except ValueError as exc:
        raise Invalid("disabilities", str(exc)) from None

    def kept(name: str, fallback: str | None) -> str | None:
        value: str | None = getattr(record, name)
        return value if value is not None else (getattr(held, name) if held is not None else fallback)

    return ChildIdentity(
        la_child_id=record.la_child_id,
        given_name=kept("given_name", NAME_NOT_KNOWN) or NAME_NOT_KNOWN,
        family_name=kept("family_name", NAME_NOT_KNOWN) or NAME_NOT_KNOWN,
        date_of_birth=record.date_of_birth,
        expected_date_of_birth=record.expected_date_of_birth,
        sex=_code(Sex, record.sex, "sex"),
        ethnicity=_ethnicity(record.ethnicity),
        disabilities=tuple(disabilities),
        upn=record.upn,
        nhs_number=kept("nhs_number", None),
        address=held.address if held is not None else None,
        postcode=kept("postcode", None),
        former_upn=record.former_upn,
        upn_unknown_reason=_code(UPNUnknownReason, record.upn_unknown_reason, "upn_unknown_reason")
        if record.upn_unknown_reason is not None
        else None,
        date_of_death=record.date_of_death,
        previous_cp_plans_elsewhere=held.previous_cp_plans_elsewhere if held is not None else None,
    )


def check_episodes(record: ImportedChild, *, today: date) -> list[ReferralSource]:
    """Each episode's own rules: a census source code (and primary need code, if given), a referral
    date not after today and given once, and ReferralNFA as the decision says (an NFA or early help ends at the referral).
    Returns the sources, in the episodes' order."""
    if not record.episodes:
        raise Invalid("episodes", "a child of the census has at least one episode")
    seen: set[date] = set()
    sources = []
    for i, episode in enumerate(record.episodes):
        at = f"episodes[{i}]."
        sources.append(_code(ReferralSource, episode.source, at + "source"))
        if episode.referral_date > today:
            raise Invalid(at + "referral_date", "is after today")
        if episode.referral_date in seen:
            raise Invalid(at + "referral_date", "another episode of the child has the same referral date")
        seen.add(episode.referral_date)
        if episode.primary_need is not None:
            _code(PrimaryNeedCode, episode.primary_need, at + "primary_need")
        if episode.referral_nfa != (episode.decision in REFERRAL_NFA_OUTCOMES):
            reason = "ReferralNFA is true exactly when the front door's decision is nfa or early_help"
            raise Invalid(at + "referral_nfa", reason)
    return sources
