"""Convolution from scratch: cross-correlation, output sizes and receptive fields.

What ``nn.Conv2d`` computes is a *cross-correlation*: the kernel slides over
the input without being flipped. :func:`cross_correlate2d` writes it out as one
sum over kernel positions, so it can be checked against PyTorch;
:func:`conv_output_size` is the formula for the output's side, and
and :func:`receptive_fields` follows the receptive field through a stack of layers.
:func:`padding_only_weights` finds the kernel taps of a network's
convolutions that, on a given input size, only ever multiply padding: the
weights that can neither change the output nor learn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["ReceptiveField", "conv_output_size", "cross_correlate2d", "padding_only_weights",
           "receptive_fields"]


def cross_correlate2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                      *, stride: int = 1, padding: int = 0) -> torch.Tensor:
    """2-D cross-correlation of ``x`` [B, C_in, H, W] with ``weight`` [C_out, C_in, kh, kw].

    ``out[b, o, i, j] = bias[o] + sum_{c, u, v} weight[o, c, u, v] *
    x_padded[b, c, i * stride + u, j * stride + v]``: the same numbers as
    ``nn.Conv2d`` (``groups=1``, ``dilation=1``, zero padding). The loop runs
    over the kh x kw kernel positions; each step multiplies one shifted window
    of the whole input by one kernel tap, for all channels at once.
    """
    if x.dim() != 4 or weight.dim() != 4:
        raise ValueError(f"need x as [B, C, H, W] and weight as [C_out, C_in, kh, kw], "
                         f"got shapes {tuple(x.shape)} and {tuple(weight.shape)}")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels but the weight expects {weight.shape[1]}; "
                         "give the weight as many input channels as x has")
    if stride < 1 or padding < 0:
        raise ValueError(f"stride must be >= 1 and padding >= 0, got {stride} and {padding}")
    kh, kw = weight.shape[2:]
    h_out = conv_output_size(x.shape[2], kh, padding=padding, stride=stride)
    w_out = conv_output_size(x.shape[3], kw, padding=padding, stride=stride)
    xp = F.pad(x, (padding, padding, padding, padding))
    out = x.new_zeros(x.shape[0], weight.shape[0], h_out, w_out)
    for u in range(kh):
        for v in range(kw):
            # every output position's input pixel under kernel tap (u, v)
            window = xp[:, :, u:u + stride * (h_out - 1) + 1:stride,
                        v:v + stride * (w_out - 1) + 1:stride]
            out += torch.einsum("bchw,oc->bohw", window, weight[:, :, u, v])
    if bias is not None:
        out += bias.view(1, -1, 1, 1)
    return out


def conv_output_size(size: int, kernel: int, *, padding: int = 0, stride: int = 1,
                     dilation: int = 1) -> int:
    """Side of a convolution's (or pooling's) output: floor((n + 2p - d(k-1) - 1) / s) + 1."""
    if size < 1 or kernel < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError(f"need size, kernel, stride, dilation >= 1 and padding >= 0; got "
                         f"size={size}, kernel={kernel}, padding={padding}, stride={stride}, "
                         f"dilation={dilation}")
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(f"the kernel spans {span} pixels but the padded input has only "
                         f"{size + 2 * padding}; pad more or use a smaller kernel")
    return (size + 2 * padding - span) // stride + 1


@dataclass(frozen=True)
class ReceptiveField:
    """After one layer of a stack: the receptive field's side and the jump.

    ``size``: how many input pixels (along one axis) one output pixel sees;
    ``jump``: how many input pixels apart two neighbouring output pixels are.
    """

    name: str
    kernel: int
    stride: int
    size: int
    jump: int


def receptive_fields(layers: Sequence[tuple[str, int, int]]) -> list[ReceptiveField]:
    """Receptive field after each ``(name, kernel, stride)`` layer of a stack.

    Each layer widens the field by ``(kernel - 1) * jump`` input pixels, where
    ``jump`` is the product of the strides before it: r_l = r_{l-1} + (k_l - 1) j_{l-1},
    j_l = j_{l-1} s_l, starting from r_0 = j_0 = 1.
    """
    size, jump = 1, 1
    out = []
    for name, kernel, stride in layers:
        if kernel < 1 or stride < 1:
            raise ValueError(f"layer {name!r}: kernel and stride must be >= 1, "
                             f"got {kernel} and {stride}")
        size += (kernel - 1) * jump
        jump *= stride
        out.append(ReceptiveField(name, kernel, stride, size, jump))
    return out


def padding_only_weights(model: nn.Module, input_shape: tuple[int, ...]) -> dict[str, int]:
    """Weights of each ``nn.Conv2d`` that only ever multiply zero padding, on inputs of ``input_shape``.

    A kernel tap ``(u, v)`` of a convolution is *unused* when, at every output
    position, it falls on the zero padding around the input rather than on
    the input. Its weights then multiply zeros only: they cannot change the
    output, and their gradient is zero. A 3x3 convolution with padding 1 on a
    1x1 map uses only its centre tap, so 8 of its 9 weights per channel pair
    are unused. Returns ``{name: unused weights}`` for every convolution (0
    where all taps reach the input, and always for non-zero padding modes).

    Args:
        input_shape: one batch's shape, e.g. ``(1, 1, 28, 28)``.
    """
    sizes: dict[str, tuple[int, int]] = {}
    convs = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Conv2d)]
    hooks = [m.register_forward_pre_hook(
        lambda m, args, name=name: sizes.__setitem__(name, tuple(args[0].shape[-2:])))
        for name, m in convs]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(input_shape))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    out: dict[str, int] = {}
    for name, m in convs:
        kh, kw = m.kernel_size
        if m.padding_mode != "zeros" or name not in sizes:
            out[name] = 0
            continue
        # one output channel per tap: a one-hot kernel reads what that tap reads
        taps = torch.eye(kh * kw).reshape(kh * kw, 1, kh, kw)
        reach = F.conv2d(torch.ones(1, 1, *sizes[name]), taps, stride=m.stride,
                         padding=m.padding, dilation=m.dilation)  # type: ignore[arg-type]
        unused = int((reach[0].flatten(1).amax(dim=1) == 0).sum())
        out[name] = unused * (m.in_channels // m.groups) * m.out_channels
    return out
