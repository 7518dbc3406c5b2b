"""OpenAPI examples of the assessment API's requests and answers (each one valid: tests/integration/test_openapi.py)."""

from __future__ import annotations

from typing import Any

from continuum.persistence.child_copy import EXAMPLE_CHILD

ASSESSMENT_ID = "0f7a2f0c-2d3e-4b4b-8a59-0a4c7f1e2b33"
CASE_ID = "6c1d9f12-8e0b-4a55-9c7a-3b2e1d0f4a66"
REFERRAL_ID = "1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a"
CHILD_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
SECTION47_ID = "5b0c3f0e-4a57-4a8e-9a43-8f1f2a6c9b10"

#: The example child, built through the answer's own model so that it stays a valid ChildSummary.
CHILD: dict[str, Any] = EXAMPLE_CHILD.model_dump(mode="json")

ALLOCATION: dict[str, Any] = {"lead_practitioner": "sw-alex", "lead_practitioner_role": "social_worker"}

RECORD: dict[str, Any] = {
    "start_date": "2026-11-23",
    "child_seen_date": "2026-11-24",
    "child_seen_alone": True,
    "factors": ["3A", "3B", "4B"],
    "primary_need": "N1",
    "specialist_assessments": [
        {"kind": "gcp2", "date": "2026-11-25", "completed_by": "sw-alex", "score_or_summary": "Level 3 in 2 of 5 areas"}
    ],
    "recommendation": "cin_plan",
    "recommendation_summary": "Domestic abuse in the home affects the child; a CIN plan with DA support is needed.",
}

RETURN: dict[str, Any] = {"reasons": "The child's views are missing; see them alone first."}
AUTHORISATION: dict[str, Any] = {"authorisation_date": "2026-11-27", "outcome": "cin_plan"}
SECTION47_START: dict[str, Any] = {"strategy_discussion_date": "2026-11-23", "start_date": "2026-11-23"}
SECTION47_CONCLUSIONS: list[dict[str, Any]] = [
    {"icpc_date": "2026-12-11", "outcome": "cp_plan"},
    {"icpc_not_required": True, "outcome": "no_cp_plan"},
]

SECTION47_OUT: dict[str, Any] = {
    "id": SECTION47_ID,
    "assessment_id": ASSESSMENT_ID,
    "case_id": CASE_ID,
    "child_id": CHILD_ID,
    "team": "north",
    "status": "started",
    "strategy_discussion_date": "2026-11-23",
    "start_date": "2026-11-23",
    "icpc_target_date": "2026-12-14",
    "icpc_date": None,
    "icpc_not_required": None,
    "outcome": None,
    "withdrawn_at": None,
    "version": 2,
}

ASSESSMENT_OUT: dict[str, Any] = {
    "id": ASSESSMENT_ID,
    "case_id": CASE_ID,
    "referral_id": REFERRAL_ID,
    "escalated_from_plan_id": None,
    "child_id": CHILD_ID,
    "child": CHILD,
    "team": "north",
    "route": "section47",
    "status": "in_progress",
    "referral_date": "2026-11-20",
    "due_date": "2027-01-27",
    "working_days_left": 40,
    "overdue": False,
    "lead_practitioner": "sw-alex",
    "lead_practitioner_role": "social_worker",
    "reallocation_required": False,
    "reallocation_reason": None,
    "start_date": "2026-11-23",
    "child_seen_date": None,
    "child_seen_alone": None,
    "factors": [],
    "primary_need": None,
    "specialist_assessments": [],
    "recommendation": None,
    "recommendation_summary": None,
    "submitted_at": None,
    "outcome": None,
    "authorisation_date": None,
    "authorised_by": None,
    "closure_date": None,
    "closure_reason": None,
    "allocations": [
        {
            "lead_practitioner": "sw-alex",
            "lead_practitioner_role": "social_worker",
            "previous_lead_practitioner": None,
            "reason": None,
            "allocated_by": "manager-north",
            "allocated_at": "2026-11-23T09:12:00Z",
        }
    ],
    "returns": [],
    "section47": SECTION47_OUT,
    "version": 3,
}

SUMMARY: dict[str, Any] = {
    "assessment_id": ASSESSMENT_ID,
    "case_id": CASE_ID,
    "referral_id": REFERRAL_ID,
    "escalated_from_plan_id": None,
    "child_id": CHILD_ID,
    "team": "north",
    "route": "section17",
    "status": "in_progress",
    "lead_practitioner": "sw-alex",
    "reallocation_required": False,
    "referral_date": "2026-11-26",
    "due_date": "2027-02-02",
    "outcome": None,
    "authorisation_date": None,
    "version": 2,
}

WORKLIST_ITEM: dict[str, Any] = {
    "assessment_id": ASSESSMENT_ID,
    "case_id": CASE_ID,
    "child_id": CHILD_ID,
    "child_name": "Sam Example",
    "team": "north",
    "route": "section47",
    "status": "in_progress",
    "lead_practitioner": "fsp-jo",
    "reallocation_required": True,
    "referral_date": "2026-11-20",
    "due_date": "2027-01-27",
    "working_days_left": 40,
    "overdue": False,
}

MEASURES: dict[str, Any] = {
    "date_from": "2026-04-01",
    "date_to": "2027-03-31",
    "completed": 3,
    "median_working_days": 45.0,
    "median_working_days_from_start": 44.0,
    "within_45_working_days": 0.6667,
    "outcomes": {"nfa": 1, "early_help": 1, "cin_plan": 1, "child_protection": 0},
    "by_team": [],
}

#: A history import: a child with a closed episode (assessed, a section 47 without a conference) and an
#: open one (its assessment not authorised yet: the episode's current stage).
ASSESSMENTS_IMPORT: dict[str, Any] = {
    "source": "CIN_2025-26_Return.xml",
    "la": "201",
    "children": [
        {
            "la_child_id": "DB-0042",
            "team": "north",
            "episodes": [
                {
                    "referral_date": "2024-05-02",
                    "primary_need": "N2",
                    "assessments": [
                        {
                            "start": "2024-05-03",
                            "authorised": "2024-06-14",
                            "factors": ["2B", "3A"],
                            "outcome": "early_help",
                            "current_status": False,
                        }
                    ],
                    "section47s": [
                        {
                            "start": "2024-05-03",
                            "icpc_target": "2024-05-24",
                            "icpc": None,
                            "icpc_not_required": True,
                            "current_status": False,
                        }
                    ],
                },
                {
                    "referral_date": "2026-02-16",
                    "primary_need": None,
                    "assessments": [
                        {"start": "2026-02-18", "authorised": None, "factors": [], "outcome": None, "current_status": True}
                    ],
                    "section47s": [],
                },
            ],
        }
    ],
}
IMPORT_ANSWER: dict[str, Any] = {
    "dry_run": False,
    "imported": 1,
    "updated": 0,
    "unchanged": 0,
    "problems": [
        {
            "la_child_id": "DB-0077",
            "element": "episodes[0].assessments[0].authorised",
            "reason": "is before the assessment's start date 2024-05-03",
        }
    ],
}
