"""The gateway's decisions, pure: not subscribed first; an older status (by since, then the source
event's time) than the one the agency holds is superseded; the id of what is sent is the same for
the same source event and agency, and differs between agencies."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from continuum.casework.policy import load_policy
from continuum.contracts import PartnerStatus, StatusChanged, WithheldReason
from partners.domain import Decision, Held, Outcome, Source, decide_changed, decide_withheld
from partners.domain.policy import partners_policy

S = PartnerStatus
POLICY = partners_policy(load_policy())
AT = datetime(2026, 10, 8, 9, tzinfo=UTC)


def _changed(status: PartnerStatus, since: date) -> StatusChanged:
    return StatusChanged(
        nhs_number="9434765919", date_of_birth=None, status=status, since=since, responsible_service="CSC", contact="01632"
    )


def _decisions(outcomes: list[Outcome]) -> dict[str, Decision]:
    return {o.agency.id: o.decision for o in outcomes}


def test_each_agency_by_its_subscription() -> None:
    source = Source(uuid.uuid4(), "plan", AT)
    outcomes = decide_changed(_changed(S.CIN_PLAN, date(2026, 10, 8)), source=source, policy=POLICY, held={})
    decisions = _decisions(outcomes)
    assert decisions["school"] is decisions["police"] is Decision.SHARED
    assert decisions["probation"] is Decision.NOT_SUBSCRIBED
    sent = {o.agency.id: o.sent_id for o in outcomes if o.sent is not None}
    assert len(set(sent.values())) == len(sent)  # one id per agency
    again = decide_changed(_changed(S.CIN_PLAN, date(2026, 10, 8)), source=source, policy=POLICY, held={})
    assert {o.agency.id: o.sent_id for o in again if o.sent is not None} == sent  # the same for the same source


def test_an_older_status_is_superseded_and_a_later_one_shared() -> None:
    held = {"gp": Held(S.CP_PLAN, date(2026, 10, 15), AT)}
    source = Source(uuid.uuid4(), "plan", AT - timedelta(days=1))
    older = _decisions(decide_changed(_changed(S.CIN_PLAN, date(2026, 10, 8)), source=source, policy=POLICY, held=held))
    same_day_earlier = _decisions(
        decide_changed(_changed(S.CIN_PLAN, date(2026, 10, 15)), source=source, policy=POLICY, held=held)
    )
    later = Source(uuid.uuid4(), "stepdown", AT + timedelta(seconds=1))
    same_day_later = _decisions(decide_changed(_changed(S.CLOSED, date(2026, 10, 15)), source=later, policy=POLICY, held=held))
    assert older["gp"] is same_day_earlier["gp"] is Decision.SUPERSEDED
    assert older["school"] is Decision.SHARED  # school holds nothing of the child
    assert same_day_later["gp"] is Decision.SHARED


def test_a_withheld_status_is_no_nhs_number_where_subscribed() -> None:
    decisions = _decisions(decide_withheld(S.STEPPED_DOWN, WithheldReason.NO_NHS_NUMBER, policy=POLICY))
    assert decisions["police"] is decisions["gp"] is Decision.NO_NHS_NUMBER
    assert decisions["school"] is decisions["housing"] is Decision.NOT_SUBSCRIBED
