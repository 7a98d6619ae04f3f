"""The residual block and ResNet-18: shapes, validation, parity with d2l and torchvision."""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn

from resnotes import Residual, count_parameters, from_torchvision_state_dict, layer_table, resnet18

d2l = pytest.importorskip("d2l.torch")


def test_same_shape_block_keeps_shape() -> None:
    assert Residual(3, 3)(torch.rand(4, 3, 6, 6)).shape == (4, 3, 6, 6)


def test_projection_block_halves_size_and_changes_channels() -> None:
    assert Residual(3, 6, use_1x1conv=True, stride=2)(torch.rand(4, 3, 6, 6)).shape == (4, 6, 3, 3)


@pytest.mark.parametrize("args, fragment", [
    ((0, 4), "in_channels"),
    ((4, 0), "out_channels"),
    ((4, 4, False, 0), "stride"),
    ((4, 4, True, -1), "stride"),
    ((4.0, 4), "in_channels"),
    ((True, 4), "in_channels"),
])
def test_invalid_block_arguments_are_rejected(args: tuple, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        Residual(*args)


def test_shape_change_without_projection_points_to_use_1x1conv() -> None:
    with pytest.raises(ValueError, match="use_1x1conv=True"):
        Residual(3, 6)
    with pytest.raises(ValueError, match="use_1x1conv=True"):
        Residual(3, 3, stride=2)


def test_shortcut_bn_needs_a_projection() -> None:
    with pytest.raises(ValueError, match="shortcut_bn"):
        Residual(3, 3, shortcut_bn=True)


def test_zero_branch_block_is_identity_only_for_non_negative_inputs() -> None:
    blk = Residual(4, 4).eval()
    with torch.no_grad():
        blk.bn2.weight.zero_()
        blk.bn2.bias.zero_()
    x_pos = torch.rand(2, 4, 5, 5)
    x_any = torch.randn(2, 4, 5, 5)
    assert torch.equal(blk(x_pos), x_pos)
    assert not torch.equal(blk(x_any), x_any)
    assert torch.equal(blk(x_any), torch.relu(x_any))


def _d2l_block(ours: Residual, num_channels: int, use_1x1conv: bool, strides: int,
               x: torch.Tensor) -> nn.Module:
    theirs = d2l.Residual(num_channels, use_1x1conv=use_1x1conv, strides=strides)
    theirs(x)  # materialise the lazy layers
    # same tensors in the same order; the names differ (d2l's conv3 is our shortcut)
    ours_sd, their_sd = ours.state_dict(), theirs.state_dict()
    assert [v.shape for v in ours_sd.values()] == [v.shape for v in their_sd.values()]
    theirs.load_state_dict(dict(zip(their_sd, ours_sd.values())))
    return theirs


@pytest.mark.parametrize("cin, cout, proj, stride", [(3, 3, False, 1), (3, 6, True, 2), (4, 8, True, 1)])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_block_matches_d2l_residual_with_copied_weights(cin: int, cout: int, proj: bool, stride: int,
                                                        mode: str) -> None:
    x = torch.randn(4, cin, 6, 6)
    ours = Residual(cin, cout, use_1x1conv=proj, stride=stride)
    theirs = _d2l_block(ours, cout, proj, stride, x)
    ours.train(mode == "train")
    theirs.train(mode == "train")
    with torch.no_grad():  # d2l's in-place `Y += X` needs no_grad only for leaf inputs; keep it simple
        assert torch.allclose(ours(x), theirs(x), atol=1e-6, rtol=0)


def _d2l_layout_resnet18() -> nn.Sequential:
    """ResNet-18 as d2l's chapter builds it, from d2l.Residual."""
    def stage(num_channels: int, first: bool) -> nn.Sequential:
        return nn.Sequential(d2l.Residual(num_channels, use_1x1conv=not first, strides=1 if first else 2),
                             d2l.Residual(num_channels))
    return nn.Sequential(
        nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        stage(64, True), stage(128, False), stage(256, False), stage(512, False),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(10))


def test_resnet18_matches_d2l_layout() -> None:
    x = torch.randn(2, 1, 28, 28)
    ours = resnet18().eval()
    theirs = _d2l_layout_resnet18()
    theirs(x)
    theirs.eval()
    ours_sd, their_sd = ours.state_dict(), theirs.state_dict()
    assert [v.shape for v in ours_sd.values()] == [v.shape for v in their_sd.values()]
    theirs.load_state_dict(dict(zip(their_sd, ours_sd.values())))
    assert count_parameters(ours) == count_parameters(theirs) == 11_178_378
    with torch.no_grad():
        assert torch.allclose(ours(x), theirs(x), atol=1e-5, rtol=0)


def test_resnet18_equals_torchvision_where_layouts_agree() -> None:
    tv = torchvision.models.resnet18().eval()  # random weights; nothing downloaded
    ours = resnet18(3, 1000, bias=False, shortcut_bn=True).eval()
    assert count_parameters(ours) == count_parameters(tv) == 11_689_512
    ours.load_state_dict(from_torchvision_state_dict(tv.state_dict()))
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(ours(x), tv(x), atol=1e-5, rtol=0)


def test_from_torchvision_rejects_foreign_keys() -> None:
    with pytest.raises(KeyError, match="unexpected key"):
        from_torchvision_state_dict({"classifier.weight": torch.zeros(1)})


@pytest.mark.parametrize("size, final", [(28, 1), (96, 3)])
def test_resnet18_output_shapes(size: int, final: int) -> None:
    net = resnet18()
    rows = layer_table(net, (2, 1, size, size), names=["stem", "stages.0", "stages.3", "head"])
    assert [r.name for r in rows] == ["stem", "stages.0", "stages.3", "head"]
    assert rows[2].output_shape == (2, 512, final, final)
    assert rows[3].output_shape == (2, 10)


def test_layer_table_rows_add_up_to_total() -> None:
    net = resnet18(width=8)
    rows = layer_table(net, (1, 1, 28, 28))
    assert sum(r.parameters for r in rows) == count_parameters(net)


def test_layer_table_unknown_name() -> None:
    with pytest.raises(KeyError, match="no submodule"):
        layer_table(resnet18(width=8), (1, 1, 28, 28), names=["nope"])


def test_zero_init_residual_makes_every_block_start_as_identity_on_nonnegative_input() -> None:
    net = resnet18(width=8, zero_init_residual=True).eval()
    x = torch.rand(2, 8, 7, 7)
    with torch.no_grad():
        assert torch.equal(net.stages[0](x), x)


@pytest.mark.parametrize("kw", [dict(width=0), dict(num_classes=0), dict(in_channels=-1)])
def test_resnet_rejects_bad_arguments(kw: dict) -> None:
    with pytest.raises(ValueError):
        resnet18(**kw)


def test_gradients_reach_every_parameter() -> None:
    net = resnet18(width=8)
    net(torch.randn(4, 1, 28, 28)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())


# The one block with its parts passed in, and the one stage builder.

from resnotes import BasicBlock, basic_block, make_stage, projection  # noqa: E402
from resnotes.shortcuts import ShortcutBlock  # noqa: E402


def test_norm_layer_is_injected() -> None:
    blk = BasicBlock(4, 4, norm_layer=lambda c: nn.GroupNorm(2, c))
    assert isinstance(blk.bn1, nn.GroupNorm) and isinstance(blk.bn2, nn.GroupNorm)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in blk.modules())
    assert blk(torch.randn(2, 4, 5, 5)).shape == (2, 4, 5, 5)


def test_shortcut_is_built_by_the_block_with_its_own_shape() -> None:
    seen = []

    def shortcut(cin: int, cout: int, stride: int) -> nn.Module:
        seen.append((cin, cout, stride))
        return projection(cin, cout, stride)

    blk = BasicBlock(3, 6, 2, shortcut=shortcut)
    assert seen == [(3, 6, 2)] and blk(torch.randn(2, 3, 6, 6)).shape == (2, 6, 3, 3)
    with pytest.raises(ValueError, match="pass a shortcut"):
        BasicBlock(3, 6, 2)


def test_plain_block_has_no_shortcut_and_refuses_one() -> None:
    blk = BasicBlock(3, 6, 2, residual=False).eval()
    x = torch.randn(2, 3, 6, 6)
    with torch.no_grad():
        expected = torch.relu(blk.bn2(blk.conv2(torch.relu(blk.bn1(blk.conv1(x))))))
        assert torch.equal(blk(x), expected)
    assert blk.shortcut is None
    with pytest.raises(ValueError, match="no shortcut"):
        BasicBlock(3, 6, 2, residual=False, shortcut=projection)


def test_residual_and_shortcut_block_b_are_the_one_block() -> None:
    assert isinstance(Residual(3, 3), BasicBlock)
    b = ShortcutBlock(4, 8, 2, "B")
    assert type(b) is BasicBlock and type(basic_block(4, 8, 2)) is BasicBlock
    assert list(b.state_dict()) == list(basic_block(4, 8, 2).state_dict())
    assert isinstance(b.shortcut, nn.Sequential) and isinstance(b.shortcut[1], nn.BatchNorm2d)
    assert count_parameters(b) == count_parameters(basic_block(4, 8, 2))


def test_make_stage_changes_the_shape_in_its_first_block_only() -> None:
    stage = make_stage(basic_block, 4, 8, 3, stride=2)
    assert [b.shortcut is not None for b in stage] == [True, False, False]
    assert [b.conv1.stride for b in stage] == [(2, 2), (1, 1), (1, 1)]
    assert stage(torch.randn(2, 4, 8, 8)).shape == (2, 8, 4, 4)
    assert len(make_stage(basic_block, 4, 4, 0)) == 0
    with pytest.raises(ValueError, match="blocks"):
        make_stage(basic_block, 4, 4, -1)


def test_zero_branch_makes_the_block_relu_of_its_input() -> None:
    blk = basic_block(4, 4).eval()
    blk.zero_branch_()
    x = torch.randn(2, 4, 5, 5)
    with torch.no_grad():
        assert torch.equal(blk(x), torch.relu(x))
    with pytest.raises(TypeError, match="no weight"):
        BasicBlock(4, 4, norm_layer=lambda c: nn.Identity()).zero_branch_()
