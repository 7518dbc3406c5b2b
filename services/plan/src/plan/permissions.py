"""Who may call each operation of the plan API (role by operation; the one table).

Approving a plan also needs a social-work-qualified manager, and recording a strategy discussion
(section 47 work) a social-work-qualified practitioner or manager: rules of the domain, checked
after this table. ``record`` names what a refusal is audited as.
"""

from __future__ import annotations

from continuum.casework.principal import Role
from continuum.web.permissions import PermissionTable, grant

PRACTITIONER, MANAGER, AUDITOR, ADMIN = Role.PRACTITIONER, Role.MANAGER, Role.AUDITOR, Role.ADMIN
IMPORTER = Role.IMPORTER

READERS = (PRACTITIONER, MANAGER, AUDITOR, ADMIN)
RECORDERS = (PRACTITIONER, MANAGER)

PERMISSIONS = PermissionTable(
    "plan",
    {
        "find_plans": grant(*READERS, record="child"),
        "worklist": grant(MANAGER, AUDITOR, ADMIN, record="child"),
        "get_plan": grant(*READERS, record="plan"),
        "list_versions": grant(*READERS, record="plan"),
        "list_reviews": grant(*READERS, record="plan"),
        "list_visits": grant(*READERS, record="plan"),
        "list_meetings": grant(*READERS, record="plan"),
        "family_copy": grant(*READERS, record="plan"),
        "edit_plan": grant(*RECORDERS, record="plan"),
        "add_action": grant(*RECORDERS, record="plan"),
        "change_action": grant(*RECORDERS, record="plan"),
        "add_intervention": grant(*RECORDERS, record="plan"),
        "complete_intervention": grant(*RECORDERS, record="plan"),
        "approve_plan": grant(MANAGER, record="plan"),
        "record_review": grant(*RECORDERS, record="plan"),
        "record_visit": grant(*RECORDERS, record="plan"),
        "schedule_meeting": grant(*RECORDERS, record="plan"),
        "record_attendance": grant(*RECORDERS, record="plan"),
        "record_strategy_discussion": grant(*RECORDERS, record="plan"),
        "start_preproceedings": grant(MANAGER, record="case"),
        "find_preproceedings": grant(*READERS, record="child"),
        "get_preproceedings": grant(*READERS, record="preproceedings"),
        "record_preproceedings": grant(*RECORDERS, record="preproceedings"),
        "decide_preproceedings": grant(MANAGER, record="preproceedings"),
        "record_care_proceedings_letter": grant(*RECORDERS, record="preproceedings"),
        "end_plan": grant(MANAGER, record="plan"),
        # A council's history (decision 59): the import Job's account alone.
        "import_plans": grant(IMPORTER, record="child"),
    },
)
