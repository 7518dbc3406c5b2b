"""The checks tests/deploy/test_k8s.py runs over rendered manifests. Each returns the problems it
finds, one sentence each, so that a test can feed it a deliberately wrong resource and see the
problem named (a check that cannot fail proves nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from deploy.k8s_code import KafkaUse

Resource = dict[str, Any]

#: Operations that only let a client see that a resource exists: granted beside every other.
_VISIBILITY = {"Describe"}


def _acls(user: Resource) -> list[Resource]:
    return list(user["spec"].get("authorization", {}).get("acls", []))


def _matches(acl_resource: Resource, name: str) -> bool:
    pattern = acl_resource["name"]
    if acl_resource.get("patternType", "literal") == "prefix":
        return name.startswith(pattern)
    return pattern == "*" or pattern == name


def _topic_grants(user: Resource, topics: Iterable[str]) -> set[tuple[str, str]]:
    """(operation, topic) for every declared topic each topic ACL reaches: a prefix is judged by the
    topics it opens, so "continuum.partner." is as wide as the agency topics that exist."""
    granted: set[tuple[str, str]] = set()
    for acl in _acls(user):
        if acl["resource"]["type"] != "topic":
            continue
        for topic in topics:
            if _matches(acl["resource"], topic):
                granted |= {(op, topic) for op in acl["operations"] if op not in _VISIBILITY}
    return granted


def service_acl_problems(user: Resource, use: KafkaUse, topics: Iterable[str]) -> list[str]:
    """A service's KafkaUser grants exactly what its code does: Write on the topics it publishes and
    its dead letters, Read on the topics its groups read and their retries, Read on groups named
    "<service>." and nothing else (no cluster, no transactional ids, no other group)."""
    name = user["metadata"]["name"]
    needed = {("Write", t) for t in use.writes | use.dead_letters} | {("Read", t) for t in use.reads}
    granted = _topic_grants(user, set(topics) | {t for _, t in needed})
    problems = [f"{name}: grants {op} on {topic}, which its code does not need" for op, topic in sorted(granted - needed)]
    problems += [f"{name}: lacks {op} on {topic}, which its code needs" for op, topic in sorted(needed - granted)]
    problems += _group_problems(name, _acls(user), owner_prefix=f"{use.service}.", groups=use.groups)
    return problems


def _group_problems(name: str, acls: list[Resource], *, owner_prefix: str, groups: Iterable[str]) -> list[str]:
    problems = []
    group_acls = [acl for acl in acls if acl["resource"]["type"] == "group"]
    for acl in acls:
        kind = acl["resource"]["type"]
        if kind not in ("topic", "group"):
            problems.append(f"{name}: grants {acl['operations']} on {kind} {acl['resource'].get('name', '')}")
    for acl in group_acls:
        resource = acl["resource"]
        own = resource.get("patternType") == "prefix" and resource["name"] == owner_prefix
        if not own:
            pattern = f"{resource['name']!r} ({resource.get('patternType', 'literal')})"
            problems.append(f"{name}: reads groups {pattern}, not its own {owner_prefix}*")
        if set(acl["operations"]) - {"Read", "Describe"}:
            problems.append(f"{name}: grants {acl['operations']} on groups {resource['name']!r}")
    for group in groups:
        if not any(_matches(acl["resource"], group) and "Read" in acl["operations"] for acl in group_acls):
            problems.append(f"{name}: lacks Read on its group {group}")
    return problems


def agency_acl_problems(user: Resource, agency: str, topic: str) -> list[str]:
    """A partner agency reads its own topic with groups "<agency>." and nothing else: no write, no
    other topic (not the internal continuum.partner-status, not another agency's)."""
    name = user["metadata"]["name"]
    problems = []
    for acl in _acls(user):
        writes = set(acl["operations"]) - {"Read", "Describe"}
        if writes:
            problems.append(f"{name}: a partner agency's user grants {sorted(writes)} on {acl['resource']['name']}")
    granted = {t for _, t in _topic_grants(user, [topic])}
    others = [a["resource"]["name"] for a in _acls(user) if a["resource"]["type"] == "topic" and not _literal(a, topic)]
    problems += [f"{name}: reads topic {other}, not only {topic}" for other in others]
    if topic not in granted:
        problems.append(f"{name}: lacks Read on {topic}")
    problems += _group_problems(name, _acls(user), owner_prefix=f"{agency}.", groups=[f"{agency}.feed"])
    return problems


def _literal(acl: Resource, topic: str) -> bool:
    return acl["resource"].get("patternType", "literal") == "literal" and acl["resource"]["name"] == topic


def _containers(workload: Resource) -> Iterator[tuple[str, Resource]]:
    spec = workload["spec"]["template"]["spec"]
    for key in ("initContainers", "containers"):
        for container in spec.get(key, []):
            yield key, container


def pod_problems(workload: Resource) -> list[str]:
    """Every pod runs as non-root with a read-only root filesystem, no privilege escalation and all
    capabilities dropped, a memory limit and CPU and memory requests; a Deployment's containers also
    have liveness and readiness probes (a Job's run to completion and have none)."""
    name = f"{workload['kind']}/{workload['metadata']['name']}"
    pod = workload["spec"]["template"]["spec"]
    problems = [] if pod.get("securityContext", {}).get("runAsNonRoot") is True else [f"{name}: pod not runAsNonRoot"]
    for key, container in _containers(workload):
        where = f"{name} {container['name']}"
        security = container.get("securityContext", {})
        if security.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{where}: root filesystem not read-only")
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: privilege escalation allowed")
        if "ALL" not in security.get("capabilities", {}).get("drop", []):
            problems.append(f"{where}: capabilities not all dropped")
        resources = container.get("resources", {})
        if "memory" not in resources.get("limits", {}):
            problems.append(f"{where}: no memory limit")
        if not {"cpu", "memory"} <= set(resources.get("requests", {})):
            problems.append(f"{where}: no CPU and memory requests")
        if workload["kind"] == "Deployment" and key == "containers":
            problems += [f"{where}: no {probe}" for probe in ("livenessProbe", "readinessProbe") if probe not in container]
    return problems


def durability_problems(topic: Resource) -> list[str]:
    """Production: three copies of every partition, and a write acknowledged only once two hold it."""
    spec = topic["spec"]
    name = spec.get("topicName", topic["metadata"]["name"])
    problems = [] if spec.get("replicas") == 3 else [f"{name}: replicas {spec.get('replicas')}, not 3"]
    if spec.get("config", {}).get("min.insync.replicas") != 2:
        problems.append(f"{name}: min.insync.replicas {spec.get('config', {}).get('min.insync.replicas')}, not 2")
    return problems
