"""The vectors part: one vector per paper (its newest version), never recomputed on a
replay; the window "about N a day" is measured on; nearest papers under the search
filters; texts' vectors; every read and write of one embedding model only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from academichub.embedding.port import EmbeddingModel, Vectors, unit_rows
from academichub.store.embedded import EmbeddedStore
from academichub.store.port import NO_FILTERS, PaperVector, SearchFilters, Store

pytestmark = pytest.mark.integration

MODEL = EmbeddingModel(name="test-model", revision="r1", dimension=8)
OTHER = EmbeddingModel(name="test-model", revision="r2", dimension=8)  # other weights
DAY = dt.date(2026, 6, 10)


def unit(*values: float) -> Vectors:
    row = np.zeros(MODEL.dimension, dtype=np.float32)
    row[: len(values)] = values
    return unit_rows(row[None, :], MODEL.dimension)[0]


def row(
    n: int,
    vector: Vectors,
    *,
    version: int | None = 1,
    published: dt.date = DAY,
    source: str = "arxiv",
    categories: tuple[str, ...] = ("quant-ph",),
) -> PaperVector:
    return PaperVector(f"arxiv:2606.{n:05d}", version, published, source, categories, vector)


def test_a_paper_keeps_its_newest_versions_vector(store: Store) -> None:
    v = store.vectors
    assert v.put_vectors(MODEL, [row(1, unit(1)), row(2, unit(0, 1), version=None)]) == [
        True,
        True,
    ]
    # A replay (same version) and a stale version write nothing; a newer version does.
    assert v.put_vectors(MODEL, [row(1, unit(0, 0, 1)), row(2, unit(1), version=None)]) == [
        False,
        False,
    ]
    assert v.put_vectors(MODEL, [row(1, unit(0, 0, 0, 1), version=3)]) == [True]
    assert v.put_vectors(MODEL, [row(1, unit(1), version=2)]) == [False]
    stored = v.paper_vectors(MODEL, ["arxiv:2606.00001", "arxiv:2606.00002", "arxiv:2606.09999"])
    assert set(stored) == {"arxiv:2606.00001", "arxiv:2606.00002"}
    assert stored["arxiv:2606.00001"].version == 3
    assert np.allclose(stored["arxiv:2606.00001"].vector, unit(0, 0, 0, 1))
    assert stored["arxiv:2606.00002"].version is None
    assert stored["arxiv:2606.00001"].categories == ("quant-ph",)
    assert stored["arxiv:2606.00001"].published == DAY
    assert v.count_vectors(MODEL) == 2


def test_held_versions_are_the_ones_not_to_embed_again(store: Store) -> None:
    v = store.vectors
    v.put_vectors(MODEL, [row(1, unit(1), version=2), row(2, unit(1), version=None)])
    keys = [
        ("arxiv:2606.00001", 1),  # older than the stored one: held
        ("arxiv:2606.00001", 2),  # the stored one: held
        ("arxiv:2606.00001", 3),  # newer: to embed
        ("arxiv:2606.00002", None),
        ("arxiv:2606.00003", 1),  # never seen
    ]
    assert v.vectors_held(MODEL, keys) == {
        ("arxiv:2606.00001", 1),
        ("arxiv:2606.00001", 2),
        ("arxiv:2606.00002", None),
    }
    assert v.vectors_held(OTHER, keys) == set()
    assert v.vectors_held(MODEL, []) == set()


def test_models_never_see_each_others_vectors(store: Store) -> None:
    v = store.vectors
    v.put_vectors(MODEL, [row(1, unit(1))])
    assert v.paper_vectors(OTHER, ["arxiv:2606.00001"]) == {}
    assert v.nearest(OTHER, unit(1), limit=5) == []
    assert v.count_vectors(OTHER) == 0
    assert v.put_vectors(OTHER, [row(1, unit(0, 1))]) == [True]
    assert np.allclose(
        v.paper_vectors(MODEL, ["arxiv:2606.00001"])["arxiv:2606.00001"].vector, unit(1)
    )
    assert len(v.window(OTHER, DAY, DAY)) == 1
    wide = EmbeddingModel(name="test-model", revision="r1", dimension=9)
    with pytest.raises(ValueError, match="values"):
        v.put_vectors(MODEL, [row(3, np.ones(9, dtype=np.float32) / 3)])
    assert v.count_vectors(wide) == 0


def test_the_window_holds_the_papers_of_its_days(store: Store) -> None:
    v = store.vectors
    v.put_vectors(
        MODEL,
        [
            row(3, unit(1), published=DAY),
            row(1, unit(0, 1), published=DAY - dt.timedelta(days=29)),
            row(2, unit(0, 0, 1), published=DAY - dt.timedelta(days=30)),
            row(4, unit(1, 1), published=DAY + dt.timedelta(days=1)),
        ],
    )
    window = v.window(MODEL, DAY - dt.timedelta(days=29), DAY)
    assert window.paper_ids == ("arxiv:2606.00001", "arxiv:2606.00003")
    assert window.published == (DAY - dt.timedelta(days=29), DAY)
    assert window.vectors.shape == (2, MODEL.dimension)
    assert np.allclose(window.vectors[1], unit(1))
    empty = v.window(MODEL, dt.date(2020, 1, 1), dt.date(2020, 1, 2))
    assert len(empty) == 0
    assert empty.vectors.shape == (0, MODEL.dimension)


def test_nearest_papers_most_similar_first(store: Store) -> None:
    v = store.vectors
    v.put_vectors(
        MODEL,
        [
            row(1, unit(1, 0.1)),
            row(2, unit(1, 0.5)),
            row(3, unit(0, 1)),
            row(4, unit(-1)),
        ],
    )
    found = v.nearest(MODEL, unit(1), limit=3)
    assert [n.paper_id for n in found] == [
        "arxiv:2606.00001",
        "arxiv:2606.00002",
        "arxiv:2606.00003",
    ]
    assert found[0].similarity == pytest.approx(float(unit(1) @ unit(1, 0.1)), abs=1e-4)
    assert found[2].similarity == pytest.approx(0.0, abs=1e-4)
    assert v.nearest(MODEL, unit(1), limit=0) == []
    everything = v.nearest(MODEL, unit(1), limit=10)
    assert [n.paper_id for n in everything][-1] == "arxiv:2606.00004"
    assert everything[-1].similarity == pytest.approx(-1.0, abs=1e-4)
    left_out = v.nearest(MODEL, unit(1), limit=2, exclude=["arxiv:2606.00001"])
    assert [n.paper_id for n in left_out] == ["arxiv:2606.00002", "arxiv:2606.00003"]


def test_nearest_papers_honour_the_search_filters(store: Store) -> None:
    v = store.vectors
    v.put_vectors(
        MODEL,
        [
            row(1, unit(1, 0.1), source="journal:nature", categories=("Physics",)),
            row(2, unit(1, 0.2), source="arxiv", categories=("hep-th", "quant-ph")),
            row(3, unit(1, 0.3), source="medrxiv", categories=("Medicine",)),
            row(4, unit(1, 0.4), published=DAY - dt.timedelta(days=3)),
        ],
    )

    def ids(filters: SearchFilters) -> list[str]:
        return [n.paper_id[-1] for n in v.nearest(MODEL, unit(1), limit=10, filters=filters)]

    assert ids(NO_FILTERS) == ["1", "2", "3", "4"]
    assert ids(SearchFilters(sources=("journal:*",))) == ["1"]
    assert ids(SearchFilters(sources=("arxiv", "medrxiv"))) == ["2", "3", "4"]
    assert ids(SearchFilters(categories=("quant-ph",))) == ["2", "4"]
    assert ids(SearchFilters(published_to=DAY - dt.timedelta(days=1))) == ["4"]
    assert ids(SearchFilters(published_from=DAY, categories=("quant-ph",))) == ["2"]


def test_a_newer_version_moves_the_paper(store: Store) -> None:
    v = store.vectors
    v.put_vectors(MODEL, [row(1, unit(1)), row(2, unit(1, 1))])
    assert v.nearest(MODEL, unit(1), limit=1)[0].paper_id == "arxiv:2606.00001"
    v.put_vectors(MODEL, [row(1, unit(0, 0, 1), version=2, categories=("cs.LG",))])
    assert v.nearest(MODEL, unit(1), limit=1)[0].paper_id == "arxiv:2606.00002"
    moved = v.nearest(MODEL, unit(0, 0, 1), limit=1, filters=SearchFilters(categories=("cs.LG",)))
    assert [n.paper_id for n in moved] == ["arxiv:2606.00001"]
    left = v.nearest(MODEL, unit(0, 0, 1), limit=5, filters=SearchFilters(categories=("quant-ph",)))
    assert [n.paper_id for n in left] == ["arxiv:2606.00002"]


def test_texts_keep_their_vectors(store: Store) -> None:
    v = store.vectors
    long_text = "quantum error correction " * 200
    v.put_text_vectors(MODEL, {"bosonic codes": unit(1), long_text: unit(0, 1)})
    found = v.text_vectors(MODEL, ["bosonic codes", long_text, "never embedded"])
    assert set(found) == {"bosonic codes", long_text}
    assert np.allclose(found[long_text], unit(0, 1))
    assert v.text_vectors(OTHER, ["bosonic codes"]) == {}
    v.put_text_vectors(MODEL, {"bosonic codes": unit(0, 0, 1)})  # the same text again
    assert np.allclose(v.text_vectors(MODEL, ["bosonic codes"])["bosonic codes"], unit(0, 0, 1))


def test_a_reader_process_sees_vectors_written_by_another(tmp_path: Path) -> None:
    """The embedded store's searcher loads what another process wrote since it looked."""
    writer = EmbeddedStore(tmp_path, index_writer=True)
    reader = EmbeddedStore(tmp_path, index_writer=False)
    try:
        writer.vectors.put_vectors(MODEL, [row(1, unit(1))])
        assert [n.paper_id for n in reader.vectors.nearest(MODEL, unit(1), limit=5)] == [
            "arxiv:2606.00001"
        ]
        writer.vectors.put_vectors(MODEL, [row(2, unit(1, 0.01)), row(1, unit(-1), version=2)])
        found = reader.vectors.nearest(MODEL, unit(1), limit=5)
        assert [n.paper_id for n in found] == ["arxiv:2606.00002", "arxiv:2606.00001"]
        assert found[1].similarity == pytest.approx(-1.0, abs=1e-5)
    finally:
        reader.close()
        writer.close()
