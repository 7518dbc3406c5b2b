"""The census codes of a child's characteristics: disability, ethnicity, sex, and why a UPN is unknown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from continuum.contracts.codes.base import CensusCode, descriptions_of, validate_code_list


class Disability(CensusCode):
    """A disability of the child (census item Disability, inside Disabilities)."""

    NONE = "NONE", "No disability"
    MOBILITY = "MOB", "Mobility"
    HAND_FUNCTION = "HAND", "Hand function"
    PERSONAL_CARE = "PC", "Personal care"
    INCONTINENCE = "INC", "Incontinence"
    COMMUNICATION = "COMM", "Communication"
    LEARNING = "LD", "Learning"
    HEARING = "HEAR", "Hearing"
    VISION = "VIS", "Vision"
    BEHAVIOUR = "BEH", "Behaviour"
    CONSCIOUSNESS = "CON", "Consciousness"
    AUTISM = "AUT", "Diagnosed with autism or Asperger syndrome"
    OTHER_DDA = "DDA", "Other disability under the Equality Act (formerly DDA)"


DISABILITY_DESCRIPTIONS: Final = descriptions_of(Disability)


class Ethnicity(CensusCode):
    """The child's ethnicity (census item Ethnicity)."""

    WHITE_BRITISH = "WBRI", "White British"
    WHITE_IRISH = "WIRI", "White Irish"
    TRAVELLER_OF_IRISH_HERITAGE = "WIRT", "Traveller of Irish heritage"
    ANY_OTHER_WHITE_BACKGROUND = "WOTH", "Any other White background"
    GYPSY_ROMA = "WROM", "Gypsy/Roma"
    WHITE_AND_BLACK_CARIBBEAN = "MWBC", "White and Black Caribbean"
    WHITE_AND_BLACK_AFRICAN = "MWBA", "White and Black African"
    WHITE_AND_ASIAN = "MWAS", "White and Asian"
    ANY_OTHER_MIXED_BACKGROUND = "MOTH", "Any other mixed background"
    INDIAN = "AIND", "Indian"
    PAKISTANI = "APKN", "Pakistani"
    BANGLADESHI = "ABAN", "Bangladeshi"
    ANY_OTHER_ASIAN_BACKGROUND = "AOTH", "Any other Asian background"
    BLACK_CARIBBEAN = "BCRB", "Black Caribbean"
    BLACK_AFRICAN = "BAFR", "Black African"
    ANY_OTHER_BLACK_BACKGROUND = "BOTH", "Any other Black background"
    CHINESE = "CHNE", "Chinese"
    ANY_OTHER_ETHNIC_GROUP = "OOTH", "Any other ethnic group"
    REFUSED = "REFU", "Refused"
    NOT_OBTAINED = "NOBT", "Information not yet obtained"


ETHNICITY_DESCRIPTIONS: Final = descriptions_of(Ethnicity)


class Sex(CensusCode):
    """The child's sex (census item Sex, from 2024-25)."""

    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNBORN = "U", "Unknown: an unborn child"


SEX_DESCRIPTIONS: Final = descriptions_of(Sex)


class UPNUnknownReason(CensusCode):
    """Why a child has no UPN (census item UPNunknown, N00135); given only when the UPN is absent.

    The code set is the DfE Common Basic Data Set's (CBDS code set CS051), shared by the CIN census
    and the SEN2 return: the CIN census uses UN1 to UN7; UN8 to UN10 speak of the SEN2 return and a
    unique learner number (ULN) and are SEN2's. The CIN census validator accepts UN2 to UN7 for a
    school-age child (rule 8770Q) and UN7 only when every episode is a referral with no further
    action (rule 8772)."""

    UN1 = "UN1", "Child is aged under 6 years old and is not yet assigned a UPN"
    UN2 = "UN2", "Child has never attended a state-funded school in England and has not been assigned a UPN"
    UN3 = "UN3", "Child is educated outside England and has not been assigned a UPN"
    UN4 = (
        "UN4",
        "Child is newly in need (in the last week of the collection period) and the UPN was not yet known"
        " at the time of the CIN census return",
    )
    UN5 = (
        "UN5",
        "Sources collating UPNs reflect discrepancies in the child's name, surname or date of birth that"
        " prevent reliable matching (for example a duplicated UPN)",
    )
    UN6 = "UN6", "Child is not looked after, and the authority is unable to obtain the UPN"
    UN7 = "UN7", "Child referred but no further action taken"
    UN8 = "UN8", "SEN2 only: person is new to the LA and the UPN or ULN is not yet known"
    UN9 = (
        "UN9",
        "SEN2 only: young person has never attended a state-funded school or further education setting in"
        " England and has not been assigned a UPN or ULN",
    )
    UN10 = "UN10", "SEN2 only: request for assessment resulted in no further action before the UPN or ULN was known"


UPN_UNKNOWN_REASON_DESCRIPTIONS: Final = descriptions_of(UPNUnknownReason)

#: The reasons the CIN census collects (UN8 to UN10 are the SEN2 return's).
CIN_UPN_UNKNOWN_REASONS: Final = frozenset(UPNUnknownReason(f"UN{n}") for n in range(1, 8))


def validate_disabilities(codes: Sequence[str]) -> list[Disability]:
    """Parse a child's disabilities, in the order given.

    Raises ``ValueError`` naming every problem at once: a code that is not on the census list, a
    code given more than once, or "NONE" together with any disability.
    """
    return validate_code_list(Disability, codes, item="disability", exclusive=Disability.NONE)
