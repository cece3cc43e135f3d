"""Clustering by meaning: coherent groups on a hand-made set, loners left alone."""

import numpy as np

from academichub.briefer.domain.clustering import cluster, silhouette


def topics(rng: np.random.Generator, sizes: list[int], spread: float, dim: int = 32) -> np.ndarray:
    centres = rng.standard_normal((len(sizes), dim))
    rows = [centres[k] + spread * rng.standard_normal((n, dim)) for k, n in enumerate(sizes)]
    m = np.concatenate(rows)
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float32)


def test_three_topics_come_back_as_three_groups() -> None:
    rng = np.random.default_rng(7)
    vectors = topics(rng, [5, 4, 3], spread=0.35)
    found = cluster(vectors, max_groups=6, per_group=20)
    assert sorted(map(sorted, found.groups)) == [
        list(range(0, 5)),
        list(range(5, 9)),
        list(range(9, 12)),
    ]
    assert found.loners == ()
    assert found.silhouette > 0.3


def test_groups_are_more_alike_inside_than_across() -> None:
    rng = np.random.default_rng(3)
    vectors = topics(rng, [8, 8, 8, 8], spread=0.8)
    found = cluster(vectors, max_groups=6)
    sims = vectors @ vectors.T
    label = {i: g for g, members in enumerate(found.groups) for i in members}
    inside = [sims[a, b] for a in label for b in label if a < b and label[a] == label[b]]
    across = [sims[a, b] for a in label for b in label if a < b and label[a] != label[b]]
    assert np.mean(inside) > np.mean(across) + 0.2


def test_an_outlier_joins_no_group() -> None:
    rng = np.random.default_rng(11)
    vectors = topics(rng, [4, 4, 1], spread=0.2)
    found = cluster(vectors, max_groups=6, per_group=20)
    assert found.loners == (8,)
    assert len(found.groups) == 2


def test_large_windows_are_cut_into_at_most_max_groups_readable_themes() -> None:
    rng = np.random.default_rng(5)
    vectors = topics(rng, [10] * 9, spread=0.5)
    found = cluster(vectors, max_groups=6)
    assert 2 <= len(found.groups) <= 6
    assert sum(map(len, found.groups)) + len(found.loners) == 90


def test_tiny_windows_are_one_group() -> None:
    one = np.eye(1, 4, dtype=np.float32)
    assert cluster(one).groups == ((0,),)
    two = np.eye(2, 4, dtype=np.float32)
    assert cluster(two).groups == ((0, 1),)
    assert cluster(np.zeros((0, 4), dtype=np.float32)).groups == ()


def test_silhouette_agrees_with_its_definition() -> None:
    sims = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.2], [0.1, 0.2, 1.0]])
    labels = [0, 0, 1]
    d = 1 - sims
    s0 = (d[0, 2] - d[0, 1]) / max(d[0, 1], d[0, 2])
    s1 = (d[1, 2] - d[1, 0]) / max(d[1, 0], d[1, 2])
    assert abs(silhouette(sims, labels) - (s0 + s1 + 0.0) / 3) < 1e-12
    assert silhouette(sims, [0, 0, 0]) == 0.0
