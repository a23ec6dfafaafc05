"""Summarise where the results of one scale came from: code version, devices,
package versions, seeds, compute time, and the scale's settings."""

import json
import logging
import os
import platform

import snakemake as snakemake_package
from tables import PROVENANCE, joined, number, read_rows, run_logged, write_text

CONFIGURATION = ("problem", "M", "K", "G", "P", "encoder", "seed")


def describe(path):
    rows = read_rows(path)
    summary = {"file": path, "rows": len(rows)}
    for column in (*PROVENANCE, "seed"):
        summary[column] = sorted(set(joined(row.get(column) for row in rows).split(";")) - {""})
    # One evaluation or training job writes several rows (one per method): count it once.
    jobs = {tuple(row.get(key) for key in CONFIGURATION): row for row in rows}.values()
    for column in ("wall_time_s", "train_wall_time_s"):
        if rows and column in rows[0]:
            summary[f"total_{column}"] = sum(
                value for value in (number(row[column]) for row in jobs) if value == value
            )
    return summary


def main(snakemake):
    experiments = {
        os.path.splitext(os.path.basename(path))[0]: describe(path) for path in snakemake.input
    }
    document = {
        "scale": snakemake.wildcards.scale,
        "settings": snakemake.params.settings,
        "experiments": experiments,
        "snakemake_version": snakemake_package.__version__,
        "python_version": platform.python_version(),
    }
    for column in PROVENANCE:
        document[column] = sorted({v for e in experiments.values() for v in e[column]})
    write_text(snakemake.output[0], json.dumps(document, indent=2, sort_keys=True) + "\n")
    logging.info("provenance of %d experiments -> %s", len(experiments), snakemake.output[0])


run_logged(main, snakemake)  # noqa: F821 (injected by Snakemake)
