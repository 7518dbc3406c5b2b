"""Visits (planned and actual, whether the child was seen, and alone) against the council's
frequency, and meetings with their invitees, flagged when an agency involved with the family is
left out (inspectors found probation and adult mental health left out of children's meetings)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from continuum.casework.errors import RuleBroken
from continuum.casework.policy import CouncilPolicy
from continuum.contracts.plan import Agency, Invitation, MeetingKind, MeetingScheduled, PlanType, VisitRecorded
from plan.domain.lifecycle import check_day, check_started
from plan.domain.schedule import next_visit_due, within_frequency
from plan.domain.states import Events, PlanState, Visits


@dataclass(frozen=True)
class Visit:
    id: uuid.UUID
    planned_date: date | None
    visit_date: date | None
    child_seen: bool
    seen_alone: bool
    reason_not_seen: str | None
    within_frequency: bool | None
    by: str


def record_visit(
    plan: PlanState,
    *,
    visit_id: uuid.UUID,
    by: str,
    planned_date: date | None,
    visit_date: date | None,
    child_seen: bool,
    seen_alone: bool,
    reason_not_seen: str | None,
    today: date,
    policy: CouncilPolicy,
) -> tuple[PlanState, Visit, Events]:
    """A visit that happened (``visit_date``) or a planned one that did not. A child not seen
    needs the reason; seen alone needs seen. The next visit falls due on the council's frequency
    after the last visit that happened; the date last seen moves with each visit the child was seen."""
    check_started(plan, "recording a visit")
    assert plan.start_date is not None
    if visit_date is None and planned_date is None:
        raise RuleBroken("visit_date", "give the date of the visit, or the planned date of one that did not happen")
    if visit_date is not None:
        check_day("visit_date", visit_date, today=today, not_before=plan.start_date, what="the plan's start")
    if visit_date is None and child_seen:
        raise RuleBroken("child_seen", "a visit that did not happen did not see the child")
    if seen_alone and not child_seen:
        raise RuleBroken("seen_alone", "a child not seen was not seen alone")
    if not child_seen and not (reason_not_seen or "").strip():
        raise RuleBroken("reason_not_seen", "say why the child was not seen")
    v = plan.visits
    frequency = within_frequency(v.last_visit or plan.start_date, visit_date, policy) if visit_date else False
    visits = v
    if visit_date is not None:
        last = max(visit_date, v.last_visit) if v.last_visit else visit_date
        visits = Visits(
            last_visit=last,
            last_seen=max(filter(None, (v.last_seen, visit_date if child_seen else None)), default=None),
            last_seen_alone=max(filter(None, (v.last_seen_alone, visit_date if seen_alone else None)), default=None),
            next_due=next_visit_due(last, policy),
        )
    visit = Visit(
        id=visit_id,
        planned_date=planned_date,
        visit_date=visit_date,
        child_seen=child_seen,
        seen_alone=seen_alone,
        reason_not_seen=reason_not_seen.strip() if reason_not_seen and not child_seen else None,
        within_frequency=frequency,
        by=by,
    )
    event = VisitRecorded(
        plan_id=plan.id,
        visit_id=visit_id,
        case_id=plan.case_id,
        child_id=plan.child_id,
        team=plan.team,
        planned_date=planned_date,
        visit_date=visit_date,
        child_seen=child_seen,
        seen_alone=seen_alone,
        within_frequency=frequency,
        child_last_seen=visits.last_seen,
    )
    return replace(plan, visits=visits, version=plan.version + 1), visit, [event]


@dataclass(frozen=True)
class Invitee:
    agency: Agency
    name: str
    attended: bool | None = None


@dataclass(frozen=True)
class Meeting:
    id: uuid.UUID
    kind: MeetingKind
    on: date
    invitees: tuple[Invitee, ...]
    agencies_left_out: tuple[Agency, ...]
    by: str


def left_out(plan: PlanState, invitees: tuple[Invitee, ...]) -> tuple[Agency, ...]:
    """Agencies involved with the family (named on the plan or owning an action) not invited."""
    invited = {i.agency for i in invitees}
    return tuple(sorted(plan.involved - invited - {Agency.SOCIAL_CARE}, key=lambda a: a.value))


def schedule_meeting(
    plan: PlanState, *, meeting_id: uuid.UUID, by: str, kind: MeetingKind, on: date, invitees: tuple[Invitee, ...]
) -> tuple[PlanState, Meeting, Events]:
    """A CIN meeting, core group or review conference with its invitees; the invitations go out as
    ``meeting.scheduled`` (agencies only), flagging any involved agency left out."""
    check_started(plan, "scheduling a meeting")
    if not invitees:
        raise RuleBroken("invitees", "invite at least one agency or the family")
    if kind in (MeetingKind.CORE_GROUP, MeetingKind.REVIEW_CONFERENCE) and plan.plan_type is not PlanType.CP:
        raise RuleBroken("kind", f"a {kind.value.replace('_', ' ')} belongs to a child protection plan")
    if kind is MeetingKind.CIN_MEETING and plan.plan_type is not PlanType.CIN:
        raise RuleBroken("kind", "a CIN meeting belongs to a child in need plan")
    missing = left_out(plan, invitees)
    meeting = Meeting(id=meeting_id, kind=kind, on=on, invitees=invitees, agencies_left_out=missing, by=by)
    event = MeetingScheduled(
        plan_id=plan.id,
        meeting_id=meeting_id,
        case_id=plan.case_id,
        child_id=plan.child_id,
        team=plan.team,
        kind=kind,
        meeting_date=on,
        invited=[Invitation(agency=a) for a in dict.fromkeys(i.agency for i in invitees)],
        agencies_left_out=list(missing),
    )
    return replace(plan, version=plan.version + 1), meeting, [event]


def record_attendance(
    plan: PlanState, meeting: Meeting, *, attended: dict[int, bool], today: date
) -> tuple[PlanState, Meeting, Events]:
    """Who came: ``attended`` maps each invitee's position to whether they attended (every invitee
    needs an answer), once the meeting's day has come."""
    check_started(plan, "recording attendance")
    if meeting.on > today:
        raise RuleBroken("attended", f"the meeting is on {meeting.on.isoformat()}; record attendance after it")
    if set(attended) != set(range(len(meeting.invitees))):
        raise RuleBroken("attended", f"say for each of the {len(meeting.invitees)} invitees whether they attended")
    invitees = tuple(replace(i, attended=attended[n]) for n, i in enumerate(meeting.invitees))
    return replace(plan, version=plan.version + 1), replace(meeting, invitees=invitees), []
