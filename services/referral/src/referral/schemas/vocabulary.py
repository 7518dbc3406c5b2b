"""The referral API's vocabulary: each term a request or an answer uses, defined once with its
description and its limits, so a field's name means the same in every model (``team``,
``received_at``, ``referral_date``: the London calendar date that the census and the timescales
read), and ``Strict``, the base of every request body. The models beside it are built from these."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from continuum.casework.policy import TEAM_PATTERN
from continuum.contracts import DecisionOutcome, ThresholdLevel
from continuum.contracts.codes import Disability, Ethnicity, ReferralSource, Sex, UPNUnknownReason
from continuum.web.limits import Day, Instant
from continuum.web.requests import RequestModel
from referral.domain import Agency, LawfulBasis, ReferralStatus


def doc(text: str, **kw: Any) -> Any:
    """A field described for the OpenAPI document."""
    return Field(description=text, **kw)


# Every string a request sends has a maximum length (tests/integration/test_bad_input.py walks the OpenAPI
# document for one without), and every list a maximum count.
NAME = StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
#: Narrative: concerns, reasons, questions and answers (about three pages).
TEXT = StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)

# --- the vocabulary -------------------------------------------------------------------------------

Id = Annotated[uuid.UUID, doc("This record's id")]
ReferralId = Annotated[uuid.UUID, doc("The referral's id")]
CaseId = Annotated[uuid.UUID, doc("The case (episode) the referral opened: the key of every event about it")]
ChildId = Annotated[uuid.UUID, doc("The registered child's id in Continuum")]
Version = Annotated[int, doc('The record\'s version, also its ETag: send it as If-Match ("3") to change the record')]
Team = Annotated[str, StringConstraints(pattern=TEAM_PATTERN, max_length=50), doc("A team of the council (its policy file's id)")]
LaChildId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20),
    doc("The council's own id of the child (census LAchildID): 1 to 20 letters and digits"),
]
GivenName = Annotated[str, NAME, doc("The child's given name")]
FamilyName = Annotated[str, NAME, doc("The child's family name")]
DateOfBirth = Annotated[Day | None, doc("The child's date of birth; null for an unborn child")]
ExpectedDateOfBirth = Annotated[Day | None, doc("An unborn child's expected date of birth (with sex U)")]
SexCode = Annotated[Sex, doc("Census sex code: M, F, or U for an unborn child")]
EthnicityCode = Annotated[Ethnicity, doc("Census ethnicity code (e.g. WBRI)")]
Disabilities = Annotated[list[Disability], Field(max_length=len(Disability)), doc("Census disability codes; [NONE] when none")]
_UpnText = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=13)]
Upn = Annotated[
    _UpnText | None,
    doc(
        "Unique pupil number: a DfE check letter, the issuing LA's number (3 digits), eight more digits and "
        "a digit (or a letter, for a temporary UPN); e.g. B801200005001"
    ),
]
FormerUpn = Annotated[_UpnText | None, doc("A UPN the child had before (census FormerUPN), in the same form")]
UpnUnknown = Annotated[
    UPNUnknownReason | None,
    doc("Why the child has no UPN (census UPNunknown, UN1 to UN7); only when upn is null"),
]
DateOfDeath = Annotated[
    Day | None, doc("The child's date of death (census PersonDeathDate): not before birth, a referral, or in the future")
]
PreviousCpPlans = Annotated[
    Annotated[int, Field(ge=0, le=99)] | None,
    doc("Child protection plans the child had in other councils (counted into the census NumberOfPreviousCPP)"),
]
NhsNumber = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] | None,
    doc("NHS number: ten digits, modulus-11 checked"),
]
Address = Annotated[
    Annotated[str, StringConstraints(max_length=500)] | None, doc("The child's address (never published on events)")
]
Postcode = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=8)] | None,
    doc("The child's UK postcode"),
]
ReceivedAt = Annotated[Instant, doc("When the front door received the referral (with a time zone; not in the future)")]
#: As an answer shows a referral (a list's row or the whole referral):
WhenReceived = Annotated[datetime, doc("When the front door received the referral")]
ReferredTeam = Annotated[str, doc("The team the referral was made to")]
Status = Annotated[ReferralStatus, doc("received (waiting for the decision) or decided")]
ChildName = Annotated[str, doc("The child's given and family name")]
ReferralDate = Annotated[date, doc("The census referral date: the London calendar date of received_at")]
Source = Annotated[ReferralSource, doc("Census referral source code (e.g. 6 for the police, 5D for early help)")]
Concerns = Annotated[str, TEXT, doc("The referrer's concerns, as told")]
Basis = Annotated[LawfulBasis, doc("Why the referrer may share this information")]
Threshold = Annotated[ThresholdLevel, doc("The level of need the referrer suggests")]
Outcome = Annotated[DecisionOutcome, doc("The decision: nfa, early_help, assessment or strategy_discussion")]
Reasons = Annotated[str, TEXT, doc("Why the manager decided so")]
AllocatedTeam = Annotated[str, StringConstraints(pattern=TEAM_PATTERN, max_length=50), doc("The team to allocate the case to")]
CorrectionReason = Annotated[str, TEXT, doc("Why the decision in force is corrected")]
DecidedBy = Annotated[str, doc("Who decided (their token's subject)")]
DecidedAt = Annotated[datetime, doc("When the decision was recorded")]
DueAt = Annotated[datetime, doc("When the front door's decision is due: one working day after receipt, London clock time")]
Overdue = Annotated[bool, doc("Past its due time and still waiting")]
ReReferral = Annotated[bool, doc("The child had another referral in the 12 months (London dates) before this one")]
SteppedUpFrom = Annotated[uuid.UUID | None, doc("The early-help episode this referral stepped up from, if any")]
AgencyCode = Annotated[Agency, doc("The partner agency asked")]
Question = Annotated[str, TEXT, doc("What the agency is asked")]
Answer = Annotated[str, TEXT, doc("The agency's answer")]
EpisodeStatus = Annotated[
    Literal["open", "closed"],
    doc("The episode (case) as the step-down service announced it: open until its case.closed, and again after a case.reopened"),
]
ClosedOn = Annotated[date | None, doc("Census closure date of the episode, as the step-down service closed it; null while open")]


class Strict(RequestModel):
    """A request body: unknown fields and NUL characters refused (see RequestModel)."""
