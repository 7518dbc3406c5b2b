"""The permission table, walked: every operation of the OpenAPI document, called with every role
(and with none), answers 403 exactly when the table does not grant the role; a 403 on a child's
record leaves a refused audit row. A route without an entry stops the app from starting."""

from __future__ import annotations

from continuum_tools.testing.suites import PermissionWalk
from insight.permissions import PERMISSIONS


class TestPermissionWalk(PermissionWalk):
    permissions = PERMISSIONS
