"""Learning from 👍/👎: the logistic regression is the one scikit-learn finds."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest

from academichub.semantic.feedback import fit_logistic

LIKED = np.array([[0.9, 0.1, 0.3], [0.8, -0.2, 0.4], [0.7, 0.3, -0.1]], dtype=np.float32)
DISLIKED = np.array(
    [[-0.5, 0.6, 0.2], [0.1, 0.9, -0.3], [-0.2, 0.4, 0.8], [0.3, -0.7, 0.5], [0.6, 0.5, 0.1]],
    dtype=np.float32,
)
# scikit-learn 1.9.1: LogisticRegression(C=1/l2, class_weight="balanced", tol=1e-12)
# .fit(vstack([LIKED, DISLIKED]), [1, 1, 1, 0, 0, 0, 0, 0]) -> coef_, intercept_
SKLEARN = {
    0.5: ([1.6112735, -0.3872219, -0.1743986], -0.6108751),
    2.0: ([0.5978239, -0.1921686, -0.0568191], -0.2071838),
}


@pytest.mark.parametrize("form", ["kernel", "primal"])
@pytest.mark.parametrize("l2", [0.5, 2.0])
def test_both_newton_forms_find_scikit_learns_solution(
    form: Literal["kernel", "primal"], l2: float
) -> None:
    model = fit_logistic(LIKED, DISLIKED, l2=l2, form=form)
    weights, bias = SKLEARN[l2]
    np.testing.assert_allclose(model.weights, weights, atol=2e-6)
    assert model.bias == pytest.approx(bias, abs=2e-6)
    assert (model.liked, model.disliked) == (3, 5)


def test_the_solution_satisfies_the_optimality_condition_in_high_dimension() -> None:
    rng = np.random.default_rng(3)
    liked = rng.standard_normal((6, 500)).astype(np.float32) + 0.3
    disliked = rng.standard_normal((9, 500)).astype(np.float32) - 0.3
    model = fit_logistic(liked, disliked, l2=1.0)
    x = np.concatenate([liked, disliked]).astype(np.float64)
    y = np.r_[np.ones(6), np.zeros(9)]
    c = np.where(y == 1, 15 / 12, 15 / 18)
    p = 1 / (1 + np.exp(-(x @ model.weights + model.bias)))
    gradient = x.T @ (c * (p - y)) + 1.0 * model.weights
    assert np.abs(gradient).max() < 1e-4
    assert abs((c * (p - y)).sum()) < 1e-4
    assert model.logits(liked).min() > model.logits(disliked).max()  # separable: all right


def test_scores_order_a_new_paper_by_its_likeness_to_the_liked_ones() -> None:
    model = fit_logistic(LIKED, DISLIKED, l2=0.5)
    close, far = np.array([[0.85, 0.0, 0.2], [-0.4, 0.7, 0.3]], dtype=np.float32)
    assert model.probability(close[None])[0] > 0.5 > model.probability(far[None])[0]


def test_refuses_a_missing_class_and_mismatched_widths() -> None:
    with pytest.raises(ValueError, match="one liked and one disliked"):
        fit_logistic(LIKED, DISLIKED[:0])
    with pytest.raises(ValueError, match="same width"):
        fit_logistic(LIKED, DISLIKED[:, :2])
    with pytest.raises(ValueError, match="positive"):
        fit_logistic(LIKED, DISLIKED, l2=0)
