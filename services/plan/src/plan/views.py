"""Use cases' results (domain states and rows) as the API shows them (answers.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from continuum.persistence.child_copy import ChildSummary
from continuum.web.pagination import Page, page_of
from plan.answers import (
    ActionOut,
    ClosableOut,
    ContentOut,
    DriftOut,
    EndingOut,
    FamilyOut,
    FgdmMeetingOut,
    HistoryLinks,
    InterventionOut,
    ListLink,
    MeetingOut,
    NetworkMemberOut,
    PlanOut,
    PlanPage,
    PlanSummary,
    PreproceedingsOut,
    PreproceedingsPage,
    QualityOut,
    ReviewOut,
    VersionOut,
    VisitOut,
    WorklistItem,
    WorklistPage,
)
from plan.domain import PlanState, Preproceedings
from plan.domain.drift import Closable, Finding
from plan.domain.preproceedings import CENSUS_OUTCOME
from plan.history import HISTORY_KINDS, HistoryPage, history_position
from plan.results import Blocks, Listed, PlanRecord, Worklist
from plan.rows import quality_json


def _drift(found: Sequence[Finding]) -> list[DriftOut]:
    return [DriftOut(kind=f.kind, key=f.key, since=f.since) for f in found]


def _closable(c: Closable | None) -> ClosableOut | None:
    return ClosableOut(reasons=list(c.reasons), next_step=c.next_step, since=c.since) if c else None


def version_view(v: Any) -> VersionOut:
    return VersionOut(
        version=v.version, change=v.change, changed_by=v.changed_by, changed_at=v.changed_at, quality=QualityOut(**v.quality)
    )


def review_view(r: Any) -> ReviewOut:
    """A review's row as its columns say, and whether it was held by its due date."""
    return ReviewOut.model_validate({**r._mapping, "on_time": r.review_date <= r.due_date})


def visit_view(v: Any) -> VisitOut:
    return VisitOut.model_validate(v, from_attributes=True)


def meeting_view(m: Any) -> MeetingOut:
    return MeetingOut.model_validate(m, from_attributes=True)


#: Each history list's rows as the API shows them.
HISTORY_VIEWS: dict[str, Callable[[Any], BaseModel]] = {
    "versions": version_view,
    "reviews": review_view,
    "visits": visit_view,
    "meetings": meeting_view,
}


def history_list(kind: str, page: HistoryPage, limit: int) -> Page[Any]:
    """One page of a history list (rows fetched with ``limit + 1``)."""
    return page_of(page.rows, limit, item=HISTORY_VIEWS[kind], position=lambda r: history_position(kind, r))


def _link(p: PlanState, kind: str, page: HistoryPage, first_page: int) -> ListLink:
    first = history_list(kind, page, first_page)
    return ListLink(count=page.total, href=f"/v1/plans/{p.id}/{kind}", next_cursor=first.next_cursor)


def plan_view(record: PlanRecord) -> PlanOut:
    """The plan's fields named alike, with the parts the answer shows otherwise (its history, drift, child)."""
    p, child, history, first_page = record.plan, record.child, record.history, record.first_page
    e = p.ending
    actions = []
    for a in p.actions:
        q = a.quality
        actions.append(
            ActionOut(
                id=a.id,
                description=a.description,
                owner_person=a.owner.person,
                owner_agency=a.owner.agency,
                success_measure=a.success_measure,
                due_date=a.due_date,
                progress=a.progress,
                note=a.note,
                actionable=q.actionable,
                measurable=q.measurable,
                owned=q.owned,
                has_success_measure=q.success_measure,
                has_timeframe=q.timeframe,
            )
        )
    return PlanOut.model_validate(
        vars(p)
        | {
            "child": ChildSummary.model_validate(child, from_attributes=True) if child else None,
            "initial_category_of_abuse": p.initial_category,
            "latest_category_of_abuse": p.latest_category,
            "content": ContentOut(**vars(p.content)),
            "agencies_involved": sorted(p.involved, key=lambda a: a.value),
            "actions": actions,
            "quality": QualityOut(**quality_json(p.quality)),
            "family": FamilyOut(
                network=[NetworkMemberOut(**vars(m)) for m in p.family.network],
                fgdm_meetings=[FgdmMeetingOut(**vars(m)) for m in p.family.fgdm_meetings],
                family_plan=p.family.family_plan,
            ),
            "interventions": [
                InterventionOut(**vars(i), change=round(i.score_after - i.score_before, 4) if i.score_after is not None else None)
                for i in p.interventions
            ],
            "child_last_seen": p.visits.last_seen,
            "child_last_seen_alone": p.visits.last_seen_alone,
            "next_visit_due": p.visits.next_due,
            "ending": EndingOut.model_validate(vars(e) | {"ended_by": e.by}) if e else None,
            "drift": _drift(record.findings),
            "could_close": _closable(record.closable),
            "versions": [version_view(v) for v in history["versions"].rows[:first_page]],
            "reviews": [review_view(r) for r in history["reviews"].rows[:first_page]],
            "visits": [visit_view(v) for v in history["visits"].rows[:first_page]],
            "meetings": [meeting_view(m) for m in history["meetings"].rows[:first_page]],
            "history": HistoryLinks(**{kind: _link(p, kind, history[kind], first_page) for kind in HISTORY_KINDS}),
        }
    )


def plan_json(record: PlanRecord) -> dict[str, Any]:
    """The plan's answer as JSON (what an Idempotency-Key keeps to answer again)."""
    return plan_view(record).model_dump(mode="json")


def summary_view(p: PlanState) -> PlanSummary:
    """The plan's fields named alike, with its id as ``plan_id``, its end date and when the child was last seen."""
    return PlanSummary.model_validate(
        vars(p) | {"plan_id": p.id, "end_date": p.ending.end_date if p.ending else None, "child_last_seen": p.visits.last_seen}
    )


def plans_view(plans: list[PlanState]) -> PlanPage:
    return PlanPage(items=[summary_view(p) for p in plans], next_cursor=None)


def worklist_view(worklist: Worklist) -> WorklistPage:
    return WorklistPage(items=[worklist_item(i) for i in worklist.items], next_cursor=worklist.next_cursor)


def worklist_item(listed: Listed) -> WorklistItem:
    p, child_name, attention = listed.plan, listed.child_name, listed.attention
    assert p.start_date is not None
    return WorklistItem.model_validate(
        vars(p)
        | {
            "plan_id": p.id,
            "child_name": child_name,
            "needs_attention_since": attention.since,
            "drift": _drift(attention.findings),
            "could_close": _closable(attention.closable),
        }
    )


def preproceedings_view(pp: Preproceedings) -> PreproceedingsOut:
    """The block as it stands, with how many review meetings it held and its census outcome."""
    return PreproceedingsOut.model_validate(
        vars(pp)
        | {
            "review_meeting_dates": list(pp.review_meeting_dates),
            "review_meetings": pp.review_meetings,
            "census_outcome": CENSUS_OUTCOME[pp.decision] if pp.decision else None,
        }
    )


def blocks_view(blocks: Blocks) -> PreproceedingsPage:
    return PreproceedingsPage(items=[preproceedings_view(b) for b in blocks.items], next_cursor=blocks.next_cursor)
