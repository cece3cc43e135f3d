"""Reading a paged source page by page, with a checkpoint after every page.

Polls of paged sources (OAI-PMH, the bioRxiv and arXiv APIs, Crossref) and backfills share
this loop. After each page is published, the URL of the next one is written to the store
under the job's key; a harvest interrupted anywhere (a crash, a deploy, a provider error)
resumes from the page it had not finished. A page published again on resume costs nothing:
publishing skips every (id, version) already published.

Failures a page can have, none of which loses the pages before it:

- the HTTP answer is an error (after the fetcher's retries) or not the expected document;
- the source answers with an error document (arXiv API error feed, OAI-PMH ``<error>``);
- the page contradicts the paging it announced (:class:`PageGap`).

An expired OAI-PMH resumption token (tokens last a day) restarts the harvest from its first
page once, instead of failing for good.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from academichub.ingestor.domain.pages import NextPage, PageGap
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.fetch import Fetcher, FetchResult
from academichub.ingestor.formats import FeedError, FeedInfo, FeedParse, Repair
from academichub.ingestor.formats.crossref_json import WorkRelations
from academichub.ingestor.publishing import PaperPublisher
from academichub.platform.errors import PoisonEvent
from academichub.store.door import AsyncStore
from academichub.store.port import IngestStateStore

log = logging.getLogger(__name__)

EXPIRED_TOKEN = "badResumptionToken"


@dataclass(frozen=True)
class HarvestJob:
    key: str  # where the checkpoint lives in the store
    source: str  # the metrics label of the papers
    first_url: str
    parse: Callable[[bytes], FeedParse]
    next_page: NextPage
    restart: bool = False  # ignore a checkpoint of the same job, harvest from the first page
    # A completed job is read again from its first page (polls: the same window later the
    # same day holds new records); a backfill done once is done.
    repeat: bool = False
    # Links between works a page states beside its papers (Crossref relations).
    relations: Callable[[bytes], Mapping[str, WorkRelations]] | None = None
    enrich: bool = False  # fill missing abstracts/authors from Crossref


@dataclass
class HarvestProgress:
    pages: int = 0
    entries: int = 0
    published: int = 0
    duplicates: int = 0
    malformed: int = 0
    refused: int = 0  # papers the broker refused for good
    total: int | None = None  # records the whole harvest holds, when the source says
    resumed_at_page: int | None = None  # set when this run continued an interrupted one
    # What parsing repaired in this run's pages (not kept in the checkpoint).
    repairs: list[Repair] = field(default_factory=list)

    def as_checkpoint(self) -> dict[str, str]:
        counts = {
            "pages": self.pages,
            "entries": self.entries,
            "published": self.published,
            "duplicates": self.duplicates,
            "malformed": self.malformed,
            "refused": self.refused,
        }
        out = {k: str(v) for k, v in counts.items()}
        if self.total is not None:
            out["total"] = str(self.total)
        return out

    @classmethod
    def from_checkpoint(cls, saved: Mapping[str, str]) -> HarvestProgress:
        def number(key: str) -> int:
            text = saved.get(key, "0")
            return int(text) if text.isdigit() else 0

        total = saved.get("total")
        return cls(
            pages=number("pages"),
            entries=number("entries"),
            published=number("published"),
            duplicates=number("duplicates"),
            malformed=number("malformed"),
            refused=number("refused"),
            total=int(total) if total and total.isdigit() else None,
        )


@dataclass(frozen=True)
class HarvestReport:
    outcome: Literal["complete", "already_complete", "failed"]
    progress: HarvestProgress
    message: str | None = None
    # What the first page of this run said about itself (OAI responseDate, announce date).
    first_page: FeedInfo | None = None
    failed_url: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"


@dataclass
class _Run:
    job: HarvestJob
    progress: HarvestProgress
    url: str
    first_page: FeedInfo | None = None
    restarted: bool = False


class Harvester:
    def __init__(
        self,
        *,
        fetcher: Fetcher,
        pacer: HostPacer,
        papers: PaperPublisher,
        state: AsyncStore[IngestStateStore],
        check: Callable[[str, FetchResult], None] | None = None,
    ) -> None:
        self._fetcher = fetcher
        self._pacer = pacer
        self._papers = papers
        self._state = state
        self._check = check

    async def checkpoint(self, key: str) -> dict[str, str] | None:
        return await self._state.run(lambda s: s.get_cursor(key))

    async def run(
        self, job: HarvestJob, *, on_page: Callable[[HarvestProgress], None] | None = None
    ) -> HarvestReport:
        run = await self._start(job)
        if run is None:
            saved = await self.checkpoint(job.key) or {}
            return HarvestReport("already_complete", HarvestProgress.from_checkpoint(saved))
        while True:
            page, body, failure = await self._read(run)
            if failure is not None:
                return await self._fail(run, failure)
            assert page is not None
            if page.feed.error_code == EXPIRED_TOKEN and not run.restarted:
                log.warning(
                    "%s: resumption token expired; harvesting again from the start", job.key
                )
                run.url, run.restarted = job.first_url, True
                continue
            if page.feed.is_error:
                return await self._fail(
                    run, f"the source answered an error: {page.feed.error_message}"
                )
            if run.first_page is None:
                run.first_page = page.feed
            relations = job.relations(body) if job.relations else {}
            counts = await self._papers.publish(
                job.source, page, enrich=job.enrich, relations=relations
            )
            progress = run.progress
            progress.pages += 1
            progress.entries += counts.entries
            progress.published += counts.published
            progress.duplicates += counts.duplicates
            progress.malformed += counts.malformed
            progress.refused += len(counts.refused)
            progress.repairs.extend(counts.repairs)
            if page.feed.total_results is not None:
                progress.total = page.feed.total_results
            try:
                following = job.next_page(run.url, page)
            except PageGap as exc:
                return await self._fail(run, str(exc))
            await self._save(run, following)
            if on_page is not None:
                on_page(progress)
            if following is None:
                return HarvestReport("complete", progress, first_page=run.first_page)
            run.url = following

    async def _start(self, job: HarvestJob) -> _Run | None:
        saved = await self.checkpoint(job.key)
        if saved and saved.get("first_url") == job.first_url and not job.restart:
            if saved.get("state") == "complete":
                return _Run(job, HarvestProgress(), job.first_url) if job.repeat else None
            if saved.get("next_url"):
                progress = HarvestProgress.from_checkpoint(saved)
                progress.resumed_at_page = progress.pages
                log.info("%s: resuming at page %d", job.key, progress.pages + 1)
                return _Run(job, progress, saved["next_url"])
        return _Run(job, HarvestProgress(), job.first_url)

    async def _read(self, run: _Run) -> tuple[FeedParse | None, bytes, str | None]:
        async with self._pacer.slot(run.url):
            result = await self._fetcher.fetch(run.url)
        if self._check is not None and result.status < 400:
            try:
                # Wrong content type or charset: an HTML error page served with 200, say.
                self._check(run.url, result)
            except PoisonEvent as exc:
                return None, b"", f"HTTP {result.status}: {exc}"
        try:
            page = run.job.parse(result.body)
        except FeedError as exc:
            if result.status >= 400:  # an error page, not a document: the status says it all
                return None, b"", f"HTTP {result.status}"
            return None, b"", f"HTTP {result.status}: {exc}"
        if result.status >= 400 and not page.feed.is_error:
            return None, b"", f"HTTP {result.status}"
        return page, result.body, None

    async def _save(self, run: _Run, following: str | None) -> None:
        checkpoint = {
            "first_url": run.job.first_url,
            "next_url": following or "",
            "state": "running" if following else "complete",
        } | run.progress.as_checkpoint()
        await self._state.run(lambda s: s.set_cursor(run.job.key, checkpoint))

    async def _fail(self, run: _Run, message: str) -> HarvestReport:
        log.error("%s: page %d (%s): %s", run.job.key, run.progress.pages + 1, run.url, message)
        # The checkpoint keeps pointing at this page: the next run starts here.
        checkpoint = {
            "first_url": run.job.first_url,
            "next_url": run.url,
            "state": "running",
        } | run.progress.as_checkpoint()
        await self._state.run(lambda s: s.set_cursor(run.job.key, checkpoint))
        return HarvestReport(
            "failed", run.progress, message, first_page=run.first_page, failed_url=run.url
        )
