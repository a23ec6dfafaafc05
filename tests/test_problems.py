"""Ground truth of P1-P4 against independent computations, and the registry."""

import numpy as np
import pytest
import scipy.linalg

from aicc.problems import available_problems, get_problem, import_problem_modules
from aicc.problems.builtin import canonical_sign

RNG = np.random.default_rng(0)


def random_orthogonal(M, rng):
    Q, _ = np.linalg.qr(rng.normal(size=(M, M)))
    return Q


def test_builtin_problems_are_registered_with_paper_aliases():
    assert {"eigenvalues", "eigenvector", "expm", "determinant"} <= set(available_problems())
    for alias, name in [("P1", "eigenvalues"), ("P2", "eigenvector"), ("P3", "expm"),
                        ("P4", "determinant")]:
        assert get_problem(alias).name == name


def test_unknown_problem_names_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown problem 'eigenvalue'.*determinant"):
        get_problem("eigenvalue")


@pytest.mark.parametrize("name,V", [("eigenvalues", 7), ("eigenvector", 7), ("expm", 49),
                                    ("determinant", 1)])
def test_shapes_and_output_dimension(name, V):
    problem = get_problem(name)
    X = problem.sample(np.random.default_rng(1), (5, 3), 7)
    assert X.shape == (5, 3, 7, 7)
    assert problem.output_dim(7) == V
    assert problem.target(X).shape == (5, 3, V)


def test_input_distributions_follow_the_paper():
    rng = np.random.default_rng(2)
    X1 = get_problem("P1").sample(rng, (200,), 6)
    assert np.allclose(X1, np.swapaxes(X1, -1, -2)) and X1.min() < -0.8 and X1.max() > 0.8
    X2 = get_problem("P2").sample(rng, (200,), 6)
    assert np.allclose(X2, np.swapaxes(X2, -1, -2)) and X2.min() >= 0 and X2.max() <= 1
    X3 = get_problem("P3").sample(rng, (50,), 6)
    assert np.allclose(np.linalg.norm(X3, ord=2, axis=(-2, -1)), 1.0) and X3.min() >= 0
    X4 = get_problem("P4").sample(rng, (200,), 6)
    assert np.allclose(np.diagonal(X4, axis1=-2, axis2=-1), 1.0)
    off = (np.eye(6) - X4)[:, ~np.eye(6, dtype=bool)]
    assert np.abs(off).max() <= 2.0 / 6 and np.abs(off).max() > 0.9 * 2.0 / 6


def test_eigenvalues_sorted_with_repeats_and_identity():
    rng = np.random.default_rng(3)
    Q = random_orthogonal(5, rng)
    X = Q @ np.diag([3.0, -1.0, 2.0, -1.0, 2.0]) @ Q.T
    X = 0.5 * (X + X.T)
    values = get_problem("P1").target(np.stack([X, np.eye(5)]))
    assert np.allclose(values[0], [-1, -1, 2, 2, 3])
    assert np.allclose(values[1], np.ones(5))
    Xs = get_problem("P1").sample(rng, (20,), 8)
    independent = np.sort(np.real(scipy.linalg.eigvals(Xs[0])))
    assert np.allclose(get_problem("P1").target(Xs[0]), independent)


def test_dominant_eigenvector_by_power_iteration_and_sign():
    problem = get_problem("P2")
    X = problem.sample(np.random.default_rng(4), (10,), 8)
    v = problem.target(X)
    for matrix, vector in zip(X, v, strict=True):
        w = np.ones(8)
        for _ in range(500):
            w = matrix @ w
            w /= np.linalg.norm(w)
        assert np.allclose(vector, w, atol=1e-8)
        assert np.isclose(np.linalg.norm(vector), 1.0)


def test_power_iteration_agrees_with_full_eigensolver_and_falls_back():
    from aicc.problems.builtin import dominant_eigenvector_eigh

    problem = get_problem("P2")
    X = problem.sample(np.random.default_rng(9), (64,), 12)
    assert np.allclose(problem.target(X), canonical_sign(dominant_eigenvector_eigh(X)),
                       atol=1e-9)
    tied = np.diag([2.0, -1.999999, 0.5])  # gap too small for 300 iterations
    assert np.allclose(problem.target(tied), [1.0, 0.0, 0.0])


def test_dominant_eigenvector_takes_largest_magnitude_and_flips_sign():
    rng = np.random.default_rng(5)
    Q = random_orthogonal(4, rng)
    u = Q[:, 0] * (-1.0 if Q[0, 0] > 0 else 1.0)  # first entry negative
    Q[:, 0] = u
    X = Q @ np.diag([-5.0, 1.0, 2.0, 3.0]) @ Q.T  # dominant eigenvalue is negative
    vector = get_problem("P2").target(0.5 * (X + X.T))
    assert vector[0] > 0
    assert np.allclose(vector, -u)
    assert np.allclose(canonical_sign(np.array([0.0, -2.0, 1.0])), [0.0, 2.0, -1.0])


def test_matrix_exponential_against_taylor_series_and_identity():
    problem = get_problem("P3")
    X = problem.sample(np.random.default_rng(6), (3,), 5)
    series = np.zeros_like(X)
    term = np.broadcast_to(np.eye(5), X.shape).copy()
    for n in range(1, 40):
        series += term
        term = term @ X / n
    vec = problem.target(X)
    assert np.allclose(vec, np.swapaxes(series, -1, -2).reshape(3, 25), atol=1e-12)
    assert np.allclose(problem.target(np.eye(5)), (np.e * np.eye(5)).T.reshape(25))


def test_spectral_norm_of_the_exponential_inputs_matches_the_svd():
    from aicc.problems.builtin import spectral_norm

    A = np.random.default_rng(8).uniform(0.0, 1.0, size=(5, 3, 7, 7))
    assert np.allclose(spectral_norm(A), np.linalg.norm(A, ord=2, axis=(-2, -1)),
                       rtol=1e-13, atol=0)
    tied = np.diag([1.0, -0.9999999, 0.5])  # A^T A has a tiny gap: the SVD answers
    assert spectral_norm(tied) == pytest.approx(1.0, rel=1e-15)
    assert np.allclose(np.linalg.norm(get_problem("P3").sample(
        np.random.default_rng(1), (4,), 6), ord=2, axis=(-2, -1)), 1.0, rtol=1e-13, atol=0)


def test_determinant_against_eigenvalue_product_and_identity():
    problem = get_problem("P4")
    X = problem.sample(np.random.default_rng(7), (6,), 9)
    product = np.real(np.prod(np.linalg.eigvals(X), axis=-1))
    assert np.allclose(problem.target(X)[:, 0], product)
    assert problem.target(np.eye(9))[0] == pytest.approx(1.0)


def test_problem_from_another_module_registers_by_import():
    import_problem_modules(["extra_problem"])
    trace = get_problem("trace")
    X = trace.sample(np.random.default_rng(8), (2, 3), 4)
    assert np.allclose(trace.target(X)[..., 0], np.trace(X, axis1=-2, axis2=-1))


def test_missing_problem_module_is_a_clear_error():
    with pytest.raises(ImportError, match="cannot import problem module 'no_such_module'"):
        import_problem_modules(["no_such_module"])
