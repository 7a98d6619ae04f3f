"""Scale: multiply a tensor by a constant or learnable factor.

The factor is a scalar or one value per channel (dimension 1 of an
``[N, C, ...]`` tensor). Multiplying never changes the shape. Learnable
scalars initialised at zero are how ReZero and SkipInit make a residual block
start as the identity; a per-channel learnable scale is LayerScale.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["Scale"]


class Scale(nn.Module):
    """``y = s * x`` with a fixed or learnable ``s``.

    Args:
        value: the initial factor (a finite number).
        learnable: make ``s`` a parameter the optimiser updates.
        channels: ``None`` for one scalar; an integer for one factor per
            channel, broadcast over dimension 1 (LayerScale).
    """

    def __init__(self, value: float = 1.0, *, learnable: bool = False,
                 channels: int | None = None) -> None:
        super().__init__()
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"Scale value must be a finite number, got {value!r}")
        if not isinstance(learnable, bool):
            raise ValueError(f"Scale learnable must be True or False, got {learnable!r}")
        if channels is not None and (isinstance(channels, bool) or not isinstance(channels, int)
                                     or channels < 1):
            raise ValueError(f"Scale channels must be a positive integer or None, got {channels!r}")
        self.channels = channels
        shape = () if channels is None else (channels,)
        s = torch.full(shape, float(value))
        if learnable:
            self.scale = nn.Parameter(s)
        else:
            self.register_buffer("scale", s)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.channels is None:
            return self.scale * x
        if x.dim() < 2 or x.shape[1] != self.channels:
            raise ValueError(f"Scale(channels={self.channels}) expects an input [N, {self.channels}, ...], "
                             f"got {tuple(x.shape)}")
        return self.scale.view(1, -1, *([1] * (x.dim() - 2))) * x

    def extra_repr(self) -> str:
        kind = "learnable" if isinstance(self.scale, nn.Parameter) else "fixed"
        per = "" if self.channels is None else f", channels={self.channels}"
        return f"{kind}{per}"
