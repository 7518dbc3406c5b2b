"""The measures count duration bands in SQL from the domain's band edges: the SQL and the domain's
``duration_band`` agree on every pair of dates, month ends and leap days included."""

from __future__ import annotations

import random
from datetime import date, timedelta

from stepdown_support import Cases

from stepdown.domain import duration_band
from stepdown.reporting import _band_case


async def test_the_sql_bands_are_the_domains_at_month_ends_and_leap_days(cases: Cases) -> None:
    rng = random.Random(10)
    referrals = [date(2024, 1, 31), date(2024, 2, 29), date(2023, 11, 30), date(2024, 8, 31), date(2025, 12, 31)]
    referrals += [date(2023, 1, 1) + timedelta(days=rng.randint(0, 1100)) for _ in range(40)]
    pairs = [(r, r + timedelta(days=d)) for r in referrals for d in (*range(85, 95), *range(178, 188), *range(268, 280), 0, 400)]
    values = ", ".join(f"(DATE '{r.isoformat()}', DATE '{c.isoformat()}')" for r, c in pairs)
    rows = await cases.rows(
        f"SELECT referral_date, closure_date, {_band_case()} AS band FROM (VALUES {values}) AS t(referral_date, closure_date)"
    )
    assert len(rows) == len(pairs)
    assert [r["band"] for r in rows] == [duration_band(r, c) for r, c in pairs]
