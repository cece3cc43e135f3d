"""Nobody sees another's radar: every endpoint that names a radar or a briefing, walked as
a second user, answers 404 exactly as for a radar that does not exist, and changes
nothing; an admin sees everything.

The walk is built from the app's own routes, so an endpoint added later without a line
in ``REQUESTS`` fails this test instead of escaping it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from academichub.contracts import Briefing, Match, MatchedTerm
from academichub.gateway.app import ROUTERS
from academichub.store.accounts import Feedback
from tests.unit.gateway.harness import NOW, Gateway, MakePaper, page_csrf, sign_in

PAPER = "arxiv:2606.00001"

# (method, route template) -> request body: JSON for /api, form fields for pages.
REQUESTS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/radars/{radar_id}"): {},
    ("PUT", "/api/radars/{radar_id}"): {"json": {"name": "stolen"}},
    ("DELETE", "/api/radars/{radar_id}"): {},
    ("GET", "/api/radars/{radar_id}/matches"): {},
    ("GET", "/api/radars/{radar_id}/briefings"): {},
    ("POST", "/api/radars/{radar_id}/feedback"): {"json": {"paper_id": PAPER, "verdict": "down"}},
    ("GET", "/api/radars/{radar_id}/feedback"): {},
    ("DELETE", "/api/radars/{radar_id}/feedback"): {},
    ("POST", "/api/radars/{radar_id}/feed-token"): {},
    ("DELETE", "/api/radars/{radar_id}/feed-token"): {},
    ("GET", "/api/radars/{radar_id}/feed.atom"): {},
    ("GET", "/api/radars/{radar_id}/export.bib"): {},
    ("GET", "/api/briefings/{briefing_id}"): {},
    ("GET", "/radars/{radar_id}"): {},
    ("POST", "/radars/{radar_id}"): {"data": {"name": "stolen", "query": "x"}},
    ("GET", "/radars/{radar_id}/delete"): {},
    ("POST", "/radars/{radar_id}/delete"): {"data": {"confirmed": "yes"}},
    ("POST", "/radars/{radar_id}/feedback"): {"data": {"paper_id": PAPER, "verdict": "down"}},
    ("POST", "/radars/{radar_id}/feedback/reset"): {"data": {}},
    ("POST", "/radars/{radar_id}/feed-token"): {"data": {}},
    ("POST", "/radars/{radar_id}/feed-token/revoke"): {"data": {}},
    ("GET", "/briefings/{briefing_id}"): {},
    ("GET", "/api/radars/{radar_id}/webhook"): {},
    ("PUT", "/api/radars/{radar_id}/webhook"): {"json": {"url": "https://hooks.example.org/x"}},
    ("DELETE", "/api/radars/{radar_id}/webhook"): {},
    ("GET", "/api/radars/{radar_id}/deliveries"): {},
    ("GET", "/radars/{radar_id}/webhook"): {},
    ("POST", "/radars/{radar_id}/webhook"): {"data": {"url": "https://hooks.example.org/x"}},
    ("POST", "/radars/{radar_id}/webhook/delete"): {"data": {}},
}


def _routes() -> list[APIRoute]:
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def _private_routes() -> set[tuple[str, str]]:
    return {
        (method, route.path_format)
        for route in _routes()
        if "{radar_id}" in route.path_format or "{briefing_id}" in route.path_format
        for method in (route.methods or set()) - {"HEAD"}
    }


@pytest.fixture
def adas_radar(gateway: Gateway, make_paper: MakePaper) -> tuple[str, str]:
    """Ada's radar with a match, a briefing, her feedback and a feed token."""
    created = gateway.client.post("/api/radars", json={"name": "Ada's", "query": "surface"})
    radar_id: str = created.json()["id"]
    gateway.add(make_paper(1, "Surface codes"))
    gateway.store.matches.record_matches(
        [
            Match(
                radar_id=radar_id,
                paper_id=PAPER,
                version=1,
                score=1.0,
                terms=(MatchedTerm(field="title", term="surface"),),
                matched_at=NOW,
            )
        ]
    )
    briefing = Briefing(
        id=Briefing.make_id(radar_id, 1),
        radar_id=radar_id,
        window=1,
        language="zh",
        provider="extractive",
        overview="secret overview",
        paper_ids=(PAPER,),
        window_opened_at=NOW,
        window_closed_at=NOW,
        created_at=NOW,
    )
    gateway.store.briefings.close_window(briefing, [])
    gateway.accounts.put_feedback(Feedback(radar_id, PAPER, gateway.ada.id, "up", NOW))
    issued = gateway.client.post(f"/api/radars/{radar_id}/feed-token")
    assert issued.status_code == 201
    return radar_id, briefing.id


def _call(
    client: TestClient,
    method: str,
    template: str,
    ids: tuple[str, str],
    csrf: str,
    body: dict[str, Any],
) -> int:
    radar_id, briefing_id = ids
    path = template.replace("{radar_id}", radar_id).replace("{briefing_id}", briefing_id)
    kwargs = dict(body)
    if "data" in kwargs:
        kwargs["data"] = {**kwargs["data"], "csrf": csrf}
    elif method != "GET":
        kwargs["headers"] = {"X-CSRF-Token": csrf}
    response = client.request(method, path, follow_redirects=False, **kwargs)
    return response.status_code


def test_the_walk_covers_every_endpoint_that_names_a_radar() -> None:
    assert _private_routes() == set(REQUESTS)


def test_another_user_gets_404_everywhere_and_changes_nothing(
    gateway: Gateway, adas_radar: tuple[str, str]
) -> None:
    radar_id, _ = adas_radar
    bob, bob_key = gateway.new_user("Bob")
    before = (
        gateway.store.radars.get_radar(radar_id),
        dict(gateway.accounts.feedback),
        dict(gateway.accounts.feed_tokens),
        len(gateway.publisher.sent),
    )
    # Bob's API key for /api, Bob's signed-in browser (with his own CSRF token) for pages.
    api = gateway.client_for(bob_key)
    browser = sign_in(gateway, bob_key)
    csrf = page_csrf(browser)
    for (method, template), body in REQUESTS.items():
        client = api if template.startswith("/api") else browser
        status = _call(client, method, template, adas_radar, csrf, body)
        assert status == 404, f"{method} {template} answered {status} to another user"
    after = (
        gateway.store.radars.get_radar(radar_id),
        dict(gateway.accounts.feedback),
        dict(gateway.accounts.feed_tokens),
        len(gateway.publisher.sent),
    )
    assert after == before
    # Listings show Bob nothing of Ada's, even when he names her.
    assert api.get("/api/radars").json()["items"] == []
    assert api.get("/api/radars", params={"owner": gateway.ada.id}).json()["items"] == []
    assert "Ada&#39;s" not in browser.get("/radars").text
    assert bob.id != gateway.ada.id


def test_a_missing_radar_and_someone_elses_look_the_same(
    gateway: Gateway, adas_radar: tuple[str, str]
) -> None:
    radar_id, _ = adas_radar
    _, bob_key = gateway.new_user("Bob")
    api = gateway.client_for(bob_key)
    theirs = api.get(f"/api/radars/{radar_id}").json()
    missing = api.get("/api/radars/r_0000000000000000").json()
    assert theirs["error"] == missing["error"] == "not_found"
    assert theirs["message"].replace(radar_id, "ID") == missing["message"].replace(
        "r_0000000000000000", "ID"
    )


def test_an_admin_sees_every_radar(gateway: Gateway, adas_radar: tuple[str, str]) -> None:
    admin = gateway.client_for(gateway.admin_key)
    browser = sign_in(gateway, gateway.admin_key)
    for (method, template), _ in REQUESTS.items():
        if method != "GET" or template.endswith("feed.atom"):
            continue
        client = admin if template.startswith("/api") else browser
        status = _call(client, method, template, adas_radar, "", {})
        assert status == 200, f"admin: {method} {template} answered {status}"
    assert [r["id"] for r in admin.get("/api/radars").json()["items"]] == [adas_radar[0]]


def test_the_feed_opens_only_with_the_radars_token(
    gateway: Gateway, adas_radar: tuple[str, str]
) -> None:
    radar_id, _ = adas_radar
    issued = gateway.client.post(f"/api/radars/{radar_id}/feed-token").json()
    anonymous = gateway.client_for(None)
    assert (
        anonymous.get(
            f"/api/radars/{radar_id}/feed.atom", params={"token": issued["token"]}
        ).status_code
        == 200
    )
    for token in ("", "guess", issued["token"][:-1] + "x"):
        response = anonymous.get(f"/api/radars/{radar_id}/feed.atom", params={"token": token})
        assert response.status_code == 404, token
    assert anonymous.get(f"/api/radars/{radar_id}/feed.atom").status_code == 401


# Papers are public metadata, as on the home page: reading them needs no key.
PUBLIC_API = ("/api/papers", "/api/papers/{paper_id}", "/api/papers/{paper_id}/similar")


def test_every_api_route_but_paper_reading_needs_a_key(gateway: Gateway) -> None:
    anonymous = gateway.client_for(None)
    walked = 0
    for route in _routes():
        if not route.path_format.startswith("/api") or route.path_format in PUBLIC_API:
            continue
        walked += 1
        path = route.path_format.replace("{radar_id}", "r_x").replace("{briefing_id}", "b_x")
        path = path.replace("{paper_id}", "arxiv:2606.00001")
        for method in (route.methods or set()) - {"HEAD"}:
            status = anonymous.request(method, path, json={}).status_code
            assert status == 401, f"{method} {route.path_format} answered {status} without a key"
    assert walked >= 15


def test_a_revoked_or_forged_key_is_refused(gateway: Gateway) -> None:
    forged = gateway.ada_key[:-1] + ("A" if gateway.ada_key[-1] != "A" else "B")
    response = gateway.client_for(forged).get("/api/radars")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert gateway.client_for("not-a-key").get("/api/radars").status_code == 401
    basic = gateway.client_for(None).get("/api/radars", headers={"Authorization": "Basic eA=="})
    assert basic.status_code == 401
    gateway.accounts.revoke_api_key(gateway.ada_key[:12], NOW + dt.timedelta(seconds=1))
    assert gateway.client.get("/api/radars").status_code == 401


def test_papers_are_public_but_a_bad_key_is_still_refused(gateway: Gateway) -> None:
    anonymous = gateway.client_for(None)
    assert anonymous.get("/api/papers").status_code == 200
    forged = gateway.ada_key[:-1] + ("A" if gateway.ada_key[-1] != "A" else "B")
    response = anonymous.get("/api/papers", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
