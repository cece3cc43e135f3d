"""The two ways a briefing leaves the briefer, as ports: :class:`WebhookSender` (an HTTP
POST) and :class:`Mailer` (SMTP), each with a fake that records what it was given.

An attempt ends in an :class:`Outcome`:

* ``sent`` -- the receiver took it;
* ``retry`` -- it did not, and might later (a timeout, a refused connection, HTTP 429 or
  5xx, an SMTP 4xx): tried again after a backoff, or after the receiver's
  ``Retry-After``;
* ``refused`` -- it never will as things stand (HTTP 4xx other than 429, a redirect, an
  address webhooks may not reach, an SMTP 5xx): recorded as failed, with why.

The adapters (:mod:`.http_webhooks`, :mod:`.smtp_mailer`) turn every failure of the
network or the receiver into an outcome; anything else they raise is a bug.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Literal, Protocol

OutcomeKind = Literal["sent", "retry", "refused"]


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    detail: str
    retry_after: float | None = None  # seconds the receiver asked us to wait


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Reply:
    """What a webhook receiver answered: ``status`` 0 when nothing was answered (then
    ``error`` says why, and ``retryable`` whether it may be worth another try)."""

    status: int
    body: bytes = b""
    retry_after: float | None = None
    error: str = ""
    retryable: bool = True


class WebhookSender(Protocol):
    async def post(self, request: WebhookRequest) -> Reply: ...


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> Outcome: ...


# --- fakes ----------------------------------------------------------------------------


@dataclass
class RecordingWebhooks:
    """Answers each post with the next of ``replies`` (then 200), keeping every request."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[WebhookRequest] = field(default_factory=list)

    async def post(self, request: WebhookRequest) -> Reply:
        self.requests.append(request)
        return self.replies.pop(0) if self.replies else Reply(200, b"ok")


@dataclass
class RecordingMailer:
    """Answers each message with the next of ``outcomes`` (then sent), keeping every one."""

    outcomes: list[Outcome] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)

    async def send(self, message: EmailMessage) -> Outcome:
        self.messages.append(message)
        return self.outcomes.pop(0) if self.outcomes else Outcome("sent", "250 OK")
