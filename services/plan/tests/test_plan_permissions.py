"""The permission table, walked: every operation of the plan API, called with every role (and
with none), answers 403 exactly when the table does not grant the role; a 403 on a child's record
leaves a refused audit row. A route without an entry stops the app from starting."""

from __future__ import annotations

from typing import Any

import pytest
from plan_support import Api, Cases

from continuum.casework.principal import Role
from continuum.web.permissions import api_operations
from continuum_tools.testing import ROLES_TO_WALK, call_operation
from plan.permissions import PERMISSIONS


def test_the_table_names_every_operation_of_the_api_and_nothing_else(plan_app: Any) -> None:
    assert set(api_operations(plan_app)) == PERMISSIONS.operations()


@pytest.mark.parametrize("role", ROLES_TO_WALK)
@pytest.mark.parametrize("operation", sorted(PERMISSIONS.operations()))
async def test_every_operation_answers_403_exactly_to_the_roles_the_table_refuses(
    api: Api, cases: Cases, operation: str, role: str | None
) -> None:
    permission = PERMISSIONS[operation]
    r = await call_operation(api.app, api.settings, operation, role)
    granted = role is not None and Role(role) in permission.roles
    if granted:
        assert r.status_code not in (401, 403) and r.status_code < 500, r.text
        return
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"
    rows = await cases.rows("SELECT subject_type, outcome FROM audit_log WHERE request_id = :rid", rid=r.headers["x-request-id"])
    expected = [(permission.record, "refused")] if permission.record else []
    assert [(row["subject_type"], row["outcome"]) for row in rows] == expected
