"""Examples of the referral API's requests and answers, for its OpenAPI document (schemas.py).
They agree with each other: the referral below is the child below's, decided and then corrected."""

from __future__ import annotations

from typing import Any

CHILD: dict[str, Any] = {
    "la_child_id": "DEV000123",
    "given_name": "Sam",
    "family_name": "Example",
    "date_of_birth": "2017-05-04",
    "sex": "M",
    "ethnicity": "WBRI",
    "disabilities": ["NONE"],
    "upn": "B801200005001",
    "nhs_number": "9434765919",
    "address": "1 Example Street, Exampletown",
    "postcode": "EX1 1AA",
}
CHILD_PATCH: dict[str, Any] = {"postcode": "EX2 2BB"}
CHILD_OUT: dict[str, Any] = CHILD | {
    "id": "6f1c2e0a-3b1d-4c39-9a57-1d2b3c4d5e6f",
    "expected_date_of_birth": None,
    "former_upn": None,
    "upn_unknown_reason": None,
    "date_of_death": None,
    "previous_cp_plans_elsewhere": 0,
    "version": 1,
    "census_queries": [],
}

REFERRAL: dict[str, Any] = {
    "child": CHILD,
    "received_at": "2026-11-26T09:30:00Z",
    "source": "6",
    "referrer": {"name": "PC Example", "agency": "Example Constabulary"},
    "concerns": "Police attended a domestic incident at the home overnight; the child was present.",
    "lawful_basis": "public_task_safeguarding_children",
    "suggested_threshold": "child_in_need",
    "team": "north",
}
DECISION: dict[str, Any] = {
    "outcome": "assessment",
    "reasons": "Domestic abuse with the child present; needs a single assessment.",
    "team": "north",
}
CORRECTION: dict[str, Any] = DECISION | {"team": "south", "correction_reason": "The wrong team was recorded."}
QUESTION: dict[str, Any] = {
    "agency": "police",
    "question": "Call-outs to the address in the last year?",
    "due_at": "2026-11-27T16:00:00Z",
}
ANSWER: dict[str, Any] = {"answer": "Two call-outs, both domestic."}

_REFERRAL_ID, _CASE_ID = "0b5e9d1c-1f7a-4d7e-8a43-5f0c2d9e8b11", "3c2a7f40-6a1e-4b8f-9d35-1e2f3a4b5c6d"
DECISION_OUT: dict[str, Any] = DECISION | {
    "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    "decided_by": "manager-1",
    "decided_at": "2026-11-26T14:05:00Z",
    "corrects": None,
    "correction_reason": None,
}
CORRECTION_OUT: dict[str, Any] = CORRECTION | {
    "id": "1d2c3b4a-5f6e-4d7c-9b8a-0f1e2d3c4b5a",
    "decided_by": "manager-1",
    "decided_at": "2026-11-26T15:10:00Z",
    "corrects": DECISION_OUT["id"],
}
QUESTION_OUT: dict[str, Any] = QUESTION | {
    "id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
    "requested_by": "front-door-1",
    "requested_at": "2026-11-26T10:00:00Z",
    "answer": ANSWER["answer"],
    "answered_at": "2026-11-26T13:00:00Z",
    "overdue": False,
}
_DECIDED = {"received_at": "2026-11-26T09:30:00Z", "referral_date": "2026-11-26", "source": "6", "re_referral": False}
REFERRAL_OUT: dict[str, Any] = (
    {k: v for k, v in REFERRAL.items() if k != "child"}
    | _DECIDED
    | {
        "id": _REFERRAL_ID,
        "case_id": _CASE_ID,
        "child": CHILD_OUT,
        "stepped_up_from": None,
        "decision_due_at": "2026-11-27T09:30:00Z",
        "overdue": False,
        "status": "decided",
        "decision": CORRECTION_OUT,
        "decisions": [DECISION_OUT, CORRECTION_OUT],
        "decided_within_one_working_day": True,
        "episode_status": "open",
        "closed_on": None,
        "closure_reason": None,
        "information_requests": [QUESTION_OUT],
        "contacts": [],
        "version": 3,
    }
)
REFERRAL_SUMMARY: dict[str, Any] = _DECIDED | {
    "id": _REFERRAL_ID,
    "case_id": _CASE_ID,
    "child_id": CHILD_OUT["id"],
    "team": "north",
    "status": "decided",
    "outcome": "assessment",
    "allocated_team": "south",
    "episode_status": "open",
    "closed_on": None,
    "version": 3,
}
QUEUE_ITEM: dict[str, Any] = {
    "referral_id": _REFERRAL_ID,
    "case_id": _CASE_ID,
    "child_id": CHILD_OUT["id"],
    "child_name": "Sam Example",
    "received_at": "2026-11-26T09:30:00Z",
    "source": "6",
    "suggested_threshold": "child_in_need",
    "team": "north",
    "re_referral": False,
    "decision_due_at": "2026-11-27T09:30:00Z",
    "overdue": False,
    "open_information_requests": 1,
}
CONTACT_OUT: dict[str, Any] = {
    "id": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
    "case_id": _CASE_ID,
    "referral_id": _REFERRAL_ID,
    "child_id": CHILD_OUT["id"],
    "received_at": "2026-12-01T11:00:00Z",
    "source": "5D",
    "referrer": {"name": "early-help-worker-1", "agency": "Early help"},
    "concerns": "Escalating neglect despite the family plan.",
    "team": "north",
    "stepped_up_from": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
    "recorded_at": "2026-12-01T11:00:02Z",
    "became_referral_id": None,
}
CONTACT_ITEM: dict[str, Any] = CONTACT_OUT | {"child_name": "Sam Example"}

#: A batch of a council's history (decision 59).
IMPORT: dict[str, Any] = {
    "source": "cin_census_2025_26.xml",
    "la": "801",
    "children": [
        {
            "la_child_id": "DEV000123",
            "upn": None,
            "former_upn": None,
            "upn_unknown_reason": "UN1",
            "date_of_birth": "2021-05-04",
            "expected_date_of_birth": None,
            "sex": "M",
            "ethnicity": "WBRI",
            "disabilities": ["NONE"],
            "date_of_death": None,
            "team": "north",
            "episodes": [
                {
                    "referral_date": "2025-10-02",
                    "source": "6",
                    "referral_nfa": False,
                    "decision": "assessment",
                    "current_status": True,
                }
            ],
        }
    ],
}

IMPORT_ANSWER: dict[str, Any] = {
    "dry_run": False,
    "imported": 180,
    "updated": 12,
    "unchanged": 7,
    "problems": [{"la_child_id": "DEV000124", "element": "ethnicity", "reason": "'XXXX' is not a census Ethnicity code"}],
}
