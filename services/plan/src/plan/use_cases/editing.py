"""Changing what a plan says: its content, family network and (CP) category of abuse, its
actions, and its commissioned interventions. Each decides one command on the loaded plan (a
command's fields are its transition's arguments where they are named alike)."""

from __future__ import annotations

import uuid

from plan import commands, domain
from plan.domain import Events, PlanState
from plan.use_cases.steps import At


async def edit_plan(command: commands.EditPlan, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    return domain.content.edit(
        plan,
        today=at.today,
        policy=at.policy,
        by=at.by.id,
        content=command.content,
        agencies_involved=command.agencies_involved,
        family=command.family,
        category=command.category_of_abuse,
    )


async def add_action(command: commands.AddAction, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    """Add an action: every part required (refused naming the missing one), due from today."""
    action = domain.content.new_action(action_id=uuid.uuid4(), today=at.today, **vars(command))
    return domain.content.add_action(plan, action, today=at.today, policy=at.policy)


async def change_action(command: commands.ChangeAction, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    return domain.content.change_action(plan, today=at.today, policy=at.policy, **vars(command))


async def add_intervention(command: commands.AddIntervention, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    return domain.interventions.commission(plan, intervention_id=uuid.uuid4(), today=at.today, policy=at.policy, **vars(command))


async def complete_intervention(command: commands.CompleteIntervention, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    return domain.interventions.complete(plan, today=at.today, policy=at.policy, **vars(command))
