"""The permission table, walked: every operation of the OpenAPI document, called with every role
(and with none), answers 403 exactly when the table does not grant the role; a 403 on a child's
record leaves a refused audit row. A route without an entry stops the app from starting."""

from __future__ import annotations

from continuum.casework.principal import Role
from continuum_tools.testing.suites import PermissionWalk
from referral.permissions import PERMISSIONS


class TestPermissionWalk(PermissionWalk):
    permissions = PERMISSIONS


def test_early_help_and_a_token_without_roles_read_no_child_or_referral() -> None:
    for operation in ("get_child", "get_referral", "queue"):
        assert Role.EARLY_HELP not in PERMISSIONS[operation].roles
        assert PERMISSIONS[operation].roles  # and an empty token holds none of them
