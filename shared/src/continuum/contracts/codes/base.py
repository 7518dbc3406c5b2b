"""The base of every census code list: a code with its description, and the parsing of a list of codes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar


class CensusCode(StrEnum):
    """A code from one of the CIN census code lists; the base of every list in ``continuum.contracts.codes``."""

    @property
    def description(self) -> str:
        """A short human description of the code, as the census guide words it."""
        return _DESCRIPTIONS[type(self)][self.value]


_DESCRIPTIONS: dict[type[CensusCode], Mapping[str, str]] = {}

Code = TypeVar("Code", bound=CensusCode)


def describe(code_list: type[Code], descriptions: Mapping[Code, str]) -> Mapping[Code, str]:
    """Register the descriptions of one code list, refusing an incomplete list at import."""
    missing = [member.value for member in code_list if member not in descriptions]
    if missing:
        raise RuntimeError(f"{code_list.__name__} has no description for {missing}")
    _DESCRIPTIONS[code_list] = {member.value: text for member, text in descriptions.items()}
    return MappingProxyType(dict(descriptions))


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
