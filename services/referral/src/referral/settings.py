"""The referral service's settings: the common ones, with its own name."""

from __future__ import annotations

from continuum.settings import ServiceSettings


class ReferralSettings(ServiceSettings):
    service_name: str = "referral"
