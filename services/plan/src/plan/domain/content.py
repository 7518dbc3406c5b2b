"""What the plan says and who does what: its content and its actions.

An action without a description, an owner (person and agency), a measure of success or a due
date is refused, naming the field: a plan cannot hold an action nobody could check. How well each
meets the Children's Commissioner's five criteria is reported, never refused (``quality``).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from continuum.casework.errors import Invalid, NotFound
from continuum.casework.policy import CouncilPolicy
from continuum.contracts.codes import CategoryOfAbuse
from continuum.contracts.plan import Agency, PlanCategoryChanged, PlanType
from plan.domain.drift import checked
from plan.domain.rules import about, check_open, naming
from plan.domain.states import Action, ActionProgress, Content, Events, Family, Owner, PlanState, PlanStatus

#: The longest an action may run from when it is set.
LONGEST_ACTION_DAYS = 366


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


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
        raise Invalid(f"{field_prefix}description", "say what will be done")
    if _blank(owner_person):
        raise Invalid(f"{field_prefix}owner.person", "name who will do it")
    if owner_agency is None:
        raise Invalid(f"{field_prefix}owner.agency", "name their agency (or family)")
    if _blank(success_measure):
        raise Invalid(f"{field_prefix}success_measure", "say how everyone will know it worked")
    if due_date is None:
        raise Invalid(f"{field_prefix}due_date", "give the date it is due by")
    if due_date < today:
        raise Invalid(f"{field_prefix}due_date", f"is before today ({today.isoformat()})")
    if (due_date - today).days > LONGEST_ACTION_DAYS:
        raise Invalid(f"{field_prefix}due_date", "is more than a year away: break the action into steps")
    assert description is not None and owner_person is not None and success_measure is not None
    return Action(
        id=action_id,
        description=description.strip(),
        owner=Owner(owner_person.strip(), owner_agency),
        success_measure=success_measure.strip(),
        due_date=due_date,
    )


def add_action(plan: PlanState, action: Action, *, today: date, policy: CouncilPolicy) -> tuple[PlanState, Events]:
    """Add an action (already checked by :func:`new_action`) to an open plan."""
    check_open(plan)
    if len(plan.actions) >= 100:
        raise Invalid("actions", "a plan holds at most 100 actions")
    added = replace(plan, actions=(*plan.actions, action), version=plan.version + 1)
    return checked(added, today=today, policy=policy), []


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
    policy: CouncilPolicy,
) -> tuple[PlanState, Events]:
    """Change an action's terms (what is given; each checked as a new action's, a new due date
    included) and record its progress between reviews."""
    check_open(plan)
    current = plan.action(action_id)
    if current is None:
        raise naming(NotFound, "action_id", "is not an action of this plan", slug="not-found")
    terms = new_action(
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
    updated = replace(terms, progress=progress or current.progress, note=kept_note)
    actions = tuple(updated if a.id == action_id else a for a in plan.actions)
    return checked(replace(plan, actions=actions, version=plan.version + 1), today=today, policy=policy), []


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
            **about(after),
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
    policy: CouncilPolicy,
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
                raise Invalid(f"family.fgdm_meetings.{i}.held_on", "is before the offer")
            if meeting.held_on is not None and meeting.declined:
                raise Invalid(f"family.fgdm_meetings.{i}.declined", "a meeting that was held was not declined")
        changed = replace(changed, family=family)
    if category is not None:
        if plan.plan_type is not PlanType.CP:
            raise Invalid("category_of_abuse", "only a child protection plan has a category of abuse")
        if plan.status is PlanStatus.DRAFT:
            changed = replace(changed, initial_category=category, latest_category=category)
        else:
            changed = replace(changed, latest_category=category)
    changed = checked(replace(changed, version=plan.version + 1), today=today, policy=policy)
    return changed, category_change(plan, changed, on=today, by=by)
