"""The AICC model: the paper's architecture, serialisation, the carry-through encoder."""

import subprocess
import sys

import numpy as np
import pytest

from aicc.model import AICCModel, build_model, load_model


def test_parameter_count_matches_the_authors_architecture():
    # P1 at M=10, K=3: three encoder DNNs, Lambda_0 and two power maps, 2 x 100 swish.
    assert build_model(M=10, K=3, V=10).count_params() == 194_130


def test_bad_settings_name_the_value():
    with pytest.raises(ValueError, match="unknown encoder 'lcc'"):
        AICCModel(M=4, K=3, V=4, encoder="lcc")
    with pytest.raises(ValueError, match="G must be a positive integer, got 0"):
        AICCModel(M=4, K=3, V=4, G=0)


def test_save_and_load_in_a_fresh_process_predicts_the_same(tmp_path):
    model = build_model(M=4, K=3, V=16, G=1, P=3, encoder="lagrange", hidden_layers=1,
                        width=8, seed=5)
    model.start_from_mean(np.linspace(0, 1, 16))
    for weight in model.trainable_weights:  # move off the zero initialisation
        weight.assign(weight + 0.01)
    X = np.random.default_rng(0).uniform(size=(3, 3, 4, 4)).astype("float32")
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "expected.npy", np.asarray(model(X)))
    model.save(tmp_path / "model.keras")
    script = (
        "import numpy as np, sys; from aicc.model import load_model; "
        f"m = load_model(r'{tmp_path / 'model.keras'}'); "
        f"X = np.load(r'{tmp_path / 'X.npy'}'); e = np.load(r'{tmp_path / 'expected.npy'}'); "
        "assert (m.G, m.P, m.encoder, m.recovery_threshold) == (1, 3, 'lagrange', 4); "
        "sys.exit(0 if np.array_equal(np.asarray(m(X)), e) else 1)"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    assert load_model(tmp_path / "model.keras").count_params() == model.count_params()


def test_lagrange_encoder_starts_at_the_mean_and_carries_inputs():
    model = build_model(M=3, K=2, V=3, encoder="lagrange", dtype="float64", seed=1)
    model.start_from_mean([1.0, 2.0, 3.0])
    X = np.random.default_rng(1).uniform(size=(4, 2, 3, 3))
    U, _ = model.coefficients(X)
    encoded = np.asarray(model.encode(U, model.beta))
    assert np.allclose(encoded, X)
    assert np.allclose(np.asarray(model(X)), [1.0, 2.0, 3.0])
