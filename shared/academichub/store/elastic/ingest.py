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

Reads by id are real-time, so the ingestor finds what it remembered a moment before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Final

from academichub.contracts import Paper
from academichub.store.elastic.bulk import CONFLICT, Operation
from academichub.store.elastic.cluster import Cluster
from academichub.store.elastic.documents import paper_from, version_id, version_rank
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

    def mark_published(self, keys: Iterable[tuple[str, int | None]]) -> None:
        self._cluster.live()
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
