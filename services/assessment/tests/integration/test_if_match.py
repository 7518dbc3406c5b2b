"""If-Match is required on every change of an existing record (issue 7, defect 5): the OpenAPI
document says so, a request without it answers 428 and changes nothing, and a versioned answer
documents its ETag."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from assessment_support import Api, Cases, assert_problem

from continuum.web.permissions import api_operations

CHANGES = ["allocate", "record", "submit", "return_assessment", "authorise", "start_section47", "conclude_section47"]
#: Changes that create or import records rather than change one a caller read: no If-Match.
CREATES = ["import_assessments"]


def _operation(app: Any, name: str) -> dict[str, Any]:
    method, path = api_operations(app)[name]
    operation: dict[str, Any] = app.openapi()["paths"][path][method.lower()]
    return operation


def test_every_change_of_a_record_documents_if_match_as_required_and_its_428(api: Api) -> None:
    changes = {name for name, (method, _) in api_operations(api.app).items() if method in ("POST", "PATCH", "PUT", "DELETE")}
    assert changes == set(CHANGES) | set(CREATES)
    for name in CHANGES:
        operation = _operation(api.app, name)
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert headers["If-Match"]["required"] is True, name
        assert "428" in operation["responses"] and "ETag" in operation["responses"]["200"]["headers"], name


@pytest.mark.parametrize("operation", CHANGES)
async def test_a_change_without_if_match_answers_428_and_changes_nothing(api: Api, cases: Cases, operation: str) -> None:
    row = await cases.open(outcome="strategy_discussion")
    s47 = await cases.scalar("SELECT id FROM section47_enquiries WHERE assessment_id = :a", a=row["id"])
    method, template = api_operations(api.app)[operation]
    path = re.sub(r"\{assessment_id\}", str(row["id"]), template).replace("{section47_id}", str(s47))
    before = await cases.snapshot(row["id"])
    async with api.as_user("manager", "practitioner", sw_qualified=True, sub=f"u-{uuid.uuid4().hex[:6]}") as client:
        r = await client.request(method, path, json={})
    body = assert_problem(r, 428, "If-Match")
    assert body["type"].endswith("/if-match-required")
    assert await cases.snapshot(row["id"]) == before
