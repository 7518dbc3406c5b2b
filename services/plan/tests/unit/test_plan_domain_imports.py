"""The domain of a council's history imported (decision 59): a plan started on its real start with
its reviews, category and end, the census rules and the order of its dates, what a later return may
add and what it may not take back; an episode's records together; pre-proceedings blocks."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from plan_builders import POLICY

from continuum.casework.errors import Conflict, DomainError, Invalid
from continuum.contracts.codes import CategoryOfAbuse, ReasonForClosure
from continuum.contracts.plan import NextStep, PlanType, PreproceedingsDecision, PreproceedingsOutcome
from plan.domain import Actor, ChildIdentity, Episode, PlanStatus
from plan.domain.drift import findings
from plan.domain.import_blocks import ImportedBlock, import_block
from plan.domain.imports import ImportedPlan, PlanImport, active_plan_on, check_episode, import_plan

TODAY = date(2026, 12, 6)
BY = Actor("importer-job")
IDS = {"plan_id": uuid.uuid4(), "case_id": uuid.uuid4(), "child_id": uuid.uuid4(), "team": "north"}


def imported(record: ImportedPlan, held: PlanImport | None = None, reviews: tuple[date, ...] = ()) -> PlanImport:
    return import_plan(
        held.plan if held else None,
        record,
        held_reviews=reviews,
        **IDS,
        by=BY,
        source="return.xml",
        today=TODAY,
        policy=POLICY,
        child=None,
    )


def types(done: PlanImport) -> list[str]:
    return [d.data.event_type for d in done.events]


def test_an_open_cin_plan_is_active_with_its_next_review_from_its_last_review() -> None:
    done = imported(ImportedPlan(PlanType.CIN, date(2026, 6, 1), reviews=(date(2026, 7, 10), date(2026, 8, 20))))
    plan = done.plan
    assert plan.status is PlanStatus.ACTIVE and plan.start_date == date(2026, 6, 1) and plan.imported_from == "return.xml"
    assert plan.next_review_due == date(2026, 8, 20) + timedelta(weeks=6) and plan.approved_by == "importer-job"
    assert plan.drift_check == TODAY  # the review is overdue: the drift check looks today
    assert [f.kind.value for f in findings(plan, today=TODAY, policy=POLICY)] == ["open_over_threshold", "review_overdue"]
    assert types(done) == ["plan.started", "plan.reviewed", "plan.reviewed"]
    assert [d.on for d in done.events] == [date(2026, 6, 1), date(2026, 7, 10), date(2026, 8, 20)]


def test_a_cp_plan_ended_says_its_categories_and_its_end() -> None:
    record = ImportedPlan(
        PlanType.CP,
        date(2025, 1, 10),
        date(2025, 9, 1),
        NextStep.CLOSE,
        ReasonForClosure("RC1"),
        reviews=(date(2025, 4, 1),),
        initial_category=CategoryOfAbuse("NEG"),
        latest_category=CategoryOfAbuse("EMO"),
        previous_plans=2,
    )
    done = imported(record)
    assert types(done) == ["plan.started", "plan.reviewed", "plan.category_changed", "plan.ended"]
    assert done.plan.status is PlanStatus.ENDED and done.plan.previous_cp_plans == 2 and done.plan.drift_check is None
    assert done.plan.conference_date == date(2025, 1, 10)  # rule 2885


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (ImportedPlan(PlanType.CIN, TODAY + timedelta(days=1)), "start"),
        (ImportedPlan(PlanType.CIN, date(2026, 1, 1), date(2025, 12, 1), NextStep.UNIVERSAL), "end_date"),
        (ImportedPlan(PlanType.CIN, date(2026, 1, 1), date(2026, 3, 1)), "next_step"),
        (ImportedPlan(PlanType.CIN, date(2026, 1, 1), reviews=(date(2026, 3, 1), date(2026, 2, 1))), "reviews.1"),
        (ImportedPlan(PlanType.CIN, date(2026, 1, 1), date(2026, 3, 1), NextStep.STEP_DOWN_CIN), "next_step"),
        (ImportedPlan(PlanType.CIN, date(2026, 1, 1), date(2026, 3, 1), NextStep.CLOSE), "reason_for_closure"),
        (
            ImportedPlan(PlanType.CIN, date(2026, 1, 1), date(2026, 3, 1), NextStep.CLOSE, ReasonForClosure("RC8")),
            "reason_for_closure",
        ),
        (ImportedPlan(PlanType.CP, date(2026, 1, 1)), "initial_category"),
        (
            ImportedPlan(PlanType.CP, date(2026, 1, 1), reviews=(date(2026, 1, 1),), initial_category=CategoryOfAbuse("PHY")),
            "reviews.0",
        ),
        (
            ImportedPlan(
                PlanType.CP,
                date(2026, 1, 1),
                date(2026, 1, 1),
                NextStep.CLOSE,
                ReasonForClosure("RC1"),
                initial_category=CategoryOfAbuse("PHY"),
            ),
            "end_date",
        ),
    ],
)
def test_the_rules_of_live_work_refuse_a_bad_record_naming_the_field(record: ImportedPlan, field: str) -> None:
    with pytest.raises(DomainError) as refused:
        imported(record)
    assert refused.value.field == field


def test_a_later_return_adds_what_is_new_and_may_not_take_anything_back() -> None:
    first = imported(ImportedPlan(PlanType.CIN, date(2026, 1, 5), reviews=(date(2026, 2, 10),)))
    later = ImportedPlan(
        PlanType.CIN, date(2026, 1, 5), date(2026, 6, 1), NextStep.UNIVERSAL, reviews=(date(2026, 2, 10), date(2026, 3, 20))
    )
    added = imported(later, first, reviews=(date(2026, 2, 10),))
    assert types(added) == ["plan.reviewed", "plan.ended"] and [r.record.number for r in added.reviews] == [2]
    ended = added.plan
    with pytest.raises(Conflict) as refused:
        import_plan(
            ended,
            ImportedPlan(PlanType.CIN, date(2026, 1, 5), reviews=later.reviews),
            held_reviews=later.reviews,
            **IDS,
            by=BY,
            source="x",
            today=TODAY,
            policy=POLICY,
            child=None,
        )
    assert refused.value.field == "end"
    with pytest.raises(Conflict) as refused:
        imported(ImportedPlan(PlanType.CIN, date(2026, 1, 5), reviews=(date(2026, 2, 11),)), first, reviews=(date(2026, 2, 10),))
    assert refused.value.field == "reviews"


def test_partners_hear_the_current_record_once_withheld_without_an_nhs_number() -> None:
    done = imported(ImportedPlan(PlanType.CIN, date(2026, 6, 1), current_status=True))
    assert types(done) == ["plan.started", "status.withheld"]
    known = import_plan(
        None,
        ImportedPlan(PlanType.CIN, date(2026, 6, 1), current_status=True),
        **IDS,
        by=BY,
        source="x",
        today=TODAY,
        policy=POLICY,
        child=ChildIdentity("9434765919", date(2015, 1, 1)),
    )
    assert types(known) == ["plan.started", "status.changed"] and known.events[1].data.since == date(2026, 6, 1)  # type: ignore[attr-defined]


def test_an_episode_holds_one_open_plan_of_each_type_and_one_undecided_block() -> None:
    referral = date(2026, 1, 1)
    two_open = [ImportedPlan(PlanType.CIN, date(2026, 2, 1)), ImportedPlan(PlanType.CIN, date(2026, 3, 1))]
    with pytest.raises(Invalid, match="at most one open"):
        check_episode(referral, two_open, [], today=TODAY)
    with pytest.raises(Invalid) as refused:
        check_episode(referral, [ImportedPlan(PlanType.CP, date(2025, 12, 1))], [], today=TODAY)
    assert refused.value.field == "cp_plans.0.start"
    blocks = [ImportedBlock(date(2026, 2, 1)), ImportedBlock(date(2026, 3, 1))]
    with pytest.raises(Invalid) as refused:
        check_episode(referral, [], blocks, today=TODAY)
    assert refused.value.field == "preproceedings.1.start"
    cp, cin = uuid.uuid4(), uuid.uuid4()
    plans = [(cin, ImportedPlan(PlanType.CIN, date(2026, 1, 5))), (cp, ImportedPlan(PlanType.CP, date(2026, 2, 1)))]
    assert active_plan_on(date(2026, 3, 1), plans) == cp and active_plan_on(date(2026, 1, 10), plans) == cin


def _block(record: ImportedBlock, held: object = None) -> tuple[object, list[str]]:
    episode = Episode(case_id=uuid.uuid4(), child_id=uuid.uuid4(), team="north", opened_on=date(2026, 1, 1))
    block, events = import_block(
        held, record, episode=episode, block_id=uuid.uuid4(), plan_id=None, by=BY, source="x", today=TODAY
    )  # type: ignore[arg-type]
    return block, [d.data.event_type for d in events]


def test_a_block_is_started_recorded_and_decided_through_the_live_rules() -> None:
    record = ImportedBlock(
        date(2026, 2, 1),
        date(2026, 2, 2),
        True,
        False,
        date(2026, 2, 10),
        review_meetings_count=3,
        decided=date(2026, 5, 1),
        outcome=PreproceedingsOutcome.A,
        court_application=date(2026, 5, 2),
        letter_initiating=date(2026, 5, 9),
    )
    block, events = _block(record)
    assert events == [
        "preproceedings.started",
        "preproceedings.recorded",
        "preproceedings.decided",
        "preproceedings.care_proceedings_letter_sent",
    ]
    assert block.decision is PreproceedingsDecision.ISSUE_PROCEEDINGS and block.review_meetings == 3  # type: ignore[attr-defined]
    with pytest.raises(Invalid) as refused:
        _block(ImportedBlock(date(2026, 2, 1), date(2026, 1, 20), True, True))
    assert refused.value.field == "letter_before_proceedings_date"  # rule 9006
    with pytest.raises(Invalid) as refused:
        _block(ImportedBlock(date(2026, 2, 1), decided=date(2026, 3, 1)))
    assert refused.value.field == "outcome"
    later = ImportedBlock(date(2026, 2, 1), date(2026, 2, 3), True, False, date(2026, 2, 10), review_meetings_count=3)
    with pytest.raises(Conflict) as refused:
        _block(later, held=block)
    assert refused.value.field == "letter"  # held as 2 February: a correction is live work
