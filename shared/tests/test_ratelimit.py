"""The per-principal budget of child-record reads: a token bucket, pure, on a fake clock."""

from __future__ import annotations

import pytest

from continuum.ratelimit import ReadLimiter, ReadLimitPolicy


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
