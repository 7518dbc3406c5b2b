"""The family copy: a valid, accessible HTML page (a language, headings in order, no images and so
no text in images) in plain English, holding the actions and the next review date and none of the
professional-only fields, reached with the same access rules and audit as the plan."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

from plan_support import Api, Cases, action_body, assert_problem, etag

from continuum.casework import clock
from plan.family_copy import long_date

VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "source", "track", "wbr"}


class Page(HTMLParser):
    """What the checks read from the page, and whether its elements nest properly."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[int] = []
        self.tags: list[str] = []
        self.open: list[str] = []
        self.text: list[str] = []
        self.misnested: list[str] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.misnested.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


async def _plan_with_everything(api: Api, cases: Cases) -> dict[str, Any]:
    plan = await cases.started(api, plan_type="cp")
    today = clock.today().isoformat()
    async with api.manager() as m:
        r = await m.post(
            f"/v1/plans/{plan['id']}/actions",
            json=action_body(
                description="Take Sam to the dentist <script>alert(1)</script>", owner={"person": "Dr Who", "agency": "health"}
            ),
            headers=etag(plan["version"]),
        )
        r = await m.post(
            f"/v1/plans/{plan['id']}/visits",
            json={"visit_date": today, "child_seen": False, "reason_not_seen": "CONFIDENTIAL-VISIT-NOTE"},
            headers=etag(r.json()["version"]),
        )
        meeting = {
            "kind": "core_group",
            "meeting_date": today,
            "invitees": [{"agency": "probation", "name": "CONFIDENTIAL-INVITEE"}],
        }
        r = await m.post(f"/v1/plans/{plan['id']}/meetings", json=meeting, headers=etag(r.json()["version"]))
        started = await m.post("/v1/pre-proceedings", json={"case_id": plan["case_id"], "start_date": today})
    assert r.status_code == 201 and started.status_code == 201, started.text
    return dict(r.json())


async def test_the_family_copy_is_accessible_html_with_the_actions_and_the_next_review(api: Api, cases: Cases) -> None:
    plan = await _plan_with_everything(api, cases)
    async with api.practitioner() as sw:
        r = await sw.get(f"/v1/plans/{plan['id']}/family-copy")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = parse(r.text)
    assert page.doctype and page.lang == "en" and page.misnested == [] and page.open == []
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False)), page.headings
    assert not {"img", "svg", "canvas", "picture", "object", "embed", "script"} & set(page.tags)
    text = " ".join(page.text)
    for a in plan["actions"]:
        assert a["description"] in text and a["success_measure"] in text and long_date(date.fromisoformat(a["due_date"])) in text
    review_due = date.fromisoformat(plan["next_review_due"])
    assert long_date(review_due) in text and "01632 960001" in text


async def test_the_family_copy_leaves_out_what_is_for_professionals_only(api: Api, cases: Cases) -> None:
    plan = await _plan_with_everything(api, cases)
    async with api.practitioner() as sw:
        r = await sw.get(f"/v1/plans/{plan['id']}/family-copy")
    text = " ".join(parse(r.text).text)
    professional = [
        "3A",
        "4B",
        "N1",
        "NEG",
        "Neglect",
        "category",
        "pre-proceedings",
        "Pre-proceedings",
        "drift",
        "sw-lead",
        "CONFIDENTIAL-VISIT-NOTE",
        "CONFIDENTIAL-INVITEE",
        str(plan["case_id"]),
        "section 47",
        "primary need",
    ]
    assert [word for word in professional if word in text] == []
    assert "<script>" not in r.text


async def test_the_family_copy_is_read_like_the_plan_and_audited(api: Api, cases: Cases) -> None:
    plan = await cases.ready(api)
    async with api.practitioner() as sw:
        ok = await sw.get(f"/v1/plans/{plan['id']}/family-copy")
    async with api.practitioner("south") as other:
        refused = await other.get(f"/v1/plans/{plan['id']}/family-copy")
    assert ok.status_code == 200
    assert_problem(refused, 404)
    for r, expected in ((ok, {("plan", "success"), ("child", "success")}), (refused, {("plan", "refused")})):
        rows = await cases.rows(
            "SELECT subject_type, outcome FROM audit_log WHERE request_id = :rid", rid=r.headers["x-request-id"]
        )
        assert {(row["subject_type"], row["outcome"]) for row in rows} == expected


async def test_an_auditor_reads_the_family_copy_and_the_read_is_audited(api: Api, cases: Cases) -> None:
    """Changed in issue 16: auditors read the plan but got 403 on its family copy."""
    plan = await cases.ready(api)
    async with api.as_user("auditor", teams=()) as auditor:
        r = await auditor.get(f"/v1/plans/{plan['id']}/family-copy")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    rows = await cases.rows("SELECT subject_type, outcome FROM audit_log WHERE request_id = :rid", rid=r.headers["x-request-id"])
    assert {(row["subject_type"], row["outcome"]) for row in rows} == {("plan", "success"), ("child", "success")}


async def test_the_family_copy_of_an_overdue_review_says_it_is_being_arranged(api: Api, cases: Cases) -> None:
    plan = await cases.started(api)
    await cases.backdate(plan["id"], 60)  # the first review was due 6 weeks after a start 60 days ago
    due = date.fromisoformat(plan["next_review_due"]) - timedelta(days=60)
    async with api.practitioner() as sw:
        r = await sw.get(f"/v1/plans/{plan['id']}/family-copy")
    text = " ".join(parse(r.text).text)
    assert "overdue" in text and "is arranging it" in text and long_date(due) in text
    assert f"again by {long_date(due)}" not in text


async def test_the_family_copy_of_a_review_still_to_come_gives_its_date(api: Api, cases: Cases) -> None:
    plan = await cases.started(api)
    async with api.practitioner() as sw:
        r = await sw.get(f"/v1/plans/{plan['id']}/family-copy")
    text = " ".join(parse(r.text).text)
    assert f"again by {long_date(date.fromisoformat(plan['next_review_due']))}" in text and "overdue" not in text
