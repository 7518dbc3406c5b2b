"""Visits (planned and actual, whether the child was seen, and alone) against the council's
frequency, and meetings with their invitees, flagged when an agency involved with the family is
left out (inspectors found probation and adult mental health left out of children's meetings)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from continuum.casework.errors import Invalid
from continuum.casework.policy import CouncilPolicy
from continuum.contracts.plan import Agency, Invitation, MeetingKind, MeetingScheduled, PlanType, VisitRecorded
from plan.domain.drift import checked
from plan.domain.rules import about, check_day, check_started
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
        raise Invalid("visit_date", "give the date of the visit, or the planned date of one that did not happen")
    if visit_date is not None:
        check_day("visit_date", visit_date, today=today, not_before=plan.start_date, what="the plan's start")
    if visit_date is None and child_seen:
        raise Invalid("child_seen", "a visit that did not happen did not see the child")
    if seen_alone and not child_seen:
        raise Invalid("seen_alone", "a child not seen was not seen alone")
    if not child_seen and not (reason_not_seen or "").strip():
        raise Invalid("reason_not_seen", "say why the child was not seen")
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
        **about(plan),
        visit_id=visit_id,
        planned_date=planned_date,
        visit_date=visit_date,
        child_seen=child_seen,
        seen_alone=seen_alone,
        within_frequency=frequency,
        child_last_seen=visits.last_seen,
    )
    visited = checked(replace(plan, visits=visits, version=plan.version + 1), today=today, policy=policy)
    return visited, visit, [event]


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
    plan: PlanState,
    *,
    meeting_id: uuid.UUID,
    by: str,
    kind: MeetingKind,
    on: date,
    invitees: tuple[Invitee, ...],
    today: date,
    policy: CouncilPolicy,
) -> tuple[PlanState, Meeting, Events]:
    """A CIN meeting, core group or review conference with its invitees; the invitations go out as
    ``meeting.scheduled`` (agencies only), flagging any involved agency left out."""
    check_started(plan, "scheduling a meeting")
    if not invitees:
        raise Invalid("invitees", "invite at least one agency or the family")
    if kind in (MeetingKind.CORE_GROUP, MeetingKind.REVIEW_CONFERENCE) and plan.plan_type is not PlanType.CP:
        raise Invalid("kind", f"a {kind.value.replace('_', ' ')} belongs to a child protection plan")
    if kind is MeetingKind.CIN_MEETING and plan.plan_type is not PlanType.CIN:
        raise Invalid("kind", "a CIN meeting belongs to a child in need plan")
    missing = left_out(plan, invitees)
    meeting = Meeting(id=meeting_id, kind=kind, on=on, invitees=invitees, agencies_left_out=missing, by=by)
    event = MeetingScheduled(
        **about(plan),
        meeting_id=meeting_id,
        kind=kind,
        meeting_date=on,
        invited=[Invitation(agency=a) for a in dict.fromkeys(i.agency for i in invitees)],
        agencies_left_out=list(missing),
    )
    return checked(replace(plan, version=plan.version + 1), today=today, policy=policy), meeting, [event]


def record_attendance(
    plan: PlanState, meeting: Meeting, *, attended: dict[int, bool], today: date, policy: CouncilPolicy
) -> tuple[PlanState, Meeting, Events]:
    """Who came: ``attended`` maps each invitee's position to whether they attended (every invitee
    needs an answer), once the meeting's day has come."""
    check_started(plan, "recording attendance")
    if meeting.on > today:
        raise Invalid("attended", f"the meeting is on {meeting.on.isoformat()}; record attendance after it")
    if set(attended) != set(range(len(meeting.invitees))):
        raise Invalid("attended", f"say for each of the {len(meeting.invitees)} invitees whether they attended")
    invitees = tuple(replace(i, attended=attended[n]) for n, i in enumerate(meeting.invitees))
    changed = checked(replace(plan, version=plan.version + 1), today=today, policy=policy)
    return changed, replace(meeting, invitees=invitees), []
