"""The briefer's composition root: settings from the environment, one process wired.

``main()`` reads :class:`~academichub.briefer.settings.BrieferSettings` and runs
:func:`serve`, the shape every service's composition root has
(:mod:`academichub.platform.lifecycle`): it opens the configured store (embedded, not as
the index writer; or Elasticsearch) on the briefer's store thread, starts the publisher
and the ``matches`` consumer (:mod:`academichub.broker.consumer`), and runs the consumer,
the window closer, the delivery loop (:mod:`academichub.briefer.domain.delivery`: webhooks, and
email digests when ``DELIVERY_SMTP_HOST`` is set) and ``/metrics``, ``/healthz``,
``/readyz`` on ``BRIEFER_METRICS_PORT`` until SIGINT/SIGTERM. Ready means the consumer
polls (and is not retrying a batch), the store and the broker answer; live means the
consumer has polled within ``BRIEFER_CONSUMER_LIVENESS_SECONDS``.
:func:`build_model` and :func:`build_composer` are shared with ``academichub brief``, so
the command line briefs exactly as the service does.
A broker that is away makes the consumer retry its batch and the closer try again at its
next pass; it never stops the process. If a loop fails otherwise (the store, a bug), the
others are cancelled, everything is closed in reverse order, and the process exits with
the error — without committing the failed batch. On SIGTERM the closer's pass in progress
is cancelled with its in-flight model calls (:func:`~academichub.briefer.service.run_closer`),
so the briefer stops within seconds whatever the model is doing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable

from prometheus_client import REGISTRY, CollectorRegistry

from academichub.briefer.domain.breaker import CircuitBreaker
from academichub.briefer.domain.budget import TokenLedger
from academichub.briefer.domain.composer import Composer
from academichub.briefer.domain.corpus import PhraseStatistics, StorePhraseStatistics
from academichub.briefer.domain.delivery import Deliverer, DeliveryPolicy, run_delivery
from academichub.briefer.domain.model import ChatModel
from academichub.briefer.domain.sending import Mailer
from academichub.briefer.domain.site_links import SiteLinks
from academichub.briefer.domain.summaries import SummaryCache
from academichub.briefer.domain.vectors import EmbedderVectors, PaperVectorSource
from academichub.briefer.http_webhooks import HttpWebhookSender
from academichub.briefer.metrics import BrieferMetrics
from academichub.briefer.openai_model import OpenAIChatModel, RetryPolicy
from academichub.briefer.service import SERVICE, BrieferService, run_closer
from academichub.briefer.settings import BrieferSettings
from academichub.briefer.smtp_mailer import SmtpMailer
from academichub.broker.consumer import ConsumerLoop
from academichub.broker.dead_letters import DeadLetters
from academichub.broker.kafka_source import GroupSource
from academichub.broker.metrics import ConsumerMetrics
from academichub.broker.probe import KafkaBrokerProbe, broker_answer
from academichub.broker.publisher import KafkaPublisher
from academichub.contracts import PaperMatches, TopicName
from academichub.delivery.settings import DeliverySettings
from academichub.platform.health_app import Check, answer, health_app
from academichub.platform.http_server import serve_http
from academichub.platform.lifecycle import run_main, run_until_stopped, stop_on_signals
from academichub.store.door import AsyncStore, StoreThreads
from academichub.store.port import BrieferStateStore, Store
from academichub.store.probe import store_answer

log = logging.getLogger(__name__)


def _open_configured_store(settings: BrieferSettings) -> Callable[[], Store]:
    def open_configured() -> Store:
        # Imported here: opening the store is the composition root's job, and the embedded
        # adapter pulls in tantivy, which the rest of the service never needs.
        from academichub.store.factory import open_store

        return open_store(settings.common, index_writer=False)

    return open_configured


def build_model(
    settings: BrieferSettings, metrics: BrieferMetrics
) -> tuple[CircuitBreaker, OpenAIChatModel] | None:
    """The model (behind its circuit breaker) and the adapter to close, when an endpoint
    is configured; None means extractive briefings."""
    if settings.llm_base_url is None:
        return None
    adapter = OpenAIChatModel(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        timeout_seconds=settings.llm_timeout_seconds,
        slow_seconds=settings.llm_slow_seconds,
        retry=RetryPolicy(
            max_attempts=settings.llm_max_attempts,
            backoff_seconds=settings.llm_backoff_seconds,
            max_backoff_seconds=settings.llm_max_backoff_seconds,
            max_retry_after_seconds=settings.llm_max_retry_after_seconds,
        ),
        observer=metrics,
    )
    breaker = CircuitBreaker(
        adapter,
        failures=settings.breaker_failures,
        cooldown_seconds=settings.breaker_cooldown_seconds,
        observer=metrics,
    )
    metrics.observe_circuit(breaker.state)
    return breaker, adapter


def build_vectors(settings: BrieferSettings) -> PaperVectorSource | None:
    """Where briefing themes get their vectors: the configured embedder (loaded and
    checked now, so a broken model stops the start), or None for TF-IDF."""
    if not settings.embed_windows:
        return None
    # Imported here: the embedder settings and numpy model load only when used.
    from academichub.embedding.settings import EmbeddingSettings, build_embedder
    from academichub.platform.blas import limit_blas_threads
    from academichub.platform.settings import load_settings

    embedding = load_settings(EmbeddingSettings)
    limit_blas_threads(embedding.blas_threads)
    return EmbedderVectors(build_embedder(embedding))


def build_composer(
    settings: BrieferSettings,
    state: AsyncStore[BrieferStateStore],
    metrics: BrieferMetrics,
    model: ChatModel | None,
    *,
    vectors: PaperVectorSource | None = None,
    statistics: PhraseStatistics | None = None,
) -> Composer:
    """The composer the service and the CLI share: summary cache, budgets, limits, the
    vectors of themes and the store's phrase frequencies (none given: the window counts
    as its own corpus)."""
    return Composer(
        model=model,
        summaries=SummaryCache(
            state,
            model,
            observer=metrics,
            batch_size=settings.summary_batch_size,
            concurrency=settings.summary_concurrency,
        ),
        ledger=TokenLedger(state, settings.daily_limits),
        limits=settings.synthesis_limits,
        observer=metrics,
        deadline_seconds=settings.model_deadline_seconds,
        vectors=vectors,
        statistics=statistics,
    )


def build_deliverer(
    settings: DeliverySettings,
    store: AsyncStore[Store],
    metrics: BrieferMetrics,
    webhooks: HttpWebhookSender,
) -> Deliverer:
    """The delivery loop's service: webhooks always, email when SMTP is configured."""
    mailer: Mailer | None = None
    if settings.email_enabled:
        smtp = SmtpMailer(settings)
        mailer = smtp
        log.info("email digests over SMTP at %s from %s", smtp.describe, settings.mail_from)
    else:
        log.info("email digests are off (set DELIVERY_SMTP_HOST and DELIVERY_MAIL_FROM)")
    if settings.webhook.allow_loopback:
        log.warning(
            "webhooks may post to 127.0.0.1 (DELIVERY_WEBHOOK_ALLOW_LOOPBACK): not for production"
        )
    return Deliverer(
        store=store,
        webhooks=webhooks,
        mailer=mailer,
        links=SiteLinks(settings.public_url),
        observer=metrics,
        policy=DeliveryPolicy(
            max_attempts=settings.max_attempts,
            backoff_seconds=settings.backoff_seconds,
            max_backoff_seconds=settings.max_backoff_seconds,
            max_retry_after_seconds=settings.max_retry_after_seconds,
            interrupted_after=dt.timedelta(seconds=settings.interrupted_after_seconds),
            digest_max_briefings=settings.digest_max_briefings,
            mail_from=settings.mail_from or "academichub@localhost",
        ),
    )


async def serve(
    settings: BrieferSettings,
    *,
    stop: asyncio.Event | None = None,
    registry: CollectorRegistry = REGISTRY,
    open_store: Callable[[], Store] | None = None,
) -> None:
    """Run the briefer until ``stop`` is set (when not given: SIGINT/SIGTERM)."""
    async with contextlib.AsyncExitStack() as stack:
        stop = stack.enter_context(stop_on_signals(stop))
        metrics = BrieferMetrics(registry)

        threads = StoreThreads(1, name="briefer-store")
        stack.callback(threads.close)
        store = threads.open(open_store or _open_configured_store(settings))
        stack.callback(store.call, lambda s: s.close())

        built = build_model(settings, metrics)
        model: ChatModel | None = None
        if built is not None:
            model, adapter = built
            stack.push_async_callback(adapter.aclose)
            log.info("briefings by model %s at %s", settings.llm_model, settings.llm_base_url)
        else:
            log.info("briefings are extractive (set OPENAI_BASE_URL to use a model)")

        servers = settings.common.bootstrap_servers
        publisher = KafkaPublisher(
            servers, client_id=SERVICE, idempotence=settings.common.producer_idempotence
        )
        stack.push_async_callback(publisher.stop)
        await publisher.start()
        consumer_metrics = ConsumerMetrics(registry)
        source = GroupSource(
            servers,
            TopicName.MATCHES,
            group_id=settings.group_id,
            client_id=SERVICE,
            on_log_reset=lambda _partition: consumer_metrics.log_reset(TopicName.MATCHES),
        )
        stack.push_async_callback(source.stop)
        await source.start()

        service = BrieferService(
            store=store,
            publisher=publisher,
            composer=build_composer(
                settings,
                store.part(lambda s: s.briefer),
                metrics,
                model,
                vectors=build_vectors(settings),
                statistics=StorePhraseStatistics(store.part(lambda s: s.papers)),
            ),
            policy=settings.window_policy,
            metrics=metrics,
            upgrades_per_pass=settings.upgrades_per_pass,
            unqueued_after=dt.timedelta(seconds=settings.unqueued_after_seconds),
        )
        delivery = settings.delivery
        webhooks = HttpWebhookSender(
            timeout_seconds=delivery.webhook_timeout_seconds,
            max_response_bytes=delivery.webhook_max_response_bytes,
            allow_loopback=delivery.webhook.allow_loopback,
        )
        stack.push_async_callback(webhooks.aclose)
        deliverer = build_deliverer(delivery, store, metrics, webhooks)
        consumer = ConsumerLoop(
            topic=TopicName.MATCHES,
            event=PaperMatches,
            source=source,
            handle=service.handle_match_events,
            dead_letters=DeadLetters(publisher, service=SERVICE),
            metrics=consumer_metrics,
        )
        # Ready: the matches consumer polls, the store and the broker answer.
        broker = KafkaBrokerProbe(servers, settings.broker_probe_timeout_seconds, client_id=SERVICE)
        checks: dict[str, Check] = {
            "consumer matches": answer(
                lambda: consumer.progress.describe(settings.consumer_stall_seconds)
            ),
            "store": lambda: store_answer(store, settings.store_probe_timeout_seconds),
            "broker": lambda: broker_answer(broker),
        }
        liveness: dict[str, Check] = {
            "consumer matches": answer(
                lambda: consumer.progress.liveness(settings.consumer_liveness_seconds)
            )
        }
        log.info(
            "briefer running: windows of %d papers or %gs; /metrics, /healthz, /readyz on %s:%d",
            settings.window_max_papers,
            settings.window_max_seconds,
            settings.metrics_host,
            settings.metrics_port,
        )
        await run_until_stopped(
            stop,
            {
                "web": serve_http(
                    health_app(registry, checks, liveness=liveness),
                    host=settings.metrics_host,
                    port=settings.metrics_port,
                    stop=stop,
                    access_log=False,
                ),
                "matches": consumer.run(stop),
                "closer": run_closer(service, stop, interval=settings.check_interval_seconds),
                "delivery": run_delivery(deliverer, stop, interval=delivery.interval_seconds),
            },
            grace_seconds=settings.common.stop_grace_seconds,
        )
    log.info("briefer stopped")


def main() -> None:
    run_main(SERVICE, BrieferSettings, serve)
