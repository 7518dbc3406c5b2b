"""The insight service's rules, pure: what the read model keeps of an event, and a chronology's
entries in plain words, and the CIN census file."""

from insight.domain.census import CENSUS_EVENT_TYPES, CensusChild, fold
from insight.domain.census_file import (
    CensusFrame,
    CensusYear,
    Header,
    census_frame,
    census_parts,
    census_xml,
    child_xml,
    in_year,
    missing_identity,
    order_key,
)
from insight.domain.chronology import Entry, entry
from insight.domain.events import (
    CASE_EVENT_TYPES,
    CASE_TOPICS,
    READ_MODEL_CONSUMER,
    SERVICE_OF_TOPIC,
    TEAM_FIELDS,
    CaseEvent,
    case_event,
)
from insight.domain.words import WORDS, plain_words

__all__ = [
    "CASE_EVENT_TYPES",
    "CASE_TOPICS",
    "CENSUS_EVENT_TYPES",
    "READ_MODEL_CONSUMER",
    "SERVICE_OF_TOPIC",
    "TEAM_FIELDS",
    "WORDS",
    "CaseEvent",
    "CensusChild",
    "CensusFrame",
    "CensusYear",
    "Entry",
    "Header",
    "case_event",
    "census_frame",
    "census_parts",
    "census_xml",
    "child_xml",
    "entry",
    "fold",
    "in_year",
    "missing_identity",
    "order_key",
    "plain_words",
]
