"""Who may call each operation of the referral API (role by operation; the one table).

``record`` names what a refusal is audited as: every operation here carries a child's record
(identity, or the referral about the child), so a 403 is audited like any refused read. Which
team's child a caller may see is the object-level rule in the domain (``domain/access.py``), applied by
the repository's loads (decisions 7 and 20).
"""

from __future__ import annotations

from continuum.casework.principal import Role
from continuum.web.permissions import PermissionTable, grant

FRONT_DOOR, PRACTITIONER, MANAGER = Role.FRONT_DOOR, Role.PRACTITIONER, Role.MANAGER
AUDITOR, ADMIN, SERVICE = Role.AUDITOR, Role.ADMIN, Role.SERVICE
IMPORTER = Role.IMPORTER

#: Those who read children's records: everyone in social care but early help (which has its own
#: service) and a token with no role.
READERS = (FRONT_DOOR, PRACTITIONER, MANAGER, AUDITOR, ADMIN, SERVICE)
#: Those who write a child's identity: not auditors (read-only), not early help.
CHILD_WRITERS = (FRONT_DOOR, PRACTITIONER, MANAGER, ADMIN, SERVICE)

PERMISSIONS = PermissionTable(
    "referral",
    {
        "register_child": grant(*CHILD_WRITERS, record="child"),
        "get_child": grant(*READERS, record="child"),
        "update_child": grant(*CHILD_WRITERS, record="child"),
        "receive_referral": grant(FRONT_DOOR, MANAGER, ADMIN, SERVICE, record="referral"),
        "list_referrals": grant(*READERS, record="child"),
        "get_referral": grant(*READERS, record="referral"),
        "decide": grant(MANAGER, record="referral"),
        "correct_decision": grant(MANAGER, record="referral"),
        "request_information": grant(FRONT_DOOR, PRACTITIONER, MANAGER, SERVICE, record="referral"),
        "record_information": grant(FRONT_DOOR, PRACTITIONER, MANAGER, SERVICE, record="referral"),
        "queue": grant(FRONT_DOOR, MANAGER, AUDITOR, ADMIN, record="child"),
        "contacts": grant(FRONT_DOOR, MANAGER, AUDITOR, ADMIN, record="child"),
        # A council's history (decision 59): the import Job's service account alone.
        "import_children": grant(IMPORTER, record="child"),
    },
)
