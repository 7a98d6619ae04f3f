"""How training cost grows: images/s against batch size and against depth.

Each point trains on real Fashion-MNIST batches with ``resnotes.fit`` for two
short epochs and reports the second (the first pays for warm-up).

    python benchmarks/scaling.py

Writes ``benchmarks/results/scaling-<hardware>.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parser as common_parser, spread, table, write_result  # noqa: E402

import resnotes  # noqa: E402
from resnotes import ResNet  # noqa: E402

DEPTHS = {"ResNet-10": [1, 1, 1, 1], "ResNet-18": [2, 2, 2, 2], "ResNet-34": [3, 4, 6, 3]}


def throughput(data: resnotes.FashionMNIST, blocks: list[int], width: int, batch_size: int,
               steps: int, resize: int | None, device: torch.device) -> float:
    """Images per second of the second of two epochs of ``steps`` steps."""
    sub = data.subset(batch_size * steps, 100)
    torch.manual_seed(0)
    hist = resnotes.fit(ResNet(blocks, width=width), sub, epochs=2, batch_size=batch_size,
                        resize=resize, device=device, log=False, progress=False)
    return batch_size * steps / (hist.seconds[1] - hist.seconds[0])


def main(argv: list[str] | None = None) -> int:
    parser = common_parser(__doc__)
    parser.add_argument("--width", type=int, default=None, help="default: 16 on CPU, 64 on a GPU")
    parser.add_argument("--steps", type=int, default=None, help="steps per epoch (default 8 CPU, 30 GPU)")
    args = parser.parse_args(argv)
    device = resnotes.pick_device(args.device)
    gpu = device.type == "cuda"
    width = args.width or (64 if gpu else 16)
    steps = args.steps or (30 if gpu else 8)
    resize = 96 if gpu else None
    batches = [32, 64, 128, 256, 512] + ([1024] if gpu else [])
    data = resnotes.load_fashion_mnist()
    print(f"device {resnotes.describe_device(device)}; width {width}, images {resize or 28}px", flush=True)
    by_batch = []
    for b in batches:
        ips = spread([throughput(data, DEPTHS["ResNet-18"], width, b, steps, resize, device)
                      for _ in range(args.repeats)])["median"]
        by_batch.append(dict(model="ResNet-18", batch_size=b, images_per_s=round(ips, 1)))
        print(table(by_batch[-1:], list(by_batch[0])), flush=True)
    by_depth = []
    for name, blocks in DEPTHS.items():
        ips = spread([throughput(data, blocks, width, 256, steps, resize, device)
                      for _ in range(args.repeats)])["median"]
        params = resnotes.count_parameters(ResNet(blocks, width=width))
        by_depth.append(dict(model=name, layers=2 * sum(blocks) + 2, parameters=params,
                             batch_size=256, images_per_s=round(ips, 1)))
        print(table(by_depth[-1:], list(by_depth[0])), flush=True)
    print()
    print(table(by_batch, list(by_batch[0])))
    print()
    print(table(by_depth, list(by_depth[0])))
    if not args.no_save:
        path = write_result("scaling", device, dict(
            device=resnotes.describe_device(device), width=width, image_size=resize or 28,
            steps=steps, repeats=args.repeats, by_batch=by_batch, by_depth=by_depth))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
