"""The import path of a council's history (decision 59), on the real database: closed episodes
become step-down's closure records and ``case.closed`` with their real dates, derived ids and their
file; a repeat changes nothing; a later return adds only what is new; a bad child is refused alone;
a dry run writes nothing; only the importer may call it. The transitions consumer keeps the facts
of imported events but starts nothing from them, so an imported open episode closes live later."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from stepdown_support import Api, Cases, authorised, child_registered, decided, nhs_number, plan_ended, plan_started, received

from continuum.casework.imports import child_key, episode_key, event_id, instant_on, record_id
from continuum.contracts import Envelope
from continuum.contracts.codes import ReasonForClosure
from continuum_tools.testing import la_child_id
from continuum_tools.testing.suites import audit_rows, call

LA = "201"
SOURCE = "CIN_2019-20.xml"
URL = "/v1/imports/closures"


def episode(referral: str, closure: str, reason: str, **kw: Any) -> dict[str, Any]:
    values = {"referral_nfa": False, "assessed": True, "statutory": False, "unmet_need": None} | kw
    return {"referral_date": referral, "closure_date": closure, "reason_for_closure": reason} | values


def child(lcid: str, *episodes: dict[str, Any], team: str = "north") -> dict[str, Any]:
    return {"la_child_id": lcid, "team": team, "episodes": list(episodes)}


def body(*children: dict[str, Any], source: str = SOURCE) -> dict[str, Any]:
    return {"source": source, "la": LA, "children": list(children)}


def closure_id(lcid: str, referral: str) -> uuid.UUID:
    return record_id(LA, "closure", lcid, referral)


def case_of(lcid: str, referral: str) -> uuid.UUID:
    return episode_key(LA, lcid, date.fromisoformat(referral))


def as_imported(event: Envelope[Any], source: str = SOURCE) -> Envelope[Any]:
    """The same event as an import publishes it: its file named (``importedfrom``)."""
    return Envelope.wrap(event.data, source=event.source, subject=event.subject, aggregate_version=1, imported_from=source)


async def post(api: Api, payload: dict[str, Any], *, dry_run: bool = False, role: str = "importer") -> Any:
    async with api.as_user(role, teams=()) as client:
        return await call(client, "POST", URL, json=payload, params={"dry_run": str(dry_run).lower()})


async def counts(cases: Cases, *lcids: str) -> dict[str, int]:
    """What an import wrote for these children: closure records, episodes, events, remembered records, audit rows."""
    children = [child_key(LA, c) for c in lcids]
    return {
        "stepdowns": await cases.scalar("SELECT count(*) FROM stepdowns WHERE child_id = ANY(:c)", c=children),
        "episodes": await cases.scalar("SELECT count(*) FROM episodes WHERE child_id = ANY(:c)", c=children),
        "events": await cases.scalar(
            "SELECT count(*) FROM outbox WHERE key IN (SELECT case_id::text FROM stepdowns WHERE child_id = ANY(:c))"
            " OR payload->'data'->>'child_id' = ANY(:t)",
            c=children,
            t=[str(c) for c in children],
        ),
        "remembered": await cases.scalar("SELECT count(*) FROM imported_records WHERE la_child_id = ANY(:l)", l=list(lcids)),
        "audit": await cases.scalar(
            "SELECT count(*) FROM audit_log WHERE purpose = 'history import' AND subject_id = ANY(:t)",
            t=[str(c) for c in children],
        ),
    }


async def test_a_batch_is_imported_with_real_dates_derived_ids_and_its_file_then_a_repeat_changes_nothing(
    api: Api, cases: Cases
) -> None:
    nfa, twice, other = la_child_id(), la_child_id(), la_child_id()
    batch = body(
        child(nfa, episode("2019-05-02", "2019-05-02", "RC8", referral_nfa=True, assessed=False)),
        child(
            twice,
            episode("2018-06-01", "2018-07-20", "RC9"),
            episode("2019-01-07", "2019-10-31", "RC7", statutory=True),
        ),
        child(other, episode("2019-09-16", "2019-11-08", "RC1", assessed=False), team="south"),
    )
    r = await post(api, batch)
    assert r.status_code == 200, r.text
    assert r.json() == {"dry_run": False, "imported": 3, "updated": 0, "unchanged": 0, "problems": []}

    row = await cases.row("SELECT * FROM stepdowns WHERE id = :s", s=closure_id(twice, "2018-06-01"))
    assert row is not None
    assert row["case_id"] == case_of(twice, "2018-06-01") and row["child_id"] == child_key(LA, twice)
    assert (row["status"], row["kind"], row["trigger"]) == ("closed", "close", "assessment")
    assert (row["closure_date"], row["closure_reason"], row["unmet_need"]) == (date(2018, 7, 20), "RC9", True)
    assert row["imported_from"] == SOURCE and row["requested_at"] == instant_on(date(2018, 7, 20), 50)
    held = await cases.row("SELECT * FROM episodes WHERE case_id = :c", c=row["case_id"])
    assert held is not None and held["stepdown_id"] == row["id"] and held["imported_from"] == SOURCE

    events = await cases.events(row["case_id"])
    assert [e["event_type"] for e in events] == ["case.closed"]
    envelope = events[0]["payload"]
    assert envelope["id"] == str(event_id(row["id"], "case.closed"))
    assert envelope["importedfrom"] == SOURCE
    assert envelope["time"].replace("Z", "+00:00").startswith("2018-07-20T11:00:50")  # noon in London (BST) + 50 s
    data = envelope["data"]
    assert (data["closure_date"], data["reason_for_closure"], data["referral_nfa"], data["assessed"]) == (
        "2018-07-20",
        "RC9",
        False,
        True,
    )
    front_door = await cases.row("SELECT * FROM stepdowns WHERE id = :s", s=closure_id(nfa, "2019-05-02"))
    assert front_door is not None and front_door["trigger"] == "front_door" and not front_door["unmet_need"]
    nfa_event = (await cases.events(front_door["case_id"]))[0]["payload"]
    assert nfa_event["data"]["referral_nfa"] is True
    statutory = await cases.row("SELECT * FROM stepdowns WHERE id = :s", s=closure_id(twice, "2019-01-07"))
    assert statutory is not None and statutory["trigger"] == "plan"

    audited = await cases.rows(
        "SELECT action, subject_type, subject_id, purpose FROM audit_log WHERE subject_id = ANY(:s) ORDER BY id",
        s=[str(child_key(LA, twice)), str(row["id"])],
    )
    assert {(a["action"], a["subject_type"]) for a in audited} == {("child.imported", "child"), ("stepdown.imported", "stepdown")}
    assert {a["purpose"] for a in audited} == {"history import"}
    assert not await cases.rows("SELECT 1 FROM outbox WHERE event_type = 'status.changed' AND key = :k", k=str(row["child_id"]))

    before = await counts(cases, nfa, twice, other)
    again = await post(api, batch)
    assert again.json() == {"dry_run": False, "imported": 0, "updated": 0, "unchanged": 3, "problems": []}
    assert await counts(cases, nfa, twice, other) == before
    # Another file with the same values (next year's return repeating it) changes nothing either.
    renamed = await post(api, body(*batch["children"], source="CIN_2020-21.xml"))
    assert renamed.json()["unchanged"] == 3 and await counts(cases, nfa, twice, other) == before


async def test_a_later_return_adds_a_closure_and_publishes_only_its_event(api: Api, cases: Cases) -> None:
    lcid = la_child_id()
    first = episode("2018-06-01", "2018-07-20", "RC8")
    assert (await post(api, body(child(lcid, first)))).json()["imported"] == 1
    later = episode("2019-03-04", "2020-02-14", "RC1", assessed=False)
    r = await post(api, body(child(lcid, first, later), source="CIN_2019-20.xml"))
    assert r.json() == {"dry_run": False, "imported": 0, "updated": 1, "unchanged": 0, "problems": []}
    assert len(await cases.events(case_of(lcid, "2018-06-01"))) == 1
    added = await cases.events(case_of(lcid, "2019-03-04"))
    assert [e["payload"]["data"]["closure_date"] for e in added] == ["2020-02-14"]


async def test_a_return_that_takes_back_an_imported_closure_is_refused_and_changes_nothing(api: Api, cases: Cases) -> None:
    lcid = la_child_id()
    assert (await post(api, body(child(lcid, episode("2018-06-01", "2018-07-20", "RC8"))))).json()["imported"] == 1
    before = await counts(cases, lcid)
    moved = await post(api, body(child(lcid, episode("2018-06-01", "2018-08-01", "RC8"))))
    assert moved.json()["problems"] == [
        {
            "la_child_id": lcid,
            "element": "episodes[0].closure_date",
            "reason": "the closure imported before has closure_date 2018-07-20, this return 2018-08-01: "
            "a correction is live work",
        }
    ]
    other_reason = await post(api, body(child(lcid, episode("2018-06-01", "2018-07-20", "RC1"))))
    assert other_reason.json()["problems"][0]["element"] == "episodes[0].reason_for_closure"
    assert await counts(cases, lcid) == before


async def test_a_bad_child_is_refused_alone_and_nothing_of_it_is_written(api: Api, cases: Cases) -> None:
    good, bad_code, out_of_order, after_assessment_only = la_child_id(), la_child_id(), la_child_id(), la_child_id()
    r = await post(
        api,
        body(
            child(good, episode("2019-04-01", "2019-06-30", "RC8")),
            # Its first episode is good: the child is refused whole all the same.
            child(bad_code, episode("2018-04-01", "2018-05-01", "RC7"), episode("2019-04-01", "2019-06-30", "RC0")),
            child(out_of_order, episode("2019-04-01", "2019-03-30", "RC7")),
            child(after_assessment_only, episode("2019-04-01", "2019-06-30", "RC8", statutory=True)),
        ),
    )
    answer = r.json()
    assert (answer["imported"], answer["updated"], answer["unchanged"]) == (1, 0, 0)
    assert [(p["la_child_id"], p["element"]) for p in answer["problems"]] == [
        (bad_code, "episodes[1].reason_for_closure"),
        (out_of_order, "episodes[0].closure_date"),
        (after_assessment_only, "episodes[0].reason_for_closure"),
    ]
    assert "rule 2990" in answer["problems"][2]["reason"]
    for refused in (bad_code, out_of_order, after_assessment_only):
        assert set((await counts(cases, refused)).values()) == {0}
    assert (await counts(cases, good))["stepdowns"] == 1


async def test_a_dry_run_answers_the_same_and_writes_nothing(api: Api, cases: Cases) -> None:
    good, bad = la_child_id(), la_child_id()
    batch = body(child(good, episode("2019-04-01", "2019-06-30", "RC9")), child(bad, episode("2019-04-01", "2019-06-30", "RC10")))
    dry = await post(api, batch, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert set((await counts(cases, good, bad)).values()) == {0}
    written = await post(api, batch)
    assert dry.json() == written.json() | {"dry_run": True}
    assert written.json()["imported"] == 1 and len(written.json()["problems"]) == 1


async def test_only_the_importer_may_import_and_a_refusal_is_audited(api: Api, cases: Cases) -> None:
    lcid = la_child_id()
    batch = body(child(lcid, episode("2019-04-01", "2019-06-30", "RC8")))
    for role in ("admin", "manager", "service"):
        r = await post(api, batch, role=role)
        assert r.status_code == 403, r.text
        rows = await audit_rows(cases, r.headers["x-request-id"])
        assert [(row["subject_type"], row["outcome"]) for row in rows] == [("child", "refused")]
    assert set((await counts(cases, lcid)).values()) == {0}


async def test_a_bad_body_is_a_422_naming_the_field(api: Api) -> None:
    r = await post(api, {"source": SOURCE, "la": "20", "children": []})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in r.json()["errors"]} >= {"la", "children"}


async def test_rc2_is_checked_against_the_date_of_death_step_down_knows(api: Api, cases: Cases) -> None:
    unknown, known = la_child_id(), la_child_id()
    await cases.deliver(as_imported(child_registered(child_key(LA, known), date_of_death=date(2019, 6, 1))))
    r = await post(
        api,
        body(
            child(unknown, episode("2019-04-01", "2019-06-30", "RC2")),  # on the return's word
            child(known, episode("2019-04-01", "2019-05-20", "RC2")),  # closed before the child died
        ),
    )
    assert r.json()["imported"] == 1
    assert [(p["la_child_id"], p["element"]) for p in r.json()["problems"]] == [(known, "episodes[0].closure_date")]


async def test_imported_events_keep_the_facts_but_start_nothing(cases: Cases) -> None:
    child_id, number = uuid.uuid4(), nhs_number()
    a = authorised(outcome="nfa", child_id=child_id)
    case = a.data.case_id
    await cases.deliver(as_imported(child_registered(child_id, nhs_number=number)))
    await cases.deliver(as_imported(a))
    ended = plan_ended(case_id=case, child_id=child_id, next_step="close", reason_for_closure=ReasonForClosure.SERVICES_CEASED)
    await cases.deliver(as_imported(ended))
    front_door = decided(outcome="nfa", child_id=child_id)
    await cases.deliver(as_imported(front_door))
    kept = await cases.row("SELECT * FROM episodes WHERE case_id = :c", c=case)
    assert kept is not None and kept["imported_from"] == SOURCE and kept["stepdown_id"] is None
    assert kept["assessment"]["imported"] and kept["plan_end"]["imported"] and kept["statutory_work"] == ["cin_plan"]
    nfa = await cases.row("SELECT * FROM episodes WHERE case_id = :c", c=front_door.data.case_id)
    assert nfa is not None and nfa["front_door"]["imported"] and nfa["stepdown_id"] is None
    assert await cases.scalar("SELECT count(*) FROM stepdowns WHERE child_id = :c", c=child_id) == 0
    assert await cases.events(case) == [] and await cases.events(front_door.data.case_id) == []
    assert not await cases.partner_statuses(number)

    # The same facts live: the episode closes at once, as before.
    live = authorised(outcome="nfa")
    await cases.deliver(live)
    assert [e["event_type"] for e in await cases.events(live.data.case_id)] == ["case.closed"]


async def test_an_imported_open_episode_closes_live_with_the_imported_facts(cases: Cases) -> None:
    child_id = uuid.uuid4()
    a = authorised(outcome="cin_plan", child_id=child_id, referral_date=date(2025, 11, 3), on=date(2025, 12, 19))
    case = a.data.case_id
    opened = received(case_id=case, child_id=child_id, at=instant_on(date(2025, 11, 3)))
    for fact in (opened, a, plan_started(case_id=case, child_id=child_id)):
        await cases.deliver(as_imported(fact))
    assert await cases.scalar("SELECT count(*) FROM stepdowns WHERE case_id = :c", c=case) == 0

    await cases.deliver(plan_ended(case_id=case, child_id=child_id))  # live: a step down to early help
    row = await cases.row("SELECT * FROM stepdowns WHERE case_id = :c", c=case)
    assert row is not None and row["imported_from"] is None
    assert (row["status"], row["kind"], row["trigger"]) == ("pending", "early_help", "plan")
    assert row["referral_date"] == date(2025, 11, 3) and row["assessed"] and row["lead_practitioner"] == "sw-lead"
    assert row["statutory_work"] == ["cin_plan"]
    assert [e["event_type"] for e in await cases.events(case)] == ["stepdown.requested"]
    assert "importedfrom" not in (await cases.events(case))[0]["payload"]


async def test_an_imported_closure_is_not_closed_again_by_imported_or_live_events(api: Api, cases: Cases) -> None:
    lcid = la_child_id()
    child_id, case = child_key(LA, lcid), case_of(lcid, "2019-04-01")
    # The plan's imported end reaches step-down before its closure is imported: it is kept, and waits for nothing.
    ended = plan_ended(case_id=case, child_id=child_id, next_step="close", reason_for_closure=ReasonForClosure.SERVICES_CEASED)
    await cases.deliver(as_imported(ended))
    r = await post(api, body(child(lcid, episode("2019-04-01", "2019-06-30", "RC7", statutory=True))))
    assert r.json()["imported"] == 1
    kept = await cases.row("SELECT * FROM episodes WHERE case_id = :c", c=case)
    assert kept is not None and kept["stepdown_id"] == closure_id(lcid, "2019-04-01") and kept["plan_end"] is not None
    # Later events of the episode, imported or live, close nothing again.
    await cases.deliver(as_imported(authorised(outcome="nfa", case_id=case, child_id=child_id)))
    await cases.deliver(plan_ended(case_id=case, child_id=child_id, next_step="universal"))
    number = nhs_number()
    await cases.deliver(child_registered(child_id, nhs_number=number))  # live, with an NHS number
    assert await cases.scalar("SELECT count(*) FROM stepdowns WHERE case_id = :c", c=case) == 1
    assert [e["event_type"] for e in await cases.events(case)] == ["case.closed"]
    assert not await cases.partner_statuses(number)  # history: partners hear of open episodes only
