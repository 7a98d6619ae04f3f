"""MAC counting."""

import pytest
import torch
from torch import nn

from resnotes.flops import count_elementwise, count_macs, macs_by_module
from resnotes.shortcuts import shortcut_resnet


def test_conv_and_linear_by_hand() -> None:
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.Flatten(), nn.Linear(8 * 10 * 10, 5))
    assert macs_by_module(net, (1, 3, 10, 10)) == {"0": 8 * 10 * 10 * 3 * 9, "2": 800 * 5}
    assert count_macs(net, (4, 3, 10, 10)) == 8 * 100 * 27 + 800 * 5  # per image


def test_strided_and_grouped_conv() -> None:
    conv = nn.Conv2d(4, 8, 1, stride=2, groups=2)
    assert count_macs(conv, (1, 4, 6, 6)) == 8 * 3 * 3 * 2


def test_projection_macs_in_resnet18() -> None:
    a = count_macs(shortcut_resnet(18, "A"), (1, 1, 224, 224))
    b = count_macs(shortcut_resnet(18, "B"), (1, 1, 224, 224))
    # projections at 28x28, 14x14 and 7x7 outputs
    assert b - a == 64 * 128 * 28 * 28 + 128 * 256 * 14 * 14 + 256 * 512 * 7 * 7


def test_torchvision_resnet18_is_about_1_8_gmacs() -> None:
    import torchvision
    macs = count_macs(torchvision.models.resnet18(), (1, 3, 224, 224))
    assert 1.80e9 < macs < 1.83e9  # the usual "1.8 GFLOPs" (He et al. 2016, table 1)


def test_bad_shapes_raise() -> None:
    with pytest.raises(ValueError, match="input_shape"):
        count_macs(nn.Linear(2, 2), (2,))
    with pytest.raises(ValueError, match="batch shape"):
        count_elementwise((0, 3))
    assert count_elementwise((5, 2, 3, 4)) == 24
