"""The front door's decision and its corrections: one path, the same domain transition."""

from __future__ import annotations

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import ReferralDecided
from continuum.persistence.change import check_version
from continuum.persistence.uow import UnitOfWork
from referral import domain, repository
from referral.domain import OpenEpisodeConflict, ReferralRecord
from referral.use_cases.commands import Decide
from referral.use_cases.intake import refuse_open_episode
from referral.use_cases.reads import referral_record


async def decide(uow: UnitOfWork, command: Decide, *, policy: CouncilPolicy) -> ReferralRecord:
    """A manager decides (NFA, early help, assessment or strategy discussion), or, with a
    ``correction_reason``, replaces the decision in force, saying why."""
    correcting = command.correction_reason is not None
    purpose = "correct a front-door decision" if correcting else "front-door decision"
    async with uow as tx:
        referral = await repository.visible_referral(tx, command.referral_id, purpose=purpose, lock=True)
        check_version(referral.version, command.expected_version)
        # The child locked with its episodes: a correction may not reopen this one beside another.
        known = await repository.known_child(tx, referral.child_id, lock=True)
        assert known is not None
        child = known.child
        now = clock.now()
        try:
            decided, events = domain.decide(
                referral,
                child=child,
                outcome=command.outcome,
                reasons=command.reasons,
                team=command.team,
                by=tx.principal_or_fail().sub,
                at=now,
                policy=policy,
                correction_reason=command.correction_reason,
                episodes=known.episodes,
            )
        except OpenEpisodeConflict as conflict:
            raise refuse_open_episode(tx, conflict) from None
        announced = await tx.publish_all(events, aggregate=decided)
        # The decision remembers the event that announced it, so a later correction can name it.
        event_id = next(e.id for e in announced if e.type == ReferralDecided.event_type)
        await repository.save_decision(tx, decided, event_id=event_id)
        action = "referral.correct_decision" if correcting else "referral.decide"
        await tx.audit(action, subject_type="referral", subject_id=decided.id, purpose="front-door decision")
        return await referral_record(tx, decided, purpose=purpose, now=now, child=child)
