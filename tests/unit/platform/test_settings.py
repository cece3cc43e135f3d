"""Start-up errors name the environment variable a person must fix."""

from __future__ import annotations

import pytest

from academichub.briefer.settings import BrieferSettings
from academichub.ingestor.settings import IngestorSettings
from academichub.matcher.settings import MatcherSettings
from academichub.platform.errors import ConfigError
from academichub.platform.settings import load_settings


def test_a_service_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_WEB_PORT", "not-a-port")
    with pytest.raises(ConfigError, match="MATCHER_WEB_PORT"):
        load_settings(MatcherSettings)


def test_a_shared_variable_is_named_with_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACADEMICHUB_OFFLINE", "perhaps")
    with pytest.raises(ConfigError, match="ACADEMICHUB_OFFLINE") as caught:
        load_settings(IngestorSettings)
    assert "INGESTOR_OFFLINE" not in str(caught.value)


def test_a_shared_variable_without_prefix_is_named_as_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RADAR_BACKFILL_DAYS", "0")
    with pytest.raises(
        ConfigError, match=r"RADAR_BACKFILL_DAYS: Input should be greater"
    ) as caught:
        load_settings(MatcherSettings)
    assert "ACADEMICHUB_RADAR_BACKFILL_DAYS" not in str(caught.value)
    monkeypatch.setenv("RADAR_BACKFILL_DAYS", "7")
    assert load_settings(MatcherSettings).common.radar_backfill_days == 7


def test_feeds_are_read_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "INGESTOR_FEEDS", '[{"name": "x", "format": "arxiv-rss", "url": "ftp://example/x"}]'
    )
    with pytest.raises(ConfigError, match=r"INGESTOR_FEEDS.*http\(s\):// or file://"):
        load_settings(IngestorSettings)


def test_defaults_load(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "ACADEMICHUB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(BrieferSettings)
    assert settings.llm_base_url is None  # no model configured: extractive briefings


def test_elasticsearch_needs_its_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACADEMICHUB_STORE", "elasticsearch")
    monkeypatch.delenv("ACADEMICHUB_ELASTICSEARCH_URL", raising=False)
    with pytest.raises(ConfigError, match="needs ACADEMICHUB_ELASTICSEARCH_URL"):
        load_settings(MatcherSettings)
