"""What the read model keeps of an event: its envelope's id and time, its topic and version, the
case, child and team it names (or none), every team it names for access, and its data whole."""

from __future__ import annotations

import uuid

from insight_support import START, case_closed, child_registered, information_requested, received

from continuum.contracts import REFERRAL_TOPIC, STEPDOWN_TOPIC
from insight import domain


def test_an_event_keeps_its_envelope_and_what_it_names() -> None:
    case, child = uuid.uuid4(), uuid.uuid4()
    event = received(case_id=case, child_id=child, at=START)
    kept = domain.case_event(event)
    assert (kept.id, kept.topic, kept.event_type, kept.schema_version) == (event.id, REFERRAL_TOPIC, "referral.received", 1)
    assert (kept.case_id, kept.child_id, kept.team, kept.occurred_at) == (case, child, "north", START)
    assert kept.data == event.data.model_dump(mode="json") and kept.service == "referral"
    assert kept.teams == {"north"}


def test_what_an_event_does_not_name_is_none() -> None:
    child = uuid.uuid4()
    identity = domain.case_event(child_registered(child))
    assert (identity.case_id, identity.child_id, identity.team, identity.teams) == (None, child, None, frozenset())
    request = domain.case_event(information_requested(case_id=uuid.uuid4(), at=START))
    assert request.child_id is None and request.case_id is not None and request.teams == frozenset()
    no_team = domain.case_event(received(case_id=uuid.uuid4(), child_id=child, at=START, team=None))
    assert no_team.team is None and no_team.teams == frozenset()


def test_every_team_field_counts_for_access() -> None:
    closed = case_closed(case_id=uuid.uuid4(), child_id=uuid.uuid4(), at=START)
    kept = domain.case_event(closed)
    assert kept.topic == STEPDOWN_TOPIC and kept.service == "stepdown"
    data = kept.data | {"previous_team": "south", "receiving_team": "early-help"}
    assert domain.CaseEvent(**{**kept.__dict__, "data": data}).teams == {"north", "south", "early-help"}


def test_an_entry_says_it_in_plain_words() -> None:
    event = received(case_id=uuid.uuid4(), child_id=uuid.uuid4(), at=START)
    line = domain.entry(domain.case_event(event))
    assert (line.words, line.service, line.team, line.occurred_at) == (
        "Referral received from the police",
        "referral",
        "north",
        START,
    )
