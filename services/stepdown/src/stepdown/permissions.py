"""Who may call each operation of the step-down API (role by operation; the one table).

Only early help accepts or declines a handover and records the family's engagement and early
help's outcome; only auditors record audit findings; the team's manager closes what early help
did not take; only the history import's account (``importer``) imports closures. ``record``
names what a refusal is audited as; the measures carry no child's record.
"""

from __future__ import annotations

from continuum.casework.principal import Role
from continuum.web.permissions import PermissionTable, grant

PRACTITIONER, MANAGER, EARLY_HELP, AUDITOR, ADMIN = Role.PRACTITIONER, Role.MANAGER, Role.EARLY_HELP, Role.AUDITOR, Role.ADMIN
IMPORTER = Role.IMPORTER

READERS = (PRACTITIONER, MANAGER, EARLY_HELP, AUDITOR, ADMIN)

PERMISSIONS = PermissionTable(
    "stepdown",
    {
        "list_stepdowns": grant(*READERS, record="child"),
        "escalations": grant(MANAGER, AUDITOR, ADMIN, record="child"),
        "get_stepdown": grant(*READERS, record="stepdown"),
        "record_handover": grant(PRACTITIONER, MANAGER, record="stepdown"),
        "accept_stepdown": grant(EARLY_HELP, record="stepdown"),
        "decline_stepdown": grant(EARLY_HELP, record="stepdown"),
        "record_engagement": grant(EARLY_HELP, record="stepdown"),
        "record_outcome": grant(EARLY_HELP, record="stepdown"),
        "close_stepdown": grant(MANAGER, record="stepdown"),
        "request_step_up": grant(EARLY_HELP, record="stepdown"),
        "get_step_up": grant(*READERS, record="step_up"),
        "draw_audit_sample": grant(AUDITOR, ADMIN, record="child"),
        "get_audit_sample": grant(MANAGER, AUDITOR, ADMIN, record="child"),
        "export_audit_sample": grant(MANAGER, AUDITOR, ADMIN, record="child"),
        "record_finding": grant(AUDITOR, record="audit_item"),
        "measures": grant(MANAGER, EARLY_HELP, AUDITOR, ADMIN),
        "export_measures": grant(MANAGER, EARLY_HELP, AUDITOR, ADMIN),
        "import_closures": grant(IMPORTER, record="child"),
    },
)
