"""Delivery: where briefings go beyond the site, and what was sent.

The ``delivery`` part of every adapter (:class:`academichub.store.port.Store`). The
gateway writes the settings (a user's email digest, a radar's webhook); the briefer's
delivery loop reads them, takes stored briefings from an outbox, and keeps a ledger of
every message it sends. Three things make delivery exactly-once in the normal path:

* **An outbox of stored briefings.** A briefing revision stored by the closer (or an
  upgrade) is *undelivered* until :meth:`DeliveryStore.mark_briefing_delivered`, as it is
  unpublished until ``mark_briefing_published``: delivery hangs off what the store holds,
  never off an in-memory event, so a crash loses nothing.
* **A claim per message.** Each message has an id: ``webhook:<briefing>:r<revision>`` for
  a briefing's webhook call, ``digest:<user>:<period end>`` for a user's digest of one
  period. :meth:`DeliveryStore.claim` creates the ledger record once (the first claim
  wins, in one transaction or one ``op_type=create``), *before* the message is sent; only
  its winner sends. A second briefer, or the same briefer after a restart, finds the
  record and sends nothing.
* **One attempt per claim.** An attempt's outcome is recorded (``sent``, ``failed``, or
  ``retrying`` with the time of the next attempt). A retry is claimed again by
  :meth:`DeliveryStore.reclaim`, which succeeds for one caller only (a conditional write
  on the attempt count).

Record-before-send makes delivery *at most once* per attempt: a process killed in the
middle of an attempt leaves a ``sending`` record that is never sent again (it is reported
as interrupted, on the radar page and in the metrics, by
:meth:`DeliveryStore.stale_deliveries`); a graceful stop never leaves one, since the loop
finishes the attempt in hand. The receiver may still see one message twice when an attempt
reached it but its answer did not reach us (a timeout) and the retry succeeds: every
webhook call carries the delivery id (``X-AcademicHub-Delivery``) and every digest one
``Message-ID``, so a receiver that cares can drop the second.

A digest carries the briefings of the user's radars not carried by an earlier digest:
:meth:`DeliveryStore.claim_digest` marks them with the digest's id in the same step that
claims it, so two digests never carry one briefing, and a briefing stored after a digest
was claimed waits for the next one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Final, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from academichub.contracts import BriefingSchedule
from academichub.contracts.events import Language, known_time_zone

if TYPE_CHECKING:
    from academichub.contracts import Briefing

Cadence = Literal["off", "daily", "weekly"]
WebhookFormat = Literal["json", "slack", "feishu", "dingtalk"]
Channel = Literal["email", "webhook"]
# sending: claimed, an attempt under way (or interrupted, once stale); retrying: an attempt
# failed and another is due at ``next_attempt_at``; sent, failed: final; empty: a digest
# period with nothing to carry (recorded so that the period is decided once).
DeliveryState = Literal["sending", "retrying", "sent", "failed", "empty"]
FINAL_STATES: Final = frozenset({"sent", "failed", "empty"})

WEBHOOK_FORMATS: Final[tuple[WebhookFormat, ...]] = ("json", "slack", "feishu", "dingtalk")
MAX_URL: Final = 2000
MAX_SECRET: Final = 200
MAX_DETAIL: Final = 500
_EMAIL_RE: Final = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DigestPreference(_Value):
    """A user's email digest: off, daily or weekly at ``hour``:00 (weekly on ``weekday``,
    0 = Monday) in ``timezone``, written in ``language``, sent to ``email`` (the account's
    address when the preference was saved: the briefer never reads accounts).

    ``since``: when the digest was last switched on. The first digest carries the
    briefings stored since the start of that period, never older ones.
    """

    user_id: str
    email: str
    name: Annotated[str, Field(max_length=200)] = ""  # how the digest greets them
    cadence: Cadence = "off"
    hour: Annotated[int, Field(ge=0, le=23)] = 7
    weekday: Annotated[int, Field(ge=0, le=6)] = 0
    timezone: Annotated[str, Field(min_length=1, max_length=64)] = "UTC"
    language: Language = "zh"
    since: dt.datetime
    updated_at: dt.datetime

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_time_zone(value)

    @field_validator("email")
    @classmethod
    def _plain_address(cls, value: str) -> str:
        return plain_email(value)

    @property
    def schedule(self) -> BriefingSchedule | None:
        """When digests close, by the one schedule rule radars use; None when off."""
        if self.cadence == "off":
            return None
        return BriefingSchedule(
            kind=self.cadence, hour=self.hour, weekday=self.weekday, timezone=self.timezone
        )


class Webhook(_Value):
    """Where a radar's briefings are posted, and in which message format.

    ``secret``: for ``feishu`` and ``dingtalk``, the robot's signing secret (加签 /
    签名校验); for ``json``, the key of the ``X-AcademicHub-Signature`` HMAC. Like the
    URL (which is itself a credential for Slack, Feishu and DingTalk), it is shown to
    nobody once saved.
    """

    radar_id: str
    url: Annotated[str, Field(min_length=1, max_length=MAX_URL)]
    format: WebhookFormat = "json"
    secret: Annotated[str, Field(max_length=MAX_SECRET)] | None = None
    updated_at: dt.datetime


class Delivery(_Value):
    """One message to one target and what became of it: a ledger record."""

    id: str
    channel: Channel
    state: DeliveryState = "sending"
    attempts: Annotated[int, Field(ge=0)] = 1
    detail: Annotated[str, Field(max_length=MAX_DETAIL)] = ""
    radar_ids: tuple[str, ...] = ()
    briefing_ids: tuple[str, ...] = ()
    revision: Annotated[int, Field(ge=0)] = 0  # a webhook's briefing revision
    user_id: str | None = None  # a digest's recipient
    created_at: dt.datetime
    updated_at: dt.datetime
    next_attempt_at: dt.datetime | None = None

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


def plain_email(value: str) -> str:
    """``value`` if it is a bare email address (it goes into a header: no display name,
    no line break, nothing a header could hide), else a ValueError saying so."""
    if len(value) > 254 or not _EMAIL_RE.match(value):
        raise ValueError(f"{value!r} is not a plain email address")
    return value


def webhook_delivery_id(briefing_id: str, revision: int) -> str:
    return f"webhook:{briefing_id}:r{revision}"


def digest_delivery_id(user_id: str, period_end: dt.datetime) -> str:
    """The one digest of ``user_id`` for the period closing at ``period_end``."""
    end = period_end.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")
    return f"digest:{user_id}:{end}"


def message_id(delivery_id: str, domain: str) -> str:
    """A stable ``Message-ID`` for a delivery: every attempt of one digest has the same,
    so a mail system that received the first attempt can drop a second."""
    digest = hashlib.sha256(delivery_id.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def clipped(detail: str) -> str:
    """A detail as the ledger keeps it (one line, bounded)."""
    line = " ".join(detail.split())
    return line if len(line) <= MAX_DETAIL else line[: MAX_DETAIL - 1] + "…"


class DeliveryStore(Protocol):
    # --- settings (the gateway writes them) -----------------------------------------
    def get_digest_preference(self, user_id: str) -> DigestPreference | None: ...

    def put_digest_preference(self, preference: DigestPreference) -> None: ...

    def digest_preferences(self) -> list[DigestPreference]:
        """Every preference that is not off, by user id."""
        ...

    def get_webhook(self, radar_id: str) -> Webhook | None: ...

    def put_webhook(self, webhook: Webhook) -> None: ...

    def delete_webhook(self, radar_id: str) -> bool: ...

    def signing_key(self) -> bytes:
        """The key unsubscribe links are signed with: 32 random bytes made by the first
        caller and kept, so that every process (the briefer signs, the gateway verifies)
        uses the same one without any to configure. Deleting it invalidates every link."""
        ...

    # --- the outbox of stored briefings ---------------------------------------------
    def undelivered_briefings(self, limit: int = 100) -> list[tuple[Briefing, int]]:
        """Stored briefings whose current revision the delivery loop has not handled,
        with that revision, oldest first. Briefings stored before delivery existed are
        handled."""
        ...

    def mark_briefing_delivered(self, briefing_id: str, revision: int) -> None:
        """The loop has claimed whatever this revision needs (an older revision than the
        stored one leaves the stored one undelivered)."""
        ...

    # --- the ledger -------------------------------------------------------------------
    def claim(self, delivery: Delivery) -> bool:
        """Store ``delivery`` unless one with its id exists; True if this call stored it
        (and so must make its attempt)."""
        ...

    def claim_digest(
        self, delivery: Delivery, radar_ids: Sequence[str], since: dt.datetime, limit: int
    ) -> Delivery | None:
        """Claim the digest ``delivery`` with the briefings of ``radar_ids`` created at or
        after ``since`` that no digest carries yet (the newest ``limit``), marking them
        carried by it, in one step; return the stored record (state ``empty`` when there
        was nothing to carry), or None if the digest was claimed already."""
        ...

    def get_deliveries(self, delivery_ids: Iterable[str]) -> dict[str, Delivery]: ...

    def record(self, delivery: Delivery) -> None:
        """Replace the record with the outcome of an attempt (the caller holds the claim),
        and make it the latest of its channel for each of its radars."""
        ...

    def reclaim(self, delivery: Delivery, at: dt.datetime) -> Delivery | None:
        """Take a ``retrying`` record for its next attempt: ``sending``, one attempt more.
        None (and nothing changed) if the stored record is no longer the one given (another
        briefer took it, or it changed state)."""
        ...

    def due_retries(self, now: dt.datetime, limit: int = 100) -> list[Delivery]:
        """``retrying`` records whose next attempt is due, soonest first."""
        ...

    def stale_deliveries(self, before: dt.datetime, limit: int = 100) -> list[Delivery]:
        """``sending`` records last written before ``before``: an attempt interrupted by a
        crash."""
        ...

    def latest_deliveries(self, radar_id: str) -> list[Delivery]:
        """The latest delivery of each channel that concerned the radar (its webhook
        calls; its owner's digests that carried its briefings)."""
        ...


# --- the in-memory fake -------------------------------------------------------------


class InMemoryDelivery:
    """For tests: the same rules as the real adapters, with state to assert on. The
    briefings and their revisions are those of the in-memory briefings and briefer
    parts it is given."""

    def __init__(self, stored: dict[str, Briefing], revisions: dict[str, int]) -> None:
        self._stored = stored  # the briefings part's briefings, by id
        self._revisions = revisions  # the briefer part's revisions (absent: 1)
        self.preferences: dict[str, DigestPreference] = {}
        self.webhooks: dict[str, Webhook] = {}
        self.key: bytes | None = None
        self.delivered: dict[str, int] = {}  # briefing id -> delivered revision
        self.carried_by: dict[str, str] = {}  # briefing id -> digest id
        self.deliveries: dict[str, Delivery] = {}
        self.latest: dict[tuple[str, str], str] = {}  # (radar, channel) -> delivery id

    def get_digest_preference(self, user_id: str) -> DigestPreference | None:
        return self.preferences.get(user_id)

    def put_digest_preference(self, preference: DigestPreference) -> None:
        self.preferences[preference.user_id] = preference

    def digest_preferences(self) -> list[DigestPreference]:
        return [p for _, p in sorted(self.preferences.items()) if p.cadence != "off"]

    def get_webhook(self, radar_id: str) -> Webhook | None:
        return self.webhooks.get(radar_id)

    def put_webhook(self, webhook: Webhook) -> None:
        self.webhooks[webhook.radar_id] = webhook

    def delete_webhook(self, radar_id: str) -> bool:
        return self.webhooks.pop(radar_id, None) is not None

    def signing_key(self) -> bytes:
        import secrets

        if self.key is None:
            self.key = secrets.token_bytes(32)
        return self.key

    def undelivered_briefings(self, limit: int = 100) -> list[tuple[Briefing, int]]:
        out = []
        for briefing_id, briefing in self._stored.items():
            revision = self._revisions.get(briefing_id, 1)
            if self.delivered.get(briefing_id, 0) < revision:
                out.append((briefing, revision))
        return out[: max(limit, 0)]

    def mark_briefing_delivered(self, briefing_id: str, revision: int) -> None:
        if briefing_id in self._stored:
            self.delivered[briefing_id] = max(self.delivered.get(briefing_id, 0), revision)

    def claim(self, delivery: Delivery) -> bool:
        if delivery.id in self.deliveries:
            return False
        self._write(delivery)
        return True

    def claim_digest(
        self, delivery: Delivery, radar_ids: Sequence[str], since: dt.datetime, limit: int
    ) -> Delivery | None:
        if delivery.id in self.deliveries:
            return None
        wanted = set(radar_ids)
        found = [
            b
            for b in self._stored.values()
            if b.radar_id in wanted and b.id not in self.carried_by and b.created_at >= since
        ]
        found.sort(key=lambda b: (b.created_at, b.id), reverse=True)
        claimed = carrying(delivery, found[: max(limit, 0)])
        for briefing_id in claimed.briefing_ids:
            self.carried_by[briefing_id] = claimed.id
        self._write(claimed)
        return claimed

    def get_deliveries(self, delivery_ids: Iterable[str]) -> dict[str, Delivery]:
        return {i: self.deliveries[i] for i in delivery_ids if i in self.deliveries}

    def record(self, delivery: Delivery) -> None:
        self._write(delivery)

    def reclaim(self, delivery: Delivery, at: dt.datetime) -> Delivery | None:
        if self.deliveries.get(delivery.id) != delivery or delivery.state != "retrying":
            return None
        taken = next_attempt(delivery, at)
        self._write(taken)
        return taken

    def due_retries(self, now: dt.datetime, limit: int = 100) -> list[Delivery]:
        due = [
            d
            for d in self.deliveries.values()
            if d.state == "retrying" and d.next_attempt_at is not None and d.next_attempt_at <= now
        ]
        due.sort(key=lambda d: (d.next_attempt_at or now, d.id))
        return due[: max(limit, 0)]

    def stale_deliveries(self, before: dt.datetime, limit: int = 100) -> list[Delivery]:
        stale = [
            d for d in self.deliveries.values() if d.state == "sending" and d.updated_at < before
        ]
        stale.sort(key=lambda d: (d.updated_at, d.id))
        return stale[: max(limit, 0)]

    def latest_deliveries(self, radar_id: str) -> list[Delivery]:
        return [
            self.deliveries[self.latest[(radar_id, channel)]]
            for channel in ("email", "webhook")
            if (radar_id, channel) in self.latest
        ]

    def _write(self, delivery: Delivery) -> None:
        self.deliveries[delivery.id] = delivery
        for radar_id in delivery.radar_ids:
            self.latest[(radar_id, delivery.channel)] = delivery.id


def carrying(delivery: Delivery, briefings: Sequence[Briefing]) -> Delivery:
    """The digest record carrying ``briefings`` (``empty`` when there are none): the rule
    every adapter's ``claim_digest`` applies to what it found."""
    if not briefings:
        return delivery.model_copy(
            update={"state": "empty", "attempts": 0, "briefing_ids": (), "radar_ids": ()}
        )
    return delivery.model_copy(
        update={
            "briefing_ids": tuple(b.id for b in briefings),
            "radar_ids": tuple(dict.fromkeys(b.radar_id for b in briefings)),
        }
    )


def next_attempt(delivery: Delivery, at: dt.datetime) -> Delivery:
    """A retrying record taken for its next attempt (what ``reclaim`` stores)."""
    return delivery.model_copy(
        update={
            "state": "sending",
            "attempts": delivery.attempts + 1,
            "updated_at": at,
            "next_attempt_at": None,
        }
    )
