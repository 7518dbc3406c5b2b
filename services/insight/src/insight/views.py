"""Domain results -> the API's answers."""

from __future__ import annotations

from dataclasses import asdict

from continuum.persistence.child_copy import ChildSummary
from insight.domain import Entry
from insight.results import Chronology
from insight.schemas import ChronologyEntryOut, ChronologyOut


def entry_view(entry: Entry) -> ChronologyEntryOut:
    return ChronologyEntryOut(**asdict(entry))


def chronology_view(result: Chronology) -> ChronologyOut:
    child = ChildSummary.model_validate(result.child, from_attributes=True) if result.child else None
    return ChronologyOut(child=child, items=[entry_view(e) for e in result.entries], next_cursor=result.next_cursor)
