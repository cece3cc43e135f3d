"""Typed settings of delivery (environment prefix ``DELIVERY_``).

:class:`WebhookAddressSettings` is read by the gateway (which checks webhook URLs when
they are saved) and the briefer (which checks them again, and every address they resolve
to, when it posts); :class:`DeliverySettings`, nested in the briefer's settings, holds the
rest. Email is off while ``DELIVERY_SMTP_HOST`` is unset (the briefer says so at start);
webhooks need no configuration.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from academichub.store.delivery import plain_email

SmtpSecurity = Literal["starttls", "ssl", "none"]
_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class WebhookAddressSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DELIVERY_WEBHOOK_", extra="ignore", frozen=True)

    allow_loopback: bool = Field(
        default=False,
        description="Let webhooks post over http:// to 127.0.0.1 (tests and development "
        "only; in production every webhook is https:// to a public address)",
    )


class DeliverySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DELIVERY_", extra="ignore", frozen=True)

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The site's address as readers reach it: links in digests and webhook "
        "messages (briefings, radar pages, unsubscribe) start with it",
    )
    smtp_host: str | None = Field(default=None, description="SMTP server; unset: email is off")
    smtp_port: int | None = Field(
        default=None, ge=1, le=65535, description="Default 587 (starttls), 465 (ssl), 25 (none)"
    )
    smtp_security: SmtpSecurity = Field(
        default="starttls",
        description="starttls: upgrade a plain connection (refused if the server cannot); "
        "ssl: TLS from the first byte; none: plain text (a relay on the same host)",
    )
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str | None = Field(
        default=None, description="From address of digests (required with DELIVERY_SMTP_HOST)"
    )
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)

    interval_seconds: float = Field(
        default=5.0, gt=0, le=3600, description="Time between two passes of the delivery loop"
    )
    max_attempts: int = Field(
        default=6, ge=1, le=20, description="Attempts of one message before it is failed"
    )
    backoff_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="Wait after a first failed attempt (x4 each)"
    )
    max_backoff_seconds: float = Field(default=3600.0, gt=0, le=86_400)
    max_retry_after_seconds: float = Field(
        default=3600.0,
        ge=0,
        le=86_400,
        description="Longest Retry-After honoured; a receiver asking for more is retried then",
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_max_response_bytes: int = Field(default=65_536, ge=1024, le=10 * 1024 * 1024)
    interrupted_after_seconds: float = Field(
        default=600.0,
        gt=0,
        le=86_400,
        description="An attempt still unfinished this long after it began was cut off by a "
        "crash: recorded as failed (interrupted), never sent again",
    )
    digest_max_briefings: int = Field(
        default=50, ge=1, le=500, description="Most briefings one digest carries"
    )
    webhook: WebhookAddressSettings = Field(default_factory=WebhookAddressSettings)

    @field_validator("public_url")
    @classmethod
    def _site_address(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"{value!r} must be an http(s) address such as https://hub.example.org"
            )
        return value.rstrip("/")

    @model_validator(mode="after")
    def _email_needs_a_sender(self) -> DeliverySettings:
        if self.smtp_host and not self.mail_from:
            raise ValueError("DELIVERY_SMTP_HOST needs DELIVERY_MAIL_FROM (the From address)")
        if self.mail_from:
            plain_email(self.mail_from)  # the same rule as a recipient's address
        return self

    @property
    def email_enabled(self) -> bool:
        return self.smtp_host is not None

    @property
    def port(self) -> int:
        return self.smtp_port or _DEFAULT_PORTS[self.smtp_security]
