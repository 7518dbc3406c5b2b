"""The insight API's answer models: every field described, every string bounded. Instants are UTC."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from continuum.persistence.child_copy import ChildSummary
from continuum.web.requests import RequestModel
from insight import examples


class ChronologyEntryOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.ENTRY_OUT]})

    event_id: uuid.UUID = Field(description="The event's id (its CloudEvents id)")
    occurred_at: datetime = Field(description="When it happened (the event's time)")
    words: str = Field(max_length=300, description="What happened, in plain words")
    event_type: str = Field(max_length=60, description="The event's type, as the contracts name it (docs/events)")
    service: str = Field(max_length=20, description="The service that recorded it: referral, assessment, plan or stepdown")
    case_id: uuid.UUID | None = Field(description="The case (episode) it is of; null for the child's own identity")
    team: str | None = Field(max_length=50, description="The case's team then, when the event names one")


class ChronologyOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CHRONOLOGY_OUT]})

    child: ChildSummary | None = Field(description="The child's identity (null until it arrives from the front door)")
    items: list[ChronologyEntryOut] = Field(description="This page's entries, oldest first")
    next_cursor: str | None = Field(max_length=200, description="Send as `cursor` for the next page; null on the last page")


class StaffMemberIn(RequestModel):
    sub: str = Field(min_length=1, max_length=200, description="The identity provider's subject (the token's `sub`)")
    name: str = Field(min_length=1, max_length=200, description="The name the identity provider gives (the `name` claim)")
    teams: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=50, description="The teams the member belongs to"
    )


class StaffIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.STAFF_IN]})

    staff: list[StaffMemberIn] = Field(
        min_length=1, max_length=5000, description="Members of staff from the identity provider's directory export"
    )


class StaffLoadedOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.STAFF_LOADED]})

    loaded: int = Field(description="How many members of staff the export gave (each recorded; a repeat changes nothing)")
