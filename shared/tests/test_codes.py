"""DfE CIN census code lists and their validation rules."""

from __future__ import annotations

import pytest

from continuum.contracts.codes import (
    ASSESSMENT_FACTOR_DESCRIPTIONS,
    AssessmentFactor,
    CategoryOfAbuse,
    CensusCode,
    Disability,
    Ethnicity,
    PrimaryNeedCode,
    ReasonForClosure,
    ReferralSource,
    Sex,
    validate_assessment_factors,
    validate_disabilities,
)

# The census lists as published, written out by hand.
CENSUS_LISTS: list[tuple[type[CensusCode], set[str]]] = [
    (
        ReferralSource,
        {"1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A",
         "5B", "5C", "5D", "6", "7", "8", "9", "10"},
    ),
    (PrimaryNeedCode, {"N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"}),
    (ReasonForClosure, {"RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9"}),
    (
        AssessmentFactor,
        {"1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B",
         "5C", "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A",
         "13A", "14A", "15A", "16A", "17A", "18B", "18C", "19B", "19C", "20", "21", "22A",
         "23A", "24A"},
    ),
    (
        Disability,
        {"NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT",
         "DDA"},
    ),
    (
        Ethnicity,
        {"WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
         "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"},
    ),
    (Sex, {"M", "F", "U"}),
    (CategoryOfAbuse, {"NEG", "PHY", "SAB", "EMO", "MUL"}),
]  # fmt: skip


# The code lists


@pytest.mark.parametrize(("code_list", "codes"), CENSUS_LISTS, ids=[code_list.__name__ for code_list, _ in CENSUS_LISTS])
def test_code_list_values_are_exactly_the_census_codes(code_list: type[CensusCode], codes: set[str]) -> None:
    assert {member.value for member in code_list} == codes


@pytest.mark.parametrize("code_list", [code_list for code_list, _ in CENSUS_LISTS], ids=lambda cl: cl.__name__)
def test_every_code_has_a_description(code_list: type[CensusCode]) -> None:
    assert all(member.description.strip() for member in code_list)


def test_early_help_referral_source_is_5d() -> None:
    assert ReferralSource.EARLY_HELP.value == "5D"
    assert ReferralSource("5D") is ReferralSource.EARLY_HELP


def test_police_referral_source_is_6() -> None:
    assert ReferralSource.POLICE.value == "6"


def test_codes_read_back_from_their_census_value() -> None:
    assert AssessmentFactor("18C") is AssessmentFactor.PHYSICAL_ABUSE_BY_ADULT
    assert Disability("NONE") is Disability.NONE
    assert Sex("U") is Sex.UNBORN


def test_a_code_formats_as_its_census_value() -> None:
    assert f"{ReferralSource.EARLY_HELP}" == "5D"
    assert str(CategoryOfAbuse.MULTIPLE) == "MUL"


def test_a_code_compares_equal_to_its_census_string() -> None:
    code: str = PrimaryNeedCode.ABUSE_OR_NEGLECT
    assert code == "N1"


def test_an_unknown_code_is_not_a_member() -> None:
    with pytest.raises(ValueError):
        ReferralSource("11")


def test_description_reads_as_the_census_guide() -> None:
    assert ReferralSource.POLICE.description == "Police"
    assert AssessmentFactor.NO_FACTORS.description == "No factors identified"
    assert ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT.description == ("Case closed after assessment, referred to early help")


def test_same_code_in_two_lists_keeps_each_lists_description() -> None:
    # "1A" is both a referral source and an assessment factor.
    assert ReferralSource("1A").description == "Individual: family member, relative or carer"
    assert AssessmentFactor("1A").description == "Alcohol misuse: the child"


def test_description_mappings_match_the_description_property() -> None:
    assert ASSESSMENT_FACTOR_DESCRIPTIONS[AssessmentFactor.YOUNG_CARER] == "Young carer"
    assert all(ASSESSMENT_FACTOR_DESCRIPTIONS[f] == f.description for f in AssessmentFactor)


def test_description_mappings_are_read_only() -> None:
    with pytest.raises(TypeError):
        ASSESSMENT_FACTOR_DESCRIPTIONS[AssessmentFactor.OTHER] = "changed"  # type: ignore[index]


def test_a_code_declared_without_its_description_is_refused_when_its_list_is_made() -> None:
    with pytest.raises(TypeError, match="'X1' is declared without its description"):

        class Careless(CensusCode):
            DESCRIBED = "X0", "Described"
            UNDESCRIBED = "X1"


# validate_assessment_factors


def test_valid_factors_are_returned_in_the_order_given() -> None:
    assert validate_assessment_factors(["3B", "1B", "16A"]) == [
        AssessmentFactor.DOMESTIC_ABUSE_PARENT_OR_CARER,
        AssessmentFactor.ALCOHOL_MISUSE_PARENT_OR_CARER,
        AssessmentFactor.NEGLECT,
    ]


def test_factor_21_alone_is_accepted() -> None:
    assert validate_assessment_factors(["21"]) == [AssessmentFactor.NO_FACTORS]


def test_no_factors_at_all_is_accepted() -> None:
    assert validate_assessment_factors([]) == []


def test_factors_may_be_given_as_members() -> None:
    assert validate_assessment_factors((AssessmentFactor.GANGS,)) == [AssessmentFactor.GANGS]


def test_factor_21_cannot_be_combined() -> None:
    with pytest.raises(ValueError, match=r"'21' \(no factors identified\) cannot be combined"):
        validate_assessment_factors(["21", "3B"])


def test_factor_21_cannot_be_combined_whatever_the_order() -> None:
    with pytest.raises(ValueError, match="'21'"):
        validate_assessment_factors(["3B", "21"])


def test_unknown_factor_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"unknown assessment factor code\(s\) '8A'"):
        validate_assessment_factors(["1B", "8A"])


def test_lower_case_factor_is_rejected_as_unknown() -> None:
    with pytest.raises(ValueError, match="unknown assessment factor code"):
        validate_assessment_factors(["1b"])


def test_duplicate_factor_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"given more than once '3B'"):
        validate_assessment_factors(["3B", "4B", "3B"])


def test_every_factor_problem_is_reported_at_once() -> None:
    with pytest.raises(ValueError) as raised:
        validate_assessment_factors(["21", "99", "21"])
    message = str(raised.value)
    assert "unknown assessment factor code(s) '99'" in message
    assert "given more than once '21'" in message
    assert "cannot be combined" in message


def test_a_single_string_of_factors_is_rejected() -> None:
    with pytest.raises(TypeError, match="single string"):
        validate_assessment_factors("21")


# validate_disabilities


def test_valid_disabilities_are_returned_in_the_order_given() -> None:
    assert validate_disabilities(["AUT", "COMM"]) == [Disability.AUTISM, Disability.COMMUNICATION]


def test_no_disability_alone_is_accepted() -> None:
    assert validate_disabilities(["NONE"]) == [Disability.NONE]


def test_no_disability_cannot_be_combined_with_a_disability() -> None:
    with pytest.raises(ValueError, match=r"'NONE' \(no disability\) cannot be combined"):
        validate_disabilities(["NONE", "HEAR"])


def test_unknown_disability_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"unknown disability code\(s\) 'DEAF'"):
        validate_disabilities(["DEAF"])


def test_duplicate_disability_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"given more than once 'VIS'"):
        validate_disabilities(["VIS", "VIS"])
