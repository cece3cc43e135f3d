"""Every route, every query parameter, boundary values: never a 5xx, and a refusal names
the parameter — over the embedded store (SQLite + tantivy), whose index cannot even be
asked about dates outside 1677–2262 (``to=1000-01-01`` used to answer 500).

The walk is generated from the routes themselves, so a parameter added later is walked
too; JSON answers must name the parameter in ``details`` (or ``message``), pages must
name it or its label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from academichub.broker.probe import FakeBrokerProbe
from academichub.broker.publisher import RecordingPublisher
from academichub.contracts import Paper, Radar
from academichub.gateway.app import ROUTERS, create_app
from academichub.gateway.metrics import GatewayMetrics
from academichub.gateway.settings import GatewaySettings
from academichub.platform.settings import CommonSettings
from academichub.store.factory import open_store
from tests.unit.gateway.harness import add_user, bearer

pytestmark = pytest.mark.integration

BOUNDARIES = (
    "",
    "0",
    "-1",
    "1",
    "9" * 30,
    "-" + "9" * 30,
    "1.5",
    "true",
    "0001-01-01",
    "1000-01-01",
    "1677-09-20",
    "2262-04-12",
    "9999-12-31",
    "2026-02-30",
    "2026-06-12T00:00:00",
    "2026-06-12T00:00:00+14:00",
    "0001-01-01T00:00:00-12:00",
    "9999-12-31T23:59:59+00:00",
    "(",
    '"',
    "x" * 300,
    "%00",
    "日本語",
)
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _routes() -> list[APIRoute]:
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def _query_names(route: APIRoute) -> list[str]:
    def walk(dependant: Dependant) -> Iterator[str]:
        yield from (p.alias for p in dependant.query_params)
        for sub in dependant.dependencies:
            yield from walk(sub)

    return sorted(set(walk(route.dependant)))


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, str, str]]:
    common = CommonSettings(data_dir=tmp_path / "data")
    writer = open_store(common, index_writer=True)
    day = dt.date(2026, 6, 12)
    writer.papers.upsert_papers(
        [
            Paper(
                id="arxiv:2606.00001",
                version=1,
                source="arxiv",
                title="Surface codes below threshold",
                abstract="A surface code with seven qubits.",
                authors=("Ada Lovelace",),
                categories=("quant-ph",),
                published=day,
            )
        ]
    )
    ada, key = add_user(writer.accounts, "Ada")
    now = dt.datetime(2026, 6, 12, 9, tzinfo=dt.UTC)
    radar = Radar(
        id="r_walk",
        owner=ada.id,
        name="Walk",
        query="surface",
        created_at=now,
        updated_at=now,
    )
    writer.radars.put_radar(radar)
    budget = 1_000_000
    app = create_app(
        GatewaySettings(
            common=common,
            rate_limit_per_minute=budget,
            rate_limit_burst=budget,
            anonymous_rate_limit_per_minute=budget,
            auth_failures_per_minute=budget,
        ),
        store=writer,
        publisher=RecordingPublisher(),
        broker_probe=FakeBrokerProbe(),
        metrics=GatewayMetrics.standalone(),
    )
    try:
        with TestClient(app, headers=bearer(key)) as client:
            yield client, key, radar.id
    finally:
        writer.close()


def _path(route: APIRoute, radar_id: str) -> str:
    return (
        route.path_format.replace("{radar_id}", radar_id)
        .replace("{briefing_id}", "b_missing")
        .replace("{paper_id}", "arxiv:2606.00001")
        .replace("{code}", "en")
    )


def test_every_query_parameter_at_its_boundaries_gets_an_answer_naming_it(
    site: tuple[TestClient, str, str],
) -> None:
    client, _, radar_id = site
    walked: set[str] = set()
    for route in _routes():
        names = _query_names(route)
        methods = sorted((route.methods or set()) - {"HEAD"})
        for method in methods:
            for name in names:
                for value in BOUNDARIES:
                    for headers in ({}, HTML):
                        walked.add(name)
                        response = client.request(
                            method,
                            _path(route, radar_id),
                            params={name: value},
                            headers=headers,
                            follow_redirects=False,
                        )
                        where = f"{method} {route.path_format}?{name}={value[:20]!r} {headers}"
                        assert response.status_code < 500, where
                        if response.status_code == 422:
                            _assert_named(response.text, name, where)
    # The parameters the issue named, and the pages' own, were all walked.
    assert {"q", "from", "to", "cursor", "offset", "limit", "since", "page"} <= walked


def _assert_named(body: str, name: str, where: str) -> None:
    # JSON: "query parameter 'page'"; a page: "页码：…" / "Page: …" (the form's label) or
    # the parameter itself before the colon.
    labels = {
        "q": ("查询", "Query"),
        "page": ("页码", "Page"),
        "from": ("起始日期", "From"),
        "to": ("截止日期", "To"),
    }
    shown = (name, *labels.get(name, ()))
    named = f"'{name}'" in body or any(
        f"{label}{colon}" in body for label in shown for colon in (":", "：")
    )
    assert named, f"{where}: the refusal does not name {name!r}: {body[:300]}"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"to": "1000-01-01"}, "to"),
        ({"from": "9999-12-31"}, "from"),
        ({"from": "2026-06-13", "to": "2026-06-12"}, "from"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"offset": "100001"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"to": "0"}, "to"),
    ],
)
def test_the_reported_cases_are_422_naming_the_parameter(
    site: tuple[TestClient, str, str], params: dict[str, str], name: str
) -> None:
    client, _, _ = site
    response = client.get("/api/papers", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert any(f"'{name}'" in d["location"] for d in body["details"]), body


def test_the_widest_dates_accepted_are_searchable(site: tuple[TestClient, str, str]) -> None:
    client, _, _ = site
    response = client.get("/api/papers", params={"from": "1700-01-01", "to": "2199-12-31"})
    assert response.status_code == 200
    assert response.json()["total"] == 1
