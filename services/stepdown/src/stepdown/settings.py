"""The step-down service's settings: the common ones, its name and the escalation scheduler's. The
receiving early help team, its deadline and the audit sampling rate are the council's: the
``stepdown:`` section of its policy file (:class:`stepdown.domain.policy.StepdownPolicy`)."""

from __future__ import annotations

from continuum.settings import ServiceSettings


class StepdownSettings(ServiceSettings):
    service_name: str = "stepdown"
    #: How often the scheduler looks for handovers past their response deadline.
    escalation_check_interval_seconds: float = 60.0
    #: At most this many handovers escalated (and events written) per transaction.
    escalation_batch_size: int = 500
