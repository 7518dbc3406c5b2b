"""Events the referral service consumes from the step-down service: a step-up from early help
becomes a new referral (or, while the child's episode is open, a contact on it), and step-down's
closures and reopenings of episodes keep the one-open-episode rule honest (decision 34)."""

from __future__ import annotations

import logging
from dataclasses import fields
from typing import Any

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import Envelope, StepUpRequested, ThresholdLevel
from continuum.contracts.codes import ReferralSource
from continuum.contracts.stepdown import CaseClosed, CaseReopened
from continuum.messaging.consumer import Handler, PermanentFailure
from continuum.persistence.uow import Transaction
from referral import domain, repository
from referral.domain import ContactState, Intake, LawfulBasis, OpenEpisodeConflict
from referral.schemas import ReferralIn, Referrer
from referral.use_cases.commands import ReceiveReferral
from referral.use_cases.intake import open_referral

log = logging.getLogger(__name__)

STEPUP_CONSUMER = "referral.stepup"
#: Its own group, so that a service upgraded to consume closures reads them from the topic's start.
EPISODES_CONSUMER = "referral.episodes"


async def _stepped_up(tx: Transaction, referral: ReceiveReferral, policy: CouncilPolicy) -> None:
    """Open the referral a step-up is, or, while the child's episode is open, record it as a
    contact on that episode for the front door (never a second episode, never dead-lettered)."""
    try:
        await open_referral(tx, referral, policy)
    except OpenEpisodeConflict as conflict:
        contact = domain.record_contact(
            referral.intake,
            episode=conflict.episode,
            child_id=conflict.child_id,
            by=f"service:{tx.source}",
            now=clock.now(),
        )
        await repository.insert_contact(tx, contact)
        purpose = "step-up recorded on the open episode"
        await tx.audit("referral.contact", subject_type="referral", subject_id=conflict.episode.referral_id, purpose=purpose)


def make_stepup_handler(policy: CouncilPolicy) -> Handler:
    async def on_stepup_requested(tx: Transaction, event: Envelope[Any]) -> None:
        """Early help steps a family up: a new referral, source 5D, linked to the early-help episode."""
        data: StepUpRequested = event.data
        if event.imported:
            # A fact of a council's past (decision 59): the referral it led to, if any, is imported
            # with its own record; an imported event starts no work.
            log.info("imported stepup.requested: no referral opened", extra={"event_id": str(event.id)})
            return
        if await repository.known_child(tx, data.child_id) is None:
            raise PermanentFailure("stepup.requested names a child this service has never registered")
        team = data.team if data.team and policy.team(data.team) else policy.front_door_team.id
        # The event's time is the receipt time; a producer's clock a little ahead of ours must not
        # make it "in the future" (the API's rule for people typing a time).
        # Read as the API reads a referral (the same model: text trimmed, lengths bounded).
        referral = ReferralIn(
            child_id=data.child_id,
            received_at=min(data.requested_at, clock.now()),
            source=ReferralSource.EARLY_HELP,
            referrer=Referrer(name=data.requested_by, agency="Early help"),
            concerns=data.reason,
            lawful_basis=LawfulBasis.SAFEGUARDING_CHILDREN,
            suggested_threshold=ThresholdLevel.CHILD_IN_NEED,
            team=team,
        )
        intake = referral.intake(stepped_up_from=data.early_help_episode_id)
        await _stepped_up(tx, ReceiveReferral(intake, child_id=data.child_id), policy)

    return on_stepup_requested


def _referral_of(contact: ContactState) -> ReceiveReferral:
    """The referral a held contact becomes: the intake it recorded, of its child."""
    intake = Intake(**{f.name: getattr(contact, f.name) for f in fields(Intake)})
    return ReceiveReferral(intake, child_id=contact.child_id)


def make_case_closed_handler(policy: CouncilPolicy) -> Handler:
    async def on_case_closed(tx: Transaction, event: Envelope[Any]) -> None:
        """Step-down closed an episode: its closure date and reason are shown on the referral, the
        child may be referred again, and a step-up held on it that was asked for after the closure
        (the events crossed) becomes its referral now."""
        data: CaseClosed = event.data
        # The child first, as an intake of it locks it: a step-up of the child that another consumer
        # handles meanwhile either sees this closure (and opens its referral) or is committed as a
        # held contact before the contacts are read below. Unlocked, each could miss the other.
        await repository.known_child(tx, data.child_id, lock=True)
        referral = await repository.referral_of_case(tx, data.case_id)
        if referral is None:  # not an episode this service opened: nothing here to close
            log.warning("case.closed for a case this service did not open", extra={"case_id": str(data.case_id)})
            return
        closed = domain.close_episode(referral, closed_on=data.closure_date, reason=data.reason_for_closure)
        await repository.save_closure(tx, closed)
        for contact in await repository.held_contacts(tx, data.case_id):
            if not domain.released_by_closure(contact, data.closure_date):
                continue
            try:
                opened, _ = await open_referral(tx, _referral_of(contact), policy)
            except OpenEpisodeConflict:  # another episode of the child is open: it stays a contact here
                continue
            await repository.contact_became(tx, contact, opened.id)

    return on_case_closed


async def on_case_reopened(tx: Transaction, event: Envelope[Any]) -> None:
    """Step-down withdrew a closure (the front door's NFA corrected): the episode is open again."""
    data: CaseReopened = event.data
    referral = await repository.referral_of_case(tx, data.case_id)
    if referral is None:
        log.warning("case.reopened for a case this service did not open", extra={"case_id": str(data.case_id)})
        return
    reopened = domain.reopen_episode(referral, closure_date=data.closure_date)
    if reopened is not None:
        await repository.save_closure(tx, reopened)


def episode_handlers(policy: CouncilPolicy) -> dict[str, Handler]:
    return {CaseClosed.event_type: make_case_closed_handler(policy), CaseReopened.event_type: on_case_reopened}
