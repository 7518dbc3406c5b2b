"""The monthly audit: draw last month's sample (reproducible), read it, and the auditors' findings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from continuum.casework import clock
from continuum.casework.errors import NotFound
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.change import change_one
from continuum.persistence.idempotency import Replayed, idempotent
from continuum.persistence.uow import Transaction, UnitOfWork
from stepdown import domain, reporting
from stepdown.domain.audit import Candidate, SampledKind, SampleItem, check_month_is_over
from stepdown.domain.policy import stepdown_policy
from stepdown.use_cases.commands import RecordFinding
from stepdown.views import sample_view


@dataclass(frozen=True)
class Sample:
    """A month's sample as the caller may see it."""

    month: str
    items: list[SampleItem]


async def _visible_sample(tx: Transaction, month: str, *, purpose: str) -> Sample:
    """The month's sample as the caller may see it: auditors and admins every team's, a manager
    the items of their own teams (each item is a child's record, audited)."""
    principal = tx.principal_or_fail()
    teams = None if principal.sees_all_teams else sorted(principal.teams)
    items = await reporting.sample_items(tx, month, teams=teams)
    for item in items:
        await tx.audit("child.list", subject_type="child", subject_id=item.child_id, purpose=purpose)
    return Sample(month, items)


async def draw_sample(uow: UnitOfWork, *, month: str, policy: CouncilPolicy, idempotency_key: str | None) -> Sample | Replayed:
    """Draw the month's sample (drawing it again adds nothing: the same month gives the same records)."""
    purpose = "draw the monthly audit sample"
    now = clock.now()
    async with uow as tx:

        async def run() -> Sample:
            check_month_is_over(month, today=clock.london_date(now))
            first, following = domain.month_bounds(month)
            rows = await reporting.audit_candidates(tx, first=first, following=following)
            children = {row.record_id: row.child_id for row in rows}
            candidates = [Candidate(SampledKind(row.kind), row.record_id, row.team) for row in rows]
            rate = stepdown_policy(policy).audit_sampling_rate
            chosen = domain.draw_sample(candidates, month=month, la_code=policy.la_code, rate=rate)
            await reporting.add_sample_items(tx, domain.sample_items(month, chosen, children=children, now=now))
            return await _visible_sample(tx, month, purpose=purpose)

        def present(sample: Sample) -> dict[str, Any]:
            return sample_view(sample.month, sample.items).model_dump(mode="json")

        scope = f"audits:{tx.principal_or_fail().sub}"
        return await idempotent(tx, key=idempotency_key, scope=scope, request={"month": month}, run=run, present=present)


async def get_sample(uow: UnitOfWork, *, month: str) -> Sample:
    domain.month_bounds(month)
    async with uow as tx:
        return await _visible_sample(tx, month, purpose="read the monthly audit sample")


@dataclass
class AuditItems:
    """The items of one month's sample, as the kernel's change pipeline loads and saves them."""

    month: str
    subject_type: str = "audit_item"

    async def load(self, tx: Transaction, id: uuid.UUID, *, purpose: str) -> SampleItem:
        item = await reporting.sample_item(tx, self.month, id)
        if item is None:
            tx.audit_refusal("audit_item.read", subject_type="audit_item", subject_id=id, purpose=purpose)
            raise NotFound("Audit sample item")
        return item

    async def save(self, tx: Transaction, before: SampleItem, after: SampleItem, *, action: str) -> None:
        await reporting.save_finding(tx, after)


async def record_finding(uow: UnitOfWork, command: RecordFinding) -> SampleItem:
    """An auditor records the finding and learning on a sampled record (and may revise it)."""
    purpose = "record an audit finding"
    now = clock.now()
    async with uow as tx:
        by = tx.principal_or_fail().sub

        async def decide(item: SampleItem) -> tuple[SampleItem, domain.Events]:
            return domain.record_finding(
                item, rating=command.rating, finding=command.finding, learning=command.learning, by=by, now=now
            )

        changed = await change_one(
            tx,
            AuditItems(command.month),
            id=command.item_id,
            version=command.version,
            purpose=purpose,
            action="audit_item.finding",
            decide=decide,
        )
        await tx.audit("child.read", subject_type="child", subject_id=changed.child_id, purpose=purpose)
        return changed
