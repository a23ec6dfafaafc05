# Runtime of one (problem, M, K, G, P) for Figure 5: uncoded numpy and TensorFlow
# against the AICC pipeline. Runtime does not depend on the learned values, so
# untrained weights are timed and no training is needed.


rule benchmark:
    output:
        "results/{scale}/benchmark/{problem}/M{M}_K{K}_G{G}_P{P}_seed{seed}.csv",
    log:
        "logs/{scale}/benchmark/{problem}/M{M}_K{K}_G{G}_P{P}_seed{seed}.log",
    params:
        aicc=AICC,
        options=benchmark_options,
    threads: job_resource("benchmark", "threads")
    resources:
        gpu=job_resource("benchmark", "gpu"),
        mem_mb=job_resource("benchmark", "mem_mb"),
        runtime=job_resource("benchmark", "runtime"),
    conda:
        "../../environment.yml"
    shell:
        "{params.aicc} benchmark --problem {wildcards.problem}"
        " --M {wildcards.M} --K {wildcards.K} --G {wildcards.G} --P {wildcards.P}"
        " --seed {wildcards.seed} {params.options} --out {output} > {log} 2>&1"
