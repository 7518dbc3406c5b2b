"""What the plan says and who does what: its content, its actions, and their quality on the
Children's Commissioner's five criteria (2024): actionable, measurable, owned, with a defined
measure of success and a timeframe.

An action without a description, an owner (person and agency), a measure of success or a due
date is refused, naming the field: a plan cannot hold an action nobody could check. Whether a
description is *actionable* and a measure *measurable* is judged by the wording (see
:func:`action_quality`), and reported, never refused: the practitioner sees it at every version.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import date

from continuum.casework.errors import RuleBroken
from continuum.contracts.codes import CategoryOfAbuse
from continuum.contracts.plan import ActionProgress, Agency, PlanCategoryChanged, PlanStatus, PlanType
from plan.domain.states import Action, Content, Events, Family, Owner, PlanState

#: First words of actions the Commissioner found vague ("continue to monitor"): not actionable.
VAGUE_OPENINGS = frozenset({"monitor", "continue", "ensure", "consider", "encourage", "maintain", "explore", "try", "to"})
#: An owner that names nobody in particular.
NOBODY = frozenset({"all", "everyone", "all professionals", "professionals", "tbc", "tba", "n/a", "unknown", "team", "agencies"})
#: Words that make a measure of success countable or observable on a date.
MEASURING_WORDS = re.compile(
    r"\d|%|\b(every|each|daily|weekly|fortnightly|monthly|per|times|at least|no more than|fewer|less than|more than|"
    r"score|none|zero|one|two|three|four|five|six|seven|eight|nine|ten|twelve|all)\b",
    re.IGNORECASE,
)
#: The longest an action may run from when it is set.
LONGEST_ACTION_DAYS = 366


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text.lower())


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def check_open(plan: PlanState) -> None:
    if plan.status is PlanStatus.ENDED:
        raise RuleBroken("plan", "has ended; it can no longer change", status=409, slug="plan-ended")


def new_action(
    *,
    action_id: uuid.UUID,
    description: str | None,
    owner_person: str | None,
    owner_agency: Agency | None,
    success_measure: str | None,
    due_date: date | None,
    today: date,
    field_prefix: str = "",
) -> Action:
    """An action with everything the Commissioner's criteria need, or a refusal naming what is missing."""
    if _blank(description):
        raise RuleBroken(f"{field_prefix}description", "say what will be done")
    if _blank(owner_person):
        raise RuleBroken(f"{field_prefix}owner.person", "name who will do it")
    if owner_agency is None:
        raise RuleBroken(f"{field_prefix}owner.agency", "name their agency (or family)")
    if _blank(success_measure):
        raise RuleBroken(f"{field_prefix}success_measure", "say how everyone will know it worked")
    if due_date is None:
        raise RuleBroken(f"{field_prefix}due_date", "give the date it is due by")
    if due_date < today:
        raise RuleBroken(f"{field_prefix}due_date", f"is before today ({today.isoformat()})")
    if (due_date - today).days > LONGEST_ACTION_DAYS:
        raise RuleBroken(f"{field_prefix}due_date", "is more than a year away: break the action into steps")
    assert description is not None and owner_person is not None and success_measure is not None
    return Action(
        id=action_id,
        description=description.strip(),
        owner=Owner(owner_person.strip(), owner_agency),
        success_measure=success_measure.strip(),
        due_date=due_date,
    )


def add_action(plan: PlanState, action: Action) -> tuple[PlanState, Events]:
    """Add an action (already checked by :func:`new_action`) to an open plan."""
    check_open(plan)
    if len(plan.actions) >= 100:
        raise RuleBroken("actions", "a plan holds at most 100 actions")
    return replace(plan, actions=(*plan.actions, action), version=plan.version + 1), []


def change_action(
    plan: PlanState,
    action_id: uuid.UUID,
    *,
    description: str | None = None,
    owner_person: str | None = None,
    owner_agency: Agency | None = None,
    success_measure: str | None = None,
    due_date: date | None = None,
    progress: ActionProgress | None = None,
    note: str | None = None,
    today: date,
) -> tuple[PlanState, Events]:
    """Change an action's terms (what is given; each checked as a new action's, a new due date
    included) and record its progress between reviews."""
    check_open(plan)
    current = plan.action(action_id)
    if current is None:
        raise RuleBroken("action_id", "is not an action of this plan", status=404, slug="not-found")
    checked = new_action(
        action_id=action_id,
        description=current.description if description is None else description,
        owner_person=current.owner.person if owner_person is None else owner_person,
        owner_agency=owner_agency or current.owner.agency,
        success_measure=current.success_measure if success_measure is None else success_measure,
        due_date=due_date or current.due_date,
        # An unchanged due date that has passed stays: it is drift, not a bad change.
        today=today if due_date is not None else min(today, current.due_date),
    )
    kept_note = note if note is not None else current.note
    updated = replace(checked, progress=progress or current.progress, note=kept_note)
    actions = tuple(updated if a.id == action_id else a for a in plan.actions)
    return replace(plan, actions=actions, version=plan.version + 1), []


def category_change(before: PlanState, after: PlanState, *, on: date, by: str) -> Events:
    """``plan.category_changed`` when a started child protection plan's latest category of abuse
    differs from what it was (census LatestCategoryOfAbuse), whichever way it changed; nothing
    while drafted (the plan's start announces the initial category)."""
    if (
        after.plan_type is not PlanType.CP
        or after.status is not PlanStatus.ACTIVE
        or after.latest_category is None
        or after.latest_category == before.latest_category
    ):
        return []
    assert after.initial_category is not None and before.latest_category is not None
    return [
        PlanCategoryChanged(
            plan_id=after.id,
            case_id=after.case_id,
            child_id=after.child_id,
            team=after.team,
            initial_category_of_abuse=after.initial_category,
            previous_category_of_abuse=before.latest_category,
            latest_category_of_abuse=after.latest_category,
            changed_on=on,
            changed_by=by,
        )
    ]


def edit(
    plan: PlanState,
    *,
    today: date,
    by: str,
    content: Content | None = None,
    agencies_involved: tuple[Agency, ...] | None = None,
    family: Family | None = None,
    category: CategoryOfAbuse | None = None,
) -> tuple[PlanState, Events]:
    """Change what the plan says, who is involved, the family network, or (CP) the category of
    abuse: the initial one while drafted, the latest once started (announced, dated ``today``)."""
    check_open(plan)
    changed = plan
    if content is not None:
        changed = replace(changed, content=content)
    if agencies_involved is not None:
        changed = replace(changed, agencies_involved=tuple(dict.fromkeys(agencies_involved)))
    if family is not None:
        for i, meeting in enumerate(family.fgdm_meetings):
            if meeting.held_on is not None and meeting.held_on < meeting.offered_on:
                raise RuleBroken(f"family.fgdm_meetings.{i}.held_on", "is before the offer")
            if meeting.held_on is not None and meeting.declined:
                raise RuleBroken(f"family.fgdm_meetings.{i}.declined", "a meeting that was held was not declined")
        changed = replace(changed, family=family)
    if category is not None:
        if plan.plan_type is not PlanType.CP:
            raise RuleBroken("category_of_abuse", "only a child protection plan has a category of abuse")
        if plan.status is PlanStatus.DRAFT:
            changed = replace(changed, initial_category=category, latest_category=category)
        else:
            changed = replace(changed, latest_category=category)
    changed = replace(changed, version=plan.version + 1)
    return changed, category_change(plan, changed, on=today, by=by)


# --- quality ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionQuality:
    """One action against the Commissioner's five criteria."""

    action_id: uuid.UUID
    actionable: bool
    measurable: bool
    owned: bool
    success_measure: bool
    timeframe: bool

    @property
    def all_five(self) -> bool:
        return self.actionable and self.measurable and self.owned and self.success_measure and self.timeframe


@dataclass(frozen=True)
class Quality:
    """The plan's actions against the five criteria: each action, and how many meet each and all."""

    actions: tuple[ActionQuality, ...]

    @property
    def total(self) -> int:
        return len(self.actions)

    @property
    def meeting_all_five(self) -> int:
        return sum(q.all_five for q in self.actions)

    def meeting(self, criterion: str) -> int:
        return sum(bool(getattr(q, criterion)) for q in self.actions)

    @property
    def share_all_five(self) -> float | None:
        return round(self.meeting_all_five / self.total, 4) if self.actions else None


CRITERIA = ("actionable", "measurable", "owned", "success_measure", "timeframe")


def action_quality(action: Action) -> ActionQuality:
    """Actionable: a concrete step of at least four words, not opening with a vague verb
    ("monitor", "continue", "ensure"...). Measurable: the measure counts or dates something
    (a number, a frequency, "all", "none"...). Owned: a named person (not "all professionals") and
    an agency. Success measure: one is given and says more than the action. Timeframe: a due date."""
    words = _words(action.description)
    measure = action.success_measure.strip()
    return ActionQuality(
        action_id=action.id,
        actionable=len(words) >= 4 and words[0] not in VAGUE_OPENINGS,
        measurable=bool(MEASURING_WORDS.search(measure)),
        owned=action.owner.person.strip().lower() not in NOBODY,
        success_measure=len(_words(measure)) >= 3 and measure.lower() != action.description.strip().lower(),
        timeframe=action.due_date is not None,
    )


def quality(plan: PlanState) -> Quality:
    return Quality(tuple(action_quality(a) for a in plan.actions))
