"""Every semantic radar in one matrix: the hits are exactly what a loop over the radars
would find, and edits take effect without a rebuild."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest

from academichub.embedding.fake import FakeEmbedder
from academichub.semantic.bank import RadarBank
from academichub.semantic.profile import SemanticProfile

DIM = 32
RNG = np.random.default_rng(11)


def unit(n: int) -> np.ndarray:
    v = RNG.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


PAPERS = unit(40)


def profile(radar_id: str, seeds: np.ndarray, threshold: float | None = 0.3) -> SemanticProfile:
    return SemanticProfile.build(
        radar_id,
        DIM,
        seeds={f"{radar_id}-s{i}": v for i, v in enumerate(seeds)},
        threshold=threshold,
    )


def expected_hits(profiles: list[SemanticProfile], papers: np.ndarray) -> set[tuple[int, str]]:
    """The naive loop: each radar's own score of each paper against its threshold."""
    found = set()
    for p in profiles:
        if p.threshold is None:
            continue
        for i, score in enumerate(p.raw_scores(papers)):
            if score >= p.threshold:
                found.add((i, p.radar_id))
    return found


def hits_of(bank: RadarBank, papers: np.ndarray) -> set[tuple[int, str]]:
    batch = bank.match(papers)
    return {(int(i), str(r)) for i, r in zip(batch.paper_index, batch.radar_ids, strict=True)}


def test_hits_are_those_of_the_naive_loop_and_grow_past_the_first_capacity() -> None:
    profiles = [profile(f"r{i}", PAPERS[RNG.choice(40, 3, replace=False)]) for i in range(50)]
    bank = RadarBank(DIM, capacity=4)
    for p in profiles:
        bank.put(p)
    assert len(bank) == 50
    assert hits_of(bank, PAPERS) == expected_hits(profiles, PAPERS)
    batch = bank.match(PAPERS)
    assert list(batch.paper_index) == sorted(batch.paper_index)  # grouped by paper
    k = 0
    np.testing.assert_allclose(
        batch.raw[k], bank.raw_scores(str(batch.radar_ids[k]), PAPERS)[batch.paper_index[k]]
    )


def test_replace_and_remove_take_effect_in_place_and_slots_are_reused() -> None:
    bank = RadarBank(DIM, capacity=2)
    a, b = profile("a", PAPERS[:3]), profile("b", PAPERS[10:13])
    bank.put(a)
    bank.put(b)
    before = bank.nbytes()
    assert {r for i, r in hits_of(bank, PAPERS[:3])} >= {"a"}
    moved = profile("a", PAPERS[20:23])
    bank.put(moved)
    assert hits_of(bank, PAPERS) == expected_hits([moved, b], PAPERS)
    assert bank.remove("b")
    assert not bank.remove("b")
    assert "b" not in bank
    assert hits_of(bank, PAPERS) == expected_hits([moved], PAPERS)
    bank.put(profile("c", PAPERS[30:33]))
    assert bank.nbytes() == before  # c took b's slot: nothing grew


def test_a_radar_without_threshold_ranks_but_never_hits() -> None:
    bank = RadarBank(DIM)
    bank.put(profile("ranks-only", PAPERS[:3], threshold=None))
    assert len(bank.match(PAPERS)) == 0
    assert bank.raw_scores("ranks-only", PAPERS[:3]).min() > 0.3


def test_hits_name_the_nearest_references_with_their_similarity() -> None:
    bank = RadarBank(DIM)
    seeds = PAPERS[:4]
    bank.put(profile("r", seeds, threshold=-1.0))  # everything hits
    batch = bank.match(PAPERS[5:9])
    for k in range(len(batch)):
        paper = PAPERS[5 + int(batch.paper_index[k])]
        cosines = seeds @ paper
        best = np.argsort(-cosines)[:2]
        hit = batch.hit(k)
        assert [rid for rid, _ in hit.nearest] == [f"r-s{i}" for i in best]
        np.testing.assert_allclose([s for _, s in hit.nearest], cosines[best], atol=0.01)
    assert [h.radar_id for h in batch.for_paper(2)] == ["r"]
    unexplained = bank.match(PAPERS[5:9], explain=False)
    assert unexplained.hit(0).nearest == ()


def test_learned_radars_report_a_probability_and_explain_by_references() -> None:
    fake = FakeEmbedder(dimension=DIM)
    liked = fake.embed(["cat codes qubits", "bosonic codes qubits"])
    disliked = fake.embed(["protein folding", "gene expression"])
    learned = SemanticProfile.build(
        "l",
        DIM,
        seeds={"s": liked[0]},
        liked={"k": liked[1]},
        disliked={"d1": disliked[0], "d2": disliked[1]},
        threshold=0.0,  # a logit of 0: probability one half
    )
    bank = RadarBank(DIM)
    bank.put(learned)
    batch = bank.match(fake.embed(["qubits cat codes", "protein gene folding"]))
    assert [int(i) for i in batch.paper_index] == [0]
    hit = batch.hit(0)
    assert hit.kind == "learned"
    assert 0.5 < hit.score < 1
    assert hit.nearest[0][0] == "s"


@pytest.mark.parametrize("dtype", ["int8"])
def test_int8_rows_keep_scores_within_rounding(dtype: Literal["int8"]) -> None:
    profiles = [profile(f"r{i}", PAPERS[RNG.choice(40, 3, replace=False)]) for i in range(30)]
    exact, small = RadarBank(DIM), RadarBank(DIM, dtype=dtype)
    for p in profiles:
        exact.put(p)
        small.put(p)
    for p in profiles[:5]:
        np.testing.assert_allclose(
            small.raw_scores(p.radar_id, PAPERS), exact.raw_scores(p.radar_id, PAPERS), atol=0.02
        )
    assert small.nbytes() < exact.nbytes()


def test_references_of_replaced_radars_are_compacted_and_stay_right() -> None:
    bank = RadarBank(DIM)
    for round_ in range(800):  # 3 references a put: compaction runs several times
        bank.put(profile(f"r{round_ % 3}", PAPERS[round_ % 30 : round_ % 30 + 3], threshold=-1))
    last = {f"r{round_ % 3}": round_ for round_ in range(800)}  # each radar's last put
    batch = bank.match(PAPERS[:1])
    assert len(batch) == 3
    for k in range(len(batch)):
        hit = batch.hit(k)
        start = last[hit.radar_id] % 30
        names = {f"{hit.radar_id}-s{i}" for i in range(3)}
        assert {rid for rid, _ in hit.nearest} <= names
        cosines = PAPERS[start : start + 3] @ PAPERS[0]
        assert hit.nearest[0][1] == pytest.approx(cosines.max(), abs=0.01)


def test_refuses_vectors_of_another_dimension_and_radars_with_nothing_semantic() -> None:
    bank = RadarBank(DIM)
    with pytest.raises(ValueError, match="dimensional"):
        bank.put(SemanticProfile.build("x", DIM + 1, seeds={"s": np.ones(DIM + 1)}))
    with pytest.raises(ValueError, match="no seeds"):
        bank.put(SemanticProfile.build("x", DIM))
    bank.put(profile("r", PAPERS[:3]))
    with pytest.raises(ValueError, match="32 dimensions"):
        bank.match(np.ones((2, DIM + 1), dtype=np.float32))


@pytest.mark.parametrize("dtype", ["float32", "int8"])
def test_scoring_chosen_pairs_agrees_with_scoring_everything(
    dtype: Literal["float32", "int8"],
) -> None:
    profiles = [profile(f"r{i}", unit(3), threshold=0.05) for i in range(6)]
    bank = RadarBank(DIM, dtype=dtype)
    for p in profiles:
        bank.put(p)
    everything = bank.match(PAPERS)
    all_hits = {
        (int(everything.paper_index[k]), everything.hit(k).radar_id): everything.hit(k)
        for k in range(len(everything))
    }
    # Every (paper, radar) pair, asked one by one in a shuffled order.
    pairs = [(i, p.radar_id) for i in range(len(PAPERS)) for p in profiles]
    order = RNG.permutation(len(pairs))
    index = np.array([pairs[k][0] for k in order], dtype=np.int64)
    radars = [pairs[k][1] for k in order]
    chosen = bank.score(index, radars, PAPERS)
    got = {
        (int(chosen.paper_index[k]), chosen.hit(k).radar_id): chosen.hit(k)
        for k in range(len(chosen))
    }
    assert set(got) == set(all_hits)
    for key, hit in got.items():
        assert hit.raw == pytest.approx(all_hits[key].raw, abs=1e-5)
        assert [n for n, _ in hit.nearest] == [n for n, _ in all_hits[key].nearest]
        assert [s for _, s in hit.nearest] == pytest.approx(
            [s for _, s in all_hits[key].nearest], abs=1e-5
        )
    assert len(bank.score(np.zeros(0, np.int64), [], PAPERS)) == 0


def test_radars_without_references_are_explained_by_nothing() -> None:
    bank = RadarBank(DIM)
    bank.put(SemanticProfile.build("r", DIM, interest=PAPERS[0], threshold=0.5))
    hits = bank.match(PAPERS)
    assert len(hits) >= 1
    assert hits.hit(0).nearest == ()
