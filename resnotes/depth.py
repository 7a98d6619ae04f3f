"""Plain and residual CIFAR-style networks of a chosen depth, and growing them.

He et al. (2016) compare plain and residual networks of ``6n + 2`` layers on
CIFAR-10: a 3x3 convolution, three stages of ``n`` two-convolution blocks with
``w, 2w, 4w`` channels (stages 2 and 3 halve the resolution in their first
block), global average pooling and one linear layer. The plain network uses the
same layers as the residual one, without the shortcuts.

* :func:`PlainBlock`: the book's block (:class:`~resnotes.blocks.BasicBlock`) without its shortcut;
* :class:`CifarNet`, :func:`plain_net`, :func:`residual_net`: the networks;
* :func:`deepen`: a deeper copy of a trained network, its new residual blocks
  starting as the identity (last BatchNorm scale at zero), its new plain blocks
  at random or (``plain_init="identity"``) set by :func:`identity_plain_block_`.
"""

from __future__ import annotations

from functools import partial

import torch
from torch import nn

from .blocks import BasicBlock, basic_block
from .resnet import ResNet

__all__ = ["CifarNet", "PlainBlock", "blocks_per_stage", "deepen", "identity_plain_block_",
           "plain_net", "residual_net"]

PLAIN_INITS = ("random", "identity")


def PlainBlock(in_channels: int, out_channels: int, stride: int = 1, *,  # noqa: N802
               bias: bool = False) -> BasicBlock:
    """``ReLU(BN(conv(ReLU(BN(conv(x))))))``: a residual block minus its shortcut.

    The book's one block, :class:`~resnotes.blocks.BasicBlock`, with
    ``residual=False`` (named like a class because that is what it returns).

    Args:
        in_channels, out_channels: channels of the input and of both convolutions.
        stride: stride of the first 3x3 convolution.
        bias: convolution biases (He et al.: none, BatchNorm has a shift).
    """
    return BasicBlock(in_channels, out_channels, stride, bias=bias, residual=False)


def blocks_per_stage(depth: int) -> int:
    """``n`` for a network of ``depth = 6n + 2`` layers (8, 14, 20, 32, 56, 110, ...)."""
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 8 or (depth - 2) % 6:
        raise ValueError(f"depth must be 6n + 2 with n >= 1 (8, 14, 20, 26, 32, 44, 56, "
                         f"110, ...), got {depth!r}")
    return (depth - 2) // 6


class CifarNet(ResNet):
    """The ``6n + 2``-layer network of He et al. (2016, section 4.2), plain or residual.

    A :class:`~resnotes.ResNet` with a 3x3 stem (no pooling), three stages of
    ``n`` blocks and no convolution biases.

    Args:
        depth: weighted layers, ``6n + 2``: the stem's convolution, ``6n``
            convolutions in ``3n`` blocks, and the linear layer.
        residual: residual blocks (shortcuts) or :func:`PlainBlock` (none).
            Where a residual block changes the shape (first block of stages 2
            and 3), its shortcut is a 1x1 projection with BatchNorm (He et
            al.'s option B).
        width: channels of the stem and stage 1 (stages 2, 3: ``2w``, ``4w``);
            He et al. use 16.
        in_channels: image channels (1 for Fashion-MNIST).
        num_classes: outputs of the linear layer.
    """

    def __init__(self, depth: int, *, residual: bool, width: int = 16,
                 in_channels: int = 1, num_classes: int = 10) -> None:
        n = blocks_per_stage(depth)
        super().__init__([n, n, n], in_channels, num_classes, width=width, bias=False,
                         block=partial(basic_block, residual=residual), stem="3x3")
        self.depth, self.residual, self.width = depth, residual, width
        self.in_channels, self.num_classes = in_channels, num_classes

    def extra_repr(self) -> str:
        kind = "residual" if self.residual else "plain"
        return f"depth={self.depth}, {kind}, width={self.width}"


def plain_net(depth: int, **kwargs: int) -> CifarNet:
    """``CifarNet(depth, residual=False, ...)``: no shortcuts."""
    return CifarNet(depth, residual=False, **kwargs)


def residual_net(depth: int, **kwargs: int) -> CifarNet:
    """``CifarNet(depth, residual=True, ...)``: a shortcut around every block."""
    return CifarNet(depth, residual=True, **kwargs)


@torch.no_grad()
def identity_plain_block_(block: BasicBlock) -> BasicBlock:
    """Set a plain block's weights so that, in evaluation mode, it returns non-negative inputs unchanged.

    Each 3x3 convolution becomes the "delta" kernel that copies channel ``c``
    to channel ``c`` (a 1 at the centre, zeros elsewhere), and each BatchNorm
    undoes its own normalisation: ``gamma = sqrt(running_var + eps)``, ``beta =
    running_mean``. The block then computes ``ReLU(ReLU(x))``, which is ``x``
    only where ``x >= 0``, and only in evaluation mode: in training mode
    BatchNorm normalises with the batch's statistics, which no fixed
    ``gamma`` and ``beta`` can undo. (In place; returns the block.)

    Raises:
        ValueError: for a residual block, or one that changes the shape.
    """
    if not isinstance(block, BasicBlock) or block.residual:
        raise ValueError("identity_plain_block_ needs a plain BasicBlock (residual=False)")
    conv1, conv2 = block.conv1, block.conv2
    if conv1.in_channels != conv1.out_channels or conv1.stride != (1, 1):
        raise ValueError(f"a block from {conv1.in_channels} to {conv1.out_channels} channels with "
                         f"stride {conv1.stride[0]} changes the shape: it cannot be the identity")
    for conv, bn in ((conv1, block.bn1), (conv2, block.bn2)):
        if not isinstance(bn, nn.BatchNorm2d) or bn.running_mean is None or bn.running_var is None:
            raise ValueError("identity_plain_block_ needs BatchNorm2d layers with running statistics")
        k = conv.kernel_size[0]
        conv.weight.zero_()
        conv.weight[:, :, k // 2, k // 2] = torch.eye(conv.out_channels, dtype=conv.weight.dtype)
        if conv.bias is not None:
            conv.bias.zero_()
        bn.weight.copy_(torch.sqrt(bn.running_var + bn.eps))
        bn.bias.copy_(bn.running_mean)
    return block


def deepen(net: CifarNet, depth: int, *, plain_init: str = "random") -> CifarNet:
    """A deeper copy of ``net``: same weights, new blocks at the end of each stage.

    Every layer of ``net`` is copied into the new network (including BatchNorm's
    running statistics); each stage gets ``blocks_per_stage(depth) -
    blocks_per_stage(net.depth)`` new blocks after its existing ones. New
    *residual* blocks start with their last BatchNorm scale (gamma) and shift at
    zero, so their branch outputs zero and the block returns ``ReLU(x) = x`` (its
    input comes out of a ReLU): the deeper network computes exactly ``net``'s
    function, in both modes. New *plain* blocks keep PyTorch's default
    initialisation (``plain_init="random"``), or are set by
    :func:`identity_plain_block_` (``plain_init="identity"``): then the deeper
    network computes ``net``'s function in evaluation mode, up to rounding, but
    not in training mode, where BatchNorm uses the batch's statistics.

    ``net`` is left unchanged; the copy is on ``net``'s device, in its mode.
    """
    if not isinstance(net, CifarNet):
        raise TypeError(f"deepen needs a CifarNet, got {type(net).__name__}")
    if plain_init not in PLAIN_INITS:
        raise ValueError(f"plain_init must be one of {', '.join(PLAIN_INITS)}, got {plain_init!r}")
    old, new = blocks_per_stage(net.depth), blocks_per_stage(depth)
    if new < old:
        raise ValueError(f"deepen grows a network: depth {depth} is less than the "
                         f"network's {net.depth}")
    device = next(net.parameters()).device
    grown = CifarNet(depth, residual=net.residual, width=net.width,
                     in_channels=net.in_channels, num_classes=net.num_classes).to(device)
    grown.stem.load_state_dict(net.stem.state_dict())
    grown.head.load_state_dict(net.head.state_dict())
    for old_stage, new_stage in zip(net.stages.children(), grown.stages.children()):
        old_blocks = list(old_stage.children())
        for j, block in enumerate(new_stage.children()):
            if j < old:
                block.load_state_dict(old_blocks[j].state_dict())
            elif isinstance(block, BasicBlock) and block.residual:
                block.zero_branch_()
            elif isinstance(block, BasicBlock) and plain_init == "identity":
                identity_plain_block_(block)
    return grown.train(net.training)
