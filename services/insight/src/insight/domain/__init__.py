"""The insight service's rules, pure: what the read model keeps of an event, and a chronology's
entries in plain words."""

from insight.domain.chronology import Entry, entry
from insight.domain.events import CASE_EVENT_TYPES, CASE_TOPICS, SERVICE_OF_TOPIC, TEAM_FIELDS, CaseEvent, case_event
from insight.domain.words import WORDS, plain_words

__all__ = [
    "CASE_EVENT_TYPES",
    "CASE_TOPICS",
    "SERVICE_OF_TOPIC",
    "TEAM_FIELDS",
    "WORDS",
    "CaseEvent",
    "Entry",
    "case_event",
    "entry",
    "plain_words",
]
