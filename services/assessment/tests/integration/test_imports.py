"""The import path of a council's history (decision 59), on the real database: assessments and
section 47 enquiries become this service's records with their real dates, derived ids and their
file, and their events carry the real instants; a repeat changes nothing; a later return adds only
what is new; a bad child is refused alone; a dry run writes nothing; only the importer may call it;
what is open is live at once (the worklist, the overdue check, partners). The consumers keep state
from imported events but start no work from them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from assessment_support import Api, Cases, child_registered, child_updated, decided, nhs_number, plan_ended, strategy_discussion

from assessment.domain import due_date
from assessment.use_cases.timeliness import flag_overdue
from continuum.casework.imports import child_key, episode_key, event_id, module_key
from continuum.contracts import Envelope
from continuum_tools.importing.generate import generated_children
from continuum_tools.importing.payloads import parts
from continuum_tools.testing import la_child_id
from continuum_tools.testing.suites import audit_rows, call

LA = "201"
SOURCE = "CIN_2019-20.xml"
URL = "/v1/imports/assessments"


def assessment(
    start: str, authorised: str | None = None, *factors: str, outcome: str | None = None, current: bool = False
) -> dict[str, Any]:
    return {"start": start, "authorised": authorised, "factors": list(factors), "outcome": outcome, "current_status": current}


def enquiry(
    start: str, *, target: str | None = None, icpc: str | None = None, not_required: bool = False, current: bool = False
) -> Any:
    return {"start": start, "icpc_target": target, "icpc": icpc, "icpc_not_required": not_required, "current_status": current}


def episode(referral: str, need: str | None, *assessments: Any, section47s: tuple[Any, ...] = ()) -> dict[str, Any]:
    return {"referral_date": referral, "primary_need": need, "assessments": list(assessments), "section47s": list(section47s)}


def child(lcid: str, *episodes: dict[str, Any], team: str = "north") -> dict[str, Any]:
    return {"la_child_id": lcid, "team": team, "episodes": list(episodes)}


def body(*children: dict[str, Any], source: str = SOURCE) -> dict[str, Any]:
    return {"source": source, "la": LA, "children": list(children)}


def key(kind: str, lcid: str, referral: str, start: str) -> uuid.UUID:
    return module_key(LA, kind, lcid, date.fromisoformat(referral), date.fromisoformat(start))


def case_of(lcid: str, referral: str) -> uuid.UUID:
    return episode_key(LA, lcid, date.fromisoformat(referral))


def as_imported(event: Envelope[Any], source: str = SOURCE) -> Envelope[Any]:
    """The same event as an import publishes it: its file named (``importedfrom``)."""
    return Envelope.wrap(event.data, source=event.source, subject=event.subject, aggregate_version=1, imported_from=source)


async def post(api: Api, payload: dict[str, Any], *, dry_run: bool = False, role: str = "importer") -> Any:
    async with api.as_user(role, teams=()) as client:
        return await call(client, "POST", URL, json=payload, params={"dry_run": str(dry_run).lower()})


async def counts(cases: Cases, *lcids: str) -> dict[str, int]:
    """What an import wrote for these children: assessments, enquiries, events, remembered records, audit rows."""
    children = [child_key(LA, c) for c in lcids]
    return {
        "assessments": await cases.scalar("SELECT count(*) FROM assessments WHERE child_id = ANY(:c)", c=children),
        "section47": await cases.scalar("SELECT count(*) FROM section47_enquiries WHERE child_id = ANY(:c)", c=children),
        "events": await cases.scalar(
            "SELECT count(*) FROM outbox WHERE payload->'data'->>'child_id' = ANY(:t)", t=[str(c) for c in children]
        ),
        "remembered": await cases.scalar("SELECT count(*) FROM imported_records WHERE la_child_id = ANY(:l)", l=list(lcids)),
        "audit": await cases.scalar(
            "SELECT count(*) FROM audit_log WHERE purpose = 'history import' AND subject_id IN"
            " (SELECT id::text FROM assessments WHERE child_id = ANY(:c)"
            "  UNION SELECT id::text FROM section47_enquiries WHERE child_id = ANY(:c) UNION SELECT unnest(CAST(:t AS text[])))",
            c=children,
            t=[str(c) for c in children],
        ),
    }


async def test_a_batch_is_imported_with_real_dates_derived_ids_and_its_file_then_a_repeat_changes_nothing(
    api: Api, cases: Cases
) -> None:
    assessed, enquired, still_open = la_child_id(), la_child_id(), la_child_id()
    batch = body(
        child(assessed, episode("2019-05-02", "N1", assessment("2019-05-03", "2019-06-14", "3A", outcome="early_help"))),
        child(
            enquired,
            episode(
                "2019-09-16",
                "N1",
                assessment("2019-09-17", "2019-10-25", "2B", "3A", outcome="child_protection"),
                section47s=(enquiry("2019-09-18", target="2019-10-08", icpc="2019-10-04"),),
            ),
        ),
        child(still_open, episode("2025-11-03", "N2", assessment("2025-11-04", current=True)), team="south"),
    )
    r = await post(api, batch)
    assert r.status_code == 200, r.text
    assert r.json() == {"dry_run": False, "imported": 3, "updated": 0, "unchanged": 0, "problems": []}

    first = key("assessment", assessed, "2019-05-02", "2019-05-03")
    row = await cases.row("SELECT * FROM assessments WHERE id = :a", a=first)
    assert row is not None and row["imported_from"] == SOURCE
    assert row["case_id"] == case_of(assessed, "2019-05-02") and row["child_id"] == child_key(LA, assessed)
    assert row["referral_id"] == key("referral", assessed, "2019-05-02", "2019-05-02")
    assert (row["status"], row["route"], row["outcome"], row["authorisation_date"]) == (
        "authorised",
        "section17",
        "early_help",
        date(2019, 6, 14),
    )
    assert (row["closure_date"], row["closure_reason"]) == (date(2019, 6, 14), "RC9")  # rule 2990: no section 47
    events = await cases.events(row["case_id"])
    assert [e["event_type"] for e in events] == ["assessment.opened", "assessment.recorded", "assessment.authorised"]
    opened = events[0]["payload"]
    assert opened["id"] == str(event_id(first, "assessment.opened")) and opened["importedfrom"] == SOURCE
    assert opened["time"].replace("Z", "+00:00").startswith("2019-05-03T11:00:10")  # noon in London (BST) + 10 s
    assert opened["data"]["due_date"] == due_date(date(2019, 5, 2)).isoformat()
    authorised = events[2]["payload"]
    assert authorised["time"].replace("Z", "+00:00").startswith("2019-06-14T11:00:40")
    assert authorised["data"]["factors"] == ["3A"] and authorised["data"]["primary_need"] == "N1"
    assert authorised["data"]["reason_for_closure"] == "RC9" and authorised["data"]["authorised_by"].startswith("user")

    s47 = await cases.row(
        "SELECT * FROM section47_enquiries WHERE id = :s", s=key("section47", enquired, "2019-09-16", "2019-09-18")
    )
    assert s47 is not None and s47["imported_from"] == SOURCE
    assert s47["assessment_id"] == key("assessment", enquired, "2019-09-16", "2019-09-17")
    assert (s47["status"], s47["icpc_target_date"], s47["icpc_date"], s47["outcome"]) == (
        "concluded",
        date(2019, 10, 8),
        date(2019, 10, 4),
        "cp_plan",
    )
    types = [e["event_type"] for e in await cases.events(s47["case_id"])]
    assert types == [
        "assessment.opened",
        "assessment.recorded",
        "section47.started",
        "section47.concluded",
        "assessment.authorised",
    ]

    audited = await cases.rows(
        "SELECT action, subject_type, purpose FROM audit_log WHERE subject_id = ANY(:s)",
        s=[str(child_key(LA, enquired)), str(s47["id"]), str(s47["assessment_id"])],
    )
    assert {(a["action"], a["subject_type"]) for a in audited} == {
        ("child.imported", "child"),
        ("assessment.imported", "assessment"),
        ("section47.imported", "section47"),
    }
    assert {a["purpose"] for a in audited} == {"history import"}

    before = await counts(cases, assessed, enquired, still_open)
    again = await post(api, batch)
    assert again.json() == {"dry_run": False, "imported": 0, "updated": 0, "unchanged": 3, "problems": []}
    assert await counts(cases, assessed, enquired, still_open) == before
    renamed = await post(api, body(*batch["children"], source="CIN_2020-21.xml"))  # next year's file repeating it
    assert renamed.json()["unchanged"] == 3 and await counts(cases, assessed, enquired, still_open) == before


async def test_an_open_assessment_is_live_on_its_teams_worklist_and_overdue_at_once(api: Api, cases: Cases) -> None:
    lcid = la_child_id()
    r = await post(api, body(child(lcid, episode("2025-11-03", "N2", assessment("2025-11-04")), team="south")))
    assert r.json()["imported"] == 1
    opened = key("assessment", lcid, "2025-11-03", "2025-11-04")
    row = await cases.row("SELECT * FROM assessments WHERE id = :a", a=opened)
    assert row is not None and (row["status"], row["lead_practitioner"]) == ("unallocated", None)
    assert row["due_date"] == due_date(date(2025, 11, 3)) and row["start_date"] == date(2025, 11, 4)

    listed: list[dict[str, Any]] = []
    async with api.manager("south") as manager:
        params: dict[str, Any] = {"team": "south", "limit": 200}
        while True:
            page = (await manager.get("/v1/assessments/worklist", params=params)).json()
            listed += page["items"]
            if not page["next_cursor"]:
                break
            params["cursor"] = page["next_cursor"]
    item = next(i for i in listed if i["assessment_id"] == str(opened))
    assert (item["status"], item["overdue"], item["due_date"]) == ("unallocated", True, row["due_date"].isoformat())

    while await flag_overdue(cases.unit_of_work(), batch_size=500):
        pass
    overdue = await cases.events(row["case_id"], "assessment.overdue")
    assert len(overdue) == 1 and "importedfrom" not in overdue[0]["payload"]  # live work from here on


async def test_a_later_return_adds_the_conference_and_the_authorisation_and_publishes_only_their_events(
    api: Api, cases: Cases
) -> None:
    lcid = la_child_id()
    year_one = episode(
        "2019-03-04", "N1", assessment("2019-03-05", current=False), section47s=(enquiry("2019-03-05", current=True),)
    )
    assert (await post(api, body(child(lcid, year_one)))).json()["imported"] == 1
    case = case_of(lcid, "2019-03-04")
    assert [e["event_type"] for e in await cases.events(case)] == [
        "assessment.opened",
        "assessment.recorded",
        "section47.started",
    ]
    s47 = await cases.row("SELECT * FROM section47_enquiries WHERE case_id = :c", c=case)
    assert s47 is not None and s47["status"] == "started" and s47["icpc_target_date"] is not None  # its target from the start

    year_two = episode(
        "2019-03-04",
        "N1",
        assessment("2019-03-05", "2019-04-12", "2A", outcome="child_protection"),
        section47s=(enquiry("2019-03-05", icpc="2019-03-22"),),
    )
    r = await post(api, body(child(lcid, year_two), source="CIN_2019-20.xml"))
    assert r.json() == {"dry_run": False, "imported": 0, "updated": 1, "unchanged": 0, "problems": []}
    added = [e["event_type"] for e in await cases.events(case)][3:]
    assert added == ["section47.concluded", "assessment.authorised"]
    row = await cases.row("SELECT * FROM assessments WHERE case_id = :c", c=case)
    assert row is not None and row["status"] == "authorised" and row["closure_reason"] is None
    assert (await post(api, body(child(lcid, year_two)))).json()["unchanged"] == 1


async def test_a_return_that_takes_back_an_imported_stage_is_refused_and_changes_nothing(api: Api, cases: Cases) -> None:
    lcid = la_child_id()
    held = episode("2019-03-04", "N1", assessment("2019-03-05", "2019-04-12", "2A", outcome="cin_plan"))
    assert (await post(api, body(child(lcid, held)))).json()["imported"] == 1
    before = await counts(cases, lcid)
    moved = episode("2019-03-04", "N1", assessment("2019-03-05", "2019-04-19", "2A", outcome="cin_plan"))
    r = await post(api, body(child(lcid, moved)))
    assert r.json()["problems"] == [
        {
            "la_child_id": lcid,
            "element": "episodes[0].assessments[0].authorised",
            "reason": "was imported with authorised 2019-04-12, this return has 2019-04-19: a correction is live work",
        }
    ]
    reopened = await post(api, body(child(lcid, episode("2019-03-04", "N1", assessment("2019-03-05")))))
    assert reopened.json()["problems"][0]["element"] == "episodes[0].assessments[0]"
    assert await counts(cases, lcid) == before


async def test_a_bad_child_is_refused_alone_and_nothing_of_it_is_written(api: Api, cases: Cases) -> None:
    good, bad_code, out_of_order, alone = la_child_id(), la_child_id(), la_child_id(), la_child_id()
    r = await post(
        api,
        body(
            child(good, episode("2019-04-01", "N1", assessment("2019-04-02", "2019-05-10", "3A", outcome="cin_plan"))),
            # Its first episode is good: the child is refused whole all the same.
            child(
                bad_code,
                episode("2018-04-01", "N1", assessment("2018-04-02", "2018-05-10", "3A", outcome="nfa")),
                episode("2019-04-01", "N1", assessment("2019-04-02", "2019-05-10", "9Z", outcome="cin_plan")),
            ),
            child(out_of_order, episode("2019-04-01", "N1", assessment("2019-04-02", "2019-03-29", "3A", outcome="nfa"))),
            child(alone, episode("2019-04-01", "N1", section47s=(enquiry("2019-04-02", icpc="2019-04-20"),))),
        ),
    )
    answer = r.json()
    assert (answer["imported"], answer["updated"], answer["unchanged"]) == (1, 0, 0)
    assert [(p["la_child_id"], p["element"]) for p in answer["problems"]] == [
        (bad_code, "episodes[1].assessments[0].factors"),
        (out_of_order, "episodes[0].assessments[0].authorised"),
        (alone, "episodes[0].section47s[0]"),
    ]
    for refused in (bad_code, out_of_order, alone):
        assert set((await counts(cases, refused)).values()) == {0}
    assert (await counts(cases, good))["assessments"] == 1


async def test_a_dry_run_answers_the_same_and_writes_nothing(api: Api, cases: Cases) -> None:
    good, bad = la_child_id(), la_child_id()
    batch = body(
        child(good, episode("2019-04-01", "N3", assessment("2019-04-02", "2019-05-10", "21", outcome="nfa"))),
        child(bad, episode("2019-04-01", "N3", assessment("2019-04-02", "2019-05-10", "21", outcome="child_protection"))),
    )
    dry = await post(api, batch, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert set((await counts(cases, good, bad)).values()) == {0}
    written = await post(api, batch)
    assert dry.json() == written.json() | {"dry_run": True}
    assert written.json()["imported"] == 1 and written.json()["problems"][0]["element"] == "episodes[0].assessments[0].factors"


async def test_only_the_importer_may_import_and_a_refusal_is_audited(api: Api, cases: Cases) -> None:
    lcid = la_child_id()
    batch = body(child(lcid, episode("2019-04-01", "N1", assessment("2019-04-02"))))
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


async def test_partners_hear_only_the_current_stage_since_its_real_start(api: Api, cases: Cases) -> None:
    current, other = la_child_id(), la_child_id()
    number = nhs_number()
    await cases.deliver(as_imported(child_registered(child_key(LA, current), nhs_number=number)))
    await cases.deliver(as_imported(child_registered(child_key(LA, other), nhs_number=None)))
    r = await post(
        api,
        body(
            child(current, episode("2025-11-03", "N2", assessment("2025-11-04", current=True))),
            child(other, episode("2025-11-03", "N2", assessment("2025-11-04", current=True))),
        ),
    )
    assert r.json()["imported"] == 2
    told = await cases.statuses(number)
    assert [(s["status"], s["since"]) for s in told] == [("assessment", "2025-11-04")]
    withheld = await cases.events(child_key(LA, other), "status.withheld")
    assert [e["payload"]["data"]["since"] for e in withheld] == ["2025-11-04"]
    # A record that is not its episode's current stage tells partners nothing.
    quiet = la_child_id()
    await cases.deliver(as_imported(child_registered(child_key(LA, quiet), nhs_number=(q := nhs_number()))))
    await post(api, body(child(quiet, episode("2025-11-03", "N2", assessment("2025-11-04")))))
    assert await cases.statuses(q) == []


async def test_imported_events_keep_state_but_start_no_work(cases: Cases) -> None:
    child_id, number = uuid.uuid4(), nhs_number()
    await cases.deliver(as_imported(child_registered(child_id, nhs_number=number)))
    kept = await cases.row("SELECT * FROM children WHERE id = :c", c=child_id)
    assert kept is not None and kept["nhs_number"] == number

    front_door = decided(outcome="strategy_discussion", child_id=child_id)
    await cases.deliver(as_imported(front_door))
    assert await cases.scalar("SELECT count(*) FROM assessments WHERE child_id = :c", c=child_id) == 0
    ended, discussed = plan_ended(child_id=child_id), strategy_discussion(child_id=child_id)
    assert await cases.escalate(as_imported(ended)) == await cases.escalate(as_imported(discussed))
    for event in (ended, discussed):
        assert await cases.events(event.data.case_id) == []
    assert await cases.scalar("SELECT count(*) FROM escalation_triggers WHERE child_id = :c", c=child_id) == 0
    assert await cases.statuses(number) == []

    # The same events live still start the work, as before.
    await cases.deliver(decided(outcome="assessment", child_id=child_id))
    await cases.escalate(plan_ended(child_id=child_id))
    assert await cases.scalar("SELECT count(*) FROM assessments WHERE child_id = :c", c=child_id) == 2


async def test_the_assessment_part_the_import_command_cuts_from_a_generated_history_imports_whole(api: Api, cases: Cases) -> None:
    """What ``continuum import census`` sends (continuum_tools.importing.payloads) is taken whole: every
    child imported, none refused; the same again unchanged; what is open at the history's end is live."""
    la = "888"  # its own council: the generator's LA child ids are its own
    children = generated_children(20261216, range(2023, 2026), referrals_per_year=40, la=la)  # 6 open at its end
    part = parts(children, end=date(2025, 3, 31), team_of=lambda _: "north")["assessment"]
    assert part
    payload = {"source": "generated.xml", "la": la, "children": part}
    r = await post(api, payload)
    assert r.json() == {"dry_run": False, "imported": len(part), "updated": 0, "unchanged": 0, "problems": []}
    again = await post(api, payload)
    assert again.json() == {"dry_run": False, "imported": 0, "updated": 0, "unchanged": len(part), "problems": []}
    still_open = [
        (c["la_child_id"], e["referral_date"], a["start"])
        for c in part
        for e in c["episodes"]
        for a in e["assessments"]
        if a["authorised"] is None
    ]
    assert still_open
    for lcid, referral, start in still_open:
        assessment_id = module_key(la, "assessment", lcid, date.fromisoformat(referral), date.fromisoformat(start))
        assert await cases.scalar("SELECT status FROM assessments WHERE id = :a", a=assessment_id) == "unallocated"


async def _identified_later(api: Api, cases: Cases, lcid: str, payload_episode: dict[str, Any]) -> tuple[str, list[str]]:
    """Import ``lcid`` (its copy known without an NHS number), then deliver the ``child.updated``
    that brings the number, twice; answer the number and the ``since`` of every status withheld."""
    child_id, number = child_key(LA, lcid), nhs_number()
    await cases.deliver(as_imported(child_registered(child_id, nhs_number=None)))
    r = await post(api, body(child(lcid, payload_episode)))
    assert r.json()["imported"] == 1, r.text
    withheld = [e["payload"]["data"]["since"] for e in await cases.events(child_id, "status.withheld")]
    assert await cases.statuses(number) == []
    for _ in range(2):  # the same update delivered twice, then a later version with the same number
        await cases.deliver(child_updated(child_id, version=2, nhs_number=number))
    await cases.deliver(child_updated(child_id, version=3, nhs_number=number, postcode="EX2 2AA"))
    return number, withheld


async def test_an_imported_open_assessments_withheld_status_goes_out_once_the_nhs_number_is_known(api: Api, cases: Cases) -> None:
    lcid = la_child_id()
    number, withheld = await _identified_later(
        api, cases, lcid, episode("2025-11-03", "N2", assessment("2025-11-04", current=True))
    )
    assert withheld == ["2025-11-04"]
    assert [(s["status"], s["since"]) for s in await cases.statuses(number)] == [("assessment", "2025-11-04")]


async def test_an_imported_open_enquiry_of_an_open_assessment_goes_out_since_the_assessment_started(
    api: Api, cases: Cases
) -> None:
    """The enquiry is the current stage, within its assessment still open: partners hear
    ``assessment`` since the assessment started, withheld and then sent alike."""
    lcid = la_child_id()
    returned = episode("2025-11-03", "N1", assessment("2025-11-04"), section47s=(enquiry("2025-11-10", current=True),))
    number, withheld = await _identified_later(api, cases, lcid, returned)
    assert withheld == ["2025-11-04"]
    assert [(s["status"], s["since"]) for s in await cases.statuses(number)] == [("assessment", "2025-11-04")]


async def test_an_imported_open_enquiry_of_an_authorised_assessment_goes_out_once_the_nhs_number_is_known(
    api: Api, cases: Cases
) -> None:
    lcid = la_child_id()
    returned = episode(
        "2025-11-03",
        "N1",
        assessment("2025-11-04", "2025-11-20", "2A", outcome="child_protection"),
        section47s=(enquiry("2025-11-10", current=True),),
    )
    number, withheld = await _identified_later(api, cases, lcid, returned)
    assert withheld == ["2025-11-10"]
    assert [(s["status"], s["since"]) for s in await cases.statuses(number)] == [("assessment", "2025-11-10")]


async def test_an_imported_closed_assessment_tells_partners_nothing_once_the_nhs_number_is_known(api: Api, cases: Cases) -> None:
    lcid = la_child_id()
    returned = episode("2025-11-03", "N1", assessment("2025-11-04", "2025-11-20", "2A", outcome="cin_plan"))
    number, withheld = await _identified_later(api, cases, lcid, returned)
    assert withheld == []
    assert await cases.statuses(number) == []
