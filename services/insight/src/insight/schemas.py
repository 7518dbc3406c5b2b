"""The insight API's answer models: every field described, every string bounded. Instants are UTC."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

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


class FigureOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.FIGURE_OUT]})

    value: int | float | None = Field(
        description="The period's figure (a count, a share 0 to 1, or a median); null: nothing to count"
    )
    year_before: int | float | None = Field(description="The same figure over the same days a year before")
    change: int | float | None = Field(description="value less year_before (null if either is null)")
    change_percent: float | None = Field(description="The change in percent of the year before (null when that was 0 or null)")


class TeamMeasuresOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.TEAM_MEASURES_OUT]})

    team: str = Field(max_length=50, description="A team, or `all` for the total of the teams counted")
    figures: dict[str, FigureOut] = Field(description="Every figure by name (docs/decisions/52-insight-measures.md defines each)")


class PeriodOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.PERIOD_OUT]})

    date_from: date = Field(description="The period's first London date")
    date_to: date = Field(description="The period's last London date")
    name: str | None = Field(max_length=20, description="The named period asked for (2026-27 Q1, 2026-27, 2026), if one was")
    as_at: date = Field(description="The day the figures are as at (today)")
    counted_to: date = Field(description="The last day counted: date_to, or as_at if the period is not over")
    partial: bool = Field(description="Not the whole period's figures: it is not over, or the read model does not cover it all")
    not_over: bool = Field(description="The period ends after as_at: counted to as_at, and the year before to the same day")
    not_covered: bool = Field(description="The read model's first event is after date_from: earlier facts are missing")
    year_before_from: date = Field(description="The first day of the same period a year before")
    year_before_to: date = Field(description="The last day counted of the same period a year before")
    year_before_not_covered: bool = Field(description="The read model's first event is after year_before_from")


class MeasuresOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.MEASURES_OUT]})

    period: PeriodOut = Field(description="The days counted, and whether the figures are the whole period's")
    total: TeamMeasuresOut = Field(description="Every team counted together (team `all`)")
    by_team: list[TeamMeasuresOut] = Field(description="Each team's figures, in team order")
    not_measured: dict[str, str] = Field(description="Figures asked for that no event carries yet, and what is missing")


#: At most this many events in one replay (a page of ``GET /v1/history`` at its default size).
MAX_REPLAY = 500


class ReplayIn(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPLAY_IN]})

    events: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_REPLAY,
        description="Events as a service's GET /v1/history answers them: each its envelope as published (docs/events)",
    )


class ReplayedOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REPLAYED_OUT]})

    received: int = Field(description="Events in the batch")
    recorded: int = Field(description="Events the read model did not have, recorded now")
    duplicates: int = Field(description="Events the read model had already (from the broker or an earlier replay): unchanged")
    skipped: int = Field(description="Events the read model does not take (the partner-status topic, a type not known yet)")
    refused: int = Field(description="Events its rules refuse (the broker's consumer dead-letters them: an unknown team)")


class EmptiedOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.EMPTIED_OUT]})

    case_events: int = Field(description="Events deleted from the read model")
    episodes: int = Field(description="Cases' children deleted")
    child_teams: int = Field(description="Children's teams deleted")
    children: int = Field(description="Copies of children's identities deleted")
    inbox: int = Field(description="Event ids the read model's consumer had handled, forgotten (so a replay records them again)")
