"""A problem defined outside the package, for the registry tests: the matrix trace."""

import numpy as np

from aicc.problems import Problem, register_problem


@register_problem
class Trace(Problem):
    """tr(X) of a symmetric matrix with entries uniform on [-1, 1] (V = 1)."""

    name = "trace"
    label = "trace (test problem)"

    def output_dim(self, M):
        return 1

    def sample(self, rng, shape, M):
        A = rng.uniform(-1.0, 1.0, size=(*shape, M, M))
        return 0.5 * (A + np.swapaxes(A, -1, -2)) + 2.0 * np.eye(M)

    def target(self, X):
        return np.trace(X, axis1=-2, axis2=-1)[..., None]


@register_problem
class Overflowing(Problem):
    """Targets too large for float32: training must stop on the infinite loss."""

    name = "overflowing"
    label = "overflowing (test problem)"

    def output_dim(self, M):
        return 1

    def sample(self, rng, shape, M):
        return rng.uniform(-1.0, 1.0, size=(*shape, M, M))

    def target(self, X):
        return np.full((*X.shape[:-2], 1), 1e300)
