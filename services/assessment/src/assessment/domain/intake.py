"""Transitions driven by the front door: opening an assessment from a decision, following a
corrected decision (the same transition whatever changed), withdrawing, and telling partners once
the child's identity arrives.

A correction leaves the assessment exactly as the corrected decision would have opened it: its
team, its route with or without an enquiry, its referral and due dates; and every allocation rule
is checked again against the lead in place (decision 24).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from assessment.domain.rules import due_date, referral_date_of, route_for
from assessment.domain.states import (
    AssessmentAndEnquiry,
    AssessmentState,
    ChildIdentity,
    Events,
    Section47State,
    Section47Status,
    Status,
)
from continuum.casework.clock import london_date
from continuum.casework.errors import Conflict, Invalid
from continuum.casework.imports import instant_on
from continuum.casework.partners import partner_status
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import PartnerStatus, ReferralDecided, StatusWithheld
from continuum.contracts.assessment import (
    AssessmentOpened,
    AssessmentReallocationRequired,
    AssessmentReassigned,
    AssessmentRoute,
    AssessmentWithdrawn,
    ReallocationReason,
    Section47Withdrawn,
)
from continuum.contracts.assessment import AssessmentStatus as PublishedStatus


def partner_update(
    state: AssessmentState, child: ChildIdentity | None, status: PartnerStatus, since: datetime, policy: CouncilPolicy
) -> tuple[AssessmentState, Events]:
    """The partner status for ``state`` (the responsible team is the assessment's), when the child's
    NHS number is known (partners match on it); otherwise ``status.withheld`` (logged by the partners
    service, sent to no agency), and the status goes out when a ``child.*`` event brings the number
    (``partner_status_sent`` stays false until then). Nothing while the child's copy is not here."""
    if child is None:
        return state, []
    event = partner_status(
        child_id=state.child_id,
        nhs_number=child.nhs_number,
        date_of_birth=child.date_of_birth,
        status=status,
        since=london_date(since),
        team=state.team,
        policy=policy,
    )
    if isinstance(event, StatusWithheld):
        return state, [event]
    return replace(state, partner_status_sent=True), [event]


def current_partner_status(
    state: AssessmentState, section47: Section47State | None = None
) -> tuple[PartnerStatus, datetime] | None:
    """What partners should hear of this assessment now, and since when: ``assessment`` since it
    opened, while it is open; or, once it is authorised, since its enquiry started while that
    enquiry (``section47``, the one that goes with it) is still open: an imported history can hold
    an assessment authorised before its conference (decision 59), which live work cannot. ``None``
    once both are closed: the plan service announces a plan, and step-down alone announces
    ``stepped_down`` and ``closed`` (decision 35)."""
    if state.is_open:
        return PartnerStatus.ASSESSMENT, state.opened_at
    if section47 is not None and section47.is_open and section47.start_date is not None:
        return PartnerStatus.ASSESSMENT, instant_on(section47.start_date)
    return None


def open_from_decision(
    decision: ReferralDecided,
    *,
    assessment_id: uuid.UUID,
    section47_id: uuid.UUID,
    child: ChildIdentity | None,
    policy: CouncilPolicy,
) -> tuple[AssessmentAndEnquiry, Events]:
    """Open the assessment a decision asks for (and, after a strategy discussion, its section 47
    enquiry), due 45 working days after the referral's London date; partners hear "assessment"."""
    route = route_for(decision.outcome)
    if route is None:
        raise Invalid("outcome", f"{decision.outcome.value} opens no assessment")
    referral_date = referral_date_of(decision)
    state = AssessmentState(
        id=assessment_id,
        case_id=decision.case_id,
        referral_id=decision.referral_id,
        child_id=decision.child_id,
        team=decision.team,
        route=route,
        status=Status.UNALLOCATED,
        referral_date=referral_date,
        due_date=due_date(referral_date),
        opened_at=decision.decided_at,
    )
    section47 = _new_section47(state, section47_id) if route is AssessmentRoute.SECTION47 else None
    opened = opened_event(state, section47)
    state, told = partner_update(state, child, PartnerStatus.ASSESSMENT, state.opened_at, policy)
    return AssessmentAndEnquiry(state, section47), [opened, *told]


def opened_event(state: AssessmentState, section47: Section47State | None) -> AssessmentOpened:
    """The event that says an assessment opened, whether a front-door decision or an escalation
    from a child in need plan (``escalated_from_plan_id`` set) opened it."""
    return AssessmentOpened(
        **state.about,
        referral_id=state.referral_id,
        referral_date=state.referral_date,
        due_date=state.due_date,
        route=state.route,
        section47_id=section47.id if section47 else None,
        opened_at=state.opened_at,
        escalated_from_plan_id=state.escalated_from_plan_id,
    )


def _new_section47(state: AssessmentState, section47_id: uuid.UUID) -> Section47State:
    return Section47State(
        id=section47_id, assessment_id=state.id, case_id=state.case_id, child_id=state.child_id, team=state.team
    )


def withdraw(
    state: AssessmentState, *, section47: Section47State | None, now: datetime, correction_of: uuid.UUID | None
) -> tuple[AssessmentAndEnquiry, Events]:
    """A corrected decision (NFA or early help) no longer wants the assessment: it stops,
    unauthorised, with its enquiry if that has not concluded. Step-down, which closes the episode,
    tells partners. Authorised or already withdrawn, nothing changes."""
    if state.status in (Status.AUTHORISED, Status.WITHDRAWN):
        return AssessmentAndEnquiry(state), []
    enquiry, events = _withdraw_enquiry(section47, now=now, correction_of=correction_of)
    state = replace(state, status=Status.WITHDRAWN, version=state.version + 1)
    withdrawn = AssessmentWithdrawn(
        **state.about,
        withdrawn_at=now,
        correction_of=correction_of,
    )
    return AssessmentAndEnquiry(state, enquiry), [withdrawn, *events]


def _withdraw_enquiry(
    section47: Section47State | None, *, now: datetime, correction_of: uuid.UUID | None
) -> tuple[Section47State | None, Events]:
    if section47 is None or not section47.is_current:
        return None, []
    if section47.status is Section47Status.CONCLUDED:
        # The conference decided; the census reports it. A correction cannot undo what was done.
        raise Conflict(
            "the section 47 enquiry has concluded; a corrected decision cannot withdraw it",
            field="outcome",
            slug="section47-concluded",
        )
    withdrawn = replace(section47, status=Section47Status.WITHDRAWN, withdrawn_at=now, version=section47.version + 1)
    event = Section47Withdrawn(
        **withdrawn.about,
        start_date=withdrawn.start_date,
        correction_of=correction_of,
        withdrawn_at=now,
    )
    return withdrawn, [event]


def _reallocation_needed(state: AssessmentState, route: AssessmentRoute, team: str) -> ReallocationReason | None:
    """Every allocation rule, checked again against the lead in place."""
    if state.lead is None:
        return None
    if route is AssessmentRoute.SECTION47 and not state.lead.social_worker:
        return ReallocationReason.SECTION47_NEEDS_SOCIAL_WORKER
    if team != state.team or state.reallocation_required is ReallocationReason.TEAM_CHANGED:
        return ReallocationReason.TEAM_CHANGED
    return None


def apply_corrected_decision(
    state: AssessmentState,
    *,
    section47: Section47State | None,
    decision: ReferralDecided,
    new_section47_id: uuid.UUID,
    now: datetime,
    child: ChildIdentity | None,
    policy: CouncilPolicy,
) -> tuple[AssessmentAndEnquiry, Events]:
    """Make the assessment what ``decision`` would have opened: its team, route (opening or
    withdrawing the enquiry), referral and due dates, and open again if it was withdrawn. An
    authorised assessment is history and stays as it is. ``section47`` is the current enquiry."""
    if state.status is Status.AUTHORISED:
        return AssessmentAndEnquiry(state), []
    route = route_for(decision.outcome)
    if route is None:
        return withdraw(state, section47=section47, now=now, correction_of=decision.correction_of)
    referral_date = referral_date_of(decision)
    status = state.status
    if status is Status.WITHDRAWN:
        status = Status.IN_PROGRESS if state.lead is not None else Status.UNALLOCATED
    events: Events = []
    enquiry: Section47State | None = None
    if route is AssessmentRoute.SECTION47 and section47 is None:
        enquiry = replace(_new_section47(state, new_section47_id), team=decision.team)
    elif route is not AssessmentRoute.SECTION47:
        enquiry, events = _withdraw_enquiry(section47, now=now, correction_of=decision.correction_of)
    elif section47 is not None and section47.team != decision.team:
        enquiry = replace(section47, team=decision.team, version=section47.version + 1)
    reallocation = _reallocation_needed(state, route, decision.team)
    changed = replace(
        state,
        team=decision.team,
        route=route,
        status=status,
        referral_date=referral_date,
        due_date=due_date(referral_date),
        reallocation_required=reallocation,
    )
    if changed == state and enquiry is None:
        return AssessmentAndEnquiry(state), []
    changed = replace(changed, version=state.version + 1)
    current = enquiry if route is AssessmentRoute.SECTION47 else None
    events.insert(0, _reassigned(state, changed, current or section47, decision.correction_of, now))
    if reallocation is not None and reallocation != state.reallocation_required:
        assert changed.lead is not None
        events.append(
            AssessmentReallocationRequired(
                **changed.about,
                lead_practitioner=changed.lead.practitioner,
                lead_practitioner_role=changed.lead.role,
                reason=reallocation,
                correction_of=decision.correction_of,
                detected_at=now,
            )
        )
    if changed.team != state.team or state.status is Status.WITHDRAWN:
        # ``since`` is the day the assessment opened, for a reinstated one too: the correction
        # undoes the withdrawal, so the assessment ran from its opening.
        changed, told = partner_update(changed, child, PartnerStatus.ASSESSMENT, changed.opened_at, policy)
        events.extend(told)
    return AssessmentAndEnquiry(changed, enquiry), events


def _reassigned(
    before: AssessmentState,
    after: AssessmentState,
    section47: Section47State | None,
    correction_of: uuid.UUID | None,
    now: datetime,
) -> AssessmentReassigned:
    return AssessmentReassigned(
        assessment_id=after.id,
        case_id=after.case_id,
        child_id=after.child_id,
        referral_id=after.referral_id,
        previous_team=before.team,
        team=after.team,
        previous_route=before.route,
        route=after.route,
        previous_status=PublishedStatus(before.status.value),
        status=PublishedStatus(after.status.value),
        referral_date=after.referral_date,
        due_date=after.due_date,
        section47_id=section47.id if section47 is not None and after.route is AssessmentRoute.SECTION47 else None,
        correction_of=correction_of,
        reassigned_at=now,
    )


def child_identified(
    state: AssessmentState, *, child: ChildIdentity, policy: CouncilPolicy, section47: Section47State | None = None
) -> tuple[AssessmentState, Events]:
    """The child's identity (or a new version of it) arrived after the assessment opened: if the
    assessment (or its enquiry, ``section47``) is open and partners have not heard of it, they do
    now, once the child's NHS number is known, since when :func:`current_partner_status` says (for
    an imported one, the day its withheld status gave). A closed assessment has nothing to
    announce, and is no longer waiting. The version stays: what the API shows of the assessment did
    not change."""
    if state.partner_status_sent:
        return state, []
    current = current_partner_status(state, section47)
    if current is None:
        return replace(state, partner_status_sent=True), []
    if child.nhs_number is None:  # still nothing a partner could match: withheld when the status began
        return state, []
    return partner_update(state, child, current[0], current[1], policy)
