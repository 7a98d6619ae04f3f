"""Scaled residual blocks."""

import pytest
import torch

from resnotes import count_parameters
from resnotes.scaled_resnet import ScaledResidual, scaled_resnet


def test_zero_learnable_scale_is_the_identity() -> None:
    block = ScaledResidual(4, branch_scale=0.0, learnable=True)
    x = torch.randn(2, 4, 5, 5)
    assert torch.equal(block(x), x)
    block(x).sum().backward()
    assert block.scale.scale.grad is not None and block.scale.scale.grad.abs() > 0


def test_shortcut_scale_zero_is_the_plain_branch_and_half_scales_the_input() -> None:
    torch.manual_seed(0)
    block = ScaledResidual(4, shortcut_scale=0.0)
    x = torch.randn(2, 4, 5, 5)
    assert torch.equal(block(x), block.branch(x))
    half = ScaledResidual(4, shortcut_scale=0.5)
    assert torch.allclose(half(x), 0.5 * x + half.branch(x))


def test_layer_scale_adds_one_parameter_per_channel() -> None:
    plain = count_parameters(ScaledResidual(8))
    assert count_parameters(ScaledResidual(8, learnable=True, per_channel=True)) == plain + 8
    assert count_parameters(ScaledResidual(8, learnable=True)) == plain + 1


def test_variance_grows_with_depth_without_scaling_and_not_with_zero_scale() -> None:
    torch.manual_seed(0)
    x = torch.randn(16, 1, 16, 16)
    out = {}
    for s in (1.0, 0.0):
        net = scaled_resnet(12, 8, branch_scale=s)
        with torch.no_grad():
            out[s] = net[1](net[0](x)).var().item() / net[0](x).var().item()
    assert out[1.0] > 100  # about 2**12 with He initialisation
    assert out[0.0] == pytest.approx(1.0)


def test_validation() -> None:
    with pytest.raises(ValueError, match="shortcut_scale"):
        ScaledResidual(4, shortcut_scale=float("nan"))
    with pytest.raises(ValueError, match="init"):
        scaled_resnet(2, init="xavier")
    with pytest.raises(ValueError, match="num_blocks"):
        scaled_resnet(-1)


def test_circular_padding_keeps_the_variance_of_a_plain_he_stack() -> None:
    torch.manual_seed(0)
    x = torch.randn(32, 16, 8, 8)
    ratio = {}
    for mode in ("zeros", "circular"):
        torch.manual_seed(1)
        blocks = scaled_resnet(8, 16, shortcut_scale=0.0, padding_mode=mode)[1]
        with torch.no_grad():
            ratio[mode] = blocks(x).var().item() / x.var().item()
    assert ratio["zeros"] < 0.5 * ratio["circular"]  # 16 convs, each losing variance at the border
    assert 0.2 < ratio["circular"] < 5
