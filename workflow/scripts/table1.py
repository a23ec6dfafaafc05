"""Table I: NRMSE (%) of AICC per problem, beside the mean predictor, BACC and
the value printed in the paper; written as CSV, Markdown and LaTeX."""

import logging

from tables import (
    PROVENANCE,
    SCHEME,
    first_per_seed,
    group,
    read_rows,
    run_logged,
    summarise_seeds,
    write_rows,
    write_text,
)

COLUMNS = (
    *SCHEME, "encoder",
    "nrmse", "nrmse_seed_std", "p5", "p95",
    "mean_predictor_nrmse", "bacc_nrmse", "paper_nrmse",
    "n_seeds", "seeds", "scale", "wall_time_s", "train_wall_time_s", *PROVENANCE,
)  # fmt: skip
PLUS_MINUS_TEX = r" $\pm$ "  # a backslash cannot sit inside an f-string's braces


def baseline(rows, method):
    """Mean over seeds of a baseline method's NRMSE, from rows of one configuration."""
    picked = first_per_seed([row for row in rows if row["method"] == method])
    return summarise_seeds(picked)["nrmse"] if picked else float("nan")


def table_rows(rows, scale, paper_nrmse):
    table = []
    for config, config_rows in group(rows, SCHEME).items():
        aicc = [row for row in config_rows if row["method"] == "aicc"]
        for (encoder,), encoder_rows in group(aicc, ("encoder",)).items():
            entry = dict(zip(SCHEME, config, strict=True))
            entry.update(encoder=encoder, scale=scale, **summarise_seeds(encoder_rows))
            entry["mean_predictor_nrmse"] = baseline(config_rows, "mean_predictor")
            entry["bacc_nrmse"] = baseline(config_rows, "bacc")
            entry["paper_nrmse"] = paper_nrmse.get(entry["problem"], "")
            table.append(entry)
    return table


def percent(value):
    return "" if value in ("", None) or value != value else f"{float(value):.2f}"


def aicc_cell(row, plus_minus):
    """AICC's mean NRMSE, with its standard deviation over seeds where there are several."""
    if int(row["n_seeds"]) < 2:
        return percent(row["nrmse"])
    return f"{percent(row['nrmse'])}{plus_minus}{percent(row['nrmse_seed_std'])}"


def markdown(table, scale):
    several = any(int(r["n_seeds"]) > 1 for r in table)
    lines = [
        f"Table I (scale `{scale}`): NRMSE in percent, mean over seeds"
        + (" ± their standard deviation" if several else "")
        + "; p5-p95 over test inputs.",
        "",
        "| problem | encoder | M | K | R | AICC | p5-p95 | mean predictor | BACC | paper |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table:
        lines.append(
            f"| {r['problem']} | {r['encoder']} | {r['M']} | {r['K']} | {r['R']} "
            f"| {aicc_cell(r, ' ± ')} | {percent(r['p5'])}-{percent(r['p95'])} "
            f"| {percent(r['mean_predictor_nrmse'])} | {percent(r['bacc_nrmse'])} "
            f"| {percent(r['paper_nrmse'])} |"
        )
    return "\n".join(lines) + "\n"


def latex(table, scale):
    escape = lambda text: str(text).replace("_", r"\_")  # noqa: E731
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        r"\caption{Function approximation error (NRMSE, \%) of AICC, scale "
        rf"\texttt{{{escape(scale)}}}.}}",
        r"\begin{tabular}{llrrrrrrr}",
        r"\toprule",
        r"Problem & Encoder & $M$ & $K$ & $R$ & AICC & Mean pred. & BACC & Paper \\",
        r"\midrule",
    ]
    for r in table:
        lines.append(
            f"{escape(r['problem'])} & {escape(r['encoder'])} & {r['M']} & {r['K']} & {r['R']} "
            f"& {aicc_cell(r, PLUS_MINUS_TEX)} & {percent(r['mean_predictor_nrmse'])} "
            f"& {percent(r['bacc_nrmse'])} & {percent(r['paper_nrmse'])} \\\\"
        )
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def main(snakemake):
    scale = snakemake.wildcards.scale
    table = table_rows(read_rows(snakemake.input[0]), scale, dict(snakemake.params.paper_nrmse))
    write_rows(snakemake.output.csv, table, COLUMNS)
    write_text(snakemake.output.md, markdown(table, scale))
    write_text(snakemake.output.tex, latex(table, scale))
    logging.info("Table I with %d rows -> %s", len(table), snakemake.output.csv)


run_logged(main, snakemake)  # noqa: F821 (injected by Snakemake)
