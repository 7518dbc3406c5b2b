"""The one table of plain words: every event type the contracts define on a case topic has words,
and every such type is in the read model's; the partners' topics (the partner-status topic and each
agency's own) are the only ones left out."""

from __future__ import annotations

import pytest

from continuum.contracts import ALL_TOPICS, CATALOGUE, PARTNER_STATUS_TOPIC
from continuum.contracts.codes import ReferralSource
from continuum.contracts.partner import AGENCY_TOPIC_PREFIX
from insight import domain
from insight.domain.words import REFERRAL_SOURCES, WORDS, plain_words, said


def test_the_read_model_takes_every_topic_but_the_partners() -> None:
    assert set(domain.CASE_TOPICS) == set(ALL_TOPICS) - {PARTNER_STATUS_TOPIC}


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_every_event_type_of_the_contracts_has_plain_words(event_type: str) -> None:
    topic = CATALOGUE[event_type].topic
    if topic == PARTNER_STATUS_TOPIC or topic.startswith(AGENCY_TOPIC_PREFIX):
        assert event_type not in domain.CASE_EVENT_TYPES  # a partner's view, not a case's history
        return
    assert event_type in domain.CASE_EVENT_TYPES
    assert event_type in WORDS, f"{event_type} has no plain words in insight.domain.words"
    words = plain_words(event_type, {})  # said even when the data is bare
    assert words and words[0].isupper() and "_" not in words and len(words) <= 300


def test_the_table_has_nothing_but_event_types() -> None:
    assert set(WORDS) == set(domain.CASE_EVENT_TYPES)


def test_every_referral_source_has_words() -> None:
    assert set(REFERRAL_SOURCES) == set(ReferralSource)


@pytest.mark.parametrize(
    ("event_type", "data", "expected"),
    [
        ("referral.received", {"source": "6"}, "Referral received from the police"),
        ("referral.received", {"source": "2A"}, "Referral received from the school"),
        ("referral.received", {"source": "no such code"}, "Referral received from an unknown source"),
        ("referral.decided", {"outcome": "assessment"}, "Referral decision made: a single assessment"),
        ("referral.decided", {"outcome": "nfa", "correction_of": "x"}, "Referral decision corrected: no further action"),
        ("assessment.authorised", {"outcome": "cin_plan"}, "Assessment authorised: child in need plan"),
        ("section47.concluded", {"outcome": "cp_plan"}, "Section 47 enquiry concluded: child protection plan"),
        ("plan.started", {"plan_type": "cp"}, "Child protection plan started"),
        (
            "plan.ended",
            {"plan_type": "cin", "next_step": "step_down_early_help"},
            "Child in need plan ended: step down to early help",
        ),
        ("case.closed", {"reason_for_closure": "RC8"}, "Case closed (census reason RC8)"),
        ("information.requested", {"agency": "GP surgery"}, "Information requested from GP surgery"),
        (
            "assessment.reassigned",
            {"previous_team": "north", "team": "south", "previous_route": "section17", "route": "section17"},
            "Assessment moved from team north to team south after the front door corrected its decision",
        ),
        (
            "assessment.reassigned",
            {"previous_team": "north", "team": "north", "previous_route": "section17", "route": "section47"},
            "Assessment now with a section 47 enquiry after the front door corrected its decision",
        ),
        (
            "assessment.reassigned",
            {
                "previous_team": "north",
                "team": "north",
                "route": "section17",
                "previous_route": "section17",
                "previous_status": "withdrawn",
                "status": "unallocated",
            },
            "Assessment reinstated after the front door corrected its decision",
        ),
    ],
)
def test_words_say_the_facts_worth_saying(event_type: str, data: dict[str, str], expected: str) -> None:
    assert plain_words(event_type, data) == expected


def test_a_code_without_words_is_said_with_spaces() -> None:
    assert said("agency_left_out") == "agency left out"
    assert said(None) == "not given"
