"""What a CIN census return holds, as plain frozen values: the header, each child with its
identifiers and characteristics, its episodes (``CINdetails``) and their modules, and the problems
met on the way. The reader (:mod:`.census_reader`) makes them, the merge (:mod:`.merge`) joins
several years' of them, the generator (:mod:`.generate`) writes them out. No service's types: the
services' import paths map these onto their own domains.

Dates are :class:`datetime.date`; codes are the DfE's strings (checked against
``continuum.contracts.codes`` by the reader); a value the return left out is ``None`` (or an empty
tuple for a list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Problem:
    """A record that could not be read or merged: whose (the LA child id, empty when the record has
    none), which element, and why, in one line that carries no other personal value."""

    la_child_id: str
    element: str
    reason: str

    def __str__(self) -> str:
        return f"{self.la_child_id or '(no LAchildID)'}: {self.element}: {self.reason}"


@dataclass(frozen=True)
class Header:
    """The return's ``Header``: the collection year (ending 31 March of ``year``), its reference
    date and the council's LEA code, with the software that made it."""

    collection: str
    year: int
    reference_date: date
    source_level: str | None = None
    lea: str | None = None
    software_code: str | None = None
    release: str | None = None
    serial_no: str | None = None
    made_at: str | None = None

    @property
    def start(self) -> date:
        """The first day of the collection year (1 April)."""
        return date(self.year - 1, 4, 1)


@dataclass(frozen=True)
class Assessment:
    """An ``Assessments`` module, keyed in its episode by its start."""

    start: date | None
    internal_review: date | None = None
    authorised: date | None = None
    factors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CinPlan:
    """A ``CINPlanDates`` module."""

    start: date
    end: date | None = None


@dataclass(frozen=True)
class Section47:
    """A ``Section47`` module: the enquiry, its conference's target date and the conference held
    (or not required)."""

    start: date
    icpc_target: date | None = None
    icpc: date | None = None
    icpc_not_required: bool | None = None


@dataclass(frozen=True)
class CpPlan:
    """A ``ChildProtectionPlans`` module with its reviews (``Reviews/CPPreviewDate``), in order."""

    start: date
    end: date | None = None
    initial_category: str | None = None
    latest_category: str | None = None
    previous_plans: int | None = None
    reviews: tuple[date, ...] = ()


@dataclass(frozen=True)
class Preproceedings:
    """A ``PreProceedingsandFGDM`` block (2026-27 section 5); ``outcome`` is the PPOutcome code (A,
    B or C, ``continuum.contracts.plan.PreproceedingsOutcome``; which step decision each means is
    the plan service's one mapping, ``plan.domain.preproceedings.CENSUS_OUTCOME``)."""

    start: date
    letter: date | None = None
    fgdm_offered: bool | None = None
    fgdm_held: bool | None = None
    initial_meeting: date | None = None
    review_meetings: int | None = None
    decided: date | None = None
    outcome: str | None = None
    court_application: date | None = None
    letter_initiating: date | None = None


@dataclass(frozen=True)
class Episode:
    """A ``CINdetails`` episode, keyed in its child by its referral date. ``initial_cpc`` is the
    episode-level ``DateOfInitialCPC`` of the older layouts (the conference is also in its
    ``Section47``)."""

    referral_date: date
    source: str | None = None
    primary_need: str | None = None
    closure: date | None = None
    reason_for_closure: str | None = None
    referral_nfa: bool | None = None
    initial_cpc: date | None = None
    assessments: tuple[Assessment, ...] = ()
    cin_plans: tuple[CinPlan, ...] = ()
    section47s: tuple[Section47, ...] = ()
    cp_plans: tuple[CpPlan, ...] = ()
    preproceedings: tuple[Preproceedings, ...] = ()


@dataclass(frozen=True)
class Child:
    """A ``Child``: identifiers, characteristics and episodes (by referral date).

    ``sex`` is the census's ``Sex`` (M, F, U) whichever layout the return had: from 2024-25 the
    return carries it; before, it carried ``GenderCurrent`` (1 male, 2 female, 0 not known, 9 not
    specified), kept as it was in ``gender_current`` and read as M, F, or U for a child not yet
    born (0 or 9 with an expected birth date and no birth date); otherwise ``None``."""

    la_child_id: str
    upn: str | None = None
    former_upn: str | None = None
    upn_unknown: str | None = None
    birth_date: date | None = None
    expected_birth_date: date | None = None
    sex: str | None = None
    gender_current: str | None = None
    death_date: date | None = None
    ethnicity: str | None = None
    disabilities: tuple[str, ...] = ()
    episodes: tuple[Episode, ...] = ()


@dataclass(frozen=True)
class CensusFile:
    """One return: its header, the children read whole, and the problems of those left out."""

    header: Header
    children: tuple[Child, ...]
    problems: tuple[Problem, ...] = ()
