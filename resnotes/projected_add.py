"""Projected-add: the shortcut of a residual block when shapes differ.

``F(x) = P(x) + H(x)``: the input is first mapped by a projection ``P`` to the
shape of the branch output, then added. In ResNets ``P`` is a 1x1 convolution
with stride ``s`` (usually followed by BatchNorm). Unlike identity-add, ``P``
has parameters and costs compute: ``in * out`` weights, and that many
multiply-adds per output pixel.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

__all__ = ["ProjectedAdd", "projected_add", "projection"]


def projected_add(x: torch.Tensor, h: torch.Tensor,
                  project: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """Return ``project(x) + h``, checking that the projection reached ``h``'s shape.

    Raises:
        ValueError: ``project(x)`` does not have the shape of ``h``; the message
            gives both shapes so the projection's channels or stride can be fixed.
    """
    p = project(x)
    if p.shape != h.shape:
        raise ValueError(
            f"projected_add: the projection maps input {tuple(x.shape)} to {tuple(p.shape)}, "
            f"but the branch output is {tuple(h.shape)}. Choose the projection's output "
            "channels and stride so that both shapes agree (for a 1x1 convolution: "
            "out_channels = branch channels, stride = input size / branch size)."
        )
    return p + h


def projection(in_channels: int, out_channels: int, stride: int = 1, *,
               batch_norm: bool = True, bias: bool | None = None) -> nn.Module:
    """The usual ResNet projection: a 1x1 convolution with ``stride``, then BatchNorm.

    Args:
        bias: give the convolution a bias; by default only when there is no
            BatchNorm after it (BatchNorm's shift would cancel it).
    """
    if in_channels < 1 or out_channels < 1:
        raise ValueError(f"projection needs positive channel counts, got "
                         f"in_channels={in_channels}, out_channels={out_channels}")
    if stride < 1:
        raise ValueError(f"projection needs stride >= 1, got stride={stride}")
    if bias is None:
        bias = not batch_norm
    conv = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=bias)
    if not batch_norm:
        return conv
    return nn.Sequential(conv, nn.BatchNorm2d(out_channels))


class ProjectedAdd(nn.Module):
    """Module form of :func:`projected_add` with a 1x1-convolution projection.

    ``ProjectedAdd(c_in, c_out, stride)(x, h)`` computes ``P(x) + h``.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, *,
                 batch_norm: bool = True) -> None:
        super().__init__()
        self.project = projection(in_channels, out_channels, stride, batch_norm=batch_norm)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        return projected_add(x, h, self.project)
