"""Papers grouped by meaning: hierarchical clustering, cut where groups are clearest.

Given unit vectors (cosine = dot product), :func:`cluster` merges, by Ward's criterion
(the merge that adds least within-group variance), the two closest groups until two are
left, and keeps the cut at which the grouping is best by the silhouette (how much closer
each paper is to its own group than to the nearest other), between two groups and
``max_groups``. A paper that ends alone is not a theme: it is returned in
:attr:`Clusters.loners`.

Ward rather than average linkage: average linkage peels outliers off one by one and
leaves one huge group (59 of 60 papers on a quant-ph day); Ward gives themes of a size a
reader can use. Rather than k-means: deterministic, no seeds. A window holds at most a
few hundred papers, so the merge loop over a numpy distance matrix with Lance-Williams
updates takes milliseconds; scipy's ``linkage`` would do the same for a 40 MB dependency.

Pure: numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Clusters", "cluster", "silhouette"]

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Clusters:
    groups: tuple[tuple[int, ...], ...]  # row indexes, largest group first
    loners: tuple[int, ...]  # rows that joined no group
    silhouette: float  # of the chosen cut (0 when there was no choice)


def silhouette(sims: Floats, labels: list[int]) -> float:
    """Mean silhouette over the rows, with distance 1 - cosine; 0 for a lone row."""
    n = len(labels)
    label_array = np.asarray(labels)
    names = sorted(set(labels))
    if len(names) < 2:
        return 0.0
    dist = 1.0 - sims
    total = 0.0
    for i in range(n):
        own = label_array == label_array[i]
        if own.sum() <= 1:
            continue  # a singleton's silhouette is 0 by convention
        a = (dist[i, own].sum() - dist[i, i]) / (own.sum() - 1)
        b = min(
            float(dist[i, label_array == other].mean()) for other in names if other != labels[i]
        )
        total += (b - a) / max(a, b, 1e-12)
    return total / n


def _cuts(sims: Floats, max_groups: int) -> dict[int, list[int]]:
    """Labels of each row at every number of groups from ``max_groups`` down to 2, by
    Ward's criterion on squared distances 2 - 2 cos (Lance-Williams updates)."""
    n = sims.shape[0]
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    dist = np.maximum(2.0 - 2.0 * sims, 0.0)
    np.fill_diagonal(dist, np.inf)
    size = np.ones(n)
    alive = list(range(n))
    cuts: dict[int, list[int]] = {}
    while len(alive) > 1:
        if len(alive) <= max_groups:
            labels = [0] * n
            for label, g in enumerate(alive):
                for i in members[g]:
                    labels[i] = label
            cuts[len(alive)] = labels
        if len(alive) == 2:
            break
        sub = dist[np.ix_(alive, alive)]
        flat = int(np.argmin(sub))
        a, b = alive[flat // len(alive)], alive[flat % len(alive)]
        a, b = min(a, b), max(a, b)
        others = [k for k in alive if k not in (a, b)]
        nk = size[others]
        merged = (
            (size[a] + nk) * dist[a, others] + (size[b] + nk) * dist[b, others] - nk * dist[a, b]
        ) / (size[a] + size[b] + nk)
        dist[a, others] = merged
        dist[others, a] = merged
        size[a] += size[b]
        members[a].extend(members.pop(b))
        alive.remove(b)
    return cuts


def cluster(
    vectors: npt.NDArray[np.float32], *, max_groups: int = 6, per_group: int = 8
) -> Clusters:
    """Groups of similar rows of ``vectors`` (unit rows), the best cut by silhouette
    among cuts with at least one group per ``per_group`` rows (the silhouette alone
    favours two big groups, which tell a reader little)."""
    n = vectors.shape[0]
    if n <= 2:
        return Clusters(groups=(tuple(range(n)),) if n else (), loners=(), silhouette=0.0)
    sims = (vectors @ vectors.T).astype(np.float64)
    cuts = _cuts(sims, max(2, min(max_groups, n - 1)))
    least = min(max(cuts), max(2, round(n / per_group)))
    best_k, best_score = 0, -2.0
    for k in sorted(c for c in cuts if c >= least):
        score = silhouette(sims, cuts[k])
        if score > best_score + 1e-9:
            best_k, best_score = k, score
    labels = cuts[best_k]
    by_label: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    groups = sorted((g for g in by_label.values() if len(g) >= 2), key=lambda g: (-len(g), g[0]))
    loners = sorted(i for g in by_label.values() if len(g) == 1 for i in g)
    return Clusters(tuple(tuple(g) for g in groups), tuple(loners), float(best_score))
