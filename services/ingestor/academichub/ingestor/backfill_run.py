"""The composition root of ``academichub backfill``.

Settings, store, broker, HTTP client, a progress bar on stderr, a summary line on stdout.
Interrupting it (Ctrl-C) loses nothing: the same command resumes at the page it had not
finished.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys

from prometheus_client import CollectorRegistry
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from academichub.broker.publisher import KafkaPublisher
from academichub.ingestor.backfill import BackfillRequest, run_backfill
from academichub.ingestor.harvest import Harvester, HarvestProgress, HarvestReport
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.settings import IngestorSettings
from academichub.ingestor.wiring import (
    check_for,
    host_pacer,
    http_client,
    paper_publisher,
    polite_fetcher,
)
from academichub.platform.settings import load_settings
from academichub.store.door import StoreThreads
from academichub.store.factory import open_store


def run_backfill_command(args: argparse.Namespace) -> int:
    request = BackfillRequest(
        source=args.source,
        since=args.since,
        until=args.until,
        set_spec=args.set_spec,
        restart=args.restart,
        ids=args.ids,
    )
    try:
        request.validate(dt.datetime.now(dt.UTC).date())
    except ValueError as exc:
        print(f"academichub backfill: {exc}", file=sys.stderr)
        return 2
    settings = load_settings(IngestorSettings)
    try:
        report = asyncio.run(_run(request, settings, show_progress=not args.no_progress))
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume", file=sys.stderr)
        return 130
    progress = report.progress
    resumed = (
        f" (resumed after page {progress.resumed_at_page})" if progress.resumed_at_page else ""
    )
    summary = (
        f"{request.key()}: {report.outcome}{resumed}: {progress.pages} pages, "
        f"{progress.entries} records, {progress.published} published, "
        f"{progress.duplicates} already published, {progress.malformed} malformed"
    )
    print(summary)
    if not report.ok:
        print(
            f"academichub backfill: {report.message} -- run the same command again to resume "
            f"at {report.failed_url}",
            file=sys.stderr,
        )
        return 1
    return 0


async def _run(
    request: BackfillRequest, settings: IngestorSettings, *, show_progress: bool
) -> HarvestReport:
    threads = StoreThreads(1, name="backfill-store")
    store = threads.open(lambda: open_store(settings.common, index_writer=False))
    state = store.part(lambda s: s.ingest)
    publisher = KafkaPublisher(
        settings.common.bootstrap_servers,
        client_id="backfill",
        idempotence=settings.common.producer_idempotence,
    )
    await publisher.start()
    metrics = IngestorMetrics(CollectorRegistry())
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages {task.fields[pages]}  published {task.fields[published]}"),
        TimeElapsedColumn(),
        disable=not show_progress,
        transient=False,
    )
    try:
        async with http_client(settings) as client:
            pacer = host_pacer(settings)
            harvester = Harvester(
                fetcher=polite_fetcher(settings, client, pacer, metrics),
                pacer=pacer,
                # Backfilled preprints are remembered, so their journal versions link.
                papers=paper_publisher(settings, state, publisher, metrics),
                state=state,
                check=check_for(_format(request)),
            )
            with bar:
                task = bar.add_task(request.key(), total=None, pages=0, published=0)
                return await run_backfill(
                    request,
                    settings,
                    harvester,
                    dt.datetime.now(dt.UTC).date(),
                    on_page=lambda p: _advance(bar, task, p),
                )
    finally:
        await publisher.stop()
        await store.run(lambda s: s.close())
        threads.close()


def _advance(bar: Progress, task: TaskID, progress: HarvestProgress) -> None:
    # Records, not pages, fill the bar: the sources count records (OAI-PMH's new server
    # gives no total at all, and the bar then just counts).
    bar.update(
        task,
        completed=progress.entries,
        total=progress.total,
        pages=progress.pages,
        published=progress.published,
    )


def _format(request: BackfillRequest) -> str:
    if request.ids:
        return "arxiv-atom"
    return "arxiv-oai" if request.source == "arxiv" else "biorxiv-json"
