"""A council's history imported (decision 59): a child of its CIN census returns with its
referrals and the front door's decisions, checked by the live rules that apply (codes,
identifiers, the census rules, the council's teams), as the register's new state and its events,
each at the real instant of its fact. Pure: what was imported before comes in as arguments.

A new referral is received on its real day (noon in London) and decided that day, a second later,
with the events live work publishes; a child's record a later return changes is updated; what a
later return takes back (a date of birth or death, a referral's source, decision or team) is a
correction, live work, and refuses the child. A referral that is an open episode's current stage
tells partners ``referred`` since its date, by the live partner-status rule. The records: see
:mod:`referral.domain.import_records`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from continuum.casework.clock import london_date
from continuum.casework.errors import Conflict, Invalid
from continuum.casework.imports import Imported, ImportOutcome, child_key, episode_key, event_id, instant_on
from continuum.casework.partners import partner_status
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import ChildRegistered, ChildUpdated, PartnerStatus, ReferralDecided, ReferralReceived, ThresholdLevel
from continuum.contracts.codes import PrimaryNeedCode, ReferralSource
from referral.domain.children import (
    ChildIdentity,
    ChildState,
    check_child_identity,
    check_referral_date,
    register_child,
    update_child,
)
from referral.domain.import_records import (
    NAME_NOT_KNOWN,
    HeldReferral,
    ImportedChild,
    ImportedEpisode,
    ImportedEvent,
    check_episodes,
    identity_of,
    referral_id_of,
)
from referral.domain.referrals import (
    DecisionRecord,
    LawfulBasis,
    ReferralState,
    ReferralStatus,
    check_team,
    decision_due_at,
    is_re_referral,
)

#: What an imported referral says where a census return says nothing.
REFERRER_NOT_KNOWN = "Not known (imported from the CIN census)"
IMPORTED_REASONS = "The front door's decision as the council's CIN census return shows it (imported)."
#: The instants of a referral date's facts, in their real order (seconds after noon in London).
RECEIVED, DECIDED, STATUS, CHILD_UPDATED = 0, 1, 2, 3


@dataclass(frozen=True)
class ChildImport:
    """What importing a child's part does: the child as it stands after (``registered``: new;
    ``updated``: its record changed), the referrals new to the register, every event in order, and
    whether each referral held already is now its open episode's current stage (``current_stages``:
    a later return's word on it, by id)."""

    child: ChildState
    registered: bool
    updated: bool
    referrals: tuple[ReferralState, ...]
    events: tuple[ImportedEvent, ...]
    current_stages: tuple[tuple[uuid.UUID, bool], ...] = ()


@dataclass(frozen=True, kw_only=True)
class _Import:
    """What every fact of one child's import shares."""

    record: ImportedChild
    la: str
    source_file: str
    by: str
    policy: CouncilPolicy

    def case_id(self, episode: ImportedEpisode) -> uuid.UUID:
        return episode_key(self.la, self.record.la_child_id, episode.referral_date)

    def imported(self, day: date, order: int, record: uuid.UUID, event_type: str, *key: object) -> Imported:
        return Imported(instant_on(day, order), event_id(record, event_type, *key), self.source_file)


def import_child(
    record: ImportedChild,
    *,
    la: str,
    source_file: str,
    held: ChildState | None,
    held_received: Sequence[datetime] = (),
    held_referrals: Mapping[uuid.UUID, HeldReferral],
    child_outcome: ImportOutcome,
    episode_outcomes: Mapping[uuid.UUID, ImportOutcome],
    by: str,
    today: date,
    policy: CouncilPolicy,
) -> ChildImport:
    """A child's part imported. ``held``: the child as registered (``None``: new), with the
    instants its referrals were received (``held_received``) and the referrals of this part
    imported before (``held_referrals``, by id); ``child_outcome`` and ``episode_outcomes``: what
    remembering each record said (unchanged, updated or new)."""
    check_team(policy, record.team)
    sources = check_episodes(record, today=today)
    identity = identity_of(record, held=held)
    referred_on = sorted({*(e.referral_date for e in record.episodes), *(london_date(r) for r in held_received)})
    run = _Import(record=record, la=la, source_file=source_file, by=by, policy=policy)
    if held is None:
        child, events = _registered(run, identity, today=today, referred_on=referred_on)
    elif child_outcome is ImportOutcome.UNCHANGED:
        child, events = held, []
    else:
        child, events = _updated(run, held, identity, today=today, referred_on=referred_on)
    check_child_identity(child, today=today, referred_on=referred_on)
    received = list(held_received)
    new: list[ReferralState] = []
    current_stages: list[tuple[uuid.UUID, bool]] = []
    for i in sorted(range(len(record.episodes)), key=lambda n: record.episodes[n].referral_date):
        episode, source = record.episodes[i], sources[i]
        referral_id = referral_id_of(la, record.la_child_id, episode.referral_date)
        previous = held_referrals.get(referral_id)
        if previous is not None:
            if episode_outcomes.get(referral_id, ImportOutcome.UNCHANGED) is not ImportOutcome.UNCHANGED:
                _check_referral_kept(i, previous, episode, source, record.team)
                # Only its current status changed: the referral service now knows it is (or, moved
                # on, is no longer) the open episode's current stage; if it is, partners are told.
                current_stages.append((referral_id, episode.current_status))
                if episode.current_status:
                    events.append(_referred(run, child, referral_id, episode))
            continue
        try:
            check_referral_date(child, episode.referral_date)
        except Invalid as exc:
            raise Invalid(f"episodes[{i}].referral_date", exc.reason) from None
        referral, referral_events = _received_and_decided(run, child, episode, source, referral_id=referral_id, earlier=received)
        received.append(referral.received_at)
        new.append(referral)
        events.extend(referral_events)
    updated = held is not None and child is not held
    return ChildImport(child, held is None, updated, tuple(new), tuple(events), tuple(current_stages))


def _registered(
    run: _Import, identity: ChildIdentity, *, today: date, referred_on: Sequence[date]
) -> tuple[ChildState, list[ImportedEvent]]:
    """A new child, announced on its first referral's day, keyed by that episode as live work keys
    it (so it reaches consumers before that referral)."""
    child_id = child_key(run.la, run.record.la_child_id)
    child, registration = register_child(identity, child_id=child_id, today=today, referred_on=referred_on)
    first = min(run.record.episodes, key=lambda e: e.referral_date)
    at = run.imported(first.referral_date, RECEIVED, child_id, ChildRegistered.event_type)
    return child, [ImportedEvent(data, str(run.case_id(first)), child.version, at) for data in registration]


def _updated(
    run: _Import, held: ChildState, identity: ChildIdentity, *, today: date, referred_on: Sequence[date]
) -> tuple[ChildState, list[ImportedEvent]]:
    """A later return's record of a child imported before: what changed, announced on the latest
    referral's day (after its facts); what it takes back refuses the child."""
    _check_child_kept(held, identity)
    names = [f.name for f in fields(ChildIdentity)]
    changes = {name: getattr(identity, name) for name in names if getattr(identity, name) != getattr(held, name)}
    if not changes:
        return held, []
    child, changed = update_child(held, changes=changes, today=today, referred_on=referred_on)
    latest = max(e.referral_date for e in run.record.episodes)
    at = run.imported(latest, CHILD_UPDATED, child.id, ChildUpdated.event_type, child.version)
    return child, [ImportedEvent(data, child.subject, child.version, at) for data in changed]


def _check_child_kept(held: ChildState, identity: ChildIdentity) -> None:
    """What an import may not take back: a date of birth once known, a date of death once known
    (a correction of either is live work). An unborn child's expected date gives way to its birth."""
    for field in ("date_of_birth", "date_of_death"):
        was: date | None = getattr(held, field)
        if was is not None and getattr(identity, field) != was:
            reason = f"the child was imported with {field} {was.isoformat()}; correcting it is live work"
            raise Conflict(reason, field=field, slug="import-takes-back")


def _check_referral_kept(i: int, held: HeldReferral, episode: ImportedEpisode, source: ReferralSource, team: str) -> None:
    """An episode imported before, sent again with something else than its current status: what
    it takes back (its source, the decision, its team) is a correction, live work."""
    for field, was, now in (
        ("source", held.source, source),
        ("decision", held.outcome, episode.decision),
        ("team", held.team, team),
    ):
        if was != now:
            reason = f"the referral was imported with {field} {was}; changing it to {now} is a correction, live work"
            raise Conflict(reason, field=f"episodes[{i}].{field}", slug="import-takes-back")


def _received_and_decided(
    run: _Import,
    child: ChildState,
    episode: ImportedEpisode,
    source: ReferralSource,
    *,
    referral_id: uuid.UUID,
    earlier: Iterable[datetime],
) -> tuple[ReferralState, list[ImportedEvent]]:
    """A referral received on its real day (noon in London) and decided that day (a second
    later): ``referral.received`` and ``referral.decided``, as live work announces them."""
    day, team, case_id = episode.referral_date, run.record.team, run.case_id(episode)
    received_at, decided_at = instant_on(day, RECEIVED), instant_on(day, DECIDED)
    decided = run.imported(day, DECIDED, referral_id, ReferralDecided.event_type)
    decision = DecisionRecord(
        id=event_id(referral_id, "decision"),
        outcome=episode.decision,
        reasons=IMPORTED_REASONS,
        team=team,
        decided_by=run.by,
        decided_at=decided_at,
        event_id=decided.event_id,
    )
    referral = ReferralState(
        received_at=received_at,
        source=source,
        referrer_name=REFERRER_NOT_KNOWN,
        referrer_agency=source.description[:200],
        concerns=f"Imported from the council's CIN census return {run.source_file}: a return carries no narrative.",
        lawful_basis=LawfulBasis.SAFEGUARDING_CHILDREN,
        suggested_threshold=ThresholdLevel.CHILD_IN_NEED,
        team=team,
        id=referral_id,
        case_id=case_id,
        child_id=child.id,
        re_referral=is_re_referral(received_at, earlier),
        decision_due_at=decision_due_at(received_at),
        status=ReferralStatus.DECIDED,
        version=2,
        created_by=run.by,
        decisions=(decision,),
        decided_within_one_working_day=True,
        import_current_stage=episode.current_status,
    )
    events = [
        ImportedEvent(
            ReferralReceived(
                referral_id=referral_id,
                case_id=case_id,
                child_id=child.id,
                received_at=received_at,
                source=source,
                referrer_agency=referral.referrer_agency,
                suggested_threshold=referral.suggested_threshold,
                re_referral=referral.re_referral,
                decision_due_at=referral.decision_due_at,
                team=team,
            ),
            referral.subject,
            1,
            run.imported(day, RECEIVED, referral_id, ReferralReceived.event_type),
        ),
        ImportedEvent(
            ReferralDecided(
                referral_id=referral_id,
                case_id=case_id,
                child_id=child.id,
                received_at=received_at,
                referral_date=day,
                source=source,
                outcome=episode.decision,
                team=team,
                decided_by=run.by,
                decided_at=decided_at,
                within_one_working_day=True,
                closed_on=None,
                primary_need=PrimaryNeedCode(episode.primary_need) if episode.primary_need else None,
            ),
            referral.subject,
            2,
            decided,
        ),
    ]
    if episode.current_status:
        events.append(_referred(run, child, referral_id, episode))
    return referral, events


def _referred(run: _Import, child: ChildState, referral_id: uuid.UUID, episode: ImportedEpisode) -> ImportedEvent:
    """Partners told the open episode is referred, since its referral date (``status.withheld``
    without an NHS number: the live partner-status rule). Its id names the file that said so."""
    day = episode.referral_date
    data = partner_status(
        child_id=child.id,
        nhs_number=child.nhs_number,
        date_of_birth=child.date_of_birth,
        status=PartnerStatus.REFERRED,
        since=day,
        team=run.record.team,
        policy=run.policy,
    )
    at = run.imported(day, STATUS, referral_id, data.event_type, day, run.source_file)
    return ImportedEvent(data, str(run.case_id(episode)), 0, at)


__all__ = ["NAME_NOT_KNOWN", "ChildImport", "HeldReferral", "ImportedChild", "ImportedEpisode", "import_child", "referral_id_of"]
