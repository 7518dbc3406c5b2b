"""The unique pupil number (UPN): which LA numbers it may carry and its check letter (census rules 1510 to 1550)."""

from __future__ import annotations

from typing import Final


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
