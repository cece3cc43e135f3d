"""The Grafana dashboard and the Prometheus alert rules load, parse as PromQL, and name only
metrics (and labels) the services or Kafka Exporter really export."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy import metrics_catalog, promql_checks
from tests.deploy.manifests import (
    ALERTS_FILE,
    COMPOSE_FILE,
    DASHBOARDS,
    GRAFANA_PROVISIONING,
    PROMETHEUS_FILE,
    load_compose,
    load_documents,
    load_json,
    yaml_files,
)

DASHBOARD = DASHBOARDS / "academichub.json"

# What the dashboard must show (issue 7): one series per area.
REQUIRED_ON_DASHBOARD = {
    "ingest per source": "academichub_ingestor_entries_total",
    "match rate": "academichub_matcher_matches_total",
    "match latency": "academichub_matcher_batch_duration_seconds_bucket",
    "radar count": "academichub_matcher_radars",
    "consumer lag": "kafka_consumergroup_lag",
    "briefing rate": "academichub_briefer_briefings_total",
    "LLM latency": "academichub_briefer_llm_request_duration_seconds_bucket",
    "LLM tokens": "academichub_briefer_llm_tokens_total",
    "gateway rate": "academichub_gateway_http_requests_total",
    "gateway errors": "academichub_gateway_http_request_errors_total",
    "gateway duration": "academichub_gateway_http_request_duration_seconds_bucket",
}
# What the alerts must cover (issue 7), by the metric each area is judged on.
REQUIRED_ALERTED = {
    "stalled ingestion": "academichub_ingestor_last_success_timestamp_seconds",
    "growing lag": "kafka_consumergroup_lag_sum",
    "LLM failures": "academichub_briefer_llm_requests_total",
    "gateway error rate": "academichub_gateway_http_request_errors_total",
    # Issue 13.9: what the broker lost and the store is still recovering.
    "published papers not stored": "academichub_ingestor_unstored_papers",
    "recorded matches not briefed": "academichub_briefer_unqueued_matches",
    "radar changes not announced": "academichub_gateway_unannounced_radar_changes",
}


@pytest.fixture(scope="module")
def known() -> dict[str, frozenset[str]]:
    return metrics_catalog.known_metrics()


@pytest.fixture
def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json(DASHBOARD)
    return loaded


@pytest.fixture
def alerts() -> dict[str, Any]:
    (loaded,) = load_documents(ALERTS_FILE)
    return loaded


def _used(expressions: list[tuple[str, str]]) -> set[str]:
    return {name for _, expr in expressions for name, _ in promql_checks.selectors(expr)}


def test_dashboard_queries_name_exported_metrics(
    dashboard: dict[str, Any], known: dict[str, frozenset[str]]
) -> None:
    expressions = promql_checks.dashboard_expressions(dashboard)
    assert len(expressions) > 20
    assert promql_checks.expression_problems(expressions, known) == []


def test_dashboard_covers_every_required_area(dashboard: dict[str, Any]) -> None:
    used = _used(promql_checks.dashboard_expressions(dashboard))
    missing = {area: m for area, m in REQUIRED_ON_DASHBOARD.items() if m not in used}
    assert missing == {}


def test_dashboard_is_well_formed_for_provisioning(dashboard: dict[str, Any]) -> None:
    (datasources,) = load_documents(GRAFANA_PROVISIONING / "datasources" / "prometheus.yml")
    uids = {d["uid"] for d in datasources["datasources"]}
    panels = dashboard["panels"]
    ids = [p["id"] for p in panels]
    assert dashboard["uid"]
    assert dashboard["title"]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels:
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"]), panel["title"]
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, panel["title"]
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] in uids, panel["title"]
            for target in panel["targets"]:
                assert target["datasource"]["uid"] in uids, panel["title"]


def test_grafana_provisioning_points_at_the_mounted_dashboards() -> None:
    (providers,) = load_documents(GRAFANA_PROVISIONING / "dashboards" / "academichub.yml")
    path = providers["providers"][0]["options"]["path"]
    grafana = load_compose()["services"]["grafana"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in grafana["volumes"]}
    assert (COMPOSE_FILE.parent / mounts[path]).resolve() == DASHBOARDS.resolve()
    assert (COMPOSE_FILE.parent / mounts["/etc/grafana/provisioning"]).resolve() == (
        GRAFANA_PROVISIONING.resolve()
    )


def test_alert_rules_load_and_name_exported_metrics(
    alerts: dict[str, Any], known: dict[str, frozenset[str]]
) -> None:
    assert promql_checks.rule_problems(alerts) == []
    assert promql_checks.expression_problems(promql_checks.rule_expressions(alerts), known) == []


def test_alerts_cover_every_required_area(alerts: dict[str, Any]) -> None:
    used = _used(promql_checks.rule_expressions(alerts))
    missing = {area: m for area, m in REQUIRED_ALERTED.items() if m not in used}
    assert missing == {}


def test_prometheus_loads_the_alert_rules() -> None:
    (prometheus,) = load_documents(PROMETHEUS_FILE)
    prometheus_service = load_compose()["services"]["prometheus"]
    mounted = {v.split(":")[1]: v.split(":")[0] for v in prometheus_service["volumes"]}
    for rule_file in prometheus["rule_files"]:
        source = COMPOSE_FILE.parent / mounted[rule_file]
        assert source.resolve() == ALERTS_FILE.resolve()


# --- the checks catch what they are for ------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("academichub_matcher_matches_total", "academichub_matcher_match_total", "exported by no"),
        ('outcome="published"', 'status="published"', "has no label 'status'"),
        ("sum by (source) (rate(", "sum by (source) (rate((", "not valid PromQL"),
    ],
)
def test_a_broken_dashboard_query_is_caught(
    dashboard: dict[str, Any], known: dict[str, frozenset[str]], old: str, new: str, expected: str
) -> None:
    text = json.dumps(dashboard)
    assert old.replace('"', '\\"') in text
    broken = json.loads(text.replace(old.replace('"', '\\"'), new.replace('"', '\\"'), 1))
    problems = promql_checks.expression_problems(promql_checks.dashboard_expressions(broken), known)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("expr", "rate(academichub_ingestor_polls[5m]) > 0", "exported by no"),
        ("expr", 'kafka_consumergroup_lag_sum{group="briefer"} > 0', "has no label 'group'"),
        ("for", "15 minutes", "is not a duration"),
        ("labels", {"severity": "page"}, "severity label"),
    ],
)
def test_a_broken_alert_rule_is_caught(
    alerts: dict[str, Any],
    known: dict[str, frozenset[str]],
    field: str,
    value: object,
    expected: str,
) -> None:
    broken = copy.deepcopy(alerts)
    broken["groups"][0]["rules"][0][field] = value
    problems = promql_checks.rule_problems(broken) + promql_checks.expression_problems(
        promql_checks.rule_expressions(broken), known
    )
    assert any(expected in p for p in problems), problems


def test_the_metric_catalog_reflects_the_services() -> None:
    services = metrics_catalog.service_metrics()
    # Counters carry _total, histograms their series, labels come along.
    assert services["academichub_ingestor_polls_total"] == {"source", "outcome"}
    assert "le" in services["academichub_matcher_batch_duration_seconds_bucket"]
    assert "academichub_matcher_matches" not in services


def test_every_yaml_file_parses() -> None:
    files = yaml_files()
    assert len(files) > 20
    for path in files:
        assert load_documents(path), path


def test_a_duplicate_key_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("spec:\n  replicas: 1\n  replicas: 3\n")
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate key 'replicas'"):
        load_documents(broken)
