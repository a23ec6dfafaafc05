"""The data spec of one configuration: what to sample, with which explicit seeds.

Training samples depend on the training seed; the validation set on it too. The test
sets and the samples that estimate the mean predictor depend only on ``test_seed``, so
models trained with different seeds are compared on the same test sets.
"""

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from aicc.problems import get_problem


def derived_seeds(seed: int, count: int, stream: int) -> list[int]:
    """``count`` independent 32-bit seeds derived from ``seed`` for one named stream."""
    return [int(s) for s in np.random.SeedSequence([seed, stream]).generate_state(count)]


@dataclass(frozen=True)
class DataSpec:
    """Sampling spec: problem, M, K, and the seeds of training, validation and tests."""

    problem: str
    M: int
    K: int
    seed: int
    train_seed: int
    validation_seed: int
    validation_size: int
    test_seed: int
    test_seeds: list[int] = field(default_factory=list)
    test_batch: int = 1024
    mean_seed: int = 0
    mean_samples: int = 8192

    @classmethod
    def create(cls, problem, M, K, seed=0, test_seed=12345, test_sets=10, test_batch=1024,
               validation_size=1024, mean_samples=8192):
        """A spec with every seed derived from ``seed`` (training) and ``test_seed``."""
        problem = get_problem(problem).name
        checks = {"M": M, "K": K, "test_sets": test_sets, "test_batch": test_batch,
                  "validation_size": validation_size, "mean_samples": mean_samples}
        for key, value in checks.items():
            if int(value) < 1:
                raise ValueError(f"{key} must be a positive integer, got {value!r}")
        train_seed, validation_seed = derived_seeds(seed, 2, stream=0)
        (mean_seed,) = derived_seeds(test_seed, 1, stream=1)
        return cls(
            problem=problem, M=int(M), K=int(K), seed=int(seed), train_seed=train_seed,
            validation_seed=validation_seed, validation_size=int(validation_size),
            test_seed=int(test_seed), test_seeds=derived_seeds(test_seed, test_sets, stream=2),
            test_batch=int(test_batch), mean_seed=mean_seed, mean_samples=int(mean_samples),
        )

    @classmethod
    def load(cls, path) -> "DataSpec":
        with open(path) as handle:
            data = json.load(handle)
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)} in data spec {path}")
        return cls(**data)

    def to_dict(self) -> dict:
        return asdict(self)

    def sample_inputs(self, seed, count) -> np.ndarray:
        """``count`` input sets ``(count, K, M, M)`` from the problem's distribution."""
        problem = get_problem(self.problem)
        return problem.sample(np.random.default_rng(seed), (count, self.K), self.M)

    def sample(self, seed, count):
        """``count`` input sets ``(count, K, M, M)`` and their targets ``(count, K, V)``."""
        X = self.sample_inputs(seed, count)
        return X, get_problem(self.problem).target(X)

    def validation_set(self):
        return self.sample(self.validation_seed, self.validation_size)

    def test_sets(self):
        """Yield the test sets ``(X, Y)`` one by one (each ``test_batch`` input sets)."""
        for seed in self.test_seeds:
            yield self.sample(seed, self.test_batch)

    def input_moments(self):
        """Entrywise mean ``(M, M)`` and overall standard deviation of the inputs."""
        X = self.sample_inputs(self.mean_seed, max(1, self.mean_samples // self.K))
        X = X.reshape(-1, self.M, self.M)
        mean = X.mean(axis=0)
        return mean, float(np.sqrt(np.mean((X - mean) ** 2)))

    def baseline_samples(self):
        """Inputs ``(n, M, M)`` and targets ``(n, V)`` that the baselines are fitted on."""
        X, Y = self.sample(self.mean_seed, max(1, self.mean_samples // self.K))
        return X.reshape(-1, self.M, self.M), Y.reshape(-1, Y.shape[-1])

    def target_mean(self) -> np.ndarray:
        """Mean of f over the training distribution ``(V,)``: the mean predictor."""
        return self.baseline_samples()[1].mean(axis=0)
