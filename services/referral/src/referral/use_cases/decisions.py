"""The front door's decision and its corrections: one path, the same domain transition."""

from __future__ import annotations

import uuid

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import ReferralDecided
from continuum.persistence.uow import UnitOfWork
from continuum.web.errors import check_version
from referral import domain, repository
from referral.domain import OpenEpisodeConflict
from referral.schemas import CorrectionIn, DecisionIn, ReferralOut
from referral.use_cases.intake import refuse_open_episode
from referral.use_cases.reads import referral_view


async def decide(
    uow: UnitOfWork, *, referral_id: uuid.UUID, decision: DecisionIn, policy: CouncilPolicy, expected_version: int | None
) -> ReferralOut:
    """A manager decides: NFA, early help, assessment or strategy discussion."""
    return await _decide(uow, referral_id, decision, policy, expected_version, correction_reason=None)


async def correct_decision(
    uow: UnitOfWork, *, referral_id: uuid.UUID, correction: CorrectionIn, policy: CouncilPolicy, expected_version: int | None
) -> ReferralOut:
    """A manager replaces the decision in force, saying why."""
    return await _decide(uow, referral_id, correction, policy, expected_version, correction_reason=correction.correction_reason)


async def _decide(
    uow: UnitOfWork,
    referral_id: uuid.UUID,
    data: DecisionIn,
    policy: CouncilPolicy,
    expected_version: int | None,
    *,
    correction_reason: str | None,
) -> ReferralOut:
    purpose = "front-door decision" if correction_reason is None else "correct a front-door decision"
    async with uow as tx:
        referral = await repository.visible_referral(tx, referral_id, purpose=purpose, lock=True)
        check_version(referral.version, expected_version)
        # The child locked with its episodes: a correction may not reopen this one beside another.
        known = await repository.known_child(tx, referral.child_id, lock=True)
        assert known is not None
        child = known.child
        now = clock.now()
        try:
            decided, events = domain.decide(
                referral,
                child=child,
                outcome=data.outcome,
                reasons=data.reasons,
                team=data.team,
                by=tx.principal_or_fail().sub,
                at=now,
                policy=policy,
                correction_reason=correction_reason,
                episodes=known.episodes,
            )
        except OpenEpisodeConflict as conflict:
            raise refuse_open_episode(tx, conflict) from None
        announced = await tx.publish_all(events, aggregate=decided)
        # The decision remembers the event that announced it, so a later correction can name it.
        event_id = next(e.id for e in announced if e.type == ReferralDecided.event_type)
        await repository.save_decision(tx, decided, event_id=event_id)
        action = "referral.decide" if correction_reason is None else "referral.correct_decision"
        await tx.audit(action, subject_type="referral", subject_id=decided.id, purpose="front-door decision")
        return await referral_view(tx, decided, purpose=purpose, now=now, child=child)
