"""Shortcut options A/B/C/D and the ResNets built with them."""

import pytest
import torch
import torchvision
from torch import nn

from resnotes import count_parameters
from resnotes.shortcuts import (AvgPoolShortcut, ShortcutBlock, ZeroPadShortcut, make_shortcut,
                                shortcut_resnet)


def test_zero_pad_subsamples_and_appends_zero_channels() -> None:
    x = torch.randn(2, 3, 6, 6)
    y = ZeroPadShortcut(3, 5, stride=2)(x)
    assert y.shape == (2, 5, 3, 3)
    assert torch.equal(y[:, :3], x[:, :, ::2, ::2])
    assert torch.count_nonzero(y[:, 3:]) == 0
    assert count_parameters(ZeroPadShortcut(3, 5, 2)) == 0


def test_zero_pad_refuses_fewer_channels_and_wrong_input() -> None:
    with pytest.raises(ValueError, match="only add channels"):
        ZeroPadShortcut(6, 3)
    with pytest.raises(ValueError, match=r"expects \[N, 3, H, W\]"):
        ZeroPadShortcut(3, 6)(torch.zeros(1, 4, 2, 2))


def test_avg_pool_shortcut_is_a_projection_of_the_pooled_input() -> None:
    torch.manual_seed(0)
    s = AvgPoolShortcut(4, 8, stride=2).eval()
    x = torch.randn(2, 4, 6, 6)
    expected = s.project(nn.functional.avg_pool2d(x, 2))
    assert torch.allclose(s(x), expected)
    assert s(x).shape == (2, 8, 3, 3)


@pytest.mark.parametrize("option, same, change", [
    ("A", nn.Identity, ZeroPadShortcut), ("B", nn.Identity, nn.Sequential),
    ("C", nn.Sequential, nn.Sequential), ("D", nn.Identity, AvgPoolShortcut)])
def test_make_shortcut_kinds(option: str, same: type, change: type) -> None:
    assert isinstance(make_shortcut(option, 4, 4, 1), same)
    assert isinstance(make_shortcut(option, 4, 8, 2), change)


def test_make_shortcut_rejects_unknown_option() -> None:
    with pytest.raises(ValueError, match="one of A, B, C, D"):
        make_shortcut("E", 4, 8, 2)


@pytest.mark.parametrize("depth, reference", [(18, torchvision.models.resnet18),
                                              (34, torchvision.models.resnet34)])
def test_option_b_matches_torchvision_count(depth: int, reference) -> None:  # type: ignore[no-untyped-def]
    ours = shortcut_resnet(depth, "B", in_channels=3, num_classes=1000)
    assert count_parameters(ours) == count_parameters(reference())


def test_option_b_adds_exactly_three_projections_to_a_resnet18() -> None:
    a = count_parameters(shortcut_resnet(18, "A"))
    b = count_parameters(shortcut_resnet(18, "B"))
    # 1x1 weights + BatchNorm scale and shift, for 64->128, 128->256, 256->512
    assert b - a == sum(i * o + 2 * o for i, o in ((64, 128), (128, 256), (256, 512)))


def test_every_option_runs_and_keeps_output_shape() -> None:
    for option in "ABCD":
        net = shortcut_resnet(18, option, width=4)
        assert net(torch.randn(2, 1, 28, 28)).shape == (2, 10)
    block = ShortcutBlock(4, 8, 2, "A")
    assert block(torch.randn(2, 4, 6, 6)).shape == (2, 8, 3, 3)


def test_shortcut_resnet_validates() -> None:
    with pytest.raises(ValueError, match="depth"):
        shortcut_resnet(50)
    with pytest.raises(ValueError, match="shortcut option"):
        shortcut_resnet(18, "b")
    with pytest.raises(ValueError, match="width"):
        shortcut_resnet(18, width=0)
