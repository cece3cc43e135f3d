"""A radar is worth having the minute it is saved: on a store holding the bundled feed
(``ACADEMICHUB_OFFLINE=1``, the whole system as processes on a real Tansu broker), a
radar created in Chromium shows, within 60 seconds and without restarting anything, the
matches ``academichub match`` gives for its query over the same stored papers (those of
the recent days the backfill searched), and a first briefing citing only those papers.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from academichub.platform.settings import CommonSettings
from academichub.store.factory import open_store
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.support.brokers import BrokerUnderTest
from tests.support.system import System, running_system

pytest.importorskip("playwright", reason="playwright is not installed (uv pip install playwright)")

from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

QUERY = 'entanglement OR "machine learning" -harvesting'
STORED = 1081  # the bundled recordings: 81 quant-ph papers of 2025-04-28, 1000 of 2008-2014
WITHIN_SECONDS = 60


def api(system: System, path: str, **params: Any) -> Any:
    port = system.env["GATEWAY_PORT"]
    response = httpx.get(
        f"http://127.0.0.1:{port}{path}", params=params, headers=system.headers, timeout=10
    )
    response.raise_for_status()
    return response.json()


def cli_matches(system: System, tmp_path: Path, first: dt.date, last: dt.date) -> set[str]:
    """``academichub match`` for the query over the stored papers announced in the days
    the backfill searched, read from the store the services share."""
    store = open_store(CommonSettings(data_dir=system.data_dir), index_writer=False)
    try:
        papers = [
            p for p in store.papers.latest_papers(STORED + 10) if first <= p.published <= last
        ]
    finally:
        store.close()
    assert len(papers) == 81
    papers_file = tmp_path / "stored.jsonl"
    papers_file.write_text("".join(p.model_dump_json() + "\n" for p in papers))
    radars_file = tmp_path / "radar.jsonl"
    radars_file.write_text(json.dumps({"id": "cli", "query": QUERY}) + "\n")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "academichub.cli.main", "match"),
            *("--radars", str(radars_file), "--papers", str(papers_file)),
        ],
        env=system.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {json.loads(line)["paper_id"] for line in done.stdout.splitlines() if line.strip()}


def shown_matches(page: Page, base: str, radar_id: str) -> set[str]:
    """Every match on the radar page, page after page."""
    shown: set[str] = set()
    number = 1
    while True:
        page.goto(f"{base}/radars/{radar_id}?page={number}")
        found = page.locator(".match").evaluate_all("(els) => els.map((e) => e.dataset.paper)")
        shown.update(found)
        if page.locator("#matches-pager a[rel=next]").count() == 0:
            return shown
        number += 1


def test_a_saved_radar_shows_its_recent_matches_and_a_first_briefing_within_a_minute(
    broker: BrokerUnderTest, browser: Browser, tmp_path: Path
) -> None:
    # The broker fixture comes first: it starts before Playwright runs its event loop.
    with running_system(
        tmp_path,
        broker,
        ACADEMICHUB_OFFLINE="1",
        INGESTOR_POLL_INTERVAL_SECONDS="3600",
        BRIEFER_CHECK_INTERVAL_SECONDS="0.5",
    ) as system:
        for name in ("matcher", "briefer", "gateway", "ingestor"):
            system.start(name)
        port = system.env["GATEWAY_PORT"]
        base = f"http://127.0.0.1:{port}"
        system.wait_for(
            "gateway", lambda: httpx.get(base + "/readyz", timeout=2).status_code == 200
        )
        system.wait_for(
            "the bundled feed stored and searchable",
            lambda: api(system, "/api/papers", limit=1)["total"] == STORED,
            timeout=180,
        )
        key = system.headers["Authorization"].removeprefix("Bearer ")

        page = browser.new_page()
        page.goto(base + "/signin")
        page.fill("#key", key)
        page.click("#signin-submit")
        page.goto(base + "/radars")
        page.fill("#radar-name", "Entanglement")
        page.locator("#radar-query").fill(QUERY)
        page.locator("#radar-query").dispatch_event("input")
        expect(page.locator("#preview-summary")).to_contain_text("共")
        saved = time.monotonic()
        page.click("#radar-save")
        expect(page).to_have_url(re.compile(r"/radars/r_[0-9a-f]{16}$"))
        radar_id = page.url.rsplit("/", 1)[1]

        # The page reloads itself while the backfill runs and the first briefing is due.
        expect(page.locator("#latest-briefing a[href^='/briefings/']").first).to_be_visible(
            timeout=WITHIN_SECONDS * 1000
        )
        expect(page.locator("#radar-backfill")).to_contain_text("2025-04-28")
        took = time.monotonic() - saved
        assert took < WITHIN_SECONDS
        page.wait_for_timeout(300)
        screenshot(page, "30-radar-backfilled")
        page.screenshot(path=str(ARTIFACTS / "31-radar-backfilled-briefing.png"))
        page.locator("#radar-backfill").scroll_into_view_if_needed()
        page.evaluate("document.querySelector('#matches').scrollIntoView()")
        page.screenshot(path=str(ARTIFACTS / "32-radar-backfilled-matches.png"))

        expect(page.locator(".match .origin-backfill").first).to_have_text("保存时找到")
        shown = shown_matches(page, base, radar_id)
        expected = cli_matches(system, tmp_path, dt.date(2025, 3, 30), dt.date(2025, 4, 28))
        assert 5 <= len(expected) < 81
        assert shown == expected

        briefings = api(system, f"/api/radars/{radar_id}/briefings")["items"]
        assert len(briefings) == 1
        first = briefings[0]
        assert first["window"] == 1
        cited = set(first["paper_ids"])
        for theme in first["themes"]:
            cited.update(theme["paper_ids"])
        for link in first["connections"]:
            cited.update(link["paper_ids"])
        cited.update(n["paper_id"] for n in first["notable"])
        assert cited
        assert cited <= expected
        page.goto(f"{base}/briefings/{first['id']}")
        hrefs = page.locator("a.cite").evaluate_all("(els) => els.map((e) => e.href)")
        assert {h.rsplit("/papers/", 1)[1] for h in hrefs} <= expected
        screenshot(page, "33-first-briefing")
        system.assert_running()
