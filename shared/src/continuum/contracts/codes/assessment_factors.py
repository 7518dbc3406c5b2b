"""The factors identified at the end of an assessment (census AssessmentFactors)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from continuum.contracts.codes.base import CensusCode, describe, validate_code_list


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


ASSESSMENT_FACTOR_DESCRIPTIONS: Final = describe(
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


def validate_assessment_factors(codes: Sequence[str]) -> list[AssessmentFactor]:
    """Parse the factors identified at an assessment, in the order given.

    Raises ``ValueError`` naming every problem at once: a code that is not on the census list, a
    code given more than once, or "21" (no factors identified) together with any other factor.
    An empty list is accepted; whether an assessment needs at least one code is the caller's rule.
    """
    return validate_code_list(AssessmentFactor, codes, item="assessment factor", exclusive=AssessmentFactor.NO_FACTORS)
