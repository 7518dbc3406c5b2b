"""A deterministic council history and its CIN census returns, one per collection year, for the
import's tests and benchmark.

:func:`generated_children` makes the history (the same seed, the same history): each year's
referrals, some of them re-referrals of a child whose last episode closed; most assessed (with
factors), some closed after assessment (RC8, RC9), others on a CIN plan, some through a section 47
and an initial conference to a CP plan with its reviews (and, in 2026-27, pre-proceedings), many
open across 31 March; a few still open at the end. ``census_writer.census_return`` writes the return of one
year as the DfE asks for it (every episode and module open at any point of the year, as known on
31 March), and :func:`generate_history` every year's. The returns up to 2023-24 carry
``GenderCurrent``, those from 2024-25 ``Sex`` (see :mod:`.census_reader`). Every return is meant to
pass the DfE's validator for its year where it has a ruleset (2022-23 onwards): the tests check it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from continuum.contracts.codes import (
    AssessmentFactor,
    CategoryOfAbuse,
    Ethnicity,
    PrimaryNeedCode,
    ReferralSource,
    upn_check_letter,
)
from continuum_tools.importing.census_writer import census_return
from continuum_tools.importing.records import (
    Assessment,
    Child,
    CinPlan,
    CpPlan,
    Episode,
    Preproceedings,
    Section47,
)

#: The first collection year with section 5 (``PreProceedingsandFGDM``).
SECTION5_FROM = 2027
#: The LA number the generated UPNs carry (a real one: the UPN rules check it).
UPN_LA = "201"
_FACTORS = [f.value for f in AssessmentFactor if f is not AssessmentFactor.NO_FACTORS]
_SOURCES = [s.value for s in ReferralSource]
_NEEDS = [n.value for n in PrimaryNeedCode if n not in (PrimaryNeedCode.NOT_STATED, PrimaryNeedCode.NOT_CHILD_IN_NEED)]
_ETHNICITIES = [e.value for e in Ethnicity]
_CATEGORIES = [c.value for c in CategoryOfAbuse]


def _working_days_after(day: date, count: int) -> date:
    """``count`` weekdays after ``day`` (bank holidays are not skipped: the target is a query)."""
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


@dataclass
class _Person:
    la_child_id: str
    birth_date: date | None
    expected_birth_date: date | None
    sex: str
    upn: str | None
    upn_unknown: str | None
    ethnicity: str
    disabilities: tuple[str, ...]
    episodes: list[Episode] = field(default_factory=list)


class _History:
    """The history as it happens, cut at ``end`` (the last return's reference date): a date after
    it is not yet a fact."""

    def __init__(self, seed: int, years: Sequence[int], la: str) -> None:
        self.rng = random.Random(seed)
        self.first, self.end = date(years[0] - 1, 4, 1), date(years[-1], 3, 31)
        self.la = la
        self.people: list[_Person] = []

    def known(self, day: date | None) -> date | None:
        return day if day is not None and day <= self.end else None

    def person(self, referral: date) -> _Person:
        rng, n = self.rng, len(self.people) + 1
        unborn = referral.year * 12 + referral.month >= self.end.year * 12 + self.end.month - 2 and rng.random() < 0.3
        if unborn:
            expected = self.end + timedelta(days=rng.randint(20, 120))
            who = _Person(f"C{n:07d}", None, expected, "U", None, "UN1", "NOBT", ("NONE",))
        else:
            born = referral - timedelta(days=rng.randint(30, 17 * 365))
            school_age = (referral - born).days > 3 * 365  # younger: no UPN, and under 6 while returned
            upn = None
            if school_age:
                rest = f"{UPN_LA}{born.year % 100:02d}{n:06d}{rng.randint(0, 9)}"
                upn = upn_check_letter(rest) + rest
            disabilities = ("NONE",) if rng.random() < 0.85 else tuple(sorted(rng.sample(["MOB", "LD", "AUT", "COMM", "BEH"], 2)))
            who = _Person(
                f"C{n:07d}", born, None, rng.choice("MF"), upn, None if upn else "UN1", rng.choice(_ETHNICITIES), disabilities
            )
        self.people.append(who)
        return who

    def free(self, referral: date) -> _Person | None:
        """A child whose episodes all closed a while before ``referral``, to be referred again
        (still under 18 then: over ten years, the first children referred have grown up)."""
        for who in self.rng.sample(self.people, min(len(self.people), 5)):
            last = who.episodes[-1].closure if who.episodes else None
            child = who.birth_date is not None and _age(who.birth_date, referral) < 18
            if last is not None and last + timedelta(days=30) < referral and who.upn and child:
                return who
        return None

    def episode(self, who: _Person, referral: date) -> Episode:
        rng = self.rng
        source, need = rng.choice(_SOURCES), rng.choice(_NEEDS)
        if rng.random() < 0.15:  # no further action at the front door
            return Episode(referral, source, need, referral, "RC8", True)
        start = referral + timedelta(days=rng.randint(0, 5))
        authorised = start + timedelta(days=rng.randint(10, 40))
        factors = tuple(sorted(rng.sample(_FACTORS, rng.randint(1, 3)), key=_FACTORS.index))
        section47s: list[Section47] = []
        cp_plans: list[CpPlan] = []
        cin_plans: list[CinPlan] = []
        blocks: list[Preproceedings] = []
        roll = rng.random()
        if roll < 0.3:  # closed after assessment
            closure = authorised + timedelta(days=rng.randint(0, 5))
            reason = rng.choice(["RC8", "RC9"])
        elif roll < 0.55:  # a section 47, a conference, a CP plan (and maybe a CIN plan after it)
            s47 = start + timedelta(days=rng.randint(0, 3))
            target = _working_days_after(s47, 15)
            icpc = target - timedelta(days=rng.randint(0, 5))
            icpc = max(icpc, s47 + timedelta(days=1))
            while icpc.weekday() >= 5:  # a conference is not held at the weekend (rule 8875)
                icpc -= timedelta(days=1)
            section47s.append(Section47(s47, target, icpc, False))
            cp_end = icpc + timedelta(days=rng.randint(200, 700))
            reviews = [icpc + timedelta(days=rng.randint(60, 85))]
            while reviews[-1] + timedelta(days=180) < cp_end:
                reviews.append(reviews[-1] + timedelta(days=rng.randint(150, 180)))
            category = rng.choice(_CATEGORIES)
            previous = sum(len(e.cp_plans) for e in who.episodes)
            cp_plans.append(CpPlan(icpc, cp_end, category, category, previous, tuple(reviews)))
            pp_start = icpc + timedelta(days=rng.randint(30, 90))
            if pp_start.year * 100 + pp_start.month >= (SECTION5_FROM - 1) * 100 + 4 and pp_start < cp_end:
                blocks.append(self.preproceedings(pp_start))
            last = cp_end
            if rng.random() < 0.5:
                plan_end = cp_end + timedelta(days=rng.randint(60, 300))
                cin_plans.append(CinPlan(cp_end + timedelta(days=1), plan_end))
                last = plan_end
            closure, reason = last + timedelta(days=rng.randint(0, 20)), rng.choice(["RC7", "RC7", "RC3", "RC4"])
        else:  # a CIN plan
            plan_start = authorised + timedelta(days=rng.randint(1, 10))
            plan_end = plan_start + timedelta(days=rng.randint(90, 600))
            cin_plans.append(CinPlan(plan_start, plan_end))
            closure, reason = plan_end + timedelta(days=rng.randint(0, 20)), "RC7"
        episode = Episode(
            referral,
            source,
            need,
            closure,
            reason,
            False,
            assessments=(Assessment(start, None, authorised, factors),),
            cin_plans=tuple(cin_plans),
            section47s=tuple(section47s),
            cp_plans=tuple(cp_plans),
            preproceedings=tuple(blocks),
        )
        return self.cut(episode)

    def preproceedings(self, start: date) -> Preproceedings:
        rng = self.rng
        letter = start + timedelta(days=rng.randint(1, 10))
        meeting = letter + timedelta(days=rng.randint(5, 20))
        decided = meeting + timedelta(days=rng.randint(40, 100))
        outcome = rng.choice("ABC")
        court = decided + timedelta(days=rng.randint(1, 10)) if outcome == "A" else None
        initiating = court + timedelta(days=rng.randint(0, 5)) if court else None
        return Preproceedings(
            start, letter, True, rng.random() < 0.7, meeting, rng.randint(0, 3), decided, outcome, court, initiating
        )

    def cut(self, ep: Episode) -> Episode:
        """The episode as known at the end of the history: later dates are not facts yet."""
        k = self.known
        decided = {id(b): k(b.decided) for b in ep.preproceedings}
        return replace(
            ep,
            closure=k(ep.closure),
            reason_for_closure=ep.reason_for_closure if k(ep.closure) else None,
            assessments=tuple(
                replace(a, authorised=k(a.authorised), factors=a.factors if k(a.authorised) else ())
                for a in ep.assessments
                if k(a.start)
            ),
            cin_plans=tuple(replace(p, end=k(p.end)) for p in ep.cin_plans if k(p.start)),
            section47s=tuple(
                replace(s, icpc=k(s.icpc), icpc_not_required=s.icpc_not_required if k(s.icpc) else None)
                for s in ep.section47s
                if k(s.start)
            ),
            cp_plans=tuple(
                replace(p, end=k(p.end), reviews=tuple(r for r in p.reviews if k(r))) for p in ep.cp_plans if k(p.start)
            ),
            preproceedings=tuple(
                replace(
                    b,
                    letter=k(b.letter),
                    initial_meeting=k(b.initial_meeting),
                    review_meetings=b.review_meetings if k(b.initial_meeting) else None,
                    decided=decided[id(b)],
                    outcome=b.outcome if decided[id(b)] else None,
                    court_application=k(b.court_application) if decided[id(b)] else None,
                    letter_initiating=k(b.letter_initiating) if decided[id(b)] else None,
                )
                for b in ep.preproceedings
                if k(b.start)
            ),
        )


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def generated_children(
    seed: int, years: Iterable[int] = range(2018, 2028), referrals_per_year: int = 20, la: str = "999"
) -> tuple[Child, ...]:
    """The council's whole history (every child with every episode), as the merge of its returns
    should give it back (``gender_current`` aside: a return carries it only up to 2023-24)."""
    span = sorted(years)
    history = _History(seed, span, la)
    for year in span:
        first = date(year - 1, 4, 1)
        days = sorted(history.rng.randint(0, 364) for _ in range(referrals_per_year))
        for offset in days:
            referral = first + timedelta(days=offset)
            who = (history.free(referral) if history.rng.random() < 0.15 else None) or history.person(referral)
            if who.episodes and (who.episodes[-1].closure is None or who.episodes[-1].closure >= referral):
                who = history.person(referral)
            who.episodes.append(history.episode(who, referral))
    return tuple(
        Child(
            la_child_id=p.la_child_id,
            upn=p.upn,
            upn_unknown=p.upn_unknown,
            birth_date=p.birth_date,
            expected_birth_date=p.expected_birth_date,
            sex=p.sex,
            ethnicity=p.ethnicity,
            disabilities=p.disabilities,
            episodes=tuple(p.episodes),
        )
        for p in history.people
    )


def generate_history(
    seed: int, years: Iterable[int] = range(2018, 2028), referrals_per_year: int = 20, la: str = "999"
) -> list[bytes]:
    """One return per collection year of ``years`` (a year ``Y`` is the one ending 31 March ``Y``),
    oldest first, of the history :func:`generated_children` makes with the same arguments."""
    span = sorted(years)
    children = generated_children(seed, span, referrals_per_year, la)
    return [census_return(children, year, la=la) for year in span]
