# One training job per distinct configuration (problem, M, K, G, P, encoder, seed);
# the experiments that share a configuration share its model. An interrupted
# job resumes from the checkpoint/ folder that aicc keeps beside the outputs.


rule train:
    input:
        spec=rules.training_spec.output[0],
    output:
        model="results/{scale}/train/{problem}/M{M}_K{K}_G{G}_P{P}_{encoder}_seed{seed}/model.keras",
        config="results/{scale}/train/{problem}/M{M}_K{K}_G{G}_P{P}_{encoder}_seed{seed}/config.json",
        history="results/{scale}/train/{problem}/M{M}_K{K}_G{G}_P{P}_{encoder}_seed{seed}/history.csv",
    log:
        "logs/{scale}/train/{problem}/M{M}_K{K}_G{G}_P{P}_{encoder}_seed{seed}.log",
    params:
        aicc=AICC,
        options=train_options,
        outdir=lambda wildcards, output: os.path.dirname(output.model),
    threads: job_resource("train", "threads")
    resources:
        gpu=job_resource("train", "gpu"),
        mem_mb=job_resource("train", "mem_mb"),
        runtime=job_resource("train", "runtime"),
    conda:
        "../../environment.yml"
    shell:
        "{params.aicc} train --spec {input.spec}"
        " --G {wildcards.G} --P {wildcards.P} --encoder {wildcards.encoder} {params.options}"
        " --out {params.outdir} > {log} 2>&1"
