"""The dashboard's worklists (what needs action today): assessments past their due date, plans
with a drift finding, handovers to early help unanswered; corrections and endings take an item
off; counts by team, the oldest by case id only, each case listed audited.

Dated in 1971, before anything else of the tests, so these items are the oldest of team north's
whatever else the session's database holds; counts are compared before and after."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from census_journeys import Child, Episode
from insight_support import Cases, case_closed, wrap

from continuum.contracts.assessment import AssessmentOpened, AssessmentRoute, AssessmentWithdrawn
from continuum_tools.testing.suites import audit_rows, call

D = date
LOCAL = "http://127.0.0.1"


def opened(case_id: uuid.UUID, child_id: uuid.UUID, due: date, team: str = "north") -> tuple[Any, uuid.UUID]:
    at = datetime.combine(due - timedelta(days=63), datetime.min.time(), tzinfo=UTC)
    assessment_id = uuid.uuid4()
    data = AssessmentOpened(
        assessment_id=assessment_id,
        case_id=case_id,
        child_id=child_id,
        referral_id=uuid.uuid4(),
        referral_date=at.date(),
        due_date=due,
        team=team,
        route=AssessmentRoute.SECTION17,
        section47_id=None,
        opened_at=at,
    )
    return wrap(data, "assessment", case_id, at=at), assessment_id


def withdrawn(case_id: uuid.UUID, child_id: uuid.UUID, assessment_id: uuid.UUID, at: datetime) -> Any:
    data = AssessmentWithdrawn(assessment_id=assessment_id, case_id=case_id, child_id=child_id, team="north", withdrawn_at=at)
    return wrap(data, "assessment", case_id, at=at)


async def worklists(
    app: Any, role: str = "performance", member_of: str = "", **params: str
) -> tuple[dict[str, int], list[str], str]:
    """Each worklist's count, the case ids shown, and the request id of the page."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=LOCAL) as client:
        form = {"role": role, "team": member_of, "sub": f"worklist-{role}", "next": "/dashboard"}
        await client.post("/dashboard/dev-sign-in", data=form, headers={"Origin": LOCAL})
        page = await call(client, "GET", "/dashboard", params=params)
    assert page.status_code == 200, page.text[:500]
    counts = {m[0]: int(m[1]) for m in re.findall(r'data-worklist="(\w+)" data-count="(\d+)"', page.text)}
    return counts, re.findall(r'data-case="([0-9a-f-]+)"', page.text), page.request.headers["X-Request-ID"]


async def test_what_waits_is_listed_and_what_is_done_is_not(insight_app: Any, cases: Cases) -> None:
    before, _, _ = await worklists(insight_app, team="north")
    child = Child().registered(D(1970, 6, 1))
    # Assessments: one past its due date (listed), one withdrawn, one on a closed case, one not yet due.
    late, done, closed, not_due = (uuid.uuid4() for _ in range(4))
    late_event, _ = opened(late, child.child_id, D(1971, 3, 1))
    done_event, done_id = opened(done, child.child_id, D(1971, 3, 2))
    closed_event, _ = opened(closed, child.child_id, D(1971, 3, 3))
    not_due_event, _ = opened(not_due, child.child_id, D(2099, 1, 1))
    # Plans: one drifting (listed), one drifting and since ended.
    drifting = Episode(child, team="north").referred(D(1971, 1, 4), "assessment")
    plan = drifting.plan("cin", D(1971, 1, 5))
    drifting.drift(plan, D(1971, 2, 1))
    ended = Episode(child, team="north").referred(D(1971, 1, 4), "assessment")
    ended_plan = ended.plan("cin", D(1971, 1, 5))
    ended.drift(ended_plan, D(1971, 2, 1)).plan_ended(ended_plan, "cin", D(1971, 1, 5), D(1971, 2, 10), "close")
    # Handovers: one unanswered (listed), one accepted.
    waiting = Episode(child, team="north").referred(D(1971, 1, 4), "early_help")
    waiting.handover(D(1971, 1, 6), answer=None)
    answered = Episode(child, team="north").referred(D(1971, 1, 4), "early_help")
    answered.handover(D(1971, 1, 6), answer="accepted", on=D(1971, 1, 7))
    when = datetime(1971, 3, 5, 9, tzinfo=UTC)
    await cases.deliver_all(
        [*child.events, late_event, done_event, closed_event, not_due_event, withdrawn(done, child.child_id, done_id, when)]
    )
    await cases.deliver(case_closed(case_id=closed, child_id=child.child_id, at=when))

    try:
        after, shown, request_id = await worklists(insight_app, team="north")
        assert after == {
            "assessments_overdue": before["assessments_overdue"] + 1,
            "plans_drifting": before["plans_drifting"] + 1,
            "handovers_waiting": before["handovers_waiting"] + 1,
        }
        # The oldest first: ours lead each list, and nothing done is shown.
        assert str(late) in shown and str(drifting.case_id) in shown and str(waiting.case_id) in shown
        for gone in (done, closed, not_due, ended.case_id, answered.case_id):
            assert str(gone) not in shown
        # Each case shown is audited as read for the worklist; no child is named on the page.
        rows = await audit_rows(cases, request_id)
        assert {r["subject_id"] for r in rows if r["subject_type"] == "case"} == set(shown)

        # Another team's manager sees none of them; a manager of north sees them.
        _, south, _ = await worklists(insight_app, role="manager", member_of="south")
        assert not {str(late), str(drifting.case_id), str(waiting.case_id)} & set(south)
        _, north, _ = await worklists(insight_app, role="manager", member_of="north")
        assert str(late) in north

    finally:
        # Nothing of this test stays open to be counted by the others (a plan open since 1971
        # would be open in every period they measure; an open episode in every census year).
        delivered = len(child.events)
        drifting.plan_ended(plan, "cin", D(1971, 1, 5), D(1971, 4, 1), "close")
        for episode in (drifting, ended, waiting, answered):
            episode.closed(D(1971, 4, 2), "RC8")
        await cases.deliver_all(child.events[delivered:])
        for case in (late, done, not_due):
            await cases.deliver(case_closed(case_id=case, child_id=child.child_id, at=datetime(1971, 4, 2, 9, tzinfo=UTC)))
