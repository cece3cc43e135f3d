"""Loading the deployment files: YAML documents, rendered kustomize overlays, the compose file.

Overlays are rendered with ``kubectl kustomize`` (kustomize v5 is built into kubectl, which
the development and CI machines have), offline, in a few tens of milliseconds each.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
ALERTS_FILE = DEPLOY / "prometheus" / "alerts.yml"
PROMETHEUS_FILE = DEPLOY / "prometheus" / "prometheus.yml"
DASHBOARDS = DEPLOY / "grafana" / "dashboards"
GRAFANA_PROVISIONING = DEPLOY / "grafana" / "provisioning"

DEV = "overlays/dev"
SINGLE_NODE = "overlays/single-node"
PRODUCTION = "overlays/production"
OVERLAYS = (DEV, SINGLE_NODE, PRODUCTION)
KUSTOMIZATIONS = ("base", *OVERLAYS)
APP_IMAGE_NAMES = ("academichub", "ghcr.io/academichub/academichub")

Doc = dict[str, Any]


def yaml_files() -> list[Path]:
    return sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml"), COMPOSE_FILE])


class StrictLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys; Docker Compose and kubectl refuse them."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` keys may be overridden, that is their point
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def load_documents(path: Path) -> list[Doc]:
    with path.open(encoding="utf-8") as stream:
        return [d for d in yaml.load_all(stream, Loader=StrictLoader) if d is not None]


@functools.cache
def _render(kustomization: str) -> str:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise AssertionError(
            "kubectl is needed to render the kustomize overlays (it ships in the machine image)"
        )
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S / kustomization)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {kustomization} failed:\n{result.stderr}")
    return result.stdout


def render(kustomization: str) -> list[Doc]:
    """The resources ``kubectl apply -k deploy/k8s/<kustomization>`` would send (a fresh
    copy each call, so a test may mutate it)."""
    return [d for d in yaml.safe_load_all(_render(kustomization)) if d is not None]


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") == kind]


def named(docs: list[Doc], kind: str, name: str) -> Doc:
    for doc in of_kind(docs, kind):
        if doc["metadata"]["name"] == name:
            return doc
    raise KeyError(f"no {kind} {name}")


def pod_spec(doc: Doc) -> Doc | None:
    if doc.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        spec: Doc = doc["spec"]["template"]["spec"]
        return spec
    return None


def is_app_image(image: str) -> bool:
    name = image.rsplit("@", 1)[0]
    name = name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name
    return name in APP_IMAGE_NAMES


def app_containers(doc: Doc) -> Iterator[Doc]:
    spec = pod_spec(doc)
    if spec is None:
        return
    for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
        if is_app_image(str(container.get("image", ""))):
            yield container


def app_workloads(docs: list[Doc]) -> list[Doc]:
    return [d for d in docs if any(True for _ in app_containers(d))]


def command_of(container: Doc) -> str:
    args = container.get("args") or container.get("command") or []
    return str(args[0]) if args else ""


def labels_match(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def container_env(container: Doc, docs: list[Doc]) -> tuple[dict[str, str], list[str]]:
    """The environment Kubernetes would give ``container`` (secret values replaced by a
    placeholder), and the problems found resolving it."""
    env: dict[str, str] = {}
    problems: list[str] = []
    name = container.get("name")
    configmaps = {d["metadata"]["name"]: d.get("data", {}) for d in of_kind(docs, "ConfigMap")}
    secrets = {d["metadata"]["name"]: d for d in of_kind(docs, "Secret")}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            ref = source["configMapRef"]["name"]
            if ref not in configmaps:
                if not source["configMapRef"].get("optional"):
                    problems.append(f"{name}: envFrom ConfigMap {ref} is not in the manifests")
                continue
            env.update({k: str(v) for k, v in configmaps[ref].items()})
        else:
            # A Secret's keys are unknown when it is created outside git: every variable
            # must be named in the manifest so the settings check can see it.
            problems.append(f"{name}: envFrom {sorted(source)} hides which variables are set")
    for item in container.get("env", []):
        var = item["name"]
        if "value" in item:
            env[var] = str(item["value"])
            continue
        ref = item.get("valueFrom", {})
        if "configMapKeyRef" in ref:
            key_ref = ref["configMapKeyRef"]
            value = configmaps.get(key_ref["name"], {}).get(key_ref["key"])
            if value is None:
                if not key_ref.get("optional"):
                    problems.append(f"{name}: {var} refers to a missing ConfigMap key")
                continue
            env[var] = str(value)
        elif "secretKeyRef" in ref:
            key_ref = ref["secretKeyRef"]
            if key_ref["name"] not in secrets and not key_ref.get("optional"):
                problems.append(
                    f"{name}: {var} needs Secret {key_ref['name']}, which is neither in the "
                    "manifests nor marked optional"
                )
            env[var] = "secret-placeholder"
        else:
            env[var] = "field-placeholder"
    return env, problems


# --- compose --------------------------------------------------------------------------

_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose's ``${VAR}`` / ``${VAR:-default}``, with ``variables`` as the host env."""
    return _INTERPOLATION.sub(lambda m: variables.get(m.group(1), m.group(2) or ""), value)


def load_compose() -> Doc:
    documents = load_documents(COMPOSE_FILE)
    assert len(documents) == 1, "docker-compose.yml must hold one YAML document"
    return documents[0]


def compose_env(service: Doc, variables: Mapping[str, str] | None = None) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {
        str(k): interpolate("" if v is None else str(v), variables or {}) for k, v in raw.items()
    }


def compose_app_services(compose: Doc) -> dict[str, Doc]:
    return {
        name: service
        for name, service in compose["services"].items()
        if is_app_image(str(service.get("image", ""))) or "build" in service
    }


def compose_command(service: Doc) -> str:
    command = service.get("command") or []
    if isinstance(command, str):
        command = command.split()
    return str(command[0]) if command else ""


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return json.load(stream)


def dockerfile_user() -> str:
    stage = DOCKERFILE.read_text().split("\nFROM ")[-1]
    users = re.findall(r"^USER\s+(\S+)", stage, flags=re.MULTILINE)
    assert users, "the runtime stage sets no USER"
    return str(users[-1])
