"""A change of subscription in the council's policy file changes what the agency receives: the same
gateway under a policy where schools also take ``referred`` sends the school a referral it did not
send before, through the same outbox, relay and topic; the sharing log shows the share under the new
policy and the ``not_subscribed`` decision under the old one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from partners_support import TEST_POLICY, Cases, agency_feed, nhs_number, status_changed, write_policy

from continuum.contracts import PARTNER_STATUS_TOPIC, PartnerStatus
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import eventually, send_events
from partners.app import create_app
from partners.settings import PartnersSettings

S = PartnerStatus


@pytest.fixture
async def schools_told_of_referrals(
    partners_settings: PartnersSettings, partners_app: Any, tmp_path: Path
) -> AsyncIterator[Cases]:
    """The service as it starts after the council adds ``referred`` to the schools' subscription:
    its gateway handed events directly (the running one keeps the broker's); its outbox is the
    same database's, which the running relay sends."""
    changed = write_policy(tmp_path / "policy.yaml", TEST_POLICY | {"school": [S.REFERRED, *TEST_POLICY["school"]]})
    settings = partners_settings.model_copy(update={"policy_file": changed, "run_workers": False})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield Cases(app, settings)


async def test_a_subscription_change_changes_what_the_school_receives(
    broker: TansuBroker, cases: Cases, schools_told_of_referrals: Cases
) -> None:
    before, after = nhs_number(), nhs_number()
    referred_before = status_changed(before, S.REFERRED, date(2026, 10, 1), source="referral")
    referred_after = status_changed(after, S.REFERRED, date(2026, 10, 2), source="referral")
    await send_events(broker.bootstrap, PARTNER_STATUS_TOPIC, referred_before)  # the gateway as configured
    assert (await eventually(lambda: cases.decided(referred_before)))["school"] == "not_subscribed"
    assert await schools_told_of_referrals.deliver(referred_after) == "handled"  # the gateway as changed
    assert (await cases.decided(referred_after) or {})["school"] == "shared"

    assert [e.data.status for e in await agency_feed(broker.bootstrap, "school", after, count=1)] == [S.REFERRED]
    assert await agency_feed(broker.bootstrap, "school", before, count=1, settle=0) == []
    # Police's subscription did not change: the same referral went to police both times.
    for number in (before, after):
        assert len(await agency_feed(broker.bootstrap, "police", number, count=1, settle=0)) == 1
