"""DfE Children in Need census code lists: the published language for census characteristics.

Every enum's values are exactly the codes the CIN census collects, so a member can be written to
the census XML, an event or a database column as it is. Each member also carries a short human
description (``ReferralSource.EARLY_HELP.description``) for screens and reports; the same text is
available from the module-level ``*_DESCRIPTIONS`` mappings.

Code lists shared by more than one census item use one enum: ``CategoryOfAbuse`` serves both the
initial and the latest category of a child protection plan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType
from typing import Final, TypeVar


class CensusCode(StrEnum):
    """A code from one of the CIN census code lists; the base of every list in this module."""

    @property
    def description(self) -> str:
        """A short human description of the code, as the census guide words it."""
        return _DESCRIPTIONS[type(self)][self.value]


_DESCRIPTIONS: dict[type[CensusCode], Mapping[str, str]] = {}

_Code = TypeVar("_Code", bound=CensusCode)


def _describe(code_list: type[_Code], descriptions: Mapping[_Code, str]) -> Mapping[_Code, str]:
    """Register the descriptions of one code list, refusing an incomplete list at import."""
    missing = [member.value for member in code_list if member not in descriptions]
    if missing:
        raise RuntimeError(f"{code_list.__name__} has no description for {missing}")
    _DESCRIPTIONS[code_list] = {member.value: text for member, text in descriptions.items()}
    return MappingProxyType(dict(descriptions))


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


REFERRAL_SOURCE_DESCRIPTIONS: Final = _describe(
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


PRIMARY_NEED_DESCRIPTIONS: Final = _describe(
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


REASON_FOR_CLOSURE_DESCRIPTIONS: Final = _describe(
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


class AssessmentFactor(CensusCode):
    """A factor identified at assessment (census item AssessmentFactors).

    For factors 1 to 6 the letter says whose factor it is: A the child, B a parent or carer,
    C another person living in the household.
    """

    ALCOHOL_MISUSE_CHILD = "1A"
    ALCOHOL_MISUSE_PARENT_OR_CARER = "1B"
    ALCOHOL_MISUSE_OTHER_IN_HOUSEHOLD = "1C"
    DRUG_MISUSE_CHILD = "2A"
    DRUG_MISUSE_PARENT_OR_CARER = "2B"
    DRUG_MISUSE_OTHER_IN_HOUSEHOLD = "2C"
    DOMESTIC_ABUSE_CHILD = "3A"
    DOMESTIC_ABUSE_PARENT_OR_CARER = "3B"
    DOMESTIC_ABUSE_OTHER_IN_HOUSEHOLD = "3C"
    MENTAL_HEALTH_CHILD = "4A"
    MENTAL_HEALTH_PARENT_OR_CARER = "4B"
    MENTAL_HEALTH_OTHER_IN_HOUSEHOLD = "4C"
    LEARNING_DISABILITY_CHILD = "5A"
    LEARNING_DISABILITY_PARENT_OR_CARER = "5B"
    LEARNING_DISABILITY_OTHER_IN_HOUSEHOLD = "5C"
    PHYSICAL_DISABILITY_OR_ILLNESS_CHILD = "6A"
    PHYSICAL_DISABILITY_OR_ILLNESS_PARENT_OR_CARER = "6B"
    PHYSICAL_DISABILITY_OR_ILLNESS_OTHER_IN_HOUSEHOLD = "6C"
    YOUNG_CARER = "7A"
    PRIVATELY_FOSTERED_OVERSEAS_INTENDING_TO_RETURN = "8B"
    PRIVATELY_FOSTERED_OVERSEAS_INTENDING_TO_STAY = "8C"
    PRIVATELY_FOSTERED_UK_EDUCATIONAL_PLACEMENT = "8D"
    PRIVATELY_FOSTERED_UK_ALTERNATIVE_FAMILY_ARRANGEMENT = "8E"
    PRIVATELY_FOSTERED_OTHER = "8F"
    UNACCOMPANIED_ASYLUM_SEEKER = "9A"
    GOING_MISSING = "10A"
    CHILD_SEXUAL_EXPLOITATION = "11A"
    TRAFFICKING = "12A"
    GANGS = "13A"
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "14A"
    SELF_HARM = "15A"
    NEGLECT = "16A"
    EMOTIONAL_ABUSE = "17A"
    PHYSICAL_ABUSE_BY_CHILD = "18B"
    PHYSICAL_ABUSE_BY_ADULT = "18C"
    SEXUAL_ABUSE_BY_CHILD = "19B"
    SEXUAL_ABUSE_BY_ADULT = "19C"
    OTHER = "20"
    NO_FACTORS = "21"
    FEMALE_GENITAL_MUTILATION = "22A"
    ABUSE_LINKED_TO_FAITH_OR_BELIEF = "23A"
    CHILD_CRIMINAL_EXPLOITATION = "24A"


ASSESSMENT_FACTOR_DESCRIPTIONS: Final = _describe(
    AssessmentFactor,
    {
        AssessmentFactor.ALCOHOL_MISUSE_CHILD: "Alcohol misuse: the child",
        AssessmentFactor.ALCOHOL_MISUSE_PARENT_OR_CARER: "Alcohol misuse: parent or carer",
        AssessmentFactor.ALCOHOL_MISUSE_OTHER_IN_HOUSEHOLD: ("Alcohol misuse: another person in the household"),
        AssessmentFactor.DRUG_MISUSE_CHILD: "Drug misuse: the child",
        AssessmentFactor.DRUG_MISUSE_PARENT_OR_CARER: "Drug misuse: parent or carer",
        AssessmentFactor.DRUG_MISUSE_OTHER_IN_HOUSEHOLD: ("Drug misuse: another person in the household"),
        AssessmentFactor.DOMESTIC_ABUSE_CHILD: "Domestic abuse: the child",
        AssessmentFactor.DOMESTIC_ABUSE_PARENT_OR_CARER: "Domestic abuse: parent or carer",
        AssessmentFactor.DOMESTIC_ABUSE_OTHER_IN_HOUSEHOLD: ("Domestic abuse: another person in the household"),
        AssessmentFactor.MENTAL_HEALTH_CHILD: "Mental health: the child",
        AssessmentFactor.MENTAL_HEALTH_PARENT_OR_CARER: "Mental health: parent or carer",
        AssessmentFactor.MENTAL_HEALTH_OTHER_IN_HOUSEHOLD: ("Mental health: another person in the household"),
        AssessmentFactor.LEARNING_DISABILITY_CHILD: "Learning disability: the child",
        AssessmentFactor.LEARNING_DISABILITY_PARENT_OR_CARER: ("Learning disability: parent or carer"),
        AssessmentFactor.LEARNING_DISABILITY_OTHER_IN_HOUSEHOLD: ("Learning disability: another person in the household"),
        AssessmentFactor.PHYSICAL_DISABILITY_OR_ILLNESS_CHILD: ("Physical disability or illness: the child"),
        AssessmentFactor.PHYSICAL_DISABILITY_OR_ILLNESS_PARENT_OR_CARER: ("Physical disability or illness: parent or carer"),
        AssessmentFactor.PHYSICAL_DISABILITY_OR_ILLNESS_OTHER_IN_HOUSEHOLD: (
            "Physical disability or illness: another person in the household"
        ),
        AssessmentFactor.YOUNG_CARER: "Young carer",
        AssessmentFactor.PRIVATELY_FOSTERED_OVERSEAS_INTENDING_TO_RETURN: (
            "Privately fostered: overseas child who intends to return"
        ),
        AssessmentFactor.PRIVATELY_FOSTERED_OVERSEAS_INTENDING_TO_STAY: (
            "Privately fostered: overseas child who intends to stay"
        ),
        AssessmentFactor.PRIVATELY_FOSTERED_UK_EDUCATIONAL_PLACEMENT: (
            "Privately fostered: UK child in an educational placement"
        ),
        AssessmentFactor.PRIVATELY_FOSTERED_UK_ALTERNATIVE_FAMILY_ARRANGEMENT: (
            "Privately fostered: UK child in an alternative family arrangement"
        ),
        AssessmentFactor.PRIVATELY_FOSTERED_OTHER: "Privately fostered: other",
        AssessmentFactor.UNACCOMPANIED_ASYLUM_SEEKER: "Unaccompanied asylum-seeking child",
        AssessmentFactor.GOING_MISSING: "Going or being missing",
        AssessmentFactor.CHILD_SEXUAL_EXPLOITATION: "Child sexual exploitation",
        AssessmentFactor.TRAFFICKING: "Trafficking",
        AssessmentFactor.GANGS: "Gangs",
        AssessmentFactor.SOCIALLY_UNACCEPTABLE_BEHAVIOUR: "Socially unacceptable behaviour",
        AssessmentFactor.SELF_HARM: "Self-harm",
        AssessmentFactor.NEGLECT: "Abuse or neglect: neglect",
        AssessmentFactor.EMOTIONAL_ABUSE: "Abuse or neglect: emotional abuse",
        AssessmentFactor.PHYSICAL_ABUSE_BY_CHILD: "Abuse or neglect: physical abuse by a child",
        AssessmentFactor.PHYSICAL_ABUSE_BY_ADULT: "Abuse or neglect: physical abuse by an adult",
        AssessmentFactor.SEXUAL_ABUSE_BY_CHILD: "Abuse or neglect: sexual abuse by a child",
        AssessmentFactor.SEXUAL_ABUSE_BY_ADULT: "Abuse or neglect: sexual abuse by an adult",
        AssessmentFactor.OTHER: "Other",
        AssessmentFactor.NO_FACTORS: "No factors identified",
        AssessmentFactor.FEMALE_GENITAL_MUTILATION: "Female genital mutilation",
        AssessmentFactor.ABUSE_LINKED_TO_FAITH_OR_BELIEF: "Abuse linked to faith or belief",
        AssessmentFactor.CHILD_CRIMINAL_EXPLOITATION: "Child criminal exploitation",
    },
)


class Disability(CensusCode):
    """A disability of the child (census item Disability, inside Disabilities)."""

    NONE = "NONE"
    MOBILITY = "MOB"
    HAND_FUNCTION = "HAND"
    PERSONAL_CARE = "PC"
    INCONTINENCE = "INC"
    COMMUNICATION = "COMM"
    LEARNING = "LD"
    HEARING = "HEAR"
    VISION = "VIS"
    BEHAVIOUR = "BEH"
    CONSCIOUSNESS = "CON"
    AUTISM = "AUT"
    OTHER_DDA = "DDA"


DISABILITY_DESCRIPTIONS: Final = _describe(
    Disability,
    {
        Disability.NONE: "No disability",
        Disability.MOBILITY: "Mobility",
        Disability.HAND_FUNCTION: "Hand function",
        Disability.PERSONAL_CARE: "Personal care",
        Disability.INCONTINENCE: "Incontinence",
        Disability.COMMUNICATION: "Communication",
        Disability.LEARNING: "Learning",
        Disability.HEARING: "Hearing",
        Disability.VISION: "Vision",
        Disability.BEHAVIOUR: "Behaviour",
        Disability.CONSCIOUSNESS: "Consciousness",
        Disability.AUTISM: "Diagnosed with autism or Asperger syndrome",
        Disability.OTHER_DDA: "Other disability under the Equality Act (formerly DDA)",
    },
)


class Ethnicity(CensusCode):
    """The child's ethnicity (census item Ethnicity)."""

    WHITE_BRITISH = "WBRI"
    WHITE_IRISH = "WIRI"
    TRAVELLER_OF_IRISH_HERITAGE = "WIRT"
    ANY_OTHER_WHITE_BACKGROUND = "WOTH"
    GYPSY_ROMA = "WROM"
    WHITE_AND_BLACK_CARIBBEAN = "MWBC"
    WHITE_AND_BLACK_AFRICAN = "MWBA"
    WHITE_AND_ASIAN = "MWAS"
    ANY_OTHER_MIXED_BACKGROUND = "MOTH"
    INDIAN = "AIND"
    PAKISTANI = "APKN"
    BANGLADESHI = "ABAN"
    ANY_OTHER_ASIAN_BACKGROUND = "AOTH"
    BLACK_CARIBBEAN = "BCRB"
    BLACK_AFRICAN = "BAFR"
    ANY_OTHER_BLACK_BACKGROUND = "BOTH"
    CHINESE = "CHNE"
    ANY_OTHER_ETHNIC_GROUP = "OOTH"
    REFUSED = "REFU"
    NOT_OBTAINED = "NOBT"


ETHNICITY_DESCRIPTIONS: Final = _describe(
    Ethnicity,
    {
        Ethnicity.WHITE_BRITISH: "White British",
        Ethnicity.WHITE_IRISH: "White Irish",
        Ethnicity.TRAVELLER_OF_IRISH_HERITAGE: "Traveller of Irish heritage",
        Ethnicity.ANY_OTHER_WHITE_BACKGROUND: "Any other White background",
        Ethnicity.GYPSY_ROMA: "Gypsy/Roma",
        Ethnicity.WHITE_AND_BLACK_CARIBBEAN: "White and Black Caribbean",
        Ethnicity.WHITE_AND_BLACK_AFRICAN: "White and Black African",
        Ethnicity.WHITE_AND_ASIAN: "White and Asian",
        Ethnicity.ANY_OTHER_MIXED_BACKGROUND: "Any other mixed background",
        Ethnicity.INDIAN: "Indian",
        Ethnicity.PAKISTANI: "Pakistani",
        Ethnicity.BANGLADESHI: "Bangladeshi",
        Ethnicity.ANY_OTHER_ASIAN_BACKGROUND: "Any other Asian background",
        Ethnicity.BLACK_CARIBBEAN: "Black Caribbean",
        Ethnicity.BLACK_AFRICAN: "Black African",
        Ethnicity.ANY_OTHER_BLACK_BACKGROUND: "Any other Black background",
        Ethnicity.CHINESE: "Chinese",
        Ethnicity.ANY_OTHER_ETHNIC_GROUP: "Any other ethnic group",
        Ethnicity.REFUSED: "Refused",
        Ethnicity.NOT_OBTAINED: "Information not yet obtained",
    },
)


class Sex(CensusCode):
    """The child's sex (census item Sex, from 2024-25)."""

    MALE = "M"
    FEMALE = "F"
    UNBORN = "U"


SEX_DESCRIPTIONS: Final = _describe(
    Sex,
    {
        Sex.MALE: "Male",
        Sex.FEMALE: "Female",
        Sex.UNBORN: "Unknown: an unborn child",
    },
)


class UPNUnknownReason(CensusCode):
    """Why a child has no UPN (census item UPNunknown, N00135); given only when the UPN is absent.

    The code set is the DfE Common Basic Data Set's (CBDS code set CS051), shared by the CIN census
    and the SEN2 return: the CIN census uses UN1 to UN7; UN8 to UN10 speak of the SEN2 return and a
    unique learner number (ULN) and are SEN2's. The CIN census validator accepts UN2 to UN7 for a
    school-age child (rule 8770Q) and UN7 only when every episode is a referral with no further
    action (rule 8772)."""

    UN1 = "UN1"
    UN2 = "UN2"
    UN3 = "UN3"
    UN4 = "UN4"
    UN5 = "UN5"
    UN6 = "UN6"
    UN7 = "UN7"
    UN8 = "UN8"
    UN9 = "UN9"
    UN10 = "UN10"


UPN_UNKNOWN_REASON_DESCRIPTIONS: Final = _describe(
    UPNUnknownReason,
    {
        UPNUnknownReason.UN1: "Child is aged under 6 years old and is not yet assigned a UPN",
        UPNUnknownReason.UN2: "Child has never attended a state-funded school in England and has not been assigned a UPN",
        UPNUnknownReason.UN3: "Child is educated outside England and has not been assigned a UPN",
        UPNUnknownReason.UN4: (
            "Child is newly in need (in the last week of the collection period) and the UPN was not yet known "
            "at the time of the CIN census return"
        ),
        UPNUnknownReason.UN5: (
            "Sources collating UPNs reflect discrepancies in the child's name, surname or date of birth that "
            "prevent reliable matching (for example a duplicated UPN)"
        ),
        UPNUnknownReason.UN6: "Child is not looked after, and the authority is unable to obtain the UPN",
        UPNUnknownReason.UN7: "Child referred but no further action taken",
        UPNUnknownReason.UN8: "SEN2 only: person is new to the LA and the UPN or ULN is not yet known",
        UPNUnknownReason.UN9: (
            "SEN2 only: young person has never attended a state-funded school or further education setting in "
            "England and has not been assigned a UPN or ULN"
        ),
        UPNUnknownReason.UN10: "SEN2 only: request for assessment resulted in no further action before the UPN or ULN was known",
    },
)

#: The reasons the CIN census collects (UN8 to UN10 are the SEN2 return's).
CIN_UPN_UNKNOWN_REASONS: Final = frozenset(UPNUnknownReason(f"UN{n}") for n in range(1, 8))


def _numbers(*spans: tuple[int, int] | int) -> frozenset[str]:
    """Three-digit codes from inclusive ranges and single numbers."""
    codes: set[int] = set()
    for span in spans:
        first, last = span if isinstance(span, tuple) else (span, span)
        codes.update(range(first, last + 1))
    return frozenset(f"{code:03d}" for code in codes)


#: The LA numbers a UPN (or former UPN) may carry in characters 2 to 4 (census rule 1530): the
#: DfE's local authority codes since April 1999 and its recognised "pseudo-LA" codes. Source: the
#: CIN census validation rules (rule 1530 as the DfE's validator, csc-validator-be-cin, implements
#: it for 2023-24 onwards), which adds to the census guide's published list the codes of the later
#: reorganisations: 838 and 839 (Dorset; Bournemouth, Christchurch and Poole, 2019), 940 and 941
#: (North and West Northamptonshire, 2021), 942 and 943 (Cumberland; Westmorland and Furness, 2023).
#: A UPN keeps the number of the LA that issued it, so the codes of abolished LAs stay valid.
UPN_LA_NUMBERS: Final = _numbers(
    (1, 5), (201, 213), (301, 320), (330, 336), (340, 344), (350, 359), (370, 373), (380, 384), (390, 394), 420,
    (660, 681), (701, 708), (800, 803), (805, 808), (810, 813), 815, 816, (820, 823), 825, 826, 830, 831,
    (835, 839), 840, 841, 845, 846, (850, 852), (855, 857), 860, 861, (865, 896), 908, 909, 916, 919, 921, 925,
    926, 928, 929, 931, 933, (935, 938), (940, 943),
)  # fmt: skip

#: The letters of a UPN's check character (and of a temporary UPN's last character), in the order
#: of their values 0 to 22: the alphabet without I, O and S (DfE, "Unique pupil numbers" guidance).
UPN_CHECK_LETTERS: Final = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(last_twelve: str) -> str:
    """The check letter (character 1) of a UPN whose characters 2 to 13 are ``last_twelve`` (census
    rule 1510): each character times its position (2 to 13), summed, modulo 23, as a letter of
    ``UPN_CHECK_LETTERS``. A temporary UPN's last character is a letter and counts as its value
    in ``UPN_CHECK_LETTERS`` (A = 0, B = 1, ...). Raises ``ValueError`` for a character that
    cannot be in a UPN."""
    if len(last_twelve) != 12:
        raise ValueError("a UPN has twelve characters after its check letter")
    total = 0
    for position, character in enumerate(last_twelve, start=2):
        if character.isdigit():
            value = int(character)
        elif character in UPN_CHECK_LETTERS and position == 13:
            value = UPN_CHECK_LETTERS.index(character)
        else:
            raise ValueError(f"{character!r} cannot be character {position} of a UPN")
        total += value * position
    return UPN_CHECK_LETTERS[total % 23]


def upn_problem(value: str) -> str | None:
    """Why ``value`` is not a UPN the census accepts (rules 1510, 1530, 1540, 1550), or ``None``."""
    if len(value) != 13:
        return "a UPN has 13 characters: a check letter, eleven digits and a digit or letter"
    if not value[1:12].isdigit():
        return "characters 2 to 12 of a UPN are digits"
    if not (value[12].isdigit() or value[12] in UPN_CHECK_LETTERS):
        return "character 13 of a UPN is a digit or a capital letter other than I, O and S"
    if value[1:4] not in UPN_LA_NUMBERS:
        return f"characters 2 to 4 ({value[1:4]}) are not a DfE local authority number"
    if value[0] != upn_check_letter(value[1:]):
        return "the check letter (character 1) does not match the rest of the UPN"
    return None


class CategoryOfAbuse(CensusCode):
    """The category of abuse of a child protection plan (initial and latest)."""

    NEGLECT = "NEG"
    PHYSICAL_ABUSE = "PHY"
    SEXUAL_ABUSE = "SAB"
    EMOTIONAL_ABUSE = "EMO"
    MULTIPLE = "MUL"


CATEGORY_OF_ABUSE_DESCRIPTIONS: Final = _describe(
    CategoryOfAbuse,
    {
        CategoryOfAbuse.NEGLECT: "Neglect",
        CategoryOfAbuse.PHYSICAL_ABUSE: "Physical abuse",
        CategoryOfAbuse.SEXUAL_ABUSE: "Sexual abuse",
        CategoryOfAbuse.EMOTIONAL_ABUSE: "Emotional abuse",
        CategoryOfAbuse.MULTIPLE: "Multiple categories",
    },
)


def validate_assessment_factors(codes: Sequence[str]) -> list[AssessmentFactor]:
    """Parse the factors identified at an assessment, in the order given.

    Raises ``ValueError`` naming every problem at once: a code that is not on the census list, a
    code given more than once, or "21" (no factors identified) together with any other factor.
    An empty list is accepted; whether an assessment needs at least one code is the caller's rule.
    """
    return _validate_code_list(AssessmentFactor, codes, item="assessment factor", exclusive=AssessmentFactor.NO_FACTORS)


def validate_disabilities(codes: Sequence[str]) -> list[Disability]:
    """Parse a child's disabilities, in the order given.

    Raises ``ValueError`` naming every problem at once: a code that is not on the census list, a
    code given more than once, or "NONE" together with any disability.
    """
    return _validate_code_list(Disability, codes, item="disability", exclusive=Disability.NONE)


def _validate_code_list(code_list: type[_Code], codes: Sequence[str], *, item: str, exclusive: _Code) -> list[_Code]:
    # A bare string is a Sequence[str] too; iterating "21" as "2", "1" would give a baffling error.
    if isinstance(codes, str):
        raise TypeError(f"expected a sequence of {item} codes, got the single string {codes!r}")
    known = {member.value: member for member in code_list}
    problems: list[str] = []
    unknown = [code for code in codes if code not in known]
    if unknown:
        problems.append(f"unknown {item} code(s) {_quoted(unknown)}")
    counts = Counter(codes)
    duplicated = [code for code, count in counts.items() if count > 1]
    if duplicated:
        problems.append(f"{item} code(s) given more than once {_quoted(duplicated)}")
    if exclusive.value in counts and len(counts) > 1:
        others = [code for code in counts if code != exclusive.value]
        problems.append(
            f"{item} code {exclusive.value!r} ({exclusive.description.lower()}) cannot be "
            f"combined with other codes, got also {_quoted(others)}"
        )
    if problems:
        raise ValueError("; ".join(problems))
    return [known[code] for code in codes]


def _quoted(codes: Sequence[str]) -> str:
    return ", ".join(repr(code) for code in codes)
