"""The permission table, walked: every operation of the OpenAPI document, called with every role
(and with none), answers 403 exactly when the table does not grant the role; a 403 on the sharing
log leaves a refused audit row."""

from __future__ import annotations

from continuum_tools.testing.suites import PermissionWalk
from partners.permissions import PERMISSIONS


class TestPermissionWalk(PermissionWalk):
    permissions = PERMISSIONS
