"""Schemathesis over the insight API's OpenAPI schema (the measures' periods and days among it):
whatever it sends, no 5xx."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from continuum.web.auth import mint_dev_token
from continuum_tools.testing import TEST_SIGNING_KEY, fuzz_api
from insight.settings import InsightSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def test_no_generated_request_gets_a_server_error(make_database: Callable[[str, Path], str]) -> None:
    url = make_database("insight_fuzz", ALEMBIC_INI)
    token = mint_dev_token(
        InsightSettings(env="test", jwt_secret=TEST_SIGNING_KEY),
        sub="fuzzer",
        roles=["manager", "performance"],
        teams=["north"],
        sw_qualified=True,
    )
    code, report = fuzz_api("insight.app:create_app", url, token)
    assert code == 0, report
