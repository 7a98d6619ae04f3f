"""Shortcut options of a residual block, and ResNets built with each.

He et al. (2016) compare three shortcuts for blocks that change the shape:

* ``"A"``: identity; a stride-``s`` subsample for the resolution and zero
  channels appended for the channel count. No parameters.
* ``"B"``: a projection (1x1 convolution with stride ``s``, then BatchNorm)
  only where the shape changes, the identity elsewhere (torchvision's choice).
* ``"C"``: a projection in every block, also where the shape does not change.

He et al. (2019, "Bag of tricks", ResNet-D) add a fourth:

* ``"D"``: where the shape changes, a ``s x s`` average pool with stride ``s``
  first, then a 1x1 convolution with stride 1 and BatchNorm, so that the
  projection sees every input pixel instead of one in ``s * s``.
"""

from __future__ import annotations

from functools import partial

import torch
from torch import nn
from torch.nn import functional as F

from .blocks import BasicBlock
from .checks import check_positive_int
from .projected_add import projection
from .resnet import ResNet

__all__ = ["SHORTCUT_OPTIONS", "ZeroPadShortcut", "AvgPoolShortcut", "make_shortcut",
           "ShortcutBlock", "shortcut_resnet"]

SHORTCUT_OPTIONS: tuple[str, ...] = ("A", "B", "C", "D")
_DEPTHS: dict[int, list[int]] = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3]}


class ZeroPadShortcut(nn.Module):
    """Option A: keep every ``stride``-th pixel, append zero channels.

    Raises:
        ValueError: ``out_channels < in_channels`` (zero padding cannot remove
            channels; use a projection) or a non-positive argument.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        check_positive_int("ZeroPadShortcut", in_channels=in_channels,
                           out_channels=out_channels, stride=stride)
        if out_channels < in_channels:
            raise ValueError(
                f"ZeroPadShortcut: out_channels={out_channels} < in_channels={in_channels}; "
                "zero padding can only add channels. Use a projection (option B or C) "
                "to reduce them.")
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"ZeroPadShortcut expects [N, {self.in_channels}, H, W], "
                             f"got {tuple(x.shape)}")
        x = x[:, :, ::self.stride, ::self.stride]
        extra = self.out_channels - self.in_channels
        return F.pad(x, (0, 0, 0, 0, 0, extra)) if extra else x

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, stride={self.stride}"


class AvgPoolShortcut(nn.Module):
    """Option D (ResNet-D): ``stride x stride`` average pool, then 1x1 conv and BN."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 2) -> None:
        super().__init__()
        check_positive_int("AvgPoolShortcut", stride=stride)
        self.pool: nn.Module = (nn.AvgPool2d(stride, stride, ceil_mode=True,
                                             count_include_pad=False)
                                if stride > 1 else nn.Identity())
        self.project = projection(in_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(self.pool(x))


def make_shortcut(option: str, in_channels: int, out_channels: int, stride: int) -> nn.Module:
    """The shortcut of one block under ``option`` (``"A"``, ``"B"``, ``"C"`` or ``"D"``).

    Returns ``nn.Identity()`` where the option keeps the identity (shapes agree
    and the option is not ``"C"``).
    """
    if option not in SHORTCUT_OPTIONS:
        raise ValueError(f"shortcut option must be one of {', '.join(SHORTCUT_OPTIONS)}, "
                         f"got {option!r}")
    changes = stride != 1 or in_channels != out_channels
    if option == "C":
        return projection(in_channels, out_channels, stride)
    if not changes:
        return nn.Identity()
    if option == "A":
        return ZeroPadShortcut(in_channels, out_channels, stride)
    if option == "B":
        return projection(in_channels, out_channels, stride)
    return AvgPoolShortcut(in_channels, out_channels, stride)


def ShortcutBlock(in_channels: int, out_channels: int, stride: int = 1,  # noqa: N802
                  shortcut: str = "B") -> BasicBlock:
    """torchvision's basic block with shortcut option ``shortcut``.

    ``ReLU(shortcut(x) + BN(conv3x3(ReLU(BN(conv3x3(x))))))``, convolutions
    without biases: the book's one block, :class:`~resnotes.blocks.BasicBlock`,
    with the shortcut that :func:`make_shortcut` builds (named like a class
    because that is what it returns).
    """
    return BasicBlock(in_channels, out_channels, stride, shortcut=partial(make_shortcut, shortcut))


def shortcut_resnet(depth: int = 18, shortcut: str = "B", *, in_channels: int = 1,
                    num_classes: int = 10, width: int = 64, stem: str = "imagenet",
                    stem_stride: int = 1) -> ResNet:
    """ResNet-18 or ResNet-34 (torchvision's layout) with shortcut option ``shortcut``.

    With ``shortcut="B", in_channels=3, num_classes=1000`` the parameter count
    equals torchvision's ``resnet18`` / ``resnet34``. ``stem`` and
    ``stem_stride`` are those of :class:`resnotes.ResNet`.
    """
    if depth not in _DEPTHS:
        raise ValueError(f"shortcut_resnet: depth must be one of {sorted(_DEPTHS)}, got {depth!r}")
    return ResNet(_DEPTHS[depth], in_channels, num_classes, width=width, bias=False,
                  block=partial(ShortcutBlock, shortcut=shortcut), stem=stem,
                  stem_stride=stem_stride)
