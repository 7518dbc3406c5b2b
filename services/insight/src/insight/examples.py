"""The examples the OpenAPI document shows (a test checks each is what the API answers): the dev
stack's example child, as the walk-throughs carry it from referral to step-down."""

from __future__ import annotations

from typing import Any

from continuum.persistence.child_copy import EXAMPLE_CHILD
from continuum.web.history import ENVELOPE_EXAMPLE

ENTRY_OUT: dict[str, Any] = {
    "event_id": "0b9e8a7c-3c55-4c1f-9a0e-6e1f2d3c4b5a",
    "occurred_at": "2026-11-02T09:14:03Z",
    "words": "Referral received from the police",
    "event_type": "referral.received",
    "service": "referral",
    "case_id": "5d41f0c2-8f1e-4b8e-9d3a-2c7b6a5e4f31",
    "team": "north",
}

CHRONOLOGY_OUT: dict[str, Any] = {
    "child": EXAMPLE_CHILD.model_dump(mode="json"),
    "items": [
        ENTRY_OUT,
        ENTRY_OUT
        | {
            "event_id": "7a6b5c4d-1e2f-4a3b-8c9d-0e1f2a3b4c5d",
            "occurred_at": "2026-11-03T11:02:40Z",
            "words": "Referral decision made: a single assessment",
            "event_type": "referral.decided",
        },
    ],
    "next_cursor": None,
}

STAFF_IN: dict[str, Any] = {
    "staff": [
        {"sub": "sw-alex", "name": "Alex Morgan", "teams": ["north"]},
        {"sub": "manager-kim", "name": "Kim Patel", "teams": ["north", "south"]},
    ]
}

STAFF_LOADED: dict[str, Any] = {"loaded": 2}

FIGURE_OUT: dict[str, Any] = {"value": 42, "year_before": 35, "change": 7, "change_percent": 20.0}

TEAM_MEASURES_OUT: dict[str, Any] = {
    "team": "north",
    "figures": {
        "referrals": FIGURE_OUT,
        "assessments_within_45_working_days": {"value": 0.8571, "year_before": 0.9, "change": -0.0429, "change_percent": -4.8},
        "cp_plans_open": {"value": 12, "year_before": 0, "change": 12, "change_percent": None},
    },
}

PERIOD_OUT: dict[str, Any] = {
    "date_from": "2026-04-01",
    "date_to": "2026-06-30",
    "name": "2026-27 Q1",
    "as_at": "2026-12-05",
    "counted_to": "2026-06-30",
    "partial": False,
    "not_over": False,
    "not_covered": False,
    "year_before_from": "2025-04-01",
    "year_before_to": "2025-06-30",
    "year_before_not_covered": False,
}

MEASURES_OUT: dict[str, Any] = {
    "period": PERIOD_OUT,
    "total": TEAM_MEASURES_OUT | {"team": "all"},
    "by_team": [TEAM_MEASURES_OUT],
    "not_measured": {"plan_action_quality": "no event carries the actions' quality on the five criteria"},
}

REPLAY_IN: dict[str, Any] = {"events": [ENVELOPE_EXAMPLE]}

REPLAYED_OUT: dict[str, Any] = {"received": 500, "recorded": 120, "duplicates": 376, "skipped": 4, "refused": 0}

EMPTIED_OUT: dict[str, Any] = {"case_events": 48211, "episodes": 5120, "child_teams": 3987, "children": 4012, "inbox": 48211}
