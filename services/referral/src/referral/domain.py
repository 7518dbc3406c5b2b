"""The front door's rules, as pure functions over plain values (no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from continuum.calendar import add_working_days_to_datetime
from continuum.codes import ReasonForClosure, Sex
from continuum.contracts import DecisionOutcome
from continuum.errors import RuleBroken

#: The front door decides what happens next within one working day of receipt.
DECISION_WORKING_DAYS = 1

_UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")


def decision_due_at(received_at: datetime) -> datetime:
    return add_working_days_to_datetime(received_at, DECISION_WORKING_DAYS)


def is_re_referral(received_at: datetime, earlier_referrals: list[datetime]) -> bool:
    """A re-referral is a referral within 12 months of a previous one for the same child."""
    year_before = _one_year_before(received_at.date())
    return any(year_before <= earlier.date() <= received_at.date() and earlier < received_at for earlier in earlier_referrals)


def _one_year_before(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def valid_nhs_number(value: str) -> bool:
    """NHS numbers are ten digits, the last a modulus-11 check digit."""
    if not re.fullmatch(r"\d{10}", value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[9])


def check_child_identity(
    *,
    date_of_birth: date | None,
    expected_date_of_birth: date | None,
    sex: Sex,
    upn: str | None,
    nhs_number: str | None,
    postcode: str | None,
    today: date,
) -> None:
    """The census rules for a child's identity. Raises :class:`RuleBroken` naming the field."""
    if date_of_birth is None and expected_date_of_birth is None:
        raise RuleBroken("date_of_birth", "give the date of birth, or the expected date of birth of an unborn child")
    if date_of_birth is not None and expected_date_of_birth is not None:
        raise RuleBroken("expected_date_of_birth", "give it only for an unborn child (no date of birth yet)")
    if date_of_birth is not None and date_of_birth > today:
        raise RuleBroken("date_of_birth", "is in the future; for an unborn child give expected_date_of_birth")
    if date_of_birth is not None and date_of_birth.year < today.year - 25:
        raise RuleBroken("date_of_birth", "is more than 25 years ago; children's services are for under-25s")
    if expected_date_of_birth is not None and sex is not Sex.UNBORN:
        raise RuleBroken("sex", "an unborn child's sex is recorded as U")
    if date_of_birth is not None and sex is Sex.UNBORN:
        raise RuleBroken("sex", "U is only for an unborn child")
    if upn is not None and not _UPN.fullmatch(upn):
        raise RuleBroken("upn", "a UPN is a letter, eleven digits and a check character, e.g. A123456789012")
    if nhs_number is not None and not valid_nhs_number(nhs_number):
        raise RuleBroken("nhs_number", "is not a valid NHS number (ten digits with a modulus-11 check digit)")
    if postcode is not None and not _POSTCODE.fullmatch(postcode.upper()):
        raise RuleBroken("postcode", "is not a UK postcode")


def check_received_at(received_at: datetime, now: datetime) -> None:
    if received_at.tzinfo is None:
        raise RuleBroken("received_at", "give a time zone (e.g. 2026-11-26T09:30:00Z)")
    if received_at > now:
        raise RuleBroken("received_at", "is in the future")


@dataclass(frozen=True)
class Closure:
    closed_on: date
    reason: ReasonForClosure


def closure_for(outcome: DecisionOutcome, referral_date: date) -> Closure | None:
    """NFA and early help at the front door end the social-care episode on the referral date
    (the census's ReferralNFA); an assessment or strategy discussion keeps it open."""
    if outcome in (DecisionOutcome.NFA, DecisionOutcome.EARLY_HELP):
        return Closure(referral_date, ReasonForClosure.NFA_AFTER_ASSESSMENT)
    return None


def check_can_decide(status: str) -> None:
    if status != "received":
        raise RuleBroken(
            "referral",
            "is already decided; to change the decision, record a correction with a reason",
            status=409,
            slug="already-decided",
        )


def check_can_correct(
    status: str, new_outcome: DecisionOutcome, new_team: str, current_outcome: str | None, current_team: str | None
) -> None:
    if status != "decided":
        raise RuleBroken("referral", "has no decision to correct yet", status=409, slug="not-decided")
    if new_outcome.value == current_outcome and new_team == current_team:
        raise RuleBroken("outcome", "the correction changes nothing: give a different outcome or team")


def within_decision_timescale(decided_at: datetime, due_at: datetime) -> bool:
    return decided_at <= due_at


def identity_differences(
    *, registered: tuple[str, str, date | None], given: tuple[str, str, date | None]
) -> list[str]:
    """The identity fields (given name, family name, date of birth) in which a child sent with the
    NHS number or UPN of a registered child differs from it. Names compare without case or
    surrounding spaces; a date of birth not yet known on either side is no difference."""
    names = ("given_name", "family_name", "date_of_birth")
    differs: list[str] = []
    for name, old, new in zip(names, registered, given, strict=True):
        if isinstance(old, str) and isinstance(new, str):
            if old.strip().casefold() != new.strip().casefold():
                differs.append(name)
        elif old is not None and new is not None and old != new:
            differs.append(name)
    return differs
