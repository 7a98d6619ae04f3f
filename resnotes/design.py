"""Two design choices of a CNN (chapter 8): depthwise-separable convolution and the input's range.

A standard convolution mixes space and channels at once: each of its
``C_out`` kernels spans all ``C_in`` channels and ``k x k`` positions, so it
has ``C_out * C_in * k * k`` weights. A *depthwise-separable* convolution
(Sifre and Mallat 2014; Xception, Chollet 2017; MobileNets, Howard et al.
2017) does the two jobs one after the other: a *depthwise* ``k x k``
convolution filters each channel on its own (``groups=C_in``, ``C_in * k * k``
weights), then a *pointwise* 1x1 convolution mixes the channels
(``C_out * C_in`` weights). Its weights, and its multiply-accumulates per
output position, are a fraction ``1 / C_out + 1 / k**2`` of the standard
convolution's (biases aside).

:class:`InputRange` maps pixels from ``[0, 1]`` to another range, ``[0, 255]``
(raw bytes) or ``[-1, 1]`` say, in front of a network trained with
``fit(..., normalize=False)``, so that the range the network sees is the only
thing that differs between runs.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["DepthwiseSeparableConv2d", "InputRange", "separable_fraction"]


class DepthwiseSeparableConv2d(nn.Module):
    """A ``k x k`` depthwise convolution (one filter per channel), then a 1x1 pointwise one.

    Same input and output shapes as ``nn.Conv2d(in_channels, out_channels,
    kernel_size, stride=stride, padding=padding)``.

    Args:
        bias: give both convolutions a bias (``nn.Conv2d``'s default); MobileNet
            and Xception put a BatchNorm after each instead and use none.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, stride: int = 1,
                 padding: int = 0, bias: bool = True) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("kernel_size", kernel_size), ("stride", stride)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
            raise ValueError(f"padding must be an integer >= 0, got {padding!r}")
        # groups=in_channels: each input channel gets its own k x k filter, nothing is mixed
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size, stride=stride,
                                   padding=padding, groups=in_channels, bias=bias)
        # 1x1: every output channel is a weighted sum of the filtered channels, per pixel
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


def separable_fraction(out_channels: int, kernel_size: int) -> float:
    """Weights (and MACs) of a depthwise-separable convolution over a standard one's: 1/C_out + 1/k²."""
    if out_channels < 1 or kernel_size < 1:
        raise ValueError(f"out_channels and kernel_size must be >= 1, got {out_channels} and {kernel_size}")
    return 1 / out_channels + 1 / kernel_size ** 2


class InputRange(nn.Module):
    """Map pixels from ``[0, 1]`` linearly onto ``[low, high]``: ``y = low + (high - low) * x``.

    ``InputRange(0, 255)`` gives the raw byte values, ``InputRange(-1, 1)``
    the symmetric range; put it in front of a network and train with
    ``fit(..., normalize=False)``. It has no parameters.
    """

    def __init__(self, low: float, high: float) -> None:
        super().__init__()
        if not (math.isfinite(low) and math.isfinite(high)) or not high > low:
            raise ValueError(f"need finite low < high, got low={low!r}, high={high!r}")
        self.low, self.high = float(low), float(high)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.low + (self.high - self.low) * x

    def extra_repr(self) -> str:
        return f"[0, 1] -> [{self.low:g}, {self.high:g}]"
