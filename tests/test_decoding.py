"""Any R of N worker results recover h(e(alpha)), a polynomial of degree G*P."""

import itertools

import numpy as np
import pytest

from aicc.baselines import (
    berrut_weights,
    fit_power_sum_predictor,
    power_sum_estimates,
    power_sums,
)
from aicc.decoding import (
    DecodingError,
    decode,
    decode_per_sample,
    interpolation_weights,
    random_subsets,
)
from aicc.model import build_model, carry_through_matrix
from aicc.points import betas, evaluation_points


@pytest.fixture(scope="module", params=["paper", "lagrange"])
def float64_model(request):
    model = build_model(M=4, K=3, V=4, G=2, P=2, hidden_layers=1, width=16, dtype="float64",
                        seed=3, encoder=request.param)
    if request.param == "lagrange":  # move off the zero start and the identity moments
        model.standardize_inputs(np.full((4, 4), 0.3), 0.7)
        for weight in model.trainable_weights:
            weight.assign(weight + 0.05)
    return model


@pytest.fixture(scope="module")
def inputs():
    return np.random.default_rng(0).uniform(-1, 1, size=(6, 3, 4, 4))


def test_worker_results_are_a_polynomial_of_degree_GP(float64_model, inputs):
    R = float64_model.recovery_threshold
    assert R == 5
    alphas = evaluation_points(R)
    others = np.array([-0.7, 0.05, 0.55, 1.3])
    results = np.asarray(float64_model.at_points(inputs, alphas))
    direct = np.asarray(float64_model.at_points(inputs, others))
    weights = interpolation_weights(alphas, others)
    recovered = np.einsum("kr,brv->bkv", weights, results)
    assert np.max(np.abs(recovered - direct)) <= 1e-10 * np.max(np.abs(direct))


def test_any_R_subset_of_N_workers_decodes_the_same(float64_model, inputs):
    N, R = 8, float64_model.recovery_threshold
    alphas, beta = evaluation_points(N), betas(3)
    results = np.asarray(float64_model.at_points(inputs, alphas))
    direct = np.asarray(float64_model(inputs))
    rng = np.random.default_rng(1)
    subsets = list(itertools.combinations(range(N), R))
    for index in rng.choice(len(subsets), size=10, replace=False):
        subset = list(subsets[index])
        estimate = decode(results[:, subset], alphas[subset], beta, R)
        assert np.max(np.abs(estimate - direct)) <= 1e-9 * np.max(np.abs(direct))
    per_sample = decode_per_sample(results, alphas, beta, random_subsets(rng, N, R, 6))
    assert np.max(np.abs(per_sample - direct)) <= 1e-9 * np.max(np.abs(direct))


def test_fewer_than_R_results_are_refused(float64_model, inputs):
    alphas = evaluation_points(8)[:4]
    results = np.asarray(float64_model.at_points(inputs, alphas))
    with pytest.raises(DecodingError, match="4 worker results received.*R=5"):
        decode(results, alphas, betas(3), recovery_threshold=5)


def test_repeated_and_ill_conditioned_points_are_refused():
    with pytest.raises(DecodingError, match="distinct"):
        interpolation_weights([0.1, 0.2, 0.2], betas(3))
    with pytest.raises(DecodingError, match="amplifies worker errors"):
        interpolation_weights(np.linspace(0.0, 0.01, 5), [1.0])
    with pytest.raises(DecodingError, match="exceeds the number of workers"):
        random_subsets(np.random.default_rng(0), 4, 5, 1)


def test_chebyshev_points_are_distinct_and_better_conditioned():
    paper, cheb = evaluation_points(15), evaluation_points(15, "chebyshev")
    assert len(np.unique(cheb)) == 15 and 0 < cheb.min() and cheb.max() < 1
    lebesgue = [np.abs(interpolation_weights(p, betas(3))).sum(1).max() for p in (paper, cheb)]
    assert lebesgue[1] < lebesgue[0]
    with pytest.raises(ValueError, match="unknown evaluation point family 'gauss'"):
        evaluation_points(3, "gauss")


def test_berrut_weights_interpolate_nodes_and_reproduce_constants():
    nodes = evaluation_points(7)
    weights = berrut_weights(nodes, [nodes[2], 0.33, 1.0])
    assert np.allclose(weights[0], np.eye(7)[2])
    assert np.allclose(weights.sum(axis=1), 1.0)


def test_carry_through_puts_each_input_at_its_beta():
    beta = betas(3)
    C = carry_through_matrix(beta, G=2)
    powers = beta[:, None] ** np.arange(3)[None, :]
    assert np.allclose(powers @ C, np.eye(3))
    assert carry_through_matrix(beta, G=4)[3:].sum() == 0
    least_squares = carry_through_matrix(betas(5), G=1)
    assert least_squares.shape == (2, 5)


def test_power_sums_are_traces_of_powers_and_degree_zero_is_the_mean():
    X = np.random.default_rng(1).uniform(-1, 1, size=(50, 3, 3))
    features = power_sums(X, 3)
    assert np.allclose(features[:, 0], 1.0)
    assert np.allclose(features[:, 3], np.trace(X @ X @ X, axis1=1, axis2=2))
    Y = np.linalg.det(X)[:, None]
    assert np.allclose(power_sum_estimates(fit_power_sum_predictor(X, Y, 0), X), Y.mean())


def test_power_sum_fit_recovers_a_function_of_the_power_sums():
    # The determinant of a 2 x 2 matrix is (tr(X)^2 - tr(X^2)) / 2: affine in tr(X^2)
    # only when tr(X) is fixed, so it is exact for traceless inputs at degree 2.
    A = np.random.default_rng(2).uniform(-1, 1, size=(40, 2, 2))
    X = A - np.trace(A, axis1=1, axis2=2)[:, None, None] * np.eye(2) / 2
    Y = np.linalg.det(X)[:, None]
    assert np.allclose(power_sum_estimates(fit_power_sum_predictor(X, Y, 2), X), Y)
    assert not np.allclose(power_sum_estimates(fit_power_sum_predictor(X, Y, 1), X), Y)
    with pytest.raises(ValueError, match="degree must be a non-negative integer, got -1"):
        fit_power_sum_predictor(X, Y, -1)
