"""deploy/k8s: the kustomize overlays render, validate against the Kubernetes schemas (and
the operators' resources structurally), and hold the rules that make them run: settings
wiring, probes, limits, non-root, scaling within partitions, Strimzi topics from the
registry. No cluster is needed: these are file checks on `kubectl kustomize` output."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
import yaml

from academichub.contracts.topics import TOPICS
from tests.deploy import k8s_checks, settings_env
from tests.deploy.manifests import (
    ALERTS_FILE,
    DEV,
    KUSTOMIZATIONS,
    OVERLAYS,
    PRODUCTION,
    SINGLE_NODE,
    Doc,
    app_containers,
    command_of,
    container_env,
    named,
    of_kind,
    render,
)
from tests.deploy.schema_checks import kubernetes_problems

Check = Callable[[list[Doc]], list[str]]


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_renders_and_validates_against_the_schemas(kustomization: str) -> None:
    docs = render(kustomization)
    assert docs, f"{kustomization} renders nothing"
    assert kubernetes_problems(docs) == []


@pytest.mark.parametrize("check", k8s_checks.ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_passes(overlay: str, check: Check) -> None:
    assert check(render(overlay)) == []


def test_every_service_runs_in_every_overlay() -> None:
    assert settings_env.unmapped_cli_services() == set()
    for overlay in OVERLAYS:
        commands = {
            command_of(c) for d in of_kind(render(overlay), "Deployment") for c in app_containers(d)
        }
        assert commands == {"ingestor", "matcher", "briefer", "gateway"}, overlay


def test_every_overlay_runs_the_matchers_embedding_role_beside_the_keyword_one() -> None:
    for overlay in OVERLAYS:
        docs = render(overlay)
        roles = {
            d["metadata"]["name"]: settings_env.load_settings_from(
                "matcher", container_env(c, docs)[0]
            )
            for d in of_kind(docs, "Deployment")
            for c in app_containers(d)
            if command_of(c) == "matcher"
        }
        embedding = [name for name, s in roles.items() if getattr(s, "role", None) == "embed"]
        assert embedding == ["embedder"], overlay
        assert not getattr(roles["embedder"], "index_writer", True)


def test_grouped_topics_are_what_the_registry_says_each_service_consumes() -> None:
    for command, topic in settings_env.GROUP_TOPIC.items():
        consumers = {str(t.name): t.consumers for t in TOPICS.values()}[topic]
        assert command in consumers


def test_production_replicates_every_topic_three_times_with_two_in_sync() -> None:
    assert k8s_checks.kafka_problems(render(PRODUCTION), replicas=3, min_insync=2) == []


@pytest.mark.parametrize("overlay", [DEV, SINGLE_NODE])
def test_small_overlays_run_one_kafka_node(overlay: str) -> None:
    assert k8s_checks.kafka_problems(render(overlay), replicas=1, min_insync=1) == []


def _stores(docs: list[Doc]) -> set[str]:
    return {
        settings_env.store_of(command_of(c), container_env(c, docs)[0])[0]
        for d in of_kind(docs, "Deployment")
        for c in app_containers(d)
    }


@pytest.mark.parametrize("overlay", [DEV, PRODUCTION])
def test_services_run_on_elasticsearch_by_default(overlay: str) -> None:
    docs = render(overlay)
    assert _stores(docs) == {"elasticsearch"}
    (cluster,) = of_kind(docs, "Elasticsearch")
    assert cluster["spec"]["nodeSets"][0]["count"] == (1 if overlay == DEV else 3)
    assert not of_kind(docs, "PersistentVolumeClaim")  # nothing pins pods to one node


def test_the_single_node_overlay_runs_on_the_embedded_store() -> None:
    docs = render(SINGLE_NODE)
    assert _stores(docs) == {"embedded"}
    assert not of_kind(docs, "Elasticsearch")
    assert of_kind(docs, "PersistentVolumeClaim")


def test_production_scales_consumers_on_lag_and_the_gateway_on_cpu() -> None:
    docs = render(PRODUCTION)
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind(docs, "ScaledObject")}
    assert set(scaled) == {"matcher-scaleout", "embedder", "briefer"}
    for scaled_object in scaled.values():
        (trigger,) = scaled_object["spec"]["triggers"]
        assert trigger["type"] == "kafka"
    assert named(docs, "HorizontalPodAutoscaler", "gateway")["spec"]["minReplicas"] >= 2
    # The matcher's group is MATCHER_GROUP_ID, which the manifests leave at its default.
    assert scaled["matcher-scaleout"]["spec"]["triggers"][0]["metadata"]["consumerGroup"] == (
        settings_env.consumer_group("matcher", {})
    )
    assert scaled["embedder"]["spec"]["triggers"][0]["metadata"]["consumerGroup"] == (
        settings_env.consumer_group("matcher", {"MATCHER_ROLE": "embed"})
    )


def test_production_has_monitoring_elasticsearch_and_network_policies() -> None:
    docs = render(PRODUCTION)
    assert of_kind(docs, "ServiceMonitor")
    assert of_kind(docs, "PodMonitor")
    assert of_kind(docs, "PrometheusRule")
    assert len(of_kind(docs, "Elasticsearch")) == 1
    assert of_kind(docs, "NetworkPolicy")


def test_the_prometheus_rule_holds_exactly_the_alert_rules_file() -> None:
    with ALERTS_FILE.open() as stream:
        alerts = yaml.safe_load(stream)
    rule = named(render(PRODUCTION), "PrometheusRule", "academichub")
    assert rule["spec"]["groups"] == alerts["groups"]


# --- the checks catch what they are for ------------------------------------------------


def _container(docs: list[Doc], deployment: str) -> Doc:
    container: Doc = named(docs, "Deployment", deployment)["spec"]["template"]["spec"][
        "containers"
    ][0]
    return container


def _set_env(deployment: str, name: str, value: str) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        env = _container(docs, deployment).setdefault("env", [])
        env[:] = [e for e in env if e["name"] != name] + [{"name": name, "value": value}]

    return mutate


def _scaled(name: str, **spec: object) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        named(docs, "ScaledObject", name)["spec"].update(spec)

    return mutate


def _trigger(name: str, **metadata: str) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        named(docs, "ScaledObject", name)["spec"]["triggers"][0]["metadata"].update(metadata)

    return mutate


def _topic(name: str, **spec: object) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        named(docs, "KafkaTopic", name)["spec"].update(spec)

    return mutate


def _container_update(deployment: str, **fields: object) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        _container(docs, deployment).update(fields)

    return mutate


def _without(deployment: str, key: str) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        del _container(docs, deployment)[key]

    return mutate


def _security(deployment: str, **fields: object) -> Callable[[list[Doc]], None]:
    def mutate(docs: list[Doc]) -> None:
        _container(docs, deployment)["securityContext"].update(fields)

    return mutate


def _openai_without_key(docs: list[Doc]) -> None:
    named(docs, "ConfigMap", "academichub-briefer")["data"]["OPENAI_BASE_URL"] = (
        "https://api.openai.com/v1"
    )
    briefer = _container(docs, "briefer")
    briefer["env"] = [e for e in briefer["env"] if e["name"] != "OPENAI_API_KEY"]


def _kafka_rf(docs: list[Doc]) -> list[str]:
    return k8s_checks.kafka_problems(docs, replicas=3, min_insync=2)


BREAKAGES: dict[str, tuple[Callable[[list[Doc]], None], Check, str]] = {
    "misspelt variable": (
        _set_env("gateway", "GATEWAY_HOTS", "0.0.0.0"),
        k8s_checks.env_problems,
        "GATEWAY_HOTS is not read",
    ),
    "invalid value": (
        _set_env("matcher", "MATCHER_WEB_PORT", "0"),
        k8s_checks.env_problems,
        "do not validate",
    ),
    "OpenAI endpoint without a key": (
        _openai_without_key,
        k8s_checks.env_problems,
        "OPENAI_API_KEY must be set",
    ),
    "required secret missing": (
        lambda docs: _container(docs, "briefer")["env"][-1]["valueFrom"]["secretKeyRef"].pop(
            "optional"
        ),
        k8s_checks.env_problems,
        "needs Secret academichub-llm",
    ),
    "no readiness probe": (
        _without("gateway", "readinessProbe"),
        k8s_checks.probe_problems,
        "no readinessProbe",
    ),
    "loopback bind": (
        _set_env("briefer", "BRIEFER_METRICS_HOST", "127.0.0.1"),
        k8s_checks.probe_problems,
        "binds 127.0.0.1",
    ),
    "probe on a port nothing serves": (
        _set_env("ingestor", "INGESTOR_METRICS_PORT", "9111"),
        k8s_checks.probe_problems,
        "listens on 9111",
    ),
    "no limits": (
        lambda docs: _container(docs, "matcher")["resources"].pop("limits"),
        k8s_checks.resource_problems,
        "no cpu limit",
    ),
    "root": (
        lambda docs: named(docs, "Deployment", "ingestor")["spec"]["template"]["spec"][
            "securityContext"
        ].update(runAsNonRoot=False, runAsUser=0),
        k8s_checks.security_problems,
        "runAsNonRoot is not true",
    ),
    "writable root file system": (
        _security("gateway", readOnlyRootFilesystem=False),
        k8s_checks.security_problems,
        "readOnlyRootFilesystem is not true",
    ),
    "capabilities kept": (
        _security("briefer", capabilities={"drop": ["NET_RAW"]}),
        k8s_checks.security_problems,
        "lacks ALL",
    ),
    "more matchers than partitions": (
        _scaled("matcher-scaleout", maxReplicaCount=4),
        k8s_checks.consumer_group_problems,
        "may get 5 members but papers has 4 partitions",
    ),
    "more briefers than partitions": (
        _scaled("briefer", maxReplicaCount=6),
        k8s_checks.consumer_group_problems,
        "maxReplicaCount above the partitions of matches",
    ),
    "lag of a group nobody uses": (
        _trigger("matcher-scaleout", consumerGroup="matcher"),
        k8s_checks.consumer_group_problems,
        "watches group/topic ('matcher', 'papers')",
    ),
    "bootstrap KEDA cannot resolve": (
        _trigger("briefer", bootstrapServers="academichub-kafka-bootstrap:9092"),
        k8s_checks.consumer_group_problems,
        "as KEDA resolves it from its own namespace",
    ),
    "scaled index writer": (
        lambda docs: named(docs, "ScaledObject", "matcher-scaleout")["spec"][
            "scaleTargetRef"
        ].update(name="matcher"),
        k8s_checks.singleton_problems,
        "Deployment/matcher must run once",
    ),
    "replicas fighting the autoscaler": (
        lambda docs: named(docs, "Deployment", "briefer")["spec"].update(replicas=2),
        k8s_checks.singleton_problems,
        "fights ScaledObject/briefer",
    ),
    "partitions differ from the registry": (
        _topic("papers", partitions=8),
        _kafka_rf,
        "KafkaTopic papers: 8 partitions, registry says 4",
    ),
    "under-replicated topic": (
        _topic("matches", replicas=1),
        _kafka_rf,
        "KafkaTopic matches: replicas 1, expected 3",
    ),
    "topic missing": (
        lambda docs: docs.remove(named(docs, "KafkaTopic", "radars-dlq")),
        _kafka_rf,
        "topic radars.dlq of the registry has no KafkaTopic",
    ),
    "wrong bootstrap": (
        lambda docs: named(docs, "ConfigMap", "academichub-common")["data"].update(
            ACADEMICHUB_BOOTSTRAP_SERVERS="kafka:9092"
        ),
        _kafka_rf,
        "the cluster's plain bootstrap",
    ),
    "no disruption budget": (
        lambda docs: docs.remove(named(docs, "PodDisruptionBudget", "briefer")),
        k8s_checks.wiring_problems,
        "Deployment/briefer has no PodDisruptionBudget",
    ),
    "budget that blocks drains": (
        lambda docs: named(docs, "HorizontalPodAutoscaler", "gateway")["spec"].update(
            minReplicas=1
        ),
        k8s_checks.wiring_problems,
        "no node could ever be drained",
    ),
    "gateway closed by the network policy": (
        lambda docs: named(docs, "NetworkPolicy", "gateway-http")["spec"].update(ingress=[]),
        k8s_checks.wiring_problems,
        "Service/gateway port http is closed to its clients",
    ),
    "metrics port closed by the network policy": (
        lambda docs: named(docs, "NetworkPolicy", "academichub")["spec"]["ingress"][0]["ports"].pop(
            2
        ),
        k8s_checks.wiring_problems,
        "no NetworkPolicy admits port 9101",
    ),
    "metrics not scraped": (
        lambda docs: named(docs, "Service", "ingestor")["spec"]["ports"][0].update(name="http"),
        k8s_checks.scrape_problems,
        "no ServiceMonitor endpoint reaches port 9101",
    ),
    "store of another prefix": (
        _set_env("gateway", "ACADEMICHUB_ELASTICSEARCH_PREFIX", "other"),
        k8s_checks.store_problems,
        "do not share one store",
    ),
    "store URL that is no Elasticsearch here": (
        lambda docs: named(docs, "ConfigMap", "academichub-common")["data"].update(
            ACADEMICHUB_ELASTICSEARCH_URL="http://elasticsearch:9200"
        ),
        k8s_checks.store_problems,
        "is not the HTTP Service of an Elasticsearch here",
    ),
    "store over TLS nobody can verify": (
        lambda docs: named(docs, "Elasticsearch", "academichub")["spec"].pop("http"),
        k8s_checks.store_problems,
        "serves https",
    ),
    "Elasticsearch API key in git": (
        _set_env("briefer", "ACADEMICHUB_ELASTICSEARCH_API_KEY", "abc"),
        k8s_checks.store_problems,
        "does not come from a Secret",
    ),
    "unpinned image": (
        _container_update("gateway", image="ghcr.io/academichub/academichub:latest"),
        k8s_checks.image_problems,
        "is not pinned",
    ),
    "schema: misspelt field": (
        lambda docs: _container(docs, "gateway").update(readynessProbe={}),
        kubernetes_problems,
        "readynessProbe",
    ),
    "schema: CRD field that does not exist": (
        _scaled("briefer", maxReplicas=4),
        kubernetes_problems,
        "maxReplicas",
    ),
    "schema: unknown kind": (
        lambda docs: docs.append(
            {"apiVersion": "example.org/v1", "kind": "Widget", "metadata": {"name": "w"}}
        ),
        kubernetes_problems,
        "no schema for example.org/v1 Widget",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_a_broken_manifest_is_caught(
    breakage: tuple[Callable[[list[Doc]], None], Check, str],
) -> None:
    mutate, check, expected = breakage
    docs = copy.deepcopy(render(PRODUCTION))
    assert not any(expected in p for p in check(docs)), "the real manifests already fail"
    mutate(docs)
    problems = check(docs)
    assert any(expected in p for p in problems), problems


def test_a_store_pod_on_another_node_is_caught() -> None:
    docs = copy.deepcopy(render(SINGLE_NODE))
    assert k8s_checks.store_placement_problems(docs) == []
    named(docs, "Deployment", "gateway")["spec"]["template"]["spec"].pop("affinity")
    assert any(
        "without required same-node podAffinity" in p
        for p in k8s_checks.store_placement_problems(docs)
    )
