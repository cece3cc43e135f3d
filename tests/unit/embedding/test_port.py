"""The port's contract: unit rows of the stated dimension; the fake keeps it too."""

from __future__ import annotations

import numpy as np
import pytest

from academichub.embedding.fake import FakeEmbedder
from academichub.embedding.port import EmbeddingModel, EmbeddingRejected, unit_rows


def test_unit_rows_normalises_and_refuses_what_is_not_a_vector_per_text() -> None:
    rows = unit_rows([[3.0, 4.0], [0.0, -2.0]], 2)
    assert rows.dtype == np.float32
    np.testing.assert_allclose(rows, [[0.6, 0.8], [0.0, -1.0]], atol=1e-7)
    with pytest.raises(EmbeddingRejected, match="2 dimensions"):
        unit_rows([[1.0, 2.0, 3.0]], 2)
    with pytest.raises(EmbeddingRejected, match="all zeros"):
        unit_rows([[0.0, 0.0]], 2)
    with pytest.raises(EmbeddingRejected, match="NaN"):
        unit_rows([[np.nan, 1.0]], 2)


def test_model_key_changes_with_every_part_of_the_provenance() -> None:
    base = EmbeddingModel(name="m", revision="sha256:ab", dimension=384)
    others = [
        EmbeddingModel(name="n", revision="sha256:ab", dimension=384),
        EmbeddingModel(name="m", revision="sha256:cd", dimension=384),
        EmbeddingModel(name="m", revision="sha256:ab", dimension=256),
        EmbeddingModel(name="m", revision="sha256:ab", dimension=384, text_recipe="other"),
    ]
    assert len({base.key, *(o.key for o in others)}) == 5


def test_fake_vectors_are_deterministic_unit_rows_close_when_words_are_shared() -> None:
    fake = FakeEmbedder(dimension=64)
    a, b, c = fake.embed(["cat codes for qubits", "qubits and cat codes", "protein folding"])
    np.testing.assert_allclose(np.linalg.norm([a, b, c], axis=1), 1.0, atol=1e-6)
    assert a @ b > 0.7
    assert abs(a @ c) < 0.4
    np.testing.assert_array_equal(FakeEmbedder(dimension=64).embed(["protein folding"])[0], c)
    assert fake.batches == [("cat codes for qubits", "qubits and cat codes", "protein folding")]


def test_fake_pins_vectors_and_raises_scripted_failures_in_order() -> None:
    fake = FakeEmbedder(dimension=2, pinned={"north": [0.0, 5.0]})
    fake.failures.append(EmbeddingRejected("scripted"))
    with pytest.raises(EmbeddingRejected, match="scripted"):
        fake.embed(["north"])
    np.testing.assert_allclose(fake.embed(["north"]), [[0.0, 1.0]])
    assert fake.texts_embedded == 2
