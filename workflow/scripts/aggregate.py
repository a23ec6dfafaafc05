"""Concatenate the per-configuration CSVs of one experiment into one long table.

Rows of error experiments also get the training cost of their configuration,
read from its history.csv (epochs run, cumulative wall time, best validation
error), so the aggregate says what every number cost to produce.
"""

import logging

from tables import number, read_rows, run_logged, write_rows


def training_summary(history_path):
    """Epochs run, training wall time (s) and best validation NRMSE (%) of one model."""
    history = read_rows(history_path)
    if not history:
        return {"epochs_run": 0, "train_wall_time_s": "", "best_val_nrmse": ""}
    wall = [number(row.get("wall_s")) for row in history]
    val = [number(row.get("val_nrmse")) for row in history]
    return {
        "epochs_run": len(history),
        # wall_s is cumulative over epochs (and over resumed runs).
        "train_wall_time_s": max((w for w in wall if w == w), default=""),
        "best_val_nrmse": min((v for v in val if v == v), default=""),
    }


def main(snakemake):
    results = list(snakemake.input.results)
    histories = list(snakemake.input.get("histories", []))
    rows = []
    for index, path in enumerate(results):
        extra = training_summary(histories[index]) if histories else {}
        for row in read_rows(path):
            rows.append(
                {
                    "scale": snakemake.wildcards.scale,
                    "experiment": snakemake.wildcards.experiment,
                    **row,
                    **extra,
                }
            )
    write_rows(snakemake.output[0], rows)
    logging.info("%d rows from %d files -> %s", len(rows), len(results), snakemake.output[0])


run_logged(main, snakemake)  # noqa: F821 (injected by Snakemake)
