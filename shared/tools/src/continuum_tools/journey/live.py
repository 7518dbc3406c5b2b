"""A running stack (``make run``, ``continuum up``) seen from outside: its services' URLs, dev
tokens like the README's curl examples, and a clock for the journey's own side."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import httpx

from continuum.casework import clock
from continuum.settings import ServiceSettings
from continuum.web.auth import mint_dev_token
from continuum_tools.journey.waiting import unique
from continuum_tools.services import PORTS


@dataclass
class LiveStack:
    """The services of a running stack at ``127.0.0.1:<port + offset>``, called with dev tokens
    signed with ``settings``' key (the development key unless told)."""

    port_offset: int = 0
    settings: ServiceSettings | None = None
    host: str = "127.0.0.1"

    def url(self, service: str) -> str:
        return f"http://{self.host}:{PORTS[service] + self.port_offset}"

    def client(self, service: str, *roles: str, teams: Sequence[str] = ("north",), sub: str | None = None) -> httpx.AsyncClient:
        settings = self.settings or ServiceSettings(env="dev")
        token = mint_dev_token(settings, sub=sub or unique("journey"), roles=list(roles), teams=list(teams), sw_qualified=True)
        return httpx.AsyncClient(base_url=self.url(service), headers={"Authorization": f"Bearer {token}"}, timeout=30)


class JourneyClock:
    """The journey's own clock: ``on(day)`` makes ``continuum.casework.clock.now`` answer 10:00 in
    London that day in this process only, so the dates the journey sends (a referral received
    that day) are that day's; the stack keeps real time, so every day must be today or before,
    and today it answers no later than the real time (before 10:00 a referral received at 10:00
    today would be in the future)."""

    def __init__(self) -> None:
        self.real = clock.now
        self.instant: datetime = self.real()

    def on(self, day: date, hour: int = 10) -> None:
        self.instant = min(datetime.combine(day, time(hour), tzinfo=clock.LONDON).astimezone(UTC), self.real())

    @contextmanager
    def installed(self) -> Iterator[JourneyClock]:
        """This clock as the kernel's clock for the block (outside pytest's monkeypatch)."""
        clock.now = lambda: self.instant
        try:
            yield self
        finally:
            clock.now = self.real
