"""Several years' census returns of one council merged into one history per child.

A return lists each episode open at any point of its year, with the modules open in the year as
known on 31 March; the next year's return repeats what was still open, with what has happened
since. So the merge goes through the returns from the oldest year to the newest (a return of the
same year again, later in the list, counts as newer) and:

- children are keyed by LA child id; the newest return's identifiers and characteristics win;
- episodes are keyed by (LA child id, CINreferralDate); a newer return updates what it repeats: a
  value it gives replaces the older one, a value it leaves out keeps the older one, except an end
  (below);
- modules are keyed in their episode by their start date (assessments, CIN plans, section 47s, CP
  plans, pre-proceedings) and merged the same way; a CP plan's reviews are the union of every
  return's (each return lists only the reviews of its year).

Contradictions, each reported as a :class:`Problem` and decided for the newer return (the council's
latest word on the case, as its current system holds it):

- an end (episode closure, plan end, assessment authorisation, ...) in an older return that a newer
  return repeating the record leaves out: the record stays open, as the newer return says;
- an end or a code in an older return that a newer return gives differently: the newer value;
- an episode open at the end of an older year, missing from the next year's return when that
  return is in the list: kept as last returned (open), reported, so that someone looks.

After the merge a child whose episodes overlap (DfE rule 8820) is left out whole, with a problem:
nothing of a child is half-imported. Problems of the returns themselves (children left out by the
reader) carry over; such a child is left out of the history too, even if another year read well,
since its history would have a hole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, TypeVar

from continuum_tools.importing.census_reader import overlapping
from continuum_tools.importing.records import (
    Assessment,
    CensusFile,
    Child,
    CinPlan,
    CpPlan,
    Episode,
    Preproceedings,
    Problem,
    Section47,
)

M = TypeVar("M", Assessment, CinPlan, Section47, CpPlan, Preproceedings)

#: The fields that end a record: left out by a newer return, the record is open again.
_ENDS = frozenset({"closure", "end", "authorised", "icpc", "decided"})
#: What goes with an end: an end reopened takes them with it (as the newer return gives them).
_WITH_END = {
    "closure": ("reason_for_closure",),
    "authorised": ("factors",),
    "decided": ("outcome", "court_application", "letter_initiating"),
}
#: The fields of an episode merged as keyed lists of modules, not as values.
_MODULES = ("assessments", "cin_plans", "section47s", "cp_plans", "preproceedings")


@dataclass(frozen=True)
class History:
    """Every child of the returns with its whole history (by LA child id), the collection years
    merged, and the problems met (the readers' and the merge's)."""

    children: tuple[Child, ...]
    years: tuple[int, ...]
    problems: tuple[Problem, ...] = ()


class _Merge:
    def __init__(self, la_child_id: str, newer_year: int) -> None:
        self.la_child_id, self.newer_year = la_child_id, newer_year
        self.problems: list[Problem] = []

    def values(self, older: Any, newer: Any, where: str, *, skip: Sequence[str] = ()) -> dict[str, Any]:
        """The fields of ``newer`` over ``older``: given replaces, left out keeps (an end excepted)."""
        merged: dict[str, Any] = {}
        reopened: list[str] = []
        for f in fields(older):
            if f.name in skip:
                continue
            old, new = getattr(older, f.name), getattr(newer, f.name)
            if new is None or new == ():
                if old not in (None, ()) and f.name in _ENDS:
                    self.problems.append(
                        Problem(
                            self.la_child_id, f"{where}/{f.name}", f"left out by the {self.newer_year} return; open as it says"
                        )
                    )
                    merged[f.name] = new
                    reopened.append(f.name)
                else:
                    merged[f.name] = old
                continue
            if old not in (None, ()) and old != new and f.name != "reviews":
                self.problems.append(
                    Problem(self.la_child_id, f"{where}/{f.name}", f"changed by the {self.newer_year} return; its value kept")
                )
            merged[f.name] = new
        for end in reopened:
            for name in _WITH_END.get(end, ()):
                merged[name] = getattr(newer, name)
        return merged

    def modules(self, older: tuple[M, ...], newer: tuple[M, ...], where: str, key: Callable[[M], Any]) -> tuple[M, ...]:
        by_start: dict[Any, M] = {key(m): m for m in older}
        for module in newer:
            old = by_start.get(key(module))
            if old is None:
                by_start[key(module)] = module
                continue
            merged = self.values(old, module, f"{where}[{key(module)}]")
            if isinstance(old, CpPlan) and isinstance(module, CpPlan):
                merged["reviews"] = tuple(sorted(set(old.reviews) | set(module.reviews)))
            by_start[key(module)] = replace(old, **merged)
        return tuple(sorted(by_start.values(), key=lambda m: str(key(m))))

    def episode(self, older: Episode, newer: Episode) -> Episode:
        where = f"CINdetails[{newer.referral_date}]"
        merged = self.values(older, newer, where, skip=_MODULES)
        return replace(
            older,
            **merged,
            assessments=self.modules(older.assessments, newer.assessments, f"{where}/Assessments", lambda a: a.start),
            cin_plans=self.modules(older.cin_plans, newer.cin_plans, f"{where}/CINPlanDates", lambda p: p.start),
            section47s=self.modules(older.section47s, newer.section47s, f"{where}/Section47", lambda s: s.start),
            cp_plans=self.modules(older.cp_plans, newer.cp_plans, f"{where}/ChildProtectionPlans", lambda p: p.start),
            preproceedings=self.modules(
                older.preproceedings, newer.preproceedings, f"{where}/PreProceedingsandFGDM", lambda b: b.start
            ),
        )


def _open_at(episode: Episode, day: date) -> bool:
    return episode.referral_date <= day and (episode.closure is None or episode.closure > day)


def merge(files: Sequence[CensusFile]) -> History:
    """The returns ``files`` (any order) merged into one history per child; see the module's
    docstring for the rules and what is reported."""
    ordered = sorted(enumerate(files), key=lambda item: (item[1].header.year, item[0]))
    problems: list[Problem] = []
    children: dict[str, Child] = {}
    episodes: dict[str, dict[date, Episode]] = {}
    unreadable: set[str] = set()
    years = sorted({f.header.year for f in files})
    last_seen: dict[str, int] = {}  # the last year each child was returned
    for _, census in ordered:
        year = census.header.year
        problems.extend(census.problems)
        unreadable.update(p.la_child_id for p in census.problems if p.la_child_id)
        listed = {child.la_child_id: {e.referral_date for e in child.episodes} for child in census.children}
        end_before = date(year - 1, 3, 31)
        for la_child_id, held in episodes.items():
            # Open at the end of the year before this one (returned then), not repeated now: missing.
            if last_seen.get(la_child_id) != year - 1:
                continue
            for ep in held.values():
                if (
                    _open_at(ep, end_before)
                    and ep.referral_nfa is not True
                    and ep.referral_date not in listed.get(la_child_id, ())
                ):
                    where = f"CINdetails[{ep.referral_date}]"
                    problems.append(
                        Problem(la_child_id, where, f"open at the end of {year - 1}, not in the {year} return; kept open")
                    )
        for child in census.children:
            held = episodes.setdefault(child.la_child_id, {})
            step = _Merge(child.la_child_id, year)
            for episode in child.episodes:
                old = held.get(episode.referral_date)
                held[episode.referral_date] = episode if old is None else step.episode(old, episode)
            problems.extend(step.problems)
            children[child.la_child_id] = child
            last_seen[child.la_child_id] = year
    merged: list[Child] = []
    for la_child_id in sorted(children):
        if la_child_id in unreadable:
            problems.append(Problem(la_child_id, "Child", "a return could not be read for this child; left out of the history"))
            continue
        history = tuple(sorted(episodes[la_child_id].values(), key=lambda e: e.referral_date))
        if overlapping(history):
            problems.append(Problem(la_child_id, "CINdetails", "the child's episodes overlap across the returns; left out"))
            continue
        merged.append(replace(children[la_child_id], episodes=history))
    return History(children=tuple(merged), years=tuple(years), problems=tuple(problems))
