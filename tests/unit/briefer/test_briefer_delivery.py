"""The delivery loop over the in-memory store with fake senders: one webhook call per
briefing revision and one digest per user and period, whoever runs the loop and however
often; retries by the receiver's answer; interrupted attempts never sent again."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage

from prometheus_client import CollectorRegistry

from academichub.briefer.domain.delivery import Deliverer, DeliveryPolicy
from academichub.briefer.domain.sending import Outcome, RecordingMailer, RecordingWebhooks, Reply
from academichub.briefer.domain.site_links import SiteLinks
from academichub.briefer.metrics import BrieferMetrics
from academichub.contracts import Briefing, Theme
from academichub.delivery.unsubscribe import unsubscribed_user
from academichub.store.delivery import Delivery, DigestPreference, Webhook
from academichub.store.door import AsyncStore
from academichub.store.memory import InMemoryStore
from academichub.store.port import PendingItem
from tests.unit.briefer.briefer_samples import T0, match, pid, radar, sample


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def close(
    store: InMemoryStore, radar_id: str, window: int, n: int, at: dt.datetime, **extra: object
) -> Briefing:
    b = Briefing.model_validate(
        {
            "id": Briefing.make_id(radar_id, window),
            "radar_id": radar_id,
            "window": window,
            "language": "en",
            "provider": "extractive",
            "overview": f"Overview of {radar_id} window {window}",
            "themes": [
                Theme(title="Surface codes", synthesis="We show codes.", paper_ids=(pid(n),))
            ],
            "paper_ids": (pid(n),),
            "window_opened_at": at,
            "window_closed_at": at,
            "created_at": at,
            **extra,
        }
    )
    store.briefings.enqueue_for_briefing(match(n, radar_id=radar_id))
    assert store.briefings.close_window(b, [PendingItem(pid(n), 1, 1.0, T0)])
    return b


def deliverer(
    store: InMemoryStore,
    clock: Clock,
    *,
    webhooks: RecordingWebhooks | None = None,
    mailer: RecordingMailer | None = None,
    metrics: BrieferMetrics | None = None,
) -> Deliverer:
    return Deliverer(
        store=AsyncStore.inline(store),
        webhooks=webhooks or RecordingWebhooks(),
        mailer=mailer,
        links=SiteLinks("https://hub.example.org"),
        observer=metrics or BrieferMetrics(CollectorRegistry()),
        policy=DeliveryPolicy(backoff_seconds=30, mail_from="hub@example.org"),
        clock=clock,
        wall=lambda: 1_781_000_000.0,
        jitter=lambda: 0.0,
    )


def hook(radar_id: str = "r1", fmt: str = "json") -> Webhook:
    return Webhook.model_validate(
        {
            "radar_id": radar_id,
            "url": "https://hooks.example.org/x",
            "format": fmt,
            "updated_at": T0,
        }
    )


async def test_one_webhook_call_per_briefing_revision_whoever_runs_the_loop() -> None:
    store = InMemoryStore()
    store.radars.put_radar(radar("r1"))
    store.radars.put_radar(radar("r2"))  # no webhook: its briefings are only marked
    store.delivery.put_webhook(hook("r1"))
    clock = Clock(T0)
    calls = RecordingWebhooks()
    first, second = deliverer(store, clock, webhooks=calls), deliverer(store, clock, webhooks=calls)
    b1 = close(store, "r1", 1, 1, T0)
    close(store, "r2", 1, 2, T0)
    for loop in (first, second, first):  # a second briefer, a restart: nothing again
        await loop.run_pass()
    assert [r.headers["X-AcademicHub-Delivery"] for r in calls.requests] == ["webhook:r1.w1:r1"]
    assert store.delivery.undelivered_briefings() == []
    [latest] = store.delivery.latest_deliveries("r1")
    assert (latest.state, latest.detail) == ("sent", "HTTP 200")

    # An upgrade is a new revision, sent once more and said to be one.
    store.briefer.mark_for_upgrade(b1.id)
    store.briefings.stored[b1.id] = b1.model_copy(update={"degraded": True})
    better = b1.model_copy(update={"overview": "Rewritten by the model"})
    assert store.briefer.upgrade_briefing(better) == 2
    await second.run_pass()
    await first.run_pass()
    assert len(calls.requests) == 2
    import json

    body = json.loads(calls.requests[1].body)
    assert (body["revision"], body["updated"], body["briefing"]["overview"]) == (
        2,
        True,
        "Rewritten by the model",
    )


async def test_retries_honour_retry_after_and_stop_at_a_refusal() -> None:
    store = InMemoryStore()
    store.radars.put_radar(radar("r1"))
    store.delivery.put_webhook(hook("r1", "slack"))
    clock = Clock(T0)
    metrics = BrieferMetrics(CollectorRegistry())
    calls = RecordingWebhooks(
        [Reply(503, retry_after=120), Reply(0, error="timed out"), Reply(404, b"no_service")]
    )
    loop = deliverer(store, clock, webhooks=calls, metrics=metrics)
    close(store, "r1", 1, 1, T0)
    await loop.run_pass()
    [record] = store.delivery.latest_deliveries("r1")
    # Backoff 30 s, but the receiver asked for 120.
    assert (record.state, record.attempts, record.next_attempt_at) == (
        "retrying",
        1,
        T0 + dt.timedelta(seconds=120),
    )
    clock.advance(seconds=119)
    await loop.run_pass()
    assert len(calls.requests) == 1
    clock.advance(seconds=1)
    await loop.run_pass()  # a timeout: backoff x4 from the second attempt
    [record] = store.delivery.latest_deliveries("r1")
    assert (record.state, record.attempts) == ("retrying", 2)
    assert record.next_attempt_at == clock.now + dt.timedelta(seconds=120)
    clock.advance(seconds=120)
    await loop.run_pass()  # 404: refused, never tried again
    [record] = store.delivery.latest_deliveries("r1")
    assert (record.state, record.attempts) == ("failed", 3)
    assert record.detail.startswith("HTTP 404")
    clock.advance(days=1)
    await loop.run_pass()
    assert len(calls.requests) == 3
    assert sample(metrics, "deliveries_total", channel="webhook", outcome="retry") == 2
    assert sample(metrics, "deliveries_total", channel="webhook", outcome="failed") == 1


async def test_a_receiver_that_keeps_failing_is_given_up_on() -> None:
    store = InMemoryStore()
    store.radars.put_radar(radar("r1"))
    store.delivery.put_webhook(hook("r1"))
    clock = Clock(T0)
    calls = RecordingWebhooks([Reply(500)] * 10)
    loop = deliverer(store, clock, webhooks=calls)
    close(store, "r1", 1, 1, T0)
    for _ in range(12):
        await loop.run_pass()
        clock.advance(hours=2)
    [record] = store.delivery.latest_deliveries("r1")
    assert (record.state, record.attempts) == ("failed", 6)
    assert record.detail == "gave up after 6 attempts: HTTP 500"
    assert len(calls.requests) == 6


async def test_an_attempt_cut_off_by_a_crash_is_never_sent_again() -> None:
    store = InMemoryStore()
    store.radars.put_radar(radar("r1"))
    clock = Clock(T0)
    crashed = Delivery(
        id="webhook:r1.w1:r1",
        channel="webhook",
        radar_ids=("r1",),
        briefing_ids=("r1.w1",),
        revision=1,
        created_at=T0,
        updated_at=T0,
    )
    assert store.delivery.claim(crashed)
    calls = RecordingWebhooks()
    loop = deliverer(store, clock, webhooks=calls)
    clock.advance(minutes=11)
    await loop.run_pass()
    [record] = store.delivery.latest_deliveries("r1")
    assert record.state == "failed"
    assert record.detail.startswith("interrupted")
    assert calls.requests == []


def preference(**extra: object) -> DigestPreference:
    return DigestPreference.model_validate(
        {
            "user_id": "alice",
            "email": "alice@example.org",
            "name": "Alice",
            "cadence": "daily",
            "hour": 7,
            "timezone": "Asia/Shanghai",  # 07:00 there is 23:00 UTC the day before
            "language": "en",
            "since": T0 - dt.timedelta(days=2),
            "updated_at": T0,
            **extra,
        }
    )


def parts(message: EmailMessage) -> tuple[str, str]:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parsed.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    return str(text.get_content()), str(html.get_content())  # type: ignore[attr-defined]


async def test_one_digest_per_user_and_period_with_every_radar() -> None:
    store = InMemoryStore()
    store.radars.put_radar(radar("r1"))
    store.radars.put_radar(radar("r2").model_copy(update={"name": "Lattice surgery"}))
    store.radars.put_radar(radar("r3", owner="bob"))
    store.delivery.put_digest_preference(preference())
    close(store, "r1", 1, 1, T0, overview='<script>alert("x")</script> & more')
    close(store, "r2", 1, 2, T0 + dt.timedelta(hours=1))
    close(store, "r3", 1, 3, T0)  # bob's: not in alice's digest
    clock = Clock(dt.datetime(2026, 6, 12, 23, 0, 5, tzinfo=dt.UTC))  # 07:00:05 in Shanghai
    mailer = RecordingMailer()
    first, second = deliverer(store, clock, mailer=mailer), deliverer(store, clock, mailer=mailer)
    for loop in (first, second, first):
        await loop.run_pass()
    [message] = mailer.messages
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == "AcademicHub daily digest: 2 new briefings (2026-06-13)"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    assert "Error correction" in text
    assert "Lattice surgery" in text
    assert '<script>alert("x")</script> & more' in text  # plain text as it is
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in html
    assert "https://hub.example.org/briefings/r1.w1" in html
    token = message["List-Unsubscribe"].strip("<>").split("token=")[1]
    assert unsubscribed_user(store.delivery.signing_key(), token) == "alice"

    # The next period carries only what is new; a period with nothing sends nothing.
    clock.advance(days=1)
    await first.run_pass()
    assert len(mailer.messages) == 1
    close(store, "r1", 2, 4, clock.now)
    clock.advance(days=1)
    await second.run_pass()
    await first.run_pass()
    assert len(mailer.messages) == 2
    text, _ = parts(mailer.messages[1])
    assert "Overview of r1 window 2" in text
    assert "Overview of r1 window 1" not in text


async def test_no_digest_before_its_first_close_nor_when_off() -> None:
    store = InMemoryStore()
    store.radars.put_radar(radar("r1"))
    now = dt.datetime(2026, 6, 12, 23, 30, tzinfo=dt.UTC)
    store.delivery.put_digest_preference(preference(since=now - dt.timedelta(minutes=5)))
    close(store, "r1", 1, 1, now - dt.timedelta(minutes=1))
    mailer = RecordingMailer()
    loop = deliverer(store, Clock(now), mailer=mailer)
    await loop.run_pass()
    assert mailer.messages == []  # switched on after today's close: tomorrow's is the first
    store.delivery.put_digest_preference(preference(cadence="off"))
    await deliverer(store, Clock(now + dt.timedelta(days=2)), mailer=mailer).run_pass()
    assert mailer.messages == []


async def test_an_smtp_refusal_fails_the_digest_and_a_4xx_retries_it() -> None:
    store = InMemoryStore()
    store.radars.put_radar(radar("r1"))
    store.delivery.put_digest_preference(preference())
    close(store, "r1", 1, 1, T0)
    clock = Clock(dt.datetime(2026, 6, 12, 23, 0, 5, tzinfo=dt.UTC))
    mailer = RecordingMailer(
        [Outcome("retry", "SMTP 451: try later"), Outcome("refused", "SMTP 550: no such user")]
    )
    loop = deliverer(store, clock, mailer=mailer)
    await loop.run_pass()
    [record] = store.delivery.latest_deliveries("r1")
    assert (record.channel, record.state) == ("email", "retrying")
    clock.advance(seconds=31)
    await loop.run_pass()
    [record] = store.delivery.latest_deliveries("r1")
    assert (record.state, record.detail) == ("failed", "SMTP 550: no such user")
    assert len(mailer.messages) == 2
    assert mailer.messages[0]["Message-ID"] == mailer.messages[1]["Message-ID"]
