import datetime as dt
import re

import pytest

from academichub.briefer.settings import BrieferSettings
from academichub.platform.errors import ConfigError
from academichub.platform.settings import load_settings

VARIABLES = (
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_MODEL",
    "BRIEFER_WINDOW_MAX_PAPERS",
    "BRIEFER_WINDOW_MAX_SECONDS",
    "BRIEFER_LLM_TIMEOUT_SECONDS",
    "BRIEFER_BREAKER_FAILURES",
    "BRIEFER_DAILY_TOKENS_PER_USER",
    "ACADEMICHUB_DATA_DIR",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_brief_extractively_on_each_radars_schedule() -> None:
    s = load_settings(BrieferSettings)
    assert (s.window_max_papers, s.window_max_seconds) == (200, 8 * 24 * 3600)
    assert (s.check_interval_seconds, s.metrics_port, s.llm_model) == (1.0, 9102, "gpt-4o-mini")
    assert s.llm_base_url is None
    # Longer than a week, so a weekly schedule closes its own windows.
    assert s.window_policy.max_age > dt.timedelta(days=7)
    assert (s.synthesis_limits.staged_above, s.synthesis_limits.briefing_tokens) == (25, 48_000)
    assert (s.daily_limits.per_radar, s.daily_limits.per_user) == (200_000, 500_000)
    assert (s.breaker_failures, s.breaker_cooldown_seconds) == (5, 60)


def test_the_model_endpoint_comes_from_the_openai_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_MODEL", "qwen2.5-7b-instruct")
    monkeypatch.setenv("BRIEFER_WINDOW_MAX_PAPERS", "5")
    monkeypatch.setenv("ACADEMICHUB_DATA_DIR", "/tmp/ah")
    s = load_settings(BrieferSettings)
    assert s.llm_base_url is not None
    assert s.llm_base_url == "http://127.0.0.1:8000/v1"
    assert s.llm_api_key is not None
    assert s.llm_api_key.get_secret_value() == "sk-test"
    assert "sk-test" not in repr(s)
    assert s.llm_model == "qwen2.5-7b-instruct"
    assert s.window_max_papers == 5
    assert str(s.common.data_dir) == "/tmp/ah"


def test_an_empty_base_url_means_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "")
    assert load_settings(BrieferSettings).llm_base_url is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OPENAI_BASE_URL": "localhost:8000"}, "OPENAI_BASE_URL must be an http"),
        ({"OPENAI_BASE_URL": "https://api.openai.com/v1"}, "OPENAI_API_KEY must be set"),
        ({"BRIEFER_WINDOW_MAX_PAPERS": "0"}, "BRIEFER_WINDOW_MAX_PAPERS"),
        ({"BRIEFER_LLM_TIMEOUT_SECONDS": "-1"}, "BRIEFER_LLM_TIMEOUT_SECONDS"),
        ({"BRIEFER_BREAKER_FAILURES": "0"}, "BRIEFER_BREAKER_FAILURES"),
        ({"BRIEFER_DAILY_TOKENS_PER_USER": "-5"}, "BRIEFER_DAILY_TOKENS_PER_USER"),
    ],
)
def test_unusable_settings_stop_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_settings(BrieferSettings)


def test_briefer_help_states_the_real_window_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    from academichub.cli.main import main

    with pytest.raises(SystemExit) as exited:
        main(["briefer", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    defaults = BrieferSettings()
    # The column is as wide as the longest variable name.
    assert re.search(rf"BRIEFER_WINDOW_MAX_PAPERS +{defaults.window_max_papers} ", out)
    assert re.search(r"BRIEFER_WINDOW_MAX_SECONDS +691200 \(8 days\)", out)
    assert defaults.window_max_seconds == 691200
