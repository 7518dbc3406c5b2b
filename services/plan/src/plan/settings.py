"""The plan service's settings: the common ones, with its own name and the drift check's.

Review cadence, visit frequency and drift thresholds are the council's: the ``plan:`` section of
its policy file (:class:`plan.domain.policy.PlanPolicy`, validated at start); the child protection
conference rules are the law's, in the domain."""

from __future__ import annotations

from continuum.settings import ServiceSettings


class PlanSettings(ServiceSettings):
    service_name: str = "plan"
    #: How often the drift check looks for plans due a look.
    drift_check_interval_seconds: float = 60.0
    #: At most this many plans checked (and their events written) per transaction.
    drift_batch_size: int = 500
