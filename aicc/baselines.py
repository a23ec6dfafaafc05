"""Baselines that every AICC result is reported against, on the same test sets.

* Mean predictor: answers the training-distribution mean of f for every input; a
  coded scheme that does not beat it has learned nothing about the inputs.
* BACC (Berrut approximated coded computing): encodes the K inputs with Berrut's
  rational interpolant through (beta_k, X_k), evaluated at the workers' points; each
  worker applies the true f; the master decodes any R responses with Berrut's
  interpolant back at the betas. Training-free, and it works for any f.
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
