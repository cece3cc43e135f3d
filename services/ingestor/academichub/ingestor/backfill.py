"""Backfills: arXiv over OAI-PMH by date range and set, medRxiv/bioRxiv over their API, and
arXiv metadata look-ups by id through the arXiv API (``--ids``).

A backfill is a harvest (:mod:`academichub.ingestor.harvest`) whose checkpoint is named by
what was asked (source, set, from, until), so running the same command again after an
interruption resumes where it stopped, and running it after it finished says so instead of
asking the providers for everything again (``--restart`` does that on purpose). Papers go
through the same publishing as polls: each (id, version) once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from academichub.contracts.identifiers import parse_arxiv_ref
from academichub.ingestor.domain import pages
from academichub.ingestor.formats.arxiv_atom import parse_arxiv_atom
from academichub.ingestor.formats.arxiv_oai import parse_arxiv_oai
from academichub.ingestor.formats.biorxiv_json import parse_biorxiv_json
from academichub.ingestor.harvest import Harvester, HarvestJob, HarvestProgress, HarvestReport
from academichub.ingestor.settings import IngestorSettings

BackfillSource = Literal["arxiv", "medrxiv", "biorxiv"]


# The API's id_list takes many ids; keep URLs well under common 8 KB limits.
MAX_IDS = 400


@dataclass(frozen=True)
class BackfillRequest:
    source: BackfillSource
    since: dt.date | None = None
    until: dt.date | None = None
    set_spec: str | None = None  # arXiv OAI-PMH set, e.g. cs:cs:AI
    restart: bool = False
    ids: tuple[str, ...] = ()  # arXiv ids to look up instead of a date range

    def key(self) -> str:
        if self.ids:
            digest = hashlib.sha256(",".join(sorted(self.ids)).encode()).hexdigest()[:16]
            return f"backfill:{self.source}:ids:{len(self.ids)}:{digest}"
        assert self.since is not None  # validate() requires --from without --ids
        until = self.until.isoformat() if self.until else "open"
        scope = self.set_spec or "all"
        return f"backfill:{self.source}:{scope}:{self.since.isoformat()}:{until}"

    def validate(self, today: dt.date) -> None:
        if self.ids:
            self._validate_ids()
            return
        if self.since is None:
            raise ValueError("--from DATE is required (or --ids for arXiv look-ups)")
        if self.until is not None and self.until < self.since:
            raise ValueError(f"--until {self.until} is before --from {self.since}")
        if self.since > today:
            raise ValueError(f"--from {self.since} is in the future")
        if self.set_spec is not None and self.source != "arxiv":
            raise ValueError("--set applies to arXiv (OAI-PMH sets) only")

    def _validate_ids(self) -> None:
        if self.source != "arxiv":
            raise ValueError("--ids looks up arXiv ids; bioRxiv/medRxiv take --from")
        if self.since is not None or self.until is not None or self.set_spec is not None:
            raise ValueError("--ids is a look-up: it takes no --from, --until or --set")
        if len(self.ids) > MAX_IDS:
            raise ValueError(f"--ids takes at most {MAX_IDS} ids per run ({len(self.ids)} given)")
        bad = [i for i in self.ids if parse_arxiv_ref(i) is None]
        if bad:
            raise ValueError(f"not arXiv ids: {', '.join(bad)}")


def backfill_job(
    request: BackfillRequest,
    settings: IngestorSettings,
    today: dt.date,
    saved: dict[str, str] | None,
) -> HarvestJob:
    if request.ids:
        refs = [parse_arxiv_ref(i) for i in request.ids]
        # Without a version the API answers the latest one, which is what a look-up wants.
        id_list = ",".join(
            ref.id if ref.version is None else f"{ref.id}v{ref.version}"
            for ref in refs
            if ref is not None
        )
        first = pages.arxiv_api_ids(settings.arxiv_api_url, id_list)
        parse, next_page = parse_arxiv_atom, pages.arxiv_api_next
    elif request.source == "arxiv":
        assert request.since is not None
        first = pages.oai_first(
            settings.arxiv_oai_url,
            since=request.since,
            until=request.until,
            set_spec=request.set_spec,
        )
        parse, next_page = parse_arxiv_oai, pages.oai_next
    else:
        assert request.since is not None
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
    job = backfill_job(request, settings, today, await harvester.checkpoint(request.key()))
    return await harvester.run(job, on_page=on_page)
