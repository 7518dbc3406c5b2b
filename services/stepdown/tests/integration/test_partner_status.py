"""Point 10 of issue 16: ``stepped_down`` and ``closed`` come from step-down alone, once, when they
are true (stepped down when early help accepts, since the day it accepted; closed since the census
closure date), in the minimal version 2 shape, and are sent again when the child's NHS number
becomes known, if step-down's is still the child's live status."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from stepdown_support import HANDOVER, Api, Cases, authorised, child_registered, decided, etag, nhs_number, received

from continuum.casework import clock
from continuum.contracts import ChildUpdated


async def test_point_10_stepped_down_when_early_help_accepts_not_when_the_plan_ends(api: Api, cases: Cases) -> None:
    row = await cases.pending_handover()
    assert await cases.partner_statuses(row["nhs_number"]) == []  # the plan ended; early help has not answered
    async with api.as_user("practitioner") as practitioner:
        r = await practitioner.put(f"/v1/stepdowns/{row['id']}/handover", json=HANDOVER, headers=etag(row["version"]))
    assert await cases.partner_statuses(row["nhs_number"]) == []
    async with api.early_help() as early_help:
        r = await early_help.post(f"/v1/stepdowns/{row['id']}/acceptance", headers=etag(r.json()["version"]))
    assert r.status_code == 200, r.text
    [status] = await cases.partner_statuses(row["nhs_number"])  # once: no "closed" beside it
    assert status == {
        "nhs_number": row["nhs_number"],
        "date_of_birth": "2016-03-14",
        "status": "stepped_down",
        "since": clock.london_date(datetime.fromisoformat(r.json()["answered_at"])).isoformat(),
        "responsible_service": "Continuum Development Council children's social care",
        "contact": "01632 960005",  # early help's, who hold the family now
    }
    [outbox] = await cases.rows(
        "SELECT key, payload FROM outbox WHERE event_type = 'status.changed' AND key = :k", k=status["nhs_number"]
    )
    assert outbox["payload"].get("traceparent") is None and str(row["case_id"]) not in str(outbox["payload"])


async def test_point_10_the_status_is_sent_again_when_the_childs_nhs_number_becomes_known(cases: Cases) -> None:
    child, number = uuid.uuid4(), nhs_number()
    await cases.deliver(child_registered(child, nhs_number=None))
    await cases.deliver(authorised(outcome="nfa", child_id=child, on=date(2026, 5, 20)))
    assert await cases.partner_statuses(number) == []
    # Withheld meanwhile: the partners service logs it as a decision not to share, sends it to nobody.
    withheld = await cases.rows("SELECT payload FROM outbox WHERE event_type = 'status.withheld' AND key = :k", k=str(child))
    assert [(w["payload"]["data"]["status"], w["payload"]["data"]["since"]) for w in withheld] == [("closed", "2026-05-20")]
    await cases.deliver(child_registered(child, version=2, nhs_number=number, event_type=ChildUpdated))
    [status] = await cases.partner_statuses(number)
    assert (status["status"], status["since"]) == ("closed", "2026-05-20")
    # Known already: a later update, or the same one again, sends nothing more.
    await cases.deliver(child_registered(child, version=3, nhs_number=number, event_type=ChildUpdated))
    await cases.deliver(child_registered(child, version=2, nhs_number=number, event_type=ChildUpdated))
    assert len(await cases.partner_statuses(number)) == 1


async def test_point_10_the_latest_episodes_status_is_the_one_sent(cases: Cases) -> None:
    child, number = uuid.uuid4(), nhs_number()
    await cases.deliver(authorised(outcome="nfa", child_id=child, referral_date=date(2026, 4, 1), on=date(2026, 5, 20)))
    await cases.deliver(decided(outcome="nfa", child_id=child, referral_date=date(2026, 9, 1)))
    await cases.deliver(child_registered(child, nhs_number=number))
    [status] = await cases.partner_statuses(number)
    assert (status["status"], status["since"]) == ("closed", "2026-09-01")


async def test_point_10_no_status_is_sent_for_a_child_whose_newer_episode_is_open(cases: Cases) -> None:
    child, number = uuid.uuid4(), nhs_number()
    await cases.deliver(authorised(outcome="nfa", child_id=child, on=date(2026, 5, 20)))
    newer = uuid.uuid4()
    await cases.deliver(received(case_id=newer, child_id=child, at=datetime(2026, 10, 5, 9, tzinfo=UTC)))
    await cases.deliver(child_registered(child, nhs_number=number))
    assert await cases.partner_statuses(number) == []  # the referral service's "referred" is the live one
    await cases.deliver(decided(outcome="nfa", case_id=newer, child_id=child, referral_date=date(2026, 10, 5)))
    [status] = await cases.partner_statuses(number)
    assert (status["status"], status["since"]) == ("closed", "2026-10-05")
