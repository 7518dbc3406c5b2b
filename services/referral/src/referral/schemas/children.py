"""The API's models of a child: registered, changed, answered, and a possible match."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from continuum.contracts.codes import Disability
from referral import examples
from referral.domain import ChildIdentity
from referral.schemas.vocabulary import (
    Address,
    ChildId,
    DateOfBirth,
    DateOfDeath,
    Disabilities,
    EthnicityCode,
    ExpectedDateOfBirth,
    FamilyName,
    FormerUpn,
    GivenName,
    LaChildId,
    NhsNumber,
    Postcode,
    PreviousCpPlans,
    SexCode,
    Strict,
    Upn,
    UpnUnknown,
    Version,
    doc,
)


class _WhatAChildMayLack(Strict):
    """What a child may lack (identifiers, an address, a death, earlier plans elsewhere): each may
    be null, in a registration and a change alike. A model lists its own leading fields in a base
    placed after this one, so that these come last in the OpenAPI document, as they always have."""

    upn: Upn = None
    nhs_number: NhsNumber = None
    address: Address = None
    postcode: Postcode = None
    former_upn: FormerUpn = None
    upn_unknown_reason: UpnUnknown = None
    date_of_death: DateOfDeath = None
    previous_cp_plans_elsewhere: PreviousCpPlans = None


class _Registration(Strict):
    """What a registration leads with: the council's id, the names, birth, sex, ethnicity, disabilities."""

    la_child_id: LaChildId
    given_name: GivenName
    family_name: FamilyName
    date_of_birth: DateOfBirth = None
    expected_date_of_birth: ExpectedDateOfBirth = None
    sex: SexCode
    ethnicity: EthnicityCode
    disabilities: Disabilities = Field(default_factory=lambda: [Disability.NONE])


class ChildIn(_WhatAChildMayLack, _Registration):
    """A child to register. ``date_of_birth`` for a born child, ``expected_date_of_birth`` (and sex
    ``U``) for an unborn one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.CHILD]})

    confirmed_new: bool = doc(
        "Set after a 409 possible-match answer, when a person has checked that the children with the "
        "same name and date of birth are not this child.",
        default=False,
    )

    def identity(self) -> ChildIdentity:
        values = self.model_dump(exclude={"confirmed_new", "disabilities"})
        return ChildIdentity(**values, disabilities=tuple(self.disabilities))


#: What every child has: a patch may change these but not send them as null.
CHILD_REQUIRED_FIELDS = ("given_name", "family_name", "sex", "ethnicity", "disabilities")


class _ChangedIdentity(Strict):
    """What a change may carry of what every child has; none of it may be sent as null."""

    # SkipJsonSchema: the OpenAPI document does not offer null where it is refused.
    given_name: GivenName | SkipJsonSchema[None] = None
    family_name: FamilyName | SkipJsonSchema[None] = None
    date_of_birth: DateOfBirth = None
    expected_date_of_birth: ExpectedDateOfBirth = None
    sex: SexCode | SkipJsonSchema[None] = None
    ethnicity: EthnicityCode | SkipJsonSchema[None] = None
    disabilities: Disabilities | SkipJsonSchema[None] = None


class ChildPatch(_WhatAChildMayLack, _ChangedIdentity):
    """Fields to change; omitted fields keep their value. Send ``If-Match`` with the version.
    Only what a child may lack (a date of birth, identifiers, address) may be sent as null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.CHILD_PATCH]})

    @field_validator(*CHILD_REQUIRED_FIELDS, mode="before")
    @classmethod
    def _required_fields_are_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null (every child has one); leave the field out to keep its value")
        return value


class CensusQueryOut(BaseModel):
    """What the DfE's census validator would query in the record as it stands (kept, not refused)."""

    rule: Annotated[str, doc("The census validation rule, e.g. 8770Q")]
    field: Annotated[str, doc("The field to complete or check")]
    query: Annotated[str, doc("What to check")]


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
        doc("What the DfE would query in this record today (e.g. 8770Q: a school-age child without a UPN or reason)"),
    ]


class PossibleMatch(BaseModel):
    """A registered child that a new child's details match, in a 409 answer's ``candidates``
    (only to callers who may see every child: the front door)."""

    child_id: ChildId
    la_child_id: Annotated[str, doc("The council's own id of the registered child")]
    matched_on: Annotated[list[str], doc("The fields that matched: given_name, family_name, date_of_birth, nhs_number_or_upn")]
    differs_on: Annotated[list[str], doc("Identity fields that differ despite a matching identifier")] = Field(
        default_factory=list
    )
