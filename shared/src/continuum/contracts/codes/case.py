"""The census codes of a case: where the referral came from, the child's primary need, why the
case closed, and the category of abuse of a child protection plan."""

from __future__ import annotations

from typing import Final

from continuum.contracts.codes.base import CensusCode, descriptions_of


class ReferralSource(CensusCode):
    """Who made the referral (census item ReferralSource)."""

    FAMILY_RELATIVE_CARER = "1A", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance (including neighbours and friends)"
    SELF = "1C", "Individual: self"
    OTHER_INDIVIDUAL = "1D", "Individual: other"
    SCHOOL = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    GP = "3A", "Health services: GP"
    HEALTH_VISITOR = "3B", "Health services: health visitor"
    SCHOOL_NURSE = "3C", "Health services: school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "Health services: other primary health services"
    A_AND_E = "3E", "Health services: A&E (emergency department)"
    OTHER_HEALTH = "3F", "Health services: other"
    HOUSING = "4", "Housing (LA housing or housing association)"
    LA_SOCIAL_CARE = "5A", "LA services: social care"
    OTHER_INTERNAL_LA_SERVICE = "5B", "LA services: other internal"
    ANOTHER_LA = "5C", "LA services: external (another local authority)"
    EARLY_HELP = "5D", "LA services: early help"
    POLICE = "6", "Police"
    OTHER_LEGAL_AGENCY = "7", "Other legal agency (courts, probation, immigration, CAFCASS, prison)"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


REFERRAL_SOURCE_DESCRIPTIONS: Final = descriptions_of(ReferralSource)


class PrimaryNeedCode(CensusCode):
    """The child's main need identified at assessment (census item PrimaryNeedCode)."""

    NOT_STATED = "N0", "Not stated"
    ABUSE_OR_NEGLECT = "N1", "Abuse or neglect"
    CHILD_DISABILITY = "N2", "Child's disability"
    PARENTAL_DISABILITY_OR_ILLNESS = "N3", "Parental disability or illness"
    FAMILY_IN_ACUTE_STRESS = "N4", "Family in acute stress"
    FAMILY_DYSFUNCTION = "N5", "Family dysfunction"
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "N6", "Socially unacceptable behaviour"
    LOW_INCOME = "N7", "Low income"
    ABSENT_PARENTING = "N8", "Absent parenting"
    NOT_CHILD_IN_NEED = "N9", "Cases other than children in need"


PRIMARY_NEED_DESCRIPTIONS: Final = descriptions_of(PrimaryNeedCode)


class ReasonForClosure(CensusCode):
    """Why a CIN episode closed (census item ReasonForClosure)."""

    ADOPTED = "RC1", "Adopted"
    DIED = "RC2", "Died"
    CHILD_ARRANGEMENTS_ORDER = "RC3", "Child arrangements order"
    SPECIAL_GUARDIANSHIP_ORDER = "RC4", "Special guardianship order"
    TRANSFERRED_TO_ANOTHER_LA = "RC5", "Transferred to services of another LA"
    TRANSFERRED_TO_ADULT_SOCIAL_CARE = "RC6", "Transferred to adult social care"
    SERVICES_CEASED = "RC7", "Services ceased for any other reason, including the child no longer in need"
    NFA_AFTER_ASSESSMENT = "RC8", "Case closed after assessment, no further action"
    EARLY_HELP_AFTER_ASSESSMENT = "RC9", "Case closed after assessment, referred to early help"


REASON_FOR_CLOSURE_DESCRIPTIONS: Final = descriptions_of(ReasonForClosure)


class CategoryOfAbuse(CensusCode):
    """The category of abuse of a child protection plan (initial and latest)."""

    NEGLECT = "NEG", "Neglect"
    PHYSICAL_ABUSE = "PHY", "Physical abuse"
    SEXUAL_ABUSE = "SAB", "Sexual abuse"
    EMOTIONAL_ABUSE = "EMO", "Emotional abuse"
    MULTIPLE = "MUL", "Multiple categories"


CATEGORY_OF_ABUSE_DESCRIPTIONS: Final = descriptions_of(CategoryOfAbuse)
