"""End-to-end training at the betas with fresh samples every step (Section III-B).

Each step draws a new batch of input sets from the problem's distribution, evaluates
h(e(beta_k)) for every k and updates all networks by Adam. Batches are produced in a
background thread, in step order and from per-step seeds, so the result does not depend
on thread timing and a resumed run sees exactly the batches it would have seen.
"""

import json
import math
import queue
import shutil
import sys
import threading
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from aicc.io import provenance, write_csv, write_json
from aicc.problems import get_problem
from aicc.spec import DataSpec


@dataclass(frozen=True)
class TrainingConfig:
    """Model and training settings; defaults are the authors' (G=P=2, 2x100 swish)."""

    G: int = 2
    P: int = 2
    encoder: str = "paper"
    hidden_layers: int = 2
    width: int = 100
    activation: str = "swish"
    power_scale: float = 1.0
    epochs: int = 100
    steps_per_epoch: int = 128
    batch_size: int = 128
    lr: float = 1e-3
    lr_final: float = 1e-6
    jit_compile: bool = False
    prefetch: int = 2

    def __post_init__(self):
        positive = ("G", "P", "hidden_layers", "width", "epochs", "steps_per_epoch",
                    "batch_size", "prefetch")
        for key in positive:
            if int(getattr(self, key)) < 1:
                raise ValueError(f"{key} must be a positive integer, got {getattr(self, key)!r}")
        if not 0 < self.lr_final <= self.lr:
            raise ValueError(
                f"need 0 < lr_final <= lr, got lr={self.lr}, lr_final={self.lr_final}")

    def model_options(self) -> dict:
        return {key: getattr(self, key) for key in
                ("G", "P", "encoder", "hidden_layers", "width", "activation", "power_scale")}


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite before any finite epoch."""


def training_batch(spec: DataSpec, step: int, batch_size: int):
    """The fresh batch of step ``step``: X ``(batch, K, M, M)``, Y ``(batch, K, V)``, float32."""
    X, Y = spec.sample([spec.train_seed, step], batch_size)
    return X.astype(np.float32), Y.astype(np.float32)


class BatchProducer:
    """Generates training batches in a background thread, ahead of the training loop."""

    def __init__(self, spec: DataSpec, batch_size: int, first_step: int, prefetch: int = 2):
        self._queue: queue.Queue = queue.Queue(maxsize=prefetch)
        self._stop = threading.Event()
        self._args = (spec, batch_size, first_step)
        self._thread = threading.Thread(target=self._run, daemon=True, name="aicc-batches")
        self._thread.start()

    def _run(self):
        spec, batch_size, step = self._args
        while not self._stop.is_set():
            try:
                item = training_batch(spec, step, batch_size)
            except BaseException as error:  # handed to the consumer, re-raised there
                item = error
            while not self._stop.is_set():
                try:
                    self._queue.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            step += 1

    def next(self):
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)


def learning_rate_schedule(config: TrainingConfig):
    """Adam's rate: config.lr decaying in 10 stairs to about config.lr_final (authors')."""
    import keras

    stairs = min(10, config.epochs)
    epochs_per_stair = max(1, config.epochs // stairs)
    rate = (config.lr_final / config.lr) ** (1.0 / stairs)
    return keras.optimizers.schedules.ExponentialDecay(
        config.lr, decay_steps=epochs_per_stair * config.steps_per_epoch,
        decay_rate=rate, staircase=True,
    )


def make_train_step(model, optimizer, loss, jit_compile=False):
    """The compiled step: forward at the betas, cost, gradients, Adam update."""
    import tensorflow as tf

    @tf.function(jit_compile=jit_compile, reduce_retracing=True)
    def step(X, Y):
        with tf.GradientTape() as tape:
            value = loss(Y, model(X, training=True))
        gradients = tape.gradient(value, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return value

    return step


def predict_at_betas(model, X, chunk=512) -> np.ndarray:
    """h(e(beta_k)) for every input set, float64 ``(batch, K, V)``."""
    parts = [np.asarray(model(X[i:i + chunk]), dtype=np.float64)
             for i in range(0, len(X), chunk)]
    return np.concatenate(parts)


def relative_errors(estimates, targets) -> np.ndarray:
    """Per-sample relative error ||f_hat - f|| / ||f|| of eq. (6), in percent."""
    error = np.linalg.norm(np.asarray(estimates) - targets, axis=-1)
    return 100.0 * error / np.linalg.norm(targets, axis=-1)


class Checkpoint:
    """Last and best weights, optimizer state and history of a run, for resuming."""

    def __init__(self, directory: Path, fingerprint: dict):
        self.directory = Path(directory)
        self.fingerprint = fingerprint

    @property
    def state_path(self) -> Path:
        return self.directory / "state.json"

    def load(self, model, optimizer) -> dict | None:
        """Restore a compatible checkpoint into model and optimizer; its state, or None."""
        if not self.state_path.exists():
            return None
        state = json.loads(self.state_path.read_text())
        if state.get("fingerprint") != self.fingerprint:
            log("checkpoint was made with another configuration; starting afresh")
            shutil.rmtree(self.directory)
            return None
        model.load_weights(self.directory / "last.weights.h5")
        optimizer.build(model.trainable_variables)
        with np.load(self.directory / "optimizer.npz") as saved:
            for i, variable in enumerate(optimizer.variables):
                variable.assign(saved[f"v{i}"])
        return state

    def save(self, model, optimizer, state: dict, improved: bool) -> None:
        """Write weights and optimizer state, then the state file that commits them."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._save_weights(model, "last")
        if improved:
            self._save_weights(model, "best")
        tmp = self.directory / "optimizer.tmp.npz"
        np.savez(tmp, **{f"v{i}": np.asarray(v) for i, v in enumerate(optimizer.variables)})
        tmp.replace(self.directory / "optimizer.npz")
        write_json(self.state_path, {**state, "fingerprint": self.fingerprint})

    def _save_weights(self, model, name):
        tmp = self.directory / f"{name}.tmp.weights.h5"
        model.save_weights(tmp)
        tmp.replace(self.directory / f"{name}.weights.h5")

    def load_best(self, model) -> None:
        model.load_weights(self.directory / "best.weights.h5")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def build_for_spec(spec: DataSpec, config: TrainingConfig):
    """The untrained model for a spec, starting from the mean predictor if carrying inputs."""
    from aicc.model import build_model

    problem = get_problem(spec.problem)
    model = build_model(spec.M, spec.K, problem.output_dim(spec.M), seed=spec.train_seed % 2**20,
                        **config.model_options())
    if config.encoder == "lagrange":
        model.start_from_mean(spec.target_mean())
        model.standardize_inputs(*spec.input_moments())
    return model


def train(spec: DataSpec, config: TrainingConfig, out_dir) -> dict:
    """Train one configuration; write model.keras, config.json and history.csv to out_dir.

    Resumes from ``out_dir/checkpoint`` when it holds a run of the same configuration.
    Returns the summary written to config.json.
    """
    import keras
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    out_dir = Path(out_dir)
    problem = get_problem(spec.problem)
    model = build_for_spec(spec, config)
    optimizer = keras.optimizers.Adam(learning_rate_schedule(config))
    checkpoint = Checkpoint(out_dir / "checkpoint", {"spec": spec.to_dict(),
                                                     "training": asdict(config)})
    state = checkpoint.load(model, optimizer) or {"epoch": 0, "history": [],
                                                  "best_val_nrmse": None, "best_epoch": 0}
    X_val, Y_val = spec.validation_set()
    step_fn = make_train_step(model, optimizer, problem.loss, config.jit_compile)
    name = (f"{spec.problem} M={spec.M} K={spec.K} G={config.G} P={config.P} "
            f"{config.encoder} seed={spec.seed}")
    if state["epoch"]:
        log(f"[{name}] resuming after epoch {state['epoch']} from {checkpoint.directory}")
    else:
        log(f"[{name}] training {model.count_params():,} parameters on "
            f"{provenance()['device']}; {config.epochs} epochs x {config.steps_per_epoch} "
            f"steps x batch {config.batch_size}; writing {out_dir}")
    stopped = _run_epochs(model, optimizer, step_fn, spec, config, checkpoint, state,
                          (X_val, Y_val), name)
    if state["best_epoch"] == 0:
        raise TrainingDiverged(f"[{name}] {stopped}; no finite epoch to keep")
    checkpoint.load_best(model)
    summary = {
        "spec": spec.to_dict(), "training": asdict(config), "model": model.get_config(),
        "recovery_threshold": model.recovery_threshold, "parameters": model.count_params(),
        "epochs_run": state["epoch"], "best_epoch": state["best_epoch"],
        "best_val_nrmse": state["best_val_nrmse"], "stopped": stopped,
        **provenance(seed=spec.seed, wall_time_s=state["history"][-1]["wall_s"]),
    }
    _write_outputs(model, state["history"], summary, out_dir)
    shutil.rmtree(checkpoint.directory, ignore_errors=True)
    log(f"[{name}] done: best validation error {state['best_val_nrmse']:.3f}% at epoch "
        f"{state['best_epoch']}; model in {out_dir / 'model.keras'}")
    return summary


def _run_epochs(model, optimizer, step_fn, spec, config, checkpoint, state, validation, name):
    """The epoch loop; returns why it stopped ("completed" or a divergence message)."""
    first_epoch = state["epoch"]
    producer = BatchProducer(spec, config.batch_size, first_epoch * config.steps_per_epoch,
                             config.prefetch)
    previous_wall = state["history"][-1]["wall_s"] if state["history"] else 0.0
    clock = time.perf_counter()
    try:
        for epoch in range(first_epoch + 1, config.epochs + 1):
            epoch_start = time.perf_counter()
            losses = [float(step_fn(*producer.next())) for _ in range(config.steps_per_epoch)]
            loss = float(np.mean(losses))
            if not math.isfinite(loss):
                message = f"training loss became {loss} in epoch {epoch}; try a lower --lr"
                if state["best_epoch"]:
                    message += f"; stopped, keeping the best weights (epoch {state['best_epoch']})"
                log(f"[{name}] {message}")
                return message
            val = float(relative_errors(predict_at_betas(model, validation[0]),
                                        validation[1]).mean())
            improved = state["best_val_nrmse"] is None or val < state["best_val_nrmse"]
            if improved:
                state["best_val_nrmse"], state["best_epoch"] = val, epoch
            epoch_s = time.perf_counter() - epoch_start
            state["history"].append({
                "epoch": epoch, "loss": loss, "val_nrmse": val,
                "lr": float(optimizer.learning_rate), "epoch_s": round(epoch_s, 3),
                "wall_s": round(previous_wall + time.perf_counter() - clock, 3),
            })
            state["epoch"] = epoch
            checkpoint.save(model, optimizer, state, improved)
            left = (config.epochs - epoch) * (time.perf_counter() - clock) / (epoch - first_epoch)
            log(f"[{name}] epoch {epoch}/{config.epochs} loss {loss:.4g} val {val:.3f}% "
                f"(best {state['best_val_nrmse']:.3f}%) lr {float(optimizer.learning_rate):.2g}"
                f" | {epoch_s:.1f} s/epoch, {format_seconds(left)} left")
    finally:
        producer.close()
    return "completed"


def _write_outputs(model, history, summary, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / ".model.tmp.keras"
    model.save(tmp)
    tmp.replace(out_dir / "model.keras")
    write_csv(out_dir / "history.csv", history)
    write_json(out_dir / "config.json", summary)


def training_config_from(args) -> TrainingConfig:
    """A TrainingConfig from any object with matching attributes (argparse namespace)."""
    return TrainingConfig(**{f.name: getattr(args, f.name) for f in fields(TrainingConfig)
                             if hasattr(args, f.name)})
