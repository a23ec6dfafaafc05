"""Baselines that every AICC result is reported against, on the same test sets.

* Mean predictor: answers the training-distribution mean of f for every input; a
  coded scheme that does not beat it has learned nothing about the inputs.
* BACC (Berrut approximated coded computing): encodes the K inputs with Berrut's
  rational interpolant through (beta_k, X_k), evaluated at the workers' points; each
  worker applies the true f; the master decodes any R responses with Berrut's
  interpolant back at the betas. Training-free, and it works for any f.
* Power-sum regression: the least-squares affine map from the power sums
  tr(X), ..., tr(X^q) of each input to f(X). A worker of degree P applies linear maps
  to X~, ..., X~^P entry by entry; for a spectral f, such as P1's eigenvalues, the
  power sums up to q = P are the spectral information such a readout gets directly,
  so this uncoded predictor shows where an affine readout of them lands. Degree 0 is
  the mean predictor.
"""

import numpy as np

from aicc.decoding import barycentric_weights, decode_per_sample


def berrut_weights(nodes, targets) -> np.ndarray:
    """Weights ``(len(targets), len(nodes))`` of Berrut's rational interpolant.

    r(z) = sum_j w_j(z) y_j with w_j proportional to (-1)^j / (z - x_j) over the nodes
    in increasing order; a target equal to a node takes that node's value.
    """
    nodes = np.asarray(nodes, dtype=np.float64)
    signs = np.empty(nodes.size)
    signs[np.argsort(nodes)] = (-1.0) ** np.arange(nodes.size)
    return barycentric_weights(nodes, signs, targets)


def bacc_estimates(problem, X, alphas, betas, subsets) -> np.ndarray:
    """BACC's estimates ``(batch, K, V)`` of f(X_k) for inputs X ``(batch, K, M, M)``.

    ``subsets`` ``(batch, R)`` are the workers that responded for each input set.
    """
    encoder_weights = berrut_weights(betas, alphas)
    encoded = np.einsum("nk,bkij->bnij", encoder_weights, X)
    results = problem.target(encoded)
    return decode_per_sample(results, alphas, betas, subsets, weights_fn=berrut_weights)


def mean_predictor_estimates(target_mean, shape) -> np.ndarray:
    """The mean predictor's answer, the target mean broadcast to ``shape`` (batch, K, V)."""
    return np.broadcast_to(np.asarray(target_mean, dtype=np.float64), shape)


def power_sums(X, degree) -> np.ndarray:
    """Features [1, tr X, ..., tr X^degree] of matrices ``(..., M, M)``, ``(..., degree+1)``."""
    X = np.asarray(X, dtype=np.float64)
    features = [np.ones(X.shape[:-2])]
    power = None
    for _ in range(int(degree)):
        power = X if power is None else power @ X
        features.append(np.trace(power, axis1=-2, axis2=-1))
    return np.stack(features, axis=-1)


def fit_power_sum_predictor(X, Y, degree) -> np.ndarray:
    """Least-squares weights ``(degree+1, V)`` of f(X) ``(n, V)`` on power sums of X ``(n, M, M)``.

    Each power sum is scaled by its largest magnitude before the fit, so that high
    degrees do not make the system ill-conditioned; the returned weights include it.
    """
    if int(degree) < 0:
        raise ValueError(f"degree must be a non-negative integer, got {degree!r}")
    features = power_sums(X, degree)
    scale = np.abs(features).max(axis=0)
    scale[scale == 0] = 1.0
    weights, *_ = np.linalg.lstsq(features / scale, np.asarray(Y, np.float64), rcond=None)
    return weights / scale[:, None]


def power_sum_estimates(weights, X) -> np.ndarray:
    """Estimates ``(..., V)`` of f for matrices ``(..., M, M)`` from fitted power-sum weights."""
    return power_sums(X, len(weights) - 1) @ weights
