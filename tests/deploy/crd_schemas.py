"""Structural JSON Schemas for the custom resources the manifests use.

kubernetes-validate bundles the schemas of the built-in kinds only; the operators' CRDs
(Strimzi, KEDA, ECK, Prometheus Operator) are not on PyPI. These schemas are written from
the operators' API references and cover the fields these manifests use: required fields,
types, enums, and ``additionalProperties: false`` where a misspelt key would otherwise be
ignored silently (``maxReplicas`` on a ScaledObject, ``partition`` on a KafkaTopic). They are
deliberately stricter than the real CRDs in places: extend them when a manifest needs a
field they do not know.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_INT_OR_STRING: Schema = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
_QUANTITY: Schema = {
    "anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^[0-9.]+[a-zA-Z]*$"}]
}
_RESOURCES: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "requests": {"type": "object", "additionalProperties": _QUANTITY},
        "limits": {"type": "object", "additionalProperties": _QUANTITY},
    },
}
_LABELS: Schema = {"type": "object", "additionalProperties": {"type": "string"}}


def _resource(
    api_version: str, kind: str, spec: Schema, *, name_pattern: str | None = None
) -> Schema:
    name: Schema = {"type": "string", "minLength": 1, "maxLength": 253}
    if name_pattern:
        name["pattern"] = name_pattern
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": name,
                    "namespace": {"type": "string"},
                    "labels": _LABELS,
                    "annotations": _LABELS,
                },
            },
            "spec": spec,
        },
    }


_DNS1123 = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"

_STRIMZI_STORAGE_VOLUME: Schema = {
    "type": "object",
    "required": ["type"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer", "minimum": 0},
        "type": {"enum": ["ephemeral", "persistent-claim"]},
        "size": {"type": "string"},
        "sizeLimit": {"type": "string"},
        "class": {"type": "string"},
        "deleteClaim": {"type": "boolean"},
        "kraftMetadata": {"enum": ["shared"]},
    },
}

KAFKA_NODE_POOL = _resource(
    "kafka.strimzi.io/v1",
    "KafkaNodePool",
    {
        "type": "object",
        "required": ["replicas", "roles", "storage"],
        "additionalProperties": False,
        "properties": {
            "replicas": {"type": "integer", "minimum": 0},
            "roles": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"enum": ["controller", "broker"]},
            },
            "storage": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["type", "volumes"],
                        "additionalProperties": False,
                        "properties": {
                            "type": {"const": "jbod"},
                            "volumes": {
                                "type": "array",
                                "minItems": 1,
                                "items": _STRIMZI_STORAGE_VOLUME,
                            },
                        },
                    },
                    _STRIMZI_STORAGE_VOLUME,
                ]
            },
            "resources": _RESOURCES,
            "jvmOptions": {"type": "object"},
            "template": {"type": "object"},
        },
    },
    name_pattern=_DNS1123,
)

KAFKA = _resource(
    "kafka.strimzi.io/v1",
    "Kafka",
    {
        "type": "object",
        "required": ["kafka"],
        "additionalProperties": False,
        "properties": {
            "kafka": {
                "type": "object",
                "required": ["listeners"],
                "additionalProperties": False,
                "properties": {
                    "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
                    "metadataVersion": {"type": "string", "pattern": r"^\d+\.\d+-IV\d+$"},
                    "listeners": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["name", "port", "type", "tls"],
                            "additionalProperties": False,
                            "properties": {
                                "name": {"type": "string", "pattern": "^[a-z0-9]{1,11}$"},
                                "port": {"type": "integer", "minimum": 9092},
                                "type": {
                                    "enum": [
                                        "internal",
                                        "route",
                                        "loadbalancer",
                                        "nodeport",
                                        "ingress",
                                        "cluster-ip",
                                    ]
                                },
                                "tls": {"type": "boolean"},
                                "authentication": {"type": "object"},
                                "configuration": {"type": "object"},
                            },
                        },
                    },
                    "config": {
                        "type": "object",
                        "additionalProperties": {
                            "type": ["string", "integer", "boolean", "number"]
                        },
                    },
                    "authorization": {"type": "object"},
                    "metricsConfig": {"type": "object"},
                    "rack": {"type": "object"},
                    "template": {"type": "object"},
                },
            },
            "entityOperator": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "topicOperator": {"type": "object"},
                    "userOperator": {"type": "object"},
                },
            },
            "kafkaExporter": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "topicRegex": {"type": "string"},
                    "groupRegex": {"type": "string"},
                    "topicExcludeRegex": {"type": "string"},
                    "groupExcludeRegex": {"type": "string"},
                    "resources": _RESOURCES,
                },
            },
            "cruiseControl": {"type": "object"},
        },
    },
    name_pattern=_DNS1123,
)

KAFKA_TOPIC = _resource(
    "kafka.strimzi.io/v1",
    "KafkaTopic",
    {
        "type": "object",
        "required": ["partitions", "replicas"],
        "additionalProperties": False,
        "properties": {
            "topicName": {"type": "string", "pattern": r"^[a-zA-Z0-9._-]{1,249}$"},
            "partitions": {"type": "integer", "minimum": 1},
            "replicas": {"type": "integer", "minimum": 1, "maximum": 32767},
            "config": {
                "type": "object",
                "additionalProperties": {"type": ["string", "integer", "boolean", "number"]},
            },
        },
    },
    name_pattern=_DNS1123,
)

SCALED_OBJECT = _resource(
    "keda.sh/v1alpha1",
    "ScaledObject",
    {
        "type": "object",
        "required": ["scaleTargetRef", "triggers"],
        "additionalProperties": False,
        "properties": {
            "scaleTargetRef": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"type": "string"},
                    "apiVersion": {"type": "string"},
                    "envSourceContainerName": {"type": "string"},
                },
            },
            "minReplicaCount": {"type": "integer", "minimum": 0},
            "maxReplicaCount": {"type": "integer", "minimum": 1},
            "idleReplicaCount": {"type": "integer", "minimum": 0},
            "pollingInterval": {"type": "integer", "minimum": 1},
            "cooldownPeriod": {"type": "integer", "minimum": 0},
            "initialCooldownPeriod": {"type": "integer", "minimum": 0},
            "fallback": {"type": "object"},
            "advanced": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "restoreToOriginalReplicaCount": {"type": "boolean"},
                    "horizontalPodAutoscalerConfig": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"name": {"type": "string"}, "behavior": {"type": "object"}},
                    },
                    "scalingModifiers": {"type": "object"},
                },
            },
            "triggers": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["type", "metadata"],
                    "additionalProperties": False,
                    "properties": {
                        "type": {"type": "string"},
                        "name": {"type": "string"},
                        "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
                        "useCachedMetrics": {"type": "boolean"},
                        "authenticationRef": {"type": "object"},
                        # KEDA reads every trigger metadata value as a string.
                        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                    "if": {"properties": {"type": {"const": "kafka"}}},
                    "then": {
                        "properties": {
                            "metadata": {
                                "required": [
                                    "bootstrapServers",
                                    "consumerGroup",
                                    "topic",
                                    "lagThreshold",
                                ],
                                "propertyNames": {
                                    "enum": [
                                        "bootstrapServers",
                                        "consumerGroup",
                                        "topic",
                                        "lagThreshold",
                                        "activationLagThreshold",
                                        "offsetResetPolicy",
                                        "allowIdleConsumers",
                                        "scaleToZeroOnInvalidOffset",
                                        "excludePersistentLag",
                                        "limitToPartitionsWithLag",
                                        "partitionLimitation",
                                        "sasl",
                                        "tls",
                                        "version",
                                    ]
                                },
                                "properties": {
                                    "offsetResetPolicy": {"enum": ["earliest", "latest"]}
                                },
                            }
                        }
                    },
                },
            },
        },
    },
)

ELASTICSEARCH = _resource(
    "elasticsearch.k8s.elastic.co/v1",
    "Elasticsearch",
    {
        "type": "object",
        "required": ["version", "nodeSets"],
        "additionalProperties": False,
        "properties": {
            "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
            "image": {"type": "string"},
            "http": {"type": "object"},
            "secureSettings": {"type": "array"},
            "auth": {"type": "object"},
            "volumeClaimDeletePolicy": {
                "enum": ["DeleteOnScaledownOnly", "DeleteOnScaledownAndClusterDeletion"]
            },
            "nodeSets": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["name", "count"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "pattern": _DNS1123},
                        "count": {"type": "integer", "minimum": 1},
                        "config": {"type": "object"},
                        "podTemplate": {"type": "object"},
                        "volumeClaimTemplates": {"type": "array"},
                    },
                },
            },
        },
    },
)

_SELECTOR: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"matchLabels": _LABELS, "matchExpressions": {"type": "array"}},
}
_ENDPOINT: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "port": {"type": "string"},
        "targetPort": _INT_OR_STRING,
        "path": {"type": "string"},
        "scheme": {"enum": ["http", "https"]},
        "interval": {"type": "string", "pattern": r"^(\d+(ms|s|m|h))+$"},
        "scrapeTimeout": {"type": "string", "pattern": r"^(\d+(ms|s|m|h))+$"},
        "relabelings": {"type": "array"},
        "metricRelabelings": {"type": "array"},
        "honorLabels": {"type": "boolean"},
    },
}

SERVICE_MONITOR = _resource(
    "monitoring.coreos.com/v1",
    "ServiceMonitor",
    {
        "type": "object",
        "required": ["selector", "endpoints"],
        "additionalProperties": False,
        "properties": {
            "jobLabel": {"type": "string"},
            "selector": _SELECTOR,
            "namespaceSelector": {"type": "object"},
            "endpoints": {"type": "array", "minItems": 1, "items": _ENDPOINT},
        },
    },
)

POD_MONITOR = _resource(
    "monitoring.coreos.com/v1",
    "PodMonitor",
    {
        "type": "object",
        "required": ["selector", "podMetricsEndpoints"],
        "additionalProperties": False,
        "properties": {
            "jobLabel": {"type": "string"},
            "selector": _SELECTOR,
            "namespaceSelector": {"type": "object"},
            "podMetricsEndpoints": {"type": "array", "minItems": 1, "items": _ENDPOINT},
        },
    },
)

PROMETHEUS_RULE = _resource(
    "monitoring.coreos.com/v1",
    "PrometheusRule",
    {
        "type": "object",
        "required": ["groups"],
        "additionalProperties": False,
        "properties": {
            "groups": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "rules"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string"},
                        "interval": {"type": "string"},
                        "rules": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["expr"],
                                "additionalProperties": False,
                                "properties": {
                                    "alert": {"type": "string"},
                                    "record": {"type": "string"},
                                    "expr": {"type": "string"},
                                    "for": {"type": "string"},
                                    "keep_firing_for": {"type": "string"},
                                    "labels": _LABELS,
                                    "annotations": _LABELS,
                                },
                            },
                        },
                    },
                },
            }
        },
    },
)

CRD_SCHEMAS: dict[tuple[str, str], Schema] = {
    (s["properties"]["apiVersion"]["const"], s["properties"]["kind"]["const"]): s
    for s in (
        KAFKA,
        KAFKA_NODE_POOL,
        KAFKA_TOPIC,
        SCALED_OBJECT,
        ELASTICSEARCH,
        SERVICE_MONITOR,
        POD_MONITOR,
        PROMETHEUS_RULE,
    )
}
