"""/v1/children: register, match, read, update with If-Match, and bad input."""

from __future__ import annotations

from datetime import timedelta

from referral_support import (
    Api,
    changes_nothing,
    db_value,
    new_child,
    nhs_number,
    now_utc,
    upn,
)

from continuum.contracts import REFERRAL_TOPIC
from continuum_tools.testing import assert_problem, read_events


async def test_register_a_child_answers_201_and_publishes_child_registered(api: Api) -> None:
    body = new_child(nhs_number=nhs_number())
    async with api.as_user("front_door") as client:
        r = await client.post("/v1/children", json=body)
    assert r.status_code == 201, r.text
    child = r.json()
    assert (child["la_child_id"], child["nhs_number"], child["date_of_birth"], child["version"]) == (
        body["la_child_id"],
        body["nhs_number"],
        "2016-03-14",
        1,
    )
    assert r.headers["etag"] == '"1"'
    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.type == "child.registered" and str(e.data.child_id) == child["id"],
        count=1,
    )
    assert [(e.data.la_child_id, e.data.nhs_number) for e in events] == [(body["la_child_id"], body["nhs_number"])]


async def test_register_an_unborn_child_with_expected_date_of_birth(api: Api) -> None:
    expected = (now_utc() + timedelta(days=60)).date().isoformat()
    body = new_child(date_of_birth=None, expected_date_of_birth=expected, sex="U")
    async with api.as_user("front_door") as client:
        r = await client.post("/v1/children", json=body)
    assert r.status_code == 201, r.text
    assert (r.json()["date_of_birth"], r.json()["expected_date_of_birth"], r.json()["sex"]) == (None, expected, "U")


async def test_same_nhs_number_is_the_same_child(api: Api) -> None:
    nhs = nhs_number()
    child = new_child(nhs_number=nhs)
    async with api.as_user("front_door") as client:
        first = await client.post("/v1/children", json=child)
        second = await client.post("/v1/children", json=child | {"family_name": f" {child['family_name'].lower()} "})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert await db_value(api.settings, "SELECT count(*) FROM children WHERE nhs_number = $1", nhs) == 1


async def test_same_upn_is_the_same_child(api: Api) -> None:
    pupil = upn()
    child = new_child(upn=pupil)
    async with api.as_user("front_door") as client:
        first = await client.post("/v1/children", json=child)
        second = await client.post("/v1/children", json=child)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]


async def test_register_a_child_with_date_of_birth_in_the_future_is_refused(api: Api) -> None:
    future = (now_utc() + timedelta(days=2)).date().isoformat()
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/children", json=new_child(date_of_birth=future))
    assert_problem(r, 422, "date_of_birth")


async def test_register_an_unborn_child_with_sex_other_than_u_is_refused(api: Api) -> None:
    expected = (now_utc() + timedelta(days=60)).date().isoformat()
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/children", json=new_child(date_of_birth=None, expected_date_of_birth=expected, sex="F"))
    assert_problem(r, 422, "sex")


async def test_unknown_ethnicity_code_is_refused(api: Api) -> None:
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/children", json=new_child(ethnicity="XXXX"))
    assert_problem(r, 422, "ethnicity")


async def test_update_with_the_current_version_changes_the_child_and_publishes_child_updated(api: Api) -> None:
    async with api.as_user("front_door") as client:
        child = (await client.post("/v1/children", json=new_child())).json()
        r = await client.patch(f"/v1/children/{child['id']}", json={"postcode": "ex2 2bb"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert (r.json()["postcode"], r.json()["version"], r.headers["etag"]) == ("EX2 2BB", 2, '"2"')
    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.type == "child.updated" and str(e.data.child_id) == child["id"],
        count=1,
    )
    assert [(e.data.postcode, e.data.version, e.aggregate_version) for e in events] == [("EX2 2BB", 2, 2)]


async def test_update_with_a_stale_if_match_answers_412_and_changes_nothing(api: Api) -> None:
    async with api.as_user("front_door") as client:
        child = (await client.post("/v1/children", json=new_child())).json()
        await client.patch(f"/v1/children/{child['id']}", json={"postcode": "EX2 2BB"}, headers={"If-Match": '"1"'})
        async with changes_nothing(api.settings, ("children", child["id"])):
            r = await client.patch(f"/v1/children/{child['id']}", json={"postcode": "EX3 3CC"}, headers={"If-Match": '"1"'})
    assert_problem(r, 412, "If-Match")
    assert r.headers["etag"] == '"2"'


async def test_update_without_if_match_answers_428_and_changes_nothing(api: Api) -> None:
    async with api.as_user("front_door") as client:
        child = (await client.post("/v1/children", json=new_child())).json()
        async with changes_nothing(api.settings, ("children", child["id"])):
            r = await client.patch(f"/v1/children/{child['id']}", json={"postcode": "EX3 3CC"})
    assert_problem(r, 428, "If-Match")


async def test_update_to_a_date_of_birth_in_the_future_is_refused_and_changes_nothing(api: Api) -> None:
    future = (now_utc() + timedelta(days=2)).date().isoformat()
    async with api.as_user("front_door") as client:
        child = (await client.post("/v1/children", json=new_child())).json()
        async with changes_nothing(api.settings, ("children", child["id"])):
            r = await client.patch(f"/v1/children/{child['id']}", json={"date_of_birth": future}, headers={"If-Match": '"1"'})
    assert_problem(r, 422, "date_of_birth")


async def test_update_to_another_childs_nhs_number_is_refused_and_changes_nothing(api: Api) -> None:
    nhs = nhs_number()
    async with api.as_user("front_door") as client:
        await client.post("/v1/children", json=new_child(nhs_number=nhs))
        child = (await client.post("/v1/children", json=new_child())).json()
        async with changes_nothing(api.settings, ("children", child["id"])):
            r = await client.patch(f"/v1/children/{child['id']}", json={"nhs_number": nhs}, headers={"If-Match": '"1"'})
    assert_problem(r, 422, "nhs_number")
