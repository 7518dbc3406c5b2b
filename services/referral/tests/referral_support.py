"""Helpers for the referral service's tests: an API client per user and valid request bodies."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from continuum.auth import mint_dev_token
from continuum.testing import remember_personal_data, unique
from referral.settings import ReferralSettings


class Api:
    """An HTTP client for the referral API, acting as one user."""

    def __init__(self, app: Any, settings: ReferralSettings) -> None:
        self.app = app
        self.settings = settings

    def as_user(self, *roles: str, teams: tuple[str, ...] = ("north",), sw_qualified: bool = False, sub: str | None = None) -> httpx.AsyncClient:
        token = mint_dev_token(self.settings, sub=sub or unique("user"), roles=list(roles), teams=list(teams), sw_qualified=sw_qualified)
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://referral",
            headers={"Authorization": f"Bearer {token}"},
        )


def new_child(**overrides: Any) -> dict[str, Any]:
    """A valid new child with unique identifiers; its name and date of birth are remembered for the log check."""
    child: dict[str, Any] = {
        "la_child_id": unique("LA"),
        "given_name": unique("Given").replace("-", ""),
        "family_name": unique("Family").replace("-", ""),
        "date_of_birth": "2016-03-14",
        "sex": "F",
        "ethnicity": "WBRI",
        "disabilities": ["NONE"],
        "postcode": "EX1 1AA",
    } | overrides
    remember_personal_data(child["given_name"], child["family_name"])
    return child


def new_referral(child: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "child": child if child is not None else new_child(),
        "received_at": "2026-11-20T10:00:00Z",
        "source": "6",
        "referrer": {"name": "PC Example", "agency": "Example Constabulary"},
        "concerns": "Police attended a domestic incident; the child was present.",
        "lawful_basis": "public_task_safeguarding_children",
        "suggested_threshold": "child_in_need",
        "team": "north",
    }
    return body | overrides


def today() -> date:
    return date.today()
