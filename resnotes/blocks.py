"""The residual block of the source (d2l's layout), written out explicitly.

Two 3x3 convolutions, each followed by BatchNorm; ReLU after the first; the
block's input is added to the branch output before the final ReLU. When the
block changes the channel count or the resolution, a 1x1 convolution with the
block's stride (``use_1x1conv=True``) projects the input first.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .identity_add import identity_add
from .projected_add import projected_add

__all__ = ["Residual"]


def _check_positive_int(owner: str, name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")


def _check_block_args(in_channels: int, out_channels: int, use_1x1conv: bool,
                      stride: int, shortcut_bn: bool) -> None:
    for name, value in (("in_channels", in_channels),
                        ("out_channels", out_channels), ("stride", stride)):
        _check_positive_int("Residual", name, value)
    if not use_1x1conv and (in_channels != out_channels or stride != 1):
        raise ValueError(
            f"Residual: in_channels={in_channels}, out_channels={out_channels}, "
            f"stride={stride} changes the shape, so the input cannot be added "
            "unchanged (identity-add). Pass use_1x1conv=True to project the "
            "shortcut (projected-add).")
    if shortcut_bn and not use_1x1conv:
        raise ValueError("Residual: shortcut_bn=True needs use_1x1conv=True "
                         "(an identity shortcut has nothing to normalise)")


class Residual(nn.Module):
    """Residual block: ``ReLU(shortcut(x) + BN(conv(ReLU(BN(conv(x))))))``.

    Args:
        in_channels: input channels (the source's ``input_channels``).
        out_channels: channels of both 3x3 convolutions and of the output
            (the source's ``num_channels``).
        use_1x1conv: project the shortcut with a 1x1 convolution (needed
            when ``in_channels != out_channels`` or ``stride != 1``).
        stride: stride of the first 3x3 convolution and of the projection.
        bias: convolution biases, as in the source and d2l; torchvision's
            ResNets use ``bias=False``.
        shortcut_bn: BatchNorm after the projection, as in torchvision.

    Raises:
        ValueError: a channel count or the stride is not a positive
            integer, or the shapes cannot be added without a projection.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 use_1x1conv: bool = False, stride: int = 1, *,
                 bias: bool = True, shortcut_bn: bool = False) -> None:
        super().__init__()
        _check_block_args(in_channels, out_channels, use_1x1conv, stride,
                          shortcut_bn)
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3,
                               padding=1, stride=stride, bias=bias)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3,
                               padding=1, bias=bias)
        self.conv3: nn.Conv2d | None = None
        self.bn3: nn.BatchNorm2d | None = None
        if use_1x1conv:
            self.conv3 = nn.Conv2d(in_channels, out_channels, kernel_size=1,
                                   stride=stride, bias=bias)
            if shortcut_bn:
                self.bn3 = nn.BatchNorm2d(out_channels)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """The shortcut's projection P(x): 1x1 convolution, then BN if any."""
        if self.conv3 is None:
            raise RuntimeError("this block's shortcut is the identity; "
                               "it has no projection")
        p = self.conv3(x)
        return p if self.bn3 is None else self.bn3(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if self.conv3 is None:  # `is None`, not module truthiness
            y = identity_add(x, y)
        else:
            y = projected_add(x, y, self.project)
        return F.relu(y)
