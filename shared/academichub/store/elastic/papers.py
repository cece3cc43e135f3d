"""Papers in Elasticsearch (:class:`~academichub.store.port.PaperStore`).

* Papers are written whole to the papers alias with ``_id`` = canonical id and
  ``version_type=external`` (version = the paper version, 0 for none): a replay or an older
  version is a 409 that changes nothing. In the same bulk request each (id, version) is
  created (``op_type=create``) in the paper-versions index, the history that tells a replay
  (UNCHANGED) from a late older version (STALE). The arrival sequence that orders papers of
  one day comes from an atomic counter document and is carried over to new versions.
* Journal publications: a stored (id, version) arriving again with a journal publication
  (``doi``, ``journal_ref``) is merged into its history document and, for the current
  version, rewritten in place in the papers alias (``PaperWrite.PUBLISHED``).

Reads by id (``get``/``mget``) are real-time; ``search``, ``latest_papers``,
``count_papers`` and ``paper_versions`` see a write after the next refresh. Deep paging is
bounded by ``index.max_result_window`` (offset + limit <= 10000 by default). Every replica
writes the alias itself, so nothing is ever queued for indexing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Final, Literal

from academichub.contracts import Paper
from academichub.radar.ast import Node
from academichub.radar.document import PaperDocument
from academichub.store.corpus import new_documents
from academichub.store.elastic import mappings as f
from academichub.store.elastic.bulk import CONFLICT, ItemResult, Operation
from academichub.store.elastic.cluster import Cluster, filtered
from academichub.store.elastic.corpus import ElasticsearchCorpus
from academichub.store.elastic.documents import (
    paper_document,
    paper_from,
    version_document,
    version_id,
    version_of,
    version_rank,
)
from academichub.store.elastic.query import MATCH_ALL, NEWEST_FIRST, search_body
from academichub.store.port import NO_FILTERS, PaperWrite, SearchFilters, SearchHit, SearchPage
from academichub.store.publication import recorded_publication
from academichub.store.rewrite import rewritten

_CONFLICT_ONLY: Final = frozenset({CONFLICT})
_PAPERS_COUNTER: Final = "papers"


class ElasticsearchPapers:
    """The papers alias and the paper-versions index of ``cluster``."""

    def __init__(self, cluster: Cluster, corpus: ElasticsearchCorpus) -> None:
        self._cluster = cluster
        self._names = cluster.names
        self._corpus = corpus

    def upsert_papers(
        self, papers: Sequence[Paper], documents: Sequence[PaperDocument] | None = None
    ) -> list[PaperWrite]:
        self._cluster.live()
        outcomes: list[PaperWrite] = []
        # Two operations per paper (history and current) in one bulk request.
        for batch in _batches(papers, self._cluster.batch_size // 2):
            outcomes.extend(self._upsert_batch(batch))
        new = new_documents(papers, outcomes, documents)
        if new:  # after the papers (no transaction spans both: see corpus.py)
            self._corpus.count_new_papers(new)
        return outcomes

    def _upsert_batch(self, papers: Sequence[Paper]) -> list[PaperWrite]:
        stored = self._stored_versions([p.id for p in papers])
        fresh = [p.id for p in papers if p.id not in stored]
        seqs = dict(zip(fresh, self._cluster.allocate(_PAPERS_COUNTER, len(fresh)), strict=True))
        operations: list[Operation] = []
        for paper in papers:
            seq = stored[paper.id][1] if paper.id in stored else seqs[paper.id]
            operations.append(
                Operation(
                    "create",
                    self._names.paper_versions,
                    version_id(paper.id, paper.version),
                    version_document(paper),
                    outcomes=_CONFLICT_ONLY,
                )
            )
            operations.append(
                Operation(
                    "index",
                    self._names.papers,
                    paper.id,
                    paper_document(paper, seq),
                    version=version_rank(paper.version),
                    # Never let a missing alias auto-create a concrete index in its place.
                    require_alias=True,
                    outcomes=_CONFLICT_ONLY,
                )
            )
        results = self._cluster.bulk(operations)
        history, current = results[0::2], results[1::2]
        # A refused write whose version was new to the history is STALE only if the stored
        # version is really newer; when the pre-read cannot tell (a concurrent writer got
        # there first), read again.
        unsure = [
            p.id
            for p, h, c in zip(papers, history, current, strict=True)
            if c.status == CONFLICT
            and h.status != CONFLICT
            and _stored_rank(stored, p.id) < version_rank(p.version)
        ]
        if unsure:
            stored = {**stored, **self._stored_versions(unsure)}
        outcomes = [
            _paper_outcome(p, h, c, _stored_rank(stored, p.id))
            for p, h, c in zip(papers, history, current, strict=True)
        ]
        again = [p for p, o in zip(papers, outcomes, strict=True) if o is PaperWrite.UNCHANGED]
        published = self._record_publications(again, stored) if again else set()
        return [
            PaperWrite.PUBLISHED if o is PaperWrite.UNCHANGED and p.id in published else o
            for p, o in zip(papers, outcomes, strict=True)
        ]

    def _record_publications(
        self, papers: Sequence[Paper], stored: Mapping[str, tuple[int, int]]
    ) -> set[str]:
        """Merge the journal publication that stored (id, version)s arriving again carry
        (:func:`~academichub.store.publication.recorded_publication`) into their history
        document and, for the current version, the papers document (rewritten in place:
        ``external_gte`` on its own version, refused if a newer version is stored by then).
        Returns the ids of the papers that carried one.

        The merge reads, then writes: two merges of one paper at once could lose one. They
        do not happen: a paper's events are keyed by its id, so one matcher handles them.
        """
        docs = self._cluster.mget(
            self._names.paper_versions, [version_id(*p.key) for p in papers], source=["paper"]
        )
        operations: list[Operation] = []
        published: set[str] = set()
        for paper in papers:
            doc = docs.get(version_id(*paper.key))
            merged = (
                None if doc is None else recorded_publication(paper_from(doc["_source"]), paper)
            )
            if merged is None:
                continue
            published.add(paper.id)
            operations.append(
                Operation(
                    "index",
                    self._names.paper_versions,
                    version_id(*paper.key),
                    version_document(merged),
                )
            )
            if _stored_rank(stored, paper.id) == version_rank(paper.version):
                operations.append(
                    Operation(
                        "index",
                        self._names.papers,
                        paper.id,
                        paper_document(merged, stored[paper.id][1]),
                        version=version_rank(paper.version),
                        version_type="external_gte",
                        require_alias=True,
                        outcomes=_CONFLICT_ONLY,
                    )
                )
        self._cluster.bulk(operations)
        return published

    def rewrite_papers(self, rewrite: Callable[[Paper], Paper]) -> int:
        """The history documents that change are written again; every current paper is
        written again (its search fields hold the current analysis then) with its own
        version and ``external_gte``: a newer version stored meanwhile refuses it."""
        self._cluster.live()
        changed = 0
        pending: list[Operation] = []

        def flush(at_least: int) -> None:
            if len(pending) >= at_least:
                self._cluster.bulk(pending)
                pending.clear()

        history = self._cluster.scan(
            self._names.paper_versions,
            dict(MATCH_ALL),
            [{"paper_id": "asc"}, {"version_rank": "asc"}],
            ["paper"],
        )
        for hit in history:
            paper = paper_from(hit["_source"])
            new = rewritten(rewrite, paper)
            if new != paper:
                changed += 1
                pending.append(
                    Operation(
                        "index", self._names.paper_versions, hit["_id"], version_document(new)
                    )
                )
                flush(self._cluster.batch_size)
        flush(1)
        current = self._cluster.scan(
            self._names.papers, dict(MATCH_ALL), [{f.ID: "asc"}], [f.PAPER, f.SEQ]
        )
        for hit in current:
            paper = paper_from(hit["_source"])
            new = rewritten(rewrite, paper)
            changed += new != paper
            pending.append(
                Operation(
                    "index",
                    self._names.papers,
                    paper.id,
                    paper_document(new, int(hit["_source"][f.SEQ])),
                    version=version_rank(paper.version),
                    version_type="external_gte",
                    require_alias=True,
                    outcomes=_CONFLICT_ONLY,
                )
            )
            flush(self._cluster.batch_size)
        flush(1)
        return changed

    def _stored_versions(self, paper_ids: list[str]) -> dict[str, tuple[int, int]]:
        """paper id -> (stored version rank, arrival seq) of the papers already stored."""
        docs = self._cluster.mget(self._names.papers, paper_ids, source=[f.SEQ])
        return {i: (int(d["_version"]), int(d["_source"][f.SEQ])) for i, d in docs.items()}

    def get_paper(self, paper_id: str) -> Paper | None:
        return self.get_papers([paper_id]).get(paper_id)

    def get_papers(self, paper_ids: Iterable[str]) -> dict[str, Paper]:
        wanted = list(dict.fromkeys(paper_ids))
        docs = self._cluster.mget(self._names.papers, wanted, source=[f.PAPER])
        return {i: paper_from(docs[i]["_source"]) for i in wanted if i in docs}

    def paper_versions(self, paper_id: str) -> list[int | None]:
        hits = self._cluster.scan(
            self._names.paper_versions,
            filtered({"term": {"paper_id": paper_id}}),
            [{"version_rank": "asc"}],
            ["version_rank"],
        )
        return [version_of(int(h["_source"]["version_rank"])) for h in hits]

    def latest_papers(self, limit: int, offset: int = 0) -> list[Paper]:
        body = {
            "query": dict(MATCH_ALL),
            "sort": list(NEWEST_FIRST),
            "track_total_hits": False,
            "from": max(offset, 0),
            "size": max(limit, 0),
            "_source": [f.PAPER],
        }
        hits = self._cluster.search(self._names.papers, body)["hits"]["hits"]
        return [paper_from(h["_source"]) for h in hits]

    def count_papers(self) -> int:
        es = self._cluster.live()
        response = self._cluster.call(es.count, index=self._names.papers)
        return int(response.body["count"])

    def held_versions(self, keys: Iterable[tuple[str, int | None]]) -> set[tuple[str, int | None]]:
        wanted = sorted(set(keys), key=lambda k: (k[0], version_rank(k[1])))
        found = self._cluster.mget(
            self._names.paper_versions, [version_id(*k) for k in wanted], source=False
        )
        return {k for k in wanted if version_id(*k) in found}

    def drain_index_queue(self, limit: int = 500) -> int:
        return 0  # every replica writes the papers alias itself: nothing is ever queued

    def search(
        self,
        query: Node | None,
        filters: SearchFilters = NO_FILTERS,
        sort: Literal["relevance", "date"] = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        body = search_body(query, filters, sort, limit, offset)
        found = self._cluster.search(self._names.papers, body)["hits"]
        hits = tuple(
            # _score is null when sorting by date without a query: nothing was scored.
            SearchHit(paper_from(h["_source"]), float(h.get("_score") or 0.0))
            for h in found["hits"]
        )
        return SearchPage(total=int(found["total"]["value"]), hits=hits)


def _batches(papers: Sequence[Paper], size: int) -> Iterator[Sequence[Paper]]:
    """Consecutive runs of at most ``size`` papers with no paper id twice.

    Bulk items are applied independently, so two versions of one paper must go in
    successive requests for the later one to be judged against the earlier.
    """
    start, ids = 0, set[str]()
    for i, paper in enumerate(papers):
        if paper.id in ids or len(ids) == size:
            yield papers[start:i]
            start, ids = i, set()
        ids.add(paper.id)
    if start < len(papers):
        yield papers[start:]


def _stored_rank(stored: Mapping[str, tuple[int, int]], paper_id: str) -> int:
    """The stored version rank of a paper; -1, below every rank, if none is stored."""
    return stored[paper_id][0] if paper_id in stored else -1


def _paper_outcome(
    paper: Paper, history: ItemResult, current: ItemResult, stored_rank: int
) -> PaperWrite:
    if current.status != CONFLICT:
        return PaperWrite.NEW if current.result == "created" else PaperWrite.NEW_VERSION
    # Refused: a same-or-newer version is stored. Seen before (in the history, or stored
    # as the current version after a crash between the two writes) means a replay.
    if history.status == CONFLICT or stored_rank == version_rank(paper.version):
        return PaperWrite.UNCHANGED
    return PaperWrite.STALE
