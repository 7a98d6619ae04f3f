"""d2l's training path against resnotes', side by side, in one process.

Same model (the d2l-layout ResNet-18 of chapter 3), same data, same
hyperparameters (plain SGD, constant learning rate, cross-entropy, d2l's
Xavier initialisation, no normalisation or augmentation), same epochs. d2l's
path is ``d2l.load_data_fashion_mnist`` (PIL transforms, 4 loader workers)
with ``d2l.train_ch6``; resnotes' is ``load_fashion_mnist`` with ``fit``
(data resident on the device, channels_last and bf16 autocast on CUDA, and on
the CPU the convolutions with one-pixel outputs done as matrix products by
``convert_small_convs``).

    python benchmarks/vs_d2l.py            # GPU: d2l's settings; CPU: a fixed subset at 28x28
    python benchmarks/vs_d2l.py --epochs 1 --train-size 2048 --test-size 512   # quick

Each path first runs once untimed (a short warm-up: imports, kernel selection,
allocator), then ``--repeats`` times (default 3), the two paths alternating so
that a drift of the machine hits both. Prints the median and range of wall
time, images/s, peak memory and test accuracy for both and the ratio of the
medians, and writes ``benchmarks/results/vs_d2l-<hardware>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser as common_parser, PeakMemory, spread, table, write_result  # noqa: E402

import resnotes  # noqa: E402
from gemm_conv import convert_small_convs  # noqa: E402
from resnotes.data import FILES  # noqa: E402

GPU_DEFAULTS = dict(epochs=10, train_size=None, test_size=None, resize=96, batch_size=256, lr=0.05)
CPU_DEFAULTS = dict(epochs=2, train_size=6000, test_size=2000, resize=None, batch_size=256, lr=0.05)


def xavier(model: nn.Module) -> None:
    """d2l's train_ch6 initialisation, applied to resnotes' run too."""
    for m in model.modules():
        if type(m) in (nn.Linear, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)


def d2l_data_dir(source: Path, root: Path) -> Path:
    """Lay the verified files out where d2l's loader looks (``../data``), unpacked."""
    raw = root / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        gz = source / f"{name}.gz"
        (raw / name).write_bytes(gzip.decompress(gz.read_bytes()) if gz.exists()
                                 else (source / name).read_bytes())
    work = root / "work"
    work.mkdir(exist_ok=True)
    return work


def run_d2l(args: argparse.Namespace, device: torch.device, source: Path) -> dict:
    from d2l import torch as d2l
    from torch.utils.data import DataLoader, Subset

    with tempfile.TemporaryDirectory() as tmp:
        work = d2l_data_dir(source, Path(tmp))
        cwd = os.getcwd()
        os.chdir(work)  # d2l reads ../data relative to the working directory
        try:
            train_iter, test_iter = d2l.load_data_fashion_mnist(args.batch_size, resize=args.resize)
            workers = d2l.get_dataloader_workers()
            if args.train_size:
                train_iter = DataLoader(Subset(train_iter.dataset, range(args.train_size)),
                                        args.batch_size, shuffle=True, num_workers=workers)
            if args.test_size:
                test_iter = DataLoader(Subset(test_iter.dataset, range(args.test_size)),
                                       args.batch_size, shuffle=False, num_workers=workers)
            torch.manual_seed(args.seed)
            net = resnotes.resnet18()
            memory = PeakMemory(device)
            out = io.StringIO()
            with memory.measure(), contextlib.redirect_stdout(out):
                t0 = time.perf_counter()
                d2l.train_ch6(net, train_iter, test_iter, args.epochs, args.lr, device)
                if device.type == "cuda":
                    torch.cuda.synchronize()
                wall = time.perf_counter() - t0
        finally:
            os.chdir(cwd)
    found = re.findall(r"test acc ([0-9.]+)", out.getvalue())
    if not found:
        raise RuntimeError("could not read d2l's test accuracy from its output:\n" + out.getvalue()[-2000:])
    n_train = len(train_iter.dataset)
    return dict(path="d2l", wall_s=round(wall, 2), images_per_s=round(n_train * args.epochs / wall, 1),
                peak_memory_mb=round(memory.peak_bytes / 2**20, 1), test_acc=float(found[-1]))


def run_resnotes(args: argparse.Namespace, device: torch.device) -> dict:
    data = resnotes.load_fashion_mnist().subset(args.train_size, args.test_size)
    torch.manual_seed(args.seed)
    net = resnotes.resnet18()
    xavier(net)
    convert_small_convs(net)  # same parameters and maths; GEMMs for 1-pixel outputs on CPU
    memory = PeakMemory(device)
    with memory.measure():
        t0 = time.perf_counter()
        hist = resnotes.fit(net, data, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                            momentum=0.0, nesterov=False, weight_decay=0.0, schedule="constant", normalize=False,
                            resize=args.resize, device=device, seed=args.seed, log=False)
        wall = time.perf_counter() - t0
    n_train = (len(data.train_images) // args.batch_size) * args.batch_size
    return dict(path="resnotes", wall_s=round(wall, 2),
                images_per_s=round(n_train * args.epochs / wall, 1),
                peak_memory_mb=round(memory.peak_bytes / 2**20, 1),
                test_acc=round(hist.final_test_acc, 4))


def main(argv: list[str] | None = None) -> int:
    parser = common_parser(__doc__)
    for key in ("epochs", "train_size", "test_size", "resize", "batch_size"):
        parser.add_argument("--" + key.replace("_", "-"), type=int, default=None)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    device = resnotes.pick_device(args.device)
    defaults = GPU_DEFAULTS if device.type == "cuda" else CPU_DEFAULTS
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    batches = (args.train_size or 60_000) // args.batch_size
    if batches < 5:
        parser.error(f"{batches} training batches per epoch: d2l.train_ch6 needs at least 5 "
                     "(raise --train-size or lower --batch-size)")
    source = resnotes.data.find_fashion_mnist()
    settings = {k: getattr(args, k) for k in ("epochs", "train_size", "test_size", "resize",
                                              "batch_size", "lr", "seed")}
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    print(f"device {resnotes.describe_device(device)}; settings {settings}; "
          f"{args.repeats} repeats after a warm-up", flush=True)
    warm = argparse.Namespace(**{**vars(args), "epochs": 1, "train_size": 5 * args.batch_size,
                                 "test_size": args.batch_size})
    run_d2l(warm, device, source), run_resnotes(warm, device)  # untimed warm-up
    runs: list[dict] = []
    for r in range(args.repeats):
        for run in (run_d2l(args, device, source), run_resnotes(args, device)):
            runs.append(dict(run, repeat=r))
            print(table([runs[-1]], ["repeat", "path", "wall_s", "images_per_s", "peak_memory_mb",
                                     "test_acc"]), flush=True)
    rows = []
    for name in ("d2l", "resnotes"):
        mine = [x for x in runs if x["path"] == name]
        wall = spread([x["wall_s"] for x in mine])
        rows.append(dict(path=name, wall_s=round(wall["median"], 2), wall_min_s=wall["min"],
                         wall_max_s=wall["max"],
                         images_per_s=round(spread([x["images_per_s"] for x in mine])["median"], 1),
                         peak_memory_mb=max(x["peak_memory_mb"] for x in mine),
                         test_acc=round(spread([x["test_acc"] for x in mine])["median"], 4)))
    ratios = [d["wall_s"] / m["wall_s"] for d, m in zip(runs[0::2], runs[1::2])]
    speedup = rows[0]["wall_s"] / rows[1]["wall_s"]
    print(table(rows, ["path", "wall_s", "wall_min_s", "wall_max_s", "images_per_s",
                       "peak_memory_mb", "test_acc"]))
    print(f"resnotes is {speedup:.2f}x faster than d2l (ratio of median wall times, training and "
          f"per-epoch evaluation; per repeat {min(ratios):.2f}x to {max(ratios):.2f}x)")
    if not args.no_save:
        path = write_result("vs_d2l", device, dict(
            device=resnotes.describe_device(device), settings=settings, repeats=args.repeats,
            rows=rows, runs=runs, speedup=round(speedup, 3),
            speedup_range=[round(min(ratios), 3), round(max(ratios), 3)],
            memory_kind=PeakMemory(device).kind,
            model="resnotes.resnet18() (d2l layout), Xavier init as d2l.train_ch6; "
                  "resnotes path with convert_small_convs"))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
