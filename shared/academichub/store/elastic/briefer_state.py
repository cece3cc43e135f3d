"""The briefer's state in Elasticsearch: per-paper summaries, briefing delivery and
upgrades, daily token usage (:class:`~academichub.store.port.BrieferStateStore`).

* **Summaries** are created once per (paper, version) (``op_type=create``): the first
  write wins and a replay or a racing briefer gets a 409, which is the answer "already
  stored".
* **Delivery** lives in the briefing document ``close_window`` creates (revision 1, nothing
  published): ``mark_briefing_published`` and ``upgrade_briefing`` are read-modify-write
  steps on that one document, written only if nobody wrote it since it was read
  (``if_seq_no``/``if_primary_term``), and read again on a conflict. The flag
  ``published`` (published revision >= revision) is what the listing filters on.
* **Upgrade marks** are documents keyed by briefing id, numbered in marking order by a
  counter; a mark may exist before its briefing.
* **Token usage** is a counter per (day, account), added to by a scripted update (an
  atomic increment, applied one at a time per document): not idempotent, by contract.

The two listings (``unpublished_briefings``, ``briefings_to_upgrade``) are searches; each
refreshes its index first, so it sees every write acknowledged before it, from any process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from elasticsearch import ConflictError

from academichub.contracts import Briefing
from academichub.store.elastic.bulk import CONFLICT, Operation, Refresh
from academichub.store.elastic.cluster import UPDATE_RETRIES, Cluster, filtered, increment
from academichub.store.elastic.documents import (
    briefing_from,
    summary_document,
    summary_from,
    token_usage_id,
    version_id,
)
from academichub.store.elastic.errors import ElasticsearchStoreError
from academichub.store.port import PaperSummary

# Forgotten: token counters of days this much older than the day written.
TOKEN_DAYS_KEPT: Final = 7
# A conditional write lost to a concurrent one is read and tried again this many times.
_WRITE_ATTEMPTS: Final = 10
_UPGRADES_COUNTER: Final = "briefing-upgrades"


class ElasticsearchBrieferState:
    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._names = cluster.names
        self._pruned_before: dt.date | None = None

    # --- per-paper summaries --------------------------------------------------------
    def get_summaries(
        self, keys: Iterable[tuple[str, int | None]]
    ) -> dict[tuple[str, int | None], PaperSummary]:
        wanted = list(dict.fromkeys(keys))
        docs = self._cluster.mget(
            self._names.paper_summaries, [version_id(*k) for k in wanted], source=True
        )
        return {
            k: summary_from(docs[version_id(*k)]["_source"])
            for k in wanted
            if version_id(*k) in docs
        }

    def put_summaries(self, summaries: Sequence[PaperSummary]) -> int:
        self._cluster.live()
        # One operation per key: bulk items are applied independently, so a key twice in
        # one request would not see its own first write.
        first: dict[tuple[str, int | None], PaperSummary] = {}
        for summary in summaries:
            first.setdefault(summary.key, summary)
        results = self._cluster.bulk(
            [
                Operation(
                    "create",
                    self._names.paper_summaries,
                    version_id(*s.key),
                    summary_document(s),
                    outcomes=frozenset({CONFLICT}),
                )
                for s in first.values()
            ]
        )
        return sum(1 for r in results if r.status != CONFLICT)

    # --- delivery and upgrades --------------------------------------------------------
    def unpublished_briefings(self, limit: int = 100) -> list[tuple[Briefing, int]]:
        self._cluster.make_visible(self._names.briefings)
        body = {
            "query": filtered({"term": {"published": False}}),
            "sort": [{"seq": "asc"}],
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": ["briefing", "revision"],
        }
        hits = self._cluster.search(self._names.briefings, body)["hits"]["hits"]
        return [(briefing_from(h["_source"]), int(h["_source"]["revision"])) for h in hits]

    def mark_briefing_published(self, briefing_id: str, revision: int) -> None:
        for _ in range(_WRITE_ATTEMPTS):
            stored = self._briefing(briefing_id)
            if stored is None:
                return  # nothing stored under this id: nothing to mark
            stored_revision, published = _revisions(stored["_source"])
            if published >= revision:
                return  # this revision or a later one is marked already
            doc = {"published_revision": revision, "published": revision >= stored_revision}
            if self._write_if_unchanged(briefing_id, stored, doc):
                return
        raise _kept_changing(briefing_id, "marked published")

    def mark_for_upgrade(self, briefing_id: str) -> None:
        es = self._cluster.live()
        if self._cluster.get(self._names.briefing_upgrades, briefing_id, ["seq"]) is not None:
            return  # marked already: keep its place in the order
        (seq,) = self._cluster.allocate(_UPGRADES_COUNTER, 1)
        # A 409: marked meanwhile by another briefer, which is as good.
        with contextlib.suppress(ConflictError):
            self._cluster.call(
                es.create,
                index=self._names.briefing_upgrades,
                id=briefing_id,
                document={"briefing_id": briefing_id, "seq": seq},
                refresh=self._cluster.refresh,
            )

    def briefings_to_upgrade(self, limit: int = 20) -> list[Briefing]:
        if limit <= 0:
            return []
        self._cluster.make_visible(self._names.briefing_upgrades)
        found: list[Briefing] = []
        marks: list[str] = []

        def collect() -> None:
            docs = self._cluster.mget(self._names.briefings, marks, source=["briefing"])
            found.extend(briefing_from(docs[m]["_source"]) for m in marks if m in docs)
            marks.clear()

        for hit in self._cluster.scan(
            self._names.briefing_upgrades,
            {"match_all": {}},
            [{"seq": "asc"}],
            ["briefing_id"],
        ):
            marks.append(str(hit["_id"]))
            if len(marks) == limit - len(found):
                collect()
                if len(found) == limit:
                    break
        if marks:
            collect()
        return found

    def upgrade_briefing(self, briefing: Briefing) -> int | None:
        for _ in range(_WRITE_ATTEMPTS):
            mark = self._cluster.get(self._names.briefing_upgrades, briefing.id, ["seq"])
            stored = self._briefing(briefing.id)
            if mark is None or stored is None:
                return None
            old = briefing_from(stored["_source"])
            if not old.degraded:
                return None
            if (briefing.radar_id, briefing.window) != (old.radar_id, old.window):
                raise ValueError(f"an upgrade of {briefing.id} must keep its radar and window")
            revision = _revisions(stored["_source"])[0] + 1
            doc = {
                "briefing": briefing.model_dump(mode="json"),
                "revision": revision,
                "published": False,
                # A new revision for the delivery loop too (see delivery.py).
                "delivered": False,
            }
            # Visible before returning: the gateway lists a radar's briefings by search,
            # and an upgrade is rare enough to wait for a refresh.
            if self._write_if_unchanged(briefing.id, stored, doc, self._cluster.visible):
                # The briefing is no longer degraded, so a crash before the mark is gone
                # leaves a mark that upgrades nothing (the briefer drops it).
                self.drop_upgrade(briefing.id)
                return revision
        raise _kept_changing(briefing.id, "upgraded")

    def drop_upgrade(self, briefing_id: str) -> None:
        self._cluster.delete(self._names.briefing_upgrades, briefing_id)

    def _briefing(self, briefing_id: str) -> Mapping[str, Any] | None:
        return self._cluster.get(
            self._names.briefings,
            briefing_id,
            ["briefing", "revision", "published_revision"],
        )

    def _write_if_unchanged(
        self,
        briefing_id: str,
        stored: Mapping[str, Any],
        doc: dict[str, Any],
        refresh: Refresh = None,
    ) -> bool:
        """Update the briefing with ``doc`` unless it changed since ``stored`` was read."""
        es = self._cluster.live()
        try:
            self._cluster.call(
                es.update,
                index=self._names.briefings,
                id=briefing_id,
                doc=doc,
                if_seq_no=int(stored["_seq_no"]),
                if_primary_term=int(stored["_primary_term"]),
                refresh=refresh or self._cluster.refresh,
            )
        except ConflictError:
            return False
        return True

    # --- token usage ------------------------------------------------------------------
    def add_token_usage(self, day: dt.date, accounts: Sequence[str], tokens: int) -> None:
        self._cluster.live()
        if not accounts:
            return
        self._cluster.bulk(
            [
                Operation(
                    "update",
                    self._names.token_usage,
                    token_usage_id(day, account),
                    {
                        "script": increment("tokens", "tokens", tokens),
                        "upsert": {"day": day.isoformat(), "account": account, "tokens": tokens},
                    },
                    retry_on_conflict=UPDATE_RETRIES,
                )
                for account in dict.fromkeys(accounts)
            ]
        )
        self._forget_old_days(day)

    def token_usage(self, day: dt.date, accounts: Sequence[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(accounts))
        docs = self._cluster.mget(
            self._names.token_usage, [token_usage_id(day, a) for a in wanted], source=["tokens"]
        )
        used = {
            a: int(docs[token_usage_id(day, a)]["_source"]["tokens"])
            for a in wanted
            if token_usage_id(day, a) in docs
        }
        return {a: used.get(a, 0) for a in accounts}

    def _forget_old_days(self, day: dt.date) -> None:
        # Once per process and day, not on every model call: a delete-by-query is a task.
        oldest = day - dt.timedelta(days=TOKEN_DAYS_KEPT)
        if self._pruned_before is not None and self._pruned_before >= oldest:
            return
        self._cluster.delete_matching(
            self._names.token_usage, filtered({"range": {"day": {"lt": oldest.isoformat()}}})
        )
        self._pruned_before = oldest


def _revisions(source: Mapping[str, Any]) -> tuple[int, int]:
    """(stored revision, newest published revision) of a briefing document. A briefing
    written before delivery was tracked counts as revision 1, published (as in the
    embedded store's migration)."""
    return int(source.get("revision", 1)), int(source.get("published_revision", 1))


def _kept_changing(briefing_id: str, what: str) -> ElasticsearchStoreError:
    return ElasticsearchStoreError(
        f"briefing {briefing_id!r} kept changing while being {what} ({_WRITE_ATTEMPTS} tries)"
    )
