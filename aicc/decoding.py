"""Decoding at the master: interpolate any R worker results back to the betas.

The worker results y_n = h(e(alpha_n)) are values of a vector polynomial of degree
R - 1 = G * P in alpha (eq. 4), so R results at distinct points determine it. The
master evaluates it at the betas (eq. 5) with Lagrange weights computed in float64
by the barycentric formula, which is stable for any set of distinct points.
"""

import itertools

import numpy as np

DEFAULT_MAX_LEBESGUE = 1e5


class DecodingError(ValueError):
    """The worker results cannot be decoded (too few, repeated or ill-placed points)."""


def barycentric_weights(nodes, node_weights, targets) -> np.ndarray:
    """Weights ``(len(targets), len(nodes))`` of the barycentric rational form.

    r(t) = sum_j [w_j / (t - x_j)] y_j / sum_j [w_j / (t - x_j)]; a target equal to a
    node takes that node's value. With w_j = 1 / prod_{i != j} (x_j - x_i) this is the
    interpolating polynomial; with alternating signs, Berrut's interpolant.
    """
    offsets = np.asarray(targets, dtype=np.float64)[:, None] - np.asarray(nodes)[None, :]
    exact = offsets == 0.0
    offsets[exact] = 1.0
    terms = np.asarray(node_weights)[None, :] / offsets
    weights = terms / terms.sum(axis=1, keepdims=True)
    hit = exact.any(axis=1)
    weights[hit] = exact[hit].astype(np.float64)
    return weights


def interpolation_weights(alphas, targets, max_lebesgue=DEFAULT_MAX_LEBESGUE) -> np.ndarray:
    """Weights W ``(len(targets), R)`` with p(target_k) = sum_r W[k, r] p(alpha_r).

    Exact for every polynomial p of degree below R = len(alphas). Raises
    :class:`DecodingError` for repeated alphas or when the largest row sum of |W|
    (the amplification of worker errors) exceeds ``max_lebesgue``.
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    if alphas.ndim != 1 or alphas.size == 0:
        raise DecodingError(f"need a non-empty 1-D array of evaluation points, got {alphas!r}")
    gaps = alphas[:, None] - alphas[None, :]
    np.fill_diagonal(gaps, 1.0)
    if np.any(gaps == 0.0):
        raise DecodingError(f"evaluation points must be distinct, got {alphas.tolist()}")
    weights = barycentric_weights(alphas, 1.0 / np.prod(gaps, axis=1), targets)
    lebesgue = np.abs(weights).sum(axis=1).max()
    if not np.isfinite(lebesgue) or lebesgue > max_lebesgue:
        raise DecodingError(
            f"interpolation from points {alphas.tolist()} to {targets.tolist()} amplifies "
            f"worker errors by {lebesgue:.3g} > max_lebesgue={max_lebesgue:g}; "
            "choose better spread points (e.g. the chebyshev family)"
        )
    return weights


def decode(results, alphas, betas, recovery_threshold, max_lebesgue=DEFAULT_MAX_LEBESGUE):
    """Estimates ``(batch, K, V)`` at the betas from worker results ``(batch, n, V)``.

    ``alphas`` ``(n,)`` are the points of the responding workers. Exactly
    ``recovery_threshold`` results are used (the first R given); fewer is an error.
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    results = np.asarray(results, dtype=np.float64)
    R = int(recovery_threshold)
    if alphas.shape[0] < R:
        raise DecodingError(
            f"{alphas.shape[0]} worker results received, but the recovery threshold is R={R}"
        )
    if results.shape[1] != alphas.shape[0]:
        raise DecodingError(
            f"results hold {results.shape[1]} workers but {alphas.shape[0]} points were given"
        )
    weights = interpolation_weights(alphas[:R], betas, max_lebesgue)
    return np.einsum("kr,brv->bkv", weights, results[:, :R])


def decode_per_sample(results, alphas, betas, subsets, weights_fn=None):
    """Decode each sample from its own subset of responding workers.

    results ``(batch, N, V)`` holds every worker's output; ``subsets`` ``(batch, R)``
    the indices of the R workers that returned for each sample. ``weights_fn(points,
    targets)`` gives the decoding weights; polynomial interpolation by default.
    """
    weights_fn = weights_fn or interpolation_weights
    results = np.asarray(results, dtype=np.float64)
    subsets = np.asarray(subsets)
    estimates = np.empty((results.shape[0], len(betas), results.shape[2]))
    groups: dict[tuple, list[int]] = {}
    for i, subset in enumerate(map(tuple, subsets)):
        groups.setdefault(subset, []).append(i)
    for subset, rows in groups.items():
        weights = weights_fn(np.asarray(alphas)[list(subset)], betas)
        estimates[rows] = np.einsum("kr,brv->bkv", weights, results[rows][:, list(subset)])
    return estimates


def random_subsets(rng, N, R, count) -> np.ndarray:
    """``count`` random R-subsets of N workers (the ones that did not straggle), sorted."""
    if R > N:
        raise DecodingError(f"recovery threshold R={R} exceeds the number of workers N={N}")
    return np.sort(np.argsort(rng.random((count, N)), axis=1)[:, :R], axis=1)


def all_subsets(N, R) -> list[tuple[int, ...]]:
    """Every R-subset of N workers, in lexicographic order."""
    return list(itertools.combinations(range(N), R))
