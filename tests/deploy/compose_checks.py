"""Checks on docker-compose.yml (and the Prometheus configuration it mounts). Each returns
the problems it found, so tests can also show that a broken copy is caught."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tests.deploy import settings_env
from tests.deploy.manifests import (
    Doc,
    compose_app_services,
    compose_command,
    compose_env,
)

ONE_SHOT = "service_completed_successfully"
_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)([bkmg]?)b?$", re.IGNORECASE)
_MEMORY_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30}


def memory_bytes(value: Any) -> float:
    match = _MEMORY.match(str(value).strip())
    if not match:
        raise ValueError(f"not a compose memory size: {value!r}")
    return float(match.group(1)) * _MEMORY_UNITS[match.group(2).lower()]


def _one_shot(service: Doc) -> bool:
    return str(service.get("restart", "no")) == "no"


def env_problems(compose: Doc, variables: Mapping[str, str]) -> list[str]:
    """Variables set on AcademicHub services are read by their settings, the settings
    validate (with the host variables ``variables``), and the probed servers bind 0.0.0.0."""
    problems: list[str] = []
    for name, service in compose_app_services(compose).items():
        command = compose_command(service)
        if command not in settings_env.COMMANDS:
            problems.append(f"{name}: runs unknown command {command!r}")
            continue
        env = compose_env(service, variables)
        accepted = settings_env.accepted_env(command)
        for var in sorted(env):
            if var.upper() not in accepted:
                problems.append(f"{name}: {var} is not read by `academichub {command}`'s settings")
        problem = settings_env.settings_problem(command, env)
        if problem:
            problems.append(f"{name}: {problem}")
            continue
        address = settings_env.listen_address(command, env)
        if address is None:
            continue
        if address[0] not in ("0.0.0.0", "::"):
            problems.append(f"{name}: binds {address[0]}; other containers cannot reach it")
        test = " ".join(service.get("healthcheck", {}).get("test", []))
        if f":{address[1]}/" not in test:
            problems.append(f"{name}: the health check does not probe port {address[1]}")
    return problems


def health_problems(compose: Doc) -> list[str]:
    """Health checks on long-running services, ordered start-up through depends_on
    conditions, memory limits everywhere, pinned images."""
    problems: list[str] = []
    services: dict[str, Doc] = compose["services"]
    app = compose_app_services(compose)
    for name, service in services.items():
        one_shot = _one_shot(service)
        if not one_shot and "healthcheck" not in service:
            problems.append(f"{name}: no healthcheck")
        if "memory" not in service.get("deploy", {}).get("resources", {}).get("limits", {}):
            problems.append(f"{name}: no memory limit (deploy.resources.limits.memory)")
        image = str(service.get("image", ""))
        tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""
        if "@sha256:" not in image and (not tag or tag == "latest"):
            problems.append(f"{name}: image {image!r} is not pinned to a version")
        depends = service.get("depends_on", {})
        if isinstance(depends, list):
            problems.append(f"{name}: depends_on without conditions starts it too early")
            continue
        for dependency, spec in depends.items():
            condition = spec.get("condition")
            target = services.get(dependency)
            if target is None:
                problems.append(f"{name}: depends on unknown service {dependency}")
            elif condition == "service_healthy" and "healthcheck" not in target:
                problems.append(f"{name}: waits for {dependency} to be healthy, which has no check")
            elif condition == ONE_SHOT and not _one_shot(target):
                problems.append(f"{name}: waits for {dependency} to complete, which never does")
            elif condition not in ("service_healthy", ONE_SHOT):
                problems.append(f"{name}: depends on {dependency} with condition {condition!r}")
    for name, service in app.items():
        depends = service.get("depends_on", {})
        if not depends:
            problems.append(f"{name}: starts without waiting for Kafka or the topics")
        if isinstance(depends, list):
            continue  # reported above
        if compose_command(service) != "topics" and not any(
            spec.get("condition") == ONE_SHOT and compose_command(services[dep]) == "topics"
            for dep, spec in depends.items()
            if dep in services
        ):
            problems.append(f"{name}: does not wait for the topics to be created")
    return problems


def shared_store_problems(compose: Doc, variables: Mapping[str, str]) -> list[str]:
    """Every service opens one and the same store (adapter, Elasticsearch URL and index
    prefix); on Elasticsearch, the URL names the compose service of the node, which runs
    without a profile, and every service waits for it to be healthy."""
    problems: list[str] = []
    services: dict[str, Doc] = compose["services"]
    stores: dict[tuple[str, str | None, str], list[str]] = {}
    for name, service in compose_app_services(compose).items():
        command = compose_command(service)
        if _one_shot(service) or command not in settings_env.COMMANDS:
            continue
        env = compose_env(service, variables)
        if settings_env.settings_problem(command, env):
            continue  # reported by env_problems
        store = settings_env.store_of(command, env)
        stores.setdefault(store, []).append(name)
        kind, url, _ = store
        if kind != "elasticsearch" or url is None:
            continue
        for node in url.split(","):
            host = urlsplit(node.strip()).hostname or ""
            target = services.get(host)
            if target is None or "elasticsearch" not in str(target.get("image", "")):
                problems.append(f"{name}: {node.strip()} is not an Elasticsearch service here")
                continue
            if target.get("profiles"):
                problems.append(f"{name}: {host} only starts with a profile ({target['profiles']})")
            depends = service.get("depends_on", {})
            condition = (
                depends.get(host, {}).get("condition") if isinstance(depends, dict) else None
            )
            if condition != "service_healthy":
                problems.append(f"{name}: does not wait for {host} to be healthy")
    if len(stores) > 1:
        problems.append(
            "the services do not share one store: "
            + "; ".join(f"{names} on {store}" for store, names in stores.items())
        )
    return problems


def store_problems(compose: Doc) -> list[str]:
    """The embedded store (ACADEMICHUB_STORE=embedded): one shared volume at
    ACADEMICHUB_DATA_DIR, exactly one index writer, which (like the ingestor) is never
    replicated. Kept even on Elasticsearch, so that switching back is one variable."""
    problems: list[str] = []
    writers: list[str] = []
    for name, service in compose_app_services(compose).items():
        command = compose_command(service)
        env = compose_env(service)
        if command not in settings_env.COMMANDS:
            continue
        data = settings_env.data_dir(command, env)
        mounts = [str(v).split(":") for v in service.get("volumes", []) if isinstance(v, str)]
        if not any(
            len(m) >= 2 and m[1] == data and m[0] in compose.get("volumes", {}) for m in mounts
        ):
            problems.append(f"{name}: the store folder {data} is not the shared named volume")
        if command == "matcher" and settings_env.index_writer(env):
            writers.append(name)
        if (
            command in ("matcher", "ingestor")
            and int(service.get("deploy", {}).get("replicas", 1)) != 1
        ):
            problems.append(f"{name}: must not be replicated (one index writer / one poller)")
    if len(writers) != 1:
        problems.append(
            f"{len(writers)} matcher services are index writers ({writers}); exactly 1 may be"
        )
    return problems


def infrastructure_problems(compose: Doc) -> list[str]:
    """Kafka in KRaft mode (no ZooKeeper), Elasticsearch single-node with a heap that fits."""
    problems: list[str] = []
    services: dict[str, Doc] = compose["services"]
    if any("zookeeper" in str(s.get("image", "")) for s in services.values()):
        problems.append("a ZooKeeper service: Kafka must run in KRaft mode")
    kafka = [s for s in services.values() if str(s.get("image", "")).startswith("apache/kafka:")]
    if len(kafka) != 1:
        problems.append(f"expected one apache/kafka service, found {len(kafka)}")
    else:
        roles = str(compose_env(kafka[0]).get("KAFKA_PROCESS_ROLES", ""))
        if set(roles.split(",")) != {"broker", "controller"}:
            problems.append(
                f"kafka: KAFKA_PROCESS_ROLES is {roles!r}, not a KRaft broker,controller"
            )
    for name, service in services.items():
        if "elasticsearch" not in str(service.get("image", "")):
            continue
        env = compose_env(service)
        if env.get("discovery.type") != "single-node":
            problems.append(f"{name}: not a single-node cluster")
        heap = re.search(r"-Xmx(\d+[kmg])", env.get("ES_JAVA_OPTS", ""), re.IGNORECASE)
        limit = service.get("deploy", {}).get("resources", {}).get("limits", {}).get("memory")
        if heap is None or limit is None:
            problems.append(f"{name}: needs both -Xmx in ES_JAVA_OPTS and a memory limit")
        elif memory_bytes(heap.group(1)) > memory_bytes(limit) / 2:
            problems.append(f"{name}: heap {heap.group(1)} is over half the memory limit {limit}")
    return problems


def scrape_problems(compose: Doc, prometheus: Doc) -> list[str]:
    """Prometheus scrapes every long-running AcademicHub service on the port it serves
    metrics on, and the exporter that provides consumer lag."""
    problems: list[str] = []
    jobs = [job.get("job_name") for job in prometheus.get("scrape_configs", [])]
    if len(jobs) != len(set(jobs)):
        problems.append(f"Prometheus job names are not unique: {jobs}")
    targets = {
        target
        for job in prometheus.get("scrape_configs", [])
        for static in job.get("static_configs", [])
        for target in static.get("targets", [])
    }
    for name, service in compose_app_services(compose).items():
        command = compose_command(service)
        if _one_shot(service) or command not in settings_env.COMMANDS:
            continue
        address = settings_env.listen_address(command, compose_env(service))
        if address and f"{name}:{address[1]}" not in targets:
            problems.append(f"Prometheus does not scrape {name}:{address[1]}")
    exporters = [
        n for n, s in compose["services"].items() if "kafka-exporter" in str(s.get("image", ""))
    ]
    if not exporters or not any(t.startswith(f"{exporters[0]}:") for t in targets):
        problems.append("Prometheus does not scrape a Kafka Exporter (consumer lag)")
    return problems
