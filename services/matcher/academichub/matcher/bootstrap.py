"""The matcher's composition root: one process, wired here and nowhere else."""

from __future__ import annotations

import logging

from faust.worker import Worker
from prometheus_client import REGISTRY

from academichub.matcher.app import MatcherRuntime, build_app
from academichub.matcher.metrics import MatcherMetrics
from academichub.matcher.pipeline import MatchingPipeline
from academichub.matcher.registry import RadarRegistry
from academichub.matcher.settings import MatcherSettings
from academichub.platform.heap import building_long_lived
from academichub.platform.settings import load_settings
from academichub.store.door import StoreThreads
from academichub.store.factory import open_store as open_store_for
from academichub.store.port import Store

log = logging.getLogger(__name__)


def main() -> None:
    settings = load_settings(MatcherSettings)

    def open_store() -> Store:
        return open_store_for(settings.common, index_writer=settings.index_writer)

    # One thread: the index writer, the radar index and the pipeline are used there only.
    threads = StoreThreads(1, name="matcher-store")
    store = threads.open(open_store)
    metrics = MatcherMetrics(REGISTRY)
    registry = RadarRegistry()
    # Every radar is loaded before the first paper is consumed; changes made since
    # arrive on the radars topic, which the runtime replays from its start.
    with building_long_lived():
        problems = store.call(lambda s: registry.load(s.list_radars()))
    for radar_id, error in problems:
        log.error("radar %s not loaded: %s", radar_id, error)
    metrics.radars.set(len(registry))
    log.info("loaded %d radars from the store", len(registry))

    pipeline = store.part(lambda s: MatchingPipeline(store=s, registry=registry))
    runtime = MatcherRuntime(settings, store, registry, metrics)
    app = build_app(settings, runtime, pipeline)
    worker = Worker(
        app,
        runtime,
        loglevel=settings.common.log_level,
        redirect_stdouts=False,
        override_logging=False,
    )
    try:
        worker.execute_from_commandline()
    finally:
        try:
            store.call(lambda s: s.close())
        finally:
            threads.close()
