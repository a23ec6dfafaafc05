"""Fig. 5: runtime (ms, log scale) against M for the uncoded numpy and TensorFlow
eigenvalue solvers and the AICC pipeline (total, and its encoder, workers and
decoding parts). Markers are medians; error bars span the 25th-75th percentile."""

import logging

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from tables import (  # noqa: E402
    PROVENANCE,
    group,
    joined,
    number,
    read_rows,
    run_logged,
    save_figure,
    write_rows,
)

CONFIG = ("problem", "M", "K", "R", "batch", "method")
COLUMNS = (
    *CONFIG,
    "median_ms",
    "p25_ms",
    "p75_ms",
    "repeats",
    "n_seeds",
    "seeds",
    "scale",
    *PROVENANCE,
)
LABELS = {
    "numpy": "uncoded, numpy eigvalsh (CPU)",
    "tensorflow": "uncoded, TensorFlow eigvalsh",
    "aicc_total": "AICC total",
    "aicc_encoder": "AICC encoder",
    "aicc_workers": "AICC workers",
    "aicc_decoding": "AICC decoding",
}
PARTS = ("aicc_encoder", "aicc_workers", "aicc_decoding")
COLORS = {
    "numpy": "tab:blue",
    "tensorflow": "tab:orange",
    "aicc_total": "tab:green",
    "aicc_encoder": "tab:olive",
    "aicc_workers": "tab:cyan",
    "aicc_decoding": "tab:purple",
}


def summarise(rows, scale):
    """Mean over seeds of each timing statistic, one row per (configuration, method)."""
    summary = []
    for config, config_rows in group(rows, CONFIG).items():
        entry = dict(zip(CONFIG, config, strict=True))
        for column in ("median_ms", "p25_ms", "p75_ms"):
            entry[column] = float(np.mean([number(row[column]) for row in config_rows]))
        entry["repeats"] = joined(row.get("repeats") for row in config_rows)
        entry["n_seeds"] = len({row.get("seed", "") for row in config_rows})
        entry["seeds"] = joined(row.get("seed") for row in config_rows)
        entry["scale"] = scale
        for column in PROVENANCE:
            entry[column] = joined(row.get(column) for row in config_rows)
        summary.append(entry)
    return summary


def plot(summary, scale, png, pdf):
    problems = list(dict.fromkeys(row["problem"] for row in summary))
    fig, axes = plt.subplots(
        1, len(problems), figsize=(5.5 * len(problems), 4), squeeze=False, constrained_layout=True
    )
    for ax, problem in zip(axes[0], problems, strict=True):
        rows = [row for row in summary if row["problem"] == problem]
        present = list(dict.fromkeys(row["method"] for row in rows))
        methods = [m for m in LABELS if m in present] + [m for m in present if m not in LABELS]
        for method in methods:
            line = sorted((r for r in rows if r["method"] == method), key=lambda r: int(r["M"]))
            xs = np.array([int(row["M"]) for row in line])
            ys = np.array([row["median_ms"] for row in line])
            spread = np.array(
                [ys - [row["p25_ms"] for row in line], [row["p75_ms"] for row in line] - ys]
            )
            part = method in PARTS
            ax.errorbar(
                xs, ys, yerr=np.clip(spread, 0, None), marker="o", capsize=3,
                linestyle=":" if part else "-", alpha=0.6 if part else 1.0,
                label=LABELS.get(method, method), color=COLORS.get(method),
            )  # fmt: skip
        batch = joined(row["batch"] for row in rows)
        K = joined(row["K"] for row in rows)
        ax.set_yscale("log")
        ax.set_xticks(sorted({int(row["M"]) for row in rows}))
        ax.set_xlabel("matrix dimension M")
        ax.set_ylabel("runtime per batch (ms)")
        ax.set_title(f"{problem}: batch of {batch} sets of K={K}")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize="small", loc="best")
    device = joined(row["device"] for row in summary)
    save_figure(
        fig,
        f"Fig. 5: runtime, scale '{scale}', device {device}\n"
        "markers: median; bars: p25-p75 over repeats",
        png,
        pdf,
    )


def main(snakemake):
    scale = snakemake.wildcards.scale
    summary = summarise(read_rows(snakemake.input[0]), scale)
    write_rows(snakemake.output.csv, summary, COLUMNS)
    plot(summary, scale, snakemake.output.png, snakemake.output.pdf)
    logging.info("fig5: %d points -> %s", len(summary), snakemake.output.png)


run_logged(main, snakemake)  # noqa: F821 (injected by Snakemake)
