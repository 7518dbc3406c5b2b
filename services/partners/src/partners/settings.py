"""The partners service's settings: the common ones and its name. The agencies, their statuses and
lawful bases are the council's: the ``partners:`` section of its policy file
(:class:`partners.domain.policy.PartnersPolicy`)."""

from __future__ import annotations

from continuum.settings import ServiceSettings


class PartnersSettings(ServiceSettings):
    service_name: str = "partners"
