"""``/api/sources``: freshness from the ingestor's cursors and the stored papers."""

from __future__ import annotations

import datetime as dt

from academichub.arxiv_calendar import ArxivCalendar
from academichub.gateway.domain.freshness import source_states
from tests.unit.gateway.harness import Gateway, MakePaper

# NOW in the harness: Friday 2026-06-12 09:30 UTC; the latest listing out is Friday's.


def test_sources_report_cursors_papers_and_the_next_announcement(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    gateway.add(
        make_paper(1, "A", published=dt.date(2026, 6, 11)),
        make_paper(2, "B", source="medrxiv", paper_id="doi:10.1101/x", categories=("Medicine",)),
    )
    gateway.store.ingest.set_cursor(
        "arxiv",
        {
            "url": "https://rss.arxiv.org/rss/quant-ph",
            "etag": '"abc"',
            "announce_date": "2026-06-10",
            # What the ingestor's poller records (academichub.source_status).
            "last_success_at": "2026-06-12T05:10:00+00:00",
            "last_items": "81",
            "next_poll_at": "2026-06-13T04:10:00+00:00",
            "last_error_at": "2026-06-12T04:10:00+00:00",
            "last_error": "HTTP 503",
            "stale": "1",
        },
    )
    body = gateway.client.get("/api/sources").json()
    by_name = {s["name"]: s for s in body["sources"]}
    arxiv = by_name["arxiv"]
    assert arxiv["configured"] is True
    assert arxiv["etag"] is True
    assert arxiv["papers"] == 1
    assert arxiv["newest_published"] == "2026-06-11"
    assert arxiv["status"] == "behind"
    assert arxiv["missed_announcements"] == 2  # the 11th and the 12th
    assert arxiv["last_success_at"] == "2026-06-12T05:10:00Z"
    assert arxiv["items_last_poll"] == 81
    assert arxiv["next_poll_at"] == "2026-06-13T04:10:00Z"
    assert (arxiv["last_error"], arxiv["stale"]) == ("HTTP 503", True)
    medrxiv = by_name["medrxiv"]
    assert medrxiv["configured"] is True  # polled by default, like biorxiv and the journals
    assert medrxiv["status"] == "fresh"
    assert body["arxiv"]["next_listing"] == "2026-06-15"
    assert body["arxiv"]["latest_listing"] == "2026-06-12"


def test_a_feed_that_read_the_latest_listing_is_fresh() -> None:
    now = dt.datetime(2026, 6, 16, 1, 0, tzinfo=dt.UTC)  # Monday 21:00 EDT
    [state] = source_states(
        ["arxiv"], {"arxiv": {"announce_date": "2026-06-16"}}, {}, ArxivCalendar(), now
    )
    assert (state.status, state.missed_announcements) == ("fresh", 0)
    # Within the poll grace after a release, the previous listing still counts as fresh…
    [early] = source_states(
        ["arxiv"], {"arxiv": {"announce_date": "2026-06-15"}}, {}, ArxivCalendar(), now
    )
    assert early.status == "fresh"
    # …but not once the grace is over.
    later = now + dt.timedelta(hours=2)
    [late] = source_states(
        ["arxiv"], {"arxiv": {"announce_date": "2026-06-15"}}, {}, ArxivCalendar(), later
    )
    assert (late.status, late.missed_announcements) == ("behind", 1)


def test_a_source_never_polled_is_unknown() -> None:
    now = dt.datetime(2026, 6, 16, 12, tzinfo=dt.UTC)
    [state] = source_states(["arxiv"], {}, {}, ArxivCalendar(), now)
    assert (state.status, state.announce_date, state.papers) == ("unknown", None, 0)


def test_the_public_sources_page_shows_status_but_no_error_text_or_url(
    gateway: Gateway, make_paper: MakePaper
) -> None:
    gateway.add(make_paper(1, "A", published=dt.date(2026, 6, 11)))
    secret_url = "https://feeds.example.org/private?token=s3cr3t"
    gateway.store.ingest.set_cursor(
        "arxiv",
        {
            "url": secret_url,
            "announce_date": "2026-06-10",
            "last_success_at": "2026-06-12T03:10:00+00:00",
            "last_error_at": "2026-06-12T04:10:00+00:00",
            "last_error": f"HTTP 503 from {secret_url}",
        },
    )
    page = gateway.client_for(None).get("/sources")
    assert page.status_code == 200
    assert "s3cr3t" not in page.text
    assert "feeds.example.org" not in page.text
    assert "HTTP 503" not in page.text
    assert "最近一次抓取失败（2026-06-12 04:10 UTC）" in page.text
    # The key holder still sees what went wrong.
    arxiv = next(
        s for s in gateway.client.get("/api/sources").json()["sources"] if s["name"] == "arxiv"
    )
    assert arxiv["last_error"] == f"HTTP 503 from {secret_url}"


def test_the_sources_page_says_when_it_runs_on_the_bundled_recordings(gateway: Gateway) -> None:
    gateway.store.ingest.set_cursor(
        "arxiv",
        {
            "url": "file:///opt/academichub/recorded/quant-ph.xml",
            "last_success_at": "2026-06-12T03:10:00+00:00",
        },
    )
    html = gateway.client_for(None).get("/sources").text
    assert 'id="offline-notice"' in html
    assert "离线录制数据" in html
    # Sources never polled (the journals, offline) are explained, not left blank.
    assert "离线模式下不抓取" in html
    assert 'id="never-polled-help"' in html


def test_a_source_never_polled_is_explained_online(gateway: Gateway) -> None:
    html = gateway.client_for(None).get("/sources").text
    assert 'id="offline-notice"' not in html
    assert "尚未抓取" in html
    assert "按自己的间隔抓取" in html
