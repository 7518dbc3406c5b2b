"""A council's history imported (decision 59, issue 20): children and their referrals with their
real dates through ``POST /v1/imports/children``, for the importer alone; the same batch again
changes nothing, a later return adds only its new facts, a bad child is refused whole, a dry run
writes nothing; an open episode is live; imported events keep state and start no work."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from referral_support import Api, db_fetch, db_value, new_child, new_referral, nhs_number, now_utc, post_referral, upn

from continuum.casework.imports import child_key, episode_key, event_id, instant_on, module_key
from continuum.contracts import Envelope, EventData, StepUpRequested
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.stepdown import CaseClosed
from continuum_tools.importing.generate import generated_children
from continuum_tools.importing.payloads import parts
from continuum_tools.testing import assert_problem, unique

LA = "801"
PATH = "/v1/imports/children"


def _la_child_id() -> str:
    return "IMP" + uuid.uuid4().hex[:12].upper()


def _episode(day: str, decision: str = "assessment", *, current: bool = False, source: str = "6") -> dict[str, Any]:
    nfa = decision in ("nfa", "early_help")
    return {"referral_date": day, "source": source, "referral_nfa": nfa, "decision": decision, "current_status": current}


def _child(*episodes: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    child: dict[str, Any] = {
        "la_child_id": _la_child_id(),
        "upn": None,
        "former_upn": None,
        "upn_unknown_reason": "UN1",
        "date_of_birth": "2015-03-14",
        "expected_date_of_birth": None,
        "sex": "F",
        "ethnicity": "WBRI",
        "disabilities": ["NONE"],
        "date_of_death": None,
        "team": "north",
        "episodes": list(episodes) or [_episode("2024-05-02", "nfa")],
    }
    return child | overrides


def _batch(*children: dict[str, Any], source: str | None = None) -> dict[str, Any]:
    return {"source": source or unique("census") + ".xml", "la": LA, "children": list(children)}


async def _import(api: Api, body: dict[str, Any], *, dry_run: bool = False, sub: str = "import-job") -> dict[str, Any]:
    async with api.as_user("importer", sub=sub) as importer:
        r = await importer.post(PATH, json=body, params={"dry_run": str(dry_run).lower()})
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


async def _events(api: Api, *children: dict[str, Any]) -> list[dict[str, Any]]:
    """The outbox's events about these imported children (their own, their cases' and their
    partner statuses), in the order written."""
    ids = [str(child_key(LA, c["la_child_id"])) for c in children]
    rows = await db_fetch(
        api.settings,
        "SELECT payload FROM outbox WHERE payload->'data'->>'child_id' = ANY($1::text[]) ORDER BY seq",
        ids,
    )
    return [_json(r["payload"]) for r in rows]


def _json(value: Any) -> dict[str, Any]:
    import json

    loaded: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return loaded


async def _children_with(api: Api, la_child_id: str) -> int:
    return int(await db_value(api.settings, "SELECT count(*) FROM children WHERE la_child_id = $1", la_child_id))


def _referral_id(child: dict[str, Any], day: str) -> uuid.UUID:
    d = date.fromisoformat(day)
    return module_key(LA, "referral", child["la_child_id"], d, d)


async def test_a_batch_is_imported_with_its_real_dates_derived_ids_and_audit_rows(api: Api) -> None:
    closed = _child(_episode("2019-06-03", "nfa"), _episode("2019-09-10", "assessment"))
    open_ = _child(_episode("2024-01-08", "nfa"), _episode("2024-11-04", "strategy_discussion", current=True))
    named = _child(_episode("2023-02-01", "early_help"), given_name="Ada", family_name="Lovelace", sex="F")
    body = _batch(closed, open_, named)
    answer = await _import(api, body)
    assert answer == {"dry_run": False, "imported": 3, "updated": 0, "unchanged": 0, "problems": []}

    child_id = child_key(LA, open_["la_child_id"])
    child = (await db_fetch(api.settings, "SELECT * FROM children WHERE id = $1", child_id))[0]
    assert (child["given_name"], child["family_name"], child["imported_from"]) == ("Not known", "Not known", body["source"])
    named_row = (await db_fetch(api.settings, "SELECT * FROM children WHERE la_child_id = $1", named["la_child_id"]))[0]
    assert (named_row["given_name"], named_row["family_name"]) == ("Ada", "Lovelace")
    referrals = await db_fetch(
        api.settings,
        "SELECT id, case_id, received_at, status, decision, decided_at, re_referral, imported_from, team"
        " FROM referrals WHERE child_id = $1 ORDER BY received_at",
        child_id,
    )
    first, second = (date(2024, 1, 8), date(2024, 11, 4))
    assert [(r["id"], r["case_id"]) for r in referrals] == [
        (_referral_id(open_, "2024-01-08"), episode_key(LA, open_["la_child_id"], first)),
        (_referral_id(open_, "2024-11-04"), episode_key(LA, open_["la_child_id"], second)),
    ]
    assert [(r["received_at"], r["decided_at"]) for r in referrals] == [
        (instant_on(first, 0), instant_on(first, 1)),
        (instant_on(second, 0), instant_on(second, 1)),
    ]
    assert [(r["status"], r["decision"], r["re_referral"]) for r in referrals] == [
        ("decided", "nfa", False),
        ("decided", "strategy_discussion", True),  # within 12 months of the first
    ]
    assert {r["imported_from"] for r in referrals} == {body["source"]}

    events = await _events(api, open_)
    assert [e["type"] for e in events] == [
        "child.registered",
        "referral.received",
        "referral.decided",
        "referral.received",
        "referral.decided",
        "status.withheld",  # the open episode's current stage; no NHS number: withheld, as live
    ]
    assert {e["importedfrom"] for e in events} == {body["source"]}
    assert events[0]["id"] == str(event_id(child_id, "child.registered"))
    assert events[0]["time"].startswith("2024-01-08T12:00:00")  # noon in London (GMT in January)
    assert events[4]["id"] == str(event_id(_referral_id(open_, "2024-11-04"), "referral.decided"))
    assert events[4]["data"]["decided_by"] == "import-job" and events[4]["data"]["within_one_working_day"] is True
    assert events[5]["data"]["since"] == "2024-11-04"
    summer = await _events(api, closed)
    assert summer[1]["time"].startswith("2019-06-03T11:00:00")  # noon in London in June (BST)
    assert [e["type"] for e in await _events(api, named)] == ["child.registered", "referral.received", "referral.decided"]

    audits = await db_fetch(
        api.settings,
        "SELECT action, subject_id, purpose, actor FROM audit_log WHERE subject_id = ANY($1::text[]) ORDER BY id",
        [str(child_id), *(str(r["id"]) for r in referrals)],
    )
    assert sorted(a["action"] for a in audits) == ["child.imported", "referral.imported", "referral.imported"]
    assert {(a["purpose"], a["actor"]) for a in audits} == {("history import", "import-job")}


async def test_the_same_batch_again_changes_nothing(api: Api) -> None:
    body = _batch(_child(_episode("2022-03-01", "assessment", current=True)), _child())
    await _import(api, body)
    outbox, audits = await _counts(api)
    assert await _import(api, body) == {"dry_run": False, "imported": 0, "updated": 0, "unchanged": 2, "problems": []}
    assert await _counts(api) == (outbox, audits)


async def _counts(api: Api) -> tuple[int, int]:
    return int(await db_value(api.settings, "SELECT count(*) FROM outbox")), int(
        await db_value(api.settings, "SELECT count(*) FROM audit_log")
    )


async def test_a_later_return_adds_only_its_new_facts(api: Api) -> None:
    child = _child(_episode("2021-04-01", "nfa"), _episode("2021-12-01", "assessment", current=True))
    await _import(api, _batch(child))
    later = child | {
        "upn": upn(),
        "upn_unknown_reason": None,
        "episodes": [
            _episode("2021-04-01", "nfa"),
            _episode("2021-12-01", "assessment"),  # no longer the current stage: nothing to say
            _episode("2023-02-06", "assessment", current=True),
        ],
    }
    before = len(await _events(api, child))
    answer = await _import(api, _batch(later, source="census_2023.xml"))
    assert (answer["imported"], answer["updated"], answer["problems"]) == (0, 1, [])
    added = (await _events(api, child))[before:]
    assert [e["type"] for e in added] == ["child.updated", "referral.received", "referral.decided", "status.withheld"]
    assert {e["importedfrom"] for e in added} == {"census_2023.xml"}
    assert added[0]["data"]["upn"] == later["upn"] and added[0]["data"]["version"] == 2
    assert added[1]["data"]["re_referral"] is False
    count = await db_value(
        api.settings, "SELECT count(*) FROM referrals WHERE child_id = $1", child_key(LA, child["la_child_id"])
    )
    assert count == 3


async def test_a_later_return_that_takes_back_a_decision_is_refused_for_that_child(api: Api) -> None:
    child = _child(_episode("2021-04-01", "assessment"))
    await _import(api, _batch(child))
    before = len(await _events(api, child))
    taken_back = child | {"episodes": [_episode("2021-04-01", "strategy_discussion")]}
    answer = await _import(api, _batch(taken_back))
    assert answer["problems"] == [
        {
            "la_child_id": child["la_child_id"],
            "element": "episodes[0].decision",
            "reason": "the referral was imported with decision assessment; changing it to strategy_discussion is a "
            "correction, live work",
        }
    ]
    assert len(await _events(api, child)) == before


async def test_a_bad_child_is_refused_whole_and_the_others_are_imported(api: Api) -> None:
    good = _child()
    bad_code = _child(ethnicity="XXXX")
    out_of_order = _child(_episode("2023-05-01", "assessment"), date_of_birth="2019-01-01", date_of_death="2023-01-01")
    inconsistent = _child(_episode("2023-05-01", "assessment") | {"referral_nfa": True})
    answer = await _import(api, _batch(good, bad_code, out_of_order, inconsistent))
    assert answer["imported"] == 1
    problems = {p["la_child_id"]: p["element"] for p in answer["problems"]}
    assert problems == {
        bad_code["la_child_id"]: "ethnicity",
        out_of_order["la_child_id"]: "date_of_death",
        inconsistent["la_child_id"]: "episodes[0].referral_nfa",
    }
    for refused in (bad_code, out_of_order, inconsistent):
        assert await _children_with(api, refused["la_child_id"]) == 0
        assert (
            await db_value(api.settings, "SELECT count(*) FROM imported_records WHERE la_child_id = $1", refused["la_child_id"])
            == 0
        )
        assert await _events(api, refused) == []
    assert await _children_with(api, good["la_child_id"]) == 1


async def test_a_dry_run_answers_the_same_and_writes_nothing(api: Api) -> None:
    body = _batch(_child(), _child(sex="X"))
    before = await _counts(api)
    dry = await _import(api, body, dry_run=True)
    assert await _counts(api) == before
    assert (
        await db_value(api.settings, "SELECT count(*) FROM children WHERE la_child_id = $1", body["children"][0]["la_child_id"])
        == 0
    )
    wet = await _import(api, body)
    assert dry | {"dry_run": False} == wet
    assert (wet["imported"], [p["element"] for p in wet["problems"]]) == (1, ["sex"])


async def test_only_the_importer_may_import_and_a_refusal_is_audited(api: Api) -> None:
    body = _batch(_child())
    for role in ("front_door", "manager", "admin", "service"):
        caller = unique("not-importer")
        async with api.as_user(role, sub=caller) as client:
            r = await client.post(PATH, json=body)
        assert_problem(r, 403)
        rows = await db_fetch(api.settings, "SELECT subject_type, outcome FROM audit_log WHERE actor = $1", caller)
        assert [tuple(row) for row in rows] == [("child", "refused")]
    assert (
        await db_value(api.settings, "SELECT count(*) FROM children WHERE la_child_id = $1", body["children"][0]["la_child_id"])
        == 0
    )


async def test_an_imported_open_episode_is_live(api: Api) -> None:
    child = _child(_episode("2025-09-01", "assessment", current=True), team="south")
    await _import(api, _batch(child))
    referral_id = _referral_id(child, "2025-09-01")
    async with api.as_user("practitioner", teams=("south",)) as practitioner:
        r = await practitioner.get(f"/v1/referrals/{referral_id}")
    assert r.status_code == 200, r.text
    shown = r.json()
    assert (shown["episode_status"], shown["referral_date"], shown["status"]) == ("open", "2025-09-01", "decided")
    # The front door's decision is made: not on its queue; the child may not be referred again while open.
    child_id = str(child_key(LA, child["la_child_id"]))
    async with api.as_user("front_door") as front_door:
        r = await front_door.post("/v1/referrals", json=new_referral(None, child_id=child_id) | {"child": None})
    assert_problem(r, 409)
    assert r.json()["type"].endswith("/open-episode")


async def test_a_child_registered_live_with_the_same_la_child_id_is_refused(api: Api) -> None:
    async with api.as_user("front_door") as front_door:
        live = await post_referral(front_door, new_referral(new_child()))
    child = _child(la_child_id=live["child"]["la_child_id"])
    answer = await _import(api, _batch(child))
    assert [(p["la_child_id"], p["element"]) for p in answer["problems"]] == [(child["la_child_id"], "la_child_id")]


async def _partner_statuses(api: Api, child: dict[str, Any], *numbers: str) -> list[tuple[str, str, str]]:
    """The partner statuses written about an imported child, in order: ``status.withheld`` (keyed
    by its id) and ``status.changed`` (keyed by one of ``numbers``), as (type, status, since)."""
    keys = [str(child_key(LA, child["la_child_id"])), *numbers]
    rows = await db_fetch(
        api.settings,
        "SELECT payload FROM outbox WHERE key = ANY($1::text[]) AND event_type LIKE 'status.%' ORDER BY seq",
        keys,
    )
    return [(p["type"], p["data"]["status"], p["data"]["since"]) for p in (_json(r["payload"]) for r in rows)]


async def _nhs_number_recorded(api: Api, child: dict[str, Any], version: int, number: str) -> None:
    """The council's records matched: the child's NHS number recorded in live work (``child.updated``)."""
    async with api.as_user("front_door") as front_door:
        r = await front_door.patch(
            f"/v1/children/{child_key(LA, child['la_child_id'])}",
            json={"nhs_number": number},
            headers={"If-Match": f'"{version}"'},
        )
    assert r.status_code == 200, r.text


async def test_an_imported_open_episodes_withheld_referred_goes_out_once_the_nhs_number_is_known(api: Api) -> None:
    """The referral is the open episode's current stage (decided, nothing after it in the return):
    ``referred`` withheld at the import goes out, since the referral date, once the number comes."""
    child = _child(_episode("2025-09-01", "strategy_discussion", current=True))
    await _import(api, _batch(child))
    assert await _partner_statuses(api, child) == [("status.withheld", "referred", "2025-09-01")]
    number, corrected = nhs_number(), nhs_number()
    await _nhs_number_recorded(api, child, 1, number)
    await _nhs_number_recorded(api, child, 2, corrected)  # a number already known: nothing owed any more
    assert await _partner_statuses(api, child, number, corrected) == [
        ("status.withheld", "referred", "2025-09-01"),
        ("status.changed", "referred", "2025-09-01"),
    ]


async def test_an_imported_referral_moved_on_or_closed_or_never_current_sends_nothing_once_identified(api: Api) -> None:
    moved_on = _child(_episode("2025-09-01", "assessment", current=True))
    await _import(api, _batch(moved_on))
    later = moved_on | {"episodes": [_episode("2025-09-01", "assessment")]}  # the return shows more now
    assert (await _import(api, _batch(later, source="census_2026.xml")))["updated"] == 1
    never = _child(_episode("2025-09-01", "assessment"))
    closed = _child(_episode("2025-03-03", "assessment", current=True))
    await _import(api, _batch(never, closed))
    await _deliver(api, _imported_closure(closed, date(2025, 3, 3), date(2025, 8, 1)))
    for child in (moved_on, never, closed):
        number = nhs_number()
        await _nhs_number_recorded(api, child, 1, number)
        assert [s for s in await _partner_statuses(api, child, number) if s[0] == "status.changed"] == []


# --- the consumers: an imported event keeps state and starts no work ---------------------------


def _imported(data: EventData, subject: str, day: date) -> Envelope[Any]:
    return Envelope.wrap(
        data, source="stepdown", subject=subject, aggregate_version=1, time=instant_on(day), imported_from="census.xml"
    )


def _imported_closure(child: dict[str, Any], referred: date, closed: date) -> Envelope[Any]:
    """Step-down's imported ``case.closed`` of the child's episode referred on ``referred`` (RC2)."""
    case_id = episode_key(LA, child["la_child_id"], referred)
    closure = CaseClosed(
        case_id=case_id,
        child_id=child_key(LA, child["la_child_id"]),
        team="north",
        stepdown_id=module_key(LA, "closure", child["la_child_id"], referred, closed),
        kind="close",
        referral_date=referred,
        closure_date=closed,
        reason_for_closure=ReasonForClosure("RC2"),
        referral_nfa=False,
        assessed=True,
        unmet_need=False,
        actions=None,
        closed_at=instant_on(closed),
    )
    return _imported(closure, str(case_id), closed)


async def _deliver(api: Api, event: Envelope[Any]) -> None:
    for consumer in api.app.state.runtime.consumers:
        handler = consumer.handlers.get(event.type)
        if handler is not None:
            await consumer.handle(event, handler)


async def test_an_imported_closure_is_shown_on_the_referral_with_its_real_date_and_reason(api: Api) -> None:
    child = _child(_episode("2020-02-03", "assessment"))
    await _import(api, _batch(child))
    case_id = episode_key(LA, child["la_child_id"], date(2020, 2, 3))
    await _deliver(api, _imported_closure(child, date(2020, 2, 3), date(2020, 8, 1)))
    row = (await db_fetch(api.settings, "SELECT closed_on, closure_reason FROM referrals WHERE case_id = $1", case_id))[0]
    assert (row["closed_on"], row["closure_reason"]) == (date(2020, 8, 1), "RC2")


async def test_an_imported_step_up_opens_no_referral_and_a_live_one_still_does(api: Api) -> None:
    child = _child(_episode("2020-02-03", "nfa"))
    await _import(api, _batch(child))
    child_id = child_key(LA, child["la_child_id"])
    imported = StepUpRequested(
        early_help_episode_id=uuid.uuid4(),
        child_id=child_id,
        requested_at=instant_on(date(2020, 6, 1)),
        requested_by="early-help-worker-1",
        reason="Escalating neglect despite the family plan.",
        team="north",
    )
    await _deliver(api, _imported(imported, str(imported.early_help_episode_id), date(2020, 6, 1)))
    found = (
        "SELECT (SELECT count(*) FROM referrals WHERE stepped_up_from = $1)"
        " + (SELECT count(*) FROM contacts WHERE stepped_up_from = $1)"
    )
    assert await db_value(api.settings, found, imported.early_help_episode_id) == 0
    live = StepUpRequested(
        **imported.model_dump() | {"early_help_episode_id": uuid.uuid4(), "requested_at": now_utc() - timedelta(minutes=1)}
    )
    await _deliver(api, Envelope.wrap(live, source="stepdown", subject=str(live.early_help_episode_id), aggregate_version=1))
    assert await db_value(api.settings, found, live.early_help_episode_id) == 1


async def test_the_referral_part_the_import_command_cuts_from_a_generated_history_imports_whole(api: Api) -> None:
    children = generated_children(20261206, range(2022, 2026), referrals_per_year=20, la=LA)
    part = parts(children, end=date(2025, 3, 31), team_of=lambda _: "north")["referral"]
    body = {"source": "generated.xml", "la": LA, "children": part}
    answer = await _import(api, body)
    assert (answer["imported"], answer["problems"]) == (len(part), [])
    episodes = sum(len(c["episodes"]) for c in part)
    ids = [child_key(LA, c["la_child_id"]) for c in part]
    assert await db_value(api.settings, "SELECT count(*) FROM referrals WHERE child_id = ANY($1::uuid[])", ids) == episodes
    assert (await _import(api, body))["unchanged"] == len(part)
