"""OpenAPI examples of the plan API's requests and answers (each one valid: tests/integration/test_plan_openapi.py)."""

from __future__ import annotations

from typing import Any

from continuum.persistence.child_copy import EXAMPLE_CHILD

PLAN_ID = "3e5a1b7c-9d2f-4c6e-8a1b-2c3d4e5f6a7b"
CASE_ID = "6c1d9f12-8e0b-4a55-9c7a-3b2e1d0f4a66"
CHILD_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
ASSESSMENT_ID = "0f7a2f0c-2d3e-4b4b-8a59-0a4c7f1e2b33"
ACTION_ID = "7b1e2d3c-4f5a-4b6c-9d7e-8f9a0b1c2d3e"
MEETING_ID = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
INTERVENTION_ID = "5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f"

CONTENT: dict[str, Any] = {
    "worries": "Arguments at home frighten Sam, and Sam has missed school.",
    "working_well": "Sam's grandmother visits every weekend and Sam trusts her.",
    "outcomes_for_child": "Sam feels safe at home and goes to school every day.",
    "expectations_of_parents": "No arguments in front of Sam; both parents attend the domestic abuse programme.",
    "exit_criteria": "Three months with no police call-outs and school attendance above 95%.",
}
EDIT: dict[str, Any] = {
    "content": CONTENT,
    "agencies_involved": ["school", "probation", "adult_mental_health"],
    "family": {
        "network": [{"name": "Pat Example", "relationship": "Grandmother", "support": "Has Sam every weekend"}],
        "fgdm_meetings": [{"offered_on": "2026-11-30", "held_on": "2026-12-07", "declined": False}],
        "family_plan": "Grandma will have Sam after school on Tuesdays and Thursdays.",
    },
}
ACTION: dict[str, Any] = {
    "description": "Attend the 12-week domestic abuse programme at the family centre",
    "owner": {"person": "Jo Example (father)", "agency": "family"},
    "success_measure": "Attends at least 10 of the 12 weekly sessions",
    "due_date": "2027-02-26",
}
ACTION_CHANGE: dict[str, Any] = {"progress": "in_progress", "note": "Attended the first 3 sessions."}
APPROVAL: dict[str, Any] = {"start_date": "2026-11-30"}
STRATEGY_DISCUSSION: dict[str, Any] = {"date": "2027-01-20"}
REVIEW: dict[str, Any] = {
    "review_date": "2027-01-11",
    "progress": [{"action_id": ACTION_ID, "progress": "in_progress", "note": "6 of 12 sessions attended"}],
    "decision": "continue",
    "exit_criteria_met": False,
    "concerns_remain": True,
    "summary": "Good progress; school attendance up to 90%.",
}
VISIT: dict[str, Any] = {"planned_date": "2026-12-14", "visit_date": "2026-12-14", "child_seen": True, "seen_alone": True}
MEETING: dict[str, Any] = {
    "kind": "cin_meeting",
    "meeting_date": "2026-12-21",
    "invitees": [
        {"agency": "family", "name": "Jo Example"},
        {"agency": "school", "name": "Designated safeguarding lead"},
        {"agency": "probation", "name": "Probation officer"},
        {"agency": "adult_mental_health", "name": "Community psychiatric nurse"},
    ],
}
ATTENDANCE: dict[str, Any] = {"attended": [True, True, False, True]}
INTERVENTION: dict[str, Any] = {
    "name": "12-week intensive home-based family programme",
    "provider": "Example Family Support Service",
    "start_date": "2026-12-01",
    "planned_end_date": "2027-02-23",
    "scale": "Family Star Plus",
    "score_before": 3.5,
}
INTERVENTION_OUTCOME: dict[str, Any] = {"actual_end_date": "2027-02-23", "score_after": 7.0}
PREPROCEEDINGS_ID = "8c7d6e5f-4a3b-4c2d-9e1f-0a9b8c7d6e5f"
PP_START: dict[str, Any] = {"case_id": CASE_ID, "start_date": "2027-01-04"}
PP_RECORD: dict[str, Any] = {
    "letter_before_proceedings_date": "2027-01-05",
    "fgdm_offered": True,
    "fgdm_held": True,
    "initial_meeting_date": "2027-01-12",
    "review_meeting_dates": ["2027-02-09"],
}
PP_DECISION: dict[str, Any] = {
    "decision": "issue_proceedings",
    "decision_date": "2027-03-09",
    "court_application_date": "2027-03-11",
}
CARE_PROCEEDINGS_LETTER: dict[str, Any] = {"letter_date": "2027-03-12"}
PREPROCEEDINGS_OUT: dict[str, Any] = {
    "id": PREPROCEEDINGS_ID,
    "case_id": CASE_ID,
    "child_id": CHILD_ID,
    "team": "north",
    "plan_id": PLAN_ID,
    "start_date": "2027-01-04",
    **PP_RECORD,
    "review_meetings": 1,
    "decision": "issue_proceedings",
    "decision_date": "2027-03-09",
    "census_outcome": "A",
    "court_application_date": "2027-03-11",
    "letter_initiating_proceedings_date": "2027-03-12",
    "fgdm_exception_reason": None,
    "version": 4,
}
ENDING: dict[str, Any] = {
    "end_date": "2027-03-01",
    "reason": "The exit criteria are met: no call-outs since December and attendance at 97%.",
    "unmet_need": False,
    "next_step": "step_down_early_help",
    "actions": [{"action_id": ACTION_ID, "progress": "done", "note": "Completed the programme."}],
}

QUALITY: dict[str, Any] = {
    "actions": 1,
    "meeting_all_five": 1,
    "share_all_five": 1.0,
    "actionable": 1,
    "measurable": 1,
    "owned": 1,
    "success_measure": 1,
    "timeframe": 1,
}
VERSION: dict[str, Any] = {
    "version": 3,
    "change": "plan.approve",
    "changed_by": "manager-north",
    "changed_at": "2026-11-30T09:00:00Z",
    "quality": QUALITY,
}
REVIEW_OUT: dict[str, Any] = {
    "number": 1,
    "review_date": "2027-01-11",
    "due_date": "2027-01-11",
    "on_time": True,
    "decision": "continue",
    "exit_criteria_met": False,
    "concerns_remain": True,
    "progressed": True,
    "summary": "Good progress; school attendance up to 90%.",
    "reviewed_by": "sw-alex",
}
VISIT_OUT: dict[str, Any] = {
    "planned_date": "2026-12-14",
    "visit_date": "2026-12-14",
    "child_seen": True,
    "seen_alone": True,
    "reason_not_seen": None,
    "within_frequency": True,
    "recorded_by": "sw-alex",
}
MEETING_OUT: dict[str, Any] = {
    "id": MEETING_ID,
    "kind": "cin_meeting",
    "meeting_date": "2026-12-21",
    "invitees": [{"agency": "family", "name": "Jo Example", "attended": None}],
    "agencies_left_out": ["probation", "school"],
}
#: The child's identity as an answer carries it: built as the kernel's ChildSummary, so it is one.
CHILD: dict[str, Any] = EXAMPLE_CHILD.model_dump(mode="json")
PLAN_OUT: dict[str, Any] = {
    "id": PLAN_ID,
    "case_id": CASE_ID,
    "child_id": CHILD_ID,
    "child": CHILD,
    "team": "north",
    "plan_type": "cin",
    "status": "active",
    "drafted_from": "assessment",
    "drafted_at": "2026-11-27T10:00:00Z",
    "assessment_id": ASSESSMENT_ID,
    "section47_id": None,
    "conference_date": None,
    "lead_practitioner": "sw-alex",
    "factors": ["3A", "3B"],
    "primary_need": "N1",
    "initial_category_of_abuse": None,
    "latest_category_of_abuse": None,
    "content": CONTENT,
    "agencies_involved": ["family", "probation", "school"],
    "actions": [
        {
            "id": ACTION_ID,
            "description": ACTION["description"],
            "owner_person": "Jo Example (father)",
            "owner_agency": "family",
            "success_measure": ACTION["success_measure"],
            "due_date": "2027-02-26",
            "progress": "in_progress",
            "note": "Attended the first 3 sessions.",
            "actionable": True,
            "measurable": True,
            "owned": True,
            "has_success_measure": True,
            "has_timeframe": True,
        }
    ],
    "quality": QUALITY,
    "family": EDIT["family"],
    "interventions": [
        {
            "id": INTERVENTION_ID,
            **{k: v for k, v in INTERVENTION.items()},
            "actual_end_date": None,
            "score_after": None,
            "change": None,
        }
    ],
    "start_date": "2026-11-30",
    "approved_by": "manager-north",
    "previous_cp_plans": None,
    "strategy_discussions": [],
    "next_review_due": "2027-01-11",
    "child_last_seen": "2026-12-14",
    "child_last_seen_alone": "2026-12-14",
    "next_visit_due": "2027-01-11",
    "ending": None,
    "drift": [],
    "could_close": None,
    "versions": [VERSION],
    "reviews": [],
    "visits": [VISIT_OUT],
    "meetings": [MEETING_OUT],
    "history": {
        "versions": {
            "count": 6,
            "href": f"/v1/plans/{PLAN_ID}/versions",
            "next_cursor": "MjAyNi0xMS0zMFQwOTowMDowMCswMDowMHwwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDM=",
        },
        "reviews": {"count": 0, "href": f"/v1/plans/{PLAN_ID}/reviews", "next_cursor": None},
        "visits": {"count": 1, "href": f"/v1/plans/{PLAN_ID}/visits", "next_cursor": None},
        "meetings": {"count": 1, "href": f"/v1/plans/{PLAN_ID}/meetings", "next_cursor": None},
    },
    "version": 6,
}
SUMMARY: dict[str, Any] = {
    "plan_id": PLAN_ID,
    "case_id": CASE_ID,
    "child_id": CHILD_ID,
    "team": "north",
    "plan_type": "cin",
    "status": "active",
    "start_date": "2026-11-30",
    "end_date": None,
    "child_last_seen": "2026-12-14",
    "next_review_due": "2027-01-11",
    "version": 6,
}
WORKLIST_ITEM: dict[str, Any] = {
    "plan_id": PLAN_ID,
    "case_id": CASE_ID,
    "child_id": CHILD_ID,
    "child_name": "Sam Example",
    "team": "north",
    "plan_type": "cin",
    "start_date": "2026-11-30",
    "next_review_due": "2027-01-11",
    "needs_attention_since": "2027-01-12",
    "drift": [{"kind": "review_overdue", "key": "2027-01-11", "since": "2027-01-12"}],
    "could_close": {
        "reasons": ["every action done"],
        "next_step": "step_down_early_help",
        "since": "2026-11-30",
    },
}


#: A batch for the import path (decision 59): one child with an open CIN plan after a CP plan.
PLAN_IMPORT: dict[str, Any] = {
    "source": "cin_census_2025-26.xml",
    "la": "201",
    "children": [
        {
            "la_child_id": "DfEX0000001",
            "team": "north",
            "episodes": [
                {
                    "referral_date": "2025-04-02",
                    "cin_plans": [{"start": "2025-10-20", "end": None, "reviews": [], "current_status": True}],
                    "cp_plans": [
                        {
                            "start": "2025-05-12",
                            "end": "2025-10-20",
                            "next_step": "step_down_cin",
                            "initial_category": "NEG",
                            "latest_category": "EMO",
                            "previous_plans": 0,
                            "reviews": ["2025-08-11"],
                        }
                    ],
                    "preproceedings": [],
                }
            ],
        }
    ],
}

IMPORT_ANSWER: dict[str, Any] = {"dry_run": False, "imported": 1, "updated": 0, "unchanged": 0, "problems": []}
