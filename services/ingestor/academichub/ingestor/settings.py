"""Typed settings of the ingestor process (environment prefix ``INGESTOR_``).

Each source is a :class:`FeedConfig` in ``INGESTOR_FEEDS`` (a JSON list): its own name (the
``source`` label of metrics and the key of its cursor), format, URL, schedule and options.
The default list is :func:`default_feeds`: arXiv's daily RSS, the medRxiv and bioRxiv APIs
and the tables of contents of major journals.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.platform.settings import CommonSettings
from academichub.source_defaults import (
    ARXIV_DEFAULT_CATEGORIES,
    DEFAULT_JOURNALS,
    PREPRINT_SERVERS,
)


class FeedConfig(BaseModel):
    """One polled source: a name (the source label in metrics), its format and URL.

    Paged formats take a base URL that the ingestor completes per poll: ``arxiv-oai`` an
    OAI-PMH ``ListRecords`` URL (``from`` is added from the cursor), ``biorxiv-json``
    ``https://api.biorxiv.org/details/<server>`` (the date window and page cursor are added),
    ``crossref-json`` a ``/works?filter=...`` URL (``from-index-date`` and ``cursor`` are
    added), ``arxiv-atom`` an API query (pages by ``start``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    format: str
    url: str
    enabled: bool = True
    # Own schedule; None takes INGESTOR_POLL_INTERVAL_SECONDS. arXiv RSS is also polled
    # shortly after each announcement, whatever the interval.
    every_seconds: float | None = Field(default=None, gt=0)
    # Journal tables of contents often lack abstracts and authors: fill them from Crossref.
    enrich: bool = False
    # arXiv RSS: when the announcement date does not advance, recover the day by the API.
    recover: bool = True
    # rss: the journal slug of ``source`` (``journal:<slug>``); default from the feed title.
    journal: str | None = Field(default=None, pattern=r"^[a-z0-9-]+$")
    # Paged sources: how far back the first poll reaches, and the page size asked for.
    lookback_days: int = Field(default=2, ge=0, le=366)
    page_size: int | None = Field(default=None, ge=1, le=2000)

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "file://")):
            raise ValueError(f"feed url {value!r} must be http(s):// or file://")
        return value


JOURNAL_POLL_SECONDS = 6 * 3600.0
PREPRINT_API_POLL_SECONDS = 3 * 3600.0


def default_feeds() -> list[FeedConfig]:
    # One +-joined request for all categories: arXiv asks for that instead of N requests.
    cats = "+".join(ARXIV_DEFAULT_CATEGORIES)
    feeds = [FeedConfig(name="arxiv", format="arxiv-rss", url=f"https://rss.arxiv.org/rss/{cats}")]
    feeds += [
        FeedConfig(
            name=server,
            format="biorxiv-json",
            url=f"https://api.biorxiv.org/details/{server}",
            every_seconds=PREPRINT_API_POLL_SECONDS,
        )
        for server in PREPRINT_SERVERS
    ]
    feeds += [
        FeedConfig(
            name=f"journal:{slug}",
            format="rss",
            url=url,
            journal=slug,
            enrich=True,
            every_seconds=JOURNAL_POLL_SECONDS,
        )
        for slug, url in DEFAULT_JOURNALS
    ]
    return feeds


class IngestorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INGESTOR_", extra="ignore", frozen=True)

    common: CommonSettings = Field(default_factory=CommonSettings)
    feeds: list[FeedConfig] = Field(default_factory=default_feeds)
    poll_interval_seconds: float = Field(default=3600.0, gt=0)
    user_agent: str = (
        "AcademicHub/0.1 (research radar; +https://github.com/academichub/academichub; "
        "mailto:academichub@example.org)"
    )
    # Per-host minimum gap between requests; arXiv's terms ask for one every 3 seconds.
    host_min_interval_seconds: dict[str, float] = Field(
        default_factory=lambda: {
            "rss.arxiv.org": 3.0,
            "export.arxiv.org": 3.0,
            "oaipmh.arxiv.org": 3.0,
            "arxiv.org": 3.0,
            # Crossref's polite pool allows 10 requests/s; stay well inside it.
            "api.crossref.org": 0.2,
        }
    )
    default_min_interval_seconds: float = Field(default=1.0, ge=0)
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    read_timeout_seconds: float = Field(default=60.0, gt=0)
    max_response_bytes: int = Field(default=50_000_000, gt=0)
    # Where gap recovery and backfills go (tests point these at a local server).
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_oai_url: str = "https://oaipmh.arxiv.org/oai"
    biorxiv_api_url: str = "https://api.biorxiv.org/details"
    crossref_api_url: str = "https://api.crossref.org"
    arxiv_extra_holidays: tuple[dt.date, ...] = ()
    # A failing source is retried sooner than its schedule, backing off up to its interval.
    retry_attempts: int = Field(default=4, ge=1, le=10)
    retry_base_seconds: float = Field(default=2.0, gt=0)
    # /metrics, /healthz and /readyz (0: none served).
    metrics_port: int = Field(default=9101, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    store_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    broker_probe_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    # The sent outbox (academichub.ingestor.reconcile): papers published are kept until
    # the store holds them; a paper not stored this long after it was sent is published
    # again (the broker lost it), then checked after twice as long each time, up to the cap.
    sent_check_after_seconds: float = Field(
        default=300.0,
        gt=0,
        le=7 * 86400,
        description="When the store is first checked for a paper published (not stored "
        "then: the broker lost it, and it is published again)",
    )
    sent_retry_max_seconds: float = Field(default=6 * 3600.0, gt=0, le=30 * 86400)
    sent_keep: int = Field(
        default=100_000,
        ge=1000,
        description="Most papers kept in the sent outbox (the oldest beyond it are forgotten, "
        "counted)",
    )
    reconcile_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="How often the sent outbox is checked"
    )
