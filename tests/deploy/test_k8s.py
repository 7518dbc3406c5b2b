"""The Kubernetes manifests (deploy/k8s): both overlays render with the real kustomize, every core
resource validates against the Kubernetes schemas offline, the operators' resources use the fields
their documentation names, and the policy holds for every service: probes, limits, non-root,
read-only root filesystem, a CloudNativePG cluster per service, durable topics in prod, and Kafka
ACLs that grant each service exactly what its code reads and writes. Each check also gets a
deliberately wrong manifest, to show it can fail."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest
import yaml

from continuum.contracts import agency_topic
from deploy.k8s_checks import agency_acl_problems, durability_problems, pod_problems, service_acl_problems
from deploy.k8s_code import REPO, SERVICES, KafkaUse, agencies, kafka_use
from deploy.k8s_crds import custom_resource_problems
from deploy.k8s_render import OVERLAYS, Resource, named, of_kind, render

#: The Kubernetes release the core resources are validated against (kubernetes-validate's schemas).
KUBERNETES = "1.32.0"
CORE_API_VERSIONS = {"v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1", "autoscaling/v2"}
WORKLOADS = ("Deployment", "Job")


def core(resources: tuple[Resource, ...]) -> list[Resource]:
    return [r for r in resources if r["apiVersion"] in CORE_API_VERSIONS]


def custom(resources: tuple[Resource, ...]) -> list[Resource]:
    return [r for r in resources if r["apiVersion"] not in CORE_API_VERSIONS]


def topics(resources: tuple[Resource, ...]) -> set[str]:
    return {t["spec"]["topicName"] for t in of_kind(resources, "KafkaTopic")}


@pytest.fixture(scope="module")
def uses() -> dict[str, KafkaUse]:
    return {service: kafka_use(service) for service in SERVICES}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_every_service_with_its_api_worker_and_migration(overlay: str) -> None:
    resources = render(overlay)
    deployments = {d["metadata"]["name"] for d in of_kind(resources, "Deployment")}
    jobs = {j["metadata"]["name"] for j in of_kind(resources, "Job")}
    assert deployments == {*SERVICES, *(f"{s}-worker" for s in SERVICES)}
    assert jobs == {*(f"{s}-migrate" for s in SERVICES), "import-census"}
    assert named(resources, "Job", "import-census")["spec"]["suspend"] is True  # an operator starts it


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_core_resources_validate_against_the_kubernetes_schemas(overlay: str) -> None:
    for resource in core(render(overlay)):
        kubernetes_validate.validate(resource, KUBERNETES, strict=True)


def test_the_schema_validation_reports_a_misspelt_field() -> None:
    deployment = copy.deepcopy(named(render("dev"), "Deployment", "referral"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_operator_resources_use_the_documented_versions_and_fields(overlay: str) -> None:
    problems = [p for resource in custom(render(overlay)) for p in custom_resource_problems(resource)]
    assert problems == []


def test_a_misspelt_or_missing_operator_field_is_reported() -> None:
    cluster = copy.deepcopy(named(render("prod"), "Cluster", "referral-db"))
    cluster["spec"]["bootstrap"]["initdb"]["ownr"] = "x"
    del cluster["spec"]["storage"]
    scaled = copy.deepcopy(named(render("prod"), "ScaledObject", "referral-worker"))
    scaled["spec"]["triggers"][0]["metadata"]["lagThreshhold"] = "5"
    assert custom_resource_problems(cluster) == [
        "Cluster/referral-db spec: missing 'storage'",
        "Cluster/referral-db spec.bootstrap.initdb: unknown field 'ownr'",
    ]
    assert custom_resource_problems(scaled) == [
        "ScaledObject/referral-worker kafka trigger metadata: unknown field 'lagThreshhold'"
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_is_non_root_read_only_limited_and_probed(overlay: str) -> None:
    workloads = [r for r in render(overlay) if r["kind"] in WORKLOADS]
    assert [p for workload in workloads for p in pod_problems(workload)] == []


def test_a_pod_without_limits_probes_or_read_only_root_is_reported() -> None:
    deployment = copy.deepcopy(named(render("prod"), "Deployment", "plan"))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    del container["resources"]["limits"], container["readinessProbe"]
    container["securityContext"]["readOnlyRootFilesystem"] = False
    deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] = False
    assert pod_problems(deployment) == [
        "Deployment/plan: pod not runAsNonRoot",
        "Deployment/plan plan: root filesystem not read-only",
        "Deployment/plan plan: no memory limit",
        "Deployment/plan plan: no readinessProbe",
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_user_grants_exactly_what_its_code_reads_and_writes(service: str, uses: dict[str, KafkaUse]) -> None:
    resources = render("prod")
    assert service_acl_problems(named(resources, "KafkaUser", service), uses[service], topics(resources)) == []


def test_an_acl_granting_more_than_the_code_needs_is_reported(uses: dict[str, KafkaUse]) -> None:
    """Must-show 2: referral reads only continuum.stepdown; a grant on continuum.plan, or Write on
    another service's topic, or another service's groups, fails."""
    resources = render("prod")
    user = copy.deepcopy(named(resources, "KafkaUser", "referral"))
    user["spec"]["authorization"]["acls"] += [
        {"resource": {"type": "topic", "name": "continuum.plan", "patternType": "literal"}, "operations": ["Read"]},
        {"resource": {"type": "topic", "name": "continuum.assessment", "patternType": "literal"}, "operations": ["Write"]},
        {"resource": {"type": "group", "name": "plan.", "patternType": "prefix"}, "operations": ["Read"]},
    ]
    assert service_acl_problems(user, uses["referral"], topics(resources)) == [
        "referral: grants Read on continuum.plan, which its code does not need",
        "referral: grants Write on continuum.assessment, which its code does not need",
        "referral: reads groups 'plan.' (prefix), not its own referral.*",
    ]


def test_an_acl_missing_what_the_code_needs_is_reported(uses: dict[str, KafkaUse]) -> None:
    resources = render("prod")
    user = copy.deepcopy(named(resources, "KafkaUser", "referral"))
    user["spec"]["authorization"]["acls"] = [a for a in user["spec"]["authorization"]["acls"] if a["resource"]["type"] != "group"]
    assert service_acl_problems(user, uses["referral"], topics(resources)) == [
        "referral: lacks Read on its group referral.stepup",
        "referral: lacks Read on its group referral.episodes",
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_topic_the_code_reads_or_writes_is_declared(overlay: str, uses: dict[str, KafkaUse]) -> None:
    used = {t for use in uses.values() for t in use.reads | use.writes | use.dead_letters}
    assert used - topics(render(overlay)) == set()


def _policy_agencies(resources: tuple[Resource, ...]) -> tuple[str, ...]:
    """The agencies of the council policy the overlay mounts into every pod."""
    configmap = next(c for c in of_kind(resources, "ConfigMap") if c["metadata"]["name"].startswith("council-policy"))
    return agencies(configmap["data"]["council-policy.yaml"])


def agency_mismatches(resources: tuple[Resource, ...], listed: tuple[str, ...]) -> list[str]:
    """Each agency of the overlay's policy has its topic and its user, and no user or agency topic
    exists for an agency the policy does not list."""
    user_names = [u["metadata"]["name"] for u in of_kind(resources, "KafkaUser")]
    users = {name.removeprefix("partner-") for name in user_names if name.startswith("partner-")}
    agency_topics = {t.removeprefix(agency_topic("")) for t in topics(resources) if t.startswith(agency_topic(""))}
    problems = [f"agency {a}: no KafkaUser partner-{a}" for a in sorted(set(listed) - users)]
    problems += [f"agency {a}: no KafkaTopic {agency_topic(a)}" for a in sorted(set(listed) - agency_topics)]
    problems += [f"KafkaUser partner-{a}: not an agency of the policy" for a in sorted(users - set(listed))]
    problems += [f"KafkaTopic {agency_topic(a)}: not an agency of the policy" for a in sorted(agency_topics - set(listed))]
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_user_per_partner_agency_reading_only_its_own_topic(overlay: str) -> None:
    resources = render(overlay)
    listed = _policy_agencies(resources)
    assert listed, "the policy lists no agency"
    assert agency_mismatches(resources, listed) == []
    problems = [p for a in listed for p in agency_acl_problems(named(resources, "KafkaUser", f"partner-{a}"), a, agency_topic(a))]
    assert problems == []


def test_a_new_agency_without_a_user_or_a_partner_that_writes_is_reported() -> None:
    resources = render("prod")
    assert agency_mismatches(resources, (*_policy_agencies(resources), "fire")) == [
        "agency fire: no KafkaUser partner-fire",
        "agency fire: no KafkaTopic continuum.partner.fire",
    ]
    police = copy.deepcopy(named(resources, "KafkaUser", "partner-police"))
    police["spec"]["authorization"]["acls"][0]["operations"].append("Write")
    police["spec"]["authorization"]["acls"].append(
        {"resource": {"type": "topic", "name": "continuum.partner-status", "patternType": "literal"}, "operations": ["Read"]}
    )
    assert agency_acl_problems(police, "police", agency_topic("police")) == [
        "partner-police: a partner agency's user grants ['Write'] on continuum.partner.police",
        "partner-police: reads topic continuum.partner-status, not only continuum.partner.police",
    ]


def test_the_base_policy_is_the_development_policy_the_code_ships() -> None:
    base = yaml.safe_load((REPO / "deploy/k8s/base/council-policy.yaml").read_text())
    shipped = yaml.safe_load((REPO / "shared/src/continuum/casework/dev_policy.yaml").read_text())
    assert base == shipped


def test_prod_topics_keep_three_copies_and_acknowledge_on_two() -> None:
    assert [p for topic in of_kind(render("prod"), "KafkaTopic") for p in durability_problems(topic)] == []
    single = named(render("dev"), "KafkaTopic", "continuum-referral")
    assert durability_problems(single) == [
        "continuum.referral: replicas 1, not 3",
        "continuum.referral: min.insync.replicas 1, not 2",
    ]


def test_prod_retention_is_what_the_history_decision_needs() -> None:
    from continuum.messaging.kafka import topic_configs

    for topic in of_kind(render("prod"), "KafkaTopic"):
        config = {k: str(v) for k, v in topic["spec"]["config"].items() if k != "min.insync.replicas"}
        assert config == topic_configs(topic["spec"]["topicName"]), topic["spec"]["topicName"]


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e for e in container.get("env", [])}


def test_prod_has_a_backed_up_cnpg_cluster_per_service_whose_secrets_the_pods_read() -> None:
    resources = render("prod")
    backups = {b["spec"]["cluster"]["name"] for b in of_kind(resources, "ScheduledBackup")}
    for service in SERVICES:
        cluster = named(resources, "Cluster", f"{service}-db")
        assert cluster["spec"]["instances"] == 3 and "barmanObjectStore" in cluster["spec"]["backup"]
        assert cluster["spec"]["bootstrap"]["initdb"] == {"database": service, "owner": f"{service}_owner"}
        assert f"{service}-db" in backups
        runtime_secret = cluster["spec"]["managed"]["roles"][0]["passwordSecret"]["name"]
        migrate = _env(named(resources, "Job", f"{service}-migrate")["spec"]["template"]["spec"]["containers"][0])
        api = _env(named(resources, "Deployment", service)["spec"]["template"]["spec"]["containers"][0])
        # The owner's Secret is the one CloudNativePG generates for initdb's owner: <cluster>-app.
        assert migrate["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == f"{service}-db-app"
        assert api["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == runtime_secret
        assert f"@{service}-db-rw:5432/{service}" in api["CONTINUUM_DATABASE_URL"]["value"]


def test_prod_apis_scale_on_cpu_and_workers_on_their_groups_lag(uses: dict[str, KafkaUse]) -> None:
    resources = render("prod")
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(resources, "HorizontalPodAutoscaler")}
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind(resources, "ScaledObject")}
    for service in SERVICES:
        assert hpas[service]["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        triggers = scaled[f"{service}-worker"]["spec"]["triggers"]
        assert {t["type"] for t in triggers} == {"kafka"}
        assert {t["metadata"]["consumerGroup"] for t in triggers} == set(uses[service].groups)
        api = _env(named(resources, "Deployment", service)["spec"]["template"]["spec"]["containers"][0])
        worker = _env(named(resources, "Deployment", f"{service}-worker")["spec"]["template"]["spec"]["containers"][0])
        assert (api["CONTINUUM_RUN_WORKERS"]["value"], worker["CONTINUUM_RUN_WORKERS"]["value"]) == ("false", "true")
