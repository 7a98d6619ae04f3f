"""Gradient-norm probes and the data-set loss."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from resnotes.depth import plain_net, residual_net
from resnotes.probes import dataset_loss, gradient_norms
from resnotes.train import preprocess


def _batch(n: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return (torch.randint(0, 256, (n, 14, 14), dtype=torch.uint8, generator=g),
            torch.randint(0, 10, (n,), generator=g))


def test_one_row_per_main_path_layer_in_order() -> None:
    net = residual_net(8, width=4)
    rows = gradient_norms(net, *_batch())
    assert len(rows) == 8  # depth 8: 7 convolutions and the linear layer
    assert rows[0].name == "stem.0" and rows[-1].name == "head.2"
    assert len(gradient_norms(net, *_batch(), skip_1x1=False)) == 10
    assert all(r.grad_norm > 0 and r.weight_norm > 0 for r in rows)


def test_gradient_norm_matches_autograd_by_hand() -> None:
    torch.manual_seed(0)
    net = plain_net(8, width=4)
    images, labels = _batch()
    rows = gradient_norms(net, images, labels)
    loss = F.cross_entropy(net(preprocess(images)), labels)
    grad = torch.autograd.grad(loss, net.head[2].weight)[0]
    assert math.isclose(rows[-1].grad_norm, grad.norm().item(), rel_tol=1e-4)
    assert math.isclose(rows[-1].relative, grad.norm().item() / net.head[2].weight.norm().item(),
                        rel_tol=1e-4)


def test_probing_leaves_the_model_unchanged() -> None:
    net = residual_net(8, width=4).eval()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    gradient_norms(net, *_batch())
    assert not net.training
    assert all(p.grad is None for p in net.parameters())
    for k, v in net.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_bad_batches_are_rejected() -> None:
    net = residual_net(8, width=4)
    images, labels = _batch()
    with pytest.raises(ValueError, match="labels"):
        gradient_norms(net, images, labels[:-1])
    with pytest.raises(TypeError, match="uint8"):
        gradient_norms(net, images.float(), labels)
    with pytest.raises(ValueError, match="two images"):
        gradient_norms(net, images[:1], labels[:1])
    with pytest.raises(ValueError, match="no nn.Conv2d"):
        gradient_norms(nn.Sequential(nn.Flatten(), nn.ReLU(), nn.Identity()), images, labels)


def test_dataset_loss_is_the_mean_cross_entropy_in_eval_mode() -> None:
    torch.manual_seed(0)
    net = residual_net(8, width=4)
    images, labels = _batch(10)
    net.eval()
    with torch.no_grad():
        expected = F.cross_entropy(net(preprocess(images)), labels).item()
    net.train()
    got = dataset_loss(net, images, labels, batch_size=3)
    assert math.isclose(got, expected, rel_tol=1e-5)
    assert net.training
