"""OpenAPI examples of the step-down API's requests and answers (each one valid: tests/integration/test_openapi.py)."""

from __future__ import annotations

from typing import Any

STEPDOWN_ID = "3f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
CASE_ID = "6c1d9f12-8e0b-4a55-9c7a-3b2e1d0f4a66"
CHILD_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
STEP_UP_ID = "7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9"
ITEM_ID = "2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901"

HANDOVER: dict[str, Any] = {
    "unmet_needs": "Morning routines; school attendance still below 90%.",
    "what_has_worked": "The domestic abuse programme; weekly visits by someone the child trusts.",
    "proposed_lead_professional": None,
    "same_lead_practitioner": True,
    "family_agreed": True,
}
DECLINE: dict[str, Any] = {"reason": "above_threshold", "detail": "Concerns about neglect remain at child in need level."}
ENGAGEMENT: dict[str, Any] = {"engagement": "partly", "recorded_on": "2026-12-15"}
OUTCOME: dict[str, Any] = {"outcome": "needs_met", "closed_on": "2027-03-01"}
CLOSURE: dict[str, Any] = {"reason_for_closure": "RC7", "closure_date": "2026-11-27", "unmet_need": True}
STEP_UP: dict[str, Any] = {
    "stepdown_id": STEPDOWN_ID,
    "child_id": CHILD_ID,
    "team": None,
    "concerns": "New bruising seen at school.",
    "what_was_tried": "Family support plan; school nurse.",
}
AUDIT_DRAW: dict[str, Any] = {"month": "2026-10"}
FINDING: dict[str, Any] = {
    "rating": "requires_improvement",
    "finding": "The handover named the needs but not who would meet them.",
    "learning": "Name the early help lead before the family is told.",
}

CLOSURE_OUT: dict[str, Any] = {
    "closure_date": "2026-11-27",
    "reason_for_closure": "RC9",
    "unmet_need": True,
    "closed_at": "2026-11-30T10:15:00Z",
}
ACTIONS_OUT: dict[str, Any] = {"total": 5, "done": 4, "in_progress": 1, "not_started": 0, "dropped": 0}
STEPDOWN_OUT: dict[str, Any] = {
    "id": STEPDOWN_ID,
    "case_id": CASE_ID,
    "child_id": CHILD_ID,
    "team": "north",
    "kind": "early_help",
    "trigger": "plan",
    "status": "accepted",
    "referral_date": "2026-04-01",
    "ended_on": "2026-11-27",
    "assessed": True,
    "unmet_need": True,
    "actions": ACTIONS_OUT,
    "lead_practitioner": "sw-alex",
    "receiving_team": "early-help",
    "requested_at": "2026-11-27T09:00:00Z",
    "stepped_down_on": "2026-11-27",
    "response_due": "2026-12-11",
    "handover": HANDOVER,
    "answered_at": "2026-11-30T10:15:00Z",
    "answered_by": "eh-kim",
    "decline_reason": None,
    "decline_detail": None,
    "escalated_at": None,
    "escalation_reason": None,
    "engagement": None,
    "engagement_recorded_on": None,
    "outcome": None,
    "early_help_closed_on": None,
    "closure": CLOSURE_OUT,
    "step_up_id": None,
    "re_referred_on": None,
    "statutory_work": [],
    "reopened_at": None,
    "version": 4,
}
ESCALATION_OUT: dict[str, Any] = {
    "stepdown_id": STEPDOWN_ID,
    "case_id": CASE_ID,
    "child_id": CHILD_ID,
    "team": "north",
    "reason": "unanswered",
    "response_due": "2026-12-11",
    "escalated_at": "2026-12-12T00:01:00Z",
    "status": "pending",
    "version": 3,
}
STEP_UP_OUT: dict[str, Any] = {
    "id": STEP_UP_ID,
    "child_id": CHILD_ID,
    "team": "north",
    "requested_by": "eh-kim",
    "requested_at": "2027-02-01T11:00:00Z",
    "requested_on": "2027-02-01",
    "concerns": "New bruising seen at school.",
    "what_was_tried": "Family support plan; school nurse.",
    "stepdown_id": STEPDOWN_ID,
    "within_12_months_of_step_down": True,
}
AUDIT_ITEM_OUT: dict[str, Any] = {
    "id": ITEM_ID,
    "kind": "stepdown",
    "record_id": STEPDOWN_ID,
    "child_id": CHILD_ID,
    "team": "north",
    "rating": "requires_improvement",
    "finding": FINDING["finding"],
    "learning": FINDING["learning"],
    "reviewed_by": "auditor-lee",
    "reviewed_at": "2026-11-05T14:00:00Z",
    "version": 2,
}
AUDIT_SAMPLE_OUT: dict[str, Any] = {"month": "2026-10", "items": [AUDIT_ITEM_OUT]}
COUNTS: dict[str, Any] = {
    "closures": 774,
    "closures_by_duration": {"under_3_months": 402, "3_to_6_months": 91, "6_to_9_months": 65, "9_months_or_more": 216},
    "closures_with_unmet_need": 224,
    "unmet_need_share": 0.2894,
    "handovers": 230,
    "accepted": 190,
    "declined": 25,
    "acceptance_rate": 0.8837,
    "engagement_recorded": 160,
    "engaged": 104,
    "partly_engaged": 36,
    "engagement_rate": 0.65,
    "step_ups_within_12_months": 14,
    "re_referrals_within_12_months": 31,
}
QUARTER_OUT: dict[str, Any] = {
    "team": "all",
    "quarter": "2026-27 Q1",
    "quarter_start": "2026-04-01",
    "partial": False,
    "counted_from": "2026-04-01",
    "counted_to": "2026-06-30",
    "current": COUNTS,
    "year_before": COUNTS | {"closures": 589, "closures_with_unmet_need": 131, "unmet_need_share": 0.2224},
    "change_percent": {
        "closures": 31.4,
        "unmet_need": 71.0,
        "handovers": 0.0,
        "step_ups_within_12_months": 0.0,
        "re_referrals_within_12_months": 0.0,
    },
}
MEASURES: dict[str, Any] = {"date_from": "2026-04-01", "date_to": "2026-06-30", "quarters": [QUARTER_OUT]}

#: A history import: one child with two closed episodes (the front door's NFA, then RC9 after an assessment).
CLOSURES_IMPORT: dict[str, Any] = {
    "source": "CIN_2019-20_Return.xml",
    "la": "201",
    "children": [
        {
            "la_child_id": "DB-0042",
            "team": "north",
            "episodes": [
                {
                    "referral_date": "2019-05-02",
                    "closure_date": "2019-05-02",
                    "reason_for_closure": "RC8",
                    "referral_nfa": True,
                    "assessed": False,
                    "statutory": False,
                    "unmet_need": None,
                },
                {
                    "referral_date": "2019-09-16",
                    "closure_date": "2019-11-08",
                    "reason_for_closure": "RC9",
                    "referral_nfa": False,
                    "assessed": True,
                    "statutory": False,
                    "unmet_need": None,
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
            "element": "episodes[0].reason_for_closure",
            "reason": "'RC0' is not a census reason for closure (RC1 to RC9)",
        }
    ],
}
