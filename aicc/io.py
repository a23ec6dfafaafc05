"""Atomic result files and the provenance recorded with every result."""

import csv
import io
import json
import os
import platform
import subprocess
import tempfile
from pathlib import Path

import numpy as np

import aicc


def atomic_write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename: never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes it private
        with os.fdopen(fd, "w", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's file-creation mask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_json(path, data) -> None:
    """Atomically write ``data`` as indented JSON."""
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def write_csv(path, rows: list[dict], columns: list[str] | None = None) -> None:
    """Atomically write a list of dicts as CSV (columns default to the first row's keys)."""
    if not rows and columns is None:
        raise ValueError(f"no rows to write to {path} and no columns given")
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())


def read_csv(path) -> list[dict]:
    """Rows of a CSV file as dicts of strings."""
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def git_commit() -> str:
    """The project's commit (with ``-dirty`` for uncommitted changes), or ``unknown``."""
    root = Path(aicc.__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "aicc"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def device_name() -> str:
    """The TensorFlow device that runs the model: a GPU's name, else the CPU's."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return f"GPU: {details.get('device_name', gpus[0].name)}"
    cpu = platform.processor() or platform.machine()
    return f"CPU: {cpu} ({os.cpu_count()} cores)"


def provenance(seed=None, wall_time_s=None) -> dict:
    """What made a result: package versions, commit, device, seed, wall time."""
    import keras
    import scipy
    import tensorflow as tf

    record = {
        "aicc_version": aicc.__version__,
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "python_version": platform.python_version(),
        "git_commit": git_commit(),
        "device": device_name(),
    }
    if seed is not None:
        record["seed"] = seed
    if wall_time_s is not None:
        record["wall_time_s"] = round(float(wall_time_s), 3)
    return record
