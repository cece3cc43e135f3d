"""The ingestor's state in Elasticsearch (:class:`~academichub.store.port.IngestStateStore`).

* **Published keys** (``ingest-published``) and **cursors** (``ingest-cursors``), written
  by id: a replay writes the same document again.
* **Preprints by DOI**, in two indices as the embedded store's two tables:
  ``preprint-papers`` holds the latest remembered version of each preprint, keyed by paper
  id, written with its version rank as external version of type ``external_gte``: the same
  or a newer version replaces it (it may carry a publication merged since), an older one (a
  backfill) is refused with a 409, which is the answer "keep the newer";
  ``preprint-dois`` holds every DOI a preprint is known by
  (:func:`academichub.store.publication.preprint_dois`), keyed by the DOI, pointing at the
  paper id; the latest write wins. A DOI longer than an Elasticsearch id may be (512 bytes)
  is keyed by its SHA-256.

* **The sent outbox** (``ingest-sent``): the papers published and not yet seen stored,
  keyed like the published keys, numbered in the order first kept (``seq``) and with their
  next check time; written *before* their keys are marked published (no transaction
  spans the two: a crash in between leaves a kept paper whose key the next poll publishes
  again, harmless), created once (``create``: a paper kept already keeps its check time).

Reads by id are real-time, so the ingestor finds what it remembered a moment before; the
outbox listings refresh first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

from academichub.contracts import Paper
from academichub.store.elastic.bulk import CONFLICT, NOT_FOUND, Operation
from academichub.store.elastic.cluster import Cluster, filtered
from academichub.store.elastic.documents import instant, paper_from, version_id, version_rank
from academichub.store.port import SentPaper
from academichub.store.publication import preprint_dois

_MAX_ID_BYTES: Final = 512


def doi_id(doi: str) -> str:
    return (
        doi
        if len(doi.encode()) <= _MAX_ID_BYTES
        else "sha256:" + hashlib.sha256(doi.encode()).hexdigest()
    )


class ElasticsearchIngestState:
    """The ingest indices of ``cluster``."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._names = cluster.names

    def unpublished(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        # Sorted: a set's order changes from run to run, the requests should not.
        wanted = sorted(set(keys), key=lambda k: (k[0], version_rank(k[1])))
        found = self._cluster.mget(
            self._names.published, [version_id(*k) for k in wanted], source=False
        )
        return {k for k in wanted if version_id(*k) not in found}

    def mark_published(
        self,
        keys: Iterable[tuple[str, int | None]],
        sent: Sequence[Paper] = (),
        check_at: dt.datetime | None = None,
    ) -> None:
        if sent and check_at is None:
            raise ValueError("papers kept as sent need a check time")
        self._cluster.live()
        if sent and check_at is not None:
            kept = list({p.key: p for p in sent}.values())
            numbers = self._cluster.allocate("ingest-sent", len(kept))
            self._cluster.bulk(
                [
                    Operation(
                        "create",
                        self._names.sent,
                        version_id(*paper.key),
                        {
                            "paper_id": paper.id,
                            "version_rank": version_rank(paper.version),
                            "check_at": instant(check_at),
                            "attempts": 0,
                            "seq": seq,
                            "paper": paper.model_dump(mode="json"),
                        },
                        outcomes=frozenset({CONFLICT}),
                    )
                    for paper, seq in zip(kept, numbers, strict=True)
                ]
            )
        self._cluster.bulk(
            [
                Operation(
                    "index",
                    self._names.published,
                    version_id(paper_id, version),
                    {"paper_id": paper_id, "version_rank": version_rank(version)},
                )
                for paper_id, version in keys
            ]
        )

    def sent_papers_due(self, now: dt.datetime, limit: int = 500) -> list[SentPaper]:
        self._cluster.make_visible(self._names.sent)
        body = {
            "query": filtered({"range": {"check_at": {"lte": instant(now)}}}),
            "sort": [{"check_at": "asc"}, {"seq": "asc"}],
            "track_total_hits": False,
            "size": max(limit, 0),
            "_source": ["paper", "attempts"],
        }
        hits = self._cluster.search(self._names.sent, body)["hits"]["hits"]
        return [SentPaper(paper_from(h["_source"]), int(h["_source"]["attempts"])) for h in hits]

    def settle_sent(
        self,
        stored: Iterable[tuple[str, int | None]],
        resent: Iterable[tuple[tuple[str, int | None], dt.datetime]] = (),
    ) -> None:
        self._cluster.live()
        operations = [
            Operation(
                "delete", self._names.sent, version_id(*key), {}, outcomes=frozenset({NOT_FOUND})
            )
            for key in dict.fromkeys(stored)
        ]
        again = dict(resent)
        if again:
            # Read, then written whole: one ingestor settles its own outbox.
            docs = self._cluster.mget(
                self._names.sent, [version_id(*key) for key in again], source=True
            )
            for key, check_at in again.items():
                doc = docs.get(version_id(*key))
                if doc is None:
                    continue
                source = dict(doc["_source"])
                source.update(check_at=instant(check_at), attempts=int(source["attempts"]) + 1)
                operations.append(Operation("index", self._names.sent, version_id(*key), source))
        self._cluster.bulk(operations)

    def count_sent(self, min_attempts: int = 0) -> int:
        es = self._cluster.live()
        self._cluster.make_visible(self._names.sent)
        query = filtered({"range": {"attempts": {"gte": min_attempts}}})
        return int(self._cluster.call(es.count, index=self._names.sent, query=query).body["count"])

    def trim_sent(self, keep: int) -> int:
        extra = self.count_sent() - max(keep, 0)
        if extra <= 0:
            return 0
        body = {
            "query": {"match_all": {}},
            "sort": [{"seq": "asc"}],
            "track_total_hits": False,
            "size": min(extra, 10_000),
            "_source": False,
        }
        hits = self._cluster.search(self._names.sent, body)["hits"]["hits"]
        results = self._cluster.bulk(
            [
                Operation(
                    "delete", self._names.sent, str(h["_id"]), {}, outcomes=frozenset({NOT_FOUND})
                )
                for h in hits
            ]
        )
        return sum(1 for r in results if r.status != NOT_FOUND)

    def get_cursor(self, source: str) -> dict[str, str] | None:
        stored = self._cluster.get(self._names.cursors, source, ["cursor"])
        if stored is None:
            return None
        return {str(k): str(v) for k, v in stored["_source"]["cursor"].items()}

    def set_cursor(self, source: str, cursor: dict[str, str]) -> None:
        self._cluster.put(self._names.cursors, source, {"source": source, "cursor": dict(cursor)})

    def remember_preprints(self, papers: Sequence[Paper]) -> None:
        self._cluster.live()
        # One operation per document in a request (bulk items are applied independently):
        # per paper the newest version (of equals, the later), per DOI the later paper.
        newest: dict[str, Paper] = {}
        links: dict[str, str] = {}
        for paper in papers:
            dois = preprint_dois(paper)
            if not dois:
                continue
            held = newest.get(paper.id)
            if held is None or version_rank(paper.version) >= version_rank(held.version):
                newest[paper.id] = paper
            for doi in dois:
                links[doi] = paper.id
        operations = [
            Operation(
                "index",
                self._names.preprint_papers,
                paper.id,
                {
                    "paper_id": paper.id,
                    "version_rank": version_rank(paper.version),
                    "paper": paper.model_dump(mode="json"),
                },
                version=version_rank(paper.version),
                version_type="external_gte",
                outcomes=frozenset({CONFLICT}),
            )
            for paper in newest.values()
        ]
        operations += [
            Operation(
                "index", self._names.preprint_dois, doi_id(doi), {"doi": doi, "paper_id": paper_id}
            )
            for doi, paper_id in links.items()
        ]
        self._cluster.bulk(operations)

    def preprints_for_dois(self, dois: Iterable[str]) -> dict[str, Paper]:
        wanted = list(dict.fromkeys(doi.lower() for doi in dois))
        links = self._cluster.mget(
            self._names.preprint_dois, [doi_id(d) for d in wanted], source=["doi", "paper_id"]
        )
        paper_ids = {
            d: str(links[doi_id(d)]["_source"]["paper_id"]) for d in wanted if doi_id(d) in links
        }
        stored = self._cluster.mget(
            self._names.preprint_papers, sorted(set(paper_ids.values())), source=["paper"]
        )
        return {
            doi: paper_from(stored[paper_id]["_source"])
            for doi, paper_id in paper_ids.items()
            if paper_id in stored
        }
