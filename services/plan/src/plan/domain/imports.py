"""A council's history imported (decision 59): a CIN or CP plan of a census return, with its
reviews, categories and end (and an episode's pre-proceedings blocks: ``import_blocks``), turned into the state the
service keeps and the events of each fact, dated on the fact's real day.

The same checks as live work where they apply (the order of a record's dates, census rules 2885,
8840 and 8841, the next step and reason for closure, the pre-proceedings rules 9006 to 9013), and
"not after today"; none about the day a thing is recorded (an imported plan was approved on its
start, by the importer). An imported plan has no content or actions: the census carries none.

A record imported again is compared with what is held: what a later return adds (reviews, a
category, an end, a decision) is applied and its events returned; what it takes back or changes
(an end gone or moved, a review missing, another category) is refused: a correction is live work.
Each event comes as :class:`Dated`: its day, what tells it apart from others of its type (its
derived id's key) and its place among the facts of that day.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from continuum.casework.errors import Conflict, Invalid
from continuum.casework.imports import event_id, instant_on
from continuum.casework.policy import CouncilPolicy
from continuum.contracts.codes import CategoryOfAbuse, ReasonForClosure
from continuum.contracts.envelope import EventData
from continuum.contracts.plan import (
    DraftedFrom,
    NextStep,
    PlanReviewed,
    PlanStarted,
    PlanType,
    ReviewDecision,
)
from plan.domain import lifecycle, rules
from plan.domain.content import category_change
from plan.domain.drift import checked
from plan.domain.reviews import Review
from plan.domain.schedule import first_review_due, next_review_due
from plan.domain.states import Actor, ChildIdentity, Events, PlanState, PlanStatus, ReviewRecord, Visits

if TYPE_CHECKING:
    from plan.domain.import_blocks import ImportedBlock

#: The place of a fact among those of its day: an ending of a plan started earlier comes first (a
#: CIN plan escalated ends before the CP plan starts), then starts, what is said at a start,
#: reviews, category changes, pre-proceedings; a plan that ends on the day it started ends last.
ENDED_BEFORE, STARTED, ANNOUNCED, REVIEWED, RECATEGORISED, BLOCK, ENDED_SAME_DAY = range(7)

#: What an imported plan's ending says of why (the census says only when, and what came next).
ENDING_REASON = "Ended as the council's census return records"


@dataclass(frozen=True)
class Dated:
    """An imported fact's event: its real day, its key (what tells apart two facts of one type of
    one record, for its derived id) and its place among the facts of that day."""

    data: EventData
    on: date
    key: tuple[object, ...] = ()
    place: int = STARTED


@dataclass(frozen=True)
class ImportedPlan:
    """A plan as a census return gives it (``CINPlanDates`` or ``ChildProtectionPlans``)."""

    plan_type: PlanType
    start: date
    end: date | None = None
    next_step: NextStep | None = None
    reason_for_closure: ReasonForClosure | None = None
    reviews: tuple[date, ...] = ()
    initial_category: CategoryOfAbuse | None = None
    latest_category: CategoryOfAbuse | None = None
    previous_plans: int | None = None
    current_status: bool = False


@dataclass(frozen=True)
class PlanImport:
    """What importing one plan record does: the plan as it now stands, the review rows to add and
    the events of what is new."""

    plan: PlanState
    reviews: tuple[Review, ...]
    events: tuple[Dated, ...]


# --- an episode's records, together ---------------------------------------------------------------


def check_episode(referral_date: date, plans: Sequence[ImportedPlan], blocks: Sequence[ImportedBlock], *, today: date) -> None:
    """What an episode's records say together: a referral not after today; plans and blocks not
    before the referral; two plans of one type never start the same day, and at most one of each
    type is open (one open plan of each type per case); a block starts after the one before it was
    decided, so at most one is undecided."""
    rules.check_day("referral_date", referral_date, today=today, not_before=None, what="")
    for plan_type, name in ((PlanType.CIN, "cin_plans"), (PlanType.CP, "cp_plans")):
        starts: set[date] = set()
        open_plans = 0
        for i, plan in enumerate(p for p in plans if p.plan_type is plan_type):
            if plan.start < referral_date:
                raise Invalid(f"{name}.{i}.start", f"is before the episode's referral ({referral_date.isoformat()})")
            if plan.start in starts:
                raise Invalid(f"{name}.{i}.start", "two plans of one type start on the same day")
            starts.add(plan.start)
            open_plans += plan.end is None
            if open_plans > 1:
                raise Invalid(f"{name}.{i}.end", "an episode has at most one open plan of each type")
    previous: ImportedBlock | None = None
    for i, block in enumerate(blocks):
        floor, what = referral_date, "the episode's referral"
        if previous is not None:
            if previous.decided is None:
                raise Invalid(f"preproceedings.{i}.start", "the block before it is not decided: one at a time")
            floor, what = max(floor, previous.decided), "the step decision of the block before"
        if block.start < floor:
            raise Invalid(f"preproceedings.{i}.start", f"is before {what} ({floor.isoformat()})")
        previous = block


def active_plan_on(day: date, plans: Sequence[tuple[uuid.UUID, ImportedPlan]]) -> uuid.UUID | None:
    """The plan of the episode active on ``day`` (a CP plan before a CIN plan), if any."""
    active = [(p.plan_type is PlanType.CP, p.start, i) for i, p in plans if p.start <= day and (p.end is None or p.end >= day)]
    return max(active)[2] if active else None


# --- a plan -----------------------------------------------------------------------------------------


def _started(
    record: ImportedPlan,
    *,
    plan_id: uuid.UUID,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    team: str,
    by: Actor,
    source: str,
    today: date,
    policy: CouncilPolicy,
    previous_cp_plans: int,
) -> tuple[PlanState, Events]:
    """The plan as started on its real start by the importer (a CP plan on its conference: rule 2885)."""
    rules.check_day("start", record.start, today=today, not_before=None, what="")
    cp = record.plan_type is PlanType.CP
    if cp and record.initial_category is None:
        raise Invalid("initial_category", "a child protection plan has its initial category of abuse")
    review_due = first_review_due(record.plan_type, record.start, policy)
    previous = (record.previous_plans if record.previous_plans is not None else previous_cp_plans) if cp else None
    plan = PlanState(
        id=plan_id,
        case_id=case_id,
        child_id=child_id,
        team=team,
        plan_type=record.plan_type,
        status=PlanStatus.ACTIVE,
        drafted_from=DraftedFrom.SECTION47 if cp else DraftedFrom.ASSESSMENT,
        drafted_at=instant_on(record.start),
        conference_date=record.start if cp else None,
        initial_category=record.initial_category,
        latest_category=record.initial_category,
        start_date=record.start,
        approved_by=by.id,
        next_review_due=review_due,
        # The census carries no visits: the first one recorded live sets when the next is due.
        visits=Visits(),
        previous_cp_plans=previous,
        imported_from=source,
    )
    event = PlanStarted(
        **rules.about(plan),
        plan_type=plan.plan_type,
        start_date=record.start,
        approved_by=by.id,
        initial_category_of_abuse=plan.initial_category,
        next_review_due=review_due,
        actions=0,
        previous_cp_plans=previous,
    )
    return plan, [event]


def _reviewed(
    plan: PlanState,
    on: date,
    *,
    field: str,
    review_id: uuid.UUID,
    by: Actor,
    today: date,
    policy: CouncilPolicy,
    latest: CategoryOfAbuse | None,
) -> tuple[PlanState, Review, Events]:
    """A review held on ``on`` (after the start or the review before, not after today; a CP review
    conference after its start day, rule 8841). The census says only when: the plan continued, and
    (with no actions to judge) its progress is not counted against it."""
    rules.check_started(plan, "a review")
    assert plan.start_date is not None and plan.next_review_due is not None
    floor, what = (plan.last_review.on, "the review before") if plan.last_review else (plan.start_date, "the plan's start")
    rules.check_day(field, on, today=today, not_before=floor, what=what)
    rules.check_after_cp_start(plan, field, on, "a review", "8841")
    number = plan.last_review.number + 1 if plan.last_review else 1
    record = ReviewRecord(number, on, ReviewDecision.CONTINUE, exit_criteria_met=False, concerns_remain=True, progressed=True)
    due = next_review_due(plan.plan_type, on, policy)
    category = latest or plan.latest_category
    reviewed = replace(plan, last_review=record, next_review_due=due, latest_category=category, version=plan.version + 1)
    review = Review(id=review_id, record=record, due_date=plan.next_review_due, progress=(), summary=None, by=by.id)
    event = PlanReviewed(
        **rules.about(plan),
        plan_type=plan.plan_type,
        review_number=number,
        review_date=on,
        due_date=plan.next_review_due,
        on_time=on <= plan.next_review_due,
        decision=ReviewDecision.CONTINUE,
        latest_category_of_abuse=category,
        actions=rules.action_summary(()),
        next_review_due=due,
    )
    return reviewed, review, [event, *category_change(plan, reviewed, on=on, by=by.id)]


def _check_held(held: PlanState, held_reviews: tuple[date, ...], record: ImportedPlan) -> None:
    """A record imported before may gain reviews, a latest category (at a new review) and an end;
    anything it held that this one takes back or changes is a correction, refused."""
    if held.imported_from is None:
        raise Conflict("is a plan recorded live, not imported: correct it there", field="start", slug="import-correction")
    if record.initial_category != held.initial_category:
        raise Conflict("differs from the initial category imported before", field="initial_category", slug="import-correction")
    if record.previous_plans is not None and held.previous_cp_plans not in (None, record.previous_plans):
        raise Conflict("differs from the number imported before", field="previous_plans", slug="import-correction")
    if tuple(record.reviews[: len(held_reviews)]) != held_reviews:
        reason = "a review held before is missing or moved (reviews are only added): a correction is live work"
        raise Conflict(reason, field="reviews", slug="import-correction")
    if record.latest_category not in (None, held.latest_category) and len(record.reviews) == len(held_reviews):
        reason = "changed without a new review: a correction is live work"
        raise Conflict(reason, field="latest_category", slug="import-correction")
    if held.ending is not None:
        e = held.ending
        if (record.end, record.next_step, record.reason_for_closure) != (e.end_date, e.next_step, e.reason_for_closure):
            raise Conflict(
                f"the plan ended on {e.end_date.isoformat()} ({e.next_step.value}): this return takes that back or changes it",
                field="end",
                slug="import-correction",
            )


def import_plan(
    held: PlanState | None,
    record: ImportedPlan,
    *,
    held_reviews: tuple[date, ...] = (),
    plan_id: uuid.UUID,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    team: str,
    by: Actor,
    source: str,
    today: date,
    policy: CouncilPolicy,
    child: ChildIdentity | None,
    previous_cp_plans: int = 0,
) -> PlanImport:
    """Import a plan (``held``: as imported before, else ``None``): started on its real start,
    each review (its id derived from the plan's and its date), the latest category (at its
    last review, else on its start) and its end, with the events of what is new; partners are told
    its status (since its start) when it is the episode's current stage (``current_status``) and
    the plan is new and still active. Its next review is due from its last review (or its start),
    and the drift check looks at it as at any plan."""
    if (record.end is None) != (record.next_step is None):
        raise Invalid("next_step", "an ended plan says what came next, and only an ended plan does")
    events: list[Dated] = []
    if held is None:
        plan, started = _started(
            record,
            plan_id=plan_id,
            case_id=case_id,
            child_id=child_id,
            team=team,
            by=by,
            source=source,
            today=today,
            policy=policy,
            previous_cp_plans=previous_cp_plans,
        )
        events += [Dated(e, record.start) for e in started]
        if record.latest_category not in (None, record.initial_category) and not record.reviews:
            changed = replace(plan, latest_category=record.latest_category)
            events += [
                Dated(e, record.start, (record.start,), RECATEGORISED)
                for e in category_change(plan, changed, on=record.start, by=by.id)
            ]
            plan = changed
        fresh = record.reviews
    else:
        _check_held(held, held_reviews, record)
        plan, fresh = replace(held, imported_from=source), record.reviews[len(held_reviews) :]
    reviews: list[Review] = []
    offset = len(record.reviews) - len(fresh)
    for i, on in enumerate(fresh):
        last = i == len(fresh) - 1
        latest = record.latest_category if last and record.plan_type is PlanType.CP else None
        plan, review, said = _reviewed(
            plan,
            on,
            field=f"reviews.{offset + i}",
            review_id=event_id(plan_id, "plan.review", on),
            by=by,
            today=today,
            policy=policy,
            latest=latest,
        )
        reviews.append(review)
        events += [Dated(e, on, (on,), REVIEWED if e.event_type == PlanReviewed.event_type else RECATEGORISED) for e in said]
    if record.end is not None and plan.ending is None:
        assert record.next_step is not None
        plan, ended = lifecycle.end(
            plan,
            by=by,
            end_date=record.end,
            today=today,
            now=instant_on(record.end),
            reason=ENDING_REASON,
            unmet_need=False,
            next_step=record.next_step,
            final={},
            reason_for_closure=record.reason_for_closure,
            died_on=child.date_of_death if child is not None else None,
        )
        place = ENDED_SAME_DAY if record.end == record.start else ENDED_BEFORE
        events += [Dated(e, record.end, (), place) for e in ended]
    if held is None and record.current_status and plan.status is PlanStatus.ACTIVE:
        told = lifecycle.partner_announcement(plan, child or ChildIdentity(None, None), policy)
        events += [Dated(e, record.start, (), ANNOUNCED) for e in told]
    return PlanImport(checked(plan, today=today, policy=policy), tuple(reviews), tuple(events))
