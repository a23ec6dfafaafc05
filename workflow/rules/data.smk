# Sampling specifications of one (problem, M, K, seed): the input distribution and
# explicit seeds. Training needs only the training and validation part, so it gets
# its own spec: changing the test settings re-runs evaluations, never training.
# The test sets derive from aicc's fixed test seed, so they are the same for every
# training seed.


localrules:
    training_spec,
    test_spec,


rule training_spec:
    output:
        "results/{scale}/spec/train/{problem}/M{M}_K{K}_seed{seed}.json",
    log:
        "logs/{scale}/spec/train/{problem}/M{M}_K{K}_seed{seed}.log",
    params:
        aicc=AICC,
        options=lambda wildcards: spec_options(wildcards, "validation_size"),
    conda:
        "../../environment.yml"
    shell:
        "{params.aicc} spec --problem {wildcards.problem}"
        " --M {wildcards.M} --K {wildcards.K} --seed {wildcards.seed} {params.options}"
        " --out {output} > {log} 2>&1"


rule test_spec:
    output:
        "results/{scale}/spec/test/{problem}/M{M}_K{K}_seed{seed}.json",
    log:
        "logs/{scale}/spec/test/{problem}/M{M}_K{K}_seed{seed}.log",
    params:
        aicc=AICC,
        options=lambda wildcards: spec_options(
            wildcards, "validation_size", "test_sets", "test_batch", "mean_samples"
        ),
    conda:
        "../../environment.yml"
    shell:
        "{params.aicc} spec --problem {wildcards.problem}"
        " --M {wildcards.M} --K {wildcards.K} --seed {wildcards.seed} {params.options}"
        " --out {output} > {log} 2>&1"
