"""DfE Children in Need census code lists: the published language for census characteristics.

Every enum's values are exactly the codes the CIN census collects, so a member can be written to
the census XML, an event or a database column as it is. Each member also carries a short human
description (``ReferralSource.EARLY_HELP.description``) for screens and reports; the same text is
available from the ``*_DESCRIPTIONS`` mappings.

Code lists shared by more than one census item use one enum: ``CategoryOfAbuse`` serves both the
initial and the latest category of a child protection plan.

One module per kind of list (``case``, ``child``, ``assessment_factors``, ``upn``), all importable
from here.
"""

from __future__ import annotations

from continuum.contracts.codes.assessment_factors import (
    ASSESSMENT_FACTOR_DESCRIPTIONS,
    AssessmentFactor,
    validate_assessment_factors,
)
from continuum.contracts.codes.base import CensusCode
from continuum.contracts.codes.case import (
    CATEGORY_OF_ABUSE_DESCRIPTIONS,
    PRIMARY_NEED_DESCRIPTIONS,
    REASON_FOR_CLOSURE_DESCRIPTIONS,
    REFERRAL_SOURCE_DESCRIPTIONS,
    CategoryOfAbuse,
    PrimaryNeedCode,
    ReasonForClosure,
    ReferralSource,
)
from continuum.contracts.codes.child import (
    CIN_UPN_UNKNOWN_REASONS,
    DISABILITY_DESCRIPTIONS,
    ETHNICITY_DESCRIPTIONS,
    SEX_DESCRIPTIONS,
    UPN_UNKNOWN_REASON_DESCRIPTIONS,
    Disability,
    Ethnicity,
    Sex,
    UPNUnknownReason,
    validate_disabilities,
)
from continuum.contracts.codes.upn import UPN_CHECK_LETTERS, UPN_LA_NUMBERS, upn_check_letter, upn_problem

__all__ = [
    "ASSESSMENT_FACTOR_DESCRIPTIONS",
    "CATEGORY_OF_ABUSE_DESCRIPTIONS",
    "CIN_UPN_UNKNOWN_REASONS",
    "DISABILITY_DESCRIPTIONS",
    "ETHNICITY_DESCRIPTIONS",
    "PRIMARY_NEED_DESCRIPTIONS",
    "REASON_FOR_CLOSURE_DESCRIPTIONS",
    "REFERRAL_SOURCE_DESCRIPTIONS",
    "SEX_DESCRIPTIONS",
    "UPN_CHECK_LETTERS",
    "UPN_LA_NUMBERS",
    "UPN_UNKNOWN_REASON_DESCRIPTIONS",
    "AssessmentFactor",
    "CategoryOfAbuse",
    "CensusCode",
    "Disability",
    "Ethnicity",
    "PrimaryNeedCode",
    "ReasonForClosure",
    "ReferralSource",
    "Sex",
    "UPNUnknownReason",
    "upn_check_letter",
    "upn_problem",
    "validate_assessment_factors",
    "validate_disabilities",
]
