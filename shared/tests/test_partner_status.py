"""The partner status every owning service builds (``continuum.casework.partners.partner_status``):
with an NHS number, ``status.changed`` keyed by it, the responsible service's public name; without
one, ``status.withheld`` keyed by the child's id, for the partners service's sharing log (decision
56). And each agency's own topic is created compacted, every other topic with its retention."""

from __future__ import annotations

import uuid
from datetime import date

from continuum.casework.partners import partner_status
from continuum.casework.policy import load_policy
from continuum.contracts import PartnerStatus, StatusChanged, StatusWithheld, WithheldReason, agency_topic
from continuum.messaging.kafka import topic_configs

POLICY = load_policy()


def test_with_an_nhs_number_the_status_changed_without_one_it_is_withheld() -> None:
    child = uuid.uuid4()
    told = partner_status(
        child_id=child, nhs_number="9434765919", date_of_birth=None, status=PartnerStatus.CIN_PLAN,
        since=date(2026, 10, 8), team="disabled-children", policy=POLICY,
    )  # fmt: skip
    assert isinstance(told, StatusChanged) and told.partition_key() == "9434765919"
    assert "disabled" not in told.responsible_service  # never the internal team id
    withheld = partner_status(
        child_id=child, nhs_number=None, date_of_birth=None, status=PartnerStatus.CIN_PLAN,
        since=date(2026, 10, 8), team="north", policy=POLICY,
    )  # fmt: skip
    assert isinstance(withheld, StatusWithheld) and withheld.partition_key() == str(child)
    assert (withheld.status, withheld.since, withheld.reason) == (
        PartnerStatus.CIN_PLAN,
        date(2026, 10, 8),
        WithheldReason.NO_NHS_NUMBER,
    )
    assert withheld.topic == told.topic and not withheld.carries_trace


def test_an_agencys_topic_is_compacted_and_the_others_keep_their_retention() -> None:
    assert topic_configs(agency_topic("police")) == {"cleanup.policy": "compact"}
    assert topic_configs("continuum.partner-status") == {"retention.ms": str(30 * 24 * 3600 * 1000), "cleanup.policy": "delete"}
