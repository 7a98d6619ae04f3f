"""ResNet: the one network class of the book, ResNet-18 in d2l's layout, and ResNet-50.

:class:`ResNet` is a stem, stages of blocks built by
:func:`resnotes.blocks.make_stage`, and a head; chapter 1's plain and residual
CIFAR nets and chapter 5's shortcut options are ResNets with other blocks.

ResNet-18 in d2l's layout: stem of a 7x7 convolution (stride 2), BatchNorm,
ReLU, 3x3 max-pool (stride 2). Then four stages of two residual blocks with
``w, 2w, 4w, 8w`` channels (``w = width``, 64 in the paper); every stage after
the first halves the resolution in its first block, whose shortcut is a 1x1
projection. Global average pooling and one linear layer finish it.

With ``bias=False, shortcut_bn=True, in_channels=3, num_classes=1000`` the
layout equals torchvision's ``resnet18`` (same parameter count).

ResNet-50 is the same stem and head around four stages of 3, 4, 6 and 3
:class:`~resnotes.blocks.Bottleneck` blocks whose outputs have four times
the channels of their inner 3x3 convolutions (``expansion=4``); with the
same choices it equals torchvision's ``resnet50``.
"""

from __future__ import annotations

from functools import partial

import torch
from torch import nn

from .blocks import BasicBlock, BlockFactory, Bottleneck, basic_block, bottleneck_block, make_stage
from .checks import check_positive_int

__all__ = ["ResNet", "resnet18", "resnet50", "from_torchvision_state_dict"]


class ResNet(nn.Module):
    """A ResNet: stem, stages of blocks, head.

    Args:
        blocks_per_stage: number of blocks in each stage.
        in_channels: image channels (1 for Fashion-MNIST).
        num_classes: outputs of the final linear layer.
        width: channels of the stem and the first stage; stage ``i`` has
            ``width * 2**i``, and every stage after the first halves the
            resolution in its first block.
        bias: convolution biases (d2l: True; torchvision: False).
        shortcut_bn: BatchNorm after each projection (d2l: False;
            torchvision: True).
        block: builds each block from ``(in_channels, out_channels,
            stride)``; by default :func:`~resnotes.blocks.basic_block` with
            ``bias`` and ``shortcut_bn`` (a projection exactly where the shape
            changes). Chapter 1's plain nets and chapter 5's shortcut options
            pass their own.
        zero_init_residual: start every residual block's last BatchNorm at
            zero, so that each block starts as (ReLU of) the identity.
        stem: ``"imagenet"`` (7x7 convolution with stride 2, then 3x3
            max-pool with stride 2: d2l's and torchvision's) or ``"3x3"``
            (one 3x3 convolution with stride ``stem_stride``, no pooling:
            keeps more of a small image's resolution).
        stem_stride: stride of the ``"3x3"`` stem.
        expansion: stage ``i`` outputs ``width * 2**i * expansion``
            channels; 1 for basic blocks, 4 for bottleneck blocks, whose
            inner 3x3 convolutions keep ``width * 2**i``. With ``block``
            unset, any other value than 1 builds
            :func:`~resnotes.blocks.bottleneck_block` stages.
    """

    def __init__(self, blocks_per_stage: list[int], in_channels: int = 1,
                 num_classes: int = 10, *, width: int = 64, bias: bool = True,
                 shortcut_bn: bool = False, block: BlockFactory | None = None,
                 zero_init_residual: bool = False, stem: str = "imagenet",
                 stem_stride: int = 1, expansion: int = 1) -> None:
        super().__init__()
        check_positive_int("ResNet", in_channels=in_channels, num_classes=num_classes,
                           width=width, expansion=expansion)
        if not blocks_per_stage or any(n < 1 for n in blocks_per_stage):
            raise ValueError("ResNet: blocks_per_stage must be positive counts, "
                             f"got {blocks_per_stage}")
        if block is None and expansion == 1:
            block = partial(basic_block, bias=bias, shortcut_bn=shortcut_bn)
        elif block is None:
            block = partial(bottleneck_block, bias=bias, shortcut_bn=shortcut_bn,
                            expansion=expansion)
        self.stem = _make_stem(stem, in_channels, width, bias, stem_stride)
        stages, channels = [], width
        for i, blocks in enumerate(blocks_per_stage):
            out = width * 2**i * expansion
            stages.append(make_stage(block, channels, out, blocks, stride=1 if i == 0 else 2))
            channels = out
        self.stages = nn.Sequential(*stages)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                                  nn.Linear(channels, num_classes))
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) or (isinstance(m, BasicBlock) and m.residual):
                    m.zero_branch_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.stages(self.stem(x)))


def _make_stem(kind: str, in_channels: int, width: int, bias: bool,
               stride: int) -> nn.Sequential:
    if kind == "imagenet":
        return nn.Sequential(
            nn.Conv2d(in_channels, width, kernel_size=7, stride=2, padding=3,
                      bias=bias),
            nn.BatchNorm2d(width), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    if kind == "3x3":
        check_positive_int("ResNet", stem_stride=stride)
        return nn.Sequential(
            nn.Conv2d(in_channels, width, kernel_size=3, stride=stride,
                      padding=1, bias=bias),
            nn.BatchNorm2d(width), nn.ReLU())
    raise ValueError(f"ResNet: stem must be 'imagenet' or '3x3', got {kind!r}")


def resnet18(in_channels: int = 1, num_classes: int = 10, *, width: int = 64,
             bias: bool = True, shortcut_bn: bool = False,
             zero_init_residual: bool = False) -> ResNet:
    """ResNet-18 in d2l's layout (four stages of two blocks); see :class:`ResNet`."""
    return ResNet([2, 2, 2, 2], in_channels, num_classes, width=width, bias=bias,
                  shortcut_bn=shortcut_bn, zero_init_residual=zero_init_residual)


def resnet50(in_channels: int = 1, num_classes: int = 10, *, width: int = 64,
             bias: bool = True, shortcut_bn: bool = False,
             zero_init_residual: bool = False) -> ResNet:
    """ResNet-50: stages of 3, 4, 6, 3 bottleneck blocks (expansion 4); see :class:`ResNet`.

    ``resnet50(3, 1000, bias=False, shortcut_bn=True)`` is torchvision's
    ``resnet50`` (load its weights with :func:`from_torchvision_state_dict`).
    """
    return ResNet([3, 4, 6, 3], in_channels, num_classes, width=width, bias=bias,
                  shortcut_bn=shortcut_bn, zero_init_residual=zero_init_residual,
                  expansion=4)


def from_torchvision_state_dict(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a torchvision ResNet's ``state_dict`` keys to this module's names.

    Load the result into a :class:`ResNet` built with ``bias=False,
    shortcut_bn=True`` and the same stages, e.g.
    ``resnet18(3, 1000, bias=False, shortcut_bn=True)`` for torchvision's
    ``resnet18`` (``resnet50`` likewise: its blocks' ``conv3``/``bn3`` keep
    their names); both then compute the same function.
    """
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        parts = key.split(".")
        if parts[0] == "conv1":
            new = ["stem", "0"] + parts[1:]
        elif parts[0] == "bn1":
            new = ["stem", "1"] + parts[1:]
        elif parts[0] == "fc":
            new = ["head", "2"] + parts[1:]
        elif parts[0].startswith("layer"):
            stage = str(int(parts[0][len("layer"):]) - 1)
            rest = parts[2:]
            if rest[0] == "downsample":  # torchvision's name for the shortcut
                rest = ["shortcut"] + rest[1:]
            new = ["stages", stage, parts[1]] + rest
        else:
            raise KeyError(f"unexpected key {key!r}: not a torchvision ResNet state_dict?")
        out[".".join(new)] = value
    return out
