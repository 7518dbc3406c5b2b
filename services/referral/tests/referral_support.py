"""Helpers for the referral service's tests: an API client per user and valid request bodies."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from continuum.contracts import (
    PARTNER_STATUS_TOPIC,
    REFERRAL_TOPIC,
    STEPDOWN_TOPIC,
    Envelope,
    EventData,
    StepUpRequested,
    parse_event,
)
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.stepdown import CaseClosed, CaseReopened
from continuum.web.auth import mint_dev_token
from continuum_tools.testing import eventually, read_raw, remember_personal_data, table_counts, unique
from referral.settings import ReferralSettings


class Api:
    """An HTTP client for the referral API, acting as one user."""

    def __init__(self, app: Any, settings: ReferralSettings) -> None:
        self.app = app
        self.settings = settings

    def as_user(
        self, *roles: str, teams: tuple[str, ...] = ("north",), sw_qualified: bool = False, sub: str | None = None
    ) -> httpx.AsyncClient:
        token = mint_dev_token(
            self.settings, sub=sub or unique("user"), roles=list(roles), teams=list(teams), sw_qualified=sw_qualified
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://referral",
            headers={"Authorization": f"Bearer {token}"},
        )


def new_child(**overrides: Any) -> dict[str, Any]:
    """A valid new child with unique identifiers; its name and date of birth are remembered for the log check."""
    child: dict[str, Any] = {
        "la_child_id": la_child_id(),
        "given_name": unique("Given").replace("-", ""),
        "family_name": unique("Family").replace("-", ""),
        "date_of_birth": "2016-03-14",
        "sex": "F",
        "ethnicity": "WBRI",
        "disabilities": ["NONE"],
        "postcode": "EX1 1AA",
    } | overrides
    remember_personal_data(child["given_name"], child["family_name"], str(child.get("date_of_birth") or ""))
    return child


def new_referral(child: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "child": child if child is not None else new_child(),
        "received_at": "2026-11-20T10:00:00Z",
        "source": "6",
        "referrer": {"name": "PC Example", "agency": "Example Constabulary"},
        "concerns": "Police attended a domestic incident; the child was present.",
        "lawful_basis": "public_task_safeguarding_children",
        "suggested_threshold": "child_in_need",
        "team": "north",
    }
    return body | overrides


async def decided_nfa(api: Api, referral: dict[str, Any]) -> dict[str, Any]:
    """The front door's NFA on ``referral`` (at its current version): its episode no longer counts
    as open (census ReferralNFA; step-down closes it), so the child may be referred again."""
    team = referral["team"]
    async with api.as_user("manager", teams=(team,)) as manager:
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision",
            json={"outcome": "nfa", "reasons": "No further action needed.", "team": team},
            headers={"If-Match": f'"{referral["version"]}"'},
        )
    assert r.status_code == 200, r.text
    decided: dict[str, Any] = r.json()
    return decided


def today() -> date:
    return date.today()


# --- identifiers --------------------------------------------------------------------------------


def nhs_number() -> str:
    """A random NHS number with a correct modulus-11 check digit (computed here, not by the code under test)."""
    while True:
        digits = [random.randint(0, 9) for _ in range(9)]
        remainder = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        check = (11 - remainder) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def la_child_id() -> str:
    """A unique census LAchildID: letters and digits only, at most 20 (rules 1570, 1580)."""
    return "LA" + uuid.uuid4().hex[:14].upper()


#: The UPN check letters for the values 0 to 22 (the alphabet without I, O and S).
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(rest: str) -> str:
    """The DfE check letter of a UPN's last twelve characters (computed here, not by the code under
    test): each character times its position 2 to 13, summed, modulo 23; a final letter counts as
    its value in ``UPN_LETTERS``."""
    values = [int(c) if c.isdigit() else UPN_LETTERS.index(c) for c in rest]
    return UPN_LETTERS[sum(v * w for v, w in zip(values, range(2, 14), strict=True)) % 23]


def upn(la: str = "801") -> str:
    """A random permanent UPN issued in LA ``la`` (Bristol's 801 by default), with its check letter."""
    rest = la + "".join(random.choice("0123456789") for _ in range(9))
    return upn_check_letter(rest) + rest


# --- the test database --------------------------------------------------------------------------


def _dsn(settings: ReferralSettings) -> str:
    return str(settings.database_url).replace("postgresql+asyncpg://", "postgresql://")


async def db_fetch(settings: ReferralSettings, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(_dsn(settings))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def db_value(settings: ReferralSettings, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(_dsn(settings))
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def db_execute(settings: ReferralSettings, sql: str, *args: Any) -> str:
    conn = await asyncpg.connect(_dsn(settings))
    try:
        return str(await conn.execute(sql, *args))
    finally:
        await conn.close()


async def row_counts(settings: ReferralSettings) -> dict[str, int]:
    """How many rows the tables a bad request must not touch hold now."""
    return await table_counts(_dsn(settings), COUNTED_TABLES)


COUNTED_TABLES = ("referrals", "children", "outbox", "referral_decisions", "information_requests")


async def audit_count(settings: ReferralSettings, subject_id: str, *, outcome: str | None = None) -> int:
    if outcome is None:
        return int(await db_value(settings, "SELECT count(*) FROM audit_log WHERE subject_id = $1", subject_id))
    return int(
        await db_value(settings, "SELECT count(*) FROM audit_log WHERE subject_id = $1 AND outcome = $2", subject_id, outcome)
    )


async def wait_for_row(settings: ReferralSettings, sql: str, *args: Any, within: float = 10.0) -> asyncpg.Record:
    """Poll until ``sql`` returns a row; fail after ``within`` seconds."""

    async def first() -> asyncpg.Record | None:
        rows = await db_fetch(settings, sql, *args)
        return rows[0] if rows else None

    row: asyncpg.Record = await eventually(first, within=within, interval=0.1)
    return row


# --- the topics ---------------------------------------------------------------------------------


async def events_since(settings: ReferralSettings, since: datetime, *, within: float = 10.0) -> list[Envelope[Any]]:
    """Every event this service created at or after ``since`` that reached its topics, once the
    outbox relay has published every event written so far (failing after ``within`` seconds)."""
    written = await db_value(settings, "SELECT coalesce(max(seq), 0) FROM outbox")

    async def published() -> bool:
        left = await db_value(settings, "SELECT count(*) FROM outbox WHERE published_at IS NULL AND seq <= $1", written)
        return bool(left == 0)

    await eventually(published, within=within, what="the outbox relay publishing what was written")
    found: list[Envelope[Any]] = []
    for topic in (REFERRAL_TOPIC, PARTNER_STATUS_TOPIC):
        for record in await read_raw(settings.kafka_bootstrap, topic):
            try:
                event = parse_event(record.value or b"")
            except ValueError:
                continue
            # Only this service's events: other services' consumers react to earlier tests' events
            # and publish on the shared partner-status topic meanwhile.
            if event.time >= since and event.source == settings.service_name:
                found.append(event)
    return found


# --- answers ------------------------------------------------------------------------------------


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@asynccontextmanager
async def changes_nothing(settings: ReferralSettings, *rows: tuple[str, str]) -> AsyncIterator[None]:
    """Asserts that the block leaves the counted tables' row counts, the given rows (``(table, id)``:
    every column) and the topics as they were."""
    counts = await row_counts(settings)
    before = {row: await _row(settings, *row) for row in rows}
    since = now_utc()
    yield
    assert await row_counts(settings) == counts
    for row, values in before.items():
        assert await _row(settings, *row) == values, f"{row} changed"
    assert [(e.type, e.subject) for e in await events_since(settings, since)] == []


async def _row(settings: ReferralSettings, table: str, row_id: str) -> dict[str, Any]:
    assert table in COUNTED_TABLES
    rows = await db_fetch(settings, f"SELECT * FROM {table} WHERE id = $1", uuid.UUID(row_id))
    assert len(rows) == 1, f"{table} {row_id} not found"
    return dict(rows[0])


async def post_referral(client: httpx.AsyncClient, body: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
    """POST a referral that must be accepted; returns the answer's body."""
    r = await client.post("/v1/referrals", json=body if body is not None else new_referral(), headers=headers)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


# --- the step-down service's events, sent as it would send them -----------------------------------


async def publish_stepdown(settings: ReferralSettings, *events: Envelope[Any]) -> None:
    """Send ``events`` on continuum.stepdown, each keyed by its subject, as step-down's relay does."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=False, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(STEPDOWN_TOPIC, dumps_event(event), key=event.subject.encode())
    finally:
        await producer.stop()


def dumps_event(event: Envelope[Any]) -> bytes:
    return json.dumps(event.to_json_dict()).encode()


def stepdown_event(data: EventData, subject: str) -> Envelope[Any]:
    return Envelope.wrap(data, source="stepdown", subject=subject, aggregate_version=1)


def case_closed(referral: dict[str, Any], *, closed_on: str, reason: str = "RC8", nfa: bool = True) -> Envelope[Any]:
    """Step-down's closure of ``referral``'s episode (census closure date and reason)."""
    data = CaseClosed(
        case_id=uuid.UUID(referral["case_id"]),
        child_id=uuid.UUID(referral["child"]["id"]),
        team=referral["team"],
        stepdown_id=uuid.uuid4(),
        kind="close",
        referral_date=date.fromisoformat(referral["referral_date"]),
        closure_date=date.fromisoformat(closed_on),
        reason_for_closure=ReasonForClosure(reason),
        referral_nfa=nfa,
        assessed=False,
        unmet_need=False,
        actions=None,
        closed_at=now_utc(),
    )
    return stepdown_event(data, referral["case_id"])


def case_reopened(referral: dict[str, Any], *, closure_date: str) -> Envelope[Any]:
    data = CaseReopened(
        case_id=uuid.UUID(referral["case_id"]),
        child_id=uuid.UUID(referral["child"]["id"]),
        team=referral["team"],
        stepdown_id=uuid.uuid4(),
        closure_date=date.fromisoformat(closure_date),
        reopened_at=now_utc(),
    )
    return stepdown_event(data, referral["case_id"])


def stepup(child_id: str, *, requested_at: datetime | None = None, team: str | None = "south") -> Envelope[Any]:
    episode = uuid.uuid4()
    data = StepUpRequested(
        early_help_episode_id=episode,
        child_id=uuid.UUID(child_id),
        requested_at=requested_at or now_utc(),
        requested_by="early-help-worker-1",
        reason="Escalating neglect despite the family plan.",
        team=team,
    )
    return stepdown_event(data, str(episode))


async def closed_by_step_down(api: Api, referral: dict[str, Any], *, closed_on: str, reason: str = "RC8") -> None:
    """Step-down's case.closed for ``referral``, sent and applied (the referral shows it closed)."""
    await publish_stepdown(api.settings, case_closed(referral, closed_on=closed_on, reason=reason))
    await wait_for_row(api.settings, "SELECT 1 FROM referrals WHERE id = $1 AND closed_on IS NOT NULL", uuid.UUID(referral["id"]))
