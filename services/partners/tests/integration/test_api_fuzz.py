"""Schemathesis over the partners API's OpenAPI schema (the sharing log's filters, dates and cursors
among it): whatever it sends, no 5xx."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from continuum.web.auth import mint_dev_token
from continuum_tools.testing import TEST_SIGNING_KEY, fuzz_api
from partners.settings import PartnersSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def test_no_generated_request_gets_a_server_error(make_database: Callable[[str, Path], str]) -> None:
    url = make_database("partners_fuzz", ALEMBIC_INI)
    token = mint_dev_token(
        PartnersSettings(env="test", jwt_secret=TEST_SIGNING_KEY), sub="fuzzer", roles=["auditor"], teams=["north"]
    )
    code, report = fuzz_api("partners.app:create_app", url, token)
    assert code == 0, report
