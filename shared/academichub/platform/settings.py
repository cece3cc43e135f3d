"""Settings every process shares: where the broker is, where the store lives.

Each service has its own settings class (``<Service>Settings``) that nests these.
Environment variables are prefixed ``ACADEMICHUB_``; a bad value stops start-up
with a message naming the variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
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
    producer_idempotence: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="Kafka idempotent producer: auto = when the broker offers it (Apache "
        "Kafka does, Tansu does not); on = refuse to start without it; off = never",
    )
    offline: bool = Field(default=False, description="Replay bundled feeds instead of polling")
    log_level: str = "INFO"
    stop_grace_seconds: float = Field(
        default=8.0,
        gt=0,
        le=600,
        description="After SIGTERM, how long a service's loops may take to finish their "
        "work before they are cancelled (below the orchestrator's grace period: docker "
        "compose gives 10 s)",
    )
    store: Literal["embedded", "elasticsearch"] = Field(
        default="embedded",
        description="embedded: SQLite + tantivy in data_dir; elasticsearch: a cluster",
    )
    elasticsearch_url: str | None = Field(
        default=None, description="Elasticsearch URL(s), comma-separated, when store=elasticsearch"
    )
    elasticsearch_api_key: SecretStr | None = None
    elasticsearch_ca_certs: Path | None = Field(
        default=None,
        description="CA bundle that signed the cluster's HTTPS certificate (ECK: the "
        "<cluster>-es-http-certs-public Secret's ca.crt)",
    )
    elasticsearch_prefix: str = "academichub"
    radar_backfill_days: int = Field(
        default=30,
        ge=1,
        le=365,
        validation_alias="RADAR_BACKFILL_DAYS",
        description="A radar created, or whose query changed, is matched at once against "
        "the stored papers announced in this many days, counted back from the newest "
        "stored announcement (the radar preview counts the same days)",
    )

    @model_validator(mode="after")
    def _elasticsearch_needs_a_url(self) -> CommonSettings:
        if self.store == "elasticsearch" and not self.elasticsearch_url:
            raise ValueError("ACADEMICHUB_STORE=elasticsearch needs ACADEMICHUB_ELASTICSEARCH_URL")
        return self


S = TypeVar("S", bound=BaseSettings)


def load_settings(cls: type[S]) -> S:
    """Read ``cls`` from the environment, turning validation errors into a ConfigError
    that names each offending environment variable."""
    try:
        return cls()
    except ValidationError as exc:
        owner = _settings_classes(cls).get(exc.title, cls)
        problems = "; ".join(
            f"{env_variable(owner, err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings for {cls.__name__}: {problems}") from exc


def env_variable(owner: type[BaseSettings], loc: tuple[int | str, ...]) -> str:
    """The environment variable behind an error at ``loc`` of settings class ``owner``;
    an alias (``OPENAI_BASE_URL``) is used as is."""
    if not loc:
        return owner.__name__
    field = owner.model_fields.get(str(loc[0]))
    if field is not None and isinstance(field.validation_alias, str):
        return field.validation_alias
    if any(f.validation_alias == loc[0] for f in owner.model_fields.values()):
        return str(loc[0])  # the error names the alias itself (RADAR_BACKFILL_DAYS)
    prefix = str(owner.model_config.get("env_prefix", ""))
    return (prefix + "_".join(str(p) for p in loc)).upper()


def _settings_classes(cls: type[BaseSettings]) -> dict[str, type[BaseSettings]]:
    """``cls`` and the settings classes nested in it: a nested class (``common``)
    validates itself when its default is built, so its errors carry its own title."""
    found: dict[str, type[BaseSettings]] = {cls.__name__: cls}
    for field in cls.model_fields.values():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseSettings):
            found.update(_settings_classes(kind))
    return found
