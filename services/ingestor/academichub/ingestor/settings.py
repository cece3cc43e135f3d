"""Typed settings of the ingestor process (environment prefix ``INGESTOR_``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.platform.settings import CommonSettings

ARXIV_DEFAULT_CATEGORIES = ("cs.AI", "cs.CL", "cs.CV", "cs.LG", "quant-ph")


class FeedConfig(BaseModel):
    """One polled feed: a name (the source label in metrics), its format and URL."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    format: str
    url: str
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "file://")):
            raise ValueError(f"feed url {value!r} must be http(s):// or file://")
        return value


def default_feeds() -> list[FeedConfig]:
    # One +-joined request for all categories: arXiv asks for that instead of N requests.
    cats = "+".join(ARXIV_DEFAULT_CATEGORIES)
    return [FeedConfig(name="arxiv", format="arxiv-rss", url=f"https://rss.arxiv.org/rss/{cats}")]


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
        }
    )
    default_min_interval_seconds: float = Field(default=1.0, ge=0)
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    read_timeout_seconds: float = Field(default=60.0, gt=0)
    max_response_bytes: int = Field(default=50_000_000, gt=0)
    metrics_port: int = Field(default=9101, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
