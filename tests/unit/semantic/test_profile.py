"""A radar's meaning: direction from seeds, liked papers and interest; learning from ratings."""

from __future__ import annotations

import numpy as np
import pytest

from academichub.embedding.fake import FakeEmbedder
from academichub.semantic.profile import SemanticProfile

E = FakeEmbedder(dimension=64)
QUBITS = E.embed(
    ["bosonic cat codes qubits", "surface code qubits decoder", "qubits error correction codes"]
)
BIO = E.embed(["protein folding dynamics", "gene expression cells"])


def test_direction_is_the_normalised_mean_of_references_and_interest() -> None:
    profile = SemanticProfile.build(
        "r1", 64, seeds={"s1": QUBITS[0], "s2": QUBITS[1]}, interest=QUBITS[2]
    )
    expected = QUBITS.mean(axis=0)
    np.testing.assert_allclose(profile.direction, expected / np.linalg.norm(expected), atol=1e-6)
    assert profile.kind == "similarity"
    assert profile.reference_ids == ("s1", "s2")
    scores = profile.raw_scores(np.concatenate([QUBITS, BIO]))
    assert scores[:3].min() > scores[3:].max()
    np.testing.assert_array_equal(profile.reported(scores), scores)


def test_it_learns_from_the_second_rating_with_a_dislike() -> None:
    seeds = {"s1": QUBITS[0]}
    one = SemanticProfile.build("r", 64, seeds=seeds, disliked={"d1": BIO[0]})
    assert one.learned is None  # one rating is not enough
    two = SemanticProfile.build("r", 64, seeds=seeds, disliked={"d1": BIO[0], "d2": BIO[1]})
    assert two.kind == "learned"
    assert two.learned is not None
    assert two.learned.liked == 1
    only_likes = SemanticProfile.build("r", 64, liked={"l1": QUBITS[0], "l2": QUBITS[1]})
    assert only_likes.learned is None
    assert only_likes.is_semantic
    raw = two.raw_scores(np.stack([QUBITS[1], BIO[0]]))
    reported = two.reported(raw)
    assert 0 < reported[1] < 0.5 < reported[0] < 1


def test_a_paper_both_seed_and_liked_counts_once() -> None:
    profile = SemanticProfile.build("r", 64, seeds={"p": QUBITS[0]}, liked={"p": QUBITS[0]})
    assert profile.reference_ids == ("p",)
    assert profile.liked == 0


def test_a_radar_with_nothing_semantic_has_no_score() -> None:
    profile = SemanticProfile.build("r", 64)
    assert not profile.is_semantic
    with pytest.raises(ValueError, match="no seeds"):
        profile.score_row()
