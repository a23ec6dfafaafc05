"""The power-sum regression baseline per Table I problem, beside the best AICC row.

A worker of degree P followed by a linear map reads X and its powers up to X^P; for
a spectral f the power sums up to degree P are what such a readout can use, so the
table shows where an affine fit on them lands, degree by degree, next to AICC.
"""

import logging

from tables import PROVENANCE, group, number, read_rows, run_logged, write_rows, write_text

KEY = ("problem", "M", "K")
COLUMNS = (*KEY, "degree", "nrmse", "p5", "p50", "p95", "n_samples", "fit_samples",
           "scale", "wall_time_s", *PROVENANCE)  # fmt: skip


def best_aicc(table1, key):
    """The Table I row with the lowest AICC error for ``key`` (problem, M, K), or None."""
    rows = [row for row in table1 if tuple(row[k] for k in KEY) == key]
    return min(rows, key=lambda row: number(row["nrmse"]), default=None)


def markdown(rows, table1, scale):
    degrees = sorted({int(row["degree"]) for row in rows})
    header = " | ".join(f"q={q}" + (" (mean predictor)" if q == 0 else "") for q in degrees)
    lines = [
        f"Power-sum regression (scale `{scale}`): NRMSE in percent of f fitted affinely on "
        "tr X, ..., tr X^q, uncoded, on Table I's test sets; beside it the best AICC "
        "encoder of Table I and its worker degree P.",
        "",
        f"| problem | M | K | {header} | best AICC | encoder | P |",
        "|---|---|---|" + "---|" * len(degrees) + "---|---|---|",
    ]
    for key, key_rows in group(rows, KEY).items():
        by_degree = {int(row["degree"]): number(row["nrmse"]) for row in key_rows}
        cells = " | ".join(f"{by_degree[q]:.2f}" if q in by_degree else "" for q in degrees)
        best = best_aicc(table1, key)
        aicc = (f"{number(best['nrmse']):.2f} | {best['encoder']} | {best['P']}"
                if best else " | | ")
        lines.append(f"| {' | '.join(key)} | {cells} | {aicc} |")
    return "\n".join(lines) + "\n"


def main(snakemake):
    scale = snakemake.wildcards.scale
    rows = [{**row, "scale": scale} for path in snakemake.input.results for row in read_rows(path)]
    write_rows(snakemake.output.csv, rows, COLUMNS)
    write_text(snakemake.output.md, markdown(rows, read_rows(snakemake.input.table1), scale))
    logging.info("power sums: %d rows -> %s", len(rows), snakemake.output.csv)


run_logged(main, snakemake)  # noqa: F821 (injected by Snakemake)
