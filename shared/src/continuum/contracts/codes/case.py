"""The census codes of a case: where the referral came from, the child's primary need, why the
case closed, and the category of abuse of a child protection plan."""

from __future__ import annotations

from typing import Final

from continuum.contracts.codes.base import CensusCode, describe


class ReferralSource(CensusCode):
    """Who made the referral (census item ReferralSource)."""

    FAMILY_RELATIVE_CARER = "1A"
    ACQUAINTANCE = "1B"
    SELF = "1C"
    OTHER_INDIVIDUAL = "1D"
    SCHOOL = "2A"
    EDUCATION_SERVICES = "2B"
    GP = "3A"
    HEALTH_VISITOR = "3B"
    SCHOOL_NURSE = "3C"
    OTHER_PRIMARY_HEALTH = "3D"
    A_AND_E = "3E"
    OTHER_HEALTH = "3F"
    HOUSING = "4"
    LA_SOCIAL_CARE = "5A"
    OTHER_INTERNAL_LA_SERVICE = "5B"
    ANOTHER_LA = "5C"
    EARLY_HELP = "5D"
    POLICE = "6"
    OTHER_LEGAL_AGENCY = "7"
    OTHER = "8"
    ANONYMOUS = "9"
    UNKNOWN = "10"


REFERRAL_SOURCE_DESCRIPTIONS: Final = describe(
    ReferralSource,
    {
        ReferralSource.FAMILY_RELATIVE_CARER: "Individual: family member, relative or carer",
        ReferralSource.ACQUAINTANCE: "Individual: acquaintance (including neighbours and friends)",
        ReferralSource.SELF: "Individual: self",
        ReferralSource.OTHER_INDIVIDUAL: "Individual: other",
        ReferralSource.SCHOOL: "Schools",
        ReferralSource.EDUCATION_SERVICES: "Education services",
        ReferralSource.GP: "Health services: GP",
        ReferralSource.HEALTH_VISITOR: "Health services: health visitor",
        ReferralSource.SCHOOL_NURSE: "Health services: school nurse",
        ReferralSource.OTHER_PRIMARY_HEALTH: "Health services: other primary health services",
        ReferralSource.A_AND_E: "Health services: A&E (emergency department)",
        ReferralSource.OTHER_HEALTH: "Health services: other",
        ReferralSource.HOUSING: "Housing (LA housing or housing association)",
        ReferralSource.LA_SOCIAL_CARE: "LA services: social care",
        ReferralSource.OTHER_INTERNAL_LA_SERVICE: "LA services: other internal",
        ReferralSource.ANOTHER_LA: "LA services: external (another local authority)",
        ReferralSource.EARLY_HELP: "LA services: early help",
        ReferralSource.POLICE: "Police",
        ReferralSource.OTHER_LEGAL_AGENCY: ("Other legal agency (courts, probation, immigration, CAFCASS, prison)"),
        ReferralSource.OTHER: "Other",
        ReferralSource.ANONYMOUS: "Anonymous",
        ReferralSource.UNKNOWN: "Unknown",
    },
)


class PrimaryNeedCode(CensusCode):
    """The child's main need identified at assessment (census item PrimaryNeedCode)."""

    NOT_STATED = "N0"
    ABUSE_OR_NEGLECT = "N1"
    CHILD_DISABILITY = "N2"
    PARENTAL_DISABILITY_OR_ILLNESS = "N3"
    FAMILY_IN_ACUTE_STRESS = "N4"
    FAMILY_DYSFUNCTION = "N5"
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "N6"
    LOW_INCOME = "N7"
    ABSENT_PARENTING = "N8"
    NOT_CHILD_IN_NEED = "N9"


PRIMARY_NEED_DESCRIPTIONS: Final = describe(
    PrimaryNeedCode,
    {
        PrimaryNeedCode.NOT_STATED: "Not stated",
        PrimaryNeedCode.ABUSE_OR_NEGLECT: "Abuse or neglect",
        PrimaryNeedCode.CHILD_DISABILITY: "Child's disability",
        PrimaryNeedCode.PARENTAL_DISABILITY_OR_ILLNESS: "Parental disability or illness",
        PrimaryNeedCode.FAMILY_IN_ACUTE_STRESS: "Family in acute stress",
        PrimaryNeedCode.FAMILY_DYSFUNCTION: "Family dysfunction",
        PrimaryNeedCode.SOCIALLY_UNACCEPTABLE_BEHAVIOUR: "Socially unacceptable behaviour",
        PrimaryNeedCode.LOW_INCOME: "Low income",
        PrimaryNeedCode.ABSENT_PARENTING: "Absent parenting",
        PrimaryNeedCode.NOT_CHILD_IN_NEED: "Cases other than children in need",
    },
)


class ReasonForClosure(CensusCode):
    """Why a CIN episode closed (census item ReasonForClosure)."""

    ADOPTED = "RC1"
    DIED = "RC2"
    CHILD_ARRANGEMENTS_ORDER = "RC3"
    SPECIAL_GUARDIANSHIP_ORDER = "RC4"
    TRANSFERRED_TO_ANOTHER_LA = "RC5"
    TRANSFERRED_TO_ADULT_SOCIAL_CARE = "RC6"
    SERVICES_CEASED = "RC7"
    NFA_AFTER_ASSESSMENT = "RC8"
    EARLY_HELP_AFTER_ASSESSMENT = "RC9"


REASON_FOR_CLOSURE_DESCRIPTIONS: Final = describe(
    ReasonForClosure,
    {
        ReasonForClosure.ADOPTED: "Adopted",
        ReasonForClosure.DIED: "Died",
        ReasonForClosure.CHILD_ARRANGEMENTS_ORDER: "Child arrangements order",
        ReasonForClosure.SPECIAL_GUARDIANSHIP_ORDER: "Special guardianship order",
        ReasonForClosure.TRANSFERRED_TO_ANOTHER_LA: "Transferred to services of another LA",
        ReasonForClosure.TRANSFERRED_TO_ADULT_SOCIAL_CARE: "Transferred to adult social care",
        ReasonForClosure.SERVICES_CEASED: ("Services ceased for any other reason, including the child no longer in need"),
        ReasonForClosure.NFA_AFTER_ASSESSMENT: "Case closed after assessment, no further action",
        ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT: ("Case closed after assessment, referred to early help"),
    },
)


class CategoryOfAbuse(CensusCode):
    """The category of abuse of a child protection plan (initial and latest)."""

    NEGLECT = "NEG"
    PHYSICAL_ABUSE = "PHY"
    SEXUAL_ABUSE = "SAB"
    EMOTIONAL_ABUSE = "EMO"
    MULTIPLE = "MUL"


CATEGORY_OF_ABUSE_DESCRIPTIONS: Final = describe(
    CategoryOfAbuse,
    {
        CategoryOfAbuse.NEGLECT: "Neglect",
        CategoryOfAbuse.PHYSICAL_ABUSE: "Physical abuse",
        CategoryOfAbuse.SEXUAL_ABUSE: "Sexual abuse",
        CategoryOfAbuse.EMOTIONAL_ABUSE: "Emotional abuse",
        CategoryOfAbuse.MULTIPLE: "Multiple categories",
    },
)
