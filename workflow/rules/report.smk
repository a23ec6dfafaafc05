# Aggregation, Table I, the figures and their provenance. All of these are cheap
# and run on the submitting machine.


localrules:
    aggregate,
    table1,
    power_sums_table,
    plot_errors,
    plot_runtime,
    provenance,


rule aggregate:
    input:
        unpack(aggregate_inputs),
    output:
        "results/{scale}/aggregate/{experiment}.csv",
    log:
        "logs/{scale}/aggregate/{experiment}.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/aggregate.py"


rule table1:
    input:
        "results/{scale}/aggregate/table1.csv",
    output:
        csv=report(
            "figures/{scale}/table1.csv",
            caption="../report/table1.rst",
            category="Table I",
            labels={"scale": "{scale}", "format": "csv"},
        ),
        md="figures/{scale}/table1.md",
        tex="figures/{scale}/table1.tex",
    log:
        "logs/{scale}/table1.log",
    params:
        paper_nrmse=config["paper_nrmse"],
    conda:
        "../../environment.yml"
    script:
        "../scripts/table1.py"


rule power_sums_table:
    input:
        results=power_sums_results,
        table1="figures/{scale}/table1.csv",
    output:
        csv=report(
            "figures/{scale}/power_sums.csv",
            caption="../report/power_sums.rst",
            category="Table I",
            labels={"scale": "{scale}", "format": "power sums"},
        ),
        md="figures/{scale}/power_sums.md",
    log:
        "logs/{scale}/power_sums.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/power_sums.py"


rule plot_errors:
    input:
        "results/{scale}/aggregate/{sweep}.csv",
    output:
        csv="figures/{scale}/{sweep}.csv",
        png=report(
            "figures/{scale}/{sweep}.png",
            caption="../report/errors.rst",
            category="Approximation error",
            labels={"scale": "{scale}", "figure": "{sweep}"},
        ),
        pdf="figures/{scale}/{sweep}.pdf",
    log:
        "logs/{scale}/plot/{sweep}.log",
    params:
        x=lambda wildcards: ERROR_SWEEPS[wildcards.sweep],
    conda:
        "../../environment.yml"
    script:
        "../scripts/plot_errors.py"


rule plot_runtime:
    input:
        "results/{scale}/aggregate/fig5.csv",
    output:
        csv="figures/{scale}/fig5.csv",
        png=report(
            "figures/{scale}/fig5.png",
            caption="../report/runtime.rst",
            category="Runtime",
            labels={"scale": "{scale}", "figure": "fig5"},
        ),
        pdf="figures/{scale}/fig5.pdf",
    log:
        "logs/{scale}/plot/fig5.log",
    conda:
        "../../environment.yml"
    script:
        "../scripts/plot_runtime.py"


rule provenance:
    input:
        aggregates,
    output:
        report(
            "figures/{scale}/provenance.json",
            caption="../report/provenance.rst",
            category="Provenance",
            labels={"scale": "{scale}", "file": "provenance.json"},
        ),
    log:
        "logs/{scale}/provenance.log",
    params:
        settings=lambda wildcards: scale_config(wildcards.scale),
    conda:
        "../../environment.yml"
    script:
        "../scripts/provenance.py"
