"""Requests for information to partner agencies about a referral, and their answers."""

from __future__ import annotations

from continuum.casework import clock
from continuum.persistence.uow import UnitOfWork
from referral import domain, repository
from referral.domain import RequestRecord
from referral.use_cases.commands import RecordInformation, RequestInformation


async def request_information(uow: UnitOfWork, command: RequestInformation) -> RequestRecord:
    async with uow as tx:
        referral = await repository.visible_referral(tx, command.referral_id, purpose="request partner information")
        now = clock.now()
        asked, events = domain.request_information(
            referral,
            agency=command.agency,
            question=command.question,
            due_at=command.due_at,
            by=tx.principal_or_fail().sub,
            now=now,
        )
        await repository.insert_information_request(tx, asked)
        await tx.publish_all(events, aggregate=referral)
        purpose = f"request information from {asked.agency.value}"
        await tx.audit("information.request", subject_type="referral", subject_id=referral.id, purpose=purpose)
        return RequestRecord(asked, now)


async def record_information(uow: UnitOfWork, command: RecordInformation) -> RequestRecord:
    async with uow as tx:
        referral = await repository.visible_referral(tx, command.referral_id, purpose="record partner information")
        asked = await repository.information_request(tx, referral, command.request_id)
        now = clock.now()
        answered, events = domain.record_information(
            asked, referral=referral, answer=command.answer, by=tx.principal_or_fail().sub, now=now
        )
        await repository.save_answer(tx, answered)
        await tx.publish_all(events, aggregate=referral)
        purpose = f"record information from {answered.agency.value}"
        await tx.audit("information.record", subject_type="referral", subject_id=referral.id, purpose=purpose)
        return RequestRecord(answered, now)
