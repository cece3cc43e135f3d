"""Settings every process shares: where the broker is, where the store lives.

Each service has its own settings class (``<Service>Settings``) that nests these.
Environment variables are prefixed ``ACADEMICHUB_``; a bad value stops start-up
with a message naming the variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.platform.errors import ConfigError


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACADEMICHUB_", extra="ignore", frozen=True)

    bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        description="Kafka bootstrap servers, comma-separated host:port",
    )
    data_dir: Path = Field(
        default=Path("var/data"),
        description="Embedded store folder: SQLite records and the tantivy index",
    )
    offline: bool = Field(default=False, description="Replay bundled feeds instead of polling")
    log_level: str = "INFO"


S = TypeVar("S", bound=BaseSettings)


def load_settings(cls: type[S]) -> S:
    """Read ``cls`` from the environment, turning validation errors into a ConfigError
    that names each offending variable."""
    try:
        return cls()
    except ValidationError as exc:
        prefix = str(cls.model_config.get("env_prefix", "")).upper()
        problems = "; ".join(
            f"{prefix}{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings for {cls.__name__}: {problems}") from exc
