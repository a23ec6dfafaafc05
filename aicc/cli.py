"""Command line: ``aicc spec|train|evaluate|power-sums|benchmark|throughput|problems``.

Each subcommand reads and writes plain files: a data spec (JSON), a trained model
directory (``model.keras``, ``config.json``, ``history.csv``) and CSV results.
"""

import argparse
import sys
from pathlib import Path

from aicc.training import TrainingConfig

DEFAULTS = TrainingConfig()


def add_common(parser):
    parser.add_argument("--import", dest="imports", action="append", default=[],
                        metavar="MODULE", help="import MODULE first (it registers problems)")


def add_spec_arguments(parser):
    parser.add_argument("--problem", required=True, help="registered problem name, e.g. P1")
    parser.add_argument("--M", type=int, required=True, help="matrix dimension M")
    parser.add_argument("--K", type=int, default=3, help="inputs per set K (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="training seed")
    parser.add_argument("--test-seed", type=int, default=12345, help="seed of the test sets")
    parser.add_argument("--test-sets", type=int, default=10, help="number of test sets")
    parser.add_argument("--test-batch", type=int, default=1024, help="input sets per test set")
    parser.add_argument("--validation-size", type=int, default=1024,
                        help="input sets of the fixed validation set")
    parser.add_argument("--mean-samples", type=int, default=8192,
                        help="training-distribution targets that estimate the mean predictor")


def add_model_arguments(parser):
    d = DEFAULTS
    parser.add_argument("--G", type=int, default=d.G, help="encoder degree G (R = G*P + 1)")
    parser.add_argument("--P", type=int, default=d.P, help="worker polynomial degree P")
    parser.add_argument("--encoder", choices=("paper", "lagrange"), default=d.encoder,
                        help="the paper's DNN encoder, or the carry-through variant")
    parser.add_argument("--hidden-layers", type=int, default=d.hidden_layers,
                        help="hidden layers of each network Gamma_g and Lambda_0")
    parser.add_argument("--width", type=int, default=d.width, help="units per hidden layer")
    parser.add_argument("--activation", default=d.activation, help="hidden activation")
    parser.add_argument("--power-scale", type=float, default=d.power_scale,
                        help="divide X~^p by power_scale^(p-1) before the worker's maps")
    parser.add_argument("--batch-size", type=int, default=d.batch_size,
                        help="input sets per training step")
    parser.add_argument("--jit-compile", action="store_true", help="compile the step with XLA")
    parser.add_argument("--prefetch", type=int, default=d.prefetch,
                        help="batches generated ahead by the background producer")


def add_schedule_arguments(parser):
    d = DEFAULTS
    parser.add_argument("--epochs", type=int, default=d.epochs, help="training epochs")
    parser.add_argument("--steps-per-epoch", type=int, default=d.steps_per_epoch,
                        help="steps per epoch, each on a fresh batch")
    parser.add_argument("--lr", type=float, default=d.lr, help="Adam's initial learning rate")
    parser.add_argument("--lr-final", type=float, default=d.lr_final,
                        help="learning rate reached in ten exponential stairs")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="aicc", description=__doc__.splitlines()[0])
    commands = main.add_subparsers(dest="command", required=True)
    formatter = argparse.ArgumentDefaultsHelpFormatter

    spec = commands.add_parser(
        "spec", formatter_class=formatter, help="write the data spec of one configuration")
    add_spec_arguments(spec)
    spec.add_argument("--out", required=True, help="spec JSON to write")

    train = commands.add_parser(
        "train", formatter_class=formatter, help="train one configuration end to end")
    train.add_argument("--spec", required=True, help="data spec JSON (from `aicc spec`)")
    add_model_arguments(train)
    add_schedule_arguments(train)
    train.add_argument("--out", required=True, help="model directory to write")

    evaluate = commands.add_parser(
        "evaluate", formatter_class=formatter, help="evaluate a trained model + baselines")
    evaluate.add_argument("--model", required=True, help="model directory (from `aicc train`)")
    evaluate.add_argument("--spec", help="data spec JSON (default: the model's own)")
    evaluate.add_argument("--workers", type=int, help="number of workers N (default R)")
    evaluate.add_argument("--points", choices=("paper", "chebyshev"), default="paper")
    evaluate.add_argument("--no-bacc", action="store_true", help="skip the BACC baseline")
    evaluate.add_argument("--out", required=True, help="CSV to write")

    sums = commands.add_parser(
        "power-sums", formatter_class=formatter,
        help="uncoded baseline: f fitted affinely on tr(X), ..., tr(X^q)",
        description="Fit f affinely on the power sums tr(X), ..., tr(X^q) of each input by"
                    " least squares on the spec's mean-predictor samples, for q = 0 (the"
                    " mean predictor) to --max-degree, and score each fit on the spec's"
                    " test sets (eq. 6 errors, percent).")
    sums.add_argument("--spec", required=True, help="data spec JSON (from `aicc spec`)")
    sums.add_argument("--max-degree", type=int, default=6,
                      help="highest power q; every degree 0..q gets a row")
    sums.add_argument("--out", required=True, help="CSV to write")

    bench = commands.add_parser(
        "benchmark", formatter_class=formatter, help="runtime of uncoded f vs the AICC path")
    bench.add_argument("--problem", default="eigenvalues", help="registered problem name")
    bench.add_argument("--M", type=int, required=True, help="matrix dimension M")
    bench.add_argument("--K", type=int, default=3, help="inputs per set K")
    bench.add_argument("--batch", type=int, default=128, help="input sets per batch")
    bench.add_argument("--repeats", type=int, default=20, help="timed calls per method")
    bench.add_argument("--G", type=int, default=2, help="encoder degree G")
    bench.add_argument("--P", type=int, default=2, help="worker polynomial degree P")
    bench.add_argument("--seed", type=int, default=0, help="seed of the inputs and weights")
    bench.add_argument("--out", required=True, help="CSV to write")

    throughput = commands.add_parser(
        "throughput", formatter_class=formatter,
        help="training steps/s with fresh data vs the compiled step alone")
    throughput.add_argument("--problem", action="append", required=True,
                            help="problem name (repeatable)")
    throughput.add_argument("--M", type=int, required=True, help="matrix dimension M")
    throughput.add_argument("--K", type=int, default=3, help="inputs per set K")
    throughput.add_argument("--steps", type=int, default=30, help="timed steps per problem")
    add_model_arguments(throughput)
    throughput.add_argument("--out", help="CSV to write (optional)")

    commands.add_parser(
        "problems", formatter_class=formatter, help="list the registered problems")
    for sub in commands.choices.values():
        add_common(sub)
    return main


def run_spec(args):
    from aicc.io import write_json
    from aicc.spec import DataSpec

    spec = DataSpec.create(args.problem, args.M, args.K, seed=args.seed,
                           test_seed=args.test_seed, test_sets=args.test_sets,
                           test_batch=args.test_batch, validation_size=args.validation_size,
                           mean_samples=args.mean_samples)
    write_json(args.out, spec.to_dict())


def run_train(args):
    from aicc.spec import DataSpec
    from aicc.training import train, training_config_from

    train(DataSpec.load(args.spec), training_config_from(args), args.out)


def run_evaluate(args):
    import json

    from aicc.evaluation import evaluate
    from aicc.io import write_csv
    from aicc.model import load_model
    from aicc.spec import DataSpec

    directory = Path(args.model)
    model = load_model(directory / "model.keras")
    if args.spec:
        spec = DataSpec.load(args.spec)
    else:
        spec = DataSpec(**json.loads((directory / "config.json").read_text())["spec"])
    write_csv(args.out, evaluate(model, spec, args.workers, args.points, not args.no_bacc))


def run_power_sums(args):
    from aicc.evaluation import evaluate_power_sums
    from aicc.io import write_csv
    from aicc.spec import DataSpec

    write_csv(args.out, evaluate_power_sums(DataSpec.load(args.spec), args.max_degree))


def run_benchmark(args):
    from aicc.benchmark import benchmark_runtime
    from aicc.io import write_csv

    write_csv(args.out, benchmark_runtime(args.problem, args.M, args.K, args.batch,
                                          args.repeats, args.G, args.P, args.seed))


def run_throughput(args):
    from aicc.benchmark import measure_throughput
    from aicc.io import write_csv
    from aicc.spec import DataSpec
    from aicc.training import training_config_from

    rows = []
    for name in args.problem:
        spec = DataSpec.create(name, args.M, args.K, validation_size=1, mean_samples=args.K)
        row = measure_throughput(spec, training_config_from(args), args.steps)
        print(f"{row['problem']:>12} M={row['M']}: {row['steps_per_s_with_data']:.1f} steps/s "
              f"with data, {row['steps_per_s_step_alone']:.1f} compiled step alone, "
              f"ratio {row['ratio']:.2f} (at best {row['ceiling']:.2f} on {row['cores']} "
              f"cores: a batch costs {row['batch_cpu_ms']:.0f} CPU ms, a step "
              f"{row['step_cpu_ms']:.0f})", flush=True)
        rows.append(row)
    if args.out:
        write_csv(args.out, rows)


def run_problems(args):
    from aicc.problems import available_problems, get_problem

    for name in available_problems():
        problem = get_problem(name)
        aliases = f" ({', '.join(problem.aliases)})" if problem.aliases else ""
        print(f"{name}{aliases}: {problem.label}")


COMMANDS = {"spec": run_spec, "train": run_train, "evaluate": run_evaluate,
            "power-sums": run_power_sums, "benchmark": run_benchmark,
            "throughput": run_throughput, "problems": run_problems}


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    from aicc.problems import import_problem_modules

    try:
        import_problem_modules(args.imports)
        COMMANDS[args.command](args)
    except (ValueError, ImportError, FileNotFoundError) as error:
        print(f"aicc {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
