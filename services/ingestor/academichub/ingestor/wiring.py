"""How the ingestor's processes (the service and ``academichub backfill``) talk to providers.

One place builds the HTTP client (User-Agent with the project's mailto: Crossref's polite
pool and arXiv's contact rule), the per-host pacer, the retrying fetcher and the document
checks, so the service and the backfill command are equally polite.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from urllib.parse import urlparse

import httpx

from academichub.broker.publisher import EventPublisher
from academichub.ingestor.content import EXPECTED_MEDIA, check_document
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.enrich import CrossrefEnricher
from academichub.ingestor.fetch import Fetcher, FetchResult, HttpFetcher
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.publishing import PaperPublisher
from academichub.ingestor.retry import RetryingFetcher, RetryPolicy
from academichub.ingestor.settings import FeedConfig, IngestorSettings
from academichub.store.door import AsyncStore
from academichub.store.port import IngestStateStore

log = logging.getLogger(__name__)

# A provider asking for a longer pause than this is skipped until the source's next poll
# rather than holding up every other source in the loop.
MAX_RETRY_AFTER_SECONDS = 600.0


def http_client(settings: IngestorSettings) -> httpx.AsyncClient:
    timeout = httpx.Timeout(settings.read_timeout_seconds, connect=settings.connect_timeout_seconds)
    return httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent}, timeout=timeout, follow_redirects=True
    )


def host_pacer(settings: IngestorSettings) -> HostPacer:
    return HostPacer(settings.host_min_interval_seconds, settings.default_min_interval_seconds)


def polite_fetcher(
    settings: IngestorSettings,
    client: httpx.AsyncClient,
    pacer: HostPacer,
    metrics: IngestorMetrics,
) -> Fetcher:
    def retried(url: str, attempt: int, delay: float, reason: str) -> None:
        metrics.retries.labels(host=urlparse(url).hostname or "").inc()

    return RetryingFetcher(
        HttpFetcher(client, max_bytes=settings.max_response_bytes),
        RetryPolicy(
            max_attempts=settings.retry_attempts,
            base_delay=settings.retry_base_seconds,
            max_retry_after=MAX_RETRY_AFTER_SECONDS,
        ),
        on_retry=retried,
        # Retries happen inside the host's slot: they keep its minimum gap themselves.
        min_interval=lambda url: pacer.interval_for(urlparse(url).hostname or ""),
    )


def paper_publisher(
    settings: IngestorSettings,
    state: AsyncStore[IngestStateStore],
    publisher: EventPublisher,
    metrics: IngestorMetrics,
    *,
    enricher: CrossrefEnricher | None = None,
) -> PaperPublisher:
    """Publishing that remembers preprints, so their journal versions link to them, and
    keeps what it sent until the store holds it (checked after
    ``INGESTOR_SENT_CHECK_AFTER_SECONDS``)."""
    check_after = dt.timedelta(seconds=settings.sent_check_after_seconds)
    return PaperPublisher(
        state=state,
        publisher=publisher,
        metrics=metrics,
        enricher=enricher,
        links=state,
        check_after=check_after,
    )


def document_check(feed: FeedConfig, url: str, result: FetchResult) -> None:
    """Refuse an HTML error page or a wrong charset before parsing (the poller's hook)."""
    check_document(url, result, EXPECTED_MEDIA[feed.format])


def check_for(format_name: str) -> Callable[[str, FetchResult], None]:
    """The same check for a harvest of one format (the backfill's hook)."""
    expect = EXPECTED_MEDIA[format_name]
    return lambda url, result: check_document(url, result, expect)
