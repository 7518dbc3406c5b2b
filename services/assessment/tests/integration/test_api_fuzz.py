"""Schemathesis over the assessment API's OpenAPI schema: whatever it sends, no 5xx."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assessment.settings import AssessmentSettings
from continuum.web.auth import mint_dev_token
from continuum_tools.testing import TEST_SIGNING_KEY, fuzz_api

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def test_no_generated_request_gets_a_server_error(make_database: Callable[[str, Path], str]) -> None:
    url = make_database("assessment_fuzz", ALEMBIC_INI)
    token = mint_dev_token(
        AssessmentSettings(env="test", jwt_secret=TEST_SIGNING_KEY),
        sub="fuzzer",
        roles=["manager", "practitioner"],
        teams=["north"],
        sw_qualified=True,
    )
    code, report = fuzz_api("assessment.app:create_app", url, token)
    assert code == 0, report
