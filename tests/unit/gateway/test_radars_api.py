"""``/api/radars``: every change is stored and announced on the radars topic."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from academichub.contracts import (
    Briefing,
    Match,
    MatchedTerm,
    Radar,
    RadarChange,
    TopicName,
)
from academichub.gateway.announce import RadarAnnouncer
from tests.unit.gateway.harness import NOW, Gateway, MakePaper

QUERY = '"quantum circuit" (learning OR agent) -survey'


def _create(gateway: Gateway, **fields: Any) -> dict[str, Any]:
    response = gateway.client.post(
        "/api/radars", json={"name": "Quantum ML", "query": QUERY, **fields}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _changes(gateway: Gateway) -> list[tuple[str, RadarChange]]:
    out = []
    for topic, key, event in gateway.publisher.sent:
        assert topic == TopicName.RADARS
        assert isinstance(event, RadarChange)
        out.append((key, event))
    return out


def test_create_stores_and_announces_the_radar(gateway: Gateway) -> None:
    body = _create(gateway, schedule={"kind": "every_n", "n": 5})
    radar_id = body["id"]
    assert radar_id.startswith("r_")
    stored = gateway.store.radars.get_radar(radar_id)
    assert stored is not None
    assert stored.owner == gateway.ada.id  # the caller owns what they create
    assert stored.language == "zh"
    assert stored.revision == 1
    assert stored.created_at == stored.updated_at == NOW
    assert stored.schedule.kind == "every_n"
    assert stored.schedule.n == 5
    assert Radar.model_validate(body) == stored
    assert _changes(gateway) == [
        (
            radar_id,
            RadarChange(kind="upsert", radar_id=radar_id, revision=1, radar=stored),
        )
    ]


def test_an_admin_creates_for_another_owner_and_lists_by_owner(gateway: Gateway) -> None:
    admin = gateway.client_for(gateway.admin_key)
    response = admin.post(
        "/api/radars",
        json={"name": "Quantum ML", "query": QUERY, "owner": gateway.ada.id, "language": "en"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["owner"] == gateway.ada.id
    assert body["language"] == "en"
    admins_own = _create_as(admin)
    by_owner = admin.get("/api/radars", params={"owner": gateway.ada.id}).json()["items"]
    assert [r["id"] for r in by_owner] == [body["id"]]
    assert {r["id"] for r in admin.get("/api/radars").json()["items"]} == {
        body["id"],
        admins_own,
    }
    # Ada sees the radar made for her, not the admin's own.
    assert [r["id"] for r in gateway.client.get("/api/radars").json()["items"]] == [body["id"]]


def test_a_user_cannot_create_for_someone_else(gateway: Gateway) -> None:
    response = gateway.client.post(
        "/api/radars", json={"name": "n", "query": "quantum", "owner": gateway.admin.id}
    )
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert gateway.store.radars.stored == {}


def _create_as(client: TestClient) -> str:
    response = client.post("/api/radars", json={"name": "Mine", "query": "surface codes"})
    assert response.status_code == 201, response.text
    radar_id: str = response.json()["id"]
    return radar_id


def test_malformed_query_is_422_and_nothing_is_stored(gateway: Gateway) -> None:
    response = gateway.client.post("/api/radars", json={"name": "Broken", "query": "quantum OR"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_query"
    assert body["position"] == len("quantum OR")
    assert isinstance(body["expected"], str)
    assert body["expected"]
    assert body["message"]
    assert gateway.store.radars.stored == {}
    assert gateway.publisher.sent == []


def test_unknown_body_field_is_named(gateway: Gateway) -> None:
    response = gateway.client.post(
        "/api/radars", json={"name": "x", "query": "quantum", "langauge": "en"}
    )
    assert response.status_code == 422
    assert "langauge" in response.json()["message"]


def test_update_bumps_the_revision_and_announces_it(gateway: Gateway) -> None:
    radar_id = _create(gateway)["id"]
    response = gateway.client.put(
        f"/api/radars/{radar_id}", json={"query": "surface codes", "language": "en"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["revision"] == 2
    assert body["query"] == "surface codes"
    assert body["name"] == "Quantum ML"  # left out: kept
    stored = gateway.store.radars.get_radar(radar_id)
    assert stored is not None
    assert stored.revision == 2
    assert stored.language == "en"
    key, change = _changes(gateway)[-1]
    assert key == radar_id
    assert change.kind == "upsert"
    assert change.revision == 2
    assert change.radar == stored


def test_update_with_a_bad_query_changes_nothing(gateway: Gateway) -> None:
    radar_id = _create(gateway)["id"]
    response = gateway.client.put(f"/api/radars/{radar_id}", json={"query": "(open"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_query"
    stored = gateway.store.radars.get_radar(radar_id)
    assert stored is not None
    assert stored.revision == 1
    assert len(gateway.publisher.sent) == 1


def test_delete_announces_the_next_revision(gateway: Gateway) -> None:
    radar_id = _create(gateway)["id"]
    gateway.client.put(f"/api/radars/{radar_id}", json={"name": "Renamed"})
    response = gateway.client.delete(f"/api/radars/{radar_id}")
    assert response.status_code == 204
    assert gateway.store.radars.get_radar(radar_id) is None
    key, change = _changes(gateway)[-1]
    assert (key, change) == (
        radar_id,
        RadarChange(kind="delete", radar_id=radar_id, revision=3),
    )
    again = gateway.client.delete(f"/api/radars/{radar_id}")
    assert again.status_code == 404
    assert len(gateway.publisher.sent) == 3


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/radars/r_missing"),
        ("PUT", "/api/radars/r_missing"),
        ("DELETE", "/api/radars/r_missing"),
        ("GET", "/api/radars/r_missing/matches"),
        ("GET", "/api/radars/r_missing/briefings"),
    ],
)
def test_missing_radar_is_a_json_404(gateway: Gateway, method: str, path: str) -> None:
    response = gateway.client.request(method, path, json={} if method == "PUT" else None)
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found"
    assert "r_missing" in body["message"]
    assert gateway.publisher.sent == []


def _announcer(gateway: Gateway) -> RadarAnnouncer:
    announcer: RadarAnnouncer = gateway.client.app.state.context.announcer  # type: ignore[attr-defined]
    return announcer


def test_a_change_the_broker_did_not_take_waits_in_the_outbox_and_is_relayed(
    gateway: Gateway,
) -> None:
    gateway.publisher.fail_with = ConnectionError("broker unreachable")
    response = gateway.client.post("/api/radars", json={"name": "n", "query": "quantum"})
    assert response.status_code == 201  # saved: the outbox announces it later
    radar_id = response.json()["id"]
    assert gateway.store.radars.get_radar(radar_id) is not None
    (waiting,) = gateway.store.radars.unannounced_changes()
    assert (waiting.radar_id, waiting.revision, waiting.kind) == (radar_id, 1, "upsert")
    failed = gateway.metrics.registry.get_sample_value(
        "academichub_gateway_radar_changes_published_total",
        {"kind": "upsert", "outcome": "failed"},
    )
    assert failed == 1
    # Still away: the relay keeps it.
    assert asyncio.run(_announcer(gateway).relay_once()) == 0
    assert gateway.store.radars.unannounced_changes() == [waiting]
    # Back: the relay publishes it and the outbox is empty.
    gateway.publisher.fail_with = None
    assert asyncio.run(_announcer(gateway).relay_once()) == 1
    assert [(key, c.revision) for key, c in _changes(gateway)] == [(radar_id, 1)]
    assert gateway.store.radars.unannounced_changes() == []


def test_an_announced_change_leaves_nothing_in_the_outbox(gateway: Gateway) -> None:
    radar_id = _create(gateway)["id"]
    assert gateway.client.delete(f"/api/radars/{radar_id}").status_code == 204
    assert [c.kind for _, c in _changes(gateway)] == ["upsert", "delete"]
    assert gateway.store.radars.unannounced_changes() == []
    assert asyncio.run(_announcer(gateway).relay_once()) == 0


# --- Idempotency-Key ------------------------------------------------------------------


def test_a_retried_create_with_the_same_key_makes_one_radar(gateway: Gateway) -> None:
    body = {"name": "Quantum ML", "query": QUERY}
    key = {"Idempotency-Key": "4f7c-retry-1"}
    first = gateway.client.post("/api/radars", json=body, headers=key)
    again = gateway.client.post("/api/radars", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert [r.id for r in gateway.store.radars.list_radars()] == [first.json()["id"]]
    assert len(_changes(gateway)) == 1  # announced once
    # Without a key, the same body is a new radar, as before.
    assert gateway.client.post("/api/radars", json=body).status_code == 201
    assert len(gateway.store.radars.list_radars()) == 2


def test_the_same_key_with_another_body_is_a_422_naming_the_header(gateway: Gateway) -> None:
    key = {"Idempotency-Key": "k-1"}
    first = gateway.client.post("/api/radars", json={"name": "a", "query": "quantum"}, headers=key)
    assert first.status_code == 201
    other = gateway.client.post("/api/radars", json={"name": "b", "query": "quantum"}, headers=key)
    assert other.status_code == 422
    body = other.json()
    assert body["error"] == "idempotency_key_reused"
    assert "Idempotency-Key" in body["message"]
    assert body["radar_id"] == first.json()["id"]
    assert len(gateway.store.radars.list_radars()) == 1


def test_keys_are_each_users_own(gateway: Gateway) -> None:
    key = {"Idempotency-Key": "shared-key"}
    body = {"name": "a", "query": "quantum"}
    mine = gateway.client.post("/api/radars", json=body, headers=key)
    _, token = gateway.new_user("Bob")
    theirs = gateway.client_for(token).post("/api/radars", json=body, headers=key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert "Idempotent-Replayed" not in theirs.headers


@pytest.mark.parametrize("value", [b"", b" padded ", b"x" * 256, "naïve".encode()])
def test_a_malformed_key_is_a_422_naming_the_header(gateway: Gateway, value: bytes) -> None:
    response = gateway.client.post(
        "/api/radars", json={"name": "a", "query": "quantum"}, headers={"Idempotency-Key": value}
    )
    assert response.status_code == 422, response.text
    assert "Idempotency-Key" in response.text
    assert gateway.store.radars.list_radars() == []


def test_matches_best_first_with_paper_and_terms(gateway: Gateway, make_paper: MakePaper) -> None:
    radar_id = _create(gateway)["id"]
    gateway.add(make_paper(1, "Quantum circuit learning"), make_paper(2, "Agents in circuits"))

    def match(n: int, score: float, minutes: int) -> Match:
        return Match(
            radar_id=radar_id,
            paper_id=f"arxiv:2606.{n:05d}",
            version=1,
            score=score,
            terms=(MatchedTerm(field="title", term="quantum circuit"),),
            matched_at=NOW + dt.timedelta(minutes=minutes),
        )

    gateway.store.matches.record_matches([match(2, 1.5, 0), match(1, 7.25, 10)])
    body = gateway.client.get(f"/api/radars/{radar_id}/matches").json()
    assert [m["paper_id"] for m in body["items"]] == ["arxiv:2606.00001", "arxiv:2606.00002"]
    first = body["items"][0]
    assert first["title"] == "Quantum circuit learning"
    assert first["source"] == "arxiv"
    assert first["published"] == "2026-06-12"
    assert first["terms"] == [{"field": "title", "term": "quantum circuit"}]
    since = (NOW + dt.timedelta(minutes=5)).isoformat()
    recent = gateway.client.get(f"/api/radars/{radar_id}/matches", params={"since": since})
    assert [m["paper_id"] for m in recent.json()["items"]] == ["arxiv:2606.00001"]


def test_briefings_newest_first(gateway: Gateway) -> None:
    radar_id = _create(gateway)["id"]
    for window in (1, 2):
        gateway.store.briefings.close_window(
            Briefing(
                id=Briefing.make_id(radar_id, window),
                radar_id=radar_id,
                window=window,
                language="zh",
                provider="extractive",
                overview=f"第 {window} 期",
                paper_ids=(),
                window_opened_at=NOW,
                window_closed_at=NOW,
                created_at=NOW,
            ),
            [],
        )
    body = gateway.client.get(f"/api/radars/{radar_id}/briefings").json()
    assert [b["window"] for b in body["items"]] == [2, 1]
