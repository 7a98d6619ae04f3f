"""Residual blocks with explicit scales, and deep stacks of them.

A pre-activation block (He et al. 2016, "Identity mappings") with a scale on
each path::

    y = shortcut_scale * x + Scale(H(x)),   H(x) = conv(ReLU(N(conv(ReLU(N(x))))))

where ``N`` is BatchNorm or nothing. The branch scale is a :class:`resnotes.Scale`:
fixed (residual scaling, 0.1-0.3 in Inception-ResNet), learnable and zero at
the start (ReZero, SkipInit), or per channel (LayerScale). ``shortcut_scale=0``
removes the shortcut, which turns the block into two plain layers.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import nn

from .blocks import PreActBlock, make_stage
from .checks import check_count, check_positive_int
from .identity_add import identity_add
from .scale import Scale

__all__ = ["ScaledResidual", "scaled_resnet", "INITS"]

INITS: tuple[str, ...] = ("he", "pytorch")


class ScaledResidual(PreActBlock):
    """Pre-activation residual block ``shortcut_scale * x + s * H(x)``.

    A :class:`~resnotes.blocks.PreActBlock` (the branch ``H`` is its
    :meth:`~resnotes.blocks.PreActBlock.branch`: normalise, ReLU, convolve,
    twice; no ReLU after the sum) with a scale on each path, and
    convolution biases, since without BatchNorm nothing else shifts. Not a
    :class:`~resnotes.blocks.BasicBlock` with options: that block convolves
    first and ends with a ReLU. It always keeps the shape, so it has no
    projection. Networks of it are still built by
    :func:`~resnotes.blocks.make_stage`.

    Args:
        channels: input and output channels (the block keeps the shape).
        branch_scale: initial value of ``s``.
        learnable: make ``s`` a parameter.
        per_channel: one ``s`` per channel (LayerScale) instead of a scalar.
        shortcut_scale: constant factor on the shortcut; 0 means no shortcut.
        batch_norm: BatchNorm before each ReLU of the branch.
        padding_mode: of the 3x3 convolutions (``"zeros"``, ``"circular"``,
            ...). With ``"circular"`` every output pixel sums the full
            ``9 * channels`` inputs that He initialisation assumes; with zeros
            the border pixels sum fewer and carry less variance.
    """

    def __init__(self, channels: int, *, branch_scale: float = 1.0, learnable: bool = False,
                 per_channel: bool = False, shortcut_scale: float = 1.0,
                 batch_norm: bool = False,
                 padding_mode: Literal["zeros", "reflect", "replicate", "circular"] = "zeros") -> None:
        check_positive_int("ScaledResidual", channels=channels)
        if not isinstance(shortcut_scale, (int, float)) or isinstance(shortcut_scale, bool) \
                or not math.isfinite(shortcut_scale):
            raise ValueError(f"ScaledResidual: shortcut_scale must be a finite number, "
                             f"got {shortcut_scale!r}")
        super().__init__(channels, channels, bias=True, padding_mode=padding_mode,
                         norm_layer=nn.BatchNorm2d if batch_norm else _no_norm)
        self.shortcut_scale = float(shortcut_scale)
        self.scale = Scale(branch_scale, learnable=learnable,
                           channels=channels if per_channel else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.scale(self.branch(x))
        if self.shortcut_scale == 0.0:
            return h
        return identity_add(self.shortcut_scale * x if self.shortcut_scale != 1.0 else x, h)

    def extra_repr(self) -> str:
        return f"shortcut_scale={self.shortcut_scale}"


def _no_norm(channels: int) -> nn.Module:
    return nn.Identity()


def scaled_resnet(num_blocks: int, width: int = 16, *, in_channels: int = 1,
                  num_classes: int = 10, stem_stride: int = 2, init: str = "he",
                  **block_kwargs: float | bool | str) -> nn.Sequential:
    """A stem, ``num_blocks`` :class:`ScaledResidual` blocks of ``width`` channels, a head.

    Stem: 3x3 convolution with stride ``stem_stride``. Head: ReLU (the blocks
    end without one), global average pooling, linear layer. ``block_kwargs``
    go to every block. An ``nn.Sequential`` of those three, so ``net[1]`` is
    the stack of blocks that chapters 4 and 6 probe block by block.

    Args:
        init: ``"he"``: convolution weights normal with variance
            ``2 / fan_in`` (He et al. 2015), biases zero; ``"pytorch"``:
            PyTorch's default (uniform, variance ``1 / (3 fan_in)``).
    """
    check_positive_int("scaled_resnet", width=width, in_channels=in_channels,
                       num_classes=num_classes, stem_stride=stem_stride)
    check_count("scaled_resnet", num_blocks=num_blocks)
    if init not in INITS:
        raise ValueError(f"scaled_resnet: init must be one of {', '.join(INITS)}, got {init!r}")

    def block(c_in: int, c_out: int, stride: int) -> nn.Module:
        # every block keeps the shape: make_stage asks for width -> width, stride 1
        return ScaledResidual(c_out, **block_kwargs)  # type: ignore[arg-type]

    blocks = make_stage(block, width, width, num_blocks)
    net = nn.Sequential(
        nn.Conv2d(in_channels, width, 3, stride=stem_stride, padding=1),
        blocks,
        nn.Sequential(nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                      nn.Linear(width, num_classes)))
    if init == "he":
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
    return net
