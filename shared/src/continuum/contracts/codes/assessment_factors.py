"""The factors identified at the end of an assessment (census AssessmentFactors)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from continuum.contracts.codes.base import CensusCode, descriptions_of, validate_code_list


class AssessmentFactor(CensusCode):
    """A factor identified at assessment (census item AssessmentFactors).

    For factors 1 to 6 the letter says whose factor it is: A the child, B a parent or carer,
    C another person living in the household.
    """

    ALCOHOL_MISUSE_CHILD = "1A", "Alcohol misuse: the child"
    ALCOHOL_MISUSE_PARENT_OR_CARER = "1B", "Alcohol misuse: parent or carer"
    ALCOHOL_MISUSE_OTHER_IN_HOUSEHOLD = "1C", "Alcohol misuse: another person in the household"
    DRUG_MISUSE_CHILD = "2A", "Drug misuse: the child"
    DRUG_MISUSE_PARENT_OR_CARER = "2B", "Drug misuse: parent or carer"
    DRUG_MISUSE_OTHER_IN_HOUSEHOLD = "2C", "Drug misuse: another person in the household"
    DOMESTIC_ABUSE_CHILD = "3A", "Domestic abuse: the child"
    DOMESTIC_ABUSE_PARENT_OR_CARER = "3B", "Domestic abuse: parent or carer"
    DOMESTIC_ABUSE_OTHER_IN_HOUSEHOLD = "3C", "Domestic abuse: another person in the household"
    MENTAL_HEALTH_CHILD = "4A", "Mental health: the child"
    MENTAL_HEALTH_PARENT_OR_CARER = "4B", "Mental health: parent or carer"
    MENTAL_HEALTH_OTHER_IN_HOUSEHOLD = "4C", "Mental health: another person in the household"
    LEARNING_DISABILITY_CHILD = "5A", "Learning disability: the child"
    LEARNING_DISABILITY_PARENT_OR_CARER = "5B", "Learning disability: parent or carer"
    LEARNING_DISABILITY_OTHER_IN_HOUSEHOLD = "5C", "Learning disability: another person in the household"
    PHYSICAL_DISABILITY_OR_ILLNESS_CHILD = "6A", "Physical disability or illness: the child"
    PHYSICAL_DISABILITY_OR_ILLNESS_PARENT_OR_CARER = "6B", "Physical disability or illness: parent or carer"
    PHYSICAL_DISABILITY_OR_ILLNESS_OTHER_IN_HOUSEHOLD = "6C", "Physical disability or illness: another person in the household"
    YOUNG_CARER = "7A", "Young carer"
    PRIVATELY_FOSTERED_OVERSEAS_INTENDING_TO_RETURN = "8B", "Privately fostered: overseas child who intends to return"
    PRIVATELY_FOSTERED_OVERSEAS_INTENDING_TO_STAY = "8C", "Privately fostered: overseas child who intends to stay"
    PRIVATELY_FOSTERED_UK_EDUCATIONAL_PLACEMENT = "8D", "Privately fostered: UK child in an educational placement"
    PRIVATELY_FOSTERED_UK_ALTERNATIVE_FAMILY_ARRANGEMENT = (
        "8E",
        "Privately fostered: UK child in an alternative family arrangement",
    )
    PRIVATELY_FOSTERED_OTHER = "8F", "Privately fostered: other"
    UNACCOMPANIED_ASYLUM_SEEKER = "9A", "Unaccompanied asylum-seeking child"
    GOING_MISSING = "10A", "Going or being missing"
    CHILD_SEXUAL_EXPLOITATION = "11A", "Child sexual exploitation"
    TRAFFICKING = "12A", "Trafficking"
    GANGS = "13A", "Gangs"
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "14A", "Socially unacceptable behaviour"
    SELF_HARM = "15A", "Self-harm"
    NEGLECT = "16A", "Abuse or neglect: neglect"
    EMOTIONAL_ABUSE = "17A", "Abuse or neglect: emotional abuse"
    PHYSICAL_ABUSE_BY_CHILD = "18B", "Abuse or neglect: physical abuse by a child"
    PHYSICAL_ABUSE_BY_ADULT = "18C", "Abuse or neglect: physical abuse by an adult"
    SEXUAL_ABUSE_BY_CHILD = "19B", "Abuse or neglect: sexual abuse by a child"
    SEXUAL_ABUSE_BY_ADULT = "19C", "Abuse or neglect: sexual abuse by an adult"
    OTHER = "20", "Other"
    NO_FACTORS = "21", "No factors identified"
    FEMALE_GENITAL_MUTILATION = "22A", "Female genital mutilation"
    ABUSE_LINKED_TO_FAITH_OR_BELIEF = "23A", "Abuse linked to faith or belief"
    CHILD_CRIMINAL_EXPLOITATION = "24A", "Child criminal exploitation"


ASSESSMENT_FACTOR_DESCRIPTIONS: Final = descriptions_of(AssessmentFactor)


def validate_assessment_factors(codes: Sequence[str]) -> list[AssessmentFactor]:
    """Parse the factors identified at an assessment, in the order given.

    Raises ``ValueError`` naming every problem at once: a code that is not on the census list, a
    code given more than once, or "21" (no factors identified) together with any other factor.
    An empty list is accepted; whether an assessment needs at least one code is the caller's rule.
    """
    return validate_code_list(AssessmentFactor, codes, item="assessment factor", exclusive=AssessmentFactor.NO_FACTORS)
