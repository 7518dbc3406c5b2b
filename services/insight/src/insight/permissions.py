"""Who may call each operation of the insight API (role by operation; the one table).

A chronology is the child's whole record across the services, so it is for the roles every one
of them lets read a child's case: practitioners, managers, auditors (read-only, every team) and
admins. Not the front door (it reads the referral service's records only) nor early help (it reads
the handovers sent to it): each sees its own part in its own service. Which child a caller may see
is the object-level rule: one of its teams held one of the child's cases (``repository.visible_child``).
``record`` names what a refusal is audited as.

The CIN census is the council's return to the DfE, every child with an episode in the year: for
those who prepare and check it (managers, auditors, performance officers, admins), not for practitioners, the front door
or early help. It is the whole council's, whatever the caller's teams. Ofsted's Annex A lists are
the same kind of return (every child of the council in the six months), for the same roles.

The staff directory (the names Annex A shows for workers) is loaded by admins only.

A rebuild of the read model (replaying events from the services' histories, emptying it first) is
an operator's job: admins only; its answers are counts, never a child's record.

The measures are for the same roles: counts of the caller's teams (every team for those who see
every team), never a child's record, so no refusal is audited as one.
"""

from __future__ import annotations

from continuum.casework.principal import Role
from continuum.web.permissions import PermissionTable, grant

PRACTITIONER, MANAGER, AUDITOR, PERFORMANCE, ADMIN = Role.PRACTITIONER, Role.MANAGER, Role.AUDITOR, Role.PERFORMANCE, Role.ADMIN

#: Those who read a child's whole record.
READERS = (PRACTITIONER, MANAGER, AUDITOR, ADMIN)
#: Those who prepare and check the council's returns.
RETURNS = (MANAGER, AUDITOR, PERFORMANCE, ADMIN)

PERMISSIONS = PermissionTable(
    "insight",
    {
        "chronology": grant(*READERS, record="child"),
        "census": grant(*RETURNS, record="census"),
        "annex_a": grant(*RETURNS, record="annex_a"),
        "load_staff": grant(ADMIN),
        "measures": grant(*RETURNS),
        "measures_csv": grant(*RETURNS),
        "replay_read_model": grant(ADMIN),
        "empty_read_model": grant(ADMIN),
    },
)
