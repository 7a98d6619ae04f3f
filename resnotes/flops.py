"""Counting compute: multiply-accumulates (MACs) of convolutions and linear layers.

One multiply-accumulate is one product added to a running sum; a FLOP count
in the usual "2 FLOPs per MAC" convention is twice the number. The count is
exact for ``nn.Conv2d`` and ``nn.Linear`` (it follows from the output shape
and the kernel size); element-wise work (BatchNorm, ReLU, additions, pooling)
is small next to it and is counted separately by :func:`count_elementwise`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from .summary import run_with_hooks

__all__ = ["count_macs", "macs_by_module", "count_elementwise"]


def _layer_macs(module: nn.Module, out: torch.Tensor) -> int:
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        per_output = (module.in_channels // module.groups) * kh * kw
        return int(out[0].numel()) * per_output
    if isinstance(module, nn.Linear):
        return int(out[0].numel()) * module.in_features
    return 0


def _run_with_hooks(model: nn.Module, input_shape: tuple[int, ...],
                    record: Callable[[str, nn.Module, torch.Tensor], None],
                    device: torch.device | str) -> None:
    if len(input_shape) < 2 or any(not isinstance(d, int) or d < 1 for d in input_shape):
        raise ValueError(f"input_shape must be positive integers with a batch dimension, "
                         f"e.g. (1, 1, 28, 28); got {input_shape!r}")
    targets = [(name, mod) for name, mod in model.named_modules()
               if isinstance(mod, (nn.Conv2d, nn.Linear))]
    run_with_hooks(model, input_shape, targets, record, device=device)


def macs_by_module(model: nn.Module, input_shape: tuple[int, ...], *,
                   device: torch.device | str = "cpu") -> dict[str, int]:
    """MACs per image of each convolution and linear layer, by qualified name."""
    out: dict[str, int] = {}

    def record(name: str, mod: nn.Module, o: torch.Tensor) -> None:
        out[name] = out.get(name, 0) + _layer_macs(mod, o)

    _run_with_hooks(model, input_shape, record, device)
    return out


def count_macs(model: nn.Module, input_shape: tuple[int, ...], *,
               device: torch.device | str = "cpu") -> int:
    """Multiply-accumulates per image of all convolutions and linear layers.

    Args:
        input_shape: the shape of one batch, e.g. ``(1, 1, 28, 28)``; the
            count is per image whatever the batch size.
    """
    return sum(macs_by_module(model, input_shape, device=device).values())


def count_elementwise(shape: tuple[int, ...]) -> int:
    """Operations of an element-wise op (an addition, say) on one image of ``shape``.

    ``shape`` is a batch shape ``[N, ...]``; the result is ``prod(shape[1:])``.
    """
    if len(shape) < 2 or any(d < 1 for d in shape):
        raise ValueError(f"shape must be a batch shape [N, ...] of positive sizes, got {shape!r}")
    n = 1
    for d in shape[1:]:
        n *= d
    return n
