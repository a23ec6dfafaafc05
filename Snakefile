# Reproduction of "A Learning-Based Approach to Approximate Coded Computation":
# Table I, Figures 4-6 and a recovery-threshold sweep.
#
#   snakemake --cores 2                      # default scale (under 30 min, 2 cores)
#   snakemake --cores 2 --config scale=tiny  # smoke test
#   snakemake --report report.html           # one HTML page with every result
#
# Paths are relative to the working directory; to run elsewhere, pass this
# repository's config.yaml along: --directory DIR --configfile config.yaml

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/benchmark.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        final_outputs(config["scale"]),
    default_target: True
