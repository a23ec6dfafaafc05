"""Small CSV helpers shared by the workflow's scripts (no pandas on purpose).

Every result row written by the aicc CLI carries its provenance (git commit,
device, package versions); the helpers here keep those columns when rows are
combined over seeds, so each table and figure CSV still says where it came from.
"""

import csv
import io
import logging
import math
import sys
import traceback

import numpy as np

from aicc.io import atomic_write_text

PROVENANCE = (
    "git_commit",
    "device",
    "aicc_version",
    "tensorflow_version",
    "keras_version",
    "numpy_version",
    "scipy_version",
    "python_version",
)

# The columns that identify one coded-computation configuration of an error row.
SCHEME = ("problem", "M", "K", "G", "P", "R", "N", "points")


def run_logged(main, snakemake):
    """Run ``main(snakemake)`` with stdout, stderr and logging sent to the rule's log.

    An exception is written to the log and raised again, so Snakemake marks the
    job failed and points at the log.
    """
    log = open(snakemake.log[0], "w", buffering=1)
    sys.stdout = sys.stderr = log
    logging.basicConfig(
        stream=log, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    try:
        main(snakemake)
    except Exception:
        traceback.print_exc(file=log)
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        raise
    finally:
        log.flush()


def read_rows(path):
    """Rows of a CSV file as dictionaries of strings."""
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path, rows, columns=None):
    """Write dictionaries to ``path`` as CSV, atomically (temporary file, then rename)."""
    if columns is None:
        columns = []
        for row in rows:
            columns += [key for key in row if key not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())


def write_text(path, text):
    """Write ``text`` to ``path`` atomically."""
    atomic_write_text(path, text)


def number(value):
    """Parse a CSV cell as float; empty cells become NaN."""
    return float(value) if value not in (None, "") else math.nan


def joined(values):
    """Distinct non-empty values, sorted and joined with ';' (for provenance columns)."""
    return ";".join(sorted({str(v) for v in values if v not in (None, "")}))


def group(rows, keys):
    """Group rows by the tuple of ``keys``, keeping first-seen order."""
    groups = {}
    for row in rows:
        groups.setdefault(tuple(row[key] for key in keys), []).append(row)
    return groups


def summarise_seeds(rows, value="nrmse", low="p5", high="p95"):
    """Combine one configuration's rows over seeds.

    Returns the mean of ``value`` over seeds, its standard deviation over seeds,
    the mean of the per-seed percentiles ``low`` and ``high`` (the spread of the
    error over test inputs), the number of seeds and the joined provenance.
    """
    values = np.array([number(row[value]) for row in rows])
    summary = {
        value: float(np.mean(values)),
        f"{value}_seed_std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
        low: float(np.mean([number(row[low]) for row in rows])),
        high: float(np.mean([number(row[high]) for row in rows])),
        "n_seeds": len({row.get("seed", "") for row in rows}),
        "seeds": joined(row.get("seed") for row in rows),
    }
    for column in PROVENANCE:
        summary[column] = joined(row.get(column) for row in rows)
    summary["wall_time_s"] = float(np.nansum([number(row.get("wall_time_s")) for row in rows]))
    if any("train_wall_time_s" in row for row in rows):
        summary["train_wall_time_s"] = float(
            np.nansum([number(row.get("train_wall_time_s")) for row in rows])
        )
    return summary


def first_per_seed(rows):
    """One row per seed: methods that do not depend on the encoder (mean predictor,
    BACC) appear once per encoder in the evaluations, with equal values."""
    seen = {}
    for row in rows:
        seen.setdefault(row.get("seed", ""), row)
    return list(seen.values())


def save_figure(fig, title, png, pdf):
    """Give the figure its title, write it as PNG and PDF, and release it."""
    import matplotlib.pyplot as plt

    fig.suptitle(title, fontsize="medium")
    fig.savefig(png, dpi=150)
    fig.savefig(pdf)
    plt.close(fig)
