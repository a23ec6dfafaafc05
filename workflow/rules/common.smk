# Helper functions and wildcard constraints shared by every rule file.
# Paths are relative to the working directory (--directory), so one checkout can
# serve several runs; scripts are found relative to the rule files.

import itertools
import os
import shlex
import sys

# Experiments whose result is an approximation error, and the parameter each one
# sweeps along its x axis (R = G*P + 1 is the recovery threshold).
ERROR_SWEEPS = {"fig4": "M", "fig6": "K", "rsweep": "R"}
ERROR_EXPERIMENTS = ("table1", *ERROR_SWEEPS)
RUNTIME_EXPERIMENT = "fig5"


wildcard_constraints:
    scale=r"[A-Za-z0-9_]+",
    problem=r"[A-Za-z0-9_]+",
    M=r"\d+",
    K=r"\d+",
    G=r"\d+",
    P=r"\d+",
    seed=r"\d+",
    encoder=r"paper|lagrange",
    experiment=r"table1|fig4|fig5|fig6|rsweep",
    sweep=r"fig4|fig6|rsweep",


# ---------------------------------------------------------------- config checks


def check_config(config):
    """Fail before any job starts on what the JSON schema cannot check.

    The selected scale must exist, and every problem name must be registered in
    ``aicc.problems`` once the modules in ``problem_modules`` are imported; aliases
    (P1..P4) are replaced by the problem's name.
    """
    scales = config["scales"]
    if config["scale"] not in scales:
        raise ValueError(
            f"config key 'scale': unknown scale {config['scale']!r}; "
            f"defined in 'scales': {', '.join(sorted(scales))}"
        )
    from aicc.problems import available_problems, get_problem, import_problem_modules

    # Jobs inherit the variable (also through sbatch), so the modules stay out of the
    # rules' parameters: adding a problem does not re-run the others' jobs.
    os.environ.update(AICC_PROBLEM_MODULES=",".join(config["problem_modules"]))
    try:
        import_problem_modules()
    except ImportError as error:
        raise ValueError(f"config key 'problem_modules': {error}") from None

    for scale_name, scale in scales.items():
        training = scale["training"]
        if training["lr_final"] > training["lr"]:
            raise ValueError(
                f"config key 'scales.{scale_name}.training.lr_final' "
                f"({training['lr_final']}) exceeds 'lr' ({training['lr']})"
            )
        for experiment, spec in scale["experiments"].items():
            canonical = []
            for problem in spec["problems"]:
                try:
                    canonical.append(get_problem(problem).name)
                except (LookupError, ValueError):
                    raise ValueError(
                        f"config key 'scales.{scale_name}.experiments.{experiment}"
                        f".problems': unknown problem {problem!r}; available: "
                        f"{', '.join(sorted(available_problems()))}"
                    ) from None
            # An alias such as P1 names the same files as its problem.
            spec["problems"] = list(dict.fromkeys(canonical))


check_config(config)


# ---------------------------------------------------------------- configurations


def scale_config(scale):
    """The entry of ``config['scales']`` named ``scale``."""
    return config["scales"][scale]


def experiment_configurations(scale, experiment):
    """Every configuration an experiment needs, as wildcard dictionaries.

    An error experiment yields (problem, M, K, G, P, encoder, seed); the runtime
    experiment yields (problem, M, K, G, P, seed). Shared configurations map to
    the same files, so Snakemake trains them once.
    """
    settings = scale_config(scale)
    spec = settings["experiments"][experiment]
    encoders = spec.get("encoders", [None])
    combos = itertools.product(
        spec["problems"], spec["M"], spec["K"], spec["GP"], encoders, settings["seeds"]
    )
    configurations = []
    for problem, M, K, (G, P), encoder, seed in combos:
        wildcards = dict(scale=scale, problem=problem, M=M, K=K, G=G, P=P, seed=seed)
        if encoder is not None:
            wildcards["encoder"] = encoder
        configurations.append(wildcards)
    return configurations


def experiments(scale):
    """Names of the experiments configured at ``scale``, in paper order."""
    present = scale_config(scale)["experiments"]
    return [name for name in ("table1", "fig4", "fig5", "fig6", "rsweep") if name in present]


# ---------------------------------------------------------------- inputs and targets


def aggregate_inputs(wildcards):
    """Per-configuration CSVs (and training histories) that make up one experiment."""
    configurations = experiment_configurations(wildcards.scale, wildcards.experiment)
    if wildcards.experiment == RUNTIME_EXPERIMENT:
        return {
            "results": [rules.benchmark.output[0].format(**c) for c in configurations],
            "histories": [],
        }
    return {
        "results": [rules.evaluate.output[0].format(**c) for c in configurations],
        "histories": [rules.train.output.history.format(**c) for c in configurations],
    }


def power_sums_spec(wildcards):
    """The test spec of the scale's first seed for the job's (problem, M, K)."""
    seed = scale_config(wildcards.scale)["seeds"][0]
    return rules.test_spec.output[0].format(
        scale=wildcards.scale, problem=wildcards.problem, M=wildcards.M, K=wildcards.K,
        seed=seed,
    )


def power_sums_results(wildcards):
    """Power-sum regression CSVs of every (problem, M, K) in the scale's Table I."""
    configurations = experiment_configurations(wildcards.scale, "table1")
    keys = dict.fromkeys((c["problem"], c["M"], c["K"]) for c in configurations)
    return [
        rules.power_sums.output[0].format(scale=wildcards.scale, problem=p, M=M, K=K)
        for p, M, K in keys
    ]


def aggregates(wildcards):
    """The aggregated CSV of every experiment configured at the job's scale."""
    return [
        rules.aggregate.output[0].format(scale=wildcards.scale, experiment=experiment)
        for experiment in experiments(wildcards.scale)
    ]


def final_outputs(scale):
    """Tables, figures and provenance under figures/<scale>/ for the configured experiments."""
    outputs = [f"figures/{scale}/provenance.json"]
    for experiment in experiments(scale):
        if experiment == "table1":
            outputs += [f"figures/{scale}/table1.{ext}" for ext in ("csv", "md", "tex")]
            outputs += [f"figures/{scale}/power_sums.{ext}" for ext in ("csv", "md")]
        else:
            outputs += [f"figures/{scale}/{experiment}.{ext}" for ext in ("csv", "png", "pdf")]
    return outputs


# ---------------------------------------------------------------- aicc command lines


# The aicc console script is looked up on PATH when a job runs (inside the conda
# environment when --sdm conda is used), then in the folder of the Python running
# Snakemake, so a virtualenv works without being activated.
AICC = f'env PATH="$PATH":{shlex.quote(os.path.dirname(sys.executable))} aicc'


def options(values):
    """Render ``{"test_sets": 4, "jit_compile": True}`` as ``--test-sets 4 --jit-compile``.

    A false boolean is left out; a true one becomes a bare flag.
    """
    rendered = []
    for key, value in values.items():
        flag = f"--{key.replace('_', '-')}"
        if isinstance(value, bool):
            rendered += [flag] if value else []
        else:
            rendered += [flag, shlex.quote(str(value))]
    return " ".join(rendered)


def spec_options(wildcards, *keys):
    """``aicc spec`` options for the given keys of the scale's evaluation settings."""
    evaluation = scale_config(wildcards.scale)["evaluation"]
    return options({key: evaluation[key] for key in keys})


def train_options(wildcards):
    settings = scale_config(wildcards.scale)
    return options({**settings["model"], **settings["training"]})


def evaluate_options(wildcards):
    evaluation = scale_config(wildcards.scale)["evaluation"]
    R = int(wildcards.G) * int(wildcards.P) + 1
    return options({"workers": R + evaluation["stragglers"], "points": evaluation["points"]})


def benchmark_options(wildcards):
    runtime = scale_config(wildcards.scale)["experiments"][RUNTIME_EXPERIMENT]
    return options({"batch": runtime["batch"], "repeats": runtime["repeats"]})


# ---------------------------------------------------------------- resources


def job_resource(kind, name):
    """A callable giving resource ``name`` of job kind ``kind`` at the job's scale."""
    defaults = {"gpu": 0, "threads": 1, "mem_mb": 4000, "runtime": 60}

    def lookup(wildcards):
        resources = scale_config(wildcards.scale).get("resources", {}).get(kind, {})
        return resources.get(name, defaults[name])

    return lookup
