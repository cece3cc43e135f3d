"""docker-compose.yml: schema, settings wiring, health checks and start order, the store,
Kafka in KRaft mode, Prometheus scraping. Docker is not needed: these are file checks."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from academichub.cli.main import build_parser
from tests.deploy import compose_checks, settings_env
from tests.deploy.manifests import (
    PROMETHEUS_FILE,
    Doc,
    compose_app_services,
    compose_command,
    compose_env,
    load_compose,
    load_documents,
)
from tests.deploy.schema_checks import compose_problems

# The host environment compose interpolates from: none at all, and a model endpoint.
HOST_VARIABLES = {
    "defaults": {},
    "openai": {
        "OPENAI_BASE_URL": "https://api.openai.com/v1",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_MODEL": "gpt-4o-mini",
    },
    "embedded": {"ACADEMICHUB_STORE": "embedded"},
}


@pytest.fixture
def compose() -> Doc:
    return load_compose()


def test_compose_file_matches_the_compose_specification(compose: Doc) -> None:
    assert compose_problems(compose) == []


@pytest.mark.parametrize("variables", HOST_VARIABLES.values(), ids=HOST_VARIABLES.keys())
def test_every_variable_set_is_read_and_the_settings_validate(
    compose: Doc, variables: dict[str, str]
) -> None:
    assert compose_checks.env_problems(compose, variables) == []


def test_services_have_health_checks_ordered_start_and_memory_limits(compose: Doc) -> None:
    assert compose_checks.health_problems(compose) == []


def test_the_services_share_the_elasticsearch_store_by_default(compose: Doc) -> None:
    assert compose_checks.shared_store_problems(compose, {}) == []
    kinds = {
        settings_env.store_of(compose_command(s), compose_env(s))[0]
        for s in compose_app_services(compose).values()
    }
    assert kinds == {"elasticsearch"}


def test_the_topics_are_created_for_one_kafka_node(compose: Doc) -> None:
    command = compose["services"]["topics"]["command"]
    assert command == ["topics", "--replication-factor", "1", "--min-insync-replicas", "1"]
    # The options exist (a typo would only fail when the job runs).
    args = build_parser().parse_args(command)
    assert (args.replication_factor, args.min_insync_replicas) == (1, 1)


def test_the_embedded_store_is_shared_with_one_index_writer(compose: Doc) -> None:
    assert compose_checks.store_problems(compose) == []
    assert compose_checks.shared_store_problems(compose, HOST_VARIABLES["embedded"]) == []


def test_kafka_runs_in_kraft_mode_and_elasticsearch_fits_its_limit(compose: Doc) -> None:
    assert compose_checks.infrastructure_problems(compose) == []


def test_prometheus_scrapes_every_service_and_the_lag_exporter(compose: Doc) -> None:
    (prometheus,) = load_documents(PROMETHEUS_FILE)
    assert compose_checks.scrape_problems(compose, prometheus) == []


def test_the_four_services_and_the_topic_job_are_present(compose: Doc) -> None:
    commands = {
        str((s.get("command") or [""])[0]) for s in compose["services"].values() if "build" in s
    }
    assert commands == {"topics", "ingestor", "matcher", "briefer", "gateway"}
    assert {"prometheus", "grafana", "elasticsearch", "kafka"} <= set(compose["services"])


# --- the checks catch what they are for ------------------------------------------------


def _set_env(service: str, name: str, value: str) -> Callable[[Doc], None]:
    def mutate(c: Doc) -> None:
        c["services"][service]["environment"][name] = value

    return mutate


def _drop(service: str, *path: str) -> Callable[[Doc], None]:
    def mutate(c: Doc) -> None:
        node = c["services"][service]
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


BREAKAGES: dict[str, tuple[Callable[[Doc], None], Callable[[Doc], list[str]], str]] = {
    "misspelt variable": (
        _set_env("gateway", "GATEWAY_HOTS", "0.0.0.0"),
        lambda c: compose_checks.env_problems(c, {}),
        "GATEWAY_HOTS is not read",
    ),
    "variable of another service": (
        _set_env("matcher", "BRIEFER_METRICS_PORT", "9102"),
        lambda c: compose_checks.env_problems(c, {}),
        "BRIEFER_METRICS_PORT is not read by `academichub matcher`",
    ),
    "invalid value": (
        _set_env("gateway", "GATEWAY_PORT", "eighty"),
        lambda c: compose_checks.env_problems(c, {}),
        "do not validate",
    ),
    "OpenAI without its key": (
        _drop("briefer", "environment", "OPENAI_API_KEY"),
        lambda c: compose_checks.env_problems(c, HOST_VARIABLES["openai"]),
        "OPENAI_API_KEY must be set",
    ),
    "loopback bind": (
        _drop("matcher", "environment", "MATCHER_WEB_BIND"),
        lambda c: compose_checks.env_problems(c, {}),
        "binds 127.0.0.1",
    ),
    "health check on the wrong port": (
        _set_env("briefer", "BRIEFER_METRICS_PORT", "9200"),
        lambda c: compose_checks.env_problems(c, {}),
        "does not probe port 9200",
    ),
    "no health check": (
        _drop("gateway", "healthcheck"),
        compose_checks.health_problems,
        "gateway: no healthcheck",
    ),
    "no memory limit": (
        _drop("elasticsearch", "deploy"),
        compose_checks.health_problems,
        "elasticsearch: no memory limit",
    ),
    "unconditional depends_on": (
        lambda c: c["services"]["ingestor"].update(depends_on=["matcher"]),
        compose_checks.health_problems,
        "depends_on without conditions",
    ),
    "latest image": (
        lambda c: c["services"]["prometheus"].update(image="prom/prometheus:latest"),
        compose_checks.health_problems,
        "not pinned",
    ),
    "second index writer": (
        lambda c: c["services"].update(matcher2=copy.deepcopy(c["services"]["matcher"])),
        compose_checks.store_problems,
        "2 matcher services are index writers",
    ),
    "service not waiting for Elasticsearch": (
        _drop("briefer", "depends_on", "elasticsearch"),
        lambda c: compose_checks.shared_store_problems(c, {}),
        "briefer: does not wait for elasticsearch to be healthy",
    ),
    "Elasticsearch behind a profile": (
        lambda c: c["services"]["elasticsearch"].update(profiles=["elasticsearch"]),
        lambda c: compose_checks.shared_store_problems(c, {}),
        "only starts with a profile",
    ),
    "another index prefix": (
        _set_env("gateway", "ACADEMICHUB_ELASTICSEARCH_PREFIX", "other"),
        lambda c: compose_checks.shared_store_problems(c, {}),
        "do not share one store",
    ),
    "heap over half the limit": (
        _set_env("elasticsearch", "ES_JAVA_OPTS", "-Xms2g -Xmx2g"),
        compose_checks.infrastructure_problems,
        "over half the memory limit",
    ),
    "ZooKeeper instead of KRaft": (
        _set_env("kafka", "KAFKA_PROCESS_ROLES", "broker"),
        compose_checks.infrastructure_problems,
        "not a KRaft",
    ),
    "schema violation": (
        lambda c: c["services"]["gateway"].update(helthcheck={"test": ["CMD", "true"]}),
        compose_problems,
        "helthcheck",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_a_broken_compose_file_is_caught(
    compose: Doc,
    breakage: tuple[Callable[[Doc], None], Callable[[Doc], list[str]], str],
) -> None:
    mutate, check, expected = breakage
    broken = copy.deepcopy(compose)
    mutate(broken)
    problems = check(broken)
    assert any(expected in p for p in problems), problems


def test_an_unscraped_service_is_caught(compose: Doc) -> None:
    (prometheus,) = load_documents(PROMETHEUS_FILE)
    prometheus["scrape_configs"] = [
        job for job in prometheus["scrape_configs"] if job["job_name"] != "academichub-briefer"
    ]
    assert compose_checks.scrape_problems(compose, prometheus) == [
        "Prometheus does not scrape briefer:9102"
    ]
