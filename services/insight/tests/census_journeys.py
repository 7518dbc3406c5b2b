"""A year of children's journeys as the four services' contract events (each validated by its
contract class from ``continuum.contracts.CATALOGUE``), for the census tests: the values are those
each service puts in its events (the services' own rules are tested in their own suites). Not
driven through the services' APIs: these events are handed to insight's real consumer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from continuum.contracts import CATALOGUE, Envelope
from continuum.contracts.codes import upn_check_letter
from continuum_tools.testing import la_child_id, remember_personal_data, unique

ACTIONS = {"total": 3, "done": 3, "in_progress": 0, "not_started": 0, "dropped": 0}
SOURCE_OF = {"child": "referral", "referral": "referral", "assessment": "assessment", "section47": "assessment"}


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


def upn(serial: int) -> str:
    rest = f"201{serial:09d}"[:12]
    return upn_check_letter(rest) + rest


@dataclass
class Child:
    """One child's events, in the order they happened."""

    child_id: uuid.UUID = field(default_factory=uuid.uuid4)
    la_child_id: str = field(default_factory=la_child_id)
    events: list[Envelope[Any]] = field(default_factory=list)

    def emit(self, event_type: str, day: date, subject: uuid.UUID, **data: Any) -> None:
        cls = CATALOGUE[event_type]
        source = SOURCE_OF.get(event_type.split(".")[0]) or ("stepdown" if cls.topic.endswith("stepdown") else "plan")
        body = cls.model_validate({"child_id": str(self.child_id), **data} if "child_id" in cls.model_fields else data)
        envelope = Envelope.wrap(body, source=source, subject=str(subject), aggregate_version=1)
        self.events.append(envelope.model_copy(update={"time": at(day)}))

    def registered(self, day: date, **identity: Any) -> Child:
        given, family = unique("Given").replace("-", ""), unique("Family").replace("-", "")
        remember_personal_data(given, family)
        child = {
            "la_child_id": self.la_child_id,
            "given_name": given,
            "family_name": family,
            "date_of_birth": "2016-03-14",
            "expected_date_of_birth": None,
            "sex": "F",
            "ethnicity": "WBRI",
            "disabilities": ["NONE"],
            "upn": None,
            "nhs_number": None,
            "postcode": "EX1 1AA",
            "version": 1,
        }
        self.emit("child.registered", day, self.child_id, **(child | identity))
        return self


@dataclass
class Episode:
    """One episode of a child: its case, and the events of each service on it."""

    child: Child
    case_id: uuid.UUID = field(default_factory=uuid.uuid4)
    referral_id: uuid.UUID = field(default_factory=uuid.uuid4)
    team: str = "north"
    referral_date: date | None = None
    #: The step-down record of the episode's last closure.
    stepdown_id: uuid.UUID | None = None

    def _emit(self, event_type: str, day: date, **data: Any) -> None:
        self.child.emit(event_type, day, self.case_id, case_id=str(self.case_id), team=self.team, **data)

    def referred(
        self, day: date, outcome: str | None, source: str = "6", *, re_referral: bool = False, primary_need: str | None = None
    ) -> Episode:
        """Received on ``day`` and (unless ``outcome`` is ``None``) decided the same day (with
        ``primary_need``, as an imported decision carries its return's)."""
        self.referral_date = day
        common = {"referral_id": str(self.referral_id), "received_at": at(day).isoformat(), "source": source}
        self._emit(
            "referral.received",
            day,
            **common,
            referrer_agency="Devon and Cornwall Police",
            suggested_threshold="child_in_need",
            re_referral=re_referral,
            decision_due_at=at(day).isoformat(),
        )
        if outcome is None:
            return self
        self._emit(
            "referral.decided",
            day,
            **common,
            referral_date=day.isoformat(),
            outcome=outcome,
            decided_by="fd-manager",
            decided_at=at(day).isoformat(),
            within_one_working_day=True,
            primary_need=primary_need,
        )
        return self

    def assessed(
        self,
        start: date,
        end: date,
        outcome: str,
        *,
        factors: tuple[str, ...] = ("3B",),
        s47: bool = False,
        lead: str = "sw-alex",
    ) -> Episode:
        assert self.referral_date is not None
        self._emit(
            "assessment.authorised",
            end,
            assessment_id=str(uuid.uuid4()),
            referral_id=str(self.referral_id),
            route="section47" if s47 else "section17",
            section47_id=None,
            lead_practitioner=lead,
            lead_practitioner_role="social_worker",
            authorised_by="manager-kim",
            referral_date=self.referral_date.isoformat(),
            start_date=start.isoformat(),
            authorisation_date=end.isoformat(),
            due_date=end.isoformat(),
            working_days=10,
            within_timescale=True,
            child_seen_date=start.isoformat(),
            child_seen_alone=True,
            factors=list(factors),
            primary_need="N1",
            specialist_assessments=[],
            outcome=outcome,
            closure_date=None,
            reason_for_closure=None,
        )
        return self

    def allocated(self, day: date, lead: str, *, assessment_id: uuid.UUID | None = None) -> uuid.UUID:
        """An assessment allocated to ``lead`` (its id, for :meth:`recorded`)."""
        found = assessment_id or uuid.uuid4()
        self._emit(
            "assessment.allocated",
            day,
            assessment_id=str(found),
            lead_practitioner=lead,
            lead_practitioner_role="social_worker",
            social_worker=True,
            allocated_by="manager-kim",
            allocated_at=at(day).isoformat(),
        )
        return found

    def recorded(self, assessment_id: uuid.UUID, day: date, *, start: date, seen: date | None = None) -> Episode:
        """An open assessment's start date and the day the child was seen, as recorded."""
        self._emit(
            "assessment.recorded",
            day,
            assessment_id=str(assessment_id),
            route="section17",
            start_date=start.isoformat(),
            child_seen_date=seen.isoformat() if seen else None,
            primary_need="N4",
            recorded_by="sw-alex",
            recorded_at=at(day).isoformat(),
        )
        return self

    def visit(
        self,
        plan_id: uuid.UUID,
        day: date,
        *,
        seen_alone: bool = True,
        within_frequency: bool | None = True,
        child_seen: bool = True,
    ) -> Episode:
        self._emit(
            "visit.recorded",
            day,
            plan_id=str(plan_id),
            visit_id=str(uuid.uuid4()),
            planned_date=day.isoformat(),
            visit_date=day.isoformat(),
            child_seen=child_seen,
            seen_alone=seen_alone and child_seen,
            within_frequency=within_frequency,
            child_last_seen=day.isoformat() if child_seen else None,
        )
        return self

    def section47(self, start: date, icpc: date, target: date, *, strategy: date | None = None) -> Episode:
        s47 = {"section47_id": str(uuid.uuid4()), "assessment_id": str(uuid.uuid4()), "start_date": start.isoformat()}
        self._emit(
            "section47.started",
            start,
            **s47,
            strategy_discussion_date=(strategy or start).isoformat(),
            icpc_target_date=target.isoformat(),
            started_by="sw-alex",
        )
        self._emit(
            "section47.concluded",
            icpc,
            **s47,
            icpc_target_date=target.isoformat(),
            icpc_date=icpc.isoformat(),
            icpc_not_required=False,
            icpc_within_target=True,
            outcome="cp_plan",
            concluded_by="manager-kim",
            concluded_at=at(icpc).isoformat(),
        )
        return self

    def plan(
        self, kind: str, start: date, *, category: str | None = None, reviews: tuple[date, ...] = (), on_time: bool = True
    ) -> uuid.UUID:
        plan_id = str(uuid.uuid4())
        self._emit(
            "plan.started",
            start,
            plan_id=plan_id,
            plan_type=kind,
            start_date=start.isoformat(),
            approved_by="manager-kim",
            initial_category_of_abuse=category,
            next_review_due=start.isoformat(),
            actions=3,
            previous_cp_plans=0 if kind == "cp" else None,
        )
        for n, day in enumerate(reviews, start=1):
            self._emit(
                "plan.reviewed",
                day,
                plan_id=plan_id,
                plan_type=kind,
                review_number=n,
                review_date=day.isoformat(),
                due_date=day.isoformat(),
                on_time=on_time,
                decision="continue",
                latest_category_of_abuse=category,
                actions=ACTIONS,
                next_review_due=None,
            )
        return uuid.UUID(plan_id)

    def plan_ended(
        self, plan_id: uuid.UUID, kind: str, start: date, end: date, next_step: str, *, category: str | None = None
    ) -> Episode:
        self._emit(
            "plan.ended",
            end,
            plan_id=str(plan_id),
            plan_type=kind,
            start_date=start.isoformat(),
            end_date=end.isoformat(),
            next_step=next_step,
            unmet_need=False,
            actions=ACTIONS,
            latest_category_of_abuse=category,
            reason_for_closure=None,
        )
        return self

    def closed(
        self, day: date, reason: str, *, nfa: bool = False, assessed: bool = True, kind: str = "close", unmet_need: bool = False
    ) -> Episode:
        assert self.referral_date is not None
        self.stepdown_id = uuid.uuid4()
        self._emit(
            "case.closed",
            day,
            stepdown_id=str(self.stepdown_id),
            kind=kind,
            referral_date=self.referral_date.isoformat(),
            closure_date=day.isoformat(),
            reason_for_closure=reason,
            referral_nfa=nfa,
            assessed=assessed,
            unmet_need=unmet_need,
            actions=None,
            closed_at=at(day).isoformat(),
        )
        return self

    def preproceedings(self, start: date, letter: date, meeting: date, decided: date, court: date) -> Episode:
        block = {"preproceedings_id": str(uuid.uuid4()), "plan_id": None, "start_date": start.isoformat()}
        self._emit("preproceedings.started", start, **block)
        self._emit(
            "preproceedings.recorded",
            meeting,
            **block,
            letter_before_proceedings_date=letter.isoformat(),
            fgdm_offered=True,
            fgdm_held=True,
            initial_meeting_date=meeting.isoformat(),
            review_meetings=1,
        )
        self._emit(
            "preproceedings.decided",
            decided,
            **block,
            decision="issue_proceedings",
            decision_date=decided.isoformat(),
            outcome="A",
            court_application_date=court.isoformat(),
            letter_initiating_proceedings_date=court.isoformat(),
            fgdm_offered=True,
            fgdm_exception=False,
        )
        return self

    # --- what the measures read besides the census ------------------------------------------------

    def drift(self, plan_id: uuid.UUID, day: date, kind: str = "review_overdue", plan_type: str = "cin") -> Episode:
        self._emit(
            "plan.drift_detected",
            day,
            plan_id=str(plan_id),
            plan_type=plan_type,
            kind=kind,
            key=day.isoformat(),
            since=day.isoformat(),
            detected_at=at(day).isoformat(),
        )
        return self

    def handover(self, day: date, *, answer: str | None, on: date | None = None, receiving_team: str = "early-help") -> uuid.UUID:
        """A step-down to early help requested on ``day``; early help's ``answer`` (accepted,
        declined or ``None``: not yet) on ``on`` (default: the same day)."""
        stepdown_id = str(uuid.uuid4())
        named = {"stepdown_id": stepdown_id, "receiving_team": receiving_team}
        self._emit(
            "stepdown.requested",
            day,
            **named,
            kind="early_help",
            trigger="assessment",
            response_due=day.isoformat(),
            requested_at=at(day).isoformat(),
        )
        answered = on or day
        if answer == "accepted":
            self._emit(
                "stepdown.accepted",
                answered,
                **named,
                accepted_at=at(answered).isoformat(),
                accepted_by="eh-manager",
                same_lead_practitioner=False,
                within_deadline=True,
            )
        elif answer == "declined":
            self._emit(
                "stepdown.declined",
                answered,
                **named,
                declined_at=at(answered).isoformat(),
                declined_by="eh-manager",
                reason="other",
            )
        return uuid.UUID(stepdown_id)

    def step_up(self, day: date, *, within_12_months: bool | None) -> Episode:
        self.child.emit(
            "stepup.requested",
            day,
            self.case_id,
            early_help_episode_id=str(uuid.uuid4()),
            requested_at=at(day).isoformat(),
            requested_by="eh-worker",
            reason="Concerns have grown",
            team=self.team,
            stepdown_id=None,
            within_12_months_of_step_down=within_12_months,
        )
        return self

    def decision_corrected(self, day: date, outcome: str) -> Episode:
        """The front door corrects its decision on ``day`` (a later ``referral.decided``)."""
        assert self.referral_date is not None
        received = at(self.referral_date).isoformat()
        self._emit(
            "referral.decided",
            day,
            referral_id=str(self.referral_id),
            received_at=received,
            source="6",
            referral_date=self.referral_date.isoformat(),
            outcome=outcome,
            decided_by="fd-manager",
            decided_at=at(day).isoformat(),
            within_one_working_day=True,
            correction_of=str(uuid.uuid4()),
        )
        return self

    def reopened(self, day: date) -> Episode:
        """The closure withdrawn (``case.reopened``) because the decision that closed it was corrected."""
        assert self.stepdown_id is not None
        closure = next(
            e for e in reversed(self.child.events) if e.type == "case.closed" and e.data.stepdown_id == self.stepdown_id
        )
        self._emit(
            "case.reopened",
            day,
            stepdown_id=str(self.stepdown_id),
            closure_date=closure.data.closure_date.isoformat(),
            reopened_at=at(day).isoformat(),
        )
        return self

    def handover_withdrawn(self, stepdown_id: uuid.UUID, day: date, *, receiving_team: str = "early-help") -> Episode:
        self._emit(
            "stepdown.withdrawn",
            day,
            stepdown_id=str(stepdown_id),
            receiving_team=receiving_team,
            corrected_outcome="assessment",
            withdrawn_at=at(day).isoformat(),
        )
        return self
