"""Vectors in the embedded store (:class:`~academichub.store.port.VectorStore`): rows in
SQLite, nearest-paper search by brute force over a matrix kept in memory.

``paper_vectors`` holds one row per (model, paper): the newest version's vector, replaced
only by a newer version (``INSERT … ON CONFLICT DO UPDATE … WHERE`` newer), so a replayed or
stale version writes nothing. ``seq`` numbers every write of a model in order.

Search: each process that searches keeps the model's vectors as one float32 matrix (with
each row's date, source and categories) and, before every search, loads only the rows
written since (``seq`` above the last it saw; a paper's new version replaces its row in
place). A search is one matrix-vector product, the filters applied as masks, and a
partial sort of the scores. It stays fast while the matrix fits the process's memory and
a product over it is short: measured with ``academichub bench nearest`` (see
docs/semantic.md), about 1.5 KB of memory and a few nanoseconds per paper per search.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from academichub.embedding.port import EmbeddingModel, Vectors
from academichub.store.embedded.columns import chunks, version_of, version_rank
from academichub.store.embedded.database import Database
from academichub.store.port import NO_FILTERS, Neighbour, PaperVector, SearchFilters, VectorWindow
from academichub.store.vector_codec import check_vector, from_bytes, text_digest, to_bytes

_EPOCH = dt.date(1970, 1, 1)


def _day(date: dt.date) -> int:
    return (date - _EPOCH).days


@dataclass
class _Matrix:
    """One model's vectors in memory, for brute-force search, loaded incrementally."""

    dimension: int
    seq: int = 0  # the highest seq loaded
    rows: dict[str, int] = field(default_factory=dict)  # paper id -> row
    ids: list[str] = field(default_factory=list)
    categories: list[tuple[str, ...]] = field(default_factory=list)
    # Rows by category (a row whose paper changed categories stays listed: checked on use).
    by_category: dict[str, list[int]] = field(default_factory=dict)
    source_codes: dict[str, int] = field(default_factory=dict)
    vectors: Vectors = field(init=False)
    days: npt.NDArray[np.int32] = field(init=False)
    sources: npt.NDArray[np.int32] = field(init=False)

    def __post_init__(self) -> None:
        self.vectors = np.zeros((0, self.dimension), dtype=np.float32)
        self.days = np.zeros(0, dtype=np.int32)
        self.sources = np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, paper_id: str, day: int, source: str, cats: tuple[str, ...], v: Vectors) -> None:
        row = self.rows.get(paper_id)
        if row is None:
            row = len(self.ids)
            if row == len(self.vectors):
                self._grow(max(1024, 2 * row))
            self.rows[paper_id] = row
            self.ids.append(paper_id)
            self.categories.append(cats)
        else:
            self.categories[row] = cats
        for category in cats:
            self.by_category.setdefault(category, []).append(row)
        self.vectors[row] = v
        self.days[row] = day
        self.sources[row] = self.source_codes.setdefault(source, len(self.source_codes))

    def _grow(self, size: int) -> None:
        n = len(self.ids)
        vectors = np.zeros((size, self.dimension), dtype=np.float32)
        vectors[:n] = self.vectors[:n]
        days = np.zeros(size, dtype=np.int32)
        days[:n] = self.days[:n]
        sources = np.zeros(size, dtype=np.int32)
        sources[:n] = self.sources[:n]
        self.vectors, self.days, self.sources = vectors, days, sources

    def nearest(
        self, query: Vectors, limit: int, filters: SearchFilters, exclude: set[str]
    ) -> list[Neighbour]:
        n = len(self.ids)
        if n == 0 or limit <= 0:
            return []
        scores = self.vectors[:n] @ query
        allowed = self._mask(filters, n)
        for paper_id in exclude:
            row = self.rows.get(paper_id)
            if row is not None:
                allowed[row] = False
        candidates = np.flatnonzero(allowed)
        if len(candidates) > limit:
            chosen = scores[candidates]
            top = np.argpartition(-chosen, limit - 1)[:limit]
            candidates = candidates[top]
        ranked = sorted(candidates.tolist(), key=lambda r: (-float(scores[r]), self.ids[r]))
        return [Neighbour(self.ids[r], float(scores[r])) for r in ranked]

    def _mask(self, filters: SearchFilters, n: int) -> npt.NDArray[np.bool_]:
        """The rows ``filters`` admit, with their own rules (:meth:`SearchFilters.admits`)
        applied to each source once and to the rows listed under each category."""
        allowed = np.ones(n, dtype=np.bool_)
        if filters.published_from is not None:
            allowed &= self.days[:n] >= _day(filters.published_from)
        if filters.published_to is not None:
            allowed &= self.days[:n] <= _day(filters.published_to)
        if filters.sources:
            by_source = SearchFilters(sources=filters.sources)
            codes = [c for s, c in self.source_codes.items() if by_source.admits(s, (), _EPOCH)]
            allowed &= np.isin(self.sources[:n], codes)
        if filters.categories:
            listed = np.zeros(n, dtype=np.bool_)
            for category in filters.categories:
                rows = [
                    r for r in self.by_category.get(category, ()) if category in self.categories[r]
                ]
                listed[rows] = True
            allowed &= listed
        return allowed


class EmbeddedVectors:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._models: dict[str, int] = {}
        self._matrices: dict[str, _Matrix] = {}
        self._lock = threading.Lock()  # the matrices: searches come from several threads

    def _model_id(self, model: EmbeddingModel, *, create: bool) -> int | None:
        known = self._models.get(model.key)
        if known is not None:
            return known
        rows = self._db.read_all(
            "SELECT id, dimension FROM vector_models WHERE key = ?", (model.key,)
        )
        if not rows and create:
            with self._db.write() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO vector_models (key, dimension) VALUES (?, ?)",
                    (model.key, model.dimension),
                )
            rows = self._db.read_all(
                "SELECT id, dimension FROM vector_models WHERE key = ?", (model.key,)
            )
        if not rows:
            return None
        model_id, dimension = rows[0]
        if dimension != model.dimension:
            raise ValueError(f"{model.key} is stored with {dimension} dimensions")
        self._models[model.key] = int(model_id)
        return int(model_id)

    # --- papers -------------------------------------------------------------------
    def put_vectors(self, model: EmbeddingModel, vectors: Sequence[PaperVector]) -> list[bool]:
        if not vectors:
            return []
        rows = [(v, to_bytes(model, v.vector)) for v in vectors]
        model_id = self._model_id(model, create=True)
        written: list[bool] = []
        with self._db.write() as conn:
            (seq,) = conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM paper_vectors WHERE model = ?", (model_id,)
            ).fetchone()
            for row, blob in rows:
                seq += 1
                changed = conn.execute(
                    "INSERT INTO paper_vectors (model, paper_id, version_rank, published, "
                    "source, categories, vector, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (model, paper_id) DO UPDATE SET "
                    "version_rank = excluded.version_rank, published = excluded.published, "
                    "source = excluded.source, categories = excluded.categories, "
                    "vector = excluded.vector, seq = excluded.seq "
                    "WHERE excluded.version_rank > paper_vectors.version_rank",
                    (
                        model_id,
                        row.paper_id,
                        version_rank(row.version),
                        row.published.isoformat(),
                        row.source,
                        json.dumps(list(row.categories)),
                        blob,
                        seq,
                    ),
                ).rowcount
                written.append(changed > 0)
        return written

    def vectors_held(
        self, model: EmbeddingModel, keys: Iterable[tuple[str, int | None]]
    ) -> set[tuple[str, int | None]]:
        wanted = list(dict.fromkeys(keys))
        model_id = self._model_id(model, create=False)
        if model_id is None or not wanted:
            return set()
        stored: dict[str, int] = {}
        with self._db.read() as conn:
            for chunk in chunks(sorted({k[0] for k in wanted})):
                marks = ",".join("?" * len(chunk))
                for paper_id, rank in conn.execute(
                    f"SELECT paper_id, version_rank FROM paper_vectors "
                    f"WHERE model = ? AND paper_id IN ({marks})",
                    (model_id, *chunk),
                ):
                    stored[paper_id] = int(rank)
        return {
            (paper_id, version)
            for paper_id, version in wanted
            if paper_id in stored and stored[paper_id] >= version_rank(version)
        }

    def paper_vectors(
        self, model: EmbeddingModel, paper_ids: Iterable[str]
    ) -> dict[str, PaperVector]:
        wanted = list(dict.fromkeys(paper_ids))
        model_id = self._model_id(model, create=False)
        if model_id is None or not wanted:
            return {}
        found: dict[str, PaperVector] = {}
        with self._db.read() as conn:
            for chunk in chunks(wanted):
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                    "SELECT paper_id, version_rank, published, source, categories, vector "
                    f"FROM paper_vectors WHERE model = ? AND paper_id IN ({marks})",
                    (model_id, *chunk),
                ):
                    found[row[0]] = _paper_vector(model, row)
        return {i: found[i] for i in wanted if i in found}

    def window(self, model: EmbeddingModel, since: dt.date, until: dt.date) -> VectorWindow:
        model_id = self._model_id(model, create=False)
        rows = (
            self._db.read_all(
                "SELECT paper_id, version_rank, published, source, categories, vector "
                "FROM paper_vectors WHERE model = ? AND published BETWEEN ? AND ? "
                "ORDER BY paper_id",
                (model_id, since.isoformat(), until.isoformat()),
            )
            if model_id is not None
            else []
        )
        return VectorWindow.of(model, [_paper_vector(model, row) for row in rows])

    def nearest(
        self,
        model: EmbeddingModel,
        vector: Vectors,
        *,
        limit: int,
        filters: SearchFilters = NO_FILTERS,
        exclude: Iterable[str] = (),
    ) -> list[Neighbour]:
        query = check_vector(model, vector)
        left_out = set(exclude)
        with self._lock:
            matrix = self._refreshed(model)
            return matrix.nearest(query, limit, filters, left_out)

    def _refreshed(self, model: EmbeddingModel) -> _Matrix:
        """The model's matrix with every row written since it was last loaded."""
        matrix = self._matrices.setdefault(model.key, _Matrix(model.dimension))
        model_id = self._model_id(model, create=False)
        if model_id is None:
            return matrix
        while True:
            rows = self._db.read_all(
                "SELECT paper_id, published, source, categories, vector, seq FROM paper_vectors "
                "WHERE model = ? AND seq > ? ORDER BY seq LIMIT 5000",
                (model_id, matrix.seq),
            )
            for paper_id, published, source, categories, blob, seq in rows:
                matrix.add(
                    paper_id,
                    _day(dt.date.fromisoformat(published)),
                    source,
                    tuple(json.loads(categories)),
                    from_bytes(model, blob),
                )
                matrix.seq = int(seq)
            if len(rows) < 5000:
                return matrix

    def count_vectors(self, model: EmbeddingModel) -> int:
        model_id = self._model_id(model, create=False)
        if model_id is None:
            return 0
        rows = self._db.read_all("SELECT COUNT(*) FROM paper_vectors WHERE model = ?", (model_id,))
        return int(rows[0][0])

    # --- texts --------------------------------------------------------------------
    def put_text_vectors(self, model: EmbeddingModel, vectors: Mapping[str, Vectors]) -> None:
        if not vectors:
            return
        rows = [(text_digest(t), to_bytes(model, v)) for t, v in vectors.items()]
        model_id = self._model_id(model, create=True)
        with self._db.write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO text_vectors (model, digest, vector) VALUES (?, ?, ?)",
                [(model_id, digest, blob) for digest, blob in rows],
            )

    def text_vectors(self, model: EmbeddingModel, texts: Iterable[str]) -> dict[str, Vectors]:
        by_digest = {text_digest(t): t for t in texts}
        model_id = self._model_id(model, create=False)
        if model_id is None or not by_digest:
            return {}
        found: dict[str, Vectors] = {}
        with self._db.read() as conn:
            for chunk in chunks(list(by_digest)):
                marks = ",".join("?" * len(chunk))
                for digest, blob in conn.execute(
                    "SELECT digest, vector FROM text_vectors "
                    f"WHERE model = ? AND digest IN ({marks})",
                    (model_id, *chunk),
                ):
                    found[by_digest[digest]] = from_bytes(model, blob)
        return found


def _paper_vector(model: EmbeddingModel, row: sqlite3.Row | tuple[object, ...]) -> PaperVector:
    paper_id, rank, published, source, categories, blob = row
    assert isinstance(blob, bytes)
    return PaperVector(
        str(paper_id),
        version_of(int(str(rank))),
        dt.date.fromisoformat(str(published)),
        str(source),
        tuple(json.loads(str(categories))),
        from_bytes(model, blob),
    )
