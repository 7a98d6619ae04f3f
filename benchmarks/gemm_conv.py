"""Small feature maps on the CPU: convolution as one matrix product.

oneDNN, PyTorch's CPU convolution library, is slow at the *backward* pass of
3x3 convolutions whose output is a single pixel (the last stage of ResNet-18 on
28x28 images): on a 2-core CPU, 512 to 512 channels at batch 256 took 5 ms
forward and 138 ms forward plus backward. The same convolution written as
``unfold`` (im2col) followed by one matrix product, or, for a one-pixel input,
as a product with the kernel's centre tap (every other tap sees only zero
padding), computes the same sums and lets autograd use plain GEMMs.

:func:`convert_small_convs` swaps a model's ``nn.Conv2d`` layers for
:class:`GemmConv2d`, which shares their parameters and takes this path only on
the CPU for outputs of at most :attr:`GemmConv2d.max_pixels` pixels; anywhere
else it is an ordinary ``nn.Conv2d``. Outputs and gradients agree with
``nn.Conv2d`` to float rounding.

Used by ``benchmarks/vs_d2l.py`` only, so it lives with the benchmarks rather
than in the installed package.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["GemmConv2d", "convert_small_convs"]


class GemmConv2d(nn.Conv2d):
    """``nn.Conv2d`` that computes small CPU outputs as ``unfold`` + one GEMM."""

    max_pixels: int = 1  # single-pixel outputs: where oneDNN's backward was slowest (2-core CPU)

    def _conv_forward(self, input: torch.Tensor, weight: torch.Tensor,
                      bias: torch.Tensor | None) -> torch.Tensor:
        if (input.device.type != "cpu" or self.groups != 1 or input.dim() != 4
                or self.padding_mode != "zeros" or isinstance(self.padding, str)):
            return super()._conv_forward(input, weight, bias)
        n, _, h, w = input.shape
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        (ph, pw), (dh, dw) = self.padding, self.dilation
        oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        if oh * ow > self.max_pixels:
            return super()._conv_forward(input, weight, bias)
        if h == w == oh == ow == 1 and (dh, dw) == (1, 1) and ph < kh and pw < kw:
            # a single pixel: every tap but the one over it sees only zero padding
            out = input.reshape(n, -1) @ weight[:, :, ph, pw].t()
            if bias is not None:
                out = out + bias
            return out.view(n, -1, 1, 1)
        cols = F.unfold(input, (kh, kw), dilation=(dh, dw), padding=(ph, pw), stride=(sh, sw))
        rows = cols.transpose(1, 2).reshape(n * oh * ow, -1)  # [N*L, C*kh*kw]
        out = rows @ weight.flatten(1).t()  # [N*L, C_out]
        if bias is not None:
            out = out + bias
        return out.view(n, oh, ow, -1).permute(0, 3, 1, 2)  # NCHW view of NHWC data


def _pair(values: tuple[int, ...]) -> tuple[int, int]:
    return values[0], values[1]


def convert_small_convs(module: nn.Module) -> nn.Module:
    """Replace every plain ``nn.Conv2d`` in ``module`` by a :class:`GemmConv2d`
    sharing its parameters (in place); returns ``module``.

    Like ``nn.SyncBatchNorm.convert_sync_batchnorm``: the model computes the
    same function with the same parameters, and its ``state_dict`` keys do not
    change.
    """
    for name, child in module.named_children():
        if type(child) is nn.Conv2d:
            padding = child.padding if isinstance(child.padding, str) else _pair(child.padding)
            new = GemmConv2d(child.in_channels, child.out_channels, _pair(child.kernel_size),
                             stride=_pair(child.stride), padding=padding,
                             dilation=_pair(child.dilation), groups=child.groups,
                             bias=child.bias is not None, padding_mode=child.padding_mode,
                             device="meta")
            new.weight = child.weight
            new.bias = child.bias
            new.train(child.training)
            setattr(module, name, new)
        else:
            convert_small_convs(child)
    return module
