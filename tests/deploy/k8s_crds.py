"""Checks of the operators' custom resources, which the offline Kubernetes schemas do not know:
for each kind its API version, required fields and the field names the operator's API reference
documents (Strimzi 0.45 kafka.strimzi.io/v1beta2, CloudNativePG 1.25 postgresql.cnpg.io/v1, KEDA 2.x
keda.sh/v1alpha1). A misspelt field is silently ignored by an operator; here it is a problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Resource = dict[str, Any]


@dataclass(frozen=True)
class Shape:
    """The documented fields of one object: a field not listed is a problem, and so is a required one missing."""

    fields: frozenset[str]
    required: frozenset[str] = frozenset()
    nested: dict[str, Shape] = field(default_factory=dict)  # field -> shape of its value (or of each item)


def _shape(fields: str, required: str = "", **nested: Shape) -> Shape:
    return Shape(frozenset(fields.split()), frozenset(required.split()), nested)


_ACL = _shape(
    "resource type operations host",
    "resource operations",
    resource=_shape("type name patternType", "type"),
)
_ROLE = _shape(
    "name ensure comment login superuser createdb createrole inherit replication bypassrls connectionLimit "
    "validUntil inRoles passwordSecret disablePassword",
    "name",
    passwordSecret=_shape("name", "name"),
)
_BARMAN = _shape(
    "destinationPath endpointURL endpointCA s3Credentials azureCredentials googleCredentials serverName wal data "
    "tags historyTags",
    "destinationPath",
    wal=_shape("compression encryption maxParallel"),
    data=_shape("compression encryption immediateCheckpoint jobs"),
)
_KAFKA_TRIGGER_METADATA = _shape(
    "bootstrapServers consumerGroup topic lagThreshold activationLagThreshold offsetResetPolicy allowIdleConsumers "
    "scaleToZeroOnInvalidOffset excludePersistentLag limitToPartitionsWithLag partitionLimitation sasl tls version",
    "bootstrapServers consumerGroup",
)

#: (apiVersion, kind) -> the shape of its spec.
SPECS: dict[tuple[str, str], Shape] = {
    ("kafka.strimzi.io/v1beta2", "Kafka"): _shape(
        "kafka zookeeper entityOperator clusterCa clientsCa cruiseControl kafkaExporter maintenanceTimeWindows",
        "kafka",
        kafka=_shape(
            "version metadataVersion replicas image listeners config storage authorization rack brokerRackInitImage "
            "livenessProbe readinessProbe jvmOptions jmxOptions resources metricsConfig logging template quotas",
            "listeners",
        ),
    ),
    ("kafka.strimzi.io/v1beta2", "KafkaNodePool"): _shape(
        "replicas storage roles resources jvmOptions template", "replicas storage roles"
    ),
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): _shape("topicName partitions replicas config", "partitions replicas"),
    ("kafka.strimzi.io/v1beta2", "KafkaUser"): _shape(
        "authentication authorization quotas template",
        "authentication",
        authentication=_shape("type password", "type"),
        authorization=_shape("type acls", "type", acls=_ACL),
    ),
    ("postgresql.cnpg.io/v1", "Cluster"): _shape(
        "instances imageName imageCatalogRef imagePullPolicy postgresql bootstrap storage walStorage managed backup "
        "affinity resources monitoring superuserSecret enableSuperuserAccess primaryUpdateStrategy primaryUpdateMethod "
        "externalClusters replica minSyncReplicas maxSyncReplicas description inheritedMetadata plugins "
        "topologySpreadConstraints priorityClassName startDelay stopDelay switchoverDelay failoverDelay",
        "instances storage",
        bootstrap=_shape(
            "initdb recovery pg_basebackup",
            initdb=_shape(
                "database owner secret encoding localeCollate localeCType dataChecksums walSegmentSize postInitSQL "
                "postInitApplicationSQL import"
            ),
        ),
        storage=_shape("size storageClass resizeInUseVolumes pvcTemplate"),
        managed=_shape("roles services", roles=_ROLE),
        backup=_shape(
            "barmanObjectStore retentionPolicy target volumeSnapshot", barmanObjectStore=_BARMAN
        ),
    ),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): _shape(
        "schedule cluster suspend immediate backupOwnerReference target method pluginConfiguration online",
        "schedule cluster",
        cluster=_shape("name", "name"),
    ),
    ("keda.sh/v1alpha1", "ScaledObject"): _shape(
        "scaleTargetRef pollingInterval cooldownPeriod initialCooldownPeriod idleReplicaCount minReplicaCount "
        "maxReplicaCount fallback advanced triggers",
        "scaleTargetRef triggers",
        scaleTargetRef=_shape("name apiVersion kind envSourceContainerName", "name"),
        triggers=_shape("type metadata name authenticationRef metricType useCachedMetrics", "type metadata"),
    ),
    ("keda.sh/v1alpha1", "TriggerAuthentication"): _shape(
        "secretTargetRef env hashiCorpVault azureKeyVault podIdentity configMapTargetRef awsSecretManager gcpSecretManager",
        secretTargetRef=_shape("parameter name key", "parameter name key"),
        env=_shape("parameter name containerName", "parameter name"),
    ),
}

#: What Kafka's simple authorizer knows (Strimzi AclOperation and AclResourcePatternType).
ACL_OPERATIONS = _shape(
    "Read Write Create Delete Alter Describe ClusterAction AlterConfigs DescribeConfigs IdempotentWrite All"
).fields


def custom_resource_problems(resource: Resource) -> list[str]:
    """The resource's kind is one of the operators' at the documented version, and its spec uses only
    documented fields, with every required one."""
    kind, version = resource["kind"], resource["apiVersion"]
    name = f"{kind}/{resource['metadata']['name']}"
    shape = SPECS.get((version, kind))
    if shape is None:
        return [f"{name}: {version} {kind} is not a kind these checks know"]
    problems = _fields(name + " spec", resource.get("spec", {}), shape)
    return problems + _semantic(name, resource)


def _fields(where: str, value: Any, shape: Shape) -> list[str]:
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _fields(f"{where}[{i}]", item, shape)]
    if not isinstance(value, dict):
        return [f"{where}: expected an object"]
    problems = [f"{where}: unknown field {key!r}" for key in sorted(set(value) - shape.fields)]
    problems += [f"{where}: missing {key!r}" for key in sorted(shape.required - set(value))]
    for key, inner in shape.nested.items():
        if key in value:
            problems += _fields(f"{where}.{key}", value[key], inner)
    return problems


def _semantic(name: str, resource: Resource) -> list[str]:
    """The values the operators check beyond the field names."""
    spec = resource.get("spec", {})
    kind = resource["kind"]
    problems: list[str] = []
    if kind in ("KafkaTopic", "KafkaUser") and "strimzi.io/cluster" not in resource["metadata"].get("labels", {}):
        problems.append(f"{name}: no strimzi.io/cluster label: no operator would reconcile it")
    if kind == "KafkaUser":
        for acl in spec.get("authorization", {}).get("acls", []):
            if acl["resource"]["type"] not in ("topic", "group", "cluster", "transactionalId"):
                problems.append(f"{name}: unknown ACL resource type {acl['resource']['type']!r}")
            if acl["resource"].get("patternType", "literal") not in ("literal", "prefix"):
                problems.append(f"{name}: unknown patternType {acl['resource']['patternType']!r}")
            problems += [f"{name}: unknown ACL operation {op!r}" for op in acl["operations"] if op not in ACL_OPERATIONS]
    if kind == "ScaledObject":
        for trigger in spec.get("triggers", []):
            if trigger["type"] == "kafka":
                problems += _fields(f"{name} kafka trigger metadata", trigger["metadata"], _KAFKA_TRIGGER_METADATA)
    if kind == "ScheduledBackup" and len(str(spec.get("schedule", "")).split()) != 6:
        problems.append(f"{name}: schedule needs six fields (seconds first), as CloudNativePG reads it")
    return problems
