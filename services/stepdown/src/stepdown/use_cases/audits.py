"""The monthly audit: draw last month's sample (reproducible), read it, export it, and the
auditors' findings."""

from __future__ import annotations

import uuid
from typing import Any

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.idempotency import once
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.errors import check_version, not_found
from stepdown import domain, reporting
from stepdown.domain.audit import Candidate, SampledKind, check_month_is_over
from stepdown.domain.policy import stepdown_policy
from stepdown.schemas import AuditItemOut, AuditSampleOut, FindingIn
from stepdown.views import audit_item_view, sample_view


async def _answer(tx: Transaction, month: str, *, purpose: str) -> AuditSampleOut:
    """The month's sample as the caller may see it: auditors and admins every team's, a manager
    the items of their own teams (each item is a child's record, audited)."""
    principal = tx.principal_or_fail()
    teams = None if principal.sees_all_teams else sorted(principal.teams)
    rows = await reporting.sample_items(tx, month, teams=teams)
    for row in rows:
        await tx.audit("child.list", subject_type="child", subject_id=row.child_id, purpose=purpose)
    return sample_view(month, rows)


async def draw_sample(uow: UnitOfWork, *, month: str, policy: CouncilPolicy, idempotency_key: str | None) -> dict[str, Any]:
    """Draw the month's sample (drawing it again adds nothing: the same month gives the same records)."""
    purpose = "draw the monthly audit sample"
    now = clock.now()
    async with uow as tx:

        async def run() -> tuple[int, Any]:
            check_month_is_over(month, today=clock.london_date(now))
            first, following = domain.month_bounds(month)
            rows = await reporting.audit_candidates(tx, first=first, following=following)
            children = {row.record_id: row.child_id for row in rows}
            candidates = [Candidate(SampledKind(row.kind), row.record_id, row.team) for row in rows]
            chosen = domain.draw_sample(
                candidates, month=month, la_code=policy.la_code, rate=stepdown_policy(policy).audit_sampling_rate
            )
            await reporting.add_sample_items(
                tx,
                [
                    {
                        "id": uuid.uuid4(),
                        "month": month,
                        "kind": c.kind,
                        "record_id": c.record_id,
                        "child_id": children[c.record_id],
                        "team": c.team,
                        "drawn_at": now,
                        "version": 1,
                    }
                    for c in chosen
                ],
            )
            return 201, (await _answer(tx, month, purpose=purpose)).model_dump(mode="json")

        request = {"month": month} if idempotency_key else None
        scope = f"audits:{tx.principal_or_fail().sub}"
        _, body = await once(tx, key=idempotency_key, scope=scope, request=request, run=run)
        return dict(body)


async def get_sample(uow: UnitOfWork, *, month: str) -> AuditSampleOut:
    domain.month_bounds(month)
    async with uow as tx:
        return await _answer(tx, month, purpose="read the monthly audit sample")


async def record_finding(uow: UnitOfWork, *, month: str, item_id: uuid.UUID, finding: FindingIn, version: int) -> AuditItemOut:
    """An auditor records the finding and learning on a sampled record (and may revise it)."""
    purpose = "record an audit finding"
    now = clock.now()
    async with uow as tx:
        row = await reporting.sample_item(tx, month, item_id)
        if row is None:
            tx.audit_refusal("audit_item.read", subject_type="audit_item", subject_id=item_id, purpose=purpose)
            raise not_found("Audit sample item")
        check_version(row.version, version)
        await reporting.save_finding(
            tx,
            item_id,
            {
                "rating": finding.rating,
                "finding": finding.finding,
                "learning": finding.learning,
                "reviewed_by": tx.principal_or_fail().sub,
                "reviewed_at": now,
                "version": row.version + 1,
            },
        )
        await tx.audit("audit_item.finding", subject_type="audit_item", subject_id=item_id, purpose=purpose)
        await tx.audit("child.read", subject_type="child", subject_id=row.child_id, purpose=purpose)
        updated = await reporting.sample_item(tx, month, item_id)
        return audit_item_view(updated)
