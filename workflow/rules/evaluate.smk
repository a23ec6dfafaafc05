# Test error of one trained configuration: AICC, the mean predictor and BACC on
# the same test sets, one CSV row per method, errors in percent.


rule evaluate:
    input:
        spec=rules.test_spec.output[0],
        model=rules.train.output.model,
        config=rules.train.output.config,
    output:
        "results/{scale}/evaluate/{problem}/M{M}_K{K}_G{G}_P{P}_{encoder}_seed{seed}.csv",
    log:
        "logs/{scale}/evaluate/{problem}/M{M}_K{K}_G{G}_P{P}_{encoder}_seed{seed}.log",
    params:
        aicc=AICC,
        options=evaluate_options,
        model_dir=lambda wildcards, input: os.path.dirname(input.model),
    threads: job_resource("evaluate", "threads")
    resources:
        gpu=job_resource("evaluate", "gpu"),
        mem_mb=job_resource("evaluate", "mem_mb"),
        runtime=job_resource("evaluate", "runtime"),
    conda:
        "../../environment.yml"
    shell:
        "{params.aicc} evaluate --model {params.model_dir}"
        " --spec {input.spec} {params.options} --out {output} > {log} 2>&1"


# The power-sum regression baseline of one (problem, M, K): uncoded, no training, on
# the same test sets. They do not depend on the training seed, so the first seed's
# test spec serves.
rule power_sums:
    input:
        spec=power_sums_spec,
    output:
        "results/{scale}/power_sums/{problem}/M{M}_K{K}.csv",
    log:
        "logs/{scale}/power_sums/{problem}/M{M}_K{K}.log",
    params:
        aicc=AICC,
        degree=lambda wildcards: scale_config(wildcards.scale)["evaluation"]["power_sum_degree"],
    threads: job_resource("evaluate", "threads")
    resources:
        gpu=0,
        mem_mb=job_resource("evaluate", "mem_mb"),
        runtime=job_resource("evaluate", "runtime"),
    conda:
        "../../environment.yml"
    shell:
        "{params.aicc} power-sums --spec {input.spec} --max-degree {params.degree}"
        " --out {output} > {log} 2>&1"
