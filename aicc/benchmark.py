"""Runtime of Fig. 5 and the training throughput check.

Runtime: for a batch of input sets, the uncoded exact computation (numpy, and
TensorFlow where the problem offers it) against the whole AICC path run on one
machine: encoder, the R worker computations and the decoding. Runtime does not depend
on the weights' values, so an untrained model of the right shape is timed.
"""

import os
import time

import numpy as np

from aicc.decoding import decode
from aicc.io import provenance
from aicc.model import build_model
from aicc.points import betas, evaluation_points
from aicc.problems import get_problem


def timed(fn, repeats: int, warmup: int = 2) -> np.ndarray:
    """Wall times in milliseconds of ``repeats`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        fn()
        times[i] = 1e3 * (time.perf_counter() - start)
    return times


def aicc_stages(model, alphas, beta):
    """Callables for the AICC stages; each returns host arrays, so timings include sync."""
    import tensorflow as tf

    R = model.recovery_threshold

    @tf.function
    def encoder(X):
        U, V0 = model.coefficients(X)
        return model.encode(U, alphas), V0

    @tf.function
    def workers(encoded, V0):
        return model.worker(encoded, V0)

    def decoding(results):
        return decode(results, alphas, beta, R)

    return encoder, workers, decoding


def benchmark_runtime(problem_name, M, K=3, batch=128, repeats=20, G=2, P=2, seed=0,
                      points="paper") -> list[dict]:
    """Median and quartiles (ms) of each method on one batch ``(batch, K, M, M)``."""
    import tensorflow as tf

    problem = get_problem(problem_name)
    X = problem.sample(np.random.default_rng(seed), (batch, K), M)
    X32 = tf.constant(X, dtype=tf.float32)
    model = build_model(M, K, problem.output_dim(M), G=G, P=P, seed=seed)
    alphas, beta = evaluation_points(model.recovery_threshold, points), betas(K)
    encoder, workers, decoding = aicc_stages(model, alphas, beta)
    encoded, V0 = encoder(X32)
    results = np.asarray(workers(encoded, V0), dtype=np.float64)

    def total():
        return decoding(np.asarray(workers(*encoder(X32)), dtype=np.float64))

    methods = {
        "numpy": lambda: problem.target(X),
        "aicc_total": total,
        "aicc_encoder": lambda: [np.asarray(t) for t in encoder(X32)],
        "aicc_workers": lambda: np.asarray(workers(encoded, V0)),
        "aicc_decoding": lambda: decoding(results),
    }
    if problem.tf_target(X32[:1]) is not None:
        methods["tensorflow"] = lambda: np.asarray(problem.tf_target(X32))
    record = provenance(seed=seed)
    rows = []
    for method, fn in methods.items():
        times = timed(fn, repeats)
        rows.append({
            "problem": problem.name, "M": M, "K": K, "batch": batch,
            "R": model.recovery_threshold, "method": method,
            "median_ms": float(np.median(times)), "p25_ms": float(np.percentile(times, 25)),
            "p75_ms": float(np.percentile(times, 75)), "repeats": repeats, **record,
        })
    return rows


def cpu_milliseconds(fn, repeats: int) -> float:
    """Mean CPU time of the whole process (all threads) per call of ``fn``, in ms."""
    start = time.process_time()
    for _ in range(repeats):
        fn()
    return 1e3 * (time.process_time() - start) / repeats


def throughput_ceiling(step_ms, step_cpu_ms, batch_cpu_ms, cores) -> float:
    """Best possible steps/s-with-data over step-alone when both share ``cores`` cores.

    A step with fresh data needs the CPU time of the step and of its batch; whatever
    overlap the producer achieves, it cannot take less than their sum spread over
    every core, nor less than the step alone.
    """
    return step_ms / max(step_ms, (step_cpu_ms + batch_cpu_ms) / cores)


def measure_throughput(spec, config, steps=30, warmup=5) -> dict:
    """Training steps/s with fresh data in the loop against the compiled step alone.

    Also returns the CPU cost of one batch and of one step and, from them, the ratio
    that this machine's cores allow at best (:func:`throughput_ceiling`).
    """
    import keras

    from aicc.training import (
        BatchProducer,
        build_for_spec,
        learning_rate_schedule,
        make_train_step,
        training_batch,
    )

    model = build_for_spec(spec, config)
    optimizer = keras.optimizers.Adam(learning_rate_schedule(config))
    step = make_train_step(model, optimizer, get_problem(spec.problem).loss,
                           config.jit_compile)
    fixed = training_batch(spec, 0, config.batch_size)
    step_ms = float(np.mean(timed(lambda: float(step(*fixed)), steps, warmup)))
    step_cpu_ms = cpu_milliseconds(lambda: float(step(*fixed)), steps)
    batch_cpu_ms = cpu_milliseconds(lambda: training_batch(spec, 1, config.batch_size),
                                    max(3, steps // 5))
    producer = BatchProducer(spec, config.batch_size, 1, config.prefetch)
    try:
        for _ in range(warmup):
            float(step(*producer.next()))
        start = time.perf_counter()
        for _ in range(steps):
            float(step(*producer.next()))
        with_data = steps / (time.perf_counter() - start)
    finally:
        producer.close()
    cores = len(os.sched_getaffinity(0))
    alone = 1e3 / step_ms
    return {"problem": spec.problem, "M": spec.M, "K": spec.K,
            "batch_size": config.batch_size, "cores": cores,
            "steps_per_s_step_alone": alone, "steps_per_s_with_data": with_data,
            "ratio": with_data / alone, "step_cpu_ms": step_cpu_ms,
            "batch_cpu_ms": batch_cpu_ms,
            "ceiling": throughput_ceiling(step_ms, step_cpu_ms, batch_cpu_ms, cores)}
