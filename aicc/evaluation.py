"""Evaluation: N simulated workers, a random R of them respond, the master decodes.

For each test set the master computes the encoder coefficients, every worker computes
h(e(alpha_n)), a random subset of R workers (R = G*P + 1) is taken as the ones that did
not straggle, and the K estimates are interpolated from them at the betas. The error of
each estimate is eq. (6); the mean predictor and BACC are scored on the same test sets.
"""

import sys
import time

import numpy as np

from aicc.baselines import (
    bacc_estimates,
    fit_power_sum_predictor,
    mean_predictor_estimates,
    power_sum_estimates,
)
from aicc.decoding import decode_per_sample, random_subsets
from aicc.io import provenance
from aicc.points import evaluation_points
from aicc.problems import get_problem
from aicc.spec import DataSpec
from aicc.training import relative_errors

METHODS = ("aicc", "mean_predictor", "bacc")


def worker_results(model, X, alphas, chunk=256) -> np.ndarray:
    """Every worker's result h(e(alpha_n)) as float64, ``(batch, N, V)``."""
    parts = [np.asarray(model.at_points(X[i:i + chunk], alphas), dtype=np.float64)
             for i in range(0, len(X), chunk)]
    return np.concatenate(parts)


def alphas_at_betas(alphas, beta) -> int:
    """How many evaluation points coincide with a beta.

    A worker at alpha_n = beta_k computes on e(beta_k); for an encoder that carries the
    inputs through (BACC, the lagrange variant) that is X_k itself, which makes those
    estimates exact whenever that worker responds. With the paper's alpha_n = n/(N+1)
    and beta_k = k/K this happens when K divides a multiple of N + 1 (e.g. N=5, K=3),
    so the pipeline picks N with no such overlap and records the count beside results.
    """
    return int(np.isclose(np.asarray(alphas)[:, None], np.asarray(beta)[None, :]).any(1).sum())


def summarise(errors: np.ndarray) -> dict:
    """Mean and 5/50/95 percentiles of per-sample errors (percent)."""
    p5, p50, p95 = np.percentile(errors, [5, 50, 95])
    return {"nrmse": float(errors.mean()), "p5": float(p5), "p50": float(p50),
            "p95": float(p95), "n_samples": int(errors.size)}


def evaluate(model, spec: DataSpec, N: int | None = None, points: str = "paper",
             with_bacc: bool = True) -> list[dict]:
    """Score AICC, the mean predictor and BACC on the spec's test sets; one row each."""
    started = time.perf_counter()
    problem = get_problem(spec.problem)
    R = model.recovery_threshold
    N = R if N is None else int(N)
    alphas = evaluation_points(N, points)
    overlap = alphas_at_betas(alphas, model.beta)
    if overlap:
        print(f"aicc: warning: {overlap} of the N={N} evaluation points coincide with"
              " a beta; carry-through encoders are exact there", file=sys.stderr)
    subset_rng = np.random.default_rng([spec.test_seed, 7])
    target_mean = spec.target_mean()
    errors = {method: [] for method in METHODS}
    for X, Y in spec.test_sets():
        subsets = random_subsets(subset_rng, N, R, len(X))
        results = worker_results(model, X.astype(model.compute_dtype), alphas)
        estimates = decode_per_sample(results, alphas, model.beta, subsets)
        errors["aicc"].append(relative_errors(estimates, Y))
        errors["mean_predictor"].append(
            relative_errors(mean_predictor_estimates(target_mean, Y.shape), Y))
        if with_bacc:
            errors["bacc"].append(
                relative_errors(bacc_estimates(problem, X, alphas, model.beta, subsets), Y))
    common = {"problem": spec.problem, "M": spec.M, "K": spec.K, "G": model.G, "P": model.P,
              "R": R, "N": N, "points": points, "encoder": model.encoder,
              "alphas_at_betas": alphas_at_betas(alphas, model.beta)}
    record = provenance(seed=spec.seed, wall_time_s=time.perf_counter() - started)
    return [{**common, "method": method, **summarise(np.concatenate(values)), **record}
            for method, values in errors.items() if values]


def evaluate_power_sums(spec: DataSpec, max_degree: int) -> list[dict]:
    """Score the power-sum regression of degree 0..max_degree on the spec's test sets.

    Each degree is fitted on the samples of the mean predictor (degree 0 is the mean
    predictor itself) and applied to every input, uncoded; one row per degree.
    """
    if int(max_degree) < 0:
        raise ValueError(f"max_degree must be a non-negative integer, got {max_degree!r}")
    started = time.perf_counter()
    X_fit, Y_fit = spec.baseline_samples()
    weights = [fit_power_sum_predictor(X_fit, Y_fit, q) for q in range(int(max_degree) + 1)]
    errors = [[] for _ in weights]
    for X, Y in spec.test_sets():
        for q, w in enumerate(weights):
            errors[q].append(relative_errors(power_sum_estimates(w, X), Y))
    record = provenance(seed=spec.seed, wall_time_s=time.perf_counter() - started)
    return [{"problem": spec.problem, "M": spec.M, "K": spec.K, "method": "power_sums",
             "degree": q, "fit_samples": len(X_fit), **summarise(np.concatenate(e)), **record}
            for q, e in enumerate(errors)]
