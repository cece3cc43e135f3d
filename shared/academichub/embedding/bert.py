"""A BERT encoder's forward pass in numpy, for sentence embeddings on the CPU without torch.

What it computes is exactly what ``transformers``' ``BertModel`` computes in inference
(no dropout) followed by sentence-transformers' mean pooling and L2 normalisation:

    x  = LayerNorm(word[ids] + position[0..L) + token_type[0])
    for each layer:
        a = softmax(Q K^T / sqrt(head_size) + mask) V     (per head, padded keys masked)
        x = LayerNorm(x + a W_o + b_o)
        x = LayerNorm(x + GELU(x W_i + b_i) W_out + b_out)
    v  = mean of x over the real (unpadded) tokens, then v / |v|

GELU is the exact one (``0.5 x (1 + erf(x / sqrt 2))``); numpy has no ``erf``, so it is
the Abramowitz-Stegun 7.1.26 rational approximation, absolute error under 1.5e-7, below
float32's resolution of the activations. Everything is float32; matrix products go to
BLAS, whose thread count the process sets once (:mod:`academichub.platform.blas`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["BertConfig", "BertEncoder", "Layer"]

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

# Abramowitz & Stegun 7.1.26.
_P = np.float32(0.3275911)
_A = tuple(
    np.float32(a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
)
_SQRT_HALF = np.float32(np.sqrt(0.5))


def _gelu(x: F32) -> F32:
    """Exact GELU, ``0.5 x (1 + erf(x / sqrt 2))``, written as
    ``max(x, 0) - 0.5 |x| erfc(|x| / sqrt 2)`` (the same for either sign of x) with
    ``erfc`` from A&S 7.1.26; in-place steps keep the temporaries few."""
    ax = np.abs(x)
    z = ax * _SQRT_HALF
    t = z * _P
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    erfc = _A[4] * t
    for a in (_A[3], _A[2], _A[1], _A[0]):
        erfc += a
        erfc *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    erfc *= z
    erfc *= ax
    erfc *= np.float32(0.5)
    result: F32 = np.maximum(x, np.float32(0.0))
    result -= erfc
    return result


def _layer_norm(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    result: F32 = centred / np.sqrt(var + np.float32(eps)) * weight + bias
    return result


@dataclass(frozen=True)
class BertConfig:
    hidden_size: int
    heads: int
    layers: int
    layer_norm_eps: float
    max_positions: int

    @classmethod
    def from_json(cls, config: Mapping[str, object]) -> BertConfig:
        """From a Hugging Face ``config.json`` of a BERT model."""

        def integer(key: str) -> int:
            value = config[key]
            if not isinstance(value, int):
                raise ValueError(f"config.json: {key} is not an integer: {value!r}")
            return value

        eps = config.get("layer_norm_eps", 1e-12)
        if not isinstance(eps, int | float):
            raise ValueError(f"config.json: layer_norm_eps is not a number: {eps!r}")
        act = config.get("hidden_act", "gelu")
        if act != "gelu":
            raise ValueError(f"config.json: hidden_act {act!r} is not supported (only gelu)")
        return cls(
            hidden_size=integer("hidden_size"),
            heads=integer("num_attention_heads"),
            layers=integer("num_hidden_layers"),
            layer_norm_eps=float(eps),
            max_positions=integer("max_position_embeddings"),
        )


@dataclass(frozen=True)
class Layer:
    """One encoder layer's weights, stored transposed (``x @ w``) and with Q, K, V fused
    into one (hidden, 3 hidden) matrix: one product instead of three."""

    qkv_w: F32
    qkv_b: F32
    out_w: F32
    out_b: F32
    norm1_w: F32
    norm1_b: F32
    inter_w: F32
    inter_b: F32
    output_w: F32
    output_b: F32
    norm2_w: F32
    norm2_b: F32


class BertEncoder:
    """Mean-pooled, L2-normalised sentence vectors from token ids, in numpy."""

    def __init__(self, config: BertConfig, tensors: Mapping[str, npt.NDArray[np.generic]]) -> None:
        self.config = config

        def get(name: str) -> F32:
            try:
                tensor = tensors[name]
            except KeyError:
                raise ValueError(f"the weights have no tensor {name!r}") from None
            return np.ascontiguousarray(tensor, dtype=np.float32)

        def linear(prefix: str) -> tuple[F32, F32]:
            return np.ascontiguousarray(get(f"{prefix}.weight").T), get(f"{prefix}.bias")

        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type0 = get("embeddings.token_type_embeddings.weight")[0]
        self.embed_norm = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        if self.word.shape[1] != config.hidden_size:
            raise ValueError(
                f"word embeddings are {self.word.shape[1]}-dimensional, "
                f"config says {config.hidden_size}"
            )
        layers = []
        for i in range(config.layers):
            p = f"encoder.layer.{i}"
            q_w, q_b = linear(f"{p}.attention.self.query")
            k_w, k_b = linear(f"{p}.attention.self.key")
            v_w, v_b = linear(f"{p}.attention.self.value")
            out_w, out_b = linear(f"{p}.attention.output.dense")
            inter_w, inter_b = linear(f"{p}.intermediate.dense")
            output_w, output_b = linear(f"{p}.output.dense")
            layers.append(
                Layer(
                    qkv_w=np.ascontiguousarray(np.concatenate([q_w, k_w, v_w], axis=1)),
                    qkv_b=np.concatenate([q_b, k_b, v_b]),
                    out_w=out_w,
                    out_b=out_b,
                    norm1_w=get(f"{p}.attention.output.LayerNorm.weight"),
                    norm1_b=get(f"{p}.attention.output.LayerNorm.bias"),
                    inter_w=inter_w,
                    inter_b=inter_b,
                    output_w=output_w,
                    output_b=output_b,
                    norm2_w=get(f"{p}.output.LayerNorm.weight"),
                    norm2_b=get(f"{p}.output.LayerNorm.bias"),
                )
            )
        self.layers = tuple(layers)

    @property
    def dimension(self) -> int:
        return self.config.hidden_size

    def encode(self, ids: I64, mask: npt.NDArray[np.bool_]) -> F32:
        """Unit vectors (batch, hidden) for token ids (batch, length) whose real tokens
        are ``mask``; each row needs at least one real token."""
        batch, length = ids.shape
        if length > self.config.max_positions:
            raise ValueError(f"{length} tokens exceed the model's {self.config.max_positions}")
        hidden, heads = self.config.hidden_size, self.config.heads
        size = hidden // heads
        eps = self.config.layer_norm_eps
        x = self.word[ids] + self.position[:length] + self.token_type0
        x = _layer_norm(x, *self.embed_norm, eps)
        # Padded keys get a large negative score, so softmax gives them ~0 weight.
        bias = np.where(mask, np.float32(0.0), np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in self.layers:
            flat = x.reshape(batch * length, hidden)
            qkv = (flat @ layer.qkv_w + layer.qkv_b).reshape(batch, length, 3, heads, size)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)  # (batch, heads, length, size)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)  # (batch, heads, size, length)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            scores = (q * scale) @ k + bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
            attended = context @ layer.out_w + layer.out_b
            flat = _layer_norm(flat + attended, layer.norm1_w, layer.norm1_b, eps)
            inner = _gelu(flat @ layer.inter_w + layer.inter_b)
            flat = _layer_norm(
                flat + inner @ layer.output_w + layer.output_b, layer.norm2_w, layer.norm2_b, eps
            )
            x = flat.reshape(batch, length, hidden)
        weights = mask.astype(np.float32)[:, :, None]
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), np.float32(1e-9))
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: F32 = (pooled / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
        return result
