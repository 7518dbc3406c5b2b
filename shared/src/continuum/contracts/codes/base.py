"""The base of every census code list: a code with its description, and the parsing of a list of codes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType
from typing import Self, TypeVar


class CensusCode(StrEnum):
    """A code from one of the CIN census code lists; the base of every list in ``continuum.contracts.codes``.

    Each member is declared once with its code and its description, ``GP = "3A", "Health services: GP"``:
    its value is the code (what the census, events and columns carry), ``member.description`` the text."""

    _value_: str
    description: str
    """A short human description of the code, as the census guide words it."""

    # Called once per member as the class is made. ``ReferralSource("3A")`` is a lookup of an existing
    # member and never comes here, which is why ``description`` may be left out of a call's signature.
    def __new__(cls, code: str, description: str = "") -> Self:
        if not description:
            raise TypeError(f"{cls.__name__} code {code!r} is declared without its description")
        member = str.__new__(cls, code)
        member._value_ = code
        member.description = description
        return member


Code = TypeVar("Code", bound=CensusCode)


def descriptions_of(code_list: type[Code]) -> Mapping[Code, str]:
    """Every code of ``code_list`` with its description, read-only (for screens, reports and lookups)."""
    return MappingProxyType({member: member.description for member in code_list})


def validate_code_list(code_list: type[Code], codes: Sequence[str], *, item: str, exclusive: Code) -> list[Code]:
    """Parse ``codes`` of ``code_list`` in the order given, refusing unknown and repeated codes and
    ``exclusive`` with any other; ``ValueError`` names every problem at once."""
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
