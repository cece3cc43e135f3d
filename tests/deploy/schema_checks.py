"""Schema validation, offline: built-in Kubernetes kinds against the OpenAPI-derived schemas
kubernetes-validate bundles (strict: unknown fields are errors), custom resources against
crd_schemas, the compose file against the Compose Specification schema check-jsonschema
vendors."""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
from kubernetes_validate.utils import SchemaNotFoundError

from tests.deploy.crd_schemas import CRD_SCHEMAS
from tests.deploy.manifests import Doc

# The oldest Kubernetes the manifests support, and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())


def _errors(validator: Any, doc: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    ]


def kubernetes_problems(docs: list[Doc]) -> list[str]:
    problems: list[str] = []
    for doc in docs:
        for version in KUBERNETES_VERSIONS:
            problems += _validated(json.dumps(doc, sort_keys=True), version)
    return problems


@functools.cache
def _validated(doc_json: str, version: str) -> list[str]:
    """Problems of one resource (cached: most documents repeat across overlays and tests)."""
    doc = json.loads(doc_json)
    where = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
    crd = CRD_SCHEMAS.get((str(doc.get("apiVersion")), str(doc.get("kind"))))
    if crd is not None:
        if version != KUBERNETES_VERSIONS[0]:
            return []  # custom resources do not depend on the Kubernetes version
        return [f"{where}: {e}" for e in _errors(jsonschema.Draft202012Validator(crd), doc)]
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except SchemaNotFoundError:
        return [
            f"{where}: no schema for {doc.get('apiVersion')} {doc.get('kind')} in "
            f"Kubernetes {version} (or in crd_schemas)"
        ]
    except jsonschema.ValidationError as exc:
        path = "/".join(str(p) for p in exc.absolute_path) or "<root>"
        return [f"{where} (Kubernetes {version}): {path}: {exc.message}"]
    return []


def compose_schema() -> dict[str, Any]:
    """The Compose Specification schema check-jsonschema vendors (read as a file: its CLI
    code, which this needs none of, is not imported)."""
    spec = importlib.util.find_spec("check_jsonschema")
    assert spec is not None, "check-jsonschema is not installed"
    assert spec.origin is not None
    vendored = Path(spec.origin).parent / "builtin_schemas" / "vendor" / "compose-spec.json"
    schema: dict[str, Any] = json.loads(vendored.read_text("utf-8"))
    return schema


def compose_problems(compose: Doc) -> list[str]:
    schema = compose_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    return _errors(validator_class(schema), compose)
