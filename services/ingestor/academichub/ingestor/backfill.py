"""Backfills: arXiv over OAI-PMH by date range and set, medRxiv/bioRxiv over their API.

A backfill is a harvest (:mod:`academichub.ingestor.harvest`) whose checkpoint is named by
what was asked (source, set, from, until), so running the same command again after an
interruption resumes where it stopped, and running it after it finished says so instead of
asking the providers for everything again (``--restart`` does that on purpose). Papers go
through the same publishing as polls: each (id, version) once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from academichub.ingestor import pages
from academichub.ingestor.formats import parse_arxiv_oai, parse_biorxiv_json
from academichub.ingestor.harvest import Harvester, HarvestJob, HarvestProgress, HarvestReport
from academichub.ingestor.settings import IngestorSettings

BackfillSource = Literal["arxiv", "medrxiv", "biorxiv"]


@dataclass(frozen=True)
class BackfillRequest:
    source: BackfillSource
    since: dt.date
    until: dt.date | None = None
    set_spec: str | None = None  # arXiv OAI-PMH set, e.g. cs:cs:AI
    restart: bool = False

    def key(self) -> str:
        until = self.until.isoformat() if self.until else "open"
        scope = self.set_spec or "all"
        return f"backfill:{self.source}:{scope}:{self.since.isoformat()}:{until}"

    def validate(self, today: dt.date) -> None:
        if self.until is not None and self.until < self.since:
            raise ValueError(f"--until {self.until} is before --from {self.since}")
        if self.since > today:
            raise ValueError(f"--from {self.since} is in the future")
        if self.set_spec is not None and self.source != "arxiv":
            raise ValueError("--set applies to arXiv (OAI-PMH sets) only")


def backfill_job(
    request: BackfillRequest,
    settings: IngestorSettings,
    today: dt.date,
    saved: dict[str, str] | None,
) -> HarvestJob:
    if request.source == "arxiv":
        first = pages.oai_first(
            settings.arxiv_oai_url,
            since=request.since,
            until=request.until,
            set_spec=request.set_spec,
        )
        parse, next_page = parse_arxiv_oai, pages.oai_next
    else:
        base = f"{settings.biorxiv_api_url.rstrip('/')}/{request.source}"
        first = pages.biorxiv_first(base, request.since, request.until or today)
        parse, next_page = parse_biorxiv_json, pages.biorxiv_next
    # An open-ended bioRxiv window ends "today": resume the window that was started, even
    # on a later day, rather than begin a new one.
    if (
        saved
        and request.until is None
        and saved.get("state") == "running"
        and not request.restart
        and saved.get("first_url")
    ):
        first = saved["first_url"]
    return HarvestJob(
        key=request.key(),
        source=request.source,
        first_url=first,
        parse=parse,
        next_page=next_page,
        restart=request.restart,
    )


async def run_backfill(
    request: BackfillRequest,
    settings: IngestorSettings,
    harvester: Harvester,
    today: dt.date,
    on_page: Callable[[HarvestProgress], None] | None = None,
) -> HarvestReport:
    request.validate(today)
    job = backfill_job(request, settings, today, harvester.checkpoint(request.key()))
    return await harvester.run(job, on_page=on_page)
