"""Who may call each operation of the assessment API (role by operation; the one table).

Allocating, returning and authorising also need a social-work-qualified manager, and only the
lead practitioner records and submits: those are rules of the use cases and the domain, checked
after this table. ``record`` names what a refusal is audited as; ``measures`` carries no child's
record (counts only). Only the history import's account (``importer``) imports assessments.
"""

from __future__ import annotations

from continuum.casework.principal import Role
from continuum.web.permissions import PermissionTable, grant

PRACTITIONER, MANAGER, AUDITOR, ADMIN = Role.PRACTITIONER, Role.MANAGER, Role.AUDITOR, Role.ADMIN
IMPORTER = Role.IMPORTER

READERS = (PRACTITIONER, MANAGER, AUDITOR, ADMIN)
RECORDERS = (PRACTITIONER, MANAGER)

PERMISSIONS = PermissionTable(
    "assessment",
    {
        "find_assessments": grant(*READERS, record="child"),
        "worklist": grant(*READERS, record="child"),
        "measures": grant(MANAGER, AUDITOR, ADMIN),
        "get_assessment": grant(*READERS, record="assessment"),
        "allocate": grant(MANAGER, record="assessment"),
        "record": grant(*RECORDERS, record="assessment"),
        "submit": grant(*RECORDERS, record="assessment"),
        "return_assessment": grant(MANAGER, record="assessment"),
        "authorise": grant(MANAGER, record="assessment"),
        "get_section47": grant(*READERS, record="section47"),
        "start_section47": grant(*RECORDERS, record="section47"),
        "conclude_section47": grant(*RECORDERS, record="section47"),
        "import_assessments": grant(IMPORTER, record="child"),
    },
)
