"""Domain results -> the API's answers (JSON models and CSV text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from continuum.contracts import PartnerStatus
from partners.domain.policy import Agency, PartnersPolicy
from partners.repository import Listed, LogEntry
from partners.schemas import AgenciesOut, AgencyOut, LawfulBasisOut, SharingLogEntryOut, SharingLogPage

CSV_HEADER = [
    "decided_at",
    "agency",
    "status",
    "since",
    "decision",
    "nhs_number",
    "child_id",
    "lawful_basis",
    "source_service",
    "source_event_id",
    "id",
]


def entry_view(entry: LogEntry) -> SharingLogEntryOut:
    return SharingLogEntryOut(
        id=entry.id,
        decided_at=entry.decided_at,
        agency=entry.agency_id,
        status=entry.status,
        since=entry.since,
        decision=entry.decision,
        nhs_number=entry.nhs_number,
        child_id=entry.child_id,
        lawful_basis=entry.lawful_basis,
        source_service=entry.source_service,
        source_event_id=entry.source_event_id,
    )


def page_view(listed: Listed) -> SharingLogPage:
    return SharingLogPage(items=[entry_view(e) for e in listed.items], next_cursor=listed.next_cursor)


def log_csv(entries: Sequence[LogEntry]) -> str:
    """The rows as CSV, a header first. A cell is never read as a formula (none starts with =, +, - or @:
    every value is an id, a code, a date or the council's own basis text)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in entries:
        writer.writerow(
            [
                e.decided_at.isoformat(),
                e.agency_id,
                e.status.value,
                e.since.isoformat(),
                e.decision.value,
                e.nhs_number or "",
                str(e.child_id) if e.child_id else "",
                e.lawful_basis,
                e.source_service,
                str(e.source_event_id),
                str(e.id),
            ]
        )
    return out.getvalue()


def _agency_view(agency: Agency) -> AgencyOut:
    basis = agency.lawful_basis
    return AgencyOut(
        id=agency.id,
        name=agency.name,
        statuses=[s for s in PartnerStatus if s in agency.statuses],
        lawful_basis=LawfulBasisOut(article_6=basis.article_6, article_9=basis.article_9, dpa_2018=basis.dpa_2018),
        contact=agency.contact,
        topic=agency.topic,
    )


def agencies_view(policy: PartnersPolicy) -> AgenciesOut:
    return AgenciesOut(items=[_agency_view(a) for a in policy.agencies])
