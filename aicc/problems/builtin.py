"""The four problems of Section IV-A, with the paper's input distributions."""

import numpy as np
import scipy.linalg

from aicc.problems.base import Problem
from aicc.problems.registry import register_problem


def symmetric_uniform(rng, shape, M, low, high):
    """X = (A + A^T) / 2 with A uniform on [low, high]^(M x M); ``shape + (M, M)``."""
    A = rng.uniform(low, high, size=(*shape, M, M))
    return 0.5 * (A + np.swapaxes(A, -1, -2))


@register_problem
class Eigenvalues(Problem):
    """P1: the eigenvalues of a symmetric matrix, sorted ascending (V = M)."""

    name = "eigenvalues"
    label = "P1 eigenvalues"
    aliases = ("P1",)

    def output_dim(self, M):
        return M

    def sample(self, rng, shape, M):
        return symmetric_uniform(rng, shape, M, -1.0, 1.0)

    def target(self, X):
        return np.linalg.eigvalsh(X)

    def tf_target(self, X):
        import tensorflow as tf

        return tf.linalg.eigvalsh(X)


def canonical_sign(vectors, tol=1e-12):
    """Flip each vector ``(..., M)`` so that its first entry with |x| > tol is positive."""
    first = np.argmax(np.abs(vectors) > tol, axis=-1)
    lead = np.take_along_axis(vectors, first[..., None], axis=-1)
    return vectors * np.where(lead < 0, -1.0, 1.0)


def dominant_eigenvector_eigh(X):
    """Unit eigenvectors ``(..., M)`` of the largest-magnitude eigenvalues, by full eigh."""
    eigenvalues, eigenvectors = np.linalg.eigh(X)
    dominant = np.argmax(np.abs(eigenvalues), axis=-1)
    index = np.broadcast_to(dominant[..., None, None], (*X.shape[:-1], 1))
    return np.take_along_axis(eigenvectors, index, axis=-1)[..., 0]


def power_iteration(X, tol=1e-11, max_iterations=300):
    """Dominant eigenvectors of symmetric ``(batch, M, M)`` by power iteration.

    Returns unit vectors and a mask of those whose residual ||X v - lambda v|| fell
    below ``tol * |lambda|``; the others need an exact solver (a small eigenvalue gap).
    """
    v = np.ones(X.shape[:-1]) / np.sqrt(X.shape[-1])
    converged = np.zeros(X.shape[0], dtype=bool)
    for _ in range(max_iterations):
        w = np.einsum("bij,bj->bi", X, v)
        rayleigh = np.einsum("bi,bi->b", v, w)
        residual = np.linalg.norm(w - rayleigh[:, None] * v, axis=-1)
        converged = residual <= tol * np.abs(rayleigh)
        if converged.all():
            break
        norm = np.linalg.norm(w, axis=-1, keepdims=True)
        v = np.where(norm > 0, w / np.where(norm > 0, norm, 1.0), v)
    return v, converged


@register_problem
class DominantEigenvector(Problem):
    """P2: unit eigenvector of the largest-magnitude eigenvalue (V = M).

    The sign is fixed as in the paper: the first nonzero component is positive.
    The cost adds 5 (||f_hat|| - 1)^2 to the error norm, as in the paper. Power
    iteration (fast for the paper's inputs, whose Perron root stands far from the rest
    of the spectrum) is checked by its residual; a matrix it does not settle on goes
    to the full symmetric eigensolver.
    """

    name = "eigenvector"
    label = "P2 dominant eigenvector"
    aliases = ("P2",)

    def output_dim(self, M):
        return M

    def sample(self, rng, shape, M):
        return symmetric_uniform(rng, shape, M, 0.0, 1.0)

    def target(self, X):
        flat = X.reshape(-1, *X.shape[-2:])
        vectors, converged = power_iteration(flat)
        if not converged.all():
            vectors[~converged] = dominant_eigenvector_eigh(flat[~converged])
        return canonical_sign(vectors).reshape(*X.shape[:-1])

    def loss(self, y_true, y_pred):
        import keras

        error = keras.ops.norm(y_pred - y_true, axis=-1)
        unit = keras.ops.square(keras.ops.norm(y_pred, axis=-1) - 1.0)
        return keras.ops.mean(error + 5.0 * unit)


def spectral_norm(A, tol=1e-10):
    """Largest singular value of each matrix ``(..., M, M)``.

    Power iteration on A^T A, which settles in a few steps for the paper's positive
    matrices (their leading singular value stands far above the rest); a matrix it
    does not settle on goes to the SVD. Either way the norm is exact to round-off.
    """
    flat = A.reshape(-1, *A.shape[-2:])
    gram = np.swapaxes(flat, -1, -2) @ flat
    v, converged = power_iteration(gram, tol=tol)
    norms = np.sqrt(np.einsum("bi,bij,bj->b", v, gram, v))
    if not converged.all():
        norms[~converged] = np.linalg.norm(flat[~converged], ord=2, axis=(-2, -1))
    return norms.reshape(A.shape[:-2])


@register_problem
class MatrixExponential(Problem):
    """P3: expm(X) for X = A / ||A||_op, A uniform on [0, 1]^(M x M) (V = M^2)."""

    name = "expm"
    label = "P3 matrix exponential"
    aliases = ("P3",)

    def output_dim(self, M):
        return M * M

    def sample(self, rng, shape, M):
        A = rng.uniform(0.0, 1.0, size=(*shape, M, M))
        return A / spectral_norm(A)[..., None, None]

    def target(self, X):
        E = scipy.linalg.expm(X)
        # Vec stacks columns: transpose before flattening rows.
        return np.swapaxes(E, -1, -2).reshape(*X.shape[:-2], -1)


@register_problem
class Determinant(Problem):
    """P4: det(X) for X = I - E, E zero-diagonal, off-diagonal uniform on +-2/M (V = 1)."""

    name = "determinant"
    label = "P4 determinant"
    aliases = ("P4",)

    def output_dim(self, M):
        return 1

    def sample(self, rng, shape, M):
        # I - E in place: the negated draws off the diagonal, ones on it.
        X = rng.uniform(-2.0 / M, 2.0 / M, size=(*shape, M, M))
        np.negative(X, out=X)
        X.reshape(*shape, M * M)[..., :: M + 1] = 1.0  # a view: X is a fresh array
        return X

    def target(self, X):
        return np.linalg.det(X)[..., None]
