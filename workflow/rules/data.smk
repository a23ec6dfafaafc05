# Sampling specification of one (problem, M, K, seed): the input distribution and
# explicit seeds for training, validation, test sets and the mean predictor.


localrules:
    spec,


rule spec:
    output:
        "results/{scale}/spec/{problem}/M{M}_K{K}_seed{seed}.json",
    log:
        "logs/{scale}/spec/{problem}/M{M}_K{K}_seed{seed}.log",
    params:
        aicc=aicc("spec"),
        options=spec_options,
    conda:
        "../../environment.yml"
    shell:
        "{params.aicc} --problem {wildcards.problem} --M {wildcards.M}"
        " --K {wildcards.K} --seed {wildcards.seed} {params.options}"
        " --out {output} > {log} 2>&1"
