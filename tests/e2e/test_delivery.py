"""Delivery end to end, as processes: a local SMTP server (aiosmtpd) and a local webhook
receiver on 127.0.0.1. Every briefing is posted once to its radar's webhook; a user's
radars' briefings arrive in one digest for the period; after the briefer is restarted
(the real process, SIGTERM then start) nothing is sent again."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from academichub.broker.local import free_port
from academichub.store.embedded import EmbeddedStore
from tests.conftest import QUANT_PH_RSS
from tests.support.brokers import BrokerUnderTest
from tests.support.feed_server import Route, serve_feeds
from tests.support.system import System, running_system

pytestmark = pytest.mark.e2e


class Mailbox:
    """aiosmtpd's handler: every message it accepted, as bytes."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(bytes(envelope.content))
        return "250 Message accepted"


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@contextmanager
def webhook_receiver() -> Iterator[tuple[list[dict[str, Any]], int]]:
    calls: list[dict[str, Any]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                calls.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield calls, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def new_user(system: System, name: str, mail: str) -> dict[str, str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "academichub.cli.main",
            "users",
            "create",
            "--name",
            name,
            "--email",
            mail,
        ],
        env=system.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return {"Authorization": f"Bearer {done.stdout.strip().splitlines()[-1]}"}


def test_webhooks_and_digests_are_sent_once_across_a_briefer_restart(
    broker: BrokerUnderTest, tmp_path: Path
) -> None:
    with (
        serve_feeds({"/rss/quant-ph": Route(QUANT_PH_RSS.read_bytes())}) as feeds,
        smtp_server() as (mailbox, smtp_port),
        webhook_receiver() as (calls, hook_port),
        running_system(
            tmp_path,
            broker,
            INGESTOR_FEEDS=(
                '[{"name": "arxiv", "format": "arxiv-rss", "url": "'
                + feeds.url("/rss/quant-ph")
                + '"}]'
            ),
            INGESTOR_POLL_INTERVAL_SECONDS="3600",
            BRIEFER_WINDOW_MAX_PAPERS="500",
            BRIEFER_WINDOW_MAX_SECONDS="3",
            BRIEFER_CHECK_INTERVAL_SECONDS="0.5",
            BRIEFER_EMBED_WINDOWS="0",
            DELIVERY_SMTP_HOST="127.0.0.1",
            DELIVERY_SMTP_PORT=str(smtp_port),
            DELIVERY_SMTP_SECURITY="none",
            DELIVERY_MAIL_FROM="hub@example.org",
            DELIVERY_PUBLIC_URL="https://hub.example.org",
            DELIVERY_WEBHOOK_ALLOW_LOOPBACK="1",
            DELIVERY_INTERVAL_SECONDS="0.3",
        ) as system,
    ):
        for name in ("matcher", "briefer", "gateway"):
            system.start(name)
        base = f"http://127.0.0.1:{system.env['GATEWAY_PORT']}"
        system.wait_for(
            "gateway", lambda: httpx.get(base + "/readyz", timeout=2).status_code == 200
        )
        users = {
            "e2e@example.org": system.headers,
            "grace@example.org": new_user(system, "Grace", "grace@example.org"),
        }
        queries = {
            "e2e@example.org": [("Entanglement", "entanglement"), ("Qubits", "qubit")],
            "grace@example.org": [("Photonics", "photon")],
        }
        radar_ids: list[str] = []
        for mail, headers in users.items():
            for name, query in queries[mail]:
                made = httpx.post(
                    base + "/api/radars",
                    json={"name": name, "query": query, "language": "en"},
                    headers=headers,
                )
                assert made.status_code == 201, made.text
                radar_id = made.json()["id"]
                radar_ids.append(radar_id)
                hook = httpx.put(
                    f"{base}/api/radars/{radar_id}/webhook",
                    json={"url": f"http://127.0.0.1:{hook_port}/hook/{radar_id}", "format": "json"},
                    headers=headers,
                )
                assert hook.status_code == 200, hook.text
            digest = httpx.put(
                base + "/api/account/digest",
                json={"cadence": "daily", "hour": 0, "timezone": "UTC", "language": "en"},
                headers=headers,
            )
            assert digest.status_code == 200, digest.text
        matcher_web = f"http://127.0.0.1:{system.env['MATCHER_WEB_PORT']}"
        system.wait_for(
            "the matcher to hold the radars",
            lambda: (
                httpx.get(matcher_web + "/readyz", timeout=2).json()["radars"] == len(radar_ids)
            ),
        )
        system.start("ingestor")

        def briefings() -> dict[str, list[str]]:
            found: dict[str, list[str]] = {}
            for headers in users.values():
                for radar in httpx.get(base + "/api/radars", headers=headers, timeout=5).json()[
                    "items"
                ]:
                    listed = httpx.get(
                        f"{base}/api/radars/{radar['id']}/briefings", headers=headers, timeout=5
                    )
                    found[radar["id"]] = [b["id"] for b in listed.json()["items"]]
            return found

        system.wait_for("a briefing of every radar", lambda: all(briefings().values()))
        time.sleep(6)  # every window of the feed has closed (3 s windows, one poll)
        stored = briefings()
        every = sorted(b for ids in stored.values() for b in ids)

        def posted() -> list[str]:
            return sorted(c["headers"]["X-AcademicHub-Delivery"] for c in calls)

        system.wait_for(
            "one webhook call per briefing",
            lambda: posted() == sorted(f"webhook:{b}:r1" for b in every),
        )
        for call in calls:
            radar_id = call["path"].rsplit("/", 1)[1]
            assert call["body"].startswith(b"{")
            assert f'"radar_id":"{radar_id}"'.encode() in call["body"].replace(b" ", b"")

        # The users subscribed yesterday: today's close (00:00 UTC) is due, carrying
        # every briefing of their radars. (The gateway dates a subscription now.)
        with _store(system.data_dir) as store:
            for preference in store.delivery.digest_preferences():
                yesterday = preference.since - dt.timedelta(days=1)
                store.delivery.put_digest_preference(
                    preference.model_copy(update={"since": yesterday})
                )
        system.wait_for("one digest per user", lambda: len(mailbox.messages) >= 2)
        time.sleep(2)
        assert len(mailbox.messages) == 2
        by_user = {}
        for raw in mailbox.messages:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            by_user[str(message["To"])] = message
            assert message.get_content_type() == "multipart/alternative"
            assert message["List-Unsubscribe"].startswith(
                "<https://hub.example.org/unsubscribe?token="
            )
        assert set(by_user) == set(users)
        text = by_user["e2e@example.org"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "Entanglement" in text
        assert "Qubits" in text
        assert "Photonics" not in text

        # Restart the briefer (the real process): nothing is sent again.
        seen_calls, seen_mail = len(calls), len(mailbox.messages)
        assert system.stop("briefer") == 0
        system.start("briefer")
        metrics_url = f"http://127.0.0.1:{system.env['BRIEFER_METRICS_PORT']}/metrics"
        system.wait_for(
            "the briefer back", lambda: httpx.get(metrics_url, timeout=2).status_code == 200
        )
        time.sleep(4)  # many delivery passes
        assert (len(calls), len(mailbox.messages)) == (seen_calls, seen_mail)
        assert posted() == sorted(set(posted()))
        # The radar page's status says delivered.
        first = radar_ids[0]
        status = httpx.get(f"{base}/api/radars/{first}/deliveries", headers=system.headers).json()
        assert {d["channel"]: d["state"] for d in status["items"]} == {
            "webhook": "sent",
            "email": "sent",
        }


@contextmanager
def _store(data_dir: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(data_dir, index_writer=False)
    try:
        yield store
    finally:
        store.close()
