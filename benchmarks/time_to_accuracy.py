"""Time to accuracy on Fashion-MNIST with resnotes' recipe, and what each trick buys.

Trains the recipe of ``benchmarks/recipe.py`` in full and without each trick (a
leave-one-out ablation), ``--repeats`` times each (seeds 0, 1, ...; default 3),
after one untimed warm-up run, and records the test accuracy after every epoch
against training time (evaluation excluded). Each arm is reported as the median
and range over its repeats; the arms run interleaved (every arm's seed 0, then
every arm's seed 1, ...) so that a drift of the machine hits all of them.

    python benchmarks/time_to_accuracy.py               # recipe + ablation
    python benchmarks/time_to_accuracy.py --only-recipe

Writes ``benchmarks/results/time_to_accuracy-<hardware>.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser as common_parser, separated, spread, table, write_result  # noqa: E402

import resnotes  # noqa: E402
from recipe import TRICKS, train_fast  # noqa: E402

THRESHOLDS = (0.90, 0.92, 0.93, 0.94)


def time_to(history: resnotes.History, threshold: float) -> float | None:
    """Training seconds until the test accuracy first reached ``threshold``."""
    for acc, sec in zip(history.test_acc, history.seconds):
        if acc >= threshold:
            return round(sec, 1)
    return None


def time_to_run(run: dict, threshold: float) -> float | None:
    """Like :func:`time_to`, for a run stored as lists of accuracies and seconds."""
    for acc, sec in zip(run["test_acc"], run["seconds"]):
        if acc >= threshold:
            return sec
    return None


def main(argv: list[str] | None = None) -> int:
    parser = common_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=None, help="default: 3 on CPU, 16 on a GPU")
    parser.add_argument("--width", type=int, default=None, help="default: 16 on CPU, 32 on a GPU")
    parser.add_argument("--train-size", type=int, default=None,
                        help="default: 20000 on CPU (18 runs must fit in minutes), all on a GPU")
    parser.add_argument("--only-recipe", action="store_true")
    args = parser.parse_args(argv)
    device = resnotes.pick_device(args.device)
    gpu = device.type == "cuda"
    epochs = args.epochs or (16 if gpu else 3)
    if args.train_size is None and not gpu:
        args.train_size = 20_000
    width = args.width or (32 if gpu else 16)
    data = resnotes.load_fashion_mnist().subset(args.train_size, None)
    print(f"device {resnotes.describe_device(device)}; {epochs} epochs, width {width}", flush=True)
    variants = [("recipe", ())] + ([] if args.only_recipe else [(f"without {t}", (t,)) for t in TRICKS])
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    train_fast(data.subset(min(1024, len(data.train_images)), 256), epochs=1, width=width, device=device, log=False,
               progress=False)  # untimed warm-up
    runs: dict[str, list[dict]] = {name: [] for name, _ in variants}
    for seed in range(args.repeats):
        for name, without in variants:
            hist = train_fast(data, epochs=epochs, width=width, without=without, device=device,
                              seed=seed, log=False)
            runs[name].append(dict(seed=seed, test_acc=hist.test_acc,
                                   seconds=[round(s, 2) for s in hist.seconds]))
            print(f"{name:24} seed {seed}: test acc {hist.final_test_acc:.4f} in "
                  f"{hist.train_seconds:.1f} s", flush=True)
    rows = []
    for name, _ in variants:
        accs = [r["test_acc"][-1] for r in runs[name]]
        secs = [r["seconds"][-1] for r in runs[name]]
        acc, sec = spread(accs), spread(secs)
        row = dict(variant=name, final_test_acc=round(acc["median"], 4),
                   acc_min=round(acc["min"], 4), acc_max=round(acc["max"], 4),
                   train_s=round(sec["median"], 1))
        for t in THRESHOLDS:
            reached = [time_to_run(r, t) for r in runs[name]]
            row[f"s_to_{t:.2f}"] = (round(spread([x for x in reached if x is not None])["median"], 1)
                                    if all(x is not None for x in reached) else None)
        rows.append(row)
    print()
    print(table(rows, list(rows[0])))
    if not args.only_recipe:
        full = [r["test_acc"][-1] for r in runs["recipe"]]
        for name, _ in variants[1:]:
            other = [r["test_acc"][-1] for r in runs[name]]
            verdict = ("helps" if separated(full, other) else "hurts" if separated(other, full)
                       else "cannot be ranked: the accuracy ranges overlap")
            print(f"{name[len('without '):]}: {verdict} (over {args.repeats} seeds)")
    if not args.no_save:
        path = write_result("time_to_accuracy", device, dict(
            device=resnotes.describe_device(device), epochs=epochs, width=width,
            batch_size=256, lr=0.2, thresholds=list(THRESHOLDS), repeats=args.repeats,
            rows=rows, runs=runs,
            model=f"benchmarks/recipe.py fast_resnet(width={width})"))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
