"""Who may call each operation of the partners API (role by operation; the one table).

The sharing log carries children's identifiers and the council's decisions about them: the
council's auditors (its data protection officer among them) and admins read it; nobody writes it
but the gateway. The subscriptions carry no child's record: anyone signed in may read them
(integrators, and each agency's own adapter through the service role).
"""

from __future__ import annotations

from continuum.casework.principal import Role
from continuum.web.permissions import PermissionTable, grant

LOG_READERS = (Role.AUDITOR, Role.ADMIN)

PERMISSIONS = PermissionTable(
    "partners",
    {
        "sharing_log": grant(*LOG_READERS, record="child"),
        "export_sharing_log": grant(*LOG_READERS, record="child"),
        "list_agencies": grant(*Role),
    },
)
