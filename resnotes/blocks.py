"""The residual blocks of the book, with their varying parts passed in, and the stage that stacks them.

Three blocks, the three ResNet families use:

* :class:`BasicBlock`, two 3x3 convolutions (ResNet-18/34 and every
  network of chapters 1-5);
* :class:`Bottleneck`, 1x1 reduce, 3x3, 1x1 expand (ResNet-50/101/152);
* :class:`PreActBlock`, the pre-activation block of He et al. (2016),
  normalise and ReLU *before* each convolution and nothing after the addition
  (chapters 4 and 6, through :class:`resnotes.ScaledResidual`).

Every two-convolution post-activation block in the book is one class, :class:`BasicBlock`::

    out = ReLU(shortcut(x) + N(conv3x3(ReLU(N(conv3x3(x))))))

Two 3x3 convolutions, each followed by a normalisation ``N``; a ReLU after the
first; the shortcut's output is added to the branch's before the final ReLU.
What differs between the networks of the chapters is passed in, as
torchvision's ``BasicBlock`` takes ``downsample`` and ``norm_layer``:

* ``shortcut``: how the block builds its shortcut, a function
  ``(in_channels, out_channels, stride) -> module``, or ``None`` for the
  identity. A 1x1 projection with or without BatchNorm
  (:func:`resnotes.projection`), or the zero-padding and average-pool options A
  and D of :mod:`resnotes.shortcuts`. ``residual=False`` removes the shortcut:
  the plain block of chapter 1.
* ``norm_layer``: ``channels -> module``, BatchNorm by default.

:class:`Residual` is the source's (d2l's) interface to the same block, and
:func:`basic_block` the usual choice inside a network: a projection exactly
where the shape changes (:func:`bottleneck_block` likewise for
:class:`Bottleneck`). :func:`make_stage` stacks blocks into a stage; every
network of the book builds its stages with it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

from .checks import check_count, check_positive_int
from .identity_add import identity_add
from .projected_add import projected_add, projection

__all__ = ["BasicBlock", "BlockFactory", "Bottleneck", "PreActBlock", "Residual", "basic_block",
           "bottleneck_block", "make_stage"]

#: Builds a block (or a shortcut) from ``(in_channels, out_channels, stride)``.
BlockFactory = Callable[[int, int, int], nn.Module]


@torch.no_grad()
def zero_norm_(norm: nn.Module) -> None:
    """Set a normalisation layer's scale and shift to zero, so it outputs zero (the last
    normalisation of a residual branch: the block then starts as the identity)."""
    for name in ("weight", "bias"):
        param = getattr(norm, name, None)
        if not isinstance(param, torch.Tensor):
            raise TypeError(f"{type(norm).__name__} has no {name} to set to zero")
        param.zero_()


class BasicBlock(nn.Module):
    """Two-convolution residual block: ``ReLU(shortcut(x) + N(conv(ReLU(N(conv(x))))))``.

    Args:
        in_channels, out_channels: channels of the input, and of both 3x3
            convolutions and the output.
        stride: stride of the first convolution (2 halves the resolution).
        shortcut: called as ``shortcut(in_channels, out_channels, stride)``
            to build the shortcut path, which must map the input to the
            branch's shape; ``None``: the identity.
        residual: ``False`` for a plain block, with no shortcut at all.
        norm_layer: called with a channel count; BatchNorm by default.
        bias: convolution biases (d2l: yes; torchvision: no, BatchNorm
            has a shift).

    Raises:
        ValueError: a count is not a positive integer, or the shape changes
            and there is no shortcut to map the input.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, *,
                 shortcut: BlockFactory | None = None, residual: bool = True,
                 norm_layer: Callable[[int], nn.Module] = nn.BatchNorm2d,
                 bias: bool = False) -> None:
        super().__init__()
        check_positive_int(type(self).__name__, in_channels=in_channels,
                           out_channels=out_channels, stride=stride)
        if residual and shortcut is None and (in_channels != out_channels or stride != 1):
            raise ValueError(
                f"{type(self).__name__}: {in_channels} -> {out_channels} channels with stride "
                f"{stride} changes the shape, so the input cannot be added unchanged "
                "(identity-add); pass a shortcut that maps it, e.g. resnotes.projection.")
        if not residual and shortcut is not None:
            raise ValueError(f"{type(self).__name__}: a plain block (residual=False) has no shortcut")
        self.residual = residual
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3,
                               padding=1, stride=stride, bias=bias)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3,
                               padding=1, bias=bias)
        self.shortcut: nn.Module | None = (
            None if shortcut is None else shortcut(in_channels, out_channels, stride))
        self.bn1 = norm_layer(out_channels)
        self.bn2 = norm_layer(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if not self.residual:
            return F.relu(y)
        if self.shortcut is None:  # `is None`, not module truthiness
            return F.relu(identity_add(x, y))
        return F.relu(projected_add(x, y, self.shortcut))

    @torch.no_grad()
    def zero_branch_(self) -> None:
        """Zero the last normalisation's scale and shift, so the branch outputs zero.

        The block then returns ``ReLU(x)``, which is ``x`` for the
        non-negative inputs it gets inside a ResNet: it starts as the identity.
        """
        zero_norm_(self.bn2)

    def extra_repr(self) -> str:
        return "" if self.residual else "residual=False"


class Bottleneck(nn.Module):
    """Bottleneck block: ``ReLU(shortcut(x) + N(1x1(ReLU(N(3x3(ReLU(N(1x1(x)))))))))``.

    A 1x1 convolution reduces the channels to ``out_channels // expansion``,
    a 3x3 convolution works at that reduced width, and a second 1x1
    convolution expands to ``out_channels`` (He et al. 2016, ResNet-50 and
    deeper). As in torchvision's ``Bottleneck`` (ResNet "v1.5"), the stride
    sits on the 3x3 convolution, not on the first 1x1.

    Args:
        in_channels, out_channels: channels of the input and of the output
            (torchvision's ``planes * expansion``).
        stride: stride of the 3x3 convolution.
        shortcut: as in :class:`BasicBlock`; ``None``: the identity.
        expansion: ratio of the output channels to the inner width (4 in
            ResNet-50).
        norm_layer, bias: as in :class:`BasicBlock`.

    Raises:
        ValueError: a count is not a positive integer, ``out_channels`` is
            not a multiple of ``expansion``, or the shape changes and there
            is no shortcut.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, *,
                 shortcut: BlockFactory | None = None, expansion: int = 4,
                 norm_layer: Callable[[int], nn.Module] = nn.BatchNorm2d,
                 bias: bool = False) -> None:
        super().__init__()
        check_positive_int(type(self).__name__, in_channels=in_channels,
                           out_channels=out_channels, stride=stride, expansion=expansion)
        if out_channels % expansion:
            raise ValueError(f"{type(self).__name__}: out_channels={out_channels} is not a "
                             f"multiple of expansion={expansion}")
        if shortcut is None and (in_channels != out_channels or stride != 1):
            raise ValueError(
                f"{type(self).__name__}: {in_channels} -> {out_channels} channels with stride "
                f"{stride} changes the shape, so the input cannot be added unchanged "
                "(identity-add); pass a shortcut that maps it, e.g. resnotes.projection.")
        width = out_channels // expansion
        self.expansion = expansion
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=1, bias=bias)
        self.bn1 = norm_layer(width)
        self.conv2 = nn.Conv2d(width, width, kernel_size=3, stride=stride, padding=1, bias=bias)
        self.bn2 = norm_layer(width)
        self.conv3 = nn.Conv2d(width, out_channels, kernel_size=1, bias=bias)
        self.bn3 = norm_layer(out_channels)
        self.shortcut: nn.Module | None = (
            None if shortcut is None else shortcut(in_channels, out_channels, stride))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))    # reduce
        y = F.relu(self.bn2(self.conv2(y)))    # 3x3 at the reduced width
        y = self.bn3(self.conv3(y))            # expand
        if self.shortcut is None:
            return F.relu(identity_add(x, y))
        return F.relu(projected_add(x, y, self.shortcut))

    @torch.no_grad()
    def zero_branch_(self) -> None:
        """Zero the last normalisation's scale and shift (see :meth:`BasicBlock.zero_branch_`)."""
        zero_norm_(self.bn3)

    def extra_repr(self) -> str:
        return f"expansion={self.expansion}"


class PreActBlock(nn.Module):
    """Pre-activation residual block: ``shortcut(x) + conv(ReLU(N(conv(ReLU(N(x))))))``.

    He et al. (2016, "Identity mappings in deep residual networks") move
    the normalisation and the ReLU in front of each convolution and put
    nothing after the addition, so the shortcut is a clean identity: with a
    zero branch the block returns its input, whatever its sign, and the
    gradient reaches earlier blocks through an addition only. A network of
    them needs one more normalisation and ReLU after its last block.

    Where the shape changes, the projection takes the *pre-activated* input
    ``ReLU(N(x))``, as in He et al.'s code: that input is normalised already.

    Args:
        in_channels, out_channels, stride: as in :class:`BasicBlock`.
        shortcut: as in :class:`BasicBlock`, applied to ``ReLU(N(x))``;
            ``None``: the identity, applied to ``x``.
        norm_layer: called with a channel count; BatchNorm by default,
            ``lambda c: nn.Identity()`` for none.
        bias: convolution biases.
        padding_mode: of the 3x3 convolutions (``"zeros"``, ``"circular"``, ...).

    Raises:
        ValueError: a count is not a positive integer, or the shape changes
            and there is no shortcut.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, *,
                 shortcut: BlockFactory | None = None,
                 norm_layer: Callable[[int], nn.Module] = nn.BatchNorm2d,
                 bias: bool = False,
                 padding_mode: Literal["zeros", "reflect", "replicate", "circular"] = "zeros"
                 ) -> None:
        super().__init__()
        check_positive_int(type(self).__name__, in_channels=in_channels,
                           out_channels=out_channels, stride=stride)
        if shortcut is None and (in_channels != out_channels or stride != 1):
            raise ValueError(
                f"{type(self).__name__}: {in_channels} -> {out_channels} channels with stride "
                f"{stride} changes the shape, so the input cannot be added unchanged "
                "(identity-add); pass a shortcut that maps it, e.g. resnotes.projection.")
        # registration order (norm1, conv1, norm2, conv2) is the order of the
        # state_dict and of the random initialisation: ScaledResidual relies on it
        self.norm1 = norm_layer(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1,
                               bias=bias, padding_mode=padding_mode)
        self.norm2 = norm_layer(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=bias,
                               padding_mode=padding_mode)
        self.shortcut: nn.Module | None = (
            None if shortcut is None else shortcut(in_channels, out_channels, stride))

    def branch(self, x: torch.Tensor) -> torch.Tensor:
        """``H(x) = conv(ReLU(N(conv(ReLU(N(x))))))``."""
        h = self.conv1(F.relu(self.norm1(x)))
        return self.conv2(F.relu(self.norm2(h)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.shortcut is None:
            return identity_add(x, self.branch(x))
        pre = F.relu(self.norm1(x))
        h = self.conv2(F.relu(self.norm2(self.conv1(pre))))
        return projected_add(pre, h, self.shortcut)

    @torch.no_grad()
    def zero_branch_(self) -> None:
        """Zero the last convolution, so the block returns its input (any input)."""
        self.conv2.weight.zero_()
        if self.conv2.bias is not None:
            self.conv2.bias.zero_()


class Residual(BasicBlock):
    """The source's residual block: d2l's ``Residual``, as a :class:`BasicBlock`.

    ``Residual(input_channels, num_channels, use_1x1conv, strides)`` in the
    source is ``Residual(in_channels, out_channels, use_1x1conv, stride)``
    here. The projection is a 1x1 convolution with the block's stride.

    Args:
        in_channels, out_channels, stride: as in :class:`BasicBlock`.
        use_1x1conv: project the shortcut with a 1x1 convolution (needed
            when ``in_channels != out_channels`` or ``stride != 1``).
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
        check_positive_int("Residual", in_channels=in_channels,
                           out_channels=out_channels, stride=stride)
        if not use_1x1conv and (in_channels != out_channels or stride != 1):
            raise ValueError(
                f"Residual: in_channels={in_channels}, out_channels={out_channels}, "
                f"stride={stride} changes the shape, so the input cannot be added "
                "unchanged (identity-add). Pass use_1x1conv=True to project the "
                "shortcut (projected-add).")
        if shortcut_bn and not use_1x1conv:
            raise ValueError("Residual: shortcut_bn=True needs use_1x1conv=True "
                             "(an identity shortcut has nothing to normalise)")
        project = partial(projection, batch_norm=shortcut_bn, bias=bias)
        super().__init__(in_channels, out_channels, stride, bias=bias,
                         shortcut=project if use_1x1conv else None)


def basic_block(in_channels: int, out_channels: int, stride: int = 1, *,
                bias: bool = False, shortcut_bn: bool = True,
                residual: bool = True) -> BasicBlock:
    """The block of a stage: identity shortcut, or a 1x1 projection where the shape changes.

    He et al.'s option B, and torchvision's rule: the first block of a stage
    that halves the resolution or changes the channels projects its input
    (with BatchNorm when ``shortcut_bn``), every other block adds it
    unchanged. ``residual=False``: the same block without shortcut.
    """
    changes = stride != 1 or in_channels != out_channels
    shortcut = partial(projection, batch_norm=shortcut_bn, bias=bias)
    return BasicBlock(in_channels, out_channels, stride, bias=bias, residual=residual,
                      shortcut=shortcut if residual and changes else None)


def bottleneck_block(in_channels: int, out_channels: int, stride: int = 1, *,
                     bias: bool = False, shortcut_bn: bool = True,
                     expansion: int = 4) -> Bottleneck:
    """A :class:`Bottleneck` with a 1x1 projection exactly where the shape changes.

    The rule of :func:`basic_block` and torchvision's ``downsample``: the first
    block of every ResNet-50 stage projects (its input has fewer channels
    than its output), every other block adds its input unchanged.
    """
    changes = stride != 1 or in_channels != out_channels
    shortcut = partial(projection, batch_norm=shortcut_bn, bias=bias)
    return Bottleneck(in_channels, out_channels, stride, bias=bias, expansion=expansion,
                      shortcut=shortcut if changes else None)


def make_stage(block: BlockFactory, in_channels: int, out_channels: int, blocks: int,
               stride: int = 1) -> nn.Sequential:
    """A stage: ``blocks`` blocks in a row, built by ``block(in_channels, out_channels, stride)``.

    The first block takes ``in_channels`` and ``stride``, so it is the one that
    may change the shape; the others keep ``out_channels`` and the resolution.
    """
    check_count("make_stage", blocks=blocks)
    return nn.Sequential(*(block(in_channels if i == 0 else out_channels, out_channels,
                                 stride if i == 0 else 1) for i in range(blocks)))
