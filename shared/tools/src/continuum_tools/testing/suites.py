"""Test suites every service runs against its own routes and consumers, written once.

* :class:`PermissionWalk`: every operation of the API, called with every role (and with none),
  answers 403 exactly when the permission table refuses the role, and a 403 on a child's record
  leaves a refused audit row.
* :class:`AuditWalk`: every operation that carries or refuses a child's record writes its audit
  row; the service gives one scenario per such operation of its own (the kernel's operations, in
  every service, bring theirs: :data:`KERNEL_SCENARIOS`).
* :func:`duplicates_change_nothing` and :func:`poison_is_dead_lettered`: a consumer on the real
  broker handles an event delivered many times once, and sends what it cannot read to its
  dead-letter topic while the next event flows.

A service subclasses the walks in its own test module (``class TestPermissionWalk(PermissionWalk):
permissions = PERMISSIONS``); the walks take the service's ``api`` fixture (anything with ``app``
and ``settings``) and parametrise themselves from the class's table.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar

import httpx
import pytest

from continuum.casework.principal import Role
from continuum.contracts import Envelope
from continuum.messaging.kafka import dlq_topic
from continuum.web.auth import mint_dev_token
from continuum.web.permissions import PermissionTable, api_operations
from continuum_tools.testing.api import ROLES_TO_WALK, ServiceCases, call_operation
from continuum_tools.testing.checks import eventually
from continuum_tools.testing.events import read_raw, send_events

#: What an answer's audit rows must include: (subject type, subject id, outcome).
Expected = set[tuple[str, str, str]]
#: A scenario of the audit walk: the answers it provoked, each with the rows it must have written.
Scenario = Callable[..., Awaitable[list[tuple[httpx.Response, Expected]]]]


async def audit_rows(service: ServiceCases, request_id: str) -> list[dict[str, Any]]:
    """The audit rows a request wrote (by its ``X-Request-ID``), oldest first."""
    return await service.rows(
        "SELECT subject_type, subject_id, outcome FROM audit_log WHERE request_id = :rid ORDER BY id", rid=request_id
    )


async def call(client: httpx.AsyncClient, method: str, url: str, **kw: Any) -> httpx.Response:
    """A request with a fresh ``X-Request-ID`` (which names its audit rows)."""
    return await client.request(method, url, headers={"X-Request-ID": str(uuid.uuid4())} | kw.pop("headers", {}), **kw)


def withheld(response: httpx.Response) -> bool:
    """Whether an answer withholds the record: an error, or (a lookup) a list that leaves it out."""
    if response.status_code >= 400:
        return True
    if not response.headers.get("content-type", "").startswith("application/json"):
        return False
    body: Any = response.json()
    return isinstance(body, dict) and body.get("items") == []


class PermissionWalk:
    """The permission table, walked. Subclass with ``permissions`` (the service's table)."""

    permissions: ClassVar[PermissionTable]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "operation" in metafunc.fixturenames:
            metafunc.parametrize("operation", sorted(self.permissions.operations()))
        if "role" in metafunc.fixturenames:
            metafunc.parametrize("role", ROLES_TO_WALK)

    def test_the_table_names_every_operation_of_the_api_and_nothing_else(self, api: Any) -> None:
        assert set(api_operations(api.app)) == self.permissions.operations()

    async def test_every_operation_answers_403_exactly_to_the_roles_the_table_refuses(
        self, api: Any, operation: str, role: str | None
    ) -> None:
        permission = self.permissions[operation]
        r = await call_operation(api.app, api.settings, operation, role)
        granted = role is not None and Role(role) in permission.roles
        if granted:
            assert r.status_code not in (401, 403) and r.status_code < 500, r.text
            return
        assert r.status_code == 403, r.text
        assert r.headers["content-type"] == "application/problem+json"
        rows = await audit_rows(ServiceCases(api.app, api.settings), r.headers["x-request-id"])
        expected = [(permission.record, "refused")] if permission.record else []
        assert [(row["subject_type"], row["outcome"]) for row in rows] == expected


async def history_read_and_refused(api: Any) -> list[tuple[httpx.Response, Expected]]:
    """``GET /v1/history`` (every service's, the kernel's): a refused caller's 403 is audited, and
    so is an admin's page of the service's latest event (if it has any): its ``seq`` range."""
    service = ServiceCases(api.app, api.settings)

    def caller(role: str) -> httpx.AsyncClient:
        token = mint_dev_token(api.settings, sub=f"history-walk-{role}", roles=[role], teams=["north"])
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api.app), base_url="http://walk", headers={"Authorization": f"Bearer {token}"}
        )

    async with caller("practitioner") as practitioner:
        answers = [(await call(practitioner, "GET", "/v1/history"), {("history", "-", "refused")})]
    latest = await service.scalar("SELECT max(seq) FROM (SELECT seq FROM outbox UNION ALL SELECT seq FROM event_history) AS s")
    if latest is not None:  # insight, which publishes nothing, has no history to read
        async with caller("admin") as admin:
            page = await call(admin, "GET", "/v1/history", params={"after": latest - 1, "limit": 1})
        answers.append((page, {("history", f"{latest - 1}..{latest}", "success")}))
    return answers


#: The audit scenario of each operation the kernel serves in every service (``KERNEL_PERMISSIONS``).
KERNEL_SCENARIOS: dict[str, Callable[[Any], Awaitable[list[tuple[httpx.Response, Expected]]]]] = {
    "event_history": history_read_and_refused,
}


class AuditWalk:
    """Every answer that carries or refuses a child's record is audited. Subclass with
    ``permissions`` and ``scenarios`` (operation -> scenario, one for every operation the table
    marks as carrying a record); a scenario is called with the ``scenario_args`` fixture's values
    (by default the service's ``api`` and ``cases``)."""

    permissions: ClassVar[PermissionTable]
    scenarios: ClassVar[Mapping[str, Scenario]]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "operation" in metafunc.fixturenames:
            metafunc.parametrize("operation", sorted(set(self.scenarios) | set(KERNEL_SCENARIOS)))

    @pytest.fixture
    def scenario_args(self, api: Any, cases: Any) -> tuple[Any, ...]:
        return api, cases

    def test_every_operation_that_carries_a_childs_record_has_an_audit_scenario(self) -> None:
        carrying = {op for op in self.permissions.operations() if self.permissions[op].record is not None}
        assert set(self.scenarios) | set(KERNEL_SCENARIOS) == carrying

    async def test_every_answer_that_carries_or_refuses_a_childs_record_is_audited(
        self, api: Any, scenario_args: tuple[Any, ...], operation: str
    ) -> None:
        service = ServiceCases(api.app, api.settings)
        if operation in KERNEL_SCENARIOS:
            answers = await KERNEL_SCENARIOS[operation](api)
        else:
            answers = await self.scenarios[operation](*scenario_args)
        for response, expected in answers:
            refused = any(outcome == "refused" for _, _, outcome in expected)
            assert withheld(response) == refused, response.text
            rows = await audit_rows(service, response.headers["x-request-id"])
            written = {(r["subject_type"], r["subject_id"], r["outcome"]) for r in rows}
            assert expected <= written, f"{operation} {response.status_code}: missing {expected - written}"


async def handled(service: ServiceCases, consumer: str, event: Envelope[Any]) -> int:
    """How many inbox rows ``consumer`` holds for ``event`` (1 once handled, never more)."""
    count: int = await service.scalar("SELECT count(*) FROM inbox WHERE consumer = :c AND event_id = :e", c=consumer, e=event.id)
    return count


async def duplicates_change_nothing(
    bootstrap: str,
    topic: str,
    service: ServiceCases,
    *,
    consumer: str,
    event: Envelope[Any],
    after: Envelope[Any],
    times: int = 3,
    key: str | None = None,
) -> None:
    """Send ``event`` ``times`` times, then ``after``, all on one key (``key``, else the event's
    subject), so on one partition: once ``after`` is handled, every copy was consumed. The inbox
    then holds one row for ``event``. The caller asserts what the event did, once."""
    key = key or event.subject
    await send_events(bootstrap, topic, *([event] * times), after, key=key)
    await eventually(lambda: handled(service, consumer, after), what=f"{after.type} handled after the copies")
    assert await handled(service, consumer, event) == 1


async def poison_is_dead_lettered(
    bootstrap: str,
    topic: str,
    service: ServiceCases,
    *,
    consumer: str,
    broken: Mapping[str, Any],
    then: Envelope[Any],
    refused: Sequence[Envelope[Any]] = (),
) -> list[Any]:
    """Send, on one new key, a message that is not JSON, ``broken`` (an event's JSON that breaks its
    contract), each of ``refused`` (events that break a rule), and then ``then``: ``then`` is
    handled, and the dead-letter topic holds the others in order, each with why (``invalid: not
    JSON``, ``invalid: <type> does not match its contract``, ``rejected: ...``) and where it came
    from. Returns the dead letters."""
    key, marker = str(uuid.uuid4()), uuid.uuid4().hex
    await send_events(bootstrap, topic, (key, f"not json {marker}".encode()), (key, json.dumps(broken).encode()), key=key)
    await send_events(bootstrap, topic, *refused, then, key=key)
    await eventually(lambda: handled(service, consumer, then), what=f"{then.type} handled after the poison")
    expected = 2 + len(refused)

    async def dead_letters() -> list[Any] | None:
        found = [r for r in await read_raw(bootstrap, dlq_topic(consumer)) if r.key == key.encode()]
        return found if len(found) >= expected else None

    letters: list[Any] = await eventually(dead_letters, what="the dead letters")
    assert len(letters) == expected
    reasons = [dict(r.headers)["dlq_reason"].decode() for r in letters]
    assert reasons[0].startswith("invalid: not JSON") and marker.encode() in letters[0].value
    assert reasons[1].startswith(f"invalid: {broken['type']} does not match its contract"), reasons[1]
    assert all(reason.startswith("rejected:") for reason in reasons[2:]), reasons[2:]
    assert all(dict(r.headers)["dlq_original_topic"] == topic.encode() for r in letters)
    assert all(dict(r.headers)["dlq_consumer"] == consumer.encode() for r in letters)
    assert await handled(service, consumer, then) == 1
    return letters
