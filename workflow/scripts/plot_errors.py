"""Approximation error along one swept parameter (Fig. 4: M, Fig. 6: K, R sweep: R).

One panel per problem; lines for AICC (one per encoder), the mean predictor and
BACC; the shaded band is the 5th-95th percentile of the error over test inputs.
"""

import logging

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from tables import (  # noqa: E402
    PROVENANCE,
    SCHEME,
    first_per_seed,
    group,
    joined,
    read_rows,
    run_logged,
    save_figure,
    summarise_seeds,
    write_rows,
)

COLUMNS = (
    *SCHEME, "series", "method", "encoder",
    "nrmse", "nrmse_seed_std", "p5", "p95", "n_seeds", "seeds", "scale",
    "wall_time_s", "train_wall_time_s", *PROVENANCE,
)  # fmt: skip
TITLES = {"fig4": "Fig. 4", "fig6": "Fig. 6", "rsweep": "Recovery-threshold sweep"}
AXES = {"M": "matrix dimension M", "K": "inputs per set K", "R": "recovery threshold R"}
STYLE = {
    "mean_predictor": dict(color="0.4", linestyle="--"),
    "bacc": dict(color="tab:red", linestyle=":"),
}


def series_name(row):
    if row["method"] == "aicc":
        return f"AICC ({row['encoder']} encoder)"
    return {"mean_predictor": "mean predictor", "bacc": "BACC"}.get(row["method"], row["method"])


def summarise(rows, scale):
    """One row per (configuration, series): AICC per encoder, baselines once."""
    summary = []
    for config, config_rows in group(rows, SCHEME).items():
        for (method,), method_rows in group(config_rows, ("method",)).items():
            if method == "aicc":
                parts = group(method_rows, ("encoder",)).items()
            else:
                parts = [(("",), first_per_seed(method_rows))]
            for (encoder,), part in parts:
                entry = dict(zip(SCHEME, config, strict=True))
                entry.update(method=method, encoder=encoder, scale=scale)
                entry["series"] = series_name({"method": method, "encoder": encoder})
                entry.update(summarise_seeds(part))
                summary.append(entry)
    return summary


def plot(summary, x, title, scale, png, pdf):
    problems = list(dict.fromkeys(row["problem"] for row in summary))
    fig, axes = plt.subplots(
        1,
        len(problems),
        figsize=(4.2 * len(problems), 3.4),
        squeeze=False,
        constrained_layout=True,
    )
    for ax, problem in zip(axes[0], problems, strict=True):
        rows = [row for row in summary if row["problem"] == problem]
        fixed = [key for key in ("M", "K", "R") if key != x]
        for (series,), series_rows in group(rows, ("series",)).items():
            for other, line in group(series_rows, fixed).items():
                line = sorted(line, key=lambda row: float(row[x]))
                xs = [float(row[x]) for row in line]
                label = series
                if len(group(rows, fixed)) > 1:
                    pairs = zip(fixed, other, strict=True)
                    label += " (" + ", ".join(f"{k}={v}" for k, v in pairs) + ")"
                style = STYLE.get(line[0]["method"], {})
                drawn = ax.plot(
                    xs, [row["nrmse"] for row in line], marker="o", label=label, **style
                )
                ax.fill_between(
                    xs,
                    [row["p5"] for row in line],
                    [row["p95"] for row in line],
                    color=drawn[0].get_color(),
                    alpha=0.15,
                    linewidth=0,
                )
        constant = [
            f"{key}={joined(row[key] for row in rows)}"
            for key in fixed
            if len({row[key] for row in rows}) == 1
        ]
        ax.set_title(f"{problem} ({', '.join(constant)})" if constant else problem)
        ax.set_xlabel(AXES[x])
        ax.set_xticks(sorted({int(float(row[x])) for row in rows}))
        ax.set_ylabel("NRMSE (%)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    save_figure(
        fig,
        f"{title}: approximation error, scale '{scale}'\n"
        "lines: mean over seeds; bands: p5-p95 over test inputs",
        png,
        pdf,
    )


def main(snakemake):
    scale, sweep = snakemake.wildcards.scale, snakemake.wildcards.sweep
    summary = summarise(read_rows(snakemake.input[0]), scale)
    write_rows(snakemake.output.csv, summary, COLUMNS)
    plot(
        summary,
        snakemake.params.x,
        TITLES[sweep],
        scale,
        snakemake.output.png,
        snakemake.output.pdf,
    )
    logging.info("%s: %d series points -> %s", sweep, len(summary), snakemake.output.png)


run_logged(main, snakemake)  # noqa: F821 (injected by Snakemake)
