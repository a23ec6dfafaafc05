"""Evaluation points alpha_n of the workers and the decoding points beta_k."""

import numpy as np

POINT_FAMILIES = ("paper", "chebyshev")


def betas(K: int) -> np.ndarray:
    """The paper's fixed decoding points beta_k = k / K, k = 1..K; shape ``(K,)``."""
    if K < 1:
        raise ValueError(f"K must be at least 1, got {K}")
    return np.arange(1, K + 1, dtype=np.float64) / K


def evaluation_points(N: int, family: str = "paper") -> np.ndarray:
    """Distinct worker evaluation points alpha_1..alpha_N; shape ``(N,)``.

    ``paper``: alpha_n = n / (N + 1), which is the paper's n / (R + 1) when N = R.
    ``chebyshev``: Chebyshev points of the first kind mapped to [0, 1], which keep the
    interpolation well conditioned for large N.
    """
    if N < 1:
        raise ValueError(f"the number of workers N must be at least 1, got {N}")
    n = np.arange(1, N + 1, dtype=np.float64)
    if family == "paper":
        return n / (N + 1)
    if family == "chebyshev":
        return np.sort(0.5 + 0.5 * np.cos((2 * n - 1) * np.pi / (2 * N)))
    raise ValueError(f"unknown evaluation point family {family!r}; allowed: {POINT_FAMILIES}")
