"""Checks on rendered Kubernetes manifests. Each returns the problems it found (empty: fine),
so a test can assert both that the real manifests pass and that a broken copy fails."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from academichub.contracts.topics import TOPICS
from tests.deploy import settings_env
from tests.deploy.manifests import (
    Doc,
    app_containers,
    app_workloads,
    command_of,
    container_env,
    dockerfile_user,
    labels_match,
    of_kind,
    pod_spec,
)

REGISTRY_PARTITIONS = {str(t.name): t.partitions for t in TOPICS.values()}
API_KEY_VARIABLE = "ACADEMICHUB_ELASTICSEARCH_API_KEY"
_QUANTITY = re.compile(r"^([0-9.]+)([a-zA-Z]*)$")
_UNITS = {
    "": 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
}


def quantity(value: Any) -> float:
    match = _QUANTITY.match(str(value))
    if not match or match.group(2) not in _UNITS:
        raise ValueError(f"not a Kubernetes quantity: {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _name(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def autoscaled_targets(docs: list[Doc]) -> dict[str, Doc]:
    """Deployment name -> the HPA or ScaledObject that sets its replicas."""
    targets: dict[str, Doc] = {}
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        targets[hpa["spec"]["scaleTargetRef"]["name"]] = hpa
    for scaled in of_kind(docs, "ScaledObject"):
        targets[scaled["spec"]["scaleTargetRef"]["name"]] = scaled
    return targets


def min_replicas(deployment: Doc, docs: list[Doc]) -> int:
    scaler = autoscaled_targets(docs).get(deployment["metadata"]["name"])
    if scaler is None:
        return int(deployment["spec"].get("replicas", 1))
    if scaler["kind"] == "ScaledObject":
        return int(scaler["spec"].get("minReplicaCount", 0))
    return int(scaler["spec"].get("minReplicas", 1))


def max_replicas(deployment: Doc, docs: list[Doc]) -> int:
    scaler = autoscaled_targets(docs).get(deployment["metadata"]["name"])
    if scaler is None:
        return int(deployment["spec"].get("replicas", 1))
    if scaler["kind"] == "ScaledObject":
        return int(scaler["spec"].get("maxReplicaCount", 100))
    return int(scaler["spec"]["maxReplicas"])


# --- containers: env, settings, probes, resources, security -----------------------------


def env_problems(docs: list[Doc]) -> list[str]:
    """Every variable set on an AcademicHub container is read by that command's settings,
    and the settings validate with the environment given (every required one provided)."""
    problems: list[str] = []
    for workload in app_workloads(docs):
        for container in app_containers(workload):
            where = f"{_name(workload)} container {container['name']}"
            command = command_of(container)
            if command not in settings_env.COMMANDS:
                problems.append(f"{where}: runs unknown command {command!r}")
                continue
            env, resolve = container_env(container, docs)
            problems += [f"{where}: {p}" for p in resolve]
            accepted = settings_env.accepted_env(command)
            for var in sorted(env):
                if var.upper() not in accepted:
                    problems.append(
                        f"{where}: {var} is not read by `academichub {command}`'s settings"
                    )
            problem = settings_env.settings_problem(command, env)
            if problem:
                problems.append(f"{where}: {problem}")
    return problems


def _ports(container: Doc) -> dict[str | int, int]:
    ports: dict[str | int, int] = {}
    for port in container.get("ports", []):
        ports[int(port["containerPort"])] = int(port["containerPort"])
        if "name" in port:
            ports[str(port["name"])] = int(port["containerPort"])
    return ports


def probe_problems(docs: list[Doc]) -> list[str]:
    """Readiness and liveness probes on every container, pointing at the port the service
    really listens on, bound to all interfaces so the kubelet can reach it."""
    problems: list[str] = []
    for workload in app_workloads(docs):
        for container in app_containers(workload):
            where = f"{_name(workload)} container {container['name']}"
            command = command_of(container)
            if command not in settings_env.COMMANDS:
                continue
            env, _ = container_env(container, docs)
            try:
                address = settings_env.listen_address(command, env)
            except Exception as exc:  # reported by env_problems already
                problems.append(f"{where}: settings unusable: {exc}")
                continue
            ports = _ports(container)
            for kind in ("readinessProbe", "livenessProbe"):
                probe = container.get(kind)
                if not probe:
                    problems.append(f"{where}: no {kind}")
                    continue
                http = probe.get("httpGet")
                if http is None:
                    continue  # exec/tcp probes: nothing to cross-check
                port = ports.get(http["port"])
                if port is None:
                    problems.append(f"{where}: {kind} port {http['port']!r} is not declared")
                elif address is not None and port != address[1]:
                    problems.append(
                        f"{where}: {kind} probes port {port} but the service listens on "
                        f"{address[1]}"
                    )
            if address is not None and address[0] not in ("0.0.0.0", "::"):
                problems.append(
                    f"{where}: binds {address[0]}, unreachable for probes and Prometheus "
                    "(set the service's host/bind variable to 0.0.0.0)"
                )
    return problems


def resource_problems(docs: list[Doc]) -> list[str]:
    problems: list[str] = []
    for workload in docs:
        spec = pod_spec(workload)
        if spec is None:
            continue
        for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
            where = f"{_name(workload)} container {container['name']}"
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in resources.get(kind, {}):
                        problems.append(f"{where}: no {resource} {kind[:-1]}")
            for resource in ("cpu", "memory"):
                request = resources.get("requests", {}).get(resource)
                limit = resources.get("limits", {}).get(resource)
                if (
                    request is not None
                    and limit is not None
                    and quantity(request) > quantity(limit)
                ):
                    problems.append(f"{where}: {resource} request above its limit")
    return problems


def security_problems(docs: list[Doc]) -> list[str]:
    """Non-root, read-only root file system with writable emptyDirs where the process writes,
    no privilege escalation, every capability dropped, seccomp RuntimeDefault, no API token."""
    problems: list[str] = []
    image_user = dockerfile_user().split(":")[0]
    for workload in docs:
        spec = pod_spec(workload)
        if spec is None:
            continue
        where = _name(workload)
        pod = spec.get("securityContext", {})
        if pod.get("runAsNonRoot") is not True:
            problems.append(f"{where}: pod securityContext.runAsNonRoot is not true")
        if int(pod.get("runAsUser", 0)) == 0:
            problems.append(f"{where}: pod runs as uid 0 (or leaves it to the image)")
        elif str(pod["runAsUser"]) != image_user and any(True for _ in app_containers(workload)):
            problems.append(
                f"{where}: runAsUser {pod['runAsUser']} is not the image's {image_user}"
            )
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: mounts a service account token it never uses")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
            cwhere = f"{where} container {container['name']}"
            ctx = container.get("securityContext", {})
            seccomp = ctx.get("seccompProfile", pod.get("seccompProfile", {})).get("type")
            if seccomp != "RuntimeDefault":
                problems.append(f"{cwhere}: seccompProfile is not RuntimeDefault")
            if ctx.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{cwhere}: allowPrivilegeEscalation is not false")
            if ctx.get("privileged"):
                problems.append(f"{cwhere}: privileged")
            if "ALL" not in ctx.get("capabilities", {}).get("drop", []):
                problems.append(f"{cwhere}: capabilities.drop lacks ALL")
            if ctx.get("capabilities", {}).get("add"):
                problems.append(f"{cwhere}: adds capabilities")
            if ctx.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{cwhere}: readOnlyRootFilesystem is not true")
            mounts = {
                m["mountPath"]: volumes.get(m["name"], {})
                for m in container.get("volumeMounts", [])
            }
            for path in ["/tmp"]:
                if "emptyDir" not in mounts.get(path, {}):
                    problems.append(f"{cwhere}: {path} is not a writable emptyDir")
            if command_of(container) in settings_env.COMMANDS:
                env, _ = container_env(container, docs)
                if settings_env.settings_problem(command_of(container), env):
                    continue  # reported by env_problems
                kind, _, _ = settings_env.store_of(command_of(container), env)
                data = settings_env.data_dir(command_of(container), env)
                if kind == "embedded" and data not in mounts:
                    problems.append(f"{cwhere}: the store folder {data} is not a mounted volume")
    return problems


# --- scaling: replicas, consumer groups, partitions ---------------------------------------


def _deployments_by_command(docs: list[Doc]) -> dict[str, list[tuple[Doc, Doc]]]:
    found: dict[str, list[tuple[Doc, Doc]]] = defaultdict(list)
    for deployment in of_kind(docs, "Deployment"):
        for container in app_containers(deployment):
            found[command_of(container)].append((deployment, container))
    return found


def singleton_problems(docs: list[Doc]) -> list[str]:
    """The ingestor and the embedded store's index-writing matcher run exactly once: never
    autoscaled, one replica, replaced with Recreate so two never overlap."""
    problems: list[str] = []
    scaled = autoscaled_targets(docs)
    by_command = _deployments_by_command(docs)
    singletons = [d for d, _ in by_command.get("ingestor", [])]
    writers = [
        d
        for d, c in by_command.get("matcher", [])
        if settings_env.index_writer(container_env(c, docs)[0])
    ]
    if len(writers) != 1 and by_command.get("matcher"):
        problems.append(f"{len(writers)} matcher Deployments are index writers; exactly 1 may be")
    for deployment in [*singletons, *writers]:
        name = deployment["metadata"]["name"]
        if name in scaled:
            problems.append(f"Deployment/{name} must run once but {_name(scaled[name])} scales it")
        if int(deployment["spec"].get("replicas", 1)) != 1:
            problems.append(f"Deployment/{name} must have exactly 1 replica")
        if deployment["spec"].get("strategy", {}).get("type") != "Recreate":
            problems.append(f"Deployment/{name} must use the Recreate strategy")
    for name, scaler in scaled.items():
        for deployment in of_kind(docs, "Deployment"):
            if deployment["metadata"]["name"] == name and "replicas" in deployment["spec"]:
                problems.append(
                    f"Deployment/{name} sets spec.replicas, which fights {_name(scaler)}"
                )
    return problems


def consumer_group_problems(docs: list[Doc]) -> list[str]:
    """Per consumer group, the most members the manifests allow (autoscaler maximum, or fixed
    replicas) never exceed the partitions of the topic, from the topic registry; KEDA
    triggers name the group and topic the target really consumes."""
    problems: list[str] = []
    groups: dict[tuple[str, str], int] = defaultdict(int)
    group_of: dict[str, tuple[str, str]] = {}
    for command, pairs in _deployments_by_command(docs).items():
        for deployment, container in pairs:
            env, _ = container_env(container, docs)
            group = settings_env.consumer_group(command, env)
            if group is None:
                continue
            topic = settings_env.GROUP_TOPIC[command]
            groups[(group, topic)] += max_replicas(deployment, docs)
            group_of[deployment["metadata"]["name"]] = (group, topic)
    for (group, topic), members in sorted(groups.items()):
        partitions = REGISTRY_PARTITIONS[topic]
        if members > partitions:
            problems.append(
                f"consumer group {group} on {topic} may get {members} members but {topic} "
                f"has {partitions} partitions: the extra replicas would idle"
            )
    for scaled in of_kind(docs, "ScaledObject"):
        target = scaled["spec"]["scaleTargetRef"]["name"]
        for trigger in scaled["spec"].get("triggers", []):
            if trigger.get("type") != "kafka":
                continue
            meta = trigger.get("metadata", {})
            expected = group_of.get(target)
            actual = (meta.get("consumerGroup"), meta.get("topic"))
            if expected is None:
                problems.append(f"{_name(scaled)}: target {target} consumes no grouped topic")
            elif actual != expected:
                problems.append(
                    f"{_name(scaled)}: trigger watches group/topic {actual} but {target} "
                    f"consumes {expected}"
                )
            if (
                meta.get("topic") in REGISTRY_PARTITIONS
                and int(scaled["spec"].get("maxReplicaCount", 100))
                > REGISTRY_PARTITIONS[meta["topic"]]
            ):
                problems.append(
                    f"{_name(scaled)}: maxReplicaCount above the partitions of {meta['topic']}"
                )
            problem = _keda_bootstrap_problem(scaled, str(meta.get("bootstrapServers", "")), docs)
            if problem:
                problems.append(f"{_name(scaled)}: {problem}")
    return problems


def _keda_bootstrap_problem(scaled: Doc, servers: str, docs: list[Doc]) -> str | None:
    """KEDA's operator resolves names from its own namespace: the trigger must name the
    services' Kafka by <service>.<namespace>.svc."""
    ours = _bootstrap_servers(docs)
    if not ours:
        return None
    namespace = scaled["metadata"].get("namespace", "default")
    wanted = set()
    for server in ours.split(","):
        host, _, port = server.strip().rpartition(":")
        if "." in host:
            wanted.add(f"{host}:{port}")  # already qualified (or outside the cluster)
        else:
            wanted |= {
                f"{host}.{namespace}.svc:{port}",
                f"{host}.{namespace}.svc.cluster.local:{port}",
            }
    given = {s.strip() for s in servers.split(",") if s.strip()}
    if not given or not given <= wanted:
        return (
            f"bootstrapServers {servers!r} is not the services' Kafka ({ours}) as KEDA "
            f"resolves it from its own namespace: {sorted(wanted)}"
        )
    return None


def _bootstrap_servers(docs: list[Doc]) -> str | None:
    for configmap in of_kind(docs, "ConfigMap"):
        value = configmap.get("data", {}).get("ACADEMICHUB_BOOTSTRAP_SERVERS")
        if value:
            return str(value)
    return None


# --- Kafka (Strimzi) ----------------------------------------------------------------------


def kafka_problems(docs: list[Doc], *, replicas: int, min_insync: int) -> list[str]:
    """Every registry topic is a KafkaTopic with the registry's partitions and the expected
    replication; the cluster has enough brokers; the services' bootstrap is its Service."""
    problems: list[str] = []
    clusters = of_kind(docs, "Kafka")
    if len(clusters) != 1:
        return [f"expected one Kafka cluster, found {len(clusters)}"]
    cluster = clusters[0]
    name = cluster["metadata"]["name"]
    pools = [
        p
        for p in of_kind(docs, "KafkaNodePool")
        if p["metadata"]["labels"].get("strimzi.io/cluster") == name
    ]
    brokers = sum(int(p["spec"]["replicas"]) for p in pools if "broker" in p["spec"]["roles"])
    controllers = sum(
        int(p["spec"]["replicas"]) for p in pools if "controller" in p["spec"]["roles"]
    )
    if controllers % 2 == 0:
        problems.append(f"Kafka {name}: {controllers} controllers (KRaft needs an odd quorum)")
    if brokers < replicas:
        problems.append(f"Kafka {name}: {brokers} brokers cannot hold {replicas} replicas")
    config = cluster["spec"]["kafka"].get("config", {})
    for key, want in (
        ("default.replication.factor", replicas),
        ("min.insync.replicas", min_insync),
        ("offsets.topic.replication.factor", replicas),
    ):
        if int(str(config.get(key, -1))) != want:
            problems.append(f"Kafka {name}: {key} is {config.get(key)!r}, expected {want}")
    topics = {
        t["spec"].get("topicName", t["metadata"]["name"]): t
        for t in of_kind(docs, "KafkaTopic")
        if t["metadata"].get("labels", {}).get("strimzi.io/cluster") == name
    }
    for topic, partitions in REGISTRY_PARTITIONS.items():
        resource = topics.get(topic)
        if resource is None:
            problems.append(f"topic {topic} of the registry has no KafkaTopic")
            continue
        spec = resource["spec"]
        if int(spec.get("partitions", -1)) != partitions:
            problems.append(
                f"KafkaTopic {topic}: {spec.get('partitions')} partitions, "
                f"registry says {partitions}"
            )
        if int(spec.get("replicas", -1)) != replicas:
            problems.append(
                f"KafkaTopic {topic}: replicas {spec.get('replicas')}, expected {replicas}"
            )
        isr = spec.get("config", {}).get("min.insync.replicas")
        if isr is None or int(str(isr)) != min_insync:
            problems.append(f"KafkaTopic {topic}: min.insync.replicas {isr}, expected {min_insync}")
    for topic in sorted(set(topics) - set(REGISTRY_PARTITIONS)):
        problems.append(f"KafkaTopic {topic} is not in the topic registry")
    plain = [
        listener
        for listener in cluster["spec"]["kafka"].get("listeners", [])
        if listener.get("type") == "internal" and not listener.get("tls")
    ]
    servers = _bootstrap_servers(docs)
    wanted = {f"{name}-kafka-bootstrap:{listener['port']}" for listener in plain}
    if servers not in wanted:
        problems.append(
            f"ACADEMICHUB_BOOTSTRAP_SERVERS is {servers!r}; the cluster's plain bootstrap is "
            f"{sorted(wanted)}"
        )
    return problems


# --- Services, disruption budgets, network policy, scraping, store placement -------------


def _pod_labels(workload: Doc) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"].get("labels", {})
    return labels


def wiring_problems(docs: list[Doc]) -> list[str]:
    problems: list[str] = []
    deployments = of_kind(docs, "Deployment")
    app = app_workloads(docs)
    for service in of_kind(docs, "Service"):
        selector = service["spec"].get("selector", {})
        pods = [d for d in deployments if labels_match(selector, _pod_labels(d))]
        if not pods:
            problems.append(f"{_name(service)} selects no Deployment's pods")
        for port in service["spec"].get("ports", []):
            target = port.get("targetPort", port["port"])
            for pod in pods:
                declared = {
                    key for c in pod["spec"]["template"]["spec"]["containers"] for key in _ports(c)
                }
                if target not in declared:
                    problems.append(
                        f"{_name(service)}: targetPort {target} not declared by {_name(pod)}"
                    )
    budgets = of_kind(docs, "PodDisruptionBudget")
    for deployment in app:
        for budget in budgets:
            if not labels_match(budget["spec"]["selector"]["matchLabels"], _pod_labels(deployment)):
                continue
            floor = budget["spec"].get("minAvailable")
            if isinstance(floor, int) and floor >= max(min_replicas(deployment, docs), 1):
                problems.append(
                    f"{_name(budget)} keeps {floor} of at least {min_replicas(deployment, docs)} "
                    f"pods of {_name(deployment)}: no node could ever be drained"
                )
        if not any(
            labels_match(b["spec"]["selector"]["matchLabels"], _pod_labels(deployment))
            for b in budgets
        ):
            problems.append(f"{_name(deployment)} has no PodDisruptionBudget")
    policies = of_kind(docs, "NetworkPolicy")
    for deployment in app:
        labels = _pod_labels(deployment)
        selecting = [
            p
            for p in policies
            if labels_match(p["spec"]["podSelector"].get("matchLabels", {}), labels)
        ]
        if not selecting:
            problems.append(f"{_name(deployment)} is selected by no NetworkPolicy")
            continue
        allowed = {
            int(port["port"])
            for policy in selecting
            for rule in policy["spec"].get("ingress", [])
            for port in rule.get("ports", [])
        }
        open_to_all = {
            int(port["port"])
            for policy in selecting
            for rule in policy["spec"].get("ingress", [])
            if not rule.get("from")
            for port in rule.get("ports", [])
        }
        for container in app_containers(deployment):
            ports = _ports(container)
            for port in container.get("ports", []):
                if int(port["containerPort"]) not in allowed:
                    problems.append(
                        f"{_name(deployment)}: no NetworkPolicy admits port {port['containerPort']}"
                    )
            # A Service's user-facing port (not `metrics`) must be open to its clients.
            for service in of_kind(docs, "Service"):
                if not labels_match(service["spec"].get("selector", {}), labels):
                    continue
                for port in service["spec"]["ports"]:
                    target = ports.get(port.get("targetPort", port["port"]))
                    if (
                        port.get("name") != "metrics"
                        and target is not None
                        and target not in open_to_all
                    ):
                        problems.append(
                            f"{_name(deployment)}: {_name(service)} port {port.get('name')} is "
                            "closed to its clients by the NetworkPolicies"
                        )
    hpas = of_kind(docs, "HorizontalPodAutoscaler")
    if not any(
        h["spec"]["scaleTargetRef"]["name"] == "gateway"
        and any(m.get("resource", {}).get("name") == "cpu" for m in h["spec"].get("metrics", []))
        for h in hpas
    ):
        problems.append("the gateway has no HorizontalPodAutoscaler on CPU")
    return problems


def scrape_problems(docs: list[Doc]) -> list[str]:
    """Every service's metrics port is scraped: through prometheus.io annotations on the pod,
    and through a ServiceMonitor when the Prometheus Operator is used."""
    problems: list[str] = []
    monitors = of_kind(docs, "ServiceMonitor")
    services = of_kind(docs, "Service")
    for deployment in app_workloads(docs):
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        for container in app_containers(deployment):
            env, _ = container_env(container, docs)
            command = command_of(container)
            if command not in settings_env.COMMANDS:
                continue
            address = settings_env.listen_address(command, env)
            if address is None:
                continue
            if annotations.get("prometheus.io/scrape") != "true" or annotations.get(
                "prometheus.io/port"
            ) != str(address[1]):
                problems.append(
                    f"{_name(deployment)}: prometheus.io annotations do not name port {address[1]}"
                )
            if not monitors:
                continue
            scraped = False
            for monitor in monitors:
                selector = monitor["spec"]["selector"].get("matchLabels", {})
                port_names = {e.get("port") for e in monitor["spec"].get("endpoints", [])}
                for service in services:
                    if not labels_match(selector, service["metadata"].get("labels", {})):
                        continue
                    if not labels_match(
                        service["spec"].get("selector", {}), _pod_labels(deployment)
                    ):
                        continue
                    job_label = monitor["spec"].get("jobLabel")
                    if job_label and job_label not in service["metadata"].get("labels", {}):
                        problems.append(f"{_name(service)} lacks the job label {job_label}")
                    for port in service["spec"]["ports"]:
                        target = _ports(container).get(port.get("targetPort", port["port"]))
                        if port.get("name") in port_names and target == address[1]:
                            scraped = True
            if not scraped:
                problems.append(
                    f"{_name(deployment)}: no ServiceMonitor endpoint reaches port {address[1]}"
                )
    return problems


def store_problems(docs: list[Doc]) -> list[str]:
    """Every AcademicHub container opens the same store (adapter, URL, index prefix). On
    Elasticsearch the URL is the HTTP Service of an ECK ``Elasticsearch`` of the manifests,
    in the scheme it serves (the settings have no CA for ECK's self-signed certificate, so
    that means plain HTTP with its self-signed TLS disabled), and the API key comes from a
    Secret, never from a value in git."""
    problems: list[str] = []
    clusters = {f"{e['metadata']['name']}-es-http": e for e in of_kind(docs, "Elasticsearch")}
    stores: dict[tuple[str, str | None, str], list[str]] = defaultdict(list)
    for workload in app_workloads(docs):
        for container in app_containers(workload):
            command = command_of(container)
            env, _ = container_env(container, docs)
            if command not in settings_env.COMMANDS or settings_env.settings_problem(command, env):
                continue  # reported by env_problems
            where = f"{_name(workload)} container {container['name']}"
            store = settings_env.store_of(command, env)
            stores[store].append(_name(workload))
            kind, url, _ = store
            if kind != "elasticsearch" or url is None:
                continue
            for node in (n.strip() for n in url.split(",")):
                parts = urlsplit(node)
                cluster = clusters.get(parts.hostname or "")
                if cluster is None:
                    problems.append(
                        f"{where}: {node} is not the HTTP Service of an Elasticsearch here"
                    )
                    continue
                tls = cluster["spec"].get("http", {}).get("tls", {})
                plain = tls.get("selfSignedCertificate", {}).get("disabled") is True
                if parts.scheme != ("http" if plain else "https"):
                    problems.append(
                        f"{where}: {node} but {cluster['metadata']['name']} serves "
                        f"{'http' if plain else 'https'}"
                    )
                elif not plain and "certificate" not in tls:
                    problems.append(
                        f"{where}: {node} is served with ECK's self-signed certificate, which "
                        "the settings have no CA to trust"
                    )
            key = next((e for e in container.get("env", []) if e["name"] == API_KEY_VARIABLE), None)
            if key is None or "secretKeyRef" not in key.get("valueFrom", {}):
                problems.append(f"{where}: {API_KEY_VARIABLE} does not come from a Secret")
    if len(stores) > 1:
        problems.append(
            "the services do not share one store: "
            + "; ".join(f"{sorted(set(names))} on {store}" for store, names in stores.items())
        )
    return problems


def store_placement_problems(docs: list[Doc]) -> list[str]:
    """Pods sharing the embedded store's ReadWriteOnce claim all land on one node (SQLite's
    WAL needs shared memory between the processes)."""
    problems: list[str] = []
    claims = {c["metadata"]["name"]: c for c in of_kind(docs, "PersistentVolumeClaim")}
    for deployment in app_workloads(docs):
        spec = deployment["spec"]["template"]["spec"]
        used = [
            v["persistentVolumeClaim"]["claimName"]
            for v in spec.get("volumes", [])
            if "persistentVolumeClaim" in v
        ]
        for claim in used:
            if claim not in claims:
                problems.append(f"{_name(deployment)}: claim {claim} is not in the manifests")
            elif claims[claim]["spec"].get("accessModes") != ["ReadWriteOnce"]:
                problems.append(
                    f"claim {claim} must be ReadWriteOnce "
                    "(SQLite over a shared file system corrupts)"
                )
            terms = (
                spec.get("affinity", {})
                .get("podAffinity", {})
                .get("requiredDuringSchedulingIgnoredDuringExecution", [])
            )
            labels = _pod_labels(deployment)
            if not any(
                t.get("topologyKey") == "kubernetes.io/hostname"
                and labels_match(t.get("labelSelector", {}).get("matchLabels", {}), labels)
                for t in terms
            ):
                problems.append(
                    f"{_name(deployment)} mounts {claim} without required same-node podAffinity"
                )
    return problems


def image_problems(docs: list[Doc]) -> list[str]:
    problems: list[str] = []
    for workload in app_workloads(docs):
        for container in app_containers(workload):
            image = str(container["image"])
            tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""
            if "@sha256:" not in image and (not tag or tag == "latest"):
                problems.append(f"{_name(workload)}: image {image} is not pinned to a version")
    return problems


ALL_CHECKS = (
    env_problems,
    probe_problems,
    resource_problems,
    security_problems,
    singleton_problems,
    consumer_group_problems,
    wiring_problems,
    scrape_problems,
    store_problems,
    store_placement_problems,
    image_problems,
)
