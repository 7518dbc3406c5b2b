"""Referrals: receipt, the front door's decision within one working day, and its corrections."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from continuum.casework.calendar import add_working_days_to_datetime
from continuum.casework.clock import london_date
from continuum.casework.closure import Closure
from continuum.casework.errors import Conflict, Invalid
from continuum.casework.partners import partner_status
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import DecisionOutcome, EventData, PartnerStatus, ReferralDecided, ReferralReceived, ThresholdLevel
from continuum.contracts.codes import ReasonForClosure, ReferralSource
from referral.domain.children import ChildState, check_referral_date
from referral.domain.episodes import Episode, check_correction_keeps_one_open, check_no_open_episode

#: The front door decides what happens next within one working day of receipt.
DECISION_WORKING_DAYS = 1


class ReferralStatus(StrEnum):
    RECEIVED = "received"  # waiting for the front door's decision
    DECIDED = "decided"


class LawfulBasis(StrEnum):
    """Why the referrer may share this information (UK GDPR Article 6, with the Article 9 condition
    in DPA 2018 Schedule 1 paragraph 18, safeguarding of children, where it applies)."""

    CONSENT = "consent"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    SAFEGUARDING_CHILDREN = "public_task_safeguarding_children"


def check_team(policy: CouncilPolicy, team: str, field: str = "team") -> None:
    if policy.team(team) is None:
        known = ", ".join(t.id for t in policy.teams)
        raise Invalid(field, f"unknown team {team!r}; the council's teams are: {known}")


@dataclass(frozen=True, kw_only=True)
class Intake:
    """A referral as the referrer made it."""

    received_at: datetime
    source: ReferralSource
    referrer_name: str
    referrer_agency: str
    concerns: str
    lawful_basis: LawfulBasis
    suggested_threshold: ThresholdLevel
    team: str
    stepped_up_from: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class DecisionRecord:
    """One front-door decision; a correction names the decision it corrects and why."""

    id: uuid.UUID
    outcome: DecisionOutcome
    reasons: str
    team: str
    decided_by: str
    decided_at: datetime
    corrects: uuid.UUID | None = None
    correction_reason: str | None = None
    #: The id of the ``referral.decided`` event that announced it, so a correction can name it.
    event_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class ReferralState(Intake):
    """A referral: a case (episode) of a child, from receipt to the front door's decision."""

    id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    re_referral: bool
    decision_due_at: datetime
    status: ReferralStatus
    version: int
    created_by: str
    #: Every decision in order: the original, then each correction.
    decisions: tuple[DecisionRecord, ...] = ()
    decided_within_one_working_day: bool | None = None
    #: The episode's closure as step-down announced it (``case.closed``); never set by a decision.
    closure: Closure | None = None
    #: Imported as its open episode's current stage (the return shows nothing after the front door's
    #: decision, decision 59): partners are owed ``referred`` from here until a later return or a
    #: decision in live work moves the episode on.
    import_current_stage: bool = False

    @property
    def subject(self) -> str:
        """Events about the referral are keyed by its case, so a case's events stay in order."""
        return str(self.case_id)

    @property
    def referral_date(self) -> date:
        """The census referral date: the London calendar date of receipt."""
        return london_date(self.received_at)

    @property
    def decision(self) -> DecisionRecord | None:
        """The decision in force (the last correction, if any)."""
        return self.decisions[-1] if self.decisions else None

    @property
    def allocated_team(self) -> str | None:
        return self.decision.team if self.decision else None

    def overdue(self, now: datetime) -> bool:
        return self.status is ReferralStatus.RECEIVED and now > self.decision_due_at


def decision_due_at(received_at: datetime) -> datetime:
    return add_working_days_to_datetime(received_at, DECISION_WORKING_DAYS)


def is_re_referral(received_at: datetime, earlier_referrals: Iterable[datetime]) -> bool:
    """A re-referral is a referral within 12 months (London calendar dates) of a previous one."""
    received_on = london_date(received_at)
    year_before = _one_year_before(received_on)
    return any(year_before <= london_date(e) <= received_on and e < received_at for e in earlier_referrals)


def _one_year_before(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def check_received_at(received_at: datetime, now: datetime) -> None:
    if received_at.tzinfo is None:
        raise Invalid("received_at", "give a time zone (e.g. 2026-11-26T09:30:00Z)")
    if received_at > now:
        raise Invalid("received_at", "is in the future")


def _status(child: ChildState, status: PartnerStatus, *, since: datetime, team: str, policy: CouncilPolicy) -> list[EventData]:
    event = partner_status(
        child_id=child.id,
        nhs_number=child.nhs_number,
        date_of_birth=child.date_of_birth,
        status=status,
        since=london_date(since),
        team=team,
        policy=policy,
    )
    return [event]


def receive(
    intake: Intake,
    *,
    case_id: uuid.UUID,
    child: ChildState,
    earlier_referrals: Iterable[datetime],
    by: str,
    now: datetime,
    policy: CouncilPolicy,
    episodes: Sequence[Episode] = (),
    child_field: str = "child_id",
) -> tuple[ReferralState, list[EventData]]:
    """A referral received: a new case for ``child``, its decision due one working day later,
    flagged a re-referral when the child had one in the 12 months before; partners see it referred
    (since the referral date). Never a second open episode for the child (``episodes``: its
    episodes so far; :class:`OpenEpisodeConflict` naming ``child_field``)."""
    check_team(policy, intake.team)
    check_received_at(intake.received_at, now)
    check_referral_date(child, london_date(intake.received_at))
    check_no_open_episode(episodes, field=child_field, child_id=child.id)
    referral = ReferralState(
        **vars(intake),  # its fields as they are (asdict would deep-copy each immutable value)
        id=uuid.uuid4(),
        case_id=case_id,
        child_id=child.id,
        re_referral=is_re_referral(intake.received_at, earlier_referrals),
        decision_due_at=decision_due_at(intake.received_at),
        status=ReferralStatus.RECEIVED,
        version=1,
        created_by=by,
    )
    received = ReferralReceived(
        referral_id=referral.id,
        case_id=case_id,
        child_id=child.id,
        received_at=intake.received_at,
        source=intake.source,
        referrer_agency=intake.referrer_agency,
        suggested_threshold=intake.suggested_threshold,
        re_referral=referral.re_referral,
        decision_due_at=referral.decision_due_at,
        team=intake.team,
        stepped_up_from=intake.stepped_up_from,
    )
    referred = _status(child, PartnerStatus.REFERRED, since=intake.received_at, team=intake.team, policy=policy)
    return referral, [received, *referred]


def within_decision_timescale(decided_at: datetime, due_at: datetime) -> bool:
    return decided_at <= due_at


def decide(
    referral: ReferralState,
    *,
    child: ChildState,
    outcome: DecisionOutcome,
    reasons: str,
    team: str,
    by: str,
    at: datetime,
    policy: CouncilPolicy,
    correction_reason: str | None = None,
    episodes: Sequence[Episode] = (),
) -> tuple[ReferralState, list[EventData]]:
    """The front door's decision, or with ``correction_reason`` a correction of the decision in
    force: the same rules, the same events (``correction_of`` naming the corrected decision's
    event). No decision closes the episode: step-down closes every episode, the front door's NFA
    included, and tells partners (``closed_on`` stays null). A correction that would reopen an
    episode while the child has another open one (``episodes``) is refused.
    Whether it came within one working day is the original decision's, never a correction's."""
    check_team(policy, team)
    previous = referral.decision
    correcting = correction_reason is not None
    if not correcting and referral.status is not ReferralStatus.RECEIVED:
        reason = "is already decided; to change the decision, record a correction with a reason"
        raise Conflict(reason, field="referral", slug="already-decided")
    if correcting and (referral.status is not ReferralStatus.DECIDED or previous is None):
        raise Conflict("has no decision to correct yet", field="referral", slug="not-decided")
    if correcting and previous is not None and (outcome, team) == (previous.outcome, previous.team):
        raise Invalid("outcome", "the correction changes nothing: give a different outcome or team")
    if correcting and previous is not None:
        check_correction_keeps_one_open(
            referral_id=referral.id,
            child_id=referral.child_id,
            closed_on=referral.closure.closed_on if referral.closure else None,
            previous=previous.outcome,
            outcome=outcome,
            episodes=episodes,
        )
    corrected = previous if correcting else None
    record = DecisionRecord(
        id=uuid.uuid4(),
        outcome=outcome,
        reasons=reasons,
        team=team,
        decided_by=by,
        decided_at=at,
        corrects=corrected.id if corrected else None,
        correction_reason=correction_reason,
    )
    within = referral.decided_within_one_working_day if correcting else within_decision_timescale(at, referral.decision_due_at)
    decided = replace(
        referral,
        status=ReferralStatus.DECIDED,
        decisions=(*referral.decisions, record),
        decided_within_one_working_day=within,
        import_current_stage=False,  # a decision in live work moves an imported episode on
        version=referral.version + 1,
    )
    events: list[EventData] = [
        ReferralDecided(
            referral_id=referral.id,
            case_id=referral.case_id,
            child_id=referral.child_id,
            received_at=referral.received_at,
            referral_date=referral.referral_date,
            source=referral.source,
            outcome=outcome,
            team=team,
            decided_by=by,
            decided_at=at,
            within_one_working_day=bool(within),
            correction_of=corrected.event_id if corrected else None,
            closed_on=None,
        )
    ]
    return decided, events


def correct_decision(
    referral: ReferralState,
    *,
    child: ChildState,
    outcome: DecisionOutcome,
    reasons: str,
    team: str,
    correction_reason: str,
    by: str,
    at: datetime,
    policy: CouncilPolicy,
    episodes: Sequence[Episode] = (),
) -> tuple[ReferralState, list[EventData]]:
    """A correction is the decision applied again, naming what it corrects (see :func:`decide`)."""
    return decide(
        referral,
        child=child,
        outcome=outcome,
        reasons=reasons,
        team=team,
        by=by,
        at=at,
        policy=policy,
        correction_reason=correction_reason,
        episodes=episodes,
    )


def statuses_once_identified(
    before: ChildState, after: ChildState, *, episodes: Sequence[Episode], policy: CouncilPolicy
) -> list[EventData]:
    """When a child's NHS number becomes known (it had none), partners are told what they could
    not be told before: ``referred`` again (since its referral date) for each of its referrals
    still waiting for the front door's decision, and for each imported as its open episode's
    current stage and not moved on since (decision 59: its ``referred`` was withheld at the
    import). Other decided referrals' statuses are the other services' to send."""
    if before.nhs_number is not None or after.nhs_number is None:
        return []
    events: list[EventData] = []
    for episode in sorted(episodes, key=lambda e: (e.received_at, e.referral_id)):
        if episode.undecided or (episode.import_current_stage and episode.open):
            events.extend(_status(after, PartnerStatus.REFERRED, since=episode.received_at, team=episode.team, policy=policy))
    return events


def close_episode(referral: ReferralState, *, closed_on: date, reason: ReasonForClosure) -> ReferralState:
    """Step-down closed the episode (``case.closed``): the census closure date and reason it gave.
    The referral's version does not change: the closure is step-down's fact, shown here."""
    return replace(referral, closure=Closure(closed_on, reason))


def reopen_episode(referral: ReferralState, *, closure_date: date) -> ReferralState | None:
    """Step-down withdrew the closure of ``closure_date`` (``case.reopened``): the episode is open
    again. ``None`` when that closure is not the one in force (already withdrawn, or a later one
    stands): nothing changes."""
    if referral.closure is None or referral.closure.closed_on != closure_date:
        return None
    return replace(referral, closure=None)
