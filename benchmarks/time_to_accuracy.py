"""Time to accuracy on Fashion-MNIST with resnotes' recipe, and what each trick buys.

Trains the recipe of ``benchmarks/recipe.py`` once in full and once without each
trick (a leave-one-out ablation), on the full training set, and records the
test accuracy after every epoch against training time (evaluation excluded).

    python benchmarks/time_to_accuracy.py               # recipe + ablation
    python benchmarks/time_to_accuracy.py --only-recipe

Writes ``benchmarks/results/time_to_accuracy-<hardware>.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser as common_parser, table, write_result  # noqa: E402

import resnotes  # noqa: E402
from recipe import TRICKS, train_fast  # noqa: E402

THRESHOLDS = (0.90, 0.92, 0.93, 0.94)


def time_to(history: resnotes.History, threshold: float) -> float | None:
    """Training seconds until the test accuracy first reached ``threshold``."""
    for acc, sec in zip(history.test_acc, history.seconds):
        if acc >= threshold:
            return round(sec, 1)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = common_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=None, help="default: 5 on CPU, 16 on a GPU")
    parser.add_argument("--width", type=int, default=None, help="default: 16 on CPU, 32 on a GPU")
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--only-recipe", action="store_true")
    args = parser.parse_args(argv)
    device = resnotes.pick_device(args.device)
    gpu = device.type == "cuda"
    epochs = args.epochs or (16 if gpu else 5)
    width = args.width or (32 if gpu else 16)
    data = resnotes.load_fashion_mnist().subset(args.train_size, None)
    print(f"device {resnotes.describe_device(device)}; {epochs} epochs, width {width}", flush=True)
    variants = [("recipe", ())] + ([] if args.only_recipe else [(f"without {t}", (t,)) for t in TRICKS])
    rows, runs = [], {}
    for name, without in variants:
        hist = train_fast(data, epochs=epochs, width=width, without=without, device=device, log=False)
        runs[name] = dict(test_acc=hist.test_acc, seconds=[round(s, 2) for s in hist.seconds])
        row = dict(variant=name, final_test_acc=round(hist.final_test_acc, 4),
                   train_s=round(hist.train_seconds, 1))
        row.update({f"s_to_{t:.2f}": time_to(hist, t) for t in THRESHOLDS})
        rows.append(row)
        print(table([row], list(row)), flush=True)
    print()
    print(table(rows, list(rows[0])))
    if not args.no_save:
        path = write_result("time_to_accuracy", device, dict(
            device=resnotes.describe_device(device), epochs=epochs, width=width,
            batch_size=256, lr=0.2, thresholds=list(THRESHOLDS), rows=rows, runs=runs,
            model=f"benchmarks/recipe.py fast_resnet(width={width})"))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
