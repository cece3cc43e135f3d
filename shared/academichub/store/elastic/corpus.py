"""Corpus statistics in Elasticsearch (:class:`~academichub.store.port.CorpusStore`).

Running counts: one document per figure (``total:n_docs``, ``total:title_tokens``,
``total:abstract_tokens``) and one per stem, each a ``value`` raised by the increment
script with an upsert, in one bulk request per ``upsert_papers`` call (one item per
distinct stem of the call's new papers). Elasticsearch has no transaction over the paper
writes and these: the counts are written after the papers, so a crash between the two
leaves those papers uncounted (a replay finds them stored, not new) -- the figures are
then short by a few papers, which moves scores far less than a snapshot's growth step.

Snapshots: one document per version, written with ``create`` (the first writer wins, a
later one gets 409 and reads the winner back by id, real-time).

Not done here (the embedded adapter does it): counting the papers an installation stored
before these indices existed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any, Final

from academichub.radar.document import PaperDocument
from academichub.radar.scoring import CorpusStats
from academichub.store.corpus import SNAPSHOTS_KEPT, counted, decode_df, encode_df
from academichub.store.elastic.bulk import CONFLICT, Operation
from academichub.store.elastic.cluster import UPDATE_RETRIES, Cluster, increment
from academichub.store.port import CorpusSnapshot, CorpusState

_TOTALS: Final = ("n_docs", "title_tokens", "abstract_tokens")
_STEM: Final = "stem:"
_TOTAL: Final = "total:"
_MAX_ID_BYTES: Final = 512  # Elasticsearch's limit on a document id


def _stem_id(stem: str) -> str:
    doc_id = _STEM + stem
    if len(doc_id.encode()) <= _MAX_ID_BYTES:
        return doc_id
    return "stem#" + hashlib.sha256(stem.encode()).hexdigest()  # the stem is in ``key``


def count_operations(index: str, documents: Sequence[PaperDocument]) -> list[Operation]:
    """The increments the papers of ``documents`` add to the counts in ``index``: the three
    figures, then each distinct stem once, in stem order."""
    added = counted(documents)
    figures = {
        _TOTAL + "n_docs": added.n_docs,
        _TOTAL + "title_tokens": added.title_tokens,
        _TOTAL + "abstract_tokens": added.abstract_tokens,
    }
    keyed = [(key, key, amount) for key, amount in figures.items()]
    keyed += [(_stem_id(stem), _STEM + stem, df) for stem, df in sorted(added.df.items())]
    return [
        Operation(
            "update",
            index,
            doc_id,
            {
                "script": increment("value", "amount", amount),
                "upsert": {"key": key, "value": amount},
            },
            retry_on_conflict=UPDATE_RETRIES,
        )
        for doc_id, key, amount in keyed
    ]


class ElasticsearchCorpus:
    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._counts = cluster.names.corpus_counts
        self._snapshots = cluster.names.corpus_snapshots

    def count_new_papers(self, documents: Sequence[PaperDocument]) -> None:
        """Add papers stored for the first time to the running counts."""
        self._cluster.bulk(count_operations(self._counts, documents))

    def corpus_state(self) -> CorpusState:
        found = self._cluster.get(self._counts, _TOTAL + "n_docs", source=["value"])
        # Not refreshed first: a version made less than a refresh interval ago may be
        # missed here, and whoever then makes it again gets the stored one back.
        newest = self._newest(["version"], visible=False)
        return CorpusState(
            snapshot_version=int(newest["version"]) if newest else 0,
            n_docs=int(found["_source"]["value"]) if found else 0,
        )

    def corpus_totals(self) -> CorpusStats:
        self._cluster.make_visible(self._counts)
        stats = CorpusStats()
        for hit in self._cluster.scan(
            self._counts, {"match_all": {}}, [{"key": "asc"}], ["key", "value"]
        ):
            key, value = str(hit["_source"]["key"]), int(hit["_source"]["value"])
            if key.startswith(_STEM):
                stats.df[key.removeprefix(_STEM)] = value
            elif key.removeprefix(_TOTAL) in _TOTALS:
                setattr(stats, key.removeprefix(_TOTAL), value)
        return stats

    def corpus_snapshot(self) -> CorpusSnapshot | None:
        newest = self._newest(True, visible=True)
        return _snapshot(newest) if newest else None

    def snapshot_corpus_once(self, version: int, stats: CorpusStats) -> CorpusSnapshot:
        document = {
            "version": version,
            "n_docs": stats.n_docs,
            "title_tokens": stats.title_tokens,
            "abstract_tokens": stats.abstract_tokens,
            "df": base64.b64encode(encode_df(stats.df)).decode("ascii"),
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        (created,) = self._cluster.bulk(
            [
                Operation(
                    "create",
                    self._snapshots,
                    str(version),
                    document,
                    outcomes=frozenset({CONFLICT}),
                )
            ]
        )
        newest = self._newest(["version"], visible=True)
        oldest_kept = (int(newest["version"]) if newest else version) - SNAPSHOTS_KEPT + 1
        if oldest_kept > 1:
            self._cluster.delete_matching(
                self._snapshots, {"range": {"version": {"lt": oldest_kept}}}
            )
        if version >= oldest_kept and created.status != CONFLICT:
            return CorpusSnapshot(version, stats)  # this call's: not read back and decoded
        stored = self._cluster.get(self._snapshots, str(version), source=True)
        if version < oldest_kept or stored is None:
            raise ValueError(f"corpus snapshot {version} is older than the ones kept")
        return _snapshot(stored["_source"])

    def _newest(self, source: list[str] | bool, *, visible: bool) -> dict[str, Any] | None:
        if visible:
            self._cluster.make_visible(self._snapshots)
        hits = self._cluster.search(
            self._snapshots,
            {"size": 1, "sort": [{"version": "desc"}], "_source": source},
        )["hits"]["hits"]
        return dict(hits[0]["_source"]) if hits else None


def _snapshot(source: dict[str, Any] | Any) -> CorpusSnapshot:
    return CorpusSnapshot(
        int(source["version"]),
        CorpusStats(
            int(source["n_docs"]),
            int(source["title_tokens"]),
            int(source["abstract_tokens"]),
            decode_df(base64.b64decode(source["df"])),
        ),
    )
