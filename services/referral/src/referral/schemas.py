"""The referral API's request and response models, with OpenAPI examples.

One vocabulary: each term below is defined once, with its description, and every model uses it,
so a field's name means the same in every request and answer (``team``, ``received_at``,
``referral_date``: the London calendar date that the census and the timescales read).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema

from continuum.casework.policy import TEAM_PATTERN
from continuum.contracts import DecisionOutcome, ThresholdLevel
from continuum.contracts.codes import Disability, Ethnicity, ReasonForClosure, ReferralSource, Sex, UPNUnknownReason
from continuum.web.limits import Day, Instant
from continuum.web.requests import RequestModel
from referral import examples
from referral.domain import Agency, ChildIdentity, Intake, LawfulBasis, ReferralStatus


def _(text: str, **kw: Any) -> Any:
    return Field(description=text, **kw)


# Every string a request sends has a maximum length (tests/test_bad_input.py walks the OpenAPI
# document for one without), and every list a maximum count.
_Name = StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
#: Narrative: concerns, reasons, questions and answers (about three pages).
_Text = StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)

# --- the vocabulary -------------------------------------------------------------------------------

Id = Annotated[uuid.UUID, _("This record's id")]
ReferralId = Annotated[uuid.UUID, _("The referral's id")]
CaseId = Annotated[uuid.UUID, _("The case (episode) the referral opened: the key of every event about it")]
ChildId = Annotated[uuid.UUID, _("The registered child's id in Continuum")]
Version = Annotated[int, _('The record\'s version, also its ETag: send it as If-Match ("3") to change the record')]
Team = Annotated[str, StringConstraints(pattern=TEAM_PATTERN, max_length=50), _("A team of the council (its policy file's id)")]
LaChildId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20),
    _("The council's own id of the child (census LAchildID): 1 to 20 letters and digits"),
]
GivenName = Annotated[str, _Name, _("The child's given name")]
FamilyName = Annotated[str, _Name, _("The child's family name")]
DateOfBirth = Annotated[Day | None, _("The child's date of birth; null for an unborn child")]
ExpectedDateOfBirth = Annotated[Day | None, _("An unborn child's expected date of birth (with sex U)")]
SexCode = Annotated[Sex, _("Census sex code: M, F, or U for an unborn child")]
EthnicityCode = Annotated[Ethnicity, _("Census ethnicity code (e.g. WBRI)")]
Disabilities = Annotated[list[Disability], Field(max_length=len(Disability)), _("Census disability codes; [NONE] when none")]
_UpnText = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=13)]
Upn = Annotated[
    _UpnText | None,
    _(
        "Unique pupil number: a DfE check letter, the issuing LA's number (3 digits), eight more digits and "
        "a digit (or a letter, for a temporary UPN); e.g. B801200005001"
    ),
]
FormerUpn = Annotated[_UpnText | None, _("A UPN the child had before (census FormerUPN), in the same form")]
UpnUnknown = Annotated[
    UPNUnknownReason | None,
    _("Why the child has no UPN (census UPNunknown, UN1 to UN7); only when upn is null"),
]
DateOfDeath = Annotated[
    Day | None, _("The child's date of death (census PersonDeathDate): not before birth, a referral, or in the future")
]
PreviousCpPlans = Annotated[
    Annotated[int, Field(ge=0, le=99)] | None,
    _("Child protection plans the child had in other councils (counted into the census NumberOfPreviousCPP)"),
]
NhsNumber = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] | None,
    _("NHS number: ten digits, modulus-11 checked"),
]
Address = Annotated[
    Annotated[str, StringConstraints(max_length=500)] | None, _("The child's address (never published on events)")
]
Postcode = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=8)] | None, _("The child's UK postcode")
]
ReceivedAt = Annotated[Instant, _("When the front door received the referral (with a time zone; not in the future)")]
ReferralDate = Annotated[date, _("The census referral date: the London calendar date of received_at")]
Source = Annotated[ReferralSource, _("Census referral source code (e.g. 6 for the police, 5D for early help)")]
Concerns = Annotated[str, _Text, _("The referrer's concerns, as told")]
Basis = Annotated[LawfulBasis, _("Why the referrer may share this information")]
Threshold = Annotated[ThresholdLevel, _("The level of need the referrer suggests")]
Outcome = Annotated[DecisionOutcome, _("The decision: nfa, early_help, assessment or strategy_discussion")]
Reasons = Annotated[str, _Text, _("Why the manager decided so")]
AllocatedTeam = Annotated[str, StringConstraints(pattern=TEAM_PATTERN, max_length=50), _("The team to allocate the case to")]
CorrectionReason = Annotated[str, _Text, _("Why the decision in force is corrected")]
DecidedBy = Annotated[str, _("Who decided (their token's subject)")]
DecidedAt = Annotated[datetime, _("When the decision was recorded")]
DueAt = Annotated[datetime, _("When the front door's decision is due: one working day after receipt, London clock time")]
Overdue = Annotated[bool, _("Past its due time and still waiting")]
ReReferral = Annotated[bool, _("The child had another referral in the 12 months (London dates) before this one")]
SteppedUpFrom = Annotated[uuid.UUID | None, _("The early-help episode this referral stepped up from, if any")]
AgencyCode = Annotated[Agency, _("The partner agency asked")]
Question = Annotated[str, _Text, _("What the agency is asked")]
Answer = Annotated[str, _Text, _("The agency's answer")]
Cursor = Annotated[str | None, _("Send as `cursor` for the next page; null on the last page")]
EpisodeStatus = Annotated[
    Literal["open", "closed"],
    _("The episode (case) as the step-down service announced it: open until its case.closed, and again after a case.reopened"),
]
ClosedOn = Annotated[date | None, _("Census closure date of the episode, as the step-down service closed it; null while open")]


class Strict(RequestModel):
    """A request body: unknown fields and NUL characters refused (see RequestModel)."""


class ChildIn(Strict):
    """A child to register. ``date_of_birth`` for a born child, ``expected_date_of_birth`` (and sex
    ``U``) for an unborn one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.CHILD]})

    la_child_id: LaChildId
    given_name: GivenName
    family_name: FamilyName
    date_of_birth: DateOfBirth = None
    expected_date_of_birth: ExpectedDateOfBirth = None
    sex: SexCode
    ethnicity: EthnicityCode
    disabilities: Disabilities = Field(default_factory=lambda: [Disability.NONE])
    upn: Upn = None
    nhs_number: NhsNumber = None
    address: Address = None
    postcode: Postcode = None
    former_upn: FormerUpn = None
    upn_unknown_reason: UpnUnknown = None
    date_of_death: DateOfDeath = None
    previous_cp_plans_elsewhere: PreviousCpPlans = None
    confirmed_new: bool = _(
        "Set after a 409 possible-match answer, when a person has checked that the children with the "
        "same name and date of birth are not this child.",
        default=False,
    )

    def identity(self) -> ChildIdentity:
        values = self.model_dump(exclude={"confirmed_new", "disabilities"})
        return ChildIdentity(**values, disabilities=tuple(self.disabilities))


#: What every child has: a patch may change these but not send them as null.
CHILD_REQUIRED_FIELDS = ("given_name", "family_name", "sex", "ethnicity", "disabilities")


class ChildPatch(Strict):
    """Fields to change; omitted fields keep their value. Send ``If-Match`` with the version.
    Only what a child may lack (a date of birth, identifiers, address) may be sent as null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.CHILD_PATCH]})

    # SkipJsonSchema: the OpenAPI document does not offer null where it is refused.
    given_name: GivenName | SkipJsonSchema[None] = None
    family_name: FamilyName | SkipJsonSchema[None] = None
    date_of_birth: DateOfBirth = None
    expected_date_of_birth: ExpectedDateOfBirth = None
    sex: SexCode | SkipJsonSchema[None] = None
    ethnicity: EthnicityCode | SkipJsonSchema[None] = None
    disabilities: Disabilities | SkipJsonSchema[None] = None
    upn: Upn = None
    nhs_number: NhsNumber = None
    address: Address = None
    postcode: Postcode = None
    former_upn: FormerUpn = None
    upn_unknown_reason: UpnUnknown = None
    date_of_death: DateOfDeath = None
    previous_cp_plans_elsewhere: PreviousCpPlans = None

    @field_validator(*CHILD_REQUIRED_FIELDS, mode="before")
    @classmethod
    def _required_fields_are_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null (every child has one); leave the field out to keep its value")
        return value


class CensusQueryOut(BaseModel):
    """What the DfE's census validator would query in the record as it stands (kept, not refused)."""

    rule: Annotated[str, _("The census validation rule, e.g. 8770Q")]
    field: Annotated[str, _("The field to complete or check")]
    query: Annotated[str, _("What to check")]


class ChildOut(BaseModel):
    """A registered child's record, with the census queries it raises today (``census_queries``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CHILD_OUT]})

    # The request's terms: what was stored passed the same checks.
    id: ChildId
    la_child_id: LaChildId
    given_name: GivenName
    family_name: FamilyName
    date_of_birth: DateOfBirth
    expected_date_of_birth: ExpectedDateOfBirth
    sex: SexCode
    ethnicity: EthnicityCode
    disabilities: Disabilities
    upn: Upn
    nhs_number: NhsNumber
    address: Address
    postcode: Postcode
    former_upn: FormerUpn
    upn_unknown_reason: UpnUnknown
    date_of_death: DateOfDeath
    previous_cp_plans_elsewhere: PreviousCpPlans
    version: Version
    census_queries: Annotated[
        list[CensusQueryOut],
        _("What the DfE would query in this record today (e.g. 8770Q: a school-age child without a UPN or reason)"),
    ]


class Referrer(Strict):
    """Who made the referral."""

    name: Annotated[str, _Name, _("The referrer's name")]
    agency: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _("The referrer's agency")]


class ReferralIn(Strict):
    """A referral for a new child (``child``) or a registered one (``child_id``): exactly one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.REFERRAL]})

    child_id: Annotated[uuid.UUID | None, _("A registered child (or send `child`)")] = None
    # validate_default: the check runs when ``child`` is left out too, so the error names the field.
    child: ChildIn | None = _("A child to register with the referral (or send `child_id`)", default=None, validate_default=True)
    received_at: ReceivedAt
    source: Source
    referrer: Annotated[Referrer, _("Who made the referral")]
    concerns: Concerns
    lawful_basis: Basis
    suggested_threshold: Threshold
    team: Team = _("The team that will work with the family if the case proceeds")

    @field_validator("child")
    @classmethod
    def _exactly_one_child(cls, child: ChildIn | None, info: ValidationInfo) -> ChildIn | None:
        if "child_id" not in info.data:  # child_id itself is invalid, and its error says so
            return child
        if (info.data["child_id"] is None) == (child is None):
            raise ValueError("give exactly one of child_id (a registered child) or child (a new child)")
        return child

    def intake(self, *, stepped_up_from: uuid.UUID | None = None) -> Intake:
        return Intake(
            received_at=self.received_at,
            source=self.source,
            referrer_name=self.referrer.name,
            referrer_agency=self.referrer.agency,
            concerns=self.concerns,
            lawful_basis=self.lawful_basis,
            suggested_threshold=self.suggested_threshold,
            team=self.team,
            stepped_up_from=stepped_up_from,
        )


class DecisionIn(Strict):
    """The front door's decision; send ``If-Match`` with the referral's version."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.DECISION]})

    outcome: Outcome
    reasons: Reasons
    team: AllocatedTeam


class CorrectionIn(DecisionIn):
    """A new decision that replaces the one in force, with the reason; send ``If-Match``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.CORRECTION]})

    correction_reason: CorrectionReason


class InformationRequestIn(Strict):
    """A question to a partner agency about the referral."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.QUESTION]})

    agency: AgencyCode
    question: Question
    due_at: Annotated[Instant, _("When the answer is due (with a time zone; in the future)")]


class InformationAnswerIn(Strict):
    """The agency's answer; recorded once."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.ANSWER]})

    answer: Answer


class InformationRequestOut(BaseModel):
    """A question to a partner agency, and its answer once recorded."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.QUESTION_OUT]})

    id: Id
    agency: AgencyCode
    question: Annotated[str, _("What the agency is asked")]
    requested_by: Annotated[str, _("Who asked (their token's subject)")]
    requested_at: Annotated[datetime, _("When it was asked")]
    due_at: Annotated[datetime, _("When the answer is due")]
    answer: Annotated[str | None, _("The agency's answer; null until recorded")]
    answered_at: Annotated[datetime | None, _("When the answer was recorded")]
    overdue: Overdue


class DecisionOut(BaseModel):
    """One front-door decision: the original, or a correction naming the decision it corrects."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.DECISION_OUT]})

    id: Id
    outcome: Outcome
    reasons: Annotated[str, _("Why the manager decided so")]
    team: Annotated[str, _("The team the case is allocated to")]
    decided_by: DecidedBy
    decided_at: DecidedAt
    corrects: Annotated[uuid.UUID | None, _("The decision this one corrects; null for the original")]
    correction_reason: Annotated[str | None, _("Why it was corrected; null for the original")]


class ContactOut(BaseModel):
    """A referral received while the child's episode was open: recorded on that episode, never a
    second one (census rules 8815, 8820). A step-up from early help that came after the episode's
    closure (the events crossed) opens its referral when the closure arrives (``became_referral_id``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CONTACT_OUT]})

    id: Id
    case_id: Annotated[uuid.UUID, _("The open episode it was recorded on")]
    referral_id: Annotated[uuid.UUID, _("The referral that opened that episode")]
    child_id: ChildId
    received_at: Annotated[datetime, _("When it was received (a step-up: when early help asked)")]
    source: Source
    referrer: Annotated[Referrer, _("Who made it")]
    concerns: Annotated[str, _("The concerns, as told")]
    team: Annotated[str, _("The team it was addressed to")]
    stepped_up_from: SteppedUpFrom
    recorded_at: Annotated[datetime, _("When this service recorded it")]
    became_referral_id: Annotated[uuid.UUID | None, _("The referral it opened once the episode closed, if it did")]


class ContactItem(ContactOut):
    """A contact on the front door's list, with the child's name."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CONTACT_ITEM]})

    child_name: Annotated[str, _("The child's given and family name")]


class ReferralOut(BaseModel):
    """A referral with its child, its decision history and its information requests."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.REFERRAL_OUT]})

    id: ReferralId
    case_id: CaseId
    child: Annotated[ChildOut, _("The child referred")]
    received_at: Annotated[datetime, _("When the front door received the referral")]
    referral_date: ReferralDate
    source: Source
    referrer: Annotated[Referrer, _("Who made the referral")]
    concerns: Annotated[str, _("The referrer's concerns, as told")]
    lawful_basis: Basis
    suggested_threshold: Threshold
    team: Annotated[str, _("The team the referral was made to")]
    re_referral: ReReferral
    stepped_up_from: SteppedUpFrom
    decision_due_at: DueAt
    overdue: Overdue
    status: Annotated[ReferralStatus, _("received (waiting for the decision) or decided")]
    decision: Annotated[DecisionOut | None, _("The decision in force (the last of `decisions`); null until decided")]
    decisions: Annotated[list[DecisionOut], _("Every decision in order: the original, then each correction")]
    decided_within_one_working_day: Annotated[bool | None, _("Whether the original decision came by its due time")]
    episode_status: EpisodeStatus
    closed_on: ClosedOn
    closure_reason: Annotated[
        ReasonForClosure | None, _("Census reason for closure, as the step-down service closed the episode; null while open")
    ]
    information_requests: Annotated[list[InformationRequestOut], _("Questions to partner agencies, in the order asked")]
    contacts: Annotated[
        list[ContactOut], _("Referrals received while this episode was open (step-ups from early help), recorded on it")
    ]
    version: Version


class ReferralSummary(BaseModel):
    """A referral as a list shows it: no narrative, the decision in force."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.REFERRAL_SUMMARY]})

    id: ReferralId
    case_id: CaseId
    child_id: ChildId
    received_at: Annotated[datetime, _("When the front door received the referral")]
    referral_date: ReferralDate
    source: Source
    team: Annotated[str, _("The team the referral was made to")]
    re_referral: ReReferral
    status: Annotated[ReferralStatus, _("received (waiting for the decision) or decided")]
    outcome: Annotated[DecisionOutcome | None, _("The decision in force; null until decided")]
    allocated_team: Annotated[str | None, _("The team the decision allocated the case to")]
    episode_status: EpisodeStatus
    closed_on: ClosedOn
    version: Version


class QueueItem(BaseModel):
    """An undecided referral on the front door's queue."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.QUEUE_ITEM]})

    referral_id: ReferralId
    case_id: CaseId
    child_id: ChildId
    child_name: Annotated[str, _("The child's given and family name")]
    received_at: Annotated[datetime, _("When the front door received the referral")]
    source: Source
    suggested_threshold: Threshold
    team: Annotated[str, _("The team the referral was made to")]
    re_referral: ReReferral
    decision_due_at: DueAt
    overdue: Overdue
    open_information_requests: Annotated[int, _("Questions to partner agencies not answered yet")]


class PossibleMatch(BaseModel):
    """A registered child that a new child's details match, in a 409 answer's ``candidates``
    (only to callers who may see every child: the front door)."""

    child_id: ChildId
    la_child_id: Annotated[str, _("The council's own id of the registered child")]
    matched_on: Annotated[list[str], _("The fields that matched: given_name, family_name, date_of_birth, nhs_number_or_upn")]
    differs_on: Annotated[list[str], _("Identity fields that differ despite a matching identifier")] = Field(default_factory=list)
