"""The examples the OpenAPI document shows (a test checks each is what the API answers): the dev
stack's example child, as the walk-throughs carry it from referral to step-down."""

from __future__ import annotations

from typing import Any

from continuum.persistence.child_copy import EXAMPLE_CHILD

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
