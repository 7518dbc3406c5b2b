"""The child's census identifiers where they are recorded (issue 16 point 3): every path that
records a child (registration, a referral's new child, a child's update) refuses the record the
DfE's validator would reject (422 problem+json naming the field, nothing changed) and keeps the
right one, carried in child.registered / child.updated; rules named as the validator names them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from referral_support import (
    Api,
    changes_nothing,
    decided_nfa,
    events_since,
    new_child,
    new_referral,
    nhs_number,
    now_utc,
    post_referral,
    upn,
    upn_check_letter,
)

from continuum.contracts.codes import UPN_LA_NUMBERS
from continuum_tools.testing import assert_problem


def _years_ago(years: int, days: int = 0) -> str:
    today = date.today()
    return (today.replace(year=today.year - years) - timedelta(days=days)).isoformat()


async def _register(api: Api, child: dict[str, Any]) -> Any:
    async with api.as_user("front_door") as client:
        return await client.post("/v1/children", json=child)


async def _refused(api: Api, child: dict[str, Any], field: str, *, via: str = "children") -> dict[str, Any]:
    """``child`` refused on registration (or with a referral, ``via="referrals"``), changing nothing."""
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        if via == "children":
            r = await client.post("/v1/children", json=child)
        else:
            r = await client.post("/v1/referrals", json=new_referral(child))
    prefix = "child." if via == "referrals" else ""
    body: dict[str, Any] = assert_problem(r, 422, prefix + field)
    return body


async def _patched(api: Api, child_id: str, version: int, patch: dict[str, Any]) -> Any:
    async with api.as_user("front_door") as client:
        return await client.patch(f"/v1/children/{child_id}", json=patch, headers={"If-Match": f'"{version}"'})


async def _child_events(api: Api, since: Any, child_id: str) -> list[Any]:
    return [
        e for e in await events_since(api.settings, since) if e.type.startswith("child.") and str(e.data.child_id) == child_id
    ]


# --- LA child id (1570, 1580) ---------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["children", "referrals"])
async def test_rule_1570_an_la_child_id_over_20_characters_is_refused(api: Api, via: str) -> None:
    await _refused(api, new_child(la_child_id="A" * 21), "la_child_id", via=via)


@pytest.mark.parametrize("via", ["children", "referrals"])
async def test_rule_1580_an_la_child_id_with_other_than_letters_and_digits_is_refused(api: Api, via: str) -> None:
    body = await _refused(api, new_child(la_child_id=f"LA-{uuid.uuid4().hex[:8]}"), "la_child_id", via=via)
    assert "1580" in body["errors"][0]["reason"]


async def test_rules_1570_1580_twenty_letters_and_digits_are_kept(api: Api) -> None:
    la_child_id = uuid.uuid4().hex[:20].upper()
    r = await _register(api, new_child(la_child_id=la_child_id))
    assert r.status_code == 201, r.text
    assert r.json()["la_child_id"] == la_child_id


async def test_rule_1580_an_update_cannot_make_the_la_child_id_wrong(api: Api) -> None:
    child = (await _register(api, new_child())).json()
    async with changes_nothing(api.settings):
        r = await _patched(api, child["id"], 1, {"la_child_id": "LA 12/34"})
    assert_problem(r, 422, "la_child_id")


# --- UPN and former UPN (1510, 1530) ---------------------------------------------------------------------


def _wrong_check_letter(value: str) -> str:
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    return letters[(letters.index(value[0]) + 1) % 23] + value[1:]


def _with_la(la: str) -> str:
    rest = la + "123456789"
    return upn_check_letter(rest) + rest


@pytest.mark.parametrize("field", ["upn", "former_upn"])
async def test_rule_1510_a_upn_with_the_wrong_check_letter_is_refused(api: Api, field: str) -> None:
    body = await _refused(api, new_child(**{field: _wrong_check_letter(upn())}), field)
    assert "check letter" in body["errors"][0]["reason"]


@pytest.mark.parametrize("field", ["upn", "former_upn"])
async def test_rule_1530_a_upn_whose_characters_2_to_4_are_no_la_number_is_refused(api: Api, field: str) -> None:
    assert "123" not in UPN_LA_NUMBERS and "000" not in UPN_LA_NUMBERS
    for la in ("000", "123"):
        body = await _refused(api, new_child(**{field: _with_la(la)}), field)
        assert "local authority" in body["errors"][0]["reason"]


async def test_rule_1510_a_temporary_upn_ending_in_a_letter_is_checked_with_the_letters_value(api: Api) -> None:
    rest = "80112345678" + "K"  # K is 9 in the check letters
    temporary = upn_check_letter(rest) + rest
    assert (await _register(api, new_child(upn=temporary))).status_code == 201
    await _refused(api, new_child(upn=_wrong_check_letter(temporary)), "upn")


async def test_rules_1510_1530_a_upn_and_former_upn_are_kept_and_carried_in_child_events(api: Api) -> None:
    since = now_utc()
    current, former = upn(la="942"), upn(la="909")  # Cumberland (2023) and Cumbria before it
    r = await _register(api, new_child(upn=current.lower(), former_upn=former))
    assert r.status_code == 201, r.text
    child = r.json()
    assert (child["upn"], child["former_upn"]) == (current, former)  # sent in lower case, kept in capitals
    later = upn()
    patched = await _patched(api, child["id"], 1, {"upn": later, "former_upn": current})
    assert patched.status_code == 200, patched.text
    events = await _child_events(api, since, child["id"])
    assert [(e.type, e.data.upn, e.data.former_upn) for e in events] == [
        ("child.registered", current, former),
        ("child.updated", later, current),
    ]


async def test_a_former_upn_that_is_the_childs_upn_is_refused(api: Api) -> None:
    same = upn()
    await _refused(api, new_child(upn=same, former_upn=same), "former_upn")


# --- UPN unknown reason (8770Q) --------------------------------------------------------------------------


async def test_a_upn_unknown_reason_beside_a_upn_is_refused(api: Api) -> None:
    await _refused(api, new_child(upn=upn(), upn_unknown_reason="UN2"), "upn_unknown_reason")


async def test_a_sen2_upn_unknown_reason_is_refused(api: Api) -> None:
    await _refused(api, new_child(upn_unknown_reason="UN8"), "upn_unknown_reason")


async def test_rule_8770Q_a_school_age_child_without_upn_or_reason_is_kept_with_the_query_in_the_answer(api: Api) -> None:
    r = await _register(api, new_child(date_of_birth=_years_ago(9)))
    assert r.status_code == 201, r.text
    assert [(q["rule"], q["field"]) for q in r.json()["census_queries"]] == [("8770Q", "upn")]
    not_queried = [new_child(date_of_birth=_years_ago(3)), new_child(date_of_birth=_years_ago(9), upn=upn())]
    for child in not_queried:
        assert (await _register(api, child)).json()["census_queries"] == []


async def test_rule_8770Q_un1_is_no_reason_for_a_school_age_child_and_un2_answers_the_query(api: Api) -> None:
    since = now_utc()
    r = await _register(api, new_child(date_of_birth=_years_ago(9), upn_unknown_reason="UN1"))
    child = r.json()
    assert [(q["rule"], q["field"]) for q in child["census_queries"]] == [("8770Q", "upn_unknown_reason")]
    patched = await _patched(api, child["id"], 1, {"upn_unknown_reason": "UN2"})
    assert (patched.status_code, patched.json()["census_queries"]) == (200, [])
    events = await _child_events(api, since, child["id"])
    assert [(e.type, e.data.upn_unknown_reason) for e in events] == [("child.registered", "UN1"), ("child.updated", "UN2")]


async def test_a_upn_recorded_later_needs_the_reason_withdrawn_with_it(api: Api) -> None:
    child = (await _register(api, new_child(upn_unknown_reason="UN3"))).json()
    async with changes_nothing(api.settings):
        refused = await _patched(api, child["id"], 1, {"upn": upn()})
    assert_problem(refused, 422, "upn_unknown_reason")
    ok = await _patched(api, child["id"], 1, {"upn": upn(), "upn_unknown_reason": None})
    assert ok.status_code == 200, ok.text


# --- date of death (8535Q, 8555Q) ------------------------------------------------------------------------


async def test_rule_8535Q_a_date_of_death_before_the_birth_is_refused(api: Api) -> None:
    await _refused(api, new_child(date_of_birth="2016-03-14", date_of_death="2016-03-13"), "date_of_death")


async def test_a_date_of_death_in_the_future_is_refused(api: Api) -> None:
    await _refused(api, new_child(date_of_death=(date.today() + timedelta(days=1)).isoformat()), "date_of_death")


async def test_rule_8555Q_a_date_of_death_before_the_childs_referral_is_refused_and_one_after_is_carried(api: Api) -> None:
    async with api.as_user("front_door") as client:
        referral = await post_referral(client, new_referral(received_at="2026-11-20T10:00:00Z"))
    child = referral["child"]
    async with changes_nothing(api.settings):
        refused = await _patched(api, child["id"], 1, {"date_of_death": "2026-11-19"})
    assert "8555Q" in assert_problem(refused, 422, "date_of_death")["errors"][0]["reason"]
    since = now_utc()
    ok = await _patched(api, child["id"], 1, {"date_of_death": "2026-11-20"})
    assert (ok.status_code, ok.json()["date_of_death"]) == (200, "2026-11-20")
    assert [e.data.date_of_death for e in await _child_events(api, since, child["id"])] == [date(2026, 11, 20)]


async def test_rule_8555Q_no_referral_after_the_childs_date_of_death(api: Api) -> None:
    async with api.as_user("front_door") as client:
        first = await post_referral(client, new_referral(received_at="2026-11-20T10:00:00Z"))
    await decided_nfa(api, first)
    assert (await _patched(api, first["child"]["id"], 1, {"date_of_death": "2026-11-21"})).status_code == 200
    body = new_referral(None, child_id=first["child"]["id"], received_at="2026-11-25T10:00:00Z") | {"child": None}
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/referrals", json=body)
    assert "8555Q" in assert_problem(r, 422, "received_at")["errors"][0]["reason"]


# --- date of birth against the referral date (8606) ------------------------------------------------------


async def test_a_young_person_referred_years_ago_is_entered_against_the_referral_date_not_today(api: Api) -> None:
    # 24 at a referral two years ago (26 today): within children's services' age then.
    two_years_ago = date.today().replace(year=date.today().year - 2)
    child = new_child(date_of_birth=_years_ago(26, days=-30))
    async with api.as_user("front_door") as client:
        created = await post_referral(client, new_referral(child, received_at=f"{two_years_ago.isoformat()}T10:00:00Z"))
    assert created["child"]["date_of_birth"] == child["date_of_birth"]
    seventeen_then = new_child(date_of_birth=_years_ago(19, days=-30))
    async with api.as_user("front_door") as client:
        r = await client.post("/v1/referrals", json=new_referral(seventeen_then, received_at=f"{two_years_ago}T10:00:00Z"))
    assert r.status_code == 201, r.text


async def test_a_child_25_or_older_at_the_referral_date_is_refused(api: Api) -> None:
    child = new_child(date_of_birth=_years_ago(25))
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/referrals", json=new_referral(child, received_at=f"{date.today().isoformat()}T00:30:00Z"))
    assert_problem(r, 422, "child.date_of_birth")


@pytest.mark.parametrize("field", ["expected_date_of_birth", "date_of_birth"])
async def test_rule_8606_a_birth_more_than_280_days_after_the_referral_is_refused(api: Api, field: str) -> None:
    referred = date(2025, 12, 1)
    birth = referred + timedelta(days=281)
    child = new_child(**{field: birth.isoformat()})
    if field == "expected_date_of_birth":
        child |= {"date_of_birth": None, "sex": "U"}
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/referrals", json=new_referral(child, received_at=f"{referred.isoformat()}T10:00:00Z"))
    assert "8606" in assert_problem(r, 422, f"child.{field}")["errors"][0]["reason"]


async def test_rule_8606_a_pre_birth_referral_280_days_before_the_birth_is_kept(api: Api) -> None:
    referred = date(2025, 12, 1)
    child = new_child(date_of_birth=None, sex="U", expected_date_of_birth=(referred + timedelta(days=280)).isoformat())
    async with api.as_user("front_door") as client:
        created = await post_referral(client, new_referral(child, received_at=f"{referred.isoformat()}T10:00:00Z"))
    # Born since: the date of birth, after the referral, within the 280 days.
    born = (referred + timedelta(days=270)).isoformat()
    patch = {"date_of_birth": born, "expected_date_of_birth": None, "sex": "F"}
    ok = await _patched(api, created["child"]["id"], 1, patch)
    assert (ok.status_code, ok.json()["date_of_birth"]) == (200, born)
    async with changes_nothing(api.settings):
        late = await _patched(api, created["child"]["id"], 2, {"date_of_birth": (referred + timedelta(days=281)).isoformat()})
    assert_problem(late, 422, "date_of_birth")


async def test_rule_8606_a_registered_child_referred_too_long_before_the_birth_is_refused(api: Api) -> None:
    child = (await _register(api, new_child(date_of_birth=None, sex="U", expected_date_of_birth="2027-06-01"))).json()
    body = new_referral(None, child_id=child["id"], received_at="2026-08-01T10:00:00Z") | {"child": None}
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/referrals", json=body)
    assert "8606" in assert_problem(r, 422, "received_at")["errors"][0]["reason"]


# --- previous child protection plans in other councils ---------------------------------------------------


async def test_previous_cp_plans_elsewhere_is_a_count_kept_and_carried(api: Api) -> None:
    await _refused(api, new_child(previous_cp_plans_elsewhere=-1), "previous_cp_plans_elsewhere")
    since = now_utc()
    r = await _register(api, new_child(previous_cp_plans_elsewhere=2, nhs_number=nhs_number()))
    assert (r.status_code, r.json()["previous_cp_plans_elsewhere"]) == (201, 2)
    assert [e.data.previous_cp_plans_elsewhere for e in await _child_events(api, since, r.json()["id"])] == [2]
