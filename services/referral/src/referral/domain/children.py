"""Children: identity and census characteristics, and matching a child sent as new against the
register (decisions 9 and 20)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from continuum.casework.errors import Invalid
from continuum.contracts import ChildRegistered, ChildUpdated, EventData
from continuum.contracts.codes import CIN_UPN_UNKNOWN_REASONS, Disability, Ethnicity, Sex, UPNUnknownReason, upn_problem

#: The census LAchildID: at most 20 letters and digits (rules 1570 and 1580).
LA_CHILD_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")
#: A pre-birth referral comes at most 280 days (40 weeks) before the birth (rule 8606).
PRE_BIRTH_DAYS = 280
#: Children's services are for children and young people under 25 (care leavers up to 25).
AGE_LIMIT_YEARS = 25
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
    former_upn: str | None = None
    upn_unknown_reason: UPNUnknownReason | None = None
    date_of_death: date | None = None
    previous_cp_plans_elsewhere: int | None = None


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


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def check_child_identity(child: ChildIdentity, *, today: date, referred_on: Iterable[date] = ()) -> None:
    """The census rules for a child's identity. Raises :class:`Invalid` naming the field.

    ``referred_on``: the dates of the child's referrals (the one being received included). The
    date of birth is checked against them, not against today: the child was under 25 at each
    referral, and born (or due) at most 280 days after the first (rule 8606). A child with no
    referral yet is checked against ``today``. The date of death is not before any referral
    (rule 8555Q), nor before the birth (8535Q), nor in the future."""
    referrals = sorted(referred_on)
    born, expected = child.date_of_birth, child.expected_date_of_birth
    if not LA_CHILD_ID.fullmatch(child.la_child_id):
        raise Invalid("la_child_id", "the census LAchildID is 1 to 20 letters and digits, nothing else (rules 1570, 1580)")
    if born is None and expected is None:
        raise Invalid("date_of_birth", "give the date of birth, or the expected date of birth of an unborn child")
    if born is not None and expected is not None:
        raise Invalid("expected_date_of_birth", "give it only for an unborn child (no date of birth yet)")
    if born is not None and born > today:
        raise Invalid("date_of_birth", "is in the future; for an unborn child give expected_date_of_birth")
    latest = referrals[-1] if referrals else today
    if born is not None and born <= _years_before(latest, AGE_LIMIT_YEARS):
        when = "the referral" if referrals else "today"
        raise Invalid("date_of_birth", f"the child would be 25 or older at {when}; children's services are for under-25s")
    if referrals and (born or expected) is not None:
        first = referrals[0]
        birth = born or expected
        assert birth is not None
        if birth > first + timedelta(days=PRE_BIRTH_DAYS):
            field = "date_of_birth" if born is not None else "expected_date_of_birth"
            raise Invalid(field, f"is more than {PRE_BIRTH_DAYS} days after the referral date {first.isoformat()} (rule 8606)")
    if expected is not None and child.sex is not Sex.UNBORN:
        raise Invalid("sex", "an unborn child's sex is recorded as U")
    if born is not None and child.sex is Sex.UNBORN:
        raise Invalid("sex", "U is only for an unborn child")
    for name in ("upn", "former_upn"):
        value = getattr(child, name)
        problem = upn_problem(value) if value is not None else None
        if problem is not None:
            raise Invalid(name, f"{problem} (rules 1510, 1530)")
    if child.former_upn is not None and child.former_upn == child.upn:
        raise Invalid("former_upn", "is the child's UPN; a former UPN is one the child no longer uses")
    reason = child.upn_unknown_reason
    if reason is not None and child.upn is not None:
        raise Invalid("upn_unknown_reason", "give a reason only when the child has no UPN (send null with the UPN)")
    if reason is not None and reason not in CIN_UPN_UNKNOWN_REASONS:
        raise Invalid("upn_unknown_reason", "UN8 to UN10 are the SEN2 return's; the CIN census takes UN1 to UN7")
    _check_death(child.date_of_death, born=born, referrals=referrals, today=today)
    if child.previous_cp_plans_elsewhere is not None and child.previous_cp_plans_elsewhere < 0:
        raise Invalid("previous_cp_plans_elsewhere", "is a count: 0 or more")
    if child.nhs_number is not None and not valid_nhs_number(child.nhs_number):
        raise Invalid("nhs_number", "is not a valid NHS number (ten digits with a modulus-11 check digit)")
    if child.postcode is not None and not _POSTCODE.fullmatch(child.postcode.upper()):
        raise Invalid("postcode", "is not a UK postcode")


def _check_death(died: date | None, *, born: date | None, referrals: Sequence[date], today: date) -> None:
    if died is None:
        return
    if born is None:
        raise Invalid("date_of_death", "record the date of birth first: a date of death is for a child who was born")
    if died > today:
        raise Invalid("date_of_death", "is in the future")
    if died < born:
        raise Invalid("date_of_death", "is before the date of birth (rule 8535Q)")
    if referrals and died < referrals[-1]:
        raise Invalid(
            "date_of_death",
            f"is before the child's referral of {referrals[-1].isoformat()}: no one is referred after death (rule 8555Q)",
        )


def check_referral_date(child: ChildIdentity, referral_date: date) -> None:
    """A registered child referred on ``referral_date``: the same date rules as its record's, for
    this referral. Raises :class:`Invalid` naming ``received_at`` (the child's record is as it
    was; this referral's date is what does not fit it)."""
    birth = child.date_of_birth or child.expected_date_of_birth
    if birth is not None and birth > referral_date + timedelta(days=PRE_BIRTH_DAYS):
        raise Invalid(
            "received_at",
            f"is more than {PRE_BIRTH_DAYS} days before the child's (expected) date of birth {birth.isoformat()} (rule 8606)",
        )
    if child.date_of_birth is not None and child.date_of_birth <= _years_before(referral_date, AGE_LIMIT_YEARS):
        raise Invalid("received_at", "the child was 25 or older then; children's services are for under-25s")
    if child.date_of_death is not None and referral_date > child.date_of_death:
        raise Invalid("received_at", "is after the child's recorded date of death (rule 8555Q)")


@dataclass(frozen=True)
class CensusQuery:
    """What the DfE's validator would query (not refuse) in a child's record as it stands: the
    record is kept, and the answer says what to check (``rule``, the ``field`` to complete)."""

    rule: str
    field: str
    query: str


def school_age(born: date | None, on: date) -> bool:
    """Whether a child is of school age on ``on`` as census rule 8770Q reads it: aged 5 or more on
    1 September of the academic year that ``on`` falls in (Year 1 and above)."""
    if born is None:
        return False
    year_began = on.year if on.month >= 9 else on.year - 1
    return born <= date(year_began - 5, 8, 31)


def census_queries(child: ChildIdentity, *, on: date) -> list[CensusQuery]:
    """The census queries a child's record raises on ``on``: a school-age child needs a UPN or the
    reason it has none, and UN1 (under 6) is no reason for a school-age child (rule 8770Q; a
    referral that ends in no further action is exempt, with UN7)."""
    if child.upn is None and school_age(child.date_of_birth, on):
        if child.upn_unknown_reason is None:
            return [CensusQuery("8770Q", "upn", "a school-age child needs a UPN, or upn_unknown_reason saying why not")]
        if child.upn_unknown_reason is UPNUnknownReason.UN1:
            return [
                CensusQuery("8770Q", "upn_unknown_reason", "UN1 (under 6, not yet at school) is no reason for a school-age child")
            ]
    return []


#: A child's identity fields, by name (``dataclasses.fields`` builds its answer again at every call).
_IDENTITY_FIELDS = tuple(f.name for f in fields(ChildIdentity))


def _characteristics(child: ChildState) -> dict[str, Any]:
    """The published characteristics of a child (every field but the address)."""
    values = {name: getattr(child, name) for name in _IDENTITY_FIELDS if name != "address"}
    return values | {"child_id": child.id, "disabilities": list(child.disabilities), "version": child.version}


def register_child(
    identity: ChildIdentity, *, child_id: uuid.UUID, today: date, referred_on: Iterable[date] = ()
) -> tuple[ChildState, list[EventData]]:
    """A new child on the register, announced by ``child.registered`` (``referred_on``: the date of
    the referral it comes with, if any)."""
    check_child_identity(identity, today=today, referred_on=referred_on)
    return _new_child(identity, child_id)


def _new_child(identity: ChildIdentity, child_id: uuid.UUID) -> tuple[ChildState, list[EventData]]:
    child = ChildState(**{name: getattr(identity, name) for name in _IDENTITY_FIELDS}, id=child_id, version=1)
    return child, [ChildRegistered(**_characteristics(child))]


def update_child(
    child: ChildState, *, changes: Mapping[str, Any], today: date, referred_on: Iterable[date] = ()
) -> tuple[ChildState, list[EventData]]:
    """Changed identity or characteristics (``changes`` names ChildIdentity fields), announced by
    ``child.updated``; the whole record must still keep the census rules, against the dates of
    the child's referrals (``referred_on``)."""
    unknown = set(changes) - set(_IDENTITY_FIELDS)
    if unknown:
        raise ValueError(f"not a child's field: {sorted(unknown)}")
    values = dict(changes)
    if "disabilities" in values:
        values["disabilities"] = tuple(values["disabilities"])
    updated = replace(child, **values, version=child.version + 1)
    check_child_identity(updated, today=today, referred_on=referred_on)
    return updated, [ChildUpdated(**_characteristics(updated))]


# --- matching a new child against the register (decisions 9 and 20) ----------------------------

#: What a candidate matched on.
SAME_IDENTIFIER = ("nhs_number_or_upn",)
SAME_NAME_AND_BIRTH = ("given_name", "family_name", "date_of_birth")


class MatchKind(StrEnum):
    """How a child sent as new resembles registered ones (each is its 409's problem type)."""

    FRONT_DOOR_REVIEW = "front-door-review"
    IDENTITY_CONFLICT = "identity-conflict"
    POSSIBLE_MATCH = "possible-match"


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
        return self.kind is not MatchKind.FRONT_DOOR_REVIEW


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
            MatchKind.FRONT_DOOR_REVIEW,
            [Candidate(registered.id, registered.la_child_id, SAME_IDENTIFIER)],
            fields=("nhs_number",),
        )
    differs = identity_differences(
        registered=(registered.given_name, registered.family_name, registered.date_of_birth),
        given=(given.given_name, given.family_name, given.date_of_birth),
    )
    if differs:
        candidate = Candidate(registered.id, registered.la_child_id, SAME_IDENTIFIER, tuple(differs))
        raise MatchConflict(MatchKind.IDENTITY_CONFLICT, [candidate], fields=tuple(differs))
    return registered


def looks_for_possible_matches(given: ChildIdentity, *, confirmed_new: bool, sees_candidates: bool) -> bool:
    """Whether to look for children with the same name and date of birth: only whoever may see the
    candidates may decide that none of them is this child (``confirmed_new``)."""
    return given.date_of_birth is not None and not (confirmed_new and sees_candidates)


def check_possible_matches(candidates: Sequence[Candidate], *, sees_candidates: bool) -> None:
    """Children with the same name and date of birth are offered to a person, never merged."""
    if candidates and not sees_candidates:
        raise MatchConflict(MatchKind.FRONT_DOOR_REVIEW, candidates, fields=("given_name",))
    if candidates:
        raise MatchConflict(MatchKind.POSSIBLE_MATCH, candidates, fields=())


def register_or_match(
    identity: ChildIdentity,
    *,
    same: ChildState | None,
    may_see_same: bool,
    candidates: Sequence[Candidate],
    sees_candidates: bool,
    child_id: uuid.UUID,
    today: date,
    referred_on: Iterable[date] = (),
) -> tuple[ChildState, list[EventData]]:
    """A child sent as new: the registered child ``same`` it is (the same NHS number or UPN; no
    events), or a new child on the register (``child.registered``) when no possible match stands
    in the way. ``candidates`` are the children with its name and date of birth, if looked for;
    ``referred_on``: the date of the referral it comes with, if any."""
    check_child_identity(identity, today=today, referred_on=referred_on)
    if same is not None:
        return match_registered(same, identity, may_see=may_see_same), []
    check_possible_matches(candidates, sees_candidates=sees_candidates)
    return _new_child(identity, child_id)
