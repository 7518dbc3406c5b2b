"""The census codes of a child's characteristics: disability, ethnicity, sex, and why a UPN is unknown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from continuum.contracts.codes.base import CensusCode, describe, validate_code_list


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


DISABILITY_DESCRIPTIONS: Final = describe(
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


ETHNICITY_DESCRIPTIONS: Final = describe(
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


SEX_DESCRIPTIONS: Final = describe(
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


UPN_UNKNOWN_REASON_DESCRIPTIONS: Final = describe(
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


def validate_disabilities(codes: Sequence[str]) -> list[Disability]:
    """Parse a child's disabilities, in the order given.

    Raises ``ValueError`` naming every problem at once: a code that is not on the census list, a
    code given more than once, or "NONE" together with any disability.
    """
    return validate_code_list(Disability, codes, item="disability", exclusive=Disability.NONE)
