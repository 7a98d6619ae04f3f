"""Plain and residual CIFAR-style networks: depth, layout, and growing them as the identity."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from resnotes import BasicBlock
from resnotes.depth import (CifarNet, PlainBlock, blocks_per_stage, deepen, identity_plain_block_,
                            plain_net, residual_net)


def _weighted_layers(net: nn.Module) -> int:
    """Convolutions along the main path (no 1x1 projections) plus linear layers."""
    return sum(1 for m in net.modules()
               if isinstance(m, nn.Linear)
               or (isinstance(m, nn.Conv2d) and m.kernel_size != (1, 1)))


@pytest.mark.parametrize("depth", [8, 14, 20, 56])
@pytest.mark.parametrize("residual", [False, True])
def test_depth_counts_the_weighted_layers(depth: int, residual: bool) -> None:
    net = CifarNet(depth, residual=residual, width=4)
    assert _weighted_layers(net) == depth
    assert net(torch.randn(3, 1, 14, 14)).shape == (3, 10)


def test_plain_and_residual_differ_only_by_shortcuts() -> None:
    plain, res = plain_net(14, width=4), residual_net(14, width=4)
    assert all(isinstance(b, BasicBlock) and not b.residual for s in plain.stages for b in s)
    assert all(isinstance(b, BasicBlock) and b.residual for s in res.stages for b in s)
    # Same main-path layers; the residual net adds two projections (1x1 conv + BN).
    shapes = lambda net: [tuple(p.shape) for n, p in net.named_parameters()  # noqa: E731
                          if "shortcut" not in n]
    assert sorted(shapes(plain)) == sorted(shapes(res))
    projections = [m for m in res.modules() if isinstance(m, BasicBlock) and m.shortcut is not None]
    assert len(projections) == 2


def test_stages_halve_resolution_and_double_channels() -> None:
    net = residual_net(8, width=4)
    x = net.stem(torch.randn(2, 1, 16, 16))
    shapes = []
    for stage in net.stages:
        x = stage(x)
        shapes.append(tuple(x.shape[1:]))
    assert shapes == [(4, 16, 16), (8, 8, 8), (16, 4, 4)]


@pytest.mark.parametrize("depth", [0, 7, 9, 21, 8.0, True, "20"])
def test_depth_must_be_6n_plus_2(depth: object) -> None:
    with pytest.raises(ValueError, match="6n \\+ 2"):
        blocks_per_stage(depth)  # type: ignore[arg-type]


def test_bad_width_is_rejected() -> None:
    with pytest.raises(ValueError, match="width"):
        CifarNet(8, residual=True, width=0)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_deepened_residual_net_computes_the_same_function(mode: str) -> None:
    torch.manual_seed(0)
    small = residual_net(8, width=4)
    with torch.no_grad():  # make every parameter and statistic non-trivial
        for p in small.parameters():
            p.add_(0.1 * torch.randn_like(p))
        small(torch.randn(16, 1, 14, 14))  # update BatchNorm running statistics
    small.train(mode == "train")
    big = deepen(small, 20)
    assert big.depth == 20 and big.training == small.training
    assert _weighted_layers(big) == 20
    x = torch.randn(8, 1, 14, 14)
    with torch.no_grad():
        assert torch.allclose(big(x), small(x), atol=1e-5)


def test_deepened_plain_net_changes_the_function() -> None:
    torch.manual_seed(0)
    small = plain_net(8, width=4)
    big = deepen(small, 14)  # in training mode: BatchNorm uses the batch's statistics
    x = torch.randn(8, 1, 14, 14)
    with torch.no_grad():
        assert (big(x) - small(x)).abs().max() > 1e-2


def test_deepen_copies_and_leaves_the_original_alone() -> None:
    small = residual_net(8, width=4)
    before = {k: v.clone() for k, v in small.state_dict().items()}
    big = deepen(small, 14)
    with torch.no_grad():
        big.stem[0].weight.add_(1.0)
    for k, v in small.state_dict().items():
        assert torch.equal(v, before[k])
    assert deepen(small, 8) is not small  # same depth: a copy


def test_deepen_refuses_to_shrink_or_other_models() -> None:
    with pytest.raises(ValueError, match="grows"):
        deepen(residual_net(14, width=4), 8)
    with pytest.raises(TypeError, match="CifarNet"):
        deepen(nn.Linear(2, 2), 14)  # type: ignore[arg-type]


def _trained_like(net: nn.Module) -> nn.Module:
    """Perturb every parameter and fill BatchNorm's running statistics with real values."""
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.1 * torch.randn_like(p))
        net.train()
        net(torch.randn(16, 1, 14, 14))
    return net


def test_identity_plain_block_is_the_identity_on_non_negative_inputs_in_eval_mode() -> None:
    torch.manual_seed(0)
    block = PlainBlock(4, 4)
    with torch.no_grad():
        block.train()
        block(torch.randn(8, 4, 6, 6) * 3 + 1)  # running statistics far from 0 and 1
    identity_plain_block_(block)
    block.eval()
    x = torch.rand(5, 4, 6, 6) * 4            # non-negative, as after a ReLU
    signed = torch.randn(5, 4, 6, 6)
    with torch.no_grad():
        assert torch.allclose(block(x), x, atol=1e-5)
        # negative entries are cut by the ReLUs: exactly ReLU(x), not x
        assert torch.allclose(block(signed), signed.clamp(min=0), atol=1e-5)
        assert (block(signed) - signed).abs().max() > 0.5
        block.train()                         # batch statistics: no longer the identity
        assert (block(x) - x).abs().max() > 0.1


def test_identity_plain_block_refuses_residual_and_shape_changing_blocks() -> None:
    with pytest.raises(ValueError, match="plain"):
        identity_plain_block_(BasicBlock(4, 4, residual=True))
    with pytest.raises(ValueError, match="shape"):
        identity_plain_block_(PlainBlock(4, 8, stride=2))


def test_deepened_plain_net_with_identity_blocks_keeps_its_function_in_eval_mode_only() -> None:
    torch.manual_seed(0)
    small = _trained_like(plain_net(8, width=4))
    x = torch.randn(8, 1, 14, 14)
    small.eval()
    big = deepen(small, 20, plain_init="identity")
    assert _weighted_layers(big) == 20
    with torch.no_grad():
        assert torch.allclose(big(x), small(x), atol=1e-4)
        small.train(), big.train()
        assert (big(x) - small(x)).abs().max() > 1e-2
    random = deepen(small.eval(), 20)  # the default: new blocks at random
    with torch.no_grad():
        assert (random(x) - small(x)).abs().max() > 1e-2


def test_deepen_checks_plain_init() -> None:
    with pytest.raises(ValueError, match="plain_init"):
        deepen(plain_net(8, width=4), 14, plain_init="zeros")
