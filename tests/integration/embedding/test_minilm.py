"""The embedded MiniLM, run in numpy, gives sentence-transformers' vectors.

The reference vectors were made once with sentence-transformers 6.3 and torch 2.13 (CPU)
from the same packaged files (tests/fixtures/embedding/minilm_reference.json): a text
longer than 256 word pieces (truncation), one with TeX, short English, Chinese and
German ones, in one batch (padding). The model loads once for the module: it is the slow
part.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from academichub.embedding.minilm import PINNED, MiniLMEmbedder, packaged_model_dir
from academichub.embedding.port import ModelFilesInvalid

pytestmark = pytest.mark.integration

REFERENCE = Path(__file__).parents[2] / "fixtures" / "embedding" / "minilm_reference.json"


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder.load()


def test_vectors_match_sentence_transformers(minilm: MiniLMEmbedder) -> None:
    reference = json.loads(REFERENCE.read_text())
    assert max(reference["token_counts"]) > 256  # truncation is exercised
    expected = np.array(reference["vectors"], dtype=np.float32)
    vectors = minilm.embed(reference["texts"])
    assert vectors.shape == (6, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    assert cosines.min() >= 0.9999, cosines
    # Alone or in a batch of other lengths, a text gets the same vector (padding is inert).
    alone = minilm.embed([reference["texts"][3]])[0]
    assert float(alone @ vectors[3]) >= 0.99999


def test_provenance_names_the_verified_weights(minilm: MiniLMEmbedder) -> None:
    model = minilm.model
    assert model.name == "sentence-transformers/all-MiniLM-L6-v2"
    assert model.revision == f"sha256:{PINNED.weights}"
    assert PINNED.weights.startswith("53aa5117")
    assert model.dimension == 384
    assert minilm.embed([]).shape == (0, 384)


def test_weights_that_are_not_the_pinned_ones_are_refused(tmp_path: Path) -> None:
    packaged = packaged_model_dir()
    for name in ("tokenizer.json", "config.json"):
        shutil.copy(packaged / name, tmp_path / name)
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(ModelFilesInvalid, match=r"model\.safetensors has sha256"):
        MiniLMEmbedder.load(tmp_path)
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(ModelFilesInvalid, match="cannot read"):
        MiniLMEmbedder.load(tmp_path)
