"""Every semantic radar in one matrix: a batch of papers scored against all of them at once.

Each radar holds one row of the matrix (its direction, or its learned weights: see
:mod:`.profile`), a bias and a threshold. Scoring a batch of papers is one matrix
product, rows × papers; what clears its radar's threshold is a hit. For each hit the
bank also finds the radar's nearest reference papers (seeds and liked papers) and their
similarity: the explanation of the match. References are kept as int8 (one scale per
vector; cosines within about 0.005), since they are read only for hits.

Rows are float32, or int8 with one scale per row (``dtype="int8"``): a quarter of the
memory, converted back to float32 block by block while scoring. ``academichub bench
match`` prints both (speed, bytes per radar, and how far int8 moves the hits).

Radars are added, replaced and removed in place (a slot per radar, reused after a
removal; the arrays double when full), so a radar edit never rebuilds the matrix.
References are appended to one int8 array; the space of replaced ones is reclaimed by
compaction once it is more than half the array.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from academichub.embedding.port import Vectors
from academichub.semantic.profile import SemanticProfile

__all__ = ["BLOCK_ROWS", "BatchHits", "Hit", "RadarBank"]

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
Objects = npt.NDArray[np.object_]  # of str: ids taken by fancy indexing, no Python loop

# Rows scored per step: bounds the temporaries (block × papers scores, and the float32
# copy of an int8 block) whatever the number of radars, and keeps them in cache
# (measured at 100k radars × 256 papers: 69 GFLOPS in blocks of 2,048 rows, 57 in one).
BLOCK_ROWS: Final = 2048
_NEAREST: Final = 2  # references named in an explanation
_KIND_LEARNED: Final = 1


def _quantise(rows: F32) -> tuple[npt.NDArray[np.int8], F32]:
    """Symmetric int8 per row: ``rows ≈ q * scale``."""
    peak = np.abs(rows).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(rows / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


@dataclass(frozen=True)
class Hit:
    """One paper clearing one radar's threshold, with what explains it."""

    radar_id: str
    score: float  # as shown: the cosine, or the learned probability
    raw: float  # what the threshold compared with
    kind: Literal["similarity", "learned"]
    nearest: tuple[tuple[str, float], ...]  # (reference paper id, cosine), nearest first


@dataclass(frozen=True)
class BatchHits:
    """The hits of a batch, as arrays (one entry per hit, grouped by paper).

    ``nearest_ids[k, j]`` is the j-th nearest reference of hit k ("" when the radar has
    fewer references), ``nearest_similarity[k, j]`` its cosine (NaN then).
    """

    paper_index: I64
    radar_ids: Objects
    raw: F32
    score: F32
    learned: npt.NDArray[np.bool_]
    nearest_ids: Objects
    nearest_similarity: F32

    def __len__(self) -> int:
        return len(self.paper_index)

    def hit(self, k: int) -> Hit:
        nearest = tuple(
            (str(pid), float(sim))
            for pid, sim in zip(self.nearest_ids[k], self.nearest_similarity[k], strict=True)
            if pid
        )
        return Hit(
            radar_id=str(self.radar_ids[k]),
            score=float(self.score[k]),
            raw=float(self.raw[k]),
            kind="learned" if self.learned[k] else "similarity",
            nearest=nearest,
        )

    def for_paper(self, index: int) -> Iterator[Hit]:
        lo, hi = np.searchsorted(self.paper_index, [index, index + 1])
        for k in range(int(lo), int(hi)):
            yield self.hit(k)


class RadarBank:
    """The semantic radars of a matcher, scored together."""

    def __init__(
        self,
        dimension: int,
        *,
        dtype: Literal["float32", "int8"] = "float32",
        capacity: int = 1024,
    ) -> None:
        if dimension < 1 or capacity < 1:
            raise ValueError("dimension and capacity must be at least 1")
        self.dimension = dimension
        self.dtype = dtype
        self._slots: dict[str, int] = {}
        self._ids: Objects = np.empty(0, dtype=object)  # radar id by slot, None if free
        self._free: list[int] = []
        self._rows: npt.NDArray[np.float32] | npt.NDArray[np.int8] = (
            np.zeros((0, dimension), dtype=np.float32)
            if dtype == "float32"
            else np.zeros((0, dimension), dtype=np.int8)
        )
        self._row_scale = np.zeros(0, dtype=np.float32)
        self._bias = np.zeros(0, dtype=np.float32)
        self._threshold = np.zeros(0, dtype=np.float32)
        self._kind = np.zeros(0, dtype=np.uint8)
        self._ref_start = np.zeros(0, dtype=np.int64)
        self._ref_count = np.zeros(0, dtype=np.int64)
        self._refs = np.zeros((0, dimension), dtype=np.int8)
        self._ref_scale = np.zeros(0, dtype=np.float32)
        self._ref_ids: Objects = np.empty(0, dtype=object)
        self._refs_used = 0  # entries of _refs in use, live or dead
        self._refs_dead = 0
        self._grow(capacity)

    # -- updates -----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, radar_id: object) -> bool:
        return radar_id in self._slots

    def put(self, profile: SemanticProfile) -> None:
        """Add the radar, or replace what the bank holds for it."""
        if profile.dimension != self.dimension:
            raise ValueError(
                f"radar {profile.radar_id} has {profile.dimension}-dimensional vectors, "
                f"the bank {self.dimension}"
            )
        if not profile.is_semantic:
            raise ValueError(f"radar {profile.radar_id} has no seeds, interest or ratings")
        slot = self._slots.get(profile.radar_id)
        if slot is None:
            slot = self._take_slot()
            self._slots[profile.radar_id] = slot
            self._ids[slot] = profile.radar_id
        else:
            self._refs_dead += int(self._ref_count[slot])
        row, bias = profile.score_row()
        if self.dtype == "int8":
            q, scale = _quantise(row[None, :].astype(np.float32))
            self._rows[slot] = q[0]
            self._row_scale[slot] = scale[0]
        else:
            self._rows[slot] = row
            self._row_scale[slot] = 1.0
        self._bias[slot] = bias
        self._threshold[slot] = np.inf if profile.threshold is None else profile.threshold
        self._kind[slot] = _KIND_LEARNED if profile.learned is not None else 0
        self._store_references(slot, profile)
        if self._refs_dead * 2 > max(self._refs_used, 1024):
            self._compact_references()

    def remove(self, radar_id: str) -> bool:
        """Forget the radar; False if the bank did not hold it."""
        slot = self._slots.pop(radar_id, None)
        if slot is None:
            return False
        self._ids[slot] = None
        self._rows[slot] = 0
        self._bias[slot] = 0.0
        self._threshold[slot] = np.inf  # a free slot never hits
        self._refs_dead += int(self._ref_count[slot])
        self._ref_count[slot] = 0
        self._free.append(slot)
        return True

    # -- scoring -----------------------------------------------------------------

    def match(self, vectors: Vectors, *, explain: bool = True) -> BatchHits:
        """Every (paper, radar) whose raw score clears the radar's threshold, for the
        unit ``vectors`` of a batch of papers, grouped by paper in batch order; with
        each hit's nearest references unless ``explain`` is false (then ``nearest_ids``
        are all "").

        Batches of a hundred papers or more make the matrix product efficient; the
        cost of explanations grows with the hits, not with the radars."""
        vectors = self._check(vectors)
        papers, slots, raws = [], [], []
        top = len(self._ids)
        for start in range(0, top, BLOCK_ROWS):
            stop = min(top, start + BLOCK_ROWS)
            scores = self._block_scores(start, stop, vectors)
            rows, cols = np.nonzero(scores >= self._threshold[start:stop, None])
            if len(rows):
                papers.append(cols)
                slots.append(rows + start)
                raws.append(scores[rows, cols])
        if not papers:
            return self._hits(
                np.zeros(0, np.int64),
                np.zeros(0, np.int64),
                np.zeros(0, np.float32),
                vectors,
                explain,
            )
        paper_index = np.concatenate(papers).astype(np.int64)
        slot_index = np.concatenate(slots).astype(np.int64)
        raw = np.concatenate(raws).astype(np.float32)
        order = np.argsort(paper_index, kind="stable")
        return self._hits(paper_index[order], slot_index[order], raw[order], vectors, explain)

    def score(
        self, paper_index: I64, radar_ids: list[str], vectors: Vectors, *, explain: bool = True
    ) -> BatchHits:
        """The hits among given (paper, radar) pairs: paper ``paper_index[k]`` of the
        batch's unit ``vectors`` against radar ``radar_ids[k]`` (which the bank holds),
        for radars whose query already picked the papers worth scoring. The hits are
        grouped by paper in batch order, as :meth:`match` gives them."""
        vectors = self._check(vectors)
        paper_index = np.asarray(paper_index, dtype=np.int64)
        slots = np.array([self._slots[r] for r in radar_ids], dtype=np.int64)
        if not len(slots):
            return self._hits(slots, slots, np.zeros(0, np.float32), vectors, explain)
        rows = self._rows[slots].astype(np.float32) * self._row_scale[slots, None]
        raw = (np.einsum("ij,ij->i", rows, vectors[paper_index]) + self._bias[slots]).astype(
            np.float32
        )
        keep = np.flatnonzero(raw >= self._threshold[slots])
        keep = keep[np.argsort(paper_index[keep], kind="stable")]
        return self._hits(paper_index[keep], slots[keep], raw[keep], vectors, explain)

    def radar_ids(self) -> list[str]:
        return list(self._slots)

    def scores_of(self, radar_ids: list[str], vectors: Vectors) -> F32:
        """Raw scores of the unit ``vectors`` by each radar of ``radar_ids``: one row per
        radar (how thresholds are refreshed over a window, a block of radars at a time)."""
        slots = np.array([self._slots[r] for r in radar_ids], dtype=np.int64)
        rows = self._rows[slots].astype(np.float32) * self._row_scale[slots, None]
        scores: F32 = (rows @ self._check(vectors).T + self._bias[slots, None]).astype(np.float32)
        return scores

    def set_thresholds(self, thresholds: dict[str, float]) -> None:
        """Replace the thresholds of radars the bank holds (raw units; -inf: every paper)."""
        for radar_id, threshold in thresholds.items():
            self._threshold[self._slots[radar_id]] = threshold

    def raw_scores(self, radar_id: str, vectors: Vectors) -> F32:
        """One radar's raw scores of the papers' unit ``vectors`` (as the bank holds it,
        so int8 rounding included)."""
        slot = self._slots[radar_id]
        scores: F32 = self._block_scores(slot, slot + 1, self._check(vectors))[0]
        return scores

    def nbytes(self) -> int:
        """Bytes held by the bank's arrays (Python objects for ids not included)."""
        arrays = (
            self._rows,
            self._row_scale,
            self._bias,
            self._threshold,
            self._kind,
            self._ref_start,
            self._ref_count,
            self._refs,
            self._ref_scale,
        )
        return sum(a.nbytes for a in arrays)

    # -- internals ---------------------------------------------------------------

    def _check(self, vectors: Vectors) -> F32:
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] != self.dimension:
            raise ValueError(
                f"expected papers' vectors of {self.dimension} dimensions, got {matrix.shape}"
            )
        return matrix

    def _block_scores(self, start: int, stop: int, vectors: F32) -> F32:
        block = self._rows[start:stop]
        if self.dtype == "int8":
            scores = (block.astype(np.float32) @ vectors.T) * self._row_scale[start:stop, None]
        else:
            scores = block @ vectors.T
        scores += self._bias[start:stop, None]
        result: F32 = scores
        return result

    def _hits(
        self, paper_index: I64, slot_index: I64, raw: F32, vectors: F32, explain: bool
    ) -> BatchHits:
        learned = self._kind[slot_index] == _KIND_LEARNED
        score = np.where(learned, 1.0 / (1.0 + np.exp(-raw)), raw).astype(np.float32)
        if explain:
            ids, sims = self._nearest(paper_index, slot_index, vectors)
        else:
            ids = np.full((len(slot_index), _NEAREST), "", dtype=object)
            sims = np.full((len(slot_index), _NEAREST), np.nan, dtype=np.float32)
        return BatchHits(paper_index, self._ids[slot_index], raw, score, learned, ids, sims)

    def _nearest(self, paper_index: I64, slot_index: I64, vectors: F32) -> tuple[Objects, F32]:
        """For each hit, its radar's nearest references to the paper: the (hit,
        reference) pairs are listed in one go, then each paper's pairs are gathered and
        multiplied by its vector (one matrix-vector product per paper, small enough to
        stay in cache; gathering every pair's paper row at once ran at half the speed)."""
        hits = len(slot_index)
        sims = np.full((hits, _NEAREST), np.nan, dtype=np.float32)
        chosen = np.full((hits, _NEAREST), -1, dtype=np.int64)
        counts = self._ref_count[slot_index]
        total = int(counts.sum())
        if total:
            owner = np.repeat(np.arange(hits), counts)  # the hit each pair belongs to
            first = np.cumsum(counts) - counts
            within = np.arange(total) - np.repeat(first, counts)
            ref = np.repeat(self._ref_start[slot_index], counts) + within
            cosine = np.empty(total, dtype=np.float32)
            pair_paper = paper_index[owner]  # grouped by paper, as the hits are
            bounds = np.searchsorted(pair_paper, np.arange(len(vectors) + 1))
            for j in np.flatnonzero(np.diff(bounds)):
                lo, hi = bounds[j], bounds[j + 1]
                cosine[lo:hi] = self._refs[ref[lo:hi]].astype(np.float32) @ vectors[j]
            cosine *= self._ref_scale[ref]
            order = np.lexsort((-cosine, owner))  # by hit, nearest first
            rank = np.arange(total) - np.repeat(first, counts)
            keep = rank < _NEAREST
            sims[owner[keep], rank[keep]] = cosine[order][keep]
            chosen[owner[keep], rank[keep]] = ref[order][keep]
        if not len(self._ref_ids):  # no radar has references (described interests only)
            return np.full(chosen.shape, "", dtype=object), sims
        ids = np.where(chosen >= 0, self._ref_ids[np.maximum(chosen, 0)], "")
        return ids, sims

    def _take_slot(self) -> int:
        if not self._free:
            self._grow(len(self._ids))  # double
        return self._free.pop()

    def _grow(self, extra: int) -> None:
        old = len(self._ids)
        self._ids = np.concatenate([self._ids, np.full(extra, None, dtype=object)])
        self._free.extend(range(old + extra - 1, old - 1, -1))  # lowest slot first
        self._rows = np.concatenate(
            [self._rows, np.zeros((extra, self.dimension), self._rows.dtype)]
        )
        self._row_scale = np.concatenate([self._row_scale, np.ones(extra, np.float32)])
        self._bias = np.concatenate([self._bias, np.zeros(extra, np.float32)])
        self._threshold = np.concatenate([self._threshold, np.full(extra, np.inf, np.float32)])
        self._kind = np.concatenate([self._kind, np.zeros(extra, np.uint8)])
        self._ref_start = np.concatenate([self._ref_start, np.zeros(extra, np.int64)])
        self._ref_count = np.concatenate([self._ref_count, np.zeros(extra, np.int64)])

    def _store_references(self, slot: int, profile: SemanticProfile) -> None:
        count = len(profile.reference_ids)
        self._ref_start[slot] = self._refs_used
        self._ref_count[slot] = count
        if not count:
            return
        needed = self._refs_used + count
        if needed > len(self._refs):
            size = max(needed, 2 * len(self._refs), 1024)
            grown = np.zeros((size, self.dimension), np.int8)
            grown[: self._refs_used] = self._refs[: self._refs_used]
            self._refs = grown
            scales = np.ones(size, np.float32)
            scales[: self._refs_used] = self._ref_scale[: self._refs_used]
            self._ref_scale = scales
            ids = np.full(size, "", dtype=object)
            ids[: self._refs_used] = self._ref_ids[: self._refs_used]
            self._ref_ids = ids
        q, scale = _quantise(profile.references)
        self._refs[self._refs_used : needed] = q
        self._ref_scale[self._refs_used : needed] = scale
        self._ref_ids[self._refs_used : needed] = profile.reference_ids
        self._refs_used = needed

    def _compact_references(self) -> None:
        live = [s for s in self._slots.values() if self._ref_count[s]]
        keep = (
            np.concatenate(
                [
                    np.arange(self._ref_start[s], self._ref_start[s] + self._ref_count[s])
                    for s in live
                ]
            )
            if live
            else np.zeros(0, np.int64)
        )
        self._refs[: len(keep)] = self._refs[keep]
        self._ref_scale[: len(keep)] = self._ref_scale[keep]
        self._ref_ids[: len(keep)] = self._ref_ids[keep]
        self._ref_ids[len(keep) :] = ""
        start = 0
        for s in live:
            self._ref_start[s] = start
            start += int(self._ref_count[s])
        self._refs_used, self._refs_dead = len(keep), 0
