"""The partners API's response models: every field described. Dates are London calendar dates;
instants are UTC."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from continuum.contracts import PartnerStatus
from continuum.web.pagination import Page
from partners.domain import Decision

LOG_EXAMPLE: dict[str, Any] = {
    "id": "0b8f8f0e-6c0e-5d5c-9d6c-3f4b8f4f3c11",
    "decided_at": "2026-11-02T10:15:00Z",
    "agency": "police",
    "status": "cin_plan",
    "since": "2026-11-02",
    "decision": "shared",
    "nhs_number": "9434765919",
    "child_id": None,
    "lawful_basis": "UK GDPR Art. 6(1)(e) public task; Art. 9(2)(g) substantial public interest; DPA 2018 Schedule 1"
    " paragraph 18, safeguarding of children and individuals at risk",
    "source_service": "plan",
    "source_event_id": "5d7e2a52-0f8a-4c89-9b8e-2f8b1c2d9e01",
}


class SharingLogEntryOut(BaseModel):
    """One decision to share a status with an agency, or not."""

    model_config = ConfigDict(json_schema_extra={"examples": [LOG_EXAMPLE]})

    id: uuid.UUID = Field(description="The row's id: the id of the partner.status event sent, when shared")
    decided_at: datetime = Field(description="When the gateway decided")
    agency: str = Field(description="The agency's id in the council policy")
    status: PartnerStatus = Field(description="The status decided about")
    since: date = Field(description="The London date the status began")
    decision: Decision = Field(
        description="shared; or why not: not_subscribed, superseded (older than the status the agency holds),"
        " no_nhs_number (restricted is reserved)"
    )
    nhs_number: str | None = Field(description="The child's NHS number (none when withheld for want of one)")
    child_id: uuid.UUID | None = Field(description="The child's id, when the status was withheld for want of an NHS number")
    lawful_basis: str = Field(description="The agency's lawful basis as configured when decided")
    source_service: str = Field(description="The service that decided the status (who decided)")
    source_event_id: uuid.UUID = Field(description="The id of the status event the decision was about")


SharingLogPage = Page[SharingLogEntryOut]


class LawfulBasisOut(BaseModel):
    article_6: str = Field(description="UK GDPR Article 6(1) condition")
    article_9: str = Field(description="UK GDPR Article 9(2) condition")
    dpa_2018: str = Field(description="Data Protection Act 2018 Schedule 1 condition")


class AgencyOut(BaseModel):
    """One agency's subscription, as the council policy configures it."""

    id: str = Field(description="The agency's id")
    name: str = Field(description="The agency's name")
    statuses: list[PartnerStatus] = Field(description="The statuses it receives")
    lawful_basis: LawfulBasisOut = Field(description="Why the council may tell it")
    contact: str = Field(description="Who at the agency answers for the feed")
    topic: str = Field(description="Its own topic (compacted, keyed by NHS number)")


class AgenciesOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": "school",
                            "name": "Schools (designated safeguarding leads)",
                            "statuses": ["cin_plan", "cp_plan", "closed"],
                            "lawful_basis": {
                                "article_6": "6(1)(e) public task",
                                "article_9": "9(2)(g) substantial public interest",
                                "dpa_2018": "Schedule 1 paragraph 18, safeguarding of children and individuals at risk",
                            },
                            "contact": "dsl-network@example.gov.uk",
                            "topic": "continuum.partner.school",
                        }
                    ]
                }
            ]
        }
    )

    items: list[AgencyOut] = Field(description="Every agency of the council policy's partners section")
