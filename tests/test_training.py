"""Real training runs at tiny sizes: accuracy, determinism, resume, divergence."""

import csv
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from aicc.evaluation import evaluate
from aicc.model import load_model
from aicc.problems import import_problem_modules
from aicc.spec import DataSpec
from aicc.training import TrainingConfig, TrainingDiverged, train

TESTS = Path(__file__).parent
TINY = dict(hidden_layers=1, width=16, epochs=2, steps_per_epoch=5, batch_size=16)


def tiny_spec(problem="eigenvalues", M=4, K=3, seed=0):
    return DataSpec.create(problem, M, K, seed=seed, test_sets=2, test_batch=64,
                           validation_size=64, mean_samples=300)


@pytest.mark.slow
def test_P1_at_M10_beats_the_mean_predictor(tmp_path):
    spec = DataSpec.create("eigenvalues", 10, 3, seed=0, test_sets=4, test_batch=512,
                           validation_size=512, mean_samples=4096)
    config = TrainingConfig(epochs=10, steps_per_epoch=300, lr=1e-3, lr_final=1e-4)
    train(spec, config, tmp_path)
    rows = {row["method"]: row for row in evaluate(load_model(tmp_path / "model.keras"),
                                                   spec, N=8)}
    ratio = rows["aicc"]["nrmse"] / rows["mean_predictor"]["nrmse"]
    print(f"P1 M=10: AICC {rows['aicc']['nrmse']:.2f}% vs mean predictor "
          f"{rows['mean_predictor']['nrmse']:.2f}% (ratio {ratio:.2f})")
    assert ratio <= 0.85


def test_training_writes_outputs_and_is_deterministic(tmp_path):
    spec, config = tiny_spec(), TrainingConfig(**TINY)
    first = train(spec, config, tmp_path / "a")
    second = train(spec, config, tmp_path / "b")
    assert first["best_val_nrmse"] == second["best_val_nrmse"]
    a, b = (load_model(tmp_path / run / "model.keras") for run in "ab")
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        assert np.array_equal(wa, wb)
    history = (tmp_path / "a" / "history.csv").read_text().splitlines()
    assert history[0].startswith("epoch,loss,val_nrmse,lr") and len(history) == 3
    summary = json.loads((tmp_path / "a" / "config.json").read_text())
    assert summary["recovery_threshold"] == 5 and summary["git_commit"]
    assert not (tmp_path / "a" / "checkpoint").exists()


def test_interrupted_run_resumes_to_the_same_result(tmp_path):
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(tiny_spec().to_dict()))
    args = [sys.executable, "-m", "aicc.cli", "train", "--spec", str(spec_path),
            "--hidden-layers", "1", "--width", "16", "--epochs", "6",
            "--steps-per-epoch", "30", "--batch-size", "16"]
    subprocess.run([*args, "--out", str(tmp_path / "whole")], check=True)
    state = tmp_path / "cut" / "checkpoint" / "state.json"
    process = subprocess.Popen([*args, "--out", str(tmp_path / "cut")])
    deadline = time.time() + 120
    while not state.exists() and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert state.exists() and not (tmp_path / "cut" / "model.keras").exists()
    done = json.loads(state.read_text())["epoch"]
    assert 1 <= done < 6
    resumed = subprocess.run([*args, "--out", str(tmp_path / "cut")], check=True,
                             capture_output=True, text=True)
    assert f"resuming after epoch {done}" in resumed.stderr
    whole, cut = (load_model(tmp_path / run / "model.keras") for run in ("whole", "cut"))
    for ww, wc in zip(whole.get_weights(), cut.get_weights(), strict=True):
        assert np.allclose(ww, wc, rtol=1e-5, atol=1e-6)
    assert len((tmp_path / "cut" / "history.csv").read_text().splitlines()) == 7


def test_problem_defined_in_a_test_module_is_trained_by_name(tmp_path):
    import_problem_modules(["extra_problem"])
    spec = tiny_spec("trace")
    train(spec, TrainingConfig(**TINY), tmp_path)
    rows = evaluate(load_model(tmp_path / "model.keras"), spec, N=6)
    assert {row["method"] for row in rows} == {"aicc", "mean_predictor", "bacc"}
    assert all(np.isfinite(row["nrmse"]) for row in rows)


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_infinite_loss_stops_training_with_a_message(tmp_path):
    import_problem_modules(["extra_problem"])
    message = "loss became (nan|inf) in epoch 1.*no finite epoch"
    with pytest.raises(TrainingDiverged, match=message):
        train(tiny_spec("overflowing"), TrainingConfig(**TINY), tmp_path)


def test_cli_spec_train_evaluate_benchmark(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    aicc = [sys.executable, "-m", "aicc.cli"]

    def run(*args):
        return subprocess.run([*aicc, *args], check=True, env=env, capture_output=True,
                              text=True)

    run("spec", "--import", "extra_problem", "--problem", "trace", "--M", "3", "--K", "2",
        "--test-sets", "1", "--test-batch", "32", "--validation-size", "32",
        "--mean-samples", "64", "--out", str(tmp_path / "spec.json"))
    run("train", "--import", "extra_problem", "--spec", str(tmp_path / "spec.json"),
        "--G", "1", "--P", "2", "--encoder", "lagrange", "--hidden-layers", "1",
        "--width", "8", "--epochs", "1", "--steps-per-epoch", "3", "--batch-size", "8",
        "--out", str(tmp_path / "model"))
    run("evaluate", "--import", "extra_problem", "--model", str(tmp_path / "model"),
        "--workers", "5", "--out", str(tmp_path / "eval.csv"))
    lines = (tmp_path / "eval.csv").read_text().splitlines()
    assert len(lines) == 4 and "nrmse,p5,p50,p95" in lines[0]
    run("power-sums", "--import", "extra_problem", "--spec", str(tmp_path / "spec.json"),
        "--max-degree", "2", "--out", str(tmp_path / "sums.csv"))
    with open(tmp_path / "sums.csv") as handle:
        sums = {int(row["degree"]): float(row["nrmse"]) for row in csv.DictReader(handle)}
    assert sums.keys() == {0, 1, 2}
    assert sums[0] > 1 and sums[1] < 1e-9 and sums[2] < 1e-9  # f = tr X is degree 1
    run("benchmark", "--M", "4", "--repeats", "3", "--out", str(tmp_path / "bench.csv"))
    methods = [line.split(",")[5] for line in
               (tmp_path / "bench.csv").read_text().splitlines()[1:]]
    assert {"numpy", "tensorflow", "aicc_total", "aicc_decoding"} <= set(methods)
    shown = run("throughput", "--problem", "P4", "--problem", "P1", "--M", "4", "--steps", "3",
                "--hidden-layers", "1", "--width", "8", "--batch-size", "8",
                "--out", str(tmp_path / "throughput.csv"))
    assert shown.stdout.count("compiled step alone, ratio") == 2
    with open(tmp_path / "throughput.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["problem"] for row in rows] == ["determinant", "eigenvalues"]
    for row in rows:
        values = {key: float(row[key]) for key in
                  ("steps_per_s_with_data", "steps_per_s_step_alone", "ratio", "ceiling",
                   "step_cpu_ms", "batch_cpu_ms")}
        assert all(value > 0 and math.isfinite(value) for value in values.values())
        assert values["ceiling"] <= 1.0
    bad = subprocess.run([*aicc, "spec", "--problem", "nope", "--M", "3", "--out",
                          str(tmp_path / "x.json")], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown problem 'nope'" in bad.stderr


def test_throughput_ceiling_is_the_cpu_bound_of_two_overlapped_jobs():
    from aicc.benchmark import throughput_ceiling

    # a step of 30 ms wall using 60 CPU ms on 2 cores leaves no room for a 15 ms batch
    assert throughput_ceiling(30.0, 60.0, 15.0, cores=2) == pytest.approx(30.0 / 37.5)
    # a step that keeps one of 2 cores busy can absorb the batch on the other
    assert throughput_ceiling(30.0, 30.0, 15.0, cores=2) == 1.0
