"""Children: identity and census characteristics, and matching a child sent as new against the
register (decisions.md 9 and 20)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, Literal

from continuum.codes import Disability, Ethnicity, Sex
from continuum.contracts import ChildRegistered, ChildUpdated, EventData
from continuum.errors import RuleBroken

_UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")


@dataclass(frozen=True, kw_only=True)
class ChildIdentity:
    """What a caller says about a child: identity and census characteristics."""

    la_child_id: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    expected_date_of_birth: date | None
    sex: Sex
    ethnicity: Ethnicity
    disabilities: tuple[Disability, ...]
    upn: str | None = None
    nhs_number: str | None = None
    address: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, kw_only=True)
class ChildState(ChildIdentity):
    """A registered child."""

    id: uuid.UUID
    version: int

    @property
    def subject(self) -> str:
        return str(self.id)


def valid_nhs_number(value: str) -> bool:
    """NHS numbers are ten digits, the last a modulus-11 check digit."""
    if not re.fullmatch(r"\d{10}", value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[9])


def check_child_identity(child: ChildIdentity, *, today: date) -> None:
    """The census rules for a child's identity. Raises :class:`RuleBroken` naming the field."""
    born, expected = child.date_of_birth, child.expected_date_of_birth
    if born is None and expected is None:
        raise RuleBroken("date_of_birth", "give the date of birth, or the expected date of birth of an unborn child")
    if born is not None and expected is not None:
        raise RuleBroken("expected_date_of_birth", "give it only for an unborn child (no date of birth yet)")
    if born is not None and born > today:
        raise RuleBroken("date_of_birth", "is in the future; for an unborn child give expected_date_of_birth")
    if born is not None and born.year < today.year - 25:
        raise RuleBroken("date_of_birth", "is more than 25 years ago; children's services are for under-25s")
    if expected is not None and child.sex is not Sex.UNBORN:
        raise RuleBroken("sex", "an unborn child's sex is recorded as U")
    if born is not None and child.sex is Sex.UNBORN:
        raise RuleBroken("sex", "U is only for an unborn child")
    if child.upn is not None and not _UPN.fullmatch(child.upn):
        raise RuleBroken("upn", "a UPN is a letter, eleven digits and a check character, e.g. A123456789012")
    if child.nhs_number is not None and not valid_nhs_number(child.nhs_number):
        raise RuleBroken("nhs_number", "is not a valid NHS number (ten digits with a modulus-11 check digit)")
    if child.postcode is not None and not _POSTCODE.fullmatch(child.postcode.upper()):
        raise RuleBroken("postcode", "is not a UK postcode")


#: A child's identity fields, by name (``dataclasses.fields`` builds its answer again at every call).
_IDENTITY_FIELDS = tuple(f.name for f in fields(ChildIdentity))


def _characteristics(child: ChildState) -> dict[str, Any]:
    """The published characteristics of a child (every field but the address)."""
    values = {name: getattr(child, name) for name in _IDENTITY_FIELDS if name != "address"}
    return values | {"child_id": child.id, "disabilities": list(child.disabilities), "version": child.version}


def register_child(identity: ChildIdentity, *, child_id: uuid.UUID, today: date) -> tuple[ChildState, list[EventData]]:
    """A new child on the register, announced by ``child.registered``."""
    check_child_identity(identity, today=today)
    return _new_child(identity, child_id)


def _new_child(identity: ChildIdentity, child_id: uuid.UUID) -> tuple[ChildState, list[EventData]]:
    child = ChildState(**{name: getattr(identity, name) for name in _IDENTITY_FIELDS}, id=child_id, version=1)
    return child, [ChildRegistered(**_characteristics(child))]


def update_child(child: ChildState, *, changes: Mapping[str, Any], today: date) -> tuple[ChildState, list[EventData]]:
    """Changed identity or characteristics (``changes`` names ChildIdentity fields), announced by
    ``child.updated``; the whole record must still keep the census rules."""
    unknown = set(changes) - set(_IDENTITY_FIELDS)
    if unknown:
        raise ValueError(f"not a child's field: {sorted(unknown)}")
    values = dict(changes)
    if "disabilities" in values:
        values["disabilities"] = tuple(values["disabilities"])
    updated = replace(child, **values, version=child.version + 1)
    check_child_identity(updated, today=today)
    return updated, [ChildUpdated(**_characteristics(updated))]


# --- matching a new child against the register (decisions.md 9 and 20) ----------------------------

#: What a candidate matched on.
SAME_IDENTIFIER = ("nhs_number_or_upn",)
SAME_NAME_AND_BIRTH = ("given_name", "family_name", "date_of_birth")

MatchKind = Literal["front-door-review", "identity-conflict", "possible-match"]


@dataclass(frozen=True)
class Candidate:
    """A registered child that a child sent as new resembles."""

    child_id: uuid.UUID
    la_child_id: str
    matched_on: tuple[str, ...]
    differs_on: tuple[str, ...] = ()


class MatchConflict(Exception):
    """A child sent as new resembles registered children: a person at the front door resolves it.
    ``front-door-review`` names no child to the caller (who may not see them); the others disclose
    the ``candidates``. ``fields`` are the request fields at issue."""

    def __init__(self, kind: MatchKind, candidates: Sequence[Candidate], *, fields: tuple[str, ...]) -> None:
        super().__init__(kind)
        self.kind: MatchKind = kind
        self.candidates = tuple(candidates)
        self.fields = fields

    @property
    def discloses(self) -> bool:
        return self.kind != "front-door-review"


def identity_differences(*, registered: tuple[str, str, date | None], given: tuple[str, str, date | None]) -> list[str]:
    """The identity fields (given name, family name, date of birth) in which a child sent with the
    NHS number or UPN of a registered child differs from it. Names compare without case or
    surrounding spaces; a date of birth not yet known on either side is no difference."""
    differs: list[str] = []
    for name, old, new in zip(SAME_NAME_AND_BIRTH, registered, given, strict=True):
        if isinstance(old, str) and isinstance(new, str):
            if old.strip().casefold() != new.strip().casefold():
                differs.append(name)
        elif old is not None and new is not None and old != new:
            differs.append(name)
    return differs


def match_registered(registered: ChildState, given: ChildIdentity, *, may_see: bool) -> ChildState:
    """``given`` has the NHS number or UPN of ``registered``: the same child when the caller may see
    it and the identity agrees; otherwise a conflict for the front door, never a silent attach."""
    if not may_see:
        raise MatchConflict(
            "front-door-review", [Candidate(registered.id, registered.la_child_id, SAME_IDENTIFIER)], fields=("nhs_number",)
        )
    differs = identity_differences(
        registered=(registered.given_name, registered.family_name, registered.date_of_birth),
        given=(given.given_name, given.family_name, given.date_of_birth),
    )
    if differs:
        candidate = Candidate(registered.id, registered.la_child_id, SAME_IDENTIFIER, tuple(differs))
        raise MatchConflict("identity-conflict", [candidate], fields=tuple(differs))
    return registered


def looks_for_possible_matches(given: ChildIdentity, *, confirmed_new: bool, sees_candidates: bool) -> bool:
    """Whether to look for children with the same name and date of birth: only whoever may see the
    candidates may decide that none of them is this child (``confirmed_new``)."""
    return given.date_of_birth is not None and not (confirmed_new and sees_candidates)


def check_possible_matches(candidates: Sequence[Candidate], *, sees_candidates: bool) -> None:
    """Children with the same name and date of birth are offered to a person, never merged."""
    if candidates and not sees_candidates:
        raise MatchConflict("front-door-review", candidates, fields=("given_name",))
    if candidates:
        raise MatchConflict("possible-match", candidates, fields=())


def register_or_match(
    identity: ChildIdentity,
    *,
    same: ChildState | None,
    may_see_same: bool,
    candidates: Sequence[Candidate],
    sees_candidates: bool,
    child_id: uuid.UUID,
    today: date,
) -> tuple[ChildState, list[EventData]]:
    """A child sent as new: the registered child ``same`` it is (the same NHS number or UPN; no
    events), or a new child on the register (``child.registered``) when no possible match stands
    in the way. ``candidates`` are the children with its name and date of birth, if looked for."""
    check_child_identity(identity, today=today)
    if same is not None:
        return match_registered(same, identity, may_see=may_see_same), []
    check_possible_matches(candidates, sees_candidates=sees_candidates)
    return _new_child(identity, child_id)
