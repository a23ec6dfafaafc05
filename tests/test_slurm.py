"""The workflow through a real Slurm scheduler: `snakemake --profile slurm`, no mocks.

A module fixture starts a single-node Slurm cluster on this machine with
workflow/slurm/local-slurm.sh (loopback only, one fake GPU; it installs the Debian
packages if needed). The tiny-scale pipeline then runs from a temporary copy of the
repository with the project's profile, overridden only where the test cluster
differs (tests/slurm_profile: squeue for status checks, short polling, no account,
GPU model "fake"). The checks read the scheduler's own records (`scontrol show
jobs`, kept for MinJobAge=1 h, and the job completion log), not Snakemake's.

Skipped, with the reason printed, where Slurm cannot be provided: not root, or no
Slurm binaries and no way to install them.
"""

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
LOCAL_SLURM = REPO / "workflow" / "slurm" / "local-slurm.sh"
PROFILE = REPO / "slurm" / "config.yaml"
TEST_PROFILE = REPO / "tests" / "slurm_profile"
EXIT_UNAVAILABLE = 77  # local-slurm.sh: Slurm cannot be provided on this machine
# Left out when copying the repository for a run: environments, caches, outputs.
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", ".snakemake", "results", "figures", "logs", "__pycache__",
    "*.egg-info", ".pytest_cache",
)  # fmt: skip
# Seconds for the whole tiny pipeline through Slurm (about 6 min on a loaded 2-core
# machine); AICC_SLURM_TEST_TIMEOUT raises it on slower ones.
PIPELINE_TIMEOUT = int(os.environ.get("AICC_SLURM_TEST_TIMEOUT", "1500"))
FAILURE_TIMEOUT = 240  # seconds for the failing workflow to give up


def skip(request, reason):
    """Skip with ``reason``, also printed past pytest's capture so any CI log shows it."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\ntests/test_slurm.py skipped: {reason}", file=sys.stderr, flush=True)
    pytest.skip(reason)


def profile_partition():
    """The partition the project's profile sends jobs to (the test cluster's name)."""
    profile = yaml.safe_load(PROFILE.read_text())
    return str(profile["default-resources"]["slurm_partition"]).strip("'\"")


class Cluster:
    """A running local-slurm.sh cluster: its state folder and client environment."""

    def __init__(self, state):
        self.state = state
        self.env = {**os.environ, "SLURM_CONF": str(state / "slurm.conf")}
        # snakemake, aicc and python of this environment first, also inside jobs
        # (sbatch exports the submitting environment).
        self.env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{self.env['PATH']}"

    def jobs(self):
        """Every job slurmctld still holds, as {job id: {field: value}}."""
        out = subprocess.run(
            ["scontrol", "-d", "-o", "show", "jobs"],
            env=self.env, capture_output=True, text=True, check=True, timeout=30,
        ).stdout  # fmt: skip
        jobs = {}
        for line in out.splitlines():
            fields = dict(re.findall(r"(\w+)=(\S*)", line))
            if "JobId" in fields:
                jobs[fields["JobId"]] = fields
        return jobs

    def completion_log(self):
        """Job ids in slurmctld's job completion log (outlives MinJobAge)."""
        path = self.state / "log" / "jobcomp.log"
        text = path.read_text() if path.exists() else ""
        return set(re.findall(r"^JobId=(\d+) ", text, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def cluster(request):
    if os.geteuid() != 0:
        skip(request, "needs root to run slurmd (and to install munge/Slurm with apt-get)")
    if shutil.which("slurmctld", path=f"{os.environ['PATH']}:/usr/sbin") is None and (
        shutil.which("apt-get") is None
    ):
        skip(request, "Slurm is not installed and there is no apt-get to install it")
    # A short path: slurmd puts unix sockets (108-byte limit) in its spool folder.
    state = Path(tempfile.mkdtemp(prefix="aicc-slurm-"))
    env = {**os.environ, "LOCAL_SLURM_PARTITION": profile_partition()}
    start = subprocess.run(
        [str(LOCAL_SLURM), "start", str(state)],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if start.returncode == EXIT_UNAVAILABLE:
        lines = start.stderr.strip().splitlines() or ["no reason given"]
        skip(request, f"local Slurm unavailable: {lines[-1]}")
    try:
        assert start.returncode == 0, f"local-slurm.sh start failed:\n{start.stderr}"
        yield Cluster(state)
    finally:
        subprocess.run([str(LOCAL_SLURM), "stop", str(state)], timeout=120)
        shutil.rmtree(state, ignore_errors=True)


def run_snakemake(workdir, args, env, timeout):
    """Run snakemake in ``workdir``; returns (exit status, output, seconds)."""
    # A kill delay: on SIGTERM alone snakemake waits for its running jobs.
    command = ["timeout", "-k", "10", str(timeout), sys.executable, "-m", "snakemake"]
    began = time.monotonic()
    proc = subprocess.run(
        [*command, *args], cwd=workdir, env=env, capture_output=True, text=True,
        timeout=timeout + 30,
    )  # fmt: skip
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - began


def slurm_args():
    """The project's profile, then the test cluster's overrides on top."""
    return ["--profile", "slurm", "--workflow-profile", str(TEST_PROFILE)]


def copy_repo(source, destination):
    shutil.copytree(source, destination, ignore=COPY_IGNORE, symlinks=True)
    return destination


def job_stats(output):
    """The 'Job stats' table of a (dry) run, as a Counter {rule: jobs}."""
    table = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    counts = Counter({m[0]: int(m[1]) for m in re.findall(r"^(\w+)\s+(\d+)$", table, re.M)})
    del counts["total"]
    return counts


def job_headers(output):
    """Jobs a run started, by rule, as (submitted to Slurm, run locally) Counters.

    Snakemake announces a submitted job as 'rule x:' and a local one as 'localrule x:'.
    """
    submitted = Counter(re.findall(r"^rule (\w+):$", output, flags=re.MULTILINE))
    local = Counter(re.findall(r"^localrule (\w+):$", output, flags=re.MULTILINE))
    return submitted, local


def run_id(output):
    match = re.search(r"SLURM run ID: (\S+)", output)
    assert match, "no SLURM run ID in the snakemake output"
    return match.group(1)


def rule_of(job):
    """A Slurm job's Snakemake rule, from the log path the plugin gave sbatch."""
    match = re.search(r"/slurm_logs/rule_(\w+)/", job.get("StdOut", ""))
    return match.group(1) if match else None


def csv_shapes(root):
    """{relative path: (columns, row count)} of every CSV under results/ and figures/."""
    shapes = {}
    for top in ("results", "figures"):
        for path in sorted((root / top).rglob("*.csv")):
            with open(path, newline="") as handle:
                rows = list(csv.reader(handle))
            shapes[str(path.relative_to(root))] = (tuple(rows[0]) if rows else (), len(rows))
    return shapes


def output_files(root):
    return {
        str(path.relative_to(root))
        for top in ("results", "figures")
        for path in (root / top).rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def tiny_runs(cluster, tmp_path_factory):
    """The tiny pipeline run twice from one snapshot of the tree: locally, and via Slurm."""
    snapshot = copy_repo(REPO, tmp_path_factory.mktemp("snapshot") / "aicc")
    local = copy_repo(snapshot, tmp_path_factory.mktemp("local") / "aicc")
    remote = copy_repo(snapshot, tmp_path_factory.mktemp("slurm") / "aicc")

    # The local reference runs alongside: the Slurm run mostly waits on the scheduler.
    with ThreadPoolExecutor(max_workers=1) as pool:
        local_run = pool.submit(
            run_snakemake,
            local, ["--cores", "2", "--config", "scale=tiny"], cluster.env, PIPELINE_TIMEOUT,
        )  # fmt: skip
        slurm_run = run_through_slurm(remote, cluster.env)
    code, out, seconds = local_run.result()
    assert code == 0, f"local tiny run failed:\n{out[-6000:]}"
    print(f"tiny pipeline locally: {seconds:.0f} s", file=sys.stderr)
    dry_out, out = slurm_run
    return {"local": local, "slurm": remote, "dry_run": dry_out, "output": out}


def run_through_slurm(workdir, env):
    """Dry run, then the tiny pipeline through Slurm; returns both outputs."""
    args = [*slurm_args(), "--config", "scale=tiny"]
    code, dry_out, _ = run_snakemake(workdir, [*args, "--dry-run"], env, 120)
    assert code == 0, f"dry run through the Slurm profile failed:\n{dry_out[-6000:]}"
    code, out, seconds = run_snakemake(workdir, args, env, PIPELINE_TIMEOUT)
    assert code == 0, f"tiny run through Slurm failed after {seconds:.0f} s:\n{out[-8000:]}"
    print(f"tiny pipeline through Slurm: {seconds:.0f} s", file=sys.stderr)
    return dry_out, out


def test_pipeline_runs_through_slurm(cluster, tiny_runs):
    planned = job_stats(tiny_runs["dry_run"])
    submitted, local = job_headers(tiny_runs["output"])
    # Every job of the DAG ran, training, evaluation and benchmarks on the cluster.
    assert submitted + local == planned
    assert {"train", "evaluate", "benchmark"} <= set(submitted), submitted

    uuid = run_id(tiny_runs["output"])
    jobs = {i: j for i, j in cluster.jobs().items() if j.get("JobName") == uuid}
    # The scheduler ran each submitted job once and it completed; no local rule.
    by_rule = Counter(rule_of(job) for job in jobs.values())
    assert by_rule == submitted, f"Slurm saw {dict(by_rule)}, expected {dict(submitted)}"
    states = Counter(job["JobState"] for job in jobs.values())
    assert states == {"COMPLETED": len(jobs)}, states
    # The completion log, the record that outlives MinJobAge, has them all too.
    assert set(jobs) <= cluster.completion_log()
    # Only training asks for a GPU at this scale; Slurm booked the fake one for it.
    for job in jobs.values():
        asks_gpu = "gpu" in job.get("TresPerJob", "")
        assert asks_gpu == (rule_of(job) == "train"), job
        if asks_gpu:
            assert job["TresPerJob"].endswith("gpu:fake:1"), job["TresPerJob"]
        assert job["Partition"] == profile_partition()


def test_results_match_a_local_run(tiny_runs):
    local, remote = tiny_runs["local"], tiny_runs["slurm"]
    assert (remote / "figures" / "tiny" / "table1.csv").is_file()
    assert output_files(remote) == output_files(local)
    shapes = csv_shapes(remote)
    assert shapes and shapes == csv_shapes(local)


FAILING_SNAKEFILE = """
rule all:
    input:
        "done.txt",


rule fail_on_cluster:
    output:
        "done.txt",
    log:
        "logs/fail_on_cluster.log",
    resources:
        runtime=5,
        mem_mb=200,
    shell:
        "echo 'failing on purpose' > {log}; exit 3"
"""


def test_failing_rule_ends_the_run(cluster, tmp_path):
    (tmp_path / "Snakefile").write_text(FAILING_SNAKEFILE)
    # The project's profile from the working directory, as in a user's run.
    shutil.copytree(REPO / "slurm", tmp_path / "slurm")
    code, out, seconds = run_snakemake(tmp_path, slurm_args(), cluster.env, FAILURE_TIMEOUT)

    assert code not in (0, 124, 137), f"exit {code} after {seconds:.0f} s:\n{out[-6000:]}"
    assert "Error in rule fail_on_cluster" in out
    assert "logs/fail_on_cluster.log" in out
    assert "failing on purpose" in out  # show-failed-logs printed the rule's log
    # The scheduler ran it, and once more for the profile's `retries: 1`.
    uuid = run_id(out)
    jobs = [j for j in cluster.jobs().values() if j.get("JobName") == uuid]
    assert [rule_of(j) for j in jobs] == ["fail_on_cluster"] * 2
    assert {j["JobState"] for j in jobs} == {"FAILED"}
