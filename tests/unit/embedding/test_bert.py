"""The numpy BERT's pieces that can be checked without the model (the whole forward pass
is checked against sentence-transformers in tests/integration/embedding)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from academichub.embedding.bert import BertConfig, _gelu


def test_gelu_is_the_exact_erf_gelu_to_float32_precision() -> None:
    x = np.linspace(-12, 12, 4001, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(float)])
    np.testing.assert_allclose(_gelu(x), exact, atol=5e-7)


def test_config_reads_a_bert_config_and_refuses_other_activations() -> None:
    config = {
        "hidden_size": 384,
        "num_attention_heads": 12,
        "num_hidden_layers": 6,
        "max_position_embeddings": 512,
        "layer_norm_eps": 1e-12,
        "hidden_act": "gelu",
    }
    assert BertConfig.from_json(config).heads == 12
    with pytest.raises(ValueError, match="relu"):
        BertConfig.from_json({**config, "hidden_act": "relu"})
    with pytest.raises(ValueError, match="hidden_size"):
        BertConfig.from_json({**config, "hidden_size": "384"})
