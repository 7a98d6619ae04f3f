"""Convolution from scratch, output sizes, receptive fields, shifts and LeNet-5."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from resnotes import (conv_output_size, count_parameters, cross_correlate2d, equivariance_error,
                      invariance_error, lenet5, receptive_fields, shift)


@pytest.mark.parametrize("stride,padding,kernel", [(1, 0, 3), (2, 1, 3), (3, 2, 5), (1, 1, 2)])
def test_cross_correlation_matches_conv2d(stride: int, padding: int, kernel: int) -> None:
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, kernel, stride=stride, padding=padding).double()
    x = torch.randn(2, 3, 9, 8, dtype=torch.float64)
    ours = cross_correlate2d(x, conv.weight, conv.bias, stride=stride, padding=padding)
    assert torch.allclose(ours, conv(x), atol=1e-12)


def test_cross_correlation_does_not_flip_the_kernel() -> None:
    x = torch.zeros(1, 1, 3, 3)
    x[0, 0, 0, 0] = 1.0  # a single pixel in the top-left corner
    w = torch.arange(9.0).view(1, 1, 3, 3)
    # at the centre of a padded 3x3 output, the pixel sits under kernel tap (0, 0)
    assert cross_correlate2d(x, w, padding=1)[0, 0, 1, 1].item() == w[0, 0, 0, 0].item()


def test_cross_correlation_rejects_channel_mismatch() -> None:
    with pytest.raises(ValueError, match="channels"):
        cross_correlate2d(torch.zeros(1, 2, 5, 5), torch.zeros(1, 3, 3, 3))


@pytest.mark.parametrize("n,k,p,s,d", [(28, 5, 2, 1, 1), (28, 2, 0, 2, 1), (7, 3, 1, 2, 1),
                                       (10, 3, 0, 3, 2), (224, 7, 3, 2, 1)])
def test_output_size_formula_matches_pytorch(n: int, k: int, p: int, s: int, d: int) -> None:
    conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    assert conv(torch.zeros(1, 1, n, n)).shape[-1] == conv_output_size(n, k, padding=p, stride=s,
                                                                       dilation=d)


def test_output_size_rejects_kernel_larger_than_input() -> None:
    with pytest.raises(ValueError, match="pad more"):
        conv_output_size(3, 5)


def test_receptive_fields_of_two_3x3_convs_and_a_pool() -> None:
    rf = receptive_fields([("a", 3, 1), ("b", 3, 1), ("pool", 2, 2), ("c", 3, 1)])
    assert [r.size for r in rf] == [3, 5, 6, 10]
    assert [r.jump for r in rf] == [1, 1, 2, 2]


def test_receptive_field_equals_the_gradient_support() -> None:
    net = nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2), nn.Conv2d(1, 1, 5, stride=2))
    x = torch.randn(1, 1, 40, 40, requires_grad=True)
    y = net(x)
    y[0, 0, y.shape[-2] // 2, y.shape[-1] // 2].backward()
    assert x.grad is not None
    rows = (x.grad[0, 0].abs().sum(1) > 0).nonzero()
    size = receptive_fields([("c", 3, 1), ("p", 2, 2), ("c", 5, 2)])[-1].size
    # max-pooling passes the gradient to one pixel per window, so the support is at most size
    assert int(rows.max() - rows.min()) + 1 <= size
    lin = nn.Sequential(nn.Conv2d(1, 1, 3), nn.AvgPool2d(2), nn.Conv2d(1, 1, 5, stride=2))
    x.grad = None
    out = lin(x)
    out[0, 0, out.shape[-2] // 2, out.shape[-1] // 2].backward()
    assert x.grad is not None
    rows = (x.grad[0, 0].abs().sum(1) > 0).nonzero()
    assert int(rows.max() - rows.min()) + 1 == size


def test_shift_moves_content_and_fills_with_zeros() -> None:
    x = torch.arange(16.0).view(4, 4)
    s = shift(x, 1, -2)
    assert torch.equal(s[1:, :2], x[:3, 2:])
    assert s[0].abs().sum() == 0 and s[:, 2:].abs().sum() == 0
    with pytest.raises(ValueError, match="out of"):
        shift(x, 4, 0)


def test_convolution_is_equivariant_and_pooling_is_not_invariant() -> None:
    torch.manual_seed(0)
    conv = nn.Conv2d(1, 4, 5, padding=2)
    x = torch.randn(3, 1, 20, 20)
    assert equivariance_error(conv, x, 2, -3, margin=2) < 1e-6
    pooled = nn.Sequential(conv, nn.MaxPool2d(2))
    assert invariance_error(pooled, x, 0, 1) > 0.1
    with pytest.raises(ValueError, match="size-preserving"):
        equivariance_error(pooled, x, 1, 1)


def test_lenet5_shapes_and_parameters() -> None:
    net = lenet5()
    assert net(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert count_parameters(net) == 61_706
    assert count_parameters(lenet5(dropout=0.5)) == 61_706
    assert isinstance(lenet5(activation="relu", pool="max").s2, nn.MaxPool2d)
    with pytest.raises(ValueError, match="activation"):
        lenet5(activation="gelu")


# -- depthwise-separable convolution and the input's range (resnotes.design, chapter 8)

from resnotes import DepthwiseSeparableConv2d, InputRange, count_macs, separable_fraction  # noqa: E402


@pytest.mark.parametrize("c_in,c_out,k,stride,padding", [(8, 16, 3, 1, 1), (4, 4, 5, 2, 2), (3, 7, 1, 1, 0)])
def test_separable_conv_has_conv2d_shapes_and_the_predicted_saving(c_in: int, c_out: int, k: int,
                                                                   stride: int, padding: int) -> None:
    sep = DepthwiseSeparableConv2d(c_in, c_out, k, stride=stride, padding=padding, bias=False)
    std = nn.Conv2d(c_in, c_out, k, stride=stride, padding=padding, bias=False)
    x = torch.randn(2, c_in, 11, 11)
    assert sep(x).shape == std(x).shape
    assert count_parameters(sep) == c_in * k * k + c_in * c_out
    ratio = count_parameters(sep) / count_parameters(std)
    assert ratio == pytest.approx(separable_fraction(c_out, k))
    shape = (1, c_in, 11, 11)
    assert count_macs(sep, shape) / count_macs(std, shape) == pytest.approx(separable_fraction(c_out, k))


def test_depthwise_part_filters_each_channel_alone() -> None:
    torch.manual_seed(0)
    sep = DepthwiseSeparableConv2d(3, 5, 3, padding=1).double()
    x = torch.randn(2, 3, 6, 6, dtype=torch.float64)
    dw = sep.depthwise
    by_channel = torch.cat([cross_correlate2d(x[:, c:c + 1], dw.weight[c:c + 1], dw.bias[c:c + 1], padding=1)
                            for c in range(3)], dim=1)
    assert torch.allclose(dw(x), by_channel, atol=1e-12)
    x2 = x.clone()
    x2[:, 1] += 1.0  # changing channel 1 changes only depthwise output channel 1
    changed = (dw(x2) - dw(x)).abs().amax(dim=(0, 2, 3))
    assert changed[1] > 0 and changed[0] == 0 and changed[2] == 0


def test_separable_conv_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="in_channels"):
        DepthwiseSeparableConv2d(0, 4, 3)
    with pytest.raises(ValueError, match="padding"):
        DepthwiseSeparableConv2d(2, 4, 3, padding=-1)


def test_input_range_maps_the_unit_interval() -> None:
    x = torch.tensor([0.0, 0.5, 1.0])
    assert torch.equal(InputRange(-1, 1)(x), torch.tensor([-1.0, 0.0, 1.0]))
    assert torch.equal(InputRange(0, 255)(x), torch.tensor([0.0, 127.5, 255.0]))
    assert count_parameters(InputRange(0, 1)) == 0
    with pytest.raises(ValueError, match="low < high"):
        InputRange(1, 1)


def test_padding_only_weights_are_those_without_gradient() -> None:
    from resnotes import padding_only_weights, resnet18
    torch.manual_seed(0)
    net = resnet18(width=8)
    unused = padding_only_weights(net, (1, 1, 28, 28))
    # at 28x28 stage 4 runs on 2x2, then 1x1 maps: by hand, 5 of 9 taps of its first
    # convolution (stride 2 on 2x2) and 8 of 9 of the three others read only padding
    assert {k: v for k, v in unused.items() if v} == {
        "stages.3.0.conv1": 5 * 32 * 64, "stages.3.0.conv2": 8 * 64 * 64,
        "stages.3.1.conv1": 8 * 64 * 64, "stages.3.1.conv2": 8 * 64 * 64}
    net.train()
    net(torch.randn(8, 1, 28, 28)).square().sum().backward()
    for name, m in net.named_modules():
        if name in unused and unused[name]:
            # the counted weights are exactly those of the taps whose gradient is zero for
            # every channel pair (a dead input channel may zero a few more single weights)
            dead_taps = int((m.weight.grad == 0).all(dim=1).all(dim=0).sum())
            assert dead_taps * m.in_channels * m.out_channels == unused[name], name
    assert sum(padding_only_weights(net, (1, 1, 96, 96)).values()) == 0


def test_padding_only_weights_counts_none_with_circular_padding() -> None:
    from resnotes import padding_only_weights
    conv = nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular")
    assert padding_only_weights(conv, (1, 2, 1, 1)) == {"": 0}
    assert padding_only_weights(nn.Conv2d(2, 3, 3, padding=1), (1, 2, 1, 1)) == {"": 8 * 2 * 3}
