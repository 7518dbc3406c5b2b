"""A per-principal budget of child-record reads, so that bulk harvesting is slowed and visible.

Every read of a child's record is already an audit row (``child.read``, or ``child.list`` for each
child a list shows); the unit of work counts them against the caller's budget before it commits,
so no route can forget to (but not the record that answers the caller's own change:
:func:`reads_to_spend`). A token bucket per principal: ``burst`` reads at once, refilled at
``per_minute``. Over budget, the answer is 429 with ``Retry-After``, the refusal is audited and
counted in ``continuum_child_reads_refused_total``.

The buckets live in the process: with N replicas behind a load balancer a principal may read up to
N times the budget. That is documented, not hidden (decision 22); the audit log and the
metric carry the evidence across replicas.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from continuum.casework.errors import Exhausted
from continuum.casework.policy import ReadLimitPolicy

#: The audit actions that are reads of a child's record.
READ_ACTIONS = frozenset({"child.read", "child.list"})


class _AuditRow(Protocol):
    @property
    def action(self) -> str: ...
    @property
    def subject_id(self) -> str: ...
    @property
    def outcome(self) -> str: ...


class TooManyReads(Exhausted):
    """The caller spent its budget of child-record reads."""

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            f"your budget of child-record reads is spent; try again in {seconds} s",
            retry_after=seconds,
            slug="too-many-reads",
            title="Too many children's records read",
        )


def is_change(action: str) -> bool:
    """Whether an audit action records a change: actions are ``<record>.<verb>``, and every verb
    but ``read`` and ``list`` changes the record (``plan.approve``, ``referral.receive``)."""
    return action.rpartition(".")[2] not in ("read", "list")


def reads_to_spend(rows: Iterable[_AuditRow]) -> list[str]:
    """The children's records among a use case's audit rows that spend the caller's budget.

    Every child's record in an answer is a ``child.read`` or ``child.list`` row, and each spends
    one read; except that the answer to a change the caller made carries the record it changed
    (a plan approved answers the plan with its child), which is no read of another record. So a
    use case that recorded a change spends nothing for its ``child.read`` rows: a bulk client's
    writes do not eat its read budget (decision 39). A list is always a read of others:
    ``child.list`` rows spend whatever else the use case did."""
    succeeded = [row for row in rows if row.outcome == "success"]
    answers_a_change = any(is_change(row.action) for row in succeeded)
    return [
        row.subject_id for row in succeeded if row.action in READ_ACTIONS and (row.action == "child.list" or not answers_a_change)
    ]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class ReadLimiter:
    """Token buckets keyed by principal (``sub``)."""

    MAX_PRINCIPALS = 50_000

    def __init__(self, policy: ReadLimitPolicy, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = policy.per_minute / 60.0
        self.burst = float(policy.burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, principal: str, reads: int) -> float | None:
        """Spend ``reads`` from the principal's budget: ``None`` when allowed, otherwise the
        seconds to wait. A page larger than the burst costs the whole burst (never refused forever)."""
        now = self._clock()
        bucket = self._buckets.get(principal)
        if bucket is None:
            if len(self._buckets) >= self.MAX_PRINCIPALS:
                self._forget_full_buckets(now)
            bucket = self._buckets[principal] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        cost = min(float(reads), self.burst)
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return None
        return (cost - bucket.tokens) / self.rate

    def _forget_full_buckets(self, now: float) -> None:
        """A bucket refilled to the brim holds nothing worth keeping."""
        self._buckets = {key: b for key, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate < self.burst}


def over_budget(
    limiter: ReadLimiter | None, principal: str | None, rows: Iterable[_AuditRow]
) -> tuple[TooManyReads, list[str]] | None:
    """When the children's records among a use case's audit rows (:func:`reads_to_spend`) are more
    than ``principal``'s budget allows: the refusal and the children whose reads it refuses."""
    if limiter is None or principal is None:
        return None
    read = reads_to_spend(rows)
    if not read:
        return None
    wait = limiter.take(principal, len(read))
    return None if wait is None else (TooManyReads(wait), read)
