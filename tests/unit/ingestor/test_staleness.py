"""Expected silence is not an error; a feed that falls behind is flagged and recovered."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

from prometheus_client import CollectorRegistry

from academichub.arxiv_calendar import EASTERN, ArxivCalendar
from academichub.broker.publisher import RecordingPublisher
from academichub.ingestor.domain import schedule
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.fetch import FakeFetcher, FetchResult
from academichub.ingestor.formats.registry import FORMATS
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.poller import Poller
from academichub.ingestor.settings import FeedConfig
from academichub.source_status import read_status
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from tests.support.paged import FIXTURES

RSS = (FIXTURES / "arxiv_rss" / "rss_2025-04-28_quant-ph_81items.xml").read_bytes()
# The recorded search page (10 entries) as the whole answer of a recovery query.
API = (
    (FIXTURES / "arxiv_api" / "api_2026_search_all-testing_max10.xml")
    .read_bytes()
    .replace(b"<opensearch:totalResults>214881<", b"<opensearch:totalResults>10<")
)
FEED = FeedConfig(name="arxiv", format="arxiv-rss", url="https://rss.arxiv.org/rss/quant-ph")
API_URL = "https://export.arxiv.org/api/query"
CAL = ArxivCalendar()


def _at(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def test_weekends_and_holidays_are_expected_silence() -> None:
    friday = dt.date(2026, 11, 20)
    # Sunday afternoon: Friday's listing is still the latest; not stale.
    assert not schedule.arxiv_staleness(friday, CAL, _at(2026, 11, 22, 18)).stale
    # Tuesday morning after Monday's rebuild: Monday's listing and Tuesday's are missed.
    late = schedule.arxiv_staleness(friday, CAL, _at(2026, 11, 24, 10))
    assert (late.stale, late.missed, late.expected) == (True, 2, dt.date(2026, 11, 24))
    # Thanksgiving (Thu 26 Nov) and the published holidays do not count as missed.
    wednesday = dt.date(2026, 11, 25)
    assert not schedule.arxiv_staleness(wednesday, CAL, _at(2026, 11, 26, 12)).stale


def test_arxiv_rss_is_polled_after_the_next_rebuild_and_failures_back_off() -> None:
    now = _at(2026, 11, 24, 12)  # Tuesday 07:00 Eastern
    due = schedule.next_poll(now=now, interval=dt.timedelta(days=1), arxiv_rss=True, calendar=CAL)
    # Tuesday 20:00 Eastern release, rebuilt at midnight: Wednesday 00:10 Eastern.
    assert due == dt.datetime(2026, 11, 25, 0, 10, tzinfo=EASTERN)
    hourly = schedule.next_poll(
        now=now, interval=dt.timedelta(hours=1), arxiv_rss=True, calendar=CAL
    )
    assert hourly == now + dt.timedelta(hours=1)
    retries = [
        schedule.next_poll(
            now=now,
            interval=dt.timedelta(hours=6),
            arxiv_rss=False,
            calendar=CAL,
            consecutive_failures=n,
        )
        - now
        for n in (1, 2, 3, 12)
    ]
    assert retries == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=2),
        dt.timedelta(minutes=4),
        dt.timedelta(hours=6),
    ]


def make(
    now: dt.datetime, fetcher: FakeFetcher
) -> tuple[Poller, InMemoryStore, RecordingPublisher]:
    store, publisher = InMemoryStore(), RecordingPublisher()
    poller = Poller(
        fetcher=fetcher,
        pacer=HostPacer({}, 0.0),
        state=AsyncStore.inline(store.ingest),
        publisher=publisher,
        formats=FORMATS,
        metrics=IngestorMetrics(CollectorRegistry()),
        clock=lambda: now,
        arxiv_api_url=API_URL,
    )
    return poller, store, publisher


class RecoveryFetcher(FakeFetcher):
    """Answers the RSS URL from the dict and any API query with the recorded API page."""

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        if url.startswith(API_URL):
            self.requests.append((url, etag))
            return FetchResult(200, API)
        return await super().fetch(url, etag=etag, last_modified=last_modified)


async def test_a_current_feed_is_not_stale_and_asks_nothing_of_the_api() -> None:
    fetcher = RecoveryFetcher({FEED.url: FetchResult(200, RSS)})
    poller, store, _ = make(_at(2025, 4, 28, 9), fetcher)
    report = await poller.poll(FEED)
    assert (report.outcome, report.stale, report.recovered) == ("ok", False, 0)
    assert [url for url, _ in fetcher.requests] == [FEED.url]
    status = read_status(store.ingest.get_cursor("arxiv"))
    assert (status.stale, status.last_items, status.last_error) == (False, 81, None)
    assert status.next_poll_at == report.next_poll_at


async def test_a_stale_feed_is_flagged_and_the_gap_recovered_once_through_the_api() -> None:
    # Wednesday 30 April 2025, 09:00 UTC: the feed still shows Monday's listing.
    fetcher = RecoveryFetcher({FEED.url: FetchResult(200, RSS, etag='"x"')})
    poller, store, publisher = make(_at(2025, 4, 30, 9), fetcher)
    report = await poller.poll(FEED)
    assert (report.outcome, report.stale) == ("ok", True)
    api_calls = [url for url, _ in fetcher.requests if url.startswith(API_URL)]
    assert len(api_calls) == 1
    query = parse_qs(urlsplit(api_calls[0]).query)["search_query"][0]
    assert query.startswith("cat:quant-ph AND submittedDate:[202504240000 TO ")
    assert report.recovered == 10
    assert len(publisher.sent) == 81 + 10
    assert read_status(store.ingest.get_cursor("arxiv")).stale
    # The next poll (304) does not recover the same gap again, and the feed is still stale.
    again = await poller.poll(FEED)
    assert (again.outcome, again.stale, again.recovered) == ("not_modified", True, 0)
    assert len([u for u, _ in fetcher.requests if u.startswith(API_URL)]) == 1


async def test_a_failed_poll_records_the_error_and_retries_soon() -> None:
    fetcher = RecoveryFetcher({FEED.url: FetchResult(503, b"")})
    now = _at(2025, 4, 28, 9)
    poller, store, _ = make(now, fetcher)
    report = await poller.poll(FEED)
    assert report.outcome == "http_error"
    status = read_status(store.ingest.get_cursor("arxiv"))
    assert status.last_error == "HTTP 503"
    assert status.consecutive_failures == 1
    assert status.next_poll_at == now + dt.timedelta(minutes=1)
