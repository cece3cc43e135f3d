"""One poll of one source: fetch politely, parse, publish each new (id, version) once
(see :mod:`academichub.ingestor.publishing` for the order that makes that safe).

Single-document sources (RSS, Atom, RDF) are one conditional GET. Paged sources (OAI-PMH,
the bioRxiv/medRxiv and arXiv APIs, Crossref) are a harvest over a date window that starts
where the last complete harvest ended (:mod:`academichub.ingestor.harvest`). An arXiv RSS
feed whose announcement date falls behind the calendar is flagged stale and the missing
days are recovered through the arXiv API. Every poll leaves the source's status in its
cursor (:mod:`academichub.source_status`) and schedules the next one
(:mod:`academichub.ingestor.domain.schedule`).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit

from academichub import source_status as status
from academichub.arxiv_calendar import ArxivCalendar
from academichub.broker.publisher import EventPublisher, Refusal
from academichub.ingestor.domain import pages, schedule
from academichub.ingestor.domain.politeness import HostPacer
from academichub.ingestor.fetch import Fetcher, FetchResult
from academichub.ingestor.formats import FeedParse, Repair
from academichub.ingestor.formats.crossref_json import crossref_relations
from academichub.ingestor.formats.rss import parse_rss
from academichub.ingestor.harvest import Harvester, HarvestJob, HarvestReport
from academichub.ingestor.metrics import IngestorMetrics
from academichub.ingestor.publishing import PaperPublisher, PublishCounts, describe_repairs
from academichub.ingestor.settings import FeedConfig
from academichub.platform.errors import PoisonEvent, TransientError
from academichub.store.door import AsyncStore
from academichub.store.port import IngestStateStore

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = dt.timedelta(hours=1)
ARXIV_API_URL = "https://export.arxiv.org/api/query"
# How far before the feed's last announce date recovery searches (submission to
# announcement can take up to three days over a weekend).
RECOVERY_MARGIN = dt.timedelta(days=4)
# Further behind than this is not a stale feed but a gap for a backfill (OAI-PMH).
MAX_RECOVERED_LISTINGS = 5

# Cursor keys of the paged sources' windows.
OAI_FROM = "oai_from"
WINDOW_FROM = "window_from"
INDEX_FROM = "index_from"


@dataclass(frozen=True)
class PollReport:
    feed: str
    outcome: str  # ok | not_modified | feed_error | http_error | error | unreachable | refused
    entries: int = 0
    published: int = 0
    duplicates: int = 0
    malformed: int = 0
    refused: int = 0  # papers the broker refused for good
    notes: str | None = None  # what was repaired or refused, when the poll read entries
    message: str | None = None
    stale: bool = False
    recovered: int = 0  # papers published by gap recovery in this poll
    next_poll_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("ok", "not_modified")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Poller:
    def __init__(
        self,
        *,
        fetcher: Fetcher,
        pacer: HostPacer,
        state: AsyncStore[IngestStateStore],
        publisher: EventPublisher,
        formats: Mapping[str, Callable[[bytes], FeedParse]],
        metrics: IngestorMetrics,
        calendar: ArxivCalendar | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
        default_interval: dt.timedelta = DEFAULT_INTERVAL,
        arxiv_api_url: str = ARXIV_API_URL,
        check: Callable[[FeedConfig, str, FetchResult], None] | None = None,
        papers: PaperPublisher | None = None,
    ) -> None:
        self._fetcher = fetcher
        self._pacer = pacer
        self._state = state
        self._papers = papers or PaperPublisher(state=state, publisher=publisher, metrics=metrics)
        self._formats = formats
        self._metrics = metrics
        self._calendar = calendar or ArxivCalendar()
        self._clock = clock
        self._default_interval = default_interval
        self._arxiv_api_url = arxiv_api_url
        self._check = check

    def _parser(self, feed: FeedConfig) -> Callable[[bytes], FeedParse]:
        parse = self._formats.get(feed.format)
        if parse is None:
            known = ", ".join(sorted(self._formats))
            raise ValueError(f"feed {feed.name}: unknown format {feed.format!r} (known: {known})")
        if feed.format == "rss" and feed.journal:
            return functools.partial(parse_rss, journal=feed.journal)
        return parse

    def _harvester(self, feed: FeedConfig) -> Harvester:
        check = self._check
        return Harvester(
            fetcher=self._fetcher,
            pacer=self._pacer,
            papers=self._papers,
            state=self._state,
            check=(lambda url, result: check(feed, url, result)) if check else None,
        )

    async def poll(self, feed: FeedConfig) -> PollReport:
        parse = self._parser(feed)
        cursor = await self._cursor(feed)
        # A recording (file://) is one page of a paged source, read as it is: following
        # its resumption token would read the same file again.
        if feed.format in pages.PAGED_FORMATS and not feed.url.startswith("file://"):
            report, cursor = await self._poll_pages(feed, parse, cursor)
        else:
            report, cursor = await self._poll_document(feed, parse, cursor)
        # A replayed recording is not a live feed: it is always "behind".
        if report.ok and feed.format == "arxiv-rss" and not feed.url.startswith("file://"):
            report, cursor = await self._check_staleness(feed, report, cursor)
        return await self._finish(feed, report, cursor)

    # --- single documents ------------------------------------------------------------

    async def _poll_document(
        self, feed: FeedConfig, parse: Callable[[bytes], FeedParse], cursor: dict[str, str]
    ) -> tuple[PollReport, dict[str, str]]:
        same_url = cursor.get("url") == feed.url
        etag = cursor.get("etag") if same_url else None
        async with self._pacer.slot(feed.url):
            result = await self._fetcher.fetch(
                feed.url, etag=etag, last_modified=cursor.get("last_modified") if same_url else None
            )
        if result.not_modified:
            return PollReport(feed.name, "not_modified"), cursor
        try:
            if self._check is not None and result.status < 400:
                self._check(feed, feed.url, result)
            parsed = parse(result.body)
        except PoisonEvent as exc:
            if result.status >= 400:  # an error page, not a feed: the status says it all
                return PollReport(feed.name, "http_error", message=f"HTTP {result.status}"), cursor
            message = f"HTTP {result.status}: {exc}"
            return PollReport(feed.name, "feed_error", message=message), cursor
        if parsed.feed.is_error:
            message = f"HTTP {result.status}: {parsed.feed.error_message}"
            return PollReport(feed.name, "feed_error", message=message), cursor
        if result.status >= 400:
            return PollReport(feed.name, "http_error", message=f"HTTP {result.status}"), cursor
        counts = await self._papers.publish(feed.name, parsed, enrich=feed.enrich)
        report = PollReport(
            feed.name,
            "ok",
            counts.entries,
            counts.published,
            counts.duplicates,
            counts.malformed,
            refused=len(counts.refused),
            notes=_notes(counts.repairs, len(counts.refused), counts.refused),
        )
        return report, _document_cursor(cursor, feed, result, parsed, counts)

    # --- paged sources ---------------------------------------------------------------

    async def _poll_pages(
        self, feed: FeedConfig, parse: Callable[[bytes], FeedParse], cursor: dict[str, str]
    ) -> tuple[PollReport, dict[str, str]]:
        today = self._clock().date()
        first = self._first_page(feed, cursor, today)
        job = HarvestJob(
            key=f"{feed.name}#pages",
            source=feed.name,
            first_url=first,
            parse=parse,
            next_page=pages.NEXT_PAGE[feed.format],
            # Crossref says which works are journal versions of preprints (has-preprint).
            relations=crossref_relations if feed.format == pages.CROSSREF_PAGED else None,
            enrich=feed.enrich,
            repeat=True,
        )
        harvest = await self._harvester(feed).run(job)
        report = _harvest_report(feed.name, harvest)
        if harvest.outcome != "complete":
            return report, cursor
        cursor = dict(cursor) | {"url": feed.url}
        if feed.format == pages.OAI_PAGED:
            # OAI-PMH: the next harvest starts from the date this one's first answer was made.
            made = harvest.first_page.response_date if harvest.first_page else None
            cursor[OAI_FROM] = (made.date() if made else today).isoformat()
        elif feed.format == pages.BIORXIV_PAGED:
            # The window's last day is read again: records dated today keep arriving.
            cursor[WINDOW_FROM] = today.isoformat()
        elif feed.format == pages.CROSSREF_PAGED:
            cursor[INDEX_FROM] = today.isoformat()
        return report, cursor

    def _first_page(self, feed: FeedConfig, cursor: Mapping[str, str], today: dt.date) -> str:
        """The first page of this poll's window, which ends today."""

        def since(key: str) -> dt.date:
            saved = cursor.get(key) if cursor.get("url") == feed.url else None
            return (
                dt.date.fromisoformat(saved)
                if saved
                else today - dt.timedelta(days=feed.lookback_days)
            )

        if feed.format == pages.OAI_PAGED:
            return pages.oai_first(feed.url, since=since(OAI_FROM))
        if feed.format == pages.BIORXIV_PAGED:
            return pages.biorxiv_first(feed.url, since(WINDOW_FROM), today)
        if feed.format == pages.CROSSREF_PAGED:
            return pages.crossref_first(feed.url, since=since(INDEX_FROM), rows=feed.page_size)
        return pages.arxiv_api_paged(feed.url, page_size=feed.page_size)

    # --- arXiv staleness and gap recovery --------------------------------------------

    async def _check_staleness(
        self, feed: FeedConfig, report: PollReport, cursor: dict[str, str]
    ) -> tuple[PollReport, dict[str, str]]:
        announced = cursor.get("announce_date")
        date = dt.date.fromisoformat(announced) if announced else None
        found = schedule.arxiv_staleness(date, self._calendar, self._clock())
        cursor = status.flagged(cursor, found.stale)
        if not found.stale:
            return report, cursor
        log.warning(
            "%s: stale: the feed still shows %s, %d listing(s) behind %s",
            feed.name,
            date,
            found.missed,
            found.expected,
        )
        report = replace(report, stale=True)
        if not feed.recover or cursor.get(status.RECOVERED_FOR) == found.expected.isoformat():
            return report, cursor
        assert date is not None  # stale implies a known date
        categories = _rss_categories(feed.url)
        if not categories:
            return report, cursor
        if found.missed > MAX_RECOVERED_LISTINGS:
            message = (
                f"{found.missed} listings behind: too far for gap recovery; run "
                f"'academichub backfill arxiv --from {date}'"
            )
            return replace(report, message=message), cursor
        try:
            recovery = await self._recover(feed, categories, date)
        except TransientError as exc:
            message = f"gap recovery through the arXiv API failed: {exc}"
            return replace(report, message=message), cursor
        if not recovery.ok:
            message = f"gap recovery through the arXiv API failed: {recovery.message}"
            return replace(report, message=message), cursor
        published = recovery.progress.published
        log.info("%s: recovered %d papers through the arXiv API", feed.name, published)
        cursor = cursor | {
            status.RECOVERED_FOR: found.expected.isoformat(),
            status.RECOVERED_ITEMS: str(published),
        }
        return replace(report, recovered=published), cursor

    async def _recover(
        self, feed: FeedConfig, categories: list[str], announced: dt.date
    ) -> HarvestReport:
        start = announced - RECOVERY_MARGIN
        end = self._clock()
        cats = " OR ".join(f"cat:{c}" for c in categories)
        window = f"submittedDate:[{start:%Y%m%d}0000 TO {end:%Y%m%d%H%M}]"
        query = f"({cats}) AND {window}" if len(categories) > 1 else f"{cats} AND {window}"
        job = HarvestJob(
            key=f"{feed.name}#recovery",
            source=feed.name,
            first_url=pages.arxiv_api_first(self._arxiv_api_url, query, page_size=feed.page_size),
            parse=self._formats["arxiv-atom"],
            next_page=pages.arxiv_api_next,
        )
        return await self._harvester(feed).run(job)

    # --- status ----------------------------------------------------------------------

    async def _cursor(self, feed: FeedConfig) -> dict[str, str]:
        return await self._state.run(lambda s: s.get_cursor(feed.name)) or {}

    async def _finish(
        self, feed: FeedConfig, report: PollReport, cursor: dict[str, str]
    ) -> PollReport:
        now = self._clock()
        if report.ok:
            items = report.entries if report.outcome == "ok" else None
            cursor = status.succeeded(cursor, now, items)
            if items is not None:
                cursor = status.noted(cursor, report.notes)
            self._metrics.last_success.labels(source=feed.name).set(now.timestamp())
            if items is not None:
                self._metrics.last_poll_items.labels(source=feed.name).set(items)
        else:
            log.error("%s: %s", feed.name, report.message)
            cursor = status.failed(cursor, now, report.message or report.outcome)
            self._metrics.last_error.labels(source=feed.name).set(now.timestamp())
        self._metrics.polls.labels(source=feed.name, outcome=report.outcome).inc()
        self._metrics.stale.labels(source=feed.name).set(1 if report.stale else 0)
        due = schedule.next_poll(
            now=now,
            interval=dt.timedelta(seconds=feed.every_seconds)
            if feed.every_seconds
            else self._default_interval,
            arxiv_rss=feed.format == "arxiv-rss",
            calendar=self._calendar,
            consecutive_failures=status.read_status(cursor).consecutive_failures,
            stale=report.stale,
        )
        self._metrics.next_poll.labels(source=feed.name).set(due.timestamp())
        scheduled = status.scheduled(cursor, due)
        await self._state.run(lambda s: s.set_cursor(feed.name, scheduled))
        return replace(report, next_poll_at=due)

    async def record_failure(self, feed: FeedConfig, outcome: str, message: str) -> PollReport:
        """A poll that raised (network down, retries exhausted): status and schedule."""
        cursor = await self._cursor(feed)
        return await self._finish(feed, PollReport(feed.name, outcome, message=message), cursor)


def _harvest_report(name: str, harvest: HarvestReport) -> PollReport:
    p = harvest.progress
    notes = _notes(p.repairs, p.refused)
    if harvest.outcome == "failed":
        return PollReport(
            name,
            "feed_error",
            p.entries,
            p.published,
            p.duplicates,
            p.malformed,
            refused=p.refused,
            notes=notes,
            message=harvest.message,
        )
    return PollReport(
        name,
        "ok",
        p.entries,
        p.published,
        p.duplicates,
        p.malformed,
        refused=p.refused,
        notes=notes,
    )


def _notes(repairs: Sequence[Repair], refused: int, examples: Sequence[Refusal] = ()) -> str | None:
    """The poll's notes for its status: repairs by kind and field, papers refused."""
    parts = [describe_repairs(repairs)] if repairs else []
    if refused:
        shown = "; ".join(f"{r.key}: {r.reason}" for r in examples[:2])
        parts.append(f"refused by the broker: {refused}" + (f" ({shown})" if shown else ""))
    return "; ".join(parts) or None


def _document_cursor(
    cursor: Mapping[str, str],
    feed: FeedConfig,
    result: FetchResult,
    parsed: FeedParse,
    counts: PublishCounts,
) -> dict[str, str]:
    out = {k: v for k, v in cursor.items() if k not in ("etag", "last_modified")}
    out["url"] = feed.url
    # A document with skipped entries (a cut-off body, say) or papers the broker refused is
    # not remembered as seen: with its ETag stored, the next poll would get a 304 and the
    # skipped or refused entries never arrive.
    if not parsed.errors and not counts.refused:
        if result.etag:
            out["etag"] = result.etag
        if result.last_modified:
            out["last_modified"] = result.last_modified
    if parsed.feed.announce_date:
        out["announce_date"] = parsed.feed.announce_date.isoformat()
    return out


def _rss_categories(url: str) -> list[str]:
    """``https://rss.arxiv.org/rss/cs.AI+cs.CL`` -> ``["cs.AI", "cs.CL"]`` (the feed path
    after ``/rss/`` or ``/atom/`` is the ``+``-joined category list)."""
    path = unquote(urlsplit(url).path)
    listed = path.partition("/rss/")[2] or path.partition("/atom/")[2]
    return [c for c in listed.strip("/").replace(" ", "+").split("+") if c]
