"""The partners: section of the council policy, validated strictly: the development policy's
subscriptions; an unknown status, a duplicate agency, a missing or malformed basis each stop the
service from starting, with a message that names what is wrong."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from continuum.casework.policy import DEV_POLICY, CouncilPolicy, load_policy
from continuum.contracts import PartnerStatus
from partners.app import create_app
from partners.domain.policy import partners_policy
from partners.settings import PartnersSettings

S = PartnerStatus
RAW: dict[str, Any] = yaml.safe_load(DEV_POLICY.read_text())


def _with(change: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    change(raw["partners"]["agencies"])
    return raw


def _refusal(raw: dict[str, Any]) -> str:
    with pytest.raises(ValueError) as refused:
        partners_policy(CouncilPolicy.model_validate(raw))
    return str(refused.value)


def test_the_development_subscriptions() -> None:
    agencies = {a.id: a for a in partners_policy(load_policy()).agencies}
    assert list(agencies) == ["police", "gp", "health-visiting", "camhs", "school", "probation", "adult-mental-health", "housing"]
    assert agencies["police"].statuses == frozenset(S)
    assert agencies["school"].statuses == {S.CIN_PLAN, S.CP_PLAN, S.CLOSED}
    assert agencies["probation"].statuses == agencies["adult-mental-health"].statuses == {S.CP_PLAN, S.CLOSED}
    assert agencies["housing"].statuses == {S.CIN_PLAN, S.CP_PLAN}
    assert agencies["camhs"].topic == "continuum.partner.camhs"
    basis = str(agencies["gp"].lawful_basis)
    assert "6(1)(e)" in basis and "9(2)(g)" in basis and "Schedule 1 paragraph 18" in basis


def test_an_unknown_status_is_refused() -> None:
    message = _refusal(_with(lambda agencies: agencies[0]["statuses"].append("adopted")))
    assert "partners section" in message and "statuses" in message and "adopted" in message


def test_a_duplicate_agency_is_refused() -> None:
    message = _refusal(_with(lambda agencies: agencies.append(copy.deepcopy(agencies[0]))))
    assert "agency ids must be unique: police" in message


@pytest.mark.parametrize("part", ["article_6", "article_9", "dpa_2018"])
def test_a_missing_part_of_the_basis_is_refused(part: str) -> None:
    message = _refusal(_with(lambda agencies: agencies[1]["lawful_basis"].pop(part)))
    assert "lawful_basis" in message and part in message


def test_a_missing_basis_a_wrong_article_and_an_empty_subscription_are_refused() -> None:
    assert "lawful_basis" in _refusal(_with(lambda agencies: agencies[2].pop("lawful_basis")))
    wrong = {"article_6": "6(1)(e) public task", "article_9": "public interest", "dpa_2018": "Schedule 1 paragraph 18"}
    assert "article_9" in _refusal(_with(lambda agencies: agencies[3].update(lawful_basis=wrong)))
    assert "statuses" in _refusal(_with(lambda agencies: agencies[4].update(statuses=[])))
    assert "id" in _refusal(_with(lambda agencies: agencies[5].update(id="Police Scotland")))
    assert "consumer groups" in _refusal(_with(lambda agencies: agencies[6].update(id="partners")))


def test_the_service_refuses_to_start_on_a_bad_section(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yaml"
    bad.write_text(yaml.safe_dump(_with(lambda agencies: agencies[0]["statuses"].append("adopted"))))
    with pytest.raises(ValueError, match="the partners section of the council policy file"):
        create_app(PartnersSettings(env="dev", policy_file=bad))
