"""The assessment service's settings: the common ones, with its own name and the overdue scheduler's."""

from __future__ import annotations

from continuum.settings import ServiceSettings


class AssessmentSettings(ServiceSettings):
    service_name: str = "assessment"
    #: How often the scheduler looks for assessments that passed their due date.
    overdue_check_interval_seconds: float = 60.0
    #: At most this many assessments flagged (and events written) per transaction.
    overdue_batch_size: int = 500
