"""The per-principal budget of child-record reads: a token bucket, pure, on a fake clock."""

from __future__ import annotations

import pytest

from continuum.casework.policy import ReadLimitPolicy
from continuum.persistence.read_budget import ReadLimiter, is_change, reads_to_spend
from continuum.persistence.uow import AuditEntry


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_reads_wait_for_the_refill() -> None:
    clock = Clock()
    limiter = ReadLimiter(ReadLimitPolicy(per_minute=60, burst=5), clock=clock)
    assert [limiter.take("alex", 1) for _ in range(5)] == [None] * 5
    assert limiter.take("alex", 1) == pytest.approx(1.0)  # one read a second
    clock.now += 1.0
    assert limiter.take("alex", 1) is None
    assert limiter.take("alex", 1) is not None


def test_each_principal_has_its_own_budget() -> None:
    limiter = ReadLimiter(ReadLimitPolicy(per_minute=60, burst=2), clock=Clock())
    assert limiter.take("alex", 2) is None
    assert limiter.take("alex", 1) is not None
    assert limiter.take("sam", 2) is None


def test_a_page_larger_than_the_burst_costs_the_whole_burst_and_is_not_refused_forever() -> None:
    clock = Clock()
    limiter = ReadLimiter(ReadLimitPolicy(per_minute=60, burst=10), clock=clock)
    assert limiter.take("alex", 200) is None
    assert limiter.take("alex", 200) == pytest.approx(10.0)
    clock.now += 10.0
    assert limiter.take("alex", 200) is None


def test_the_refill_never_exceeds_the_burst() -> None:
    clock = Clock()
    limiter = ReadLimiter(ReadLimitPolicy(per_minute=600, burst=3), clock=clock)
    limiter.take("alex", 1)
    clock.now += 3600
    assert [limiter.take("alex", 1) for _ in range(4)][-1] is not None


def test_harvesting_two_thousand_records_in_ten_seconds_is_refused_with_the_default_budget() -> None:
    clock = Clock()
    limiter = ReadLimiter(ReadLimitPolicy(), clock=clock)
    refused = 0
    for i in range(2000):
        clock.now = 1000.0 + i * 10.0 / 2000
        refused += limiter.take("harvester", 1) is not None
    assert refused > 1000


def _row(action: str, subject: str = "c1", outcome: str = "success") -> AuditEntry:
    return AuditEntry(action, action.partition(".")[0], subject, "purpose", outcome)


def test_audit_actions_other_than_read_and_list_record_changes() -> None:
    assert [is_change(a) for a in ("plan.approve", "referral.receive", "child.update", "audit_item.finding")] == [True] * 4
    assert [is_change(a) for a in ("child.read", "child.list", "plan.read", "step_up.read")] == [False] * 4


def test_a_read_spends_a_read_per_child_record() -> None:
    assert reads_to_spend([_row("referral.read"), _row("child.read", "c1"), _row("child.read", "c2")]) == ["c1", "c2"]


def test_the_answer_to_a_change_spends_nothing_but_a_list_beside_it_does() -> None:
    """A bulk client's writes do not spend its read budget: the child's record in the answer to
    its own change is the record it changed (decision 39)."""
    assert reads_to_spend([_row("plan.approve", "p1"), _row("child.read", "c1")]) == []
    assert reads_to_spend([_row("referral.receive", "r1"), _row("child.list", "c1"), _row("child.list", "c2")]) == ["c1", "c2"]


def test_refused_rows_neither_spend_nor_count_as_a_change() -> None:
    assert reads_to_spend([_row("plan.approve", outcome="refused"), _row("child.read", "c1")]) == ["c1"]
    assert reads_to_spend([_row("child.read", "c1", outcome="refused")]) == []
