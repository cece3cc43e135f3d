"""PromQL in the dashboard and the alert rules: it parses, and every selector names a metric
that is really exported with labels it really has."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import promql_parser

from tests.deploy.metrics_catalog import TARGET_LABELS

# Grafana's variables, replaced by what Grafana would send to Prometheus.
_GRAFANA_VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "30s",
    "$__range": "6h",
}
_TEMPLATE_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_LABEL_VALUES = re.compile(
    r"^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)(\{.*\})?\s*,\s*([A-Za-z_]\w*)\s*\)$"
)


def grafana_to_promql(expr: str) -> str:
    for variable, value in _GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    # A dashboard variable ($source) becomes a regex that matches anything.
    return _TEMPLATE_VARIABLE.sub(".*", expr)


def selectors(expr: str) -> list[tuple[str, list[str]]]:
    """(metric name, label names matched) of every vector selector in ``expr``; raises
    ValueError when ``expr`` is not valid PromQL."""
    tree = promql_parser.parse(expr)
    found: list[tuple[str, list[str]]] = []

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            labels = [m.name for m in node.matchers.matchers]
            name = node.name
            for matcher in node.matchers.matchers:
                if matcher.name == "__name__":
                    name = matcher.value
            found.append((str(name), labels))
        return True

    promql_parser.walk(tree, visit)
    return found


def expression_problems(
    expressions: Iterable[tuple[str, str]], known: Mapping[str, frozenset[str]]
) -> list[str]:
    """``expressions`` are (where, PromQL) pairs."""
    problems: list[str] = []
    for where, expr in expressions:
        try:
            found = selectors(expr)
        except ValueError as exc:
            problems.append(f"{where}: not valid PromQL ({exc}): {expr}")
            continue
        if not found:
            problems.append(f"{where}: selects no metric: {expr}")
        for name, labels in found:
            if name not in known:
                problems.append(f"{where}: metric {name} is exported by no service or exporter")
                continue
            for label in labels:
                if label != "__name__" and label not in known[name] and label not in TARGET_LABELS:
                    problems.append(
                        f"{where}: {name} has no label {label!r} (it has {sorted(known[name])})"
                    )
    return problems


def dashboard_expressions(dashboard: Mapping[str, Any]) -> list[tuple[str, str]]:
    expressions: list[tuple[str, str]] = []

    def panels(items: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
        for panel in items:
            yield panel
            yield from panels(panel.get("panels", []))

    for panel in panels(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            if target.get("expr"):
                where = f"panel {panel.get('title')!r} target {target.get('refId')}"
                expressions.append((where, grafana_to_promql(str(target["expr"]))))
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        text = query.get("query") if isinstance(query, Mapping) else query
        if variable.get("type") != "query" or not text:
            continue
        match = _LABEL_VALUES.match(str(text).strip())
        where = f"variable ${variable.get('name')}"
        if match:
            metric, matchers, label = match.groups()
            expressions.append((where, f"{metric}{matchers or ''}"))
            expressions.append((where, f'{metric}{{{label}=~".+"}}'))
        else:
            expressions.append((where, grafana_to_promql(str(text))))
    return expressions


def rule_expressions(rule_file: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (f"rule {rule.get('alert') or rule.get('record')}", str(rule["expr"]))
        for group in rule_file.get("groups", [])
        for rule in group.get("rules", [])
    ]


def rule_problems(rule_file: Mapping[str, Any]) -> list[str]:
    """The rule file's shape, as Prometheus would load it."""
    problems: list[str] = []
    groups = rule_file.get("groups")
    if not isinstance(groups, list) or not groups:
        return ["no rule groups"]
    names = [g.get("name") for g in groups]
    if len(set(names)) != len(names):
        problems.append("rule group names are not unique")
    for group in groups:
        for rule in group.get("rules", []):
            name = rule.get("alert") or rule.get("record")
            if not name or "expr" not in rule:
                problems.append(f"group {group.get('name')}: a rule without alert/record or expr")
                continue
            for key in ("for", "keep_firing_for"):
                if key in rule:
                    try:
                        promql_parser.parse_duration(str(rule[key]))
                    except ValueError:
                        problems.append(f"{name}: {key} {rule[key]!r} is not a duration")
            if "alert" in rule:
                if rule.get("labels", {}).get("severity") not in ("info", "warning", "critical"):
                    problems.append(f"{name}: severity label must be info, warning or critical")
                for annotation in ("summary", "description"):
                    if not rule.get("annotations", {}).get(annotation):
                        problems.append(f"{name}: no {annotation} annotation")
    return problems
