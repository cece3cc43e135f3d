"""Vectors kept on disk: a rerun embeds nothing twice, and never mixes models."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from academichub.embedding.cache import CachedEmbedder
from academichub.embedding.fake import FakeEmbedder


def test_a_second_run_embeds_only_what_is_new(tmp_path: Path) -> None:
    first = FakeEmbedder()
    vectors = CachedEmbedder(first, tmp_path).embed(["a b", "c d", "a b"])
    assert first.batches == [("a b", "c d")]  # a repeated text is embedded once

    second = FakeEmbedder()
    cached = CachedEmbedder(second, tmp_path)
    again = cached.embed(["c d", "e f", "a b"])
    assert second.batches == [("e f",)]
    np.testing.assert_array_equal(again[[2, 0]], vectors[[0, 1]])
    assert (cached.hits, cached.misses) == (2, 1)
    assert len(CachedEmbedder(FakeEmbedder(), tmp_path)) == 3


def test_another_model_gets_its_own_file(tmp_path: Path) -> None:
    CachedEmbedder(FakeEmbedder(dimension=16), tmp_path).embed(["a b"])
    other = FakeEmbedder(dimension=16, name="another-model")
    CachedEmbedder(other, tmp_path).embed(["a b"])
    assert other.batches == [("a b",)]
    assert len(list(tmp_path.glob("*.npz"))) == 2
