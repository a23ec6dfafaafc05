"""End-to-end tests of the Snakemake workflow with the real aicc CLI, no mocks.

One run of the whole DAG at the `tiny` scale (module fixture) in a temporary
working directory, then checks of its tables and figures, of resuming (nothing to
redo; one deleted evaluation redone alone), of config validation, lint and report.
"""

import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "tests" / "configs"
PNG_MAGIC = b"\x89PNG"
# The whole tiny DAG takes 2-4 min on 2 idle cores; AICC_WORKFLOW_TEST_TIMEOUT raises
# the limit of a Snakemake run on a loaded machine.
RUN_TIMEOUT = int(os.environ.get("AICC_WORKFLOW_TEST_TIMEOUT", "900"))


def snakemake(workdir, *args, configfiles=(CONFIGS / "tiny.yaml",), timeout=RUN_TIMEOUT):
    """Run the repository's workflow with ``workdir`` as working directory."""
    command = [
        sys.executable, "-m", "snakemake",
        "--snakefile", str(REPO / "Snakefile"),
        "--directory", str(workdir),
        "--configfile", str(REPO / "config.yaml"), *map(str, configfiles),
        "--cores", "2",
        *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def job_counts(output):
    """The 'Job stats' table of a Snakemake run or dry run, as {rule: count}."""
    table = output.split("Job stats:", 1)[1]
    counts = {}
    for line in table.splitlines()[3:]:
        match = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if not match:
            break
        counts[match.group(1)] = int(match.group(2))
    counts.pop("total", None)
    return counts


def assert_finite(rows, columns):
    for row in rows:
        for column in columns:
            assert math.isfinite(float(row[column])), (column, row)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("workflow")
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-5000:]
    return workdir


def test_whole_dag_writes_every_output(tiny_run):
    figures = tiny_run / "figures" / "tiny"
    expected = ["table1.csv", "table1.md", "table1.tex", "power_sums.csv", "power_sums.md",
                "provenance.json"]
    expected += [f"{name}.{ext}" for name in ("fig4", "fig5", "fig6", "rsweep")
                 for ext in ("csv", "png", "pdf")]  # fmt: skip
    for name in expected:
        assert (figures / name).stat().st_size > 0, name
    for name in ("fig4", "fig5", "fig6", "rsweep"):
        assert (figures / f"{name}.png").read_bytes()[:4] == PNG_MAGIC
        assert (figures / f"{name}.pdf").read_bytes()[:4] == b"%PDF"
    assert not (figures.parent / "default").exists(), "a scale wrote outside its folder"


def test_table1(tiny_run):
    rows = read_csv(tiny_run / "figures" / "tiny" / "table1.csv")
    required = {"problem", "M", "K", "R", "encoder", "nrmse", "p5", "p95", "n_seeds",
                "mean_predictor_nrmse", "bacc_nrmse", "paper_nrmse", "scale",
                "git_commit", "device"}  # fmt: skip
    assert required <= set(rows[0])
    assert len(rows) == 4 * 2  # four problems, two encoders
    assert {(r["problem"], r["encoder"]) for r in rows} == {
        (p, e) for p in ("eigenvalues", "eigenvector", "expm", "determinant")
        for e in ("paper", "lagrange")
    }  # fmt: skip
    assert {(r["M"], r["K"], r["R"], r["scale"]) for r in rows} == {("4", "3", "5", "tiny")}
    assert_finite(rows, ["nrmse", "p5", "p95", "mean_predictor_nrmse", "bacc_nrmse"])
    paper = {r["problem"]: float(r["paper_nrmse"]) for r in rows}
    assert paper == {"eigenvalues": 4.64, "eigenvector": 5.81, "expm": 7.85, "determinant": 1.50}
    table = tiny_run / "figures" / "tiny"
    assert (table / "table1.md").read_text().count("\n| ") == 1 + 8  # header + rows
    assert r"\begin{tabular}" in (table / "table1.tex").read_text()


def test_power_sums_start_from_the_mean_predictor(tiny_run):
    figures = tiny_run / "figures" / "tiny"
    rows = read_csv(figures / "power_sums.csv")
    table1 = {r["problem"]: float(r["mean_predictor_nrmse"])
              for r in read_csv(figures / "table1.csv")}  # fmt: skip
    assert {(r["problem"], int(r["degree"])) for r in rows} == {
        (p, q) for p in table1 for q in range(7)
    }
    assert_finite(rows, ["nrmse", "p5", "p95"])
    for row in rows:
        if row["degree"] == "0":
            assert float(row["nrmse"]) == pytest.approx(table1[row["problem"]], rel=1e-9)
    markdown = (figures / "power_sums.md").read_text()
    assert markdown.count("\n| ") == 1 + 4 and "q=0 (mean predictor)" in markdown


@pytest.mark.parametrize(
    ("name", "x", "values", "series"),
    [
        ("fig4", "M", {"4", "6"}, 3),
        ("fig6", "K", {"2", "3"}, 3),
        ("rsweep", "R", {"3", "5"}, 3),
    ],
)
def test_error_figures(tiny_run, name, x, values, series):
    rows = read_csv(tiny_run / "figures" / "tiny" / f"{name}.csv")
    assert {"problem", x, "series", "method", "nrmse", "p5", "p95", "scale",
            "git_commit"} <= set(rows[0])  # fmt: skip
    assert {r[x] for r in rows} == values
    assert {r["method"] for r in rows} == {"aicc", "mean_predictor", "bacc"}
    assert len(rows) == len(values) * series
    assert_finite(rows, ["nrmse", "p5", "p95"])


def test_runtime_figure(tiny_run):
    rows = read_csv(tiny_run / "figures" / "tiny" / "fig5.csv")
    assert {"problem", "M", "method", "median_ms", "p25_ms", "p75_ms", "device"} <= set(rows[0])
    methods = {r["method"] for r in rows}
    assert {"numpy", "tensorflow", "aicc_total"} <= methods
    assert {r["M"] for r in rows} == {"4", "8"}
    assert len(rows) == 2 * len(methods)
    assert_finite(rows, ["median_ms", "p25_ms", "p75_ms"])
    assert all(float(r["median_ms"]) > 0 for r in rows)


def test_provenance(tiny_run):
    document = json.loads((tiny_run / "figures" / "tiny" / "provenance.json").read_text())
    assert document["scale"] == "tiny"
    assert set(document["experiments"]) == {"table1", "fig4", "fig5", "fig6", "rsweep"}
    assert document["device"] and document["tensorflow_version"]


def test_shared_configuration_trained_once(tiny_run):
    # eigenvalues M=4 K=3 G=P=2 (paper encoder) serves table1, fig4 and fig6.
    models = sorted((tiny_run / "results" / "tiny" / "train").glob("*/*/model.keras"))
    assert len(models) == 8 + 1 + 1 + 1  # table1, fig4 M=6, fig6 K=2, rsweep G=1


def test_rerun_has_nothing_to_do(tiny_run):
    result = snakemake(tiny_run, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Nothing to be done" in result.stdout + result.stderr


def test_interrupted_run_redoes_only_missing_work(tiny_run):
    # As if the run had stopped after training: one evaluation and everything
    # downstream of it are missing. Snakemake keeps a present, up-to-date target
    # even when an intermediate file is gone, so the downstream files go too.
    evaluation = (tiny_run / "results" / "tiny" / "evaluate" / "determinant"
                  / "M4_K3_G1_P2_paper_seed0.csv")  # fmt: skip
    downstream = [tiny_run / "results" / "tiny" / "aggregate" / "rsweep.csv"]
    downstream += [
        tiny_run / "figures" / "tiny" / f"rsweep.{ext}" for ext in ("csv", "png", "pdf")
    ]
    downstream.append(tiny_run / "figures" / "tiny" / "provenance.json")
    for path in [evaluation, *downstream]:
        path.unlink()
    dry = snakemake(tiny_run, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert job_counts(dry.stdout) == {
        "evaluate": 1, "aggregate": 1, "plot_errors": 1, "provenance": 1, "all": 1,
    }  # fmt: skip
    result = snakemake(tiny_run)
    assert result.returncode == 0, result.stderr[-5000:]
    assert all(path.exists() for path in [evaluation, *downstream])
    again = snakemake(tiny_run, "--dry-run")
    assert "Nothing to be done" in again.stdout + again.stderr


def test_deleted_evaluation_is_redone_alone(tiny_run):
    evaluation = "results/tiny/evaluate/eigenvalues/M6_K3_G2_P2_paper_seed0.csv"
    (tiny_run / evaluation).unlink()
    dry = snakemake(tiny_run, "--dry-run", evaluation)
    assert dry.returncode == 0, dry.stderr
    assert job_counts(dry.stdout) == {"evaluate": 1}
    result = snakemake(tiny_run, evaluation)
    assert result.returncode == 0, result.stderr[-5000:]
    assert len(read_csv(tiny_run / evaluation)) == 3  # aicc, mean predictor, BACC


def test_new_test_settings_rerun_evaluations_not_training(tiny_run, tmp_path):
    override = tmp_path / "more_test_sets.yaml"
    override.write_text("scale: tiny\nscales:\n  tiny:\n    evaluation: {test_sets: 3}\n")
    dry = snakemake(tiny_run, "--dry-run", configfiles=(override,))
    assert dry.returncode == 0, dry.stderr
    counts = job_counts(dry.stdout)
    assert counts["test_spec"] == 6 and counts["evaluate"] == 11
    assert "train" not in counts and "training_spec" not in counts and "benchmark" not in counts


def test_problem_from_a_module_in_the_working_directory(tmp_path):
    shutil.copy(REPO / "tests" / "extra_problem.py", tmp_path)
    extra = tmp_path / "trace.yaml"
    extra.write_text(
        "problem_modules: [extra_problem]\n"
        "scales:\n  tiny:\n    experiments:\n      table1:\n"
        "        {problems: [trace], M: [3], K: [2], GP: [[1, 2]], encoders: [lagrange]}\n"
    )
    target = "results/tiny/evaluate/trace/M3_K2_G1_P2_lagrange_seed0.csv"
    configs = (CONFIGS / "tiny.yaml", extra)
    result = snakemake(tmp_path, target, configfiles=configs, timeout=300)
    assert result.returncode == 0, result.stderr[-5000:]
    assert job_counts(result.stdout + result.stderr) == {
        "training_spec": 1, "test_spec": 1, "train": 1, "evaluate": 1,
    }  # fmt: skip
    assert {row["method"] for row in read_csv(tmp_path / target)} == {
        "aicc", "mean_predictor", "bacc",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ("bad_epochs.yaml", "epochs"),
        ("bad_encoder.yaml", "magic"),
        ("bad_problem.yaml", "scales.tiny.experiments.fig6.problems"),
        ("bad_key.yaml", "step_per_epoch"),
        ("bad_scale.yaml", "huge"),
    ],
)
def test_bad_config_fails_before_any_job(tmp_path, config, named):
    result = snakemake(tmp_path, configfiles=(CONFIGS / config,), timeout=120)
    assert result.returncode != 0
    assert named in result.stderr + result.stdout
    assert not (tmp_path / "results").exists()
    assert not (tmp_path / "logs").exists()


def test_lint_is_clean(tmp_path):
    result = snakemake(tmp_path, "--lint", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_report(tiny_run):
    result = snakemake(tiny_run, "--report", "report.html")
    assert result.returncode == 0, result.stderr[-5000:]
    html = (tiny_run / "report.html").read_text(errors="replace")
    assert len(html) > 10_000
    for name in ("table1.csv", "fig4.png", "fig5.png", "fig6.png", "rsweep.png"):
        assert name in html


def test_run_sh_passes_targets_after_the_scale(tmp_path):
    # run.sh adds --config scale=SCALE; a target after the scale must stay a target.
    venv = Path(sys.prefix)
    if not (venv / ".aicc-installed").exists():
        pytest.skip(f"{venv} was not made by run.sh, which would install a new one")
    target = "results/tiny/spec/test/eigenvalues/M4_K3_seed0.json"
    command = [
        "bash", str(REPO / "run.sh"), "figures", "tiny", target, "--dry-run",
        "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
        "--configfile", str(REPO / "config.yaml"), str(CONFIGS / "tiny.yaml"),
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AICC_VENV": str(venv)}
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert job_counts(result.stdout) == {"test_spec": 1}


def test_table1_gives_the_spread_over_seeds(tmp_path):
    # Only the table1 rule runs, on an aggregate of two seeds written here.
    aggregate = tmp_path / "results" / "tiny" / "aggregate" / "table1.csv"
    aggregate.parent.mkdir(parents=True)
    scheme = dict(scale="tiny", experiment="table1", problem="eigenvalues", M=4, K=3, G=2,
                  P=2, R=5, N=6, points="paper", encoder="paper")  # fmt: skip
    rows = [
        dict(scheme, method=method, seed=seed, nrmse=nrmse, p5=nrmse - 1, p95=nrmse + 1)
        for seed, aicc in ((0, 4.0), (1, 6.0))
        for method, nrmse in (("aicc", aicc), ("mean_predictor", 9.0), ("bacc", 7.0))
    ]
    with open(aggregate, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = snakemake(tmp_path, "figures/tiny/table1.md", "--allowed-rules", "table1")
    assert result.returncode == 0, result.stderr[-5000:]
    (row,) = read_csv(tmp_path / "figures" / "tiny" / "table1.csv")
    assert (float(row["nrmse"]), row["n_seeds"]) == (5.0, "2")
    assert float(row["nrmse_seed_std"]) == pytest.approx(math.sqrt(2))
    assert "| 5.00 ± 1.41 | 4.00-6.00 | 9.00 | 7.00 | 4.64 |" in (
        tmp_path / "figures" / "tiny" / "table1.md"
    ).read_text()
    assert r"5.00 $\pm$ 1.41" in (tmp_path / "figures" / "tiny" / "table1.tex").read_text()
