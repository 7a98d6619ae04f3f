"""The bottleneck and pre-activation blocks: shapes, validation, parity with torchvision, and
ScaledResidual unchanged now that it is a PreActBlock."""

from __future__ import annotations

import math
import pytest
import torch
import torchvision
from torch import nn
from torch.nn import functional as F

from resnotes import (BasicBlock, Bottleneck, PreActBlock, ScaledResidual, Scale, bottleneck_block,
                      count_macs, count_parameters, from_torchvision_state_dict, projection,
                      resnet50)
from resnotes.identity_add import identity_add


def _tv_bottleneck(inplanes: int, planes: int, stride: int) -> nn.Module:
    downsample = None
    if stride != 1 or inplanes != planes * 4:
        downsample = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride=stride, bias=False),
                                   nn.BatchNorm2d(planes * 4))
    return torchvision.models.resnet.Bottleneck(inplanes, planes, stride, downsample)


@pytest.mark.parametrize("cin, planes, stride", [(256, 64, 1), (64, 64, 1), (256, 128, 2)])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_bottleneck_matches_torchvision_block(cin: int, planes: int, stride: int, mode: str) -> None:
    torch.manual_seed(0)
    tv = _tv_bottleneck(cin, planes, stride)
    ours = bottleneck_block(cin, planes * 4, stride)
    keys = {k.replace("downsample", "shortcut"): v for k, v in tv.state_dict().items()}
    ours.load_state_dict(keys)  # strict: the same tensors under the same names
    for m in (tv, ours):
        m.train(mode == "train")
    x = torch.randn(2, cin, 8, 8)
    with torch.no_grad():
        assert torch.allclose(ours(x), tv(x), atol=1e-6)


def test_bottleneck_widths_and_stride_on_the_3x3() -> None:
    b = bottleneck_block(256, 512, 2)
    assert (b.conv1.in_channels, b.conv1.out_channels, b.conv1.kernel_size) == (256, 128, (1, 1))
    assert (b.conv2.out_channels, b.conv2.kernel_size, b.conv2.stride) == (128, (3, 3), (2, 2))
    assert (b.conv3.out_channels, b.conv3.kernel_size, b.conv1.stride) == (512, (1, 1), (1, 1))
    assert b(torch.randn(1, 256, 8, 8)).shape == (1, 512, 4, 4)
    assert bottleneck_block(512, 512).shortcut is None


def test_bottleneck_parameters_counted_by_hand() -> None:
    # 256 -> 64 (1x1), 64 -> 64 (3x3), 64 -> 256 (1x1), no biases; BatchNorms 64, 64, 256
    assert count_parameters(Bottleneck(256, 256)) == 256 * 64 + 9 * 64 * 64 + 64 * 256 + 2 * (64 + 64 + 256)
    # the basic block at the same width: two 3x3 convolutions of 256 channels
    assert count_parameters(BasicBlock(256, 256)) == 2 * 9 * 256 * 256 + 2 * 2 * 256
    # MACs per image on a 14x14 map: every weight of the block is used once per output pixel
    assert count_macs(Bottleneck(256, 256), (1, 256, 14, 14)) == 14 * 14 * (256 * 64 + 9 * 64 * 64 + 64 * 256)


@pytest.mark.parametrize("kw, fragment", [
    (dict(in_channels=64, out_channels=256), "changes the shape"),
    (dict(in_channels=256, out_channels=256, stride=2), "changes the shape"),
    (dict(in_channels=256, out_channels=258), "multiple of expansion"),
    (dict(in_channels=256, out_channels=256, expansion=0), "expansion"),
])
def test_bottleneck_rejects_bad_arguments(kw: dict, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        Bottleneck(**kw)


def test_resnet50_equals_torchvision() -> None:
    tv = torchvision.models.resnet50().eval()  # random weights; nothing downloaded
    ours = resnet50(3, 1000, bias=False, shortcut_bn=True).eval()
    assert count_parameters(tv) == count_parameters(ours) == 25_557_032
    ours.load_state_dict(from_torchvision_state_dict(tv.state_dict()))
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(ours(x), tv(x), atol=1e-5)
    # and a weight changed in ours shows up: the comparison can fail
    with torch.no_grad():
        ours.stages[2][3].conv2.weight.add_(0.1)
        assert not torch.allclose(ours(x), tv(x), atol=1e-5)


def test_resnet50_zero_init_zeroes_every_bottleneck_bn3() -> None:
    net = resnet50(zero_init_residual=True)
    blocks = [m for m in net.modules() if isinstance(m, Bottleneck)]
    assert len(blocks) == 16
    assert all(torch.count_nonzero(b.bn3.weight) == 0 for b in blocks)


def test_preact_block_is_identity_for_any_input_once_its_branch_is_zero() -> None:
    torch.manual_seed(0)
    block = PreActBlock(4, 4)
    block.zero_branch_()
    x = torch.randn(2, 4, 5, 5, requires_grad=True)  # negative entries included
    y = block(x)
    assert torch.equal(y, x)
    y.sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))  # the gradient passes unchanged
    post = BasicBlock(4, 4).eval()
    post.zero_branch_()
    assert not torch.equal(post(x), x)  # the post-activation block clips negatives


def test_preact_block_structure_and_projection() -> None:
    block = PreActBlock(4, 8, 2, shortcut=projection)
    assert isinstance(block.norm1, nn.BatchNorm2d) and block.norm1.num_features == 4
    x = torch.randn(2, 4, 6, 6)
    assert block(x).shape == (2, 8, 3, 3)
    block.eval()
    with torch.no_grad():  # the projection takes the pre-activated input
        pre = F.relu(block.norm1(x))
        expected = block.shortcut(pre) + block.branch(x)
        assert torch.allclose(block(x), expected, atol=1e-6)
    with pytest.raises(ValueError, match="changes the shape"):
        PreActBlock(4, 8)
    # same parameters as the basic block: the layers only moved
    assert count_parameters(PreActBlock(8, 8)) == count_parameters(BasicBlock(8, 8)) - 2 * 8 + 2 * 8
    assert isinstance(PreActBlock(3, 3, norm_layer=lambda c: nn.Identity()).norm2, nn.Identity)


class _ScaledResidualBefore(nn.Module):
    """ScaledResidual as it was before it became a PreActBlock (frozen reference copy)."""

    def __init__(self, channels: int, *, branch_scale: float = 1.0, learnable: bool = False,
                 per_channel: bool = False, shortcut_scale: float = 1.0,
                 batch_norm: bool = False, padding_mode: str = "zeros") -> None:
        super().__init__()
        self.shortcut_scale = float(shortcut_scale)
        self.norm1: nn.Module = nn.BatchNorm2d(channels) if batch_norm else nn.Identity()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, padding_mode=padding_mode)
        self.norm2: nn.Module = nn.BatchNorm2d(channels) if batch_norm else nn.Identity()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, padding_mode=padding_mode)
        self.scale = Scale(branch_scale, learnable=learnable,
                           channels=channels if per_channel else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.relu(self.norm1(x)))
        h = self.scale(self.conv2(F.relu(self.norm2(h))))
        if self.shortcut_scale == 0.0:
            return h
        return identity_add(self.shortcut_scale * x if self.shortcut_scale != 1.0 else x, h)


@pytest.mark.parametrize("kw", [
    dict(), dict(batch_norm=True), dict(branch_scale=0.2, shortcut_scale=0.5),
    dict(branch_scale=0.0, learnable=True), dict(per_channel=True, branch_scale=0.1, learnable=True),
    dict(shortcut_scale=0.0, padding_mode="circular", batch_norm=True),
])
def test_scaled_residual_keeps_its_state_dict_and_outputs(kw: dict) -> None:
    torch.manual_seed(3)
    new = ScaledResidual(6, **kw)
    torch.manual_seed(3)
    old = _ScaledResidualBefore(6, **kw)
    assert isinstance(new, PreActBlock)
    a, b = new.state_dict(), old.state_dict()
    assert list(a) == list(b)
    assert all(torch.equal(a[k], b[k]) for k in a)  # same initialisation from the same seed
    assert [n for n, _ in new.named_parameters()] == [n for n, _ in old.named_parameters()]
    x = torch.randn(3, 6, 7, 7)
    for mode in (True, False):
        new.train(mode), old.train(mode)
        with torch.no_grad():
            assert torch.equal(new(x), old(x))
    assert math.isclose(count_parameters(new), count_parameters(old))


def test_preact_stage_is_built_by_make_stage() -> None:
    from resnotes import make_stage
    def block(cin: int, cout: int, stride: int) -> PreActBlock:  # project where the shape changes
        changes = cin != cout or stride != 1
        return PreActBlock(cin, cout, stride, shortcut=projection if changes else None)

    stage = make_stage(block, 4, 8, 3, stride=2)
    assert [b.shortcut is not None for b in stage] == [True, False, False]
    assert stage(torch.randn(1, 4, 8, 8)).shape == (1, 8, 4, 4)


def test_block_family_figure_and_its_alt_text_follow_the_sketches() -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from resnotes.diagrams import BLOCK_FAMILY, block_family_alt, draw_block_family
    fig = draw_block_family()
    assert len(fig.axes) == len(BLOCK_FAMILY) == 3
    drawn = {t.get_text() for ax in fig.axes for t in ax.texts}
    alt = block_family_alt()
    for b in BLOCK_FAMILY:
        assert b.title in alt and all(layer in drawn and layer in alt for layer in b.layers)
    assert "1x1 conv,\nstride 2, BN" in drawn and "identity" in drawn
    plt.close(fig)
