"""Delivery where researchers read: webhooks per radar, an email digest per user.

The briefer owns briefings, so it delivers them: :func:`run_delivery` is a third loop of
its process, beside the consumer and the closer. Every pass:

1. **interrupted attempts** -- a ledger record still ``sending`` long after it began was
   cut off by a crash: it is recorded failed ("interrupted") and never sent again;
2. **new briefings** -- the store's outbox (:meth:`~academichub.store.delivery.
   DeliveryStore.undelivered_briefings`) lists each stored briefing revision once: if
   its radar has a webhook, the call is claimed in the ledger (``webhook:<briefing>:
   r<revision>``; one claim wins, whichever briefer or restart tries), the revision is
   marked delivered, and the winner makes the first attempt;
3. **retries** that are due, each taken by one briefer only (``reclaim``);
4. **digests** (when SMTP is configured): each user whose daily or weekly close has
   passed gets that period's digest (``digest:<user>:<close>``), claimed together with
   the briefings it carries, so a briefing goes into one digest only. A period with
   nothing new is recorded empty: no mail.

Each attempt ends in one record: ``sent``; ``failed`` (refused, or the last allowed
attempt); or ``retrying`` at a time from an exponential backoff (x4 from
``DELIVERY_BACKOFF_SECONDS``, capped, with up to 20% jitter) or the receiver's
``Retry-After`` if later. Why record-before-send (at most once), and what a receiver may
still see twice: :mod:`academichub.store.delivery`. A pass checks ``should_stop`` between
messages, so a shutdown finishes the attempt in hand and starts no other. Store and
programming errors propagate and stop the briefer, as everywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from academichub.briefer.domain.digest_mail import DigestContent, compose_digest
from academichub.briefer.domain.digest_periods import carried_since, due_close
from academichub.briefer.domain.sending import Mailer, Outcome, WebhookSender
from academichub.briefer.domain.site_links import SiteLinks
from academichub.briefer.domain.webhook_messages import judge, request_for
from academichub.contracts import Briefing, Radar
from academichub.delivery.unsubscribe import unsubscribe_token
from academichub.store.delivery import (
    Delivery,
    DeliveryStore,
    DigestPreference,
    Webhook,
    clipped,
    digest_delivery_id,
    webhook_delivery_id,
)
from academichub.store.door import AsyncStore
from academichub.store.port import BriefingStore, RadarStore

log = logging.getLogger(__name__)


class DeliveryParts(Protocol):
    """The store parts delivery reads and writes."""

    @property
    def briefings(self) -> BriefingStore: ...

    @property
    def radars(self) -> RadarStore: ...

    @property
    def delivery(self) -> DeliveryStore: ...


class DeliveryObserver(Protocol):
    def observe_delivery(self, channel: str, outcome: str, seconds: float | None) -> None:
        """An attempt's outcome (sent, retry, failed) with its duration, or a record
        closed without one (interrupted: ``seconds`` None)."""
        ...


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 6
    backoff_seconds: float = 30.0
    max_backoff_seconds: float = 3600.0
    max_retry_after_seconds: float = 3600.0
    interrupted_after: dt.timedelta = dt.timedelta(minutes=10)
    digest_max_briefings: int = 50
    mail_from: str = "academichub@localhost"

    def delay(self, attempts: int, retry_after: float | None, jitter: float) -> float:
        """Seconds before the next attempt after ``attempts`` failed ones."""
        backoff = min(self.backoff_seconds * 4.0 ** (attempts - 1), self.max_backoff_seconds)
        backoff *= 1 + 0.2 * jitter
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.max_retry_after_seconds))
        return backoff


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Deliverer:
    store: AsyncStore[DeliveryParts]
    webhooks: WebhookSender
    mailer: Mailer | None  # None: email is off
    links: SiteLinks
    observer: DeliveryObserver
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    clock: Callable[[], dt.datetime] = _utcnow
    wall: Callable[[], float] = time.time  # Unix time, for webhook signatures
    jitter: Callable[[], float] = random.random
    batch: int = 100
    # Per user, the digest already decided (claimed, or found claimed): not asked again.
    _decided: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _key: bytes | None = field(default=None, init=False, repr=False)

    async def run_pass(self, *, should_stop: Callable[[], bool] = lambda: False) -> None:
        await self._close_interrupted()
        await self._new_briefings(should_stop)
        await self._retries(should_stop)
        if self.mailer is not None:
            await self._digests(should_stop)

    # --- the steps of a pass ------------------------------------------------------------
    async def _close_interrupted(self) -> None:
        before = self.clock() - self.policy.interrupted_after
        stale = await self.store.run(lambda s: s.delivery.stale_deliveries(before, self.batch))
        for record in stale:
            log.warning("delivery %s was interrupted mid-attempt; not sending it again", record.id)
            closed = record.model_copy(
                update={
                    "state": "failed",
                    "detail": "interrupted: the briefer stopped during the attempt; not sent "
                    "again (it may or may not have arrived)",
                    "updated_at": self.clock(),
                }
            )
            await self._record(closed)
            self.observer.observe_delivery(record.channel, "interrupted", None)

    async def _new_briefings(self, should_stop: Callable[[], bool]) -> None:
        pending = await self.store.run(lambda s: s.delivery.undelivered_briefings(self.batch))
        for briefing, revision in pending:
            if should_stop():
                return
            await self._deliver_new(briefing, revision)

    async def _deliver_new(self, briefing: Briefing, revision: int) -> None:
        hook = await self.store.run(lambda s: s.delivery.get_webhook(briefing.radar_id))
        claimed: Delivery | None = None
        if hook is not None:
            now = self.clock()
            record = Delivery(
                id=webhook_delivery_id(briefing.id, revision),
                channel="webhook",
                radar_ids=(briefing.radar_id,),
                briefing_ids=(briefing.id,),
                revision=revision,
                created_at=now,
                updated_at=now,
            )
            if await self.store.run(lambda s: s.delivery.claim(record)):
                claimed = record
        # Marked once claimed: from here the ledger holds the call, whoever sends it.
        await self.store.run(lambda s: s.delivery.mark_briefing_delivered(briefing.id, revision))
        if claimed is not None:
            await self._attempt(claimed)

    async def _retries(self, should_stop: Callable[[], bool]) -> None:
        now = self.clock()
        due = await self.store.run(lambda s: s.delivery.due_retries(now, self.batch))
        for record in due:
            if should_stop():
                return
            taken = await self._reclaim(record)
            if taken is not None:
                await self._attempt(taken)

    async def _digests(self, should_stop: Callable[[], bool]) -> None:
        preferences = await self.store.run(lambda s: s.delivery.digest_preferences())
        now = self.clock()
        due: list[tuple[DigestPreference, str]] = []
        for preference in preferences:
            schedule = preference.schedule
            close = due_close(schedule, preference.since, now) if schedule else None
            if close is None:
                continue
            digest_id = digest_delivery_id(preference.user_id, close)
            if self._decided.get(preference.user_id) != digest_id:
                due.append((preference, digest_id))
        if not due:
            return
        ids = [digest_id for _, digest_id in due]
        existing = await self.store.run(lambda s: s.delivery.get_deliveries(ids))
        for preference, digest_id in due:
            if should_stop():
                return
            if digest_id not in existing:
                await self._claim_digest(preference, digest_id)
            self._decided[preference.user_id] = digest_id

    async def _claim_digest(self, preference: DigestPreference, digest_id: str) -> None:
        schedule = preference.schedule
        assert schedule is not None  # only digests that are on are due
        since = carried_since(schedule, preference.since)
        now = self.clock()
        record = Delivery(
            id=digest_id,
            channel="email",
            user_id=preference.user_id,
            created_at=now,
            updated_at=now,
        )

        def claim(s: DeliveryParts) -> Delivery | None:
            radar_ids = [r.id for r in s.radars.list_radars(owner=preference.user_id)]
            limit = self.policy.digest_max_briefings
            return s.delivery.claim_digest(record, radar_ids, since, limit)

        claimed = await self.store.run(claim)
        if claimed is not None and claimed.state != "empty":
            await self._attempt(claimed)

    async def _record(self, record: Delivery) -> None:
        await self.store.run(lambda s: s.delivery.record(record))

    async def _reclaim(self, record: Delivery) -> Delivery | None:
        at = self.clock()
        return await self.store.run(lambda s: s.delivery.reclaim(record, at))

    # --- one attempt ------------------------------------------------------------------
    async def _attempt(self, record: Delivery) -> None:
        started = time.monotonic()
        outcome = await (
            self._send_digest(record) if record.channel == "email" else self._post(record)
        )
        seconds = time.monotonic() - started
        settled = self._settle(record, outcome)
        await self.store.run(lambda s: s.delivery.record(settled))
        reported = "retry" if settled.state == "retrying" else settled.state
        self.observer.observe_delivery(record.channel, reported, seconds)
        level = logging.INFO if settled.state == "sent" else logging.WARNING
        log.log(
            level,
            "delivery %s (attempt %d): %s, %s",
            record.id,
            record.attempts,
            settled.state,
            settled.detail,
        )

    def _settle(self, record: Delivery, outcome: Outcome) -> Delivery:
        now = self.clock()
        update: dict[str, object] = {"updated_at": now, "detail": clipped(outcome.detail)}
        if outcome.kind == "sent":
            update["state"] = "sent"
        elif outcome.kind == "refused":
            update["state"] = "failed"
        elif record.attempts >= self.policy.max_attempts:
            update["state"] = "failed"
            update["detail"] = clipped(
                f"gave up after {record.attempts} attempts: {outcome.detail}"
            )
        else:
            delay = self.policy.delay(record.attempts, outcome.retry_after, self.jitter())
            update["state"] = "retrying"
            update["next_attempt_at"] = now + dt.timedelta(seconds=delay)
        return record.model_copy(update=update)

    async def _post(self, record: Delivery) -> Outcome:
        [briefing_id] = record.briefing_ids
        [radar_id] = record.radar_ids

        def read(s: DeliveryParts) -> tuple[Briefing | None, Radar | None, Webhook | None]:
            return (
                s.briefings.get_briefing(briefing_id),
                s.radars.get_radar(radar_id),
                s.delivery.get_webhook(radar_id),
            )

        briefing, radar, hook = await self.store.run(read)
        if hook is None:
            return Outcome("refused", "the radar's webhook was removed")
        if briefing is None or radar is None:
            return Outcome("refused", "the radar or its briefing is gone")
        request = request_for(
            hook, briefing, record.revision, radar, self.links, record.id, self.wall()
        )
        reply = await self.webhooks.post(request)
        return judge(hook.format, reply)

    async def _send_digest(self, record: Delivery) -> Outcome:
        assert self.mailer is not None
        assert record.user_id is not None
        user_id = record.user_id

        def read(
            s: DeliveryParts,
        ) -> tuple[DigestPreference | None, list[Briefing], dict[str, Radar]]:
            preference = s.delivery.get_digest_preference(user_id)
            found = [s.briefings.get_briefing(i) for i in record.briefing_ids]
            briefings = [b for b in found if b is not None]
            radars = {r.id: r for r in s.radars.list_radars(owner=user_id)}
            return preference, briefings, radars

        preference, briefings, radars = await self.store.run(read)
        if preference is None or preference.cadence == "off":
            return Outcome("refused", "the digest was switched off")
        if not briefings:
            return Outcome("refused", "its briefings are gone")
        key = await self._signing_key()
        message = compose_digest(
            preference=preference,
            name=preference.name or preference.email.partition("@")[0],
            content=DigestContent(_newest_first(briefings), radars),
            period_end=record.created_at,
            links=self.links,
            unsubscribe_url=self.links.unsubscribe(unsubscribe_token(key, user_id)),
            mail_from=self.policy.mail_from,
            delivery_id=record.id,
            shown=self.policy.digest_max_briefings,
        )
        return await self.mailer.send(message)

    async def _signing_key(self) -> bytes:
        if self._key is None:
            self._key = await self.store.run(lambda s: s.delivery.signing_key())
        return self._key


def _newest_first(briefings: Sequence[Briefing]) -> list[Briefing]:
    return sorted(briefings, key=lambda b: (b.created_at, b.id), reverse=True)


async def run_delivery(deliverer: Deliverer, stop: asyncio.Event, *, interval: float) -> None:
    """A delivery pass every ``interval`` seconds until ``stop`` is set; a pass under way
    finishes the attempt in hand and starts no other."""
    while not stop.is_set():
        await deliverer.run_pass(should_stop=stop.is_set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
