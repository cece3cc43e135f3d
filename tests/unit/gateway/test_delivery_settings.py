"""Delivery settings through the gateway: the digest and a radar's webhook by API and by
form, with errors naming the field; the status of deliveries; one-click unsubscribe
without a sign-in; briefings in the radar's Atom feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from academichub.contracts import Briefing, Theme
from academichub.delivery.unsubscribe import unsubscribe_token
from academichub.store.delivery import Delivery
from tests.unit.gateway.harness import NOW, Gateway, page_csrf, sign_in

A = "{http://www.w3.org/2005/Atom}"


def test_digest_settings_round_trip_and_name_bad_fields(gateway: Gateway) -> None:
    assert gateway.client.get("/api/account/digest").json()["cadence"] == "off"
    bad = gateway.client.put(
        "/api/account/digest", json={"cadence": "hourly", "hour": 25, "timezone": "Mars/Base"}
    )
    assert bad.status_code == 422
    wrong = {d["location"] for d in bad.json()["details"]}
    assert wrong == {"body field 'cadence'", "body field 'hour'", "body field 'timezone'"}
    saved = gateway.client.put(
        "/api/account/digest",
        json={
            "cadence": "weekly",
            "hour": 8,
            "weekday": 4,
            "timezone": "Asia/Shanghai",
            "language": "en",
        },
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert (body["cadence"], body["email"]) == ("weekly", gateway.ada.email)
    assert body["next_digest_at"] is not None
    stored = gateway.store.delivery.get_digest_preference(gateway.ada.id)
    assert stored is not None
    assert (stored.cadence, stored.since, stored.name) == ("weekly", NOW, gateway.ada.name)


def test_webhook_urls_are_checked_and_never_shown_again(gateway: Gateway) -> None:
    radar_id = gateway.client.post("/api/radars", json={"name": "Q", "query": "qubit"}).json()["id"]
    path = f"/api/radars/{radar_id}/webhook"
    for url in ("http://hooks.example.org/x", "https://10.0.0.7/hook", "https://u:p@example.org/"):
        refused = gateway.client.put(path, json={"url": url, "format": "slack"})
        assert refused.status_code == 422, url
        assert refused.json()["details"][0]["location"] == "body field 'url'"
    assert (
        gateway.client.put(path, json={"url": "https://x.org", "format": "teams"}).status_code
        == 422
    )
    secret_url = "https://open.feishu.cn/open-apis/bot/v2/hook/SECRET-TOKEN"
    ok = gateway.client.put(path, json={"url": secret_url, "format": "feishu", "secret": "s"})
    assert ok.status_code == 200
    shown = gateway.client.get(path).json()
    assert shown == {**shown, "configured": True, "host": "open.feishu.cn", "signed": True}
    assert "SECRET-TOKEN" not in gateway.client.get(path).text
    assert gateway.client.delete(path).status_code == 204
    assert gateway.client.get(path).json()["configured"] is False


def test_the_radar_page_shows_the_latest_delivery_per_channel(gateway: Gateway) -> None:
    radar_id = gateway.client.post("/api/radars", json={"name": "Q", "query": "qubit"}).json()["id"]
    failed = Delivery(
        id=f"webhook:{radar_id}.w1:r1",
        channel="webhook",
        state="failed",
        detail="HTTP 404: no_service",
        radar_ids=(radar_id,),
        briefing_ids=(f"{radar_id}.w1",),
        revision=1,
        created_at=NOW,
        updated_at=NOW,
    )
    gateway.store.delivery.claim(failed)
    api = gateway.client.get(f"/api/radars/{radar_id}/deliveries").json()
    assert [(d["channel"], d["state"], d["detail"]) for d in api["items"]] == [
        ("webhook", "failed", "HTTP 404: no_service")
    ]
    browser = sign_in(gateway, gateway.ada_key)
    page = browser.get(f"/radars/{radar_id}").text
    assert 'data-channel="webhook" data-state="failed"' in page
    assert "HTTP 404: no_service" in page


def test_the_webhook_form_names_a_bad_url(gateway: Gateway) -> None:
    radar_id = gateway.client.post("/api/radars", json={"name": "Q", "query": "qubit"}).json()["id"]
    browser = sign_in(gateway, gateway.ada_key)
    csrf = page_csrf(browser, f"/radars/{radar_id}/webhook")
    refused = browser.post(
        f"/radars/{radar_id}/webhook",
        data={"csrf": csrf, "url": "https://192.168.1.10/hook", "format": "json"},
    )
    assert refused.status_code == 422
    assert 'data-field="url"' in refused.text
    assert "https://192.168.1.10/hook" in refused.text  # what was typed is kept


def test_one_click_unsubscribe_without_signing_in(gateway: Gateway) -> None:
    gateway.client.put("/api/account/digest", json={"cadence": "daily"})
    token = unsubscribe_token(gateway.store.delivery.signing_key(), gateway.ada.id)
    anonymous = gateway.client_for(None)
    page = anonymous.get("/unsubscribe", params={"token": token})
    assert page.status_code == 200
    assert gateway.store.delivery.get_digest_preference(gateway.ada.id).cadence == "daily"  # type: ignore[union-attr]
    done = anonymous.post(
        "/unsubscribe", params={"token": token}, data={"List-Unsubscribe": "One-Click"}
    )
    assert done.status_code == 200
    assert gateway.store.delivery.get_digest_preference(gateway.ada.id).cadence == "off"  # type: ignore[union-attr]
    assert anonymous.post("/unsubscribe", params={"token": token[:-3] + "AAA"}).status_code == 404


def test_the_atom_feed_carries_briefings_beside_matches(gateway: Gateway) -> None:
    radar_id = gateway.client.post("/api/radars", json={"name": "Q", "query": "qubit"}).json()["id"]
    briefing = Briefing(
        id=Briefing.make_id(radar_id, 1),
        radar_id=radar_id,
        window=1,
        language="en",
        provider="extractive",
        overview="Three papers <b>on</b> qubits",
        themes=(Theme(title="Qubits", synthesis="We show qubits.", paper_ids=()),),
        paper_ids=(),
        window_opened_at=NOW,
        window_closed_at=NOW,
        created_at=NOW,
    )
    gateway.store.briefings.close_window(briefing, [])
    feed = ET.fromstring(gateway.client.get(f"/api/radars/{radar_id}/feed.atom").content)
    [entry] = feed.findall(f"{A}entry")
    assert entry.findtext(f"{A}id") == f"urn:academichub:briefing:{briefing.id}"
    assert entry.findtext(f"{A}title") == "Briefing, window 1 · 0 papers"
    assert "Three papers <b>on</b> qubits" in (entry.findtext(f"{A}summary") or "")
    assert entry.find(f"{A}link").get("href").endswith(f"/briefings/{briefing.id}")  # type: ignore[union-attr]
